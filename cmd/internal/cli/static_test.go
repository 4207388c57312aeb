package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/staticsearch"
)

// staticRunner is the Node script that runs the static client on a site
// folder (staticsearch/testdata/search.mjs).
const staticRunner = "../../../staticsearch/testdata/search.mjs"

// staticResponse is what the static client answers, as the API's JSON.
type staticResponse struct {
	Total   int `json:"total"`
	Results []struct {
		URL     string `json:"url"`
		Snippet string `json:"snippet"`
	} `json:"results"`
	Approximate bool   `json:"approximate"`
	ReadBytes   int    `json:"read_bytes"`
	ReadFiles   int    `json:"read_files"`
	Error       string `json:"error"`
	raw         []byte // the response as the client gave it
}

// needNode returns the path of node, or skips the test without it (fails
// it under GONGKAI_REQUIRE_BROWSER=1, as CI runs, like the browser tests).
func needNode(t *testing.T) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err == nil {
		return node
	}
	if os.Getenv("GONGKAI_REQUIRE_BROWSER") == "1" {
		t.Fatal("node is not installed: the static client cannot be run (GONGKAI_REQUIRE_BROWSER=1)")
	}
	t.Skip("node is not installed: the static client cannot be run; skipping (set GONGKAI_REQUIRE_BROWSER=1 to fail instead)")
	return ""
}

// runStatic runs the static client in Node on the site folder for each
// query (URL parameters), one process for all of them.
func runStatic(t *testing.T, site, prefix string, queries []url.Values) []staticResponse {
	t.Helper()
	node := needNode(t)
	// Read the client here so that go test's cache notices a change to it.
	for _, f := range []string{staticRunner, "../../../staticsearch/client.js", "../../../staticsearch/testdata/served.mjs"} {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	var in bytes.Buffer
	for _, q := range queries {
		in.WriteString(q.Encode() + "\n")
	}
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, staticRunner, site, prefix)
	cmd.Stdin = &in
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node %s: %v\n%s", staticRunner, err, stderr.String())
	}
	var res []staticResponse
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			t.Fatal(err)
		}
		var r staticResponse
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		r.raw = raw
		res = append(res, r)
	}
	if len(res) != len(queries) {
		t.Fatalf("node answered %d of %d queries\n%s", len(res), len(queries), stderr.String())
	}
	return res
}

// TestStaticAgreement builds the sample portal and runs every query of the
// relevance set through the service's /api/search and through the static
// client on public/ alone: the top 10 must be the same, in the same order,
// for at least 95% of the queries, and recall@5 must be the same.
func TestStaticAgreement(t *testing.T) {
	set := loadRelevanceSet(t)
	out := buildSample(t)
	srv := serveOut(t, out)

	var queries []url.Values
	for _, rq := range set {
		queries = append(queries, rq.values())
	}
	// Beyond the set: single characters, exclusions, filters alone, a
	// document number, Traditional text, page 2, sorting by date.
	for _, raw := range []string{"q=税", "q=费", "q=-的", "kind=policy", "q=云府发〔2023〕6号", "q=政府資訊公開",
		"q=养老+补贴&page=2", "q=通知&sort=date", "q=投诉&kind=channel", "year=2024&q=办法", "q=\"生活垃圾\""} {
		v, _ := url.ParseQuery(raw)
		queries = append(queries, v)
	}
	static := runStatic(t, out, "", queries)
	same, serverFound, staticFound, pairs := 0, 0, 0, 0
	var bytesRead []int
	for i, v := range queries {
		want := apiQuery(t, srv, v)
		got := static[i]
		if got.Error != "" {
			t.Errorf("%s: static client failed: %s", v.Encode(), got.Error)
			continue
		}
		bytesRead = append(bytesRead, got.ReadBytes)
		var a, b []string
		for _, r := range want.Results {
			a = append(a, r.URL)
		}
		for _, r := range got.Results {
			b = append(b, r.URL)
		}
		if slices.Equal(a, b) {
			same++
		} else {
			t.Logf("%s: top 10 differ\n  service: %v (total %d)\n  static:  %v (total %d)", v.Encode(), a, want.Total, b, got.Total)
		}
		if want.Total != got.Total && !got.Approximate {
			t.Errorf("%s: total %d, static %d (not marked approximate)", v.Encode(), want.Total, got.Total)
		}
		if i < len(set) {
			for _, u := range set[i].Want {
				pairs++
				if slices.Contains(a[:min(5, len(a))], u) {
					serverFound++
				}
				if slices.Contains(b[:min(5, len(b))], u) {
					staticFound++
				}
			}
		}
	}
	slices.Sort(bytesRead)
	t.Logf("%d queries: top 10 the same for %d (%.1f%%); recall@5 service %d/%d, static %d/%d; bytes read per query p50 %d, max %d",
		len(queries), same, 100*float64(same)/float64(len(queries)), serverFound, pairs, staticFound, pairs,
		bytesRead[len(bytesRead)/2], bytesRead[len(bytesRead)-1])
	if 100*same < 95*len(queries) {
		t.Errorf("top 10 agree for %d of %d queries, want at least 95%%", same, len(queries))
	}
	if serverFound != staticFound {
		t.Errorf("recall@5: service %d/%d, static %d/%d", serverFound, pairs, staticFound, pairs)
	}
}

// TestStaticMode builds the sample with "mode: static" in site.yaml's
// search section: serve then leaves /search to the static page and has no
// /api/search; the static index's chunks are served to be cached for ever,
// its manifest to be revalidated.
func TestStaticMode(t *testing.T) {
	src := t.TempDir()
	if err := os.CopyFS(src, os.DirFS("../../..")); err != nil && !strings.Contains(err.Error(), "exists") {
		t.Fatal(err)
	}
	site := filepath.Join(src, "content", "site.yaml")
	b, err := os.ReadFile(site)
	if err != nil {
		t.Fatal(err)
	}
	b = bytes.Replace(b, []byte("\nsearch:\n"), []byte("\nsearch:\n  mode: static\n"), 1)
	if err := os.WriteFile(site, b, 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "public")
	var stdout, stderr bytes.Buffer
	if err := BuildSite(context.Background(), src, out, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	srv := serveOut(t, out)
	resp, err := http.Get(srv.URL + "/search?q=" + url.QueryEscape("税"))
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !bytes.Contains(page, []byte(`id="gk-search"`)) {
		t.Errorf("GET /search with search: static = %d, want the static page:\n%.400s", resp.StatusCode, page)
	}
	// The manifest is revalidated each time; the chunks and the client,
	// named by their content, are cached for ever.
	resp, err = http.Get(srv.URL + "/search/index.json")
	if err != nil {
		t.Fatal(err)
	}
	var man struct {
		Table struct {
			Facets string `json:"facets"`
		} `json:"table"`
	}
	err = json.NewDecoder(resp.Body).Decode(&man)
	resp.Body.Close()
	if err != nil || resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=0") {
		t.Errorf("GET /search/index.json = %d, Cache-Control %q, %v", resp.StatusCode, resp.Header.Get("Cache-Control"), err)
	}
	for _, p := range []string{"/static/search/" + man.Table.Facets, "/" + staticsearch.ClientPath()} {
		resp, err := http.Get(srv.URL + p)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 || resp.Header.Get("Cache-Control") != "public, max-age=31536000, immutable" {
			t.Errorf("GET %s = %d, Cache-Control %q", p, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	resp, err = http.Get(srv.URL + "/api/search?q=x")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("GET /api/search with search: static = %d, want 404", resp.StatusCode)
	}
}

// staticUnderBasePath runs the static client on the sample built under
// /zfxxgk/ (TestUnderBasePath), fetching only under the prefix: its top 10
// equal the service's, and every URL of its responses (results, filters,
// facets, sorting, pages, nearest columns, the request page) starts with
// the base path.
func staticUnderBasePath(t *testing.T, out string, h http.Handler) {
	srv := httptest.NewServer(h)
	defer srv.Close()
	var queries []url.Values
	for _, raw := range []string{"q=补贴", "q=补贴&page=2&sort=date", "q=解读", "q=税", "q=农机购置补贴申领流程说明",
		"kind=policy", "q=办法&year=2024"} {
		v, _ := url.ParseQuery(raw)
		queries = append(queries, v)
	}
	static := runStatic(t, out, strings.TrimSuffix(prefixPath, "/"), queries)
	sc := &urlScanner{errorf: t.Errorf}
	for i, v := range queries {
		got := static[i]
		if got.Error != "" {
			t.Errorf("%s: static client failed: %s", v.Encode(), got.Error)
			continue
		}
		resp, err := http.Get(srv.URL + prefixPath + "api/search?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var want apiResponse
		err = json.NewDecoder(resp.Body).Decode(&want)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		var a, b []string
		for _, r := range want.Results {
			a = append(a, r.URL)
		}
		for _, r := range got.Results {
			b = append(b, r.URL)
		}
		if len(b) == 0 && v.Get("q") != "农机购置补贴申领流程说明" {
			t.Errorf("%s: the static client found nothing", v.Encode())
		}
		if !slices.Equal(a, b) {
			t.Errorf("%s under %s: top 10 differ\n  service: %v\n  static:  %v", v.Encode(), prefixPath, a, b)
		}
		sc.file("static client "+v.Encode(), "response.json", got.raw)
	}
	if sc.urls < 50 {
		t.Errorf("only %d URLs in the static client's responses", sc.urls)
	}
}

// TestStaticNoDeadEnds builds the sample and runs the no-result and
// partial queries of search's TestNoDeadEnds (and a few more) through the
// service and the static client: the did-you-mean, nearest-column and
// apply messages (texts, labels and links) must be the same.
func TestStaticNoDeadEnds(t *testing.T) {
	out := buildSample(t)
	srv := serveOut(t, out)

	raws := []string{"q=养老服务补帖", "q=养老服务补帖+-补贴对象", "q=火星旅行多少钱", "q=养老服务补帖&kind=policy",
		"q=最低生活保章", "q=政府信息公升", "q=火星殖民计划", "q=xyzzy"}
	var queries []url.Values
	for _, raw := range raws {
		v, _ := url.ParseQuery(raw)
		queries = append(queries, v)
	}
	static := runStatic(t, out, "", queries)
	type msgs struct {
		Total    int `json:"total"`
		Messages []struct {
			Code  string `json:"code"`
			Text  string `json:"text"`
			Links []struct {
				Label string `json:"label"`
				URL   string `json:"url"`
			} `json:"links"`
		} `json:"messages"`
	}
	pick := func(m msgs) string {
		var b strings.Builder
		for _, x := range m.Messages {
			if x.Code == "did_you_mean" || x.Code == "nearest_columns" || x.Code == "apply" {
				fmt.Fprintf(&b, "%s %q", x.Code, x.Text)
				for _, l := range x.Links {
					// The service's links start /api/search, the static
					// page's /search: the queries must be the same.
					fmt.Fprintf(&b, " [%s %s]", l.Label, strings.Replace(l.URL, "/api/search?", "/search?", 1))
				}
				b.WriteString("; ")
			}
		}
		return b.String()
	}
	agree, suggested := 0, 0
	for i, v := range queries {
		resp, err := http.Get(srv.URL + "/api/search?" + v.Encode())
		if err != nil {
			t.Fatal(err)
		}
		var want, got msgs
		err = json.NewDecoder(resp.Body).Decode(&want)
		resp.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		if static[i].Error != "" {
			t.Errorf("%s: static client failed: %s", v.Encode(), static[i].Error)
			continue
		}
		if err := json.Unmarshal(static[i].raw, &got); err != nil {
			t.Fatal(err)
		}
		w, g := pick(want), pick(got)
		if w == "" {
			t.Errorf("%s: the service offers nothing (total %d): not a no-dead-ends case", v.Encode(), want.Total)
		}
		if strings.Contains(w, "did_you_mean") {
			suggested++
		}
		if w != g {
			t.Errorf("%s:\n  service: %s\n  static:  %s", v.Encode(), w, g)
		} else {
			agree++
		}
	}
	t.Logf("%d of %d no-dead-ends queries agree (%d with did-you-mean)", agree, len(queries), suggested)
	if suggested == 0 {
		t.Error("no query got a did-you-mean")
	}
}
