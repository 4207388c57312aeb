package linkcheck

import (
	"bytes"
	"encoding/csv"
	"encoding/xml"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/net/html"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// sampleReport is a report as Check returns it, with a finding of each kind
// on the home page and another page, and a comparison.
func sampleReport() *Report {
	rep := &Report{
		Mode: "disk", Target: "public", BaseURL: "https://www.example.gov.cn/", Home: "/index.html",
		Stats: Stats{Pages: 3, Links: 42, Targets: 20, Skipped: 2},
		Findings: []Finding{
			{Page: "/about.html", Target: "/files/通知.pdf", Kind: KindBroken, Severity: Error, Line: 7, Source: "a href", Raw: "files/通知.pdf", Detail: "no file files/通知.pdf"},
			{Page: "/about.html", Target: "#dup", Kind: KindDuplicateID, Severity: Warning, Detail: `id "dup" occurs 2 times; links to it reach the first only`},
			{Page: "/index.html", Target: "/missing.html", Kind: KindBroken, Severity: Error, Line: 12, Source: "a href", Raw: "missing.html", Detail: "no file missing.html"},
			{Page: "/index.html", Target: "/index.html#第三章", Kind: KindFragment, Severity: Error, Line: 20, Source: "a href", Raw: "#第三章", Detail: `no element with id or name "第三章" in index.html`},
			{Page: "/index.html", Target: "https://old.example.org/", Kind: KindRedirect, Severity: Warning, Line: 30, Source: "a href", Raw: "https://old.example.org/", Status: 200,
				Detail: "permanent redirect; link to https://new.example.org/", Redirects: []string{"301 https://old.example.org/", "200 https://new.example.org/"}},
			{Page: "/index.html", Target: "mailto:a|b@x", Kind: KindSyntax, Severity: Error, Line: 31, Source: "a href", Raw: "mailto:a|b@x", Detail: `invalid email address "a|b@x" <script>`},
		},
	}
	rep.count()
	rep.Since = &Changes{
		Previous: "previous.json",
		New:      []Finding{rep.Findings[2]},
		Fixed:    []Finding{{Page: "/index.html", Target: "/old.html", Kind: KindBroken, Severity: Error, Detail: "no file old.html"}},
	}
	return rep
}

// historyReport is sampleReport as a crawl with --history makes it: the
// run's date, since when each finding has been reported, the comparison
// with the previous run, and a page reached under two addresses.
func historyReport() *Report {
	rep := sampleReport()
	rep.Date = "2026-05-04"
	rep.Aliases = map[string][]string{"/index.html": {"/index.html?from=nav"}}
	for i := range rep.Findings {
		rep.Findings[i].FirstSeen, rep.Findings[i].Runs = "2026-04-13", 4
	}
	rep.Findings[2].FirstSeen, rep.Findings[2].Runs = "2026-05-04", 1
	rep.Since = &Changes{
		Previous:     "run 7 of 2026-04-27 (history.jsonl)",
		PreviousDate: "2026-04-27",
		New:          []Finding{rep.Findings[2]},
		Fixed: []Finding{{Page: "/index.html", Target: "/old.html", Kind: KindBroken, Severity: Error, Detail: "no file old.html",
			FirstSeen: "2026-04-06", Runs: 4}},
	}
	return rep
}

func TestWriteGolden(t *testing.T) {
	exts := map[string]string{"text": "txt", "json": "json", "junit": "xml", "markdown": "md", "csv": "csv", "html": "html"}
	for _, format := range Formats {
		for _, sample := range []struct {
			name string
			rep  func() *Report
		}{{"report", sampleReport}, {"report-history", historyReport}} {
			t.Run(sample.name+"/"+format, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Write(&buf, sample.rep(), format); err != nil {
					t.Fatal(err)
				}
				golden := filepath.Join("testdata", "golden", sample.name+"."+exts[format])
				if *update {
					writeFile(t, golden, buf.Bytes())
				}
				want, err := os.ReadFile(golden)
				if err != nil {
					t.Fatalf("%v (run with -update to create)", err)
				}
				if diff := cmp.Diff(string(want), buf.String()); diff != "" {
					t.Errorf("Write(%s) differs from %s (-want +got):\n%s", format, golden, diff)
				}
			})
		}
	}
	if err := Write(&bytes.Buffer{}, sampleReport(), "yaml"); err == nil {
		t.Errorf("Write(yaml) succeeded, want an error")
	}
}

// TestWriteTextHomeFirst checks that the home page's findings come first,
// highlighted with their count, although "/about.html" sorts before it.
func TestWriteTextHomeFirst(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleReport(), "text"); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	home := strings.Index(out, "*** Home page (首页) /index.html: 3 errors, 1 warning; broken links on the home page: 3 ***")
	about := strings.Index(out, "\n/about.html:")
	if home < 0 || about < 0 || home > about {
		t.Errorf("home page section at %d, /about.html at %d; want the home page first:\n%s", home, about, out)
	}
}

// TestWriteHTMLSelfContained checks that the HTML report loads nothing:
// no script, stylesheet link, image, frame or font, and escapes content.
func TestWriteHTMLSelfContained(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, sampleReport(), "html"); err != nil {
		t.Fatal(err)
	}
	z := html.NewTokenizer(bytes.NewReader(buf.Bytes()))
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		name, more := z.TagName()
		switch string(name) {
		case "script", "link", "img", "iframe", "object", "embed", "video", "audio", "source":
			t.Errorf("HTML report has a <%s> element", name)
		}
		for more {
			var k, v []byte
			k, v, more = z.TagAttr()
			if string(k) == "src" || string(k) == "srcset" || string(k) == "style" && bytes.Contains(v, []byte("url(")) {
				t.Errorf("HTML report loads %s=%q", k, v)
			}
		}
	}
	if bytes.Contains(buf.Bytes(), []byte("@import")) || bytes.Contains(buf.Bytes(), []byte("url(")) {
		t.Errorf("HTML report's CSS loads something")
	}
	if bytes.Contains(buf.Bytes(), []byte("<script>")) {
		t.Errorf("HTML report does not escape finding text")
	}
}

func TestWriteJUnitAndCSVParse(t *testing.T) {
	rep := sampleReport()
	var buf bytes.Buffer
	if err := Write(&buf, rep, "junit"); err != nil {
		t.Fatal(err)
	}
	var suites junitSuites
	if err := xml.Unmarshal(buf.Bytes(), &suites); err != nil {
		t.Fatalf("JUnit output does not parse: %v", err)
	}
	if suites.Tests != 6 || suites.Failures != 4 || len(suites.Suites) != 2 || suites.Suites[0].Name != "/index.html" {
		t.Errorf("JUnit tests, failures, suites = %d, %d, %d (first %q), want 6, 4, 2 (first /index.html)",
			suites.Tests, suites.Failures, len(suites.Suites), suites.Suites[0].Name)
	}
	buf.Reset()
	if err := Write(&buf, rep, "csv"); err != nil {
		t.Fatal(err)
	}
	// A byte order mark first, so that Excel and WPS read UTF-8.
	data, ok := bytes.CutPrefix(buf.Bytes(), []byte("\uFEFF"))
	if !ok {
		t.Errorf("CSV does not start with a UTF-8 byte order mark: %q", buf.Bytes()[:min(buf.Len(), 12)])
	}
	rows, err := csv.NewReader(bytes.NewReader(data)).ReadAll()
	if err != nil {
		t.Fatalf("CSV output does not parse: %v", err)
	}
	if len(rows) != 7 || rows[0][0] != "severity" {
		t.Errorf("CSV has %d rows (header %v), want 7 with a header", len(rows), rows[0])
	}
	clean := &Report{Mode: "disk", Target: "public", Home: "/index.html", Findings: []Finding{}}
	buf.Reset()
	if err := Write(&buf, clean, "junit"); err != nil {
		t.Fatal(err)
	}
	if err := xml.Unmarshal(buf.Bytes(), &suites); err != nil || suites.Tests != 1 || suites.Failures != 0 {
		t.Errorf("JUnit for a clean site: tests %d, failures %d, err %v; want one passing case", suites.Tests, suites.Failures, err)
	}
}
