package browsertest

import (
	"encoding/json"
	"io"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-rod/rod/lib/input"

	"gongkai/internal/server"
)

// TestStaticSearch serves the built sample portal as plain files, with no
// search service behind it (as a static host, a CDN or an archive copy
// would), and searches as a citizen: the form on the home page opens
// /search, whose page runs the static client. It narrows by a facet, pages,
// finds a document by its number and a single character, and never asks
// anything of another host or of the missing service; with JavaScript off
// the page says what search needs. Under -base-url it is served under the
// base path, and every request must stay under it.
func TestStaticSearch(t *testing.T) {
	browser(t)
	h, _ := server.Handler(server.Options{Dir: theSite.public, Prefix: theSite.base})
	files := httptest.NewServer(h)
	defer files.Close()
	site := files.URL + strings.TrimSuffix(theSite.base, "/") // under the base path, as built

	tb := openTab(t, tabOptions{width: 1280})
	tb.openURL(site+"/", 200)
	phrase := samplePhrase(t)
	tb.typeText("#q", phrase)
	tb.waitNavigation("submit the search", func() { tb.press(input.Enter) })
	if u := tb.url(); strings.TrimSuffix(u.Path, "/") != sitePath("/search") || u.Query().Get("q") != phrase {
		t.Fatalf("the search form opened %s, want %s?q=%s", u, sitePath("/search"), url.QueryEscape(phrase))
	}
	tb.waitStatic()
	r := tb.results()
	if r.Count == 0 || !anyIn(r.Marks, phrase) {
		t.Fatalf("static search %q: %d results, highlighted %q", phrase, r.Count, r.Marks)
	}
	tb.check("static search " + phrase)

	// A facet narrows the results in the page.
	if r.Agency.Href == "" {
		t.Fatalf("static search %q offers no agency facet", phrase)
	}
	tb.click(`main .facets a[href="` + r.Agency.Href + `"]`)
	tb.waitStatic()
	f := tb.results()
	if f.Count == 0 || f.Count > r.Count || !anyContains(f.Filters, r.Agency.Label) {
		t.Errorf("narrowed to %s: %d results (before %d), filters %q", r.Agency.Label, f.Count, r.Count, f.Filters)
	}
	for _, m := range f.Metas {
		if !strings.Contains(m, r.Agency.Label) {
			t.Errorf("narrowed to %s, lists a result of another agency: %s", r.Agency.Label, m)
		}
	}
	if got := tb.url().Query().Get("agency"); got != r.Agency.Label {
		t.Errorf("narrowed to %s, the address has agency=%q", r.Agency.Label, got)
	}

	// Paging: the next page lists other records, and back returns.
	tb.openURL(site+"/search?q="+url.QueryEscape("办法"), 200)
	tb.waitStatic()
	p1 := tb.resultHrefs()
	if len(p1) != 10 || !tb.has(`main nav.pager a[rel="next"]`) {
		t.Fatalf("search 办法: %d results on page 1 and no next link", len(p1))
	}
	tb.click(`main nav.pager a[rel="next"]`)
	tb.waitStatic()
	p2 := tb.resultHrefs()
	var current string
	tb.eval(&current, `() => document.querySelector('main nav.pager a[aria-current="page"]').textContent`)
	if len(p2) == 0 || p2[0] == p1[0] || current != "2" || tb.url().Query().Get("page") != "2" {
		t.Errorf("page 2 of 办法: %v (page 1 %v), current page %q", p2, p1, current)
	}

	// A document number, spelled another way, finds its document first; a
	// single character finds documents too. Both agree with the service.
	for _, q := range []string{"云府发[2023]6号", "税"} {
		tb.openURL(site+"/search?q="+url.QueryEscape(q), 200)
		tb.waitStatic()
		got := tb.resultHrefs()
		want := serviceHrefs(t, q)
		if len(got) == 0 || strings.Join(got, " ") != strings.Join(want, " ") {
			t.Errorf("static search %q lists %v, the service %v", q, got, want)
		}
		tb.check("static search " + q)
	}

	// A misspelling that finds nothing: the page offers the site's own
	// spelling (suggest.js, loaded only now) and the apply link, and the
	// suggestion's link searches it.
	tb.openURL(site+"/search?q="+url.QueryEscape("最低生活保章"), 200)
	tb.waitStatic()
	var dym []string
	tb.eval(&dym, `() => [...document.querySelectorAll("main .msg a")].map(a => a.textContent + " " + a.getAttribute("href"))`)
	want := "最低生活保障 " + sitePath("/search") + "?q=" + url.QueryEscape("最低生活保障")
	if !slices.Contains(dym, want) {
		t.Errorf("static search 最低生活保章 offers %q, want %q", dym, want)
	}
	tb.check("static search with a suggestion")

	// Every request went to the file server: nothing to another host, no
	// service path.
	tb.mu.Lock()
	for _, u := range tb.requests {
		if !strings.HasPrefix(u, site+"/") || strings.Contains(u, "/api/") {
			t.Errorf("request outside the static site: %s", u)
		}
	}
	tb.mu.Unlock()

	// JavaScript off, no service: the page says so plainly.
	off := openTab(t, tabOptions{width: 1280, noJS: true})
	off.openURL(site+"/search?q="+url.QueryEscape(phrase), 200)
	var text string
	off.eval(&text, `() => document.querySelector("main").innerText`)
	if !strings.Contains(text, "JavaScript") || !strings.Contains(text, "检索服务") {
		t.Errorf("static search page with JavaScript off says:\n%s", text)
	}
	off.check("static search without JavaScript")
}

// openURL is open for a full URL (another server than the site's).
func (tb *tab) openURL(u string, want int) {
	tb.t.Helper()
	pg := tb.page.Timeout(loadTimeout)
	loaded := tb.loadWaiter(pg)
	if err := pg.Navigate(u); err != nil {
		tb.t.Fatalf("open %s: %v", u, err)
	}
	if err := loaded(); err != nil {
		tb.t.Fatalf("open %s: wait for load: %v", u, err)
	}
	tb.flush()
	tb.mu.Lock()
	got, ok := tb.docStatus[u]
	tb.mu.Unlock()
	if ok && got != want {
		tb.t.Errorf("open %s: HTTP %d, want %d", u, got, want)
	}
}

// waitStatic waits until the static client has rendered its results.
func (tb *tab) waitStatic() {
	tb.t.Helper()
	deadline := time.Now().Add(loadTimeout)
	for {
		var state string
		tb.eval(&state, `() => { const r = document.getElementById("gk-search"); return r ? (r.dataset.state || "") : "none" }`)
		switch state {
		case "done":
			tb.flush()
			return
		case "failed", "none":
			var text string
			tb.eval(&text, `() => document.querySelector("main").innerText`)
			tb.t.Fatalf("static search %s: %s", state, text)
		}
		if time.Now().After(deadline) {
			tb.t.Fatalf("static search still %q after %s", state, loadTimeout)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// resultHrefs lists the links of the listed results.
func (tb *tab) resultHrefs() []string {
	var out []string
	tb.eval(&out, `() => [...document.querySelectorAll("main ol.results > li h2 a")].map(a => a.getAttribute("href"))`)
	return out
}

// serviceHrefs returns the result links the search service gives for q.
func serviceHrefs(t *testing.T, q string) []string {
	t.Helper()
	resp, err := httpClient.Get(theSite.url + "/api/search?q=" + url.QueryEscape(q))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var r struct {
		Results []struct {
			URL string `json:"url"`
		} `json:"results"`
	}
	if err := decodeJSON(resp.Body, &r); err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range r.Results {
		out = append(out, x.URL)
	}
	return out
}

func decodeJSON(r io.Reader, v any) error { return json.NewDecoder(r).Decode(v) }
