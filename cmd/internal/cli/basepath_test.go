package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/csv"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
	"golang.org/x/net/html"

	"gongkai/staticsearch"
)

// The sample portal built as a column of a larger portal, the way a city
// publishes it (国办公开办函〔2019〕61号: no site of its own).
const (
	prefixBaseURL = "https://www.yunze.gov.cn/zfxxgk/"
	prefixPath    = "/zfxxgk/"
)

// buildUnderPrefix builds a copy of the sample portal (with its online
// requests service on SQLite) under prefixBaseURL, as `gongkai build
// -base-url https://www.yunze.gov.cn/zfxxgk/` does, and returns the output
// folder and the handler `gongkai serve` uses for it: files, search, API
// and the requests service.
func buildUnderPrefix(t *testing.T) (string, http.Handler) {
	t.Helper()
	site := sampleWithRequests(t, "sqlite")
	out := filepath.Join(site, "public")
	var stderr bytes.Buffer
	cfg := BuildConfig{Source: site, Out: out, Date: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), BaseURL: prefixBaseURL}
	if err := BuildSiteWith(context.Background(), cfg, io.Discard, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	sf := siteFlags{source: site, out: out}
	log := slog.New(slog.DiscardHandler)
	h, files, err := siteHandler(sf, true, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	now := func() time.Time { return time.Date(2026, 11, 27, 10, 0, 0, 0, cst) }
	h, closer, err := withRequests(context.Background(), sf, h, io.Discard, log, now)
	if err != nil {
		t.Fatal(err)
	}
	if closer != nil {
		t.Cleanup(func() { closer.Close() })
	}
	return out, h
}

// TestUnderBasePath builds the sample portal once under /zfxxgk/ and runs
// the checks that need it: every URL of every output (EveryURL), the link
// checker on disk and by crawl (Linkcheck), the static search client
// (Static) and the nginx example (Nginx).
func TestUnderBasePath(t *testing.T) {
	out, h := buildUnderPrefix(t)
	t.Run("EveryURL", func(t *testing.T) { everyURLUnderBasePath(t, out, h) })
	t.Run("Linkcheck", func(t *testing.T) { linkcheckUnderBasePath(t, out, h) })
	t.Run("Static", func(t *testing.T) { staticUnderBasePath(t, out, h) })
	t.Run("Nginx", func(t *testing.T) { nginxExample(t, out, h) }) // last: it plants a withdrawn page
}

// everyURLUnderBasePath reads every output file of the sample portal built
// under /zfxxgk/ (and, through the server, the search results
// page, the JSON API and the 404 page) for URLs: HTML attributes, inline
// and linked CSS url(), XML attributes and text, JSON strings, the HTML
// inside feed entries and JSON fields, robots.txt and CSV cells. Every URL
// must start with /zfxxgk/, be a fragment, or have a scheme; an absolute
// URL of the site's own host must start with the base URL. A file type the
// test cannot read fails it, so a new kind of output gets a scanner before
// it ships. The precompressed copies are decompressed and read too.
func everyURLUnderBasePath(t *testing.T, out string, h http.Handler) {
	sc := &urlScanner{errorf: t.Errorf}
	scanned := map[string]int{}
	for _, dir := range []string{out, out + ".search"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			rel, _ := filepath.Rel(dir, p)
			rel = filepath.ToSlash(rel)
			if d.IsDir() {
				if dir == out+".search" && rel == indexSub {
					return filepath.SkipDir // the bleve index: binary, holds no links
				}
				return nil
			}
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			name := rel
			switch path.Ext(rel) {
			case ".gz":
				data, name = gunzip(t, rel, data), strings.TrimSuffix(rel, ".gz")
			case ".br":
				data, name = unbrotli(t, rel, data), strings.TrimSuffix(rel, ".br")
			case ".bin":
				// The static search's chunks: a pack of documents holds two
				// entries a document, its card (JSON) and the rest of its
				// body (text), which are read, the bodies whole (a body's
				// line cut where the card's part ends is no line); postings
				// and tables hold terms and numbers, no links.
				if !strings.HasPrefix(rel, "static/search/d/") {
					return nil
				}
				cards, bodies, err := staticsearch.ReadDocs(data)
				if err != nil {
					t.Fatalf("%s: %v", rel, err)
				}
				sc.txt(rel+" (bodies)", strings.Join(bodies, "\n"))
				data = append(append([]byte("["), bytes.Join(cards, []byte(","))...), ']')
				name = strings.TrimSuffix(rel, ".bin") + ".json"
			}
			// The sidecar folder is never served: its page frames become
			// served pages and are read; its data files (the build's
			// bookkeeping with site paths, the requests service's snapshot
			// with file paths) are not.
			if dir == out+".search" && path.Ext(name) != ".html" {
				return nil
			}
			if kind := sc.file(rel, name, data); kind != "" {
				scanned[kind]++
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("files read by type: %v", scanned)
	for _, kind := range []string{"html", "xml", "json", "css", "txt", "csv", "svg"} {
		if scanned[kind] == 0 {
			t.Errorf("no %s file read; the build or the scanner changed", kind)
		}
	}

	// What the search and requests services answer, under the prefix.
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, u := range []string{
		"search?q=" + url.QueryEscape("补贴"),
		"search?q=" + url.QueryEscape("补贴") + "&page=2&sort=date",
		"search?q=" + url.QueryEscape("解读"),
		"search?q=" + url.QueryEscape("农机购置补贴申领流程说明"), // nothing found: nearest columns and the request page
		"api/search?q=" + url.QueryEscape("量子计算"),
		"api/search?q=" + url.QueryEscape("补贴"),
		"api/search?q=" + url.QueryEscape("解读") + "&page=2",
		"opensearch.xml",
		"no-such-page/",
		"apply/",
		"apply/status",
		"notice/" + openNotice + "/comment",
	} {
		resp, err := http.Get(srv.URL + prefixPath + u)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK && !(u == "no-such-page/" && resp.StatusCode == http.StatusNotFound) {
			t.Errorf("GET %s%s = %d", prefixPath, u, resp.StatusCode)
			continue
		}
		name, _, _ := strings.Cut(u, "?")
		switch {
		case strings.HasPrefix(u, "api/"):
			name += ".json"
		case strings.HasSuffix(u, ".xml"):
		default:
			name += ".html"
		}
		sc.file("GET "+prefixPath+u, name, body)
	}
	if sc.urls < 10000 {
		t.Errorf("only %d URLs read; the scanner is not seeing the site", sc.urls)
	}
	t.Logf("%d URLs read, %d outside the base path", sc.urls, sc.bad)
}

// urlScanner checks every URL of the files it is given.
type urlScanner struct {
	errorf    func(format string, args ...any)
	urls, bad int
}

var binaryExt = map[string]bool{".pdf": true, ".doc": true, ".docx": true, ".xls": true, ".xlsx": true, ".png": true,
	".jpg": true, ".jpeg": true, ".gif": true, ".webp": true, ".mp3": true, ".mp4": true, ".zip": true, ".ofd": true, ".wps": true, ".et": true}

// file scans one file; name (without .gz/.br) decides how. It returns the
// kind read, or "" for a binary file.
func (s *urlScanner) file(where, name string, data []byte) string {
	ext := path.Ext(name)
	switch {
	case binaryExt[ext]:
		return ""
	case ext == ".html":
		s.html(where, data)
		return "html"
	case ext == ".svg":
		s.xml(where, data)
		return "svg"
	case ext == ".xml", ext == ".opml":
		s.xml(where, data)
		return "xml"
	case ext == ".json":
		s.json(where, data)
		return "json"
	case ext == ".css":
		s.css(where, string(data))
		return "css"
	case ext == ".js":
		s.js(where, string(data))
		return "js"
	case ext == ".txt":
		s.txt(where, string(data))
		return "txt"
	case ext == ".csv":
		s.csv(where, data)
		return "csv"
	}
	s.errorf("%s: no scanner for %q files; teach TestUnderBasePath/EveryURL to read them", where, ext)
	return ""
}

// check reports u, found in where (what), unless it starts with the base
// path, is a fragment or query of the page itself, or has a scheme (and,
// for the site's own host, starts with the base URL).
func (s *urlScanner) check(where, what, u string) {
	u = strings.TrimSpace(u)
	if u == "" {
		return
	}
	s.urls++
	switch {
	case strings.HasPrefix(u, "#"):
		return
	case strings.HasPrefix(u, "//"):
		u = "https:" + u
	case strings.HasPrefix(u, "/"):
		if !strings.HasPrefix(u, prefixPath) {
			s.fail(where, what, u)
		}
		return
	}
	scheme, rest, ok := strings.Cut(u, ":")
	if !ok || !regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*$`).MatchString(scheme) {
		s.fail(where, what, u) // relative: resolves wherever the page is
		return
	}
	if scheme == "http" || scheme == "https" {
		host, _, _ := strings.Cut(strings.TrimPrefix(rest, "//"), "/")
		if (host == "www.yunze.gov.cn" || strings.HasPrefix(host, "127.0.0.1")) && !strings.HasPrefix(u, prefixBaseURL) {
			s.fail(where, what, u)
		}
	}
}

func (s *urlScanner) fail(where, what, u string) {
	s.bad++
	if s.bad <= 50 {
		s.errorf("%s: %s %q is outside the base path %s", where, what, u, prefixPath)
	}
}

// urlAttrs are the HTML attributes that hold one URL.
var urlAttrs = map[string]bool{"href": true, "src": true, "action": true, "formaction": true, "cite": true, "poster": true,
	"data": true, "background": true, "longdesc": true, "usemap": true, "manifest": true, "icon": true, "xlink:href": true, "ping": true}

var cssURLRE = regexp.MustCompile(`url\(\s*['"]?([^'")]+)['"]?\s*\)`)

func (s *urlScanner) html(where string, data []byte) {
	z := html.NewTokenizer(bytes.NewReader(data))
	inStyle := false
	for {
		switch z.Next() {
		case html.ErrorToken:
			if !errors.Is(z.Err(), io.EOF) {
				s.errorf("%s: %v", where, z.Err())
			}
			return
		case html.TextToken:
			if inStyle {
				s.css(where, string(z.Text()))
			}
		case html.EndTagToken:
			inStyle = false
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			inStyle = tok.Data == "style"
			attrs := map[string]string{}
			for _, a := range tok.Attr {
				attrs[a.Key] = a.Val
			}
			for _, a := range tok.Attr {
				what := "<" + tok.Data + " " + a.Key + ">"
				switch {
				case urlAttrs[a.Key]:
					s.check(where, what, a.Val)
				case a.Key == "srcset":
					for c := range strings.SplitSeq(a.Val, ",") {
						s.check(where, what, strings.Fields(c + " x")[0])
					}
				case a.Key == "style":
					s.css(where, a.Val)
				case tok.Data == "meta" && a.Key == "content":
					if strings.EqualFold(attrs["http-equiv"], "refresh") {
						if i := strings.Index(strings.ToLower(a.Val), "url="); i >= 0 {
							s.check(where, "meta refresh", a.Val[i+len("url="):])
						} else {
							s.fail(where, "meta refresh without url=", a.Val)
						}
					} else if strings.EqualFold(attrs["name"], "Url") || strings.HasPrefix(attrs["property"], "og:") && strings.HasSuffix(attrs["property"], "url") {
						s.check(where, "<meta "+attrs["name"]+">", a.Val)
					}
				case strings.HasPrefix(a.Val, "/"):
					s.check(where, what, a.Val) // any attribute that looks like a site path
				}
			}
		}
	}
}

func (s *urlScanner) css(where, css string) {
	for _, m := range cssURLRE.FindAllStringSubmatch(css, -1) {
		s.check(where, "css url()", m[1])
	}
}

var jsPathRE = regexp.MustCompile(`["'](/[a-zA-Z0-9_./-]*)["']`)

func (s *urlScanner) js(where, js string) {
	for _, m := range jsPathRE.FindAllStringSubmatch(js, -1) {
		s.check(where, "script string", m[1])
	}
}

// looksLikeURL reports whether a text value is a URL rather than prose.
func looksLikeURL(v string) bool {
	v = strings.TrimSpace(v)
	if strings.ContainsAny(v, " \n\t") {
		return false
	}
	return strings.HasPrefix(v, "/") || strings.HasPrefix(v, "http://") || strings.HasPrefix(v, "https://")
}

func (s *urlScanner) xml(where string, data []byte) {
	d := xml.NewDecoder(bytes.NewReader(data))
	d.Strict = true
	var stack []string
	for {
		tok, err := d.Token()
		if errors.Is(err, io.EOF) {
			return
		}
		if err != nil {
			s.errorf("%s: %v", where, err)
			return
		}
		switch tok := tok.(type) {
		case xml.StartElement:
			stack = append(stack, tok.Name.Local)
			for _, a := range tok.Attr {
				if a.Name.Space == "xmlns" || a.Name.Local == "xmlns" {
					continue
				}
				if urlAttrs[a.Name.Local] || a.Name.Local == "url" || a.Name.Local == "template" || looksLikeURL(a.Value) {
					s.check(where, "<"+tok.Name.Local+" "+a.Name.Local+">", a.Value)
				}
			}
		case xml.EndElement:
			stack = stack[:len(stack)-1]
		case xml.CharData:
			v := strings.TrimSpace(string(tok))
			el := ""
			if len(stack) > 0 {
				el = stack[len(stack)-1]
			}
			switch {
			case strings.Contains(v, "<") && strings.Contains(v, ">"):
				s.html(where+" <"+el+">", []byte(v)) // entry content: HTML
			case looksLikeURL(v):
				s.check(where, "<"+el+">", v)
			}
		}
	}
}

func (s *urlScanner) json(where string, data []byte) {
	var v any
	if err := json.Unmarshal(data, &v); err != nil {
		s.errorf("%s: %v", where, err)
		return
	}
	var walk func(key string, v any)
	walk = func(key string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				walk(k, x)
			}
		case []any:
			for _, x := range v {
				walk(key, x)
			}
		case string:
			switch {
			case key == "id":
				// A search result's id is its record's site path: an
				// identifier that stays the same wherever the site is
				// mounted (docs/search.md); url is the link.
			case key == "keys" && strings.Contains(where, "static/search/d/"):
				// The static index's exact-match keys of a document (its
				// number, index number, site path): what a query is
				// compared with, not links.
			case strings.Contains(v, "<") && strings.Contains(v, ">"):
				s.html(where+" "+key, []byte(v))
			case key == "url" || strings.HasSuffix(key, "_url") || looksLikeURL(v):
				s.check(where, `"`+key+`"`, v)
			}
		}
	}
	walk("", v)
}

func (s *urlScanner) txt(where, text string) {
	for line := range strings.SplitSeq(text, "\n") {
		k, v, ok := strings.Cut(line, ":")
		if ok && (strings.EqualFold(k, "Disallow") || strings.EqualFold(k, "Allow") || strings.EqualFold(k, "Sitemap")) {
			s.check(where, k, v)
		} else if looksLikeURL(line) {
			s.check(where, "line", line)
		}
	}
}

func (s *urlScanner) csv(where string, data []byte) {
	r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
	r.FieldsPerRecord = -1
	rows, err := r.ReadAll()
	if err != nil {
		s.errorf("%s: %v", where, err)
		return
	}
	for _, row := range rows {
		for _, cell := range row {
			if looksLikeURL(cell) {
				s.check(where, "CSV cell", cell)
			}
		}
	}
}

func gunzip(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	b, err := io.ReadAll(zr)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

func unbrotli(t *testing.T, name string, data []byte) []byte {
	t.Helper()
	b, err := io.ReadAll(brotli.NewReader(bytes.NewReader(data)))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return b
}

// linkcheckUnderBasePath checks the sample portal built under /zfxxgk/
// with `gongkai linkcheck`, on disk and by crawling the served site from
// the base path: 0 errors either way.
func linkcheckUnderBasePath(t *testing.T, out string, h http.Handler) {
	dyn := []string{"-dynamic", prefixPath + "search", "-dynamic", prefixPath + "api/"}
	var o, e bytes.Buffer
	args := append([]string{"-base-url", prefixBaseURL}, dyn...)
	noErrors := regexp.MustCompile(`(?m)^0 errors`)
	if code := runLinkcheck(context.Background(), append(args, out), &o, &e); code != 0 || !noErrors.MatchString(o.String()) {
		t.Errorf("linkcheck on disk: exit %d\n%s\n%s", code, o.String(), e.String())
	}

	srv := httptest.NewServer(h)
	defer srv.Close()
	o.Reset()
	e.Reset()
	start := srv.URL + prefixPath
	args = []string{"-min-interval", "0", "-host-concurrency", "8", "-concurrency", "8", "-soft404=false", start}
	if code := runLinkcheck(context.Background(), args, &o, &e); code != 0 || !noErrors.MatchString(o.String()) {
		t.Errorf("linkcheck crawl from %s: exit %d\n%s\n%s", start, code, o.String(), e.String())
	}
	if m := regexp.MustCompile(`(\d+) pages`).FindStringSubmatch(o.String()); m == nil || len(m[1]) < 3 {
		t.Errorf("crawl read too few pages:\n%s", o.String())
	}
	t.Logf("crawl:\n%s", o.String())
}

// TestURLScannerFindsStrays plants one URL outside the base path in each
// kind of file the scanner reads, and checks that it reports every one.
func TestURLScannerFindsStrays(t *testing.T) {
	for _, tc := range []struct{ name, data string }{
		{"a.html", `<a href="/policy/x.html">x</a>`},
		{"b.html", `<img src="x.png">`},
		{"c.html", `<form action="/search"></form>`},
		{"d.html", `<meta http-equiv="refresh" content="0; url=/guide/">`},
		{"e.html", `<meta name="Url" content="https://www.yunze.gov.cn/policy/">`},
		{"f.html", `<p style="background:url(/static/x.png)">`},
		{"g.html", `<style>.x{background:url('/static/x.png')}</style>`},
		{"h.html", `<div data-next="/policy/page/2.html"></div>`},
		{"a.css", `.x{background:url(/static/x.png)}`},
		{"a.xml", `<urlset><url><loc>https://www.yunze.gov.cn/policy/</loc></url></urlset>`},
		{"b.xml", `<feed><link href="/feeds/all.atom.xml"/></feed>`},
		{"c.xml", `<rss><channel><item><description>&lt;a href="#fn:1"&gt;1&lt;/a&gt;&lt;a href="x.html"&gt;x&lt;/a&gt;</description></item></channel></rss>`},
		{"a.json", `{"items":[{"url":"/policy/x.html"}]}`},
		{"b.json", `{"items":[{"content_html":"<a href=\"/policy/\">p</a>"}]}`},
		{"a.txt", "User-agent: *\nDisallow: /search\n"},
		{"a.csv", "标题,URL\nx,https://www.yunze.gov.cn/policy/x.html\n"},
		{"a.js", `location.href = "/search";`},
	} {
		var got []string
		sc := &urlScanner{errorf: func(f string, a ...any) { got = append(got, fmt.Sprintf(f, a...)) }}
		sc.file(tc.name, tc.name, []byte(tc.data))
		if len(got) != 1 {
			t.Errorf("%s %q: %d reports, want 1: %q", tc.name, tc.data, len(got), got)
		}
	}
	var got []string
	sc := &urlScanner{errorf: func(f string, a ...any) { got = append(got, fmt.Sprintf(f, a...)) }}
	sc.file("x.rtf", "x.rtf", []byte("{}"))
	if len(got) != 1 || !strings.Contains(got[0], "no scanner") {
		t.Errorf("unknown file type: %q, want a failure", got)
	}
}
