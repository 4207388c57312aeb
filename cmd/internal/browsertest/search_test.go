package browsertest

import (
	"net/url"
	"strings"
	"testing"

	"github.com/go-rod/rod/lib/input"
)

// results describes a search results page.
type results struct {
	Count   int      // results listed on this page
	Marks   []string // highlighted texts
	Metas   []string // each result's meta line (kind, document number, agencies, date)
	Filters []string // active filters
	Agency  struct { // the first agency facet value that is not selected
		Label, Href string
	}
	First struct { // the first result's link
		Title, Href string
	}
}

const resultsJS = `() => {
	const txt = el => (el.textContent || "").trim();
	const r = {
		count: document.querySelectorAll("main ol.results > li").length,
		marks: [...document.querySelectorAll("main ol.results mark")].map(txt),
		metas: [...document.querySelectorAll("main ol.results > li .meta")].map(txt),
		filters: [...document.querySelectorAll("main .filters li")].map(txt),
		agency: {label: "", href: ""},
		first: {title: "", href: ""},
	};
	for (const s of document.querySelectorAll("main .facets section")) {
		const h = s.querySelector("h2");
		if (!h || txt(h) !== "发文机关") continue;
		const a = [...s.querySelectorAll("a")].find(a => !a.hasAttribute("aria-current"));
		if (a) r.agency = {label: txt(a), href: a.getAttribute("href")};
	}
	const a = document.querySelector("main ol.results > li h2 a");
	if (a) r.first = {title: txt(a), href: a.getAttribute("href")};
	return r;
}`

func (tb *tab) results() results {
	tb.t.Helper()
	var r results
	tb.eval(&r, resultsJS)
	return r
}

// TestSearch searches as a citizen, with JavaScript on and off: type a
// phrase from a sample policy title into the box on the home page, submit,
// see highlighted results, narrow them to one issuing agency with the
// facet, and open a result.
func TestSearch(t *testing.T) {
	browser(t)
	phrase := samplePhrase(t)
	for _, c := range []struct {
		name string
		noJS bool
	}{
		{"js", false},
		{"nojs", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			tb := openTab(t, tabOptions{width: 1280, noJS: c.noJS})
			tb.open("/", 200)
			tb.typeText("#q", phrase)
			tb.waitNavigation("submit the search", func() { tb.press(input.Enter) })
			u := tb.url()
			if u.Path != sitePath("/search") || u.Query().Get("q") != phrase {
				t.Fatalf("submitting %q from the home page opens %s, want /search?q=%s", phrase, u, url.QueryEscape(phrase))
			}
			r := tb.results()
			if r.Count == 0 {
				t.Fatalf("search %q lists no results", phrase)
			}
			if !anyIn(r.Marks, phrase) {
				t.Errorf("search %q: highlighted %q, want parts of the phrase in <mark>", phrase, r.Marks)
			}
			tb.check("search " + phrase)

			if r.Agency.Href == "" {
				t.Fatalf("search %q offers no 发文机关 facet value to narrow by", phrase)
			}
			agency := r.Agency
			tb.clickLink("the "+agency.Label+" facet", `main .facets a[href="`+agency.Href+`"]`)
			f := tb.results()
			if f.Count == 0 || f.Count > r.Count {
				t.Errorf("search %q narrowed to %s: %d results (before %d)", phrase, agency.Label, f.Count, r.Count)
			}
			if !anyContains(f.Filters, agency.Label) {
				t.Errorf("search %q narrowed to %s: active filters %q do not name it", phrase, agency.Label, f.Filters)
			}
			for _, m := range f.Metas {
				if !strings.Contains(m, agency.Label) {
					t.Errorf("search %q narrowed to %s lists a result of other agencies: %s", phrase, agency.Label, m)
				}
			}
			if !anyIn(f.Marks, phrase) {
				t.Errorf("search %q narrowed to %s: highlighted %q, want parts of the phrase", phrase, agency.Label, f.Marks)
			}
			tb.check("search " + phrase + " narrowed to " + agency.Label)

			first := f.First
			tb.clickLink("the first result", `main ol.results > li h2 a`)
			if got := tb.url().Path; got != first.Href {
				t.Errorf("the first result links %s but opened %s", first.Href, got)
			}
			var h1 string
			tb.eval(&h1, `() => document.querySelector("main h1").textContent.trim()`)
			if h1 != first.Title {
				t.Errorf("the result %q opened a page titled %q", first.Title, h1)
			}
			tb.check("open result " + first.Href)

			// Prove the browser ran (or did not run) the site's script: site.js
			// shows the print button of a policy page.
			p := policyPage(t).URL
			tb.open(p, 200)
			if !tb.has(".js-print") {
				t.Fatalf("%s has no .js-print button to tell whether JavaScript ran", p)
			}
			var hidden bool
			tb.eval(&hidden, `() => document.querySelector(".js-print").hidden`)
			if hidden != c.noJS {
				t.Errorf("JavaScript off %v, but the print button site.js shows is hidden %v", c.noJS, hidden)
			}
			tb.check(p)
		})
	}
}

// clickLink clicks the element matching css and waits for the new page.
func (tb *tab) clickLink(what, css string) {
	tb.t.Helper()
	tb.waitNavigation("click "+what, func() { tb.click(css) })
}

func (tb *tab) url() *url.URL {
	tb.t.Helper()
	u, err := url.Parse(tb.info().URL)
	if err != nil {
		tb.t.Fatal(err)
	}
	return u
}

// anyIn reports whether some non-empty s in list is part of phrase.
func anyIn(list []string, phrase string) bool {
	for _, s := range list {
		if s != "" && strings.Contains(phrase, s) {
			return true
		}
	}
	return false
}

func anyContains(list []string, sub string) bool {
	for _, s := range list {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
