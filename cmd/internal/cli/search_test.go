package cli

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func buildTiny(t *testing.T) (site, out string) {
	t.Helper()
	site = writeSite(t, tinySite)
	out = filepath.Join(site, "public")
	if err := BuildSite(context.Background(), site, out, time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC), io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	return site, out
}

type apiResponse struct {
	Total   int `json:"total"`
	Results []struct {
		URL   string `json:"url"`
		Title string `json:"title"`
	} `json:"results"`
	Messages []struct {
		Code string `json:"code"`
		Text string `json:"text"`
	} `json:"messages"`
}

func apiSearch(t *testing.T, srv *httptest.Server, q string) apiResponse {
	t.Helper()
	resp, err := http.Get(srv.URL + "/api/search?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("GET /api/search?q=%s = %d", q, resp.StatusCode)
	}
	var r apiResponse
	if err := json.NewDecoder(resp.Body).Decode(&r); err != nil {
		t.Fatal(err)
	}
	return r
}

func TestSearchServesTheBuild(t *testing.T) {
	site, out := buildTiny(t)
	srv := serveOut(t, out)

	// A substring across a word boundary finds the document.
	r := apiSearch(t, srv, "段简")
	found := false
	for _, res := range r.Results {
		found = found || res.URL == "/policy/mb0000001-2024-00001.html"
	}
	if !found {
		t.Errorf("段简: got %+v, want the 一段简单 document", r)
	}
	// The withheld records' marker is in no index.
	for _, q := range []string{"LEAKMARKER-7f3a", "LEAKMARKER", "依申请", "内部文件"} {
		if r := apiSearch(t, srv, q); r.Total != 0 {
			t.Errorf("%s finds %d withheld results: %+v", q, r.Total, r.Results)
		}
	}
	// The HTML page is the site's layout with highlighted results, no JavaScript needed.
	resp, err := http.Get(srv.URL + "/search?q=" + url.QueryEscape("预算"))
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	page := string(body)
	for _, want := range []string{"<title>搜索：预算 - 测试市人民政府信息公开平台</title>", `<mark>预算</mark>`, `class="site-nav"`, `<meta name="SiteIDCode" content="5100000001">`} {
		if !strings.Contains(page, want) {
			t.Errorf("results page lacks %q", want)
		}
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Errorf("Content-Type = %q", ct)
	}
	// Over-long and malformed queries get a message, never a 500.
	for _, q := range []string{strings.Repeat("长", 300), `"unclosed -`, `agency:`, "\x00"} {
		resp, err := http.Get(srv.URL + "/search?q=" + url.QueryEscape(q))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("query %q = %d, want 200 with a message", q, resp.StatusCode)
		}
	}

	// A rebuild swaps the index with the pages; the running handler follows.
	p := filepath.Join(site, "content/policies/b.md")
	src, _ := os.ReadFile(p)
	os.WriteFile(p, []byte(strings.Replace(string(src), "关于修改预算办法的决定", "关于调整预算办法的新决定", 1)), 0o644)
	var stdout strings.Builder
	if err := BuildSite(context.Background(), site, out, time.Date(2024, 12, 2, 0, 0, 0, 0, time.UTC), &stdout, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(stdout.String(), "1 updated") || !strings.Contains(stdout.String(), "reused") {
		t.Errorf("rebuild did not reuse the unchanged documents:\n%s", stdout.String())
	}
	if r := apiSearch(t, srv, "调整预算办法的新决定"); r.Total != 1 {
		t.Errorf("after rebuild the new title finds %d, want 1", r.Total)
	}
	for _, res := range apiSearch(t, srv, "修改预算办法").Results {
		if strings.Contains(res.Title, "修改预算办法") {
			t.Errorf("after rebuild the old title is still indexed: %+v", res)
		}
	}
}
