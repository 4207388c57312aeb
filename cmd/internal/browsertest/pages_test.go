package browsertest

import (
	"bytes"
	"fmt"
	"image/png"
	"io/fs"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// pageCase is one page type to audit, represented by one built page.
type pageCase struct {
	name   string // test name: the path with dots, e.g. policy.agency.fgw
	path   string // site path to open, e.g. /policy/agency/fgw/
	kind   string // page type, e.g. /policy/agency/*/ or /policy/*/ 已修改
	status int    // HTTP status the document must answer with
}

// widths are the viewports the keyboard and reading-option tests use: a
// desktop and a small phone.
var widths = []int{1280, 360}

// view is one way of looking at a page: a viewport width in CSS pixels, the
// device pixels per CSS pixel, and the site's large-font option.
type view struct {
	name  string // in test and screenshot names
	width int    // CSS px
	scale float64
	large bool // tick the large-font box (html font-size 125%)
	full  bool // run axe-core and always take the screenshot
}

// views are what every page type is audited at: a desktop, a tablet, a
// small phone, a 1280 px window zoomed to 200% (640 CSS px: browser zoom
// divides the CSS viewport, so the layout is the same), and the phone with
// the site's large-font option. The desktop and the phone each get a tab of
// their own and the full audit, axe-core included; the other views check
// the layout in one more tab, resized from view to view (colours, names
// and roles do not change with the width), and are screenshot, the zoomed
// window at 2 device pixels per CSS pixel, when -shots is given.
var views = []view{
	{name: "1280", width: 1280, full: true},
	{name: "360", width: 360, full: true},
	{name: "768", width: 768},
	{name: "1280x200pct", width: 640, scale: 2},
	{name: "360-large", width: 360, large: true},
}

// discoverPages lists one page of every page type the build holds, so new
// kinds of records (service items, releases) are audited as soon as they
// are built. records holds the site paths of record pages. A page's type is
// its path shape (see pageKind); record pages with a validity status count
// once per status. Redirect stubs are left out.
func discoverPages(public string, records map[string]bool) ([]pageCase, error) {
	var dirs, files []string // pages served as folder/index.html, and record pages served as key.html
	err := filepath.WalkDir(public, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(d.Name(), ".html") {
			return err
		}
		rel, err := filepath.Rel(public, p)
		if err != nil {
			return err
		}
		switch rel = filepath.ToSlash(rel); {
		case d.Name() == "index.html":
			dirs = append(dirs, path.Dir(rel))
		case records["/"+rel], rel != "404.html" && isNumber(strings.TrimSuffix(d.Name(), ".html")):
			files = append(files, rel) // a record's page, or a later page of a list
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(dirs)
	hasPages := map[string]bool{} // directory → some subdirectory holds a page
	for _, d := range dirs {
		if d != "." {
			hasPages[path.Dir(d)] = true
		}
	}
	seen := map[string]bool{}
	var cases []pageCase
	slices.Sort(files)
	for _, f := range files {
		doc, err := readPage(filepath.Join(public, filepath.FromSlash(f)))
		if err != nil {
			return nil, err
		}
		kind := pageKind(path.Dir(f), hasPages, records) + "*.html"
		if !records["/"+f] {
			kind = pageKind(path.Dir(f), hasPages, records) + "#.html"
		}
		if v := strings.TrimSpace(doc.Find("main .metadata .validity").First().Text()); v != "" {
			kind += " " + v
		}
		if seen[kind] {
			continue
		}
		seen[kind] = true
		cases = append(cases, pageCase{name: strings.ReplaceAll(strings.TrimSuffix(f, ".html"), "/", "."), path: "/" + f, kind: kind, status: http.StatusOK})
	}
	for _, d := range dirs {
		doc, err := readPage(filepath.Join(public, filepath.FromSlash(d), "index.html"))
		if err != nil {
			return nil, err
		}
		if doc.Find(`meta[http-equiv="refresh"]`).Length() > 0 {
			continue
		}
		kind := pageKind(d, hasPages, records)
		if v := strings.TrimSpace(doc.Find("main .metadata .validity").First().Text()); v != "" {
			kind += " " + v
		}
		if seen[kind] {
			continue
		}
		seen[kind] = true
		p, name := "/", "home"
		if d != "." {
			p, name = "/"+d+"/", strings.ReplaceAll(d, "/", ".")
		}
		cases = append(cases, pageCase{name: name, path: p, kind: kind, status: http.StatusOK})
	}
	cases = append(cases, pageCase{name: "404", path: "/no-such-page/", kind: "404", status: http.StatusNotFound})
	return cases, nil
}

// pageKind returns the path shape of the page in directory d ("." for the
// home page): the section (first segment) as it is; the second segment as
// it is when it names a browse page, a folder with pages below it that is
// not a record (policy/agency); "#" for a number (a pager page or a year);
// "*" for anything else.
func pageKind(d string, hasPages, records map[string]bool) string {
	if d == "." {
		return "/"
	}
	segs := strings.Split(d, "/")
	for i, s := range segs {
		dir := strings.Join(segs[:i+1], "/")
		switch {
		case i == 0:
		case isNumber(s):
			segs[i] = "#"
		case segs[0] == "directory" && (s == "agency" || s == "year") && i > 1:
			// A category's list filtered by agency or year.
		case segs[0] == "directory":
			// The directory's categories share one template at every
			// depth: one page per depth is audited.
			segs[i] = "*"
		case i == 1 && hasPages[dir] && !records["/"+dir+".html"]:
		default:
			segs[i] = "*"
		}
	}
	return "/" + strings.Join(segs, "/") + "/"
}

func isNumber(s string) bool {
	return s != "" && strings.Trim(s, "0123456789") == ""
}

func readPage(file string) (*goquery.Document, error) {
	b, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("parse %s: %w", file, err)
	}
	return doc, nil
}

func TestPageKind(t *testing.T) {
	hasPages := map[string]bool{
		"policy": true, "policy/agency": true, "policy/page": true, "policy/year": true,
		"policy/validity": true, "policy/validity/valid": true, "policy/validity/valid/page": true,
		"approval": true, "approval/x": true, "directory": true, "directory/fagui": true,
		"catalogue": true, "catalogue/agency": true,
	}
	records := map[string]bool{"/policy/a-2024-1.html": true, "/approval/x.html": true}
	for _, c := range []struct {
		name, dir, want string
	}{
		{"home", ".", "/"},
		{"section list", "policy", "/policy/"},
		{"browse page", "policy/agency", "/policy/agency/"},
		{"facet list", "policy/agency/fgw", "/policy/agency/*/"},
		{"year list", "policy/year/2024", "/policy/year/#/"},
		{"pager folder", "policy/page", "/policy/page/"},
		{"facet list pager", "policy/validity/valid/page/2", "/policy/validity/*/*/#/"},
		{"folder below a section", "approval/x", "/approval/*/"},
		{"page below a folder", "approval/x/flow", "/approval/*/*/"},
		{"directory category", "directory/fagui/guizhang", "/directory/*/*/"},
		{"category by agency", "directory/fagui/agency/fgw", "/directory/*/agency/*/"},
		{"category by year", "directory/fagui/guizhang/year/2024", "/directory/*/*/year/#/"},
		{"catalogue by agency", "catalogue/agency/fgw", "/catalogue/agency/*/"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := pageKind(c.dir, hasPages, records); got != c.want {
				t.Errorf("pageKind(%q) = %q, want %q", c.dir, got, c.want)
			}
		})
	}
}

// searchCase returns the search results page for a phrase from a sample
// policy title, or ok false when the server has no /search.
func searchCase(t *testing.T) (pageCase, bool) {
	t.Helper()
	phrase := samplePhrase(t)
	p := "/search?q=" + url.QueryEscape(phrase)
	resp, err := httpClient.Get(theSite.url + p)
	if err != nil {
		t.Fatalf("GET %s: %v", p, err)
	}
	resp.Body.Close()
	if resp.StatusCode == http.StatusNotFound {
		return pageCase{}, false
	}
	return pageCase{name: "search", path: p, kind: "/search", status: http.StatusOK}, true
}

// TestPages opens every page type in every view in Chromium and checks
// that axe-core finds no WCAG 2.1 A/AA violation (at 1280 and 360 px), that
// no request leaves 127.0.0.1, that nothing logs an error or fails to load,
// that no view scrolls sideways, that every table cell can be reached (see
// tablesJS), that no document number is split across lines, and that the
// headings are in order. It saves a full-page screenshot of each (of the
// 1280 and 360 px views unless -shots is given).
func TestPages(t *testing.T) {
	browser(t)
	axe := axeSource(t)
	records := map[string]bool{}
	for _, r := range content(t).Published {
		records[r.URL] = true
	}
	cases, err := discoverPages(theSite.public, records)
	if err != nil {
		t.Fatal(err)
	}
	if sc, ok := searchCase(t); ok {
		cases = append(cases, sc)
	} else {
		t.Errorf("GET /search answers 404: the search results page is not served, so it is not audited")
	}
	checkCoverage(t, cases)
	dir := *shots
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	var list strings.Builder
	for _, c := range cases {
		fmt.Fprintf(&list, "\n  %-40s %s", c.kind, c.path)
	}
	names := make([]string, len(views))
	for i, v := range views {
		names[i] = v.name
	}
	t.Logf("auditing %d page types at %v; screenshots in %s:%s", len(cases), names, dir, list.String())

	var docNos docNoCount
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var layout []view
			for _, v := range views {
				if !v.full {
					layout = append(layout, v)
					continue
				}
				t.Run(v.name, func(t *testing.T) {
					t.Parallel()
					auditPage(t, c, []view{v}, axe, dir, &docNos)
				})
			}
			t.Run("layout", func(t *testing.T) {
				t.Parallel()
				auditPage(t, c, layout, axe, dir, &docNos)
			})
		})
	}
	t.Run("docno", func(t *testing.T) {
		// Runs after the parallel subtests above have finished.
		if n := docNos.n.Load(); n == 0 {
			t.Errorf("no document number (.docno) on any audited page: the check that they never split checked nothing")
		} else {
			t.Logf("%d document numbers seen, none split across lines", n)
		}
	})
}

// docNoCount counts the document numbers the audit saw.
type docNoCount struct{ n atomic.Int64 }

// checkCoverage fails when a page type the sample portal must have is
// missing, so that a content change cannot silently shrink the audit.
func checkCoverage(t *testing.T, cases []pageCase) {
	t.Helper()
	have := map[string]bool{}
	for _, c := range cases {
		have[c.kind] = true
	}
	var missing []string
	for _, k := range []string{
		"/", "404", "/policy/", "/catalogue/", "/guide/", "/interpretation/",
		"/policy/agency/", "/policy/agency/*/", "/policy/topic/", "/policy/topic/*/",
		"/policy/year/", "/policy/year/#/", "/policy/validity/", "/policy/validity/*/",
		"/policy/*.html 有效", "/policy/*.html 已修改", "/policy/*.html 失效", "/policy/*.html 废止",
		"/interpretation/*.html", "/page/*.html",
		// Issue 12: the directory, its categories, agencies, decisions, info records.
		"/directory/", "/directory/*/", "/agency/", "/agency/*.html", "/decision/", "/decision/*.html", "/info/*.html",
		// Issue 18 phase B: subscriptions, the filtered catalogue and
		// category lists.
		"/subscribe/", "/catalogue/agency/*/", "/catalogue/category/*/", "/catalogue/year/#/",
		"/directory/*/agency/*/", "/directory/*/year/#/",
	} {
		if !have[k] {
			missing = append(missing, k)
		}
	}
	if len(missing) > 0 {
		t.Errorf("the sample portal has no page of type %s; add content so that it is audited", strings.Join(missing, ", "))
	}
}

// auditPage opens the page in one tab and audits it in each of vs in turn,
// resizing the tab between them.
func auditPage(t *testing.T, c pageCase, vs []view, axe string, dir string, docNos *docNoCount) {
	tb := openTab(t, tabOptions{width: vs[0].width, scale: shotScale(vs[0])})
	tb.open(c.path, c.status)
	tb.check("load " + c.path)

	if c.kind != "404" && c.kind != "/search" {
		// The validity banner must match the status in the metadata block.
		var v struct {
			Status string
			Banner string
		}
		tb.eval(&v, `() => ({
			status: (document.querySelector("main .metadata .validity") || {}).textContent || "",
			banner: (document.querySelector("main .banner") || {}).textContent || "",
		})`)
		if v.Status != "" && (v.Status == "有效") != (strings.TrimSpace(v.Banner) == "") {
			t.Errorf("%s: validity %s with banner %q; want a banner exactly when the document is not in force", c.path, v.Status, v.Banner)
		}
	}

	for i, v := range vs {
		where := c.path + " (" + v.name + ")"
		if i > 0 {
			tb.resize(v.width, shotScale(v))
		}
		if v.large {
			tb.eval(nil, `() => { const b = document.getElementById("opt-large"); if (!b.checked) b.click(); }`)
			var root float64
			tb.eval(&root, `() => parseFloat(getComputedStyle(document.documentElement).fontSize)`)
			if root < 19 {
				t.Fatalf("%s: large-font option on, root font %gpx; want 20px", where, root)
			}
		}
		if v.full {
			rep := tb.axe(axe)
			rep.report(t, where)
		}
		if v == views[0] {
			tb.checkIcon(where)
			tb.headings(where)
		}

		tb.noSidewaysScroll(where)
		tb.tablesReachable(where)
		docNos.n.Add(int64(tb.docNosWhole(where)))

		if v.full || *shots != "" {
			shot := tb.screenshot(shotScale(v))
			file := filepath.Join(dir, fmt.Sprintf("%s-%s.png", c.name, v.name))
			if err := os.WriteFile(file, shot, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		tb.check("after audit of " + where)
	}
}

// shotScale is the device pixels per CSS pixel to emulate for v: its own
// when screenshots are kept, else 1 (the same layout, fewer pixels).
func shotScale(v view) float64 {
	if *shots == "" {
		return 1
	}
	return v.scale
}

// noSidewaysScroll fails when the page is wider than the viewport, naming
// the elements that stick out.
func (tb *tab) noSidewaysScroll(where string) {
	tb.t.Helper()
	var r struct {
		ScrollWidth, ClientWidth int
		Wide                     []string
	}
	tb.eval(&r, `() => {
		const de = document.documentElement, cw = de.clientWidth, wide = [];
		const name = el => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
			(typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\s+/).join(".") : "");
		// An element sticks out when it reaches past the viewport and nothing
		// clips it: no ancestor on its containing-block chain has overflow
		// other than visible. Name the outermost elements that stick out.
		const clipped = el => {
			let pos = getComputedStyle(el).position;
			for (let e = el.parentElement; e && e !== document.body; e = e.parentElement) {
				if (pos === "fixed") return false;
				const cs = getComputedStyle(e);
				if (pos === "absolute" && cs.position === "static") continue;
				if (cs.overflowX !== "visible") return true;
				if (pos === "absolute") pos = cs.position;
			}
			return false;
		};
		const out = el => el && el !== document.body && el.getBoundingClientRect().right > cw + 1 && !clipped(el);
		for (const el of document.body.querySelectorAll("*")) {
			if (out(el) && !out(el.parentElement) && wide.length < 5) {
				const path = [];
				for (let e = el; e && e !== document.body && path.length < 4; e = e.parentElement) path.unshift(name(e));
				wide.push(path.join(" > ") + " “" + (el.textContent || "").trim().slice(0, 24) + "” (right edge " +
					Math.round(el.getBoundingClientRect().right) + "px, position " + getComputedStyle(el).position + ")");
			}
		}
		return {scrollWidth: de.scrollWidth, clientWidth: cw, wide};
	}`)
	if r.ScrollWidth > r.ClientWidth {
		tb.t.Errorf("%s at %d px scrolls sideways: scrollWidth %d > clientWidth %d; wide elements: %s",
			where, tb.width, r.ScrollWidth, r.ClientWidth, strings.Join(r.Wide, ", "))
	}
}

// screenshot captures the whole page as PNG and checks that it decodes at
// the viewport's width.
func (tb *tab) screenshot(scale float64) []byte {
	tb.t.Helper()
	b, err := tb.page.Timeout(loadTimeout).Screenshot(true, nil)
	if err != nil {
		tb.t.Fatalf("screenshot: %v", err)
	}
	cfg, err := png.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		tb.t.Fatalf("screenshot is not a PNG: %v", err)
	}
	// A desktop scroll bar takes some of the width.
	want := int(float64(tb.width) * max(scale, 1))
	if cfg.Width < want-40 || cfg.Height < 100 {
		tb.t.Errorf("screenshot is %d×%d px, want about %d px wide", cfg.Width, cfg.Height, want)
	}
	return b
}

// checkIcon fails when the page's icon cannot be loaded. Browsers fetch an
// icon for every page, /favicon.ico when the page names none, and a missing
// one is a failed request on every visit. (Headless Chromium fetches it
// late, so the request is not reliably seen while the page is open.)
func (tb *tab) checkIcon(where string) {
	tb.t.Helper()
	var href string
	tb.eval(&href, `() => { const l = document.querySelector('link[rel~="icon"]'); return l ? l.href : ""; }`)
	if strings.HasPrefix(href, "data:") {
		return
	}
	declared := href != ""
	if !declared {
		href = theSite.url + "/favicon.ico"
	}
	u, err := url.Parse(href)
	if err != nil || u.Hostname() != "127.0.0.1" {
		tb.t.Errorf("%s: icon %s is not on the site", where, href)
		return
	}
	resp, err := httpClient.Get(href)
	if err != nil {
		tb.t.Fatalf("GET %s: %v", href, err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		if declared {
			tb.t.Errorf("%s: its icon %s answers HTTP %d", where, u.Path, resp.StatusCode)
		} else {
			tb.t.Errorf("%s: no <link rel=icon>, and %s answers HTTP %d: browsers request it on every visit", where, u.Path, resp.StatusCode)
		}
	}
}
