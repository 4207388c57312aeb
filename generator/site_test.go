package generator

import (
	"bytes"
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"

	"gongkai/themes"
)

var update = flag.Bool("update", false, "rewrite golden files")

const leakMarker = "LEAKMARKER-7f3a"

var buildDate = time.Date(2024, 12, 1, 0, 0, 0, 0, China)

// siteFS reads a txtar archive from testdata into a MapFS.
func siteFS(t testing.TB, name string) fstest.MapFS {
	t.Helper()
	a, err := txtar.ParseFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	m := fstest.MapFS{}
	for _, f := range a.Files {
		m[f.Name] = &fstest.MapFile{Data: f.Data, Mode: 0o644}
	}
	return m
}

func theme(t testing.TB) *Theme {
	t.Helper()
	th, err := LoadTheme(themes.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	return th
}

// buildSite loads and renders fsys into a temporary folder.
func buildSite(t testing.TB, fsys fs.FS) (string, *Content, *Result) {
	t.Helper()
	return renderSite(t, fsys, buildDate, "")
}

// renderSite loads fsys as of date and renders it into a fresh folder, with
// prev as the previous output (may be empty); content errors fail t. The
// build state goes beside the output, in stateOf(out).
func renderSite(t testing.TB, fsys fs.FS, date time.Time, prev string) (string, *Content, *Result) {
	t.Helper()
	c := loadClean(t, fsys, date)
	var ps *State
	if prev != "" {
		var err error
		if ps, err = ReadState(stateOf(prev), ""); err != nil {
			t.Fatal(err)
		}
	}
	out := filepath.Join(t.TempDir(), "public")
	res, err := Render(context.Background(), c, Options{Out: out, State: stateOf(out), Theme: theme(t), CollectText: true, Previous: ps})
	if err != nil {
		t.Fatal(err)
	}
	return out, c, res
}

// stateOf returns the state folder renderSite writes beside out.
func stateOf(out string) string { return filepath.Join(filepath.Dir(out), "state") }

func readDoc(t *testing.T, out, rel string) *goquery.Document {
	t.Helper()
	f, err := os.Open(filepath.Join(out, rel))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := goquery.NewDocumentFromReader(f)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func TestSitePages(t *testing.T) {
	out, c, _ := buildSite(t, siteFS(t, "site.txtar"))
	if got, want := len(c.Published), 5; got != want {
		t.Errorf("published = %d, want %d", got, want)
	}
	if got, want := len(c.Withheld), 2; got != want {
		t.Errorf("withheld = %d, want %d", got, want)
	}
	d := readDoc(t, out, "policy/mb0000001-2024-00001.html")
	for name, want := range map[string]string{
		"SiteName":      "测试市人民政府信息公开平台",
		"SiteDomain":    "www.test.gov.cn",
		"SiteIDCode":    "5100000001",
		"ColumnName":    "政策文件",
		"ArticleTitle":  "测试市人民政府关于一段简单测试的通知",
		"PubDate":       "2024-01-10 00:00",
		"ContentSource": "测试市人民政府办公室",
		"Keywords":      "测试,预算",
		"Description":   "规定测试事项。",
		"Url":           "https://www.test.gov.cn/policy/mb0000001-2024-00001.html",
	} {
		if got, _ := d.Find(`meta[name="` + name + `"]`).Attr("content"); got != want {
			t.Errorf("meta %s = %q, want %q", name, got, want)
		}
	}
	var footer []string
	d.Find(".footer-links a").Each(func(_ int, a *goquery.Selection) { footer = append(footer, a.AttrOr("href", "")) })
	if diff := cmp.Diff([]string{"/guide/", "/catalogue/", "/subscribe/"}, footer); diff != "" {
		t.Errorf("default footer links (-want +got):\n%s", diff)
	}
	meta := d.Find(".metadata").Text()
	for _, want := range []string{"MB0000001/2024-00001", "财政/预算", "测试市人民政府办公室", "2024-01-05", "测府发〔2024〕1号", "2024-01-10", "已修改"} {
		if !strings.Contains(meta, want) {
			t.Errorf("metadata block lacks %q", want)
		}
	}
	if d.Find(".banner-amended").Length() != 1 {
		t.Error("amended document has no validity banner")
	}
	if got := d.Find(`h2#一总体要求`).Length(); got != 1 {
		t.Errorf("Chinese heading id: found %d h2#一总体要求", got)
	}
	if got := d.Find(".body table td").First().Text(); got != "甲" {
		t.Errorf("table cell = %q, want 甲", got)
	}
	if href, _ := d.Find(".attachments a").Attr("href"); href != "/attachments/form.csv" {
		t.Errorf("attachment href = %q", href)
	}
	if got := d.Find(".attachments .meta").Text(); !strings.Contains(got, "CSV") {
		t.Errorf("attachment meta = %q, want format CSV", got)
	}
	if got := d.Find(`section[aria-labelledby="interp-h"] a`).AttrOr("href", ""); got != "/interpretation/mb0000001-2024-00002.html" {
		t.Errorf("interpretation link = %q", got)
	}
	in := readDoc(t, out, "interpretation/mb0000001-2024-00002.html")
	if got := in.Find(".metadata a").AttrOr("href", ""); got != "/policy/mb0000001-2024-00001.html" {
		t.Errorf("interpretation → document link = %q", got)
	}
	old := readDoc(t, out, "policy/mb0000002-2024-00002.html")
	if b := old.Find(".banner-repealed").Text(); !strings.Contains(b, "2024-06-01") || !strings.Contains(b, "测府发〔2024〕9号") {
		t.Errorf("repealed banner = %q, want repeal date and deciding document", b)
	}
	b := readDoc(t, out, "policy/mb0000002-2024-00001.html")
	if got, _ := b.Find(`meta[name="PubDate"]`).Attr("content"); got != "2024-03-05 09:30" {
		t.Errorf("PubDate with time = %q", got)
	}
	for _, f := range []string{"index.html", "policy/index.html", "policy/agency/fgw/index.html", "policy/topic/caizheng/index.html",
		"policy/topic/caizheng-yusuan/index.html", "policy/year/2024/index.html", "policy/validity/repealed/index.html",
		"guide/index.html", "catalogue/index.html", "catalogue.csv", "404.html", "sitemap.xml", "robots.txt",
		"page/contact.html", "interpretation/index.html"} {
		if _, err := os.Stat(filepath.Join(out, f)); err != nil {
			t.Errorf("missing output %s", f)
		}
	}
	topic := readDoc(t, out, "policy/topic/caizheng/index.html")
	if got := topic.Find("ul.items li").Length(); got != 2 {
		t.Errorf("level-1 topic list has %d items, want 2 (its own and its child's)", got)
	}
	cat, _ := os.ReadFile(filepath.Join(out, "catalogue.csv"))
	if got := strings.Count(string(cat), "\n"); got != 5 {
		t.Errorf("catalogue.csv has %d lines, want header + 4 records:\n%s", got, cat)
	}
}

// TestWithheldNeverLeaks plants a marker in withheld records and their
// attachments, and in an attachment nobody references, and checks every byte
// of every output file.
func TestWithheldNeverLeaks(t *testing.T) {
	fsys := siteFS(t, "site.txtar")
	out, _, res := buildSite(t, fsys)
	if n := assertNoBytes(t, out, leakMarker, "norequest", "mb0000001-2024-00009"); n < 20 {
		t.Fatalf("only %d files written; the test would prove nothing", n)
	}
	for _, txt := range res.Texts {
		if strings.Contains(txt, leakMarker) {
			t.Error("search text contains the withheld marker")
		}
	}
	for _, f := range []string{"attachments/secret.txt", "attachments/unreferenced.txt"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s was copied", f)
		}
	}
}

// assertNoBytes reports every file under dir that contains any of the
// strings a withheld record must never leave behind, and returns the number
// of files it read.
func assertNoBytes(t *testing.T, dir string, bad ...string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, s := range bad {
			if bytes.Contains(b, []byte(s)) {
				t.Errorf("%s contains %q of a withheld record", p, s)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestDeterministic(t *testing.T) {
	fsys := siteFS(t, "site.txtar")
	a, _, _ := buildSite(t, fsys)
	b, _, _ := buildSite(t, fsys)
	files := 0
	err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil {
			t.Errorf("%s missing from the second build", rel)
			return nil
		}
		if !bytes.Equal(x, y) {
			t.Errorf("%s differs between two builds of the same content", rel)
		}
		files++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	filepath.WalkDir(b, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			count++
		}
		return err
	})
	if count != files {
		t.Errorf("second build wrote %d files, first %d", count, files)
	}
}
