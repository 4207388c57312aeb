package search

import (
	"encoding/json"
	"encoding/xml"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

func newTestServer(t *testing.T, opts HandlerOptions) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(NewHandler(opts))
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, srv *httptest.Server, path string) (*http.Response, string) {
	t.Helper()
	resp, err := srv.Client().Get(srv.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

func indexFunc(ix *Index) func() (*Index, func()) {
	return func() (*Index, func()) { return ix, func() {} }
}

func TestHandlerHTML(t *testing.T) {
	ix := buildIndex(t, sampleDocs())
	srv := newTestServer(t, HandlerOptions{Index: indexFunc(ix)})
	resp, body := get(t, srv, "/search?q="+url.QueryEscape("土地征收"))
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /search: %s %s", resp.Status, resp.Header.Get("Content-Type"))
	}
	doc, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if n := doc.Find("script").Length(); n != 0 {
		t.Errorf("page has %d scripts, want none: it must work without JavaScript", n)
	}
	if got := doc.Find("input#q").AttrOr("value", ""); got != "土地征收" {
		t.Errorf("search box value = %q, want 土地征收", got)
	}
	results := doc.Find("ol.results > li")
	if results.Length() != 2 {
		t.Fatalf("%d results, want 2:\n%s", results.Length(), body)
	}
	first := results.First()
	if got := first.Find("h2 a").AttrOr("href", ""); got != "/policy/cwf-2003-38.html" {
		t.Errorf("first result links to %s, want /policy/cwf-2003-38.html", got)
	}
	if got := first.Find("h2 a mark").Text(); got != "土地征收" {
		t.Errorf("first title highlight = %q, want 土地征收", got)
	}
	meta := first.Find(".meta").Text()
	for _, want := range []string{"成委发〔2003〕38号", "中共成都市委", "2003-05-20", "有效"} {
		if !strings.Contains(meta, want) {
			t.Errorf("first result meta %q lacks %s", meta, want)
		}
	}
	if first.Find("p mark").Length() == 0 {
		t.Errorf("first result snippet has no highlight")
	}
	if !strings.Contains(doc.Find("main > p").First().Text(), "共 2 条结果") {
		t.Errorf("result count missing: %q", doc.Find("main > p").First().Text())
	}
	// Facet links are plain links that filter; following one works.
	link, ok := doc.Find(`aside a:contains("政策解读")`).Attr("href")
	if !ok {
		t.Fatalf("no facet link for 政策解读 in\n%s", body)
	}
	_, body = get(t, srv, link)
	doc, _ = goquery.NewDocumentFromReader(strings.NewReader(body))
	if n := doc.Find("ol.results > li").Length(); n != 1 {
		t.Errorf("after %s: %d results, want 1", link, n)
	}
	if doc.Find(`input[type=hidden][name=kind][value=interpretation]`).Length() != 1 {
		t.Errorf("after %s: the search form does not keep the filter", link)
	}
	// Sorting by date is a link too.
	dateLink, ok := doc.Find(`main a:contains("按日期")`).Attr("href")
	if !ok || !strings.Contains(dateLink, "sort=date") {
		t.Errorf("sort link = %q", dateLink)
	}
}

func TestHandlerBadInputNeverFails(t *testing.T) {
	ix := buildIndex(t, sampleDocs())
	srv := newTestServer(t, HandlerOptions{Index: indexFunc(ix)})
	long := strings.Repeat("土地", 300)
	tests := []struct {
		name    string
		path    string
		message string // a message code the JSON must carry, or ""
		total   int
	}{
		{"over-long query", "?q=" + url.QueryEscape(long), MsgQueryTooLong, -1},
		{"unknown agency", "?q=%E5%9C%9F%E5%9C%B0&agency=" + url.QueryEscape("不存在的局"), MsgUnknownFilter, 0},
		{"unknown year", "?q=%E5%9C%9F%E5%9C%B0&year=abc", MsgUnknownFilter, 0},
		{"unknown kind", "?kind=%3Cscript%3E", MsgUnknownFilter, 0},
		{"malformed syntax", "?q=" + url.QueryEscape(`"-:"" -- agency: “`), "", -1},
		{"bad page", "?q=%E5%9C%9F%E5%9C%B0&page=abc&size=-1&sort=x", "", 3},
		{"huge page", "?q=%E5%9C%9F%E5%9C%B0&page=99999999999999999999", "", 3},
		{"page past the end", "?q=%E5%9C%9F%E5%9C%B0&page=50", MsgPageRange, 3},
		{"invalid UTF-8", "?q=%ff%fe", "", -1},
		{"no query", "", "", 6},
		{"no results", "?q=" + url.QueryEscape("火星殖民计划"), MsgNoResults, 0},
		{"no results on a later page", "?page=7&q=" + url.QueryEscape("火星殖民计划"), MsgNoResults, 0},
		{"unknown filter on a later page", "?page=7&year=1800", MsgUnknownFilter, 0},
		{"huge page size and page", "?page=2147483647&size=2147483647&q=%E5%9C%9F%E5%9C%B0", MsgPageRange, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, p := range []string{PathSearch, PathAPI} {
				resp, body := get(t, srv, p+tt.path)
				if resp.StatusCode != http.StatusOK {
					t.Fatalf("GET %s%s: %s\n%s", p, tt.path, resp.Status, body)
				}
				if p != PathAPI {
					continue
				}
				var r Response
				if err := json.Unmarshal([]byte(body), &r); err != nil {
					t.Fatalf("GET %s%s: %v", p, tt.path, err)
				}
				if tt.message != "" && !hasMessage(&r, tt.message) {
					t.Errorf("GET %s%s: messages %+v, want %s", p, tt.path, r.Messages, tt.message)
				}
				if tt.total >= 0 && r.Total != tt.total {
					t.Errorf("GET %s%s: total %d, want %d", p, tt.path, r.Total, tt.total)
				}
			}
		})
	}
}

func TestHandlerJSON(t *testing.T) {
	ix := buildIndex(t, sampleDocs())
	srv := newTestServer(t, HandlerOptions{Index: indexFunc(ix)})
	resp, body := get(t, srv, "/api/search?q="+url.QueryEscape("征收")+"&kind=policy&size=1")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Fatalf("Content-Type = %s", ct)
	}
	var r Response
	if err := json.Unmarshal([]byte(body), &r); err != nil {
		t.Fatal(err)
	}
	if r.Total != 2 || r.Pages != 2 || len(r.Results) != 1 || r.Query != "征收" {
		t.Errorf("total %d pages %d results %d query %q; want 2, 2, 1, 征收", r.Total, r.Pages, len(r.Results), r.Query)
	}
	if !strings.HasPrefix(r.NextURL, "/api/search?") || !strings.Contains(r.NextURL, "page=2") {
		t.Errorf("next_url = %q, want an /api/search URL for page 2", r.NextURL)
	}
	if len(r.Filters) != 1 || r.Filters[0].RemoveURL != "/api/search?q=%E5%BE%81%E6%94%B6&size=1" {
		t.Errorf("filters = %+v", r.Filters)
	}
	// The raw JSON uses the documented field names.
	var raw map[string]any
	json.Unmarshal([]byte(body), &raw)
	for _, k := range []string{"query", "terms", "filters", "sort", "sorts", "total", "took_ms", "page", "pages", "results", "facets", "url"} {
		if _, ok := raw[k]; !ok {
			t.Errorf("JSON lacks %q", k)
		}
	}
	res := raw["results"].([]any)[0].(map[string]any)
	for _, k := range []string{"id", "url", "title", "title_html", "kind", "doc_no", "agencies", "date", "validity", "snippet"} {
		if _, ok := res[k]; !ok {
			t.Errorf("JSON result lacks %q: %v", k, res)
		}
	}
}

func TestHandlerOther(t *testing.T) {
	ix := buildIndex(t, sampleDocs())
	var rendered *Response
	srv := newTestServer(t, HandlerOptions{
		Index: indexFunc(ix),
		RenderHTML: func(w io.Writer, r *http.Request, resp *Response) error {
			rendered = resp
			_, err := io.WriteString(w, "<p>themed</p>")
			return err
		},
		SiteName: "成都市政府信息公开", BaseURL: "https://gk.example.gov.cn/",
	})
	if _, body := get(t, srv, "/search?q=%E5%9C%9F%E5%9C%B0"); body != "<p>themed</p>" || rendered == nil || rendered.Total == 0 {
		t.Errorf("RenderHTML not used: body %q, response %v", body, rendered)
	}
	resp, body := get(t, srv, "/opensearch.xml")
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/opensearchdescription+xml") {
		t.Errorf("opensearch Content-Type = %s", ct)
	}
	var od struct {
		ShortName string `xml:"ShortName"`
		URLs      []struct {
			Type     string `xml:"type,attr"`
			Template string `xml:"template,attr"`
		} `xml:"Url"`
	}
	if err := xml.Unmarshal([]byte(body), &od); err != nil {
		t.Fatalf("opensearch.xml: %v\n%s", err, body)
	}
	if od.ShortName != "成都市政府信息公开" || len(od.URLs) != 3 ||
		od.URLs[0].Template != "https://gk.example.gov.cn/search?q={searchTerms}&page={startPage?}" {
		t.Errorf("opensearch.xml = %+v", od)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/search", nil)
	if resp, err := srv.Client().Do(req); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST /search: %v %v, want 405", resp.Status, err)
	}
	if resp, _ := get(t, srv, "/search/../etc/passwd"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /etc/passwd via search: %s, want 404", resp.Status)
	}
}

func TestHandlerUnavailable(t *testing.T) {
	srv := newTestServer(t, HandlerOptions{Index: func() (*Index, func()) { return nil, nil }})
	for _, p := range []string{"/search?q=x", "/api/search?q=x"} {
		if resp, _ := get(t, srv, p); resp.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("GET %s without an index: %s, want 503", p, resp.Status)
		}
	}
}

func TestHolderSwap(t *testing.T) {
	open := func(docs []Doc) *Index {
		dir := t.TempDir() + "/ix"
		if _, err := Build(t.Context(), dir, "", docs, BuildOptions{}); err != nil {
			t.Fatal(err)
		}
		ix, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		return ix
	}
	var h Holder
	old := open([]Doc{{ID: "/old/", Title: "旧版本"}})
	h.Swap(old)
	srv := newTestServer(t, HandlerOptions{Index: h.Acquire})

	// A request holding the old index keeps it usable across a swap.
	held, release := h.Acquire()
	h.Swap(open([]Doc{{ID: "/new/", Title: "新版本"}}))
	if r := mustSearch(t, held, ParseQuery("旧版本")); r.Total != 1 {
		t.Errorf("old index after swap: total %d, want 1", r.Total)
	}
	release()
	release() // releasing twice is harmless

	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, body := get(t, srv, "/api/search?q="+url.QueryEscape("新版本"))
			var r Response
			if err := json.Unmarshal([]byte(body), &r); err != nil || r.Total != 1 {
				t.Errorf("after swap: %v total %d, want 1", err, r.Total)
			}
		}()
	}
	wg.Wait()
	h.Close()
	if resp, _ := get(t, srv, "/search?q=x"); resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("after Close: %s, want 503", resp.Status)
	}
}
