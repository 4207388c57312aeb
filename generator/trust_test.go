package generator

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"

	"github.com/google/go-cmp/cmp"

	"gongkai/themes"
)

const r1ID = "tag:www.test.gov.cn,2023:/release/mb0000002-2023-00801.html"

// TestFeedExcerpt gives a release a body far longer than the excerpt: its
// feed entries carry the first feed_excerpt characters and a link to the
// page, not the body.
func TestFeedExcerpt(t *testing.T) {
	fsys := siteFS(t, "feeds.txtar")
	fsys = svcEdit(t, fsys, "content/site.yaml", "base_url:", "limits: {feed_excerpt: 40}\nbase_url:")
	long := strings.Repeat("经济运行总体平稳，", 500) + "结尾TAILMARKER"
	fsys = svcEdit(t, fsys, "content/releases/r1.md", "前三季度全市地区生产总值同比增长5.6%。", long)
	out := buildFeedSite(t, fsys, buildDate, "")
	e := atomEntries(parseAtom(t, out, "/feeds/releases.atom.xml"))[r1ID]
	if e == nil {
		t.Fatal("no entry")
	}
	c := e.Content.Value
	if strings.Contains(c, "TAILMARKER") || !strings.Contains(c, "阅读全文") || !strings.Contains(c, `href="https://www.test.gov.cn/release/mb0000002-2023-00801.html"`) {
		t.Errorf("entry content is not an excerpt with a link:\n%s", c)
	}
	if n := strings.Count(c, "经济运行"); n == 0 || n > 10 {
		t.Errorf("excerpt holds %d repetitions, want the first 40 characters only", n)
	}
	for _, f := range feedFiles(t, out) {
		if strings.Contains(string(readFeedOut(t, out, f)), "TAILMARKER") {
			t.Errorf("%s carries the whole body", f)
		}
	}
	// The page itself has it all.
	if b, _ := os.ReadFile(filepath.Join(out, "release/mb0000002-2023-00801.html")); !strings.Contains(string(b), "TAILMARKER") {
		t.Error("the page lost its body")
	}
}

// TestFeedUpdatedIgnoresLineEndings rebuilds after converting a release to
// CRLF line endings with trailing spaces: no entry's updated date changes,
// so the feeds are byte for byte the same. A real edit still moves it.
func TestFeedUpdatedIgnoresLineEndings(t *testing.T) {
	fsys := siteFS(t, "feeds.txtar")
	out1 := buildFeedSite(t, fsys, buildDate, "")
	crlf := maps.Clone(fsys)
	src := string(fsys["content/releases/r1.md"].Data)
	crlf["content/releases/r1.md"] = &fstest.MapFile{Data: []byte(strings.ReplaceAll(src, "\n", "  \r\n") + "\r\n\r\n")}
	out2 := buildFeedSite(t, crlf, buildDate.AddDate(0, 1, 0), out1)
	for _, p := range feedFiles(t, out1) {
		if string(readFeedOut(t, out1, p)) != string(readFeedOut(t, out2, p)) {
			t.Errorf("%s changed after a line-ending change", p)
		}
	}
	edited := svcEdit(t, crlf, "content/releases/r1.md", "同比增长5.6%", "同比增长5.7%")
	out3 := buildFeedSite(t, edited, buildDate.AddDate(0, 2, 0), out2)
	if e := atomEntries(parseAtom(t, out3, "/feeds/releases.atom.xml"))[r1ID]; e == nil || e.Updated != "2025-02-01T00:00:00+08:00" {
		t.Errorf("an edited entry keeps its updated date: %+v", e)
	}
}

// TestLimits checks the body and attachment limits of site.yaml and the
// errors for a malformed limit.
func TestLimits(t *testing.T) {
	fsys := siteFS(t, "site.txtar")
	fsys = svcEdit(t, fsys, "content/site.yaml", "guide: |", "limits:\n  body: 1 KB\n  attachment: 10 B\nguide: |")
	fsys = svcEdit(t, fsys, "content/pages/contact.md", "电话：028-00000000。", strings.Repeat("电话", 200))
	c := svcLoad(t, fsys, buildDate)
	want := []string{
		"content/pages/contact.md:7: body: is 1.2 KB; a record body may be at most 1.0 KB (limits.body in content/site.yaml)",
		"content/policies/a.md:19: attachments[0].file: content/attachments/form.csv is 22 B; an attachment may be at most 10 B (limits.attachment in content/site.yaml)",
		"content/policies/secret.md:15: attachments[0].file: content/attachments/secret.txt is 34 B; an attachment may be at most 10 B (limits.attachment in content/site.yaml)",
	}
	if diff := cmp.Diff(want, svcProblems(c.Problems.Errors(), "content/p")); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}

	// A record file far over the limit is refused unread.
	big := maps.Clone(fsys)
	big["content/pages/big.md"] = &fstest.MapFile{Data: []byte("---\ntitle: x\n---\n" + strings.Repeat("x", 2<<20))}
	c = svcLoad(t, big, buildDate)
	if got := svcProblems(c.Problems.Errors(), "content/pages/big.md"); len(got) != 1 || got[0] != "content/pages/big.md: record file is 2.0 MB; a record body may be at most 1.0 KB (limits.body in content/site.yaml)" {
		t.Errorf("errors for a huge record: %q", got)
	}

	bad := svcEdit(t, siteFS(t, "site.txtar"), "content/site.yaml", "guide: |", "limits: {body: two megabytes}\nguide: |")
	c = svcLoad(t, bad, buildDate)
	if got := svcProblems(c.Problems.Errors(), "content/site.yaml"); len(got) != 1 || got[0] != `content/site.yaml:33: limits.body: want a size such as 2 MB, 500 KB or a number of bytes, got "two megabytes"` {
		t.Errorf("errors for a malformed limit: %q", got)
	}
}

// TestBinaryBody plants a NUL byte and GBK bytes in a body: each is an
// error at its line.
func TestBinaryBody(t *testing.T) {
	fsys := svcEdit(t, siteFS(t, "site.txtar"), "content/pages/contact.md", "电话：028-00000000。",
		"电话：028-00000000。\n第二行\x00二进制\n第三行\xb5\xe7\xbb\xb0\n第四行")
	c := svcLoad(t, fsys, buildDate)
	want := []string{
		"content/pages/contact.md:9: body: NUL byte (binary data); a Markdown body is UTF-8 text",
		"content/pages/contact.md:10: body: invalid UTF-8 (byte 0xb5); save the file as UTF-8",
	}
	if diff := cmp.Diff(want, svcProblems(c.Problems.Errors())); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestBodyLinks checks every kind of link a body can hold against what the
// build publishes.
func TestBodyLinks(t *testing.T) {
	body := strings.Join([]string{
		"[一](/policy/mb0000002-2024-00001.html) [二](../interpretation/mb0000001-2024-00002.html#一背景)",
		"[三](/attachments/form.csv) ![图](/attachments/secret.txt)",
		"[四](https://www.test.gov.cn/policy/mb0000001-2024-00010.html) [五](https://www.gov.cn/x.html)",
		"[六](/policy/nope.html) [七](mailto:a@b.cn) [八](#一总体要求) [九](/policy/?page=2) [十](/search?q=x)",
		"[十一][ref]",
		"",
		"[ref]: /attachments/unreferenced.txt",
	}, "\n")
	fsys := svcEdit(t, siteFS(t, "site.txtar"), "content/policies/a.md", "第一条 为了测试，制定本通知。", body)
	c := svcLoad(t, fsys, buildDate)
	want := []string{
		"content/policies/a.md:25: body: link to /attachments/secret.txt (an attachment of withheld content/policies/secret.md): a published page never points at what is not published",
		"content/policies/a.md:26: body: link to /policy/mb0000001-2024-00010.html (the page of withheld content/policies/norequest.md): a published page never points at what is not published",
		"content/policies/a.md:27: body: link to /policy/nope.html: this build publishes no such page or file",
		"content/policies/a.md:28: body: link to /attachments/unreferenced.txt: this build publishes no such page or file",
	}
	if diff := cmp.Diff(want, svcProblems(c.Problems.Errors())); diff != "" {
		t.Errorf("errors (-want +got):\n%s", diff)
	}
}

// TestThemeOverrideSymlink reads a site's theme overrides through the
// confined reader: a symlinked override is an error, never skipped.
func TestThemeOverrideSymlink(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "templates"), 0o755)
	outside := filepath.Join(t.TempDir(), "x.html")
	os.WriteFile(outside, []byte(`{{define "main"}}OUTSIDE{{end}}{{template "layout" .}}`), 0o644)
	os.Symlink(outside, filepath.Join(dir, "templates", "page.html"))
	site, err := OpenSiteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer site.Close()
	if _, err := LoadTheme(themes.Default(), site); err == nil || !strings.Contains(err.Error(), "templates/page.html is a symlink") {
		t.Errorf("LoadTheme with a symlinked override = %v, want an error naming it", err)
	}
}

// TestSiteDirRefusesSpecialFiles opens a symlink, a named pipe and a path
// through a symlinked folder through SiteDir: each is refused, none is
// followed or opened.
func TestSiteDirRefusesSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "real"), 0o755)
	os.WriteFile(filepath.Join(dir, "real", "f.txt"), []byte("x"), 0o644)
	os.Symlink("real", filepath.Join(dir, "linkdir"))
	os.Symlink("real/f.txt", filepath.Join(dir, "link.txt"))
	mkfifo(t, filepath.Join(dir, "pipe"))
	d, err := OpenSiteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	if _, err := readFile(context.Background(), d, "real/f.txt", 0); err != nil {
		t.Errorf("regular file: %v", err)
	}
	for name, want := range map[string]string{
		"link.txt":       "link.txt is a symlink",
		"linkdir/f.txt":  "linkdir is a symlink",
		"pipe":           "pipe is a named pipe (FIFO)",
		"../outside.txt": "invalid argument",
	} {
		if _, err := readFile(context.Background(), d, name, 0); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("read %s = %v, want an error with %q", name, err, want)
		}
	}
}

// TestFoldersRefuseSpecialFiles reads through the load's folders
// (folders.readFile) what TestSiteDirRefusesSpecialFiles opens through
// SiteDir: the regular file is read in its folder, opened once; a symlink,
// a path through a symlinked folder and a named pipe are refused with the
// SiteDir's own errors, none followed or opened; a file replaced by a
// symlink after its folder was opened is refused too; and after close a
// read opens no folder.
func TestFoldersRefuseSpecialFiles(t *testing.T) {
	dir := t.TempDir()
	os.MkdirAll(filepath.Join(dir, "real", "sub"), 0o755)
	os.WriteFile(filepath.Join(dir, "real", "f.txt"), []byte("x"), 0o644)
	os.WriteFile(filepath.Join(dir, "real", "g.txt"), []byte("y"), 0o644)
	os.WriteFile(filepath.Join(dir, "secret.txt"), []byte("SECRET"), 0o644)
	os.Symlink("real", filepath.Join(dir, "linkdir"))
	os.Symlink("f.txt", filepath.Join(dir, "real", "link.txt"))
	os.Symlink("../secret.txt", filepath.Join(dir, "real", "up.txt"))
	mkfifo(t, filepath.Join(dir, "real", "pipe"))
	d, err := OpenSiteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	fo := newFolders(d)
	ctx := context.Background()
	if b, err := fo.readFile(ctx, "real/f.txt", 0); err != nil || string(b) != "x" {
		t.Errorf("regular file: %q, %v", b, err)
	}
	if r := fo.roots["real"]; r == nil {
		t.Error("the regular file was not read in its folder")
	}
	for name, want := range map[string]string{
		"real/link.txt":  "link.txt is a symlink",
		"real/up.txt":    "up.txt is a symlink",
		"linkdir/f.txt":  "linkdir is a symlink",
		"real/pipe":      "pipe is a named pipe (FIFO)",
		"real/none.txt":  "no such file",
		"../outside.txt": "invalid argument",
	} {
		if b, err := fo.readFile(ctx, name, 0); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("read %s = %q, %v, want an error with %q", name, b, err, want)
		}
	}
	if fo.roots["linkdir"] != nil {
		t.Error("a symlinked folder was opened")
	}
	if _, err := fo.readFile(ctx, "real/g.txt", 3); err != nil {
		t.Errorf("within the limit: %v", err)
	}
	if _, err := fo.readFile(ctx, "real/f.txt", 0); err != nil {
		t.Fatal(err)
	}
	// The folder is open; its file is swapped for a symlink out of it.
	os.Remove(filepath.Join(dir, "real", "g.txt"))
	os.Symlink("../secret.txt", filepath.Join(dir, "real", "g.txt"))
	if b, err := fo.readFile(ctx, "real/g.txt", 0); err == nil || strings.Contains(string(b), "SECRET") {
		t.Errorf("swapped for a symlink: read %q, %v", b, err)
	}
	fo.close()
	if b, err := fo.readFile(ctx, "real/sub/../f.txt", 0); err == nil {
		t.Errorf("a path with .. was read: %q", b)
	}
	if b, err := fo.readFile(ctx, "real/f.txt", 0); err != nil || string(b) != "x" {
		t.Errorf("after close: %q, %v", b, err)
	}
	if len(fo.roots) != 0 {
		t.Errorf("folders opened after close: %d", len(fo.roots))
	}
}

func mkfifo(t *testing.T, p string) {
	t.Helper()
	if err := syscall.Mkfifo(p, 0o644); err != nil {
		t.Skipf("no named pipes here: %v", err)
	}
}
