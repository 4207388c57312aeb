package search

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestHandlerPrefix serves the search under a base path: every URL of the
// JSON response carries the prefix, ids stay site paths, notes are
// attached, and the OpenSearch document has no method attribute.
func TestHandlerPrefix(t *testing.T) {
	ix := buildIndex(t, sampleDocs())
	srv := newTestServer(t, HandlerOptions{
		Index: indexFunc(ix), Prefix: "/zfxxgk", BaseURL: "https://gk.example.gov.cn/zfxxgk",
		Notes: func(id string) *Note {
			return &Note{Text: "note " + id, Links: []NoteLink{{Label: "替代文件", Title: "x", URL: "/zfxxgk/policy/x.html"}}}
		},
	})
	_, body := get(t, srv, "/api/search?q=%E5%9C%9F%E5%9C%B0")
	var resp Response
	if err := json.Unmarshal([]byte(body), &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Total == 0 {
		t.Fatalf("no results: %s", body)
	}
	urls := []string{resp.URL, resp.ClearURL, resp.PrevURL, resp.NextURL}
	for _, s := range resp.Sorts {
		urls = append(urls, s.URL)
	}
	for _, f := range resp.Facets {
		for _, v := range f.Values {
			urls = append(urls, v.URL)
		}
	}
	for _, r := range resp.Results {
		urls = append(urls, r.URL)
		if !strings.HasPrefix(r.ID, "/") || strings.HasPrefix(r.ID, "/zfxxgk/") {
			t.Errorf("result id %q, want the site path", r.ID)
		}
		if r.Note == nil || r.Note.Text != "note "+r.ID {
			t.Errorf("result %s: note %+v", r.ID, r.Note)
		}
	}
	for _, u := range urls {
		if u != "" && !strings.HasPrefix(u, "/zfxxgk/") {
			t.Errorf("response URL %q lacks the prefix /zfxxgk/", u)
		}
	}
	_, body = get(t, srv, "/opensearch.xml")
	if strings.Contains(body, "method=") || !strings.Contains(body, `template="https://gk.example.gov.cn/zfxxgk/search?q={searchTerms}`) {
		t.Errorf("opensearch.xml:\n%s", body)
	}
}
