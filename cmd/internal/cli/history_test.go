package cli

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// gitSite makes the tiny site a git repository and returns a function that
// runs git in it with fixed author and commit dates.
func gitSite(t *testing.T, site string) func(date string, args ...string) {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git binary")
	}
	return func(date string, args ...string) {
		t.Helper()
		cmd := exec.Command("git", append([]string{"-C", site, "-c", "user.name=编辑甲", "-c", "user.email=editor@test.gov.cn", "-c", "commit.gpgsign=false"}, args...)...)
		cmd.Env = append(os.Environ(), "GIT_AUTHOR_DATE="+date, "GIT_COMMITTER_DATE="+date)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v\n%s", args, err, out)
		}
	}
}

// revisionsOf returns the 修订记录 lines of a page ("2024-06-10 message").
func revisionsOf(page string) []string {
	m := regexp.MustCompile(`(?s)<section class="revisions".*?</section>`).FindString(page)
	var out []string
	for _, li := range regexp.MustCompile(`<li><time datetime="[^"]+">([^<]+)</time> ([^<]*)</li>`).FindAllStringSubmatch(m, -1) {
		out = append(out, li[1]+" "+li[2])
	}
	return out
}

// TestRevisionHistory: with revision_history on, a record's page lists the
// commits that changed its file (dates and messages, newest first, none
// after the build date), sitemap.xml's lastmod and a first build's feed
// entry take the last commit's date, and a fresh clone of the same commit
// builds the same bytes. Off by default; outside a git checkout the build
// warns and goes on.
func TestRevisionHistory(t *testing.T) {
	site := writeSite(t, tinySite)
	git := gitSite(t, site)
	a := filepath.Join(site, "content/policies/a.md")
	const page = "policy/mb0000001-2024-00001.html"
	build1 := func(src, out string) (string, string) {
		t.Helper()
		var stderr bytes.Buffer
		if _, code := build(context.Background(), siteFlags{source: src, out: out, date: "2024-12-01", noPrecompress: true}, io.Discard, &stderr); code != 0 {
			t.Fatalf("build: exit %d\n%s", code, stderr.String())
		}
		b, err := os.ReadFile(filepath.Join(out, page))
		if err != nil {
			t.Fatal(err)
		}
		return string(b), stderr.String()
	}

	git("2024-01-10T09:00:00+08:00", "init", "-q", "-b", "main")
	git("2024-01-10T09:00:00+08:00", "add", ".")
	git("2024-01-10T09:00:00+08:00", "commit", "-q", "-m", "发布测试市的文件")
	editFile(t, a, "一段简单测试", "一段简单的测试")
	git("2024-06-10T15:00:00+08:00", "commit", "-q", "-am", "更正正文错字\n\n内部说明不上网")
	editFile(t, a, "一段简单的测试", "一段未来的测试")
	git("2025-01-02T10:00:00+08:00", "commit", "-q", "-am", "构建日期之后的修改")
	editFile(t, a, "一段未来的测试", "一段简单的测试")
	git("2025-01-03T10:00:00+08:00", "commit", "-q", "-am", "改回")

	// Off by default.
	off, _ := build1(site, filepath.Join(t.TempDir(), "public"))
	if strings.Contains(off, "修订记录") || strings.Contains(off, `class="revisions"`) {
		t.Error("revision_history is off, yet the page shows a 修订记录")
	}

	editFile(t, filepath.Join(site, "content/site.yaml"), "office: gov\n", "office: gov\nrevision_history: true\n")
	git("2024-07-01T08:00:00+08:00", "commit", "-q", "-am", "打开修订记录")
	out := filepath.Join(t.TempDir(), "public")
	on, _ := build1(site, out)
	want := []string{"2024-06-10 更正正文错字", "2024-01-10 发布测试市的文件"}
	if got := revisionsOf(on); strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("修订记录 = %q, want %q", got, want)
	}
	if !strings.Contains(on, "<h2 id=\"revisions-h\">修订记录</h2>") {
		t.Error("the page has no 修订记录 heading")
	}
	if strings.Contains(on, "内部说明不上网") || strings.Contains(on, "编辑甲") || strings.Contains(on, "editor@test.gov.cn") {
		t.Error("the page shows a commit's body or its author: only the date and the subject line are published")
	}
	sitemap, err := os.ReadFile(filepath.Join(out, "sitemap.xml"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(sitemap), page+"</loc><lastmod>2024-06-10</lastmod>") {
		t.Errorf("sitemap.xml does not date %s by its last commit (2024-06-10):\n%s", page, sitemap)
	}
	feed, err := os.ReadFile(filepath.Join(out, "feeds/all.atom.xml"))
	if err != nil {
		t.Fatal(err)
	}
	entry := regexp.MustCompile(`(?s)<updated>([^<]+)</updated>\s*<id>[^<]*/` + regexp.QuoteMeta(page) + `</id>`).FindStringSubmatch(string(feed))
	if entry == nil || entry[1] != "2024-06-10T15:00:00+08:00" {
		t.Errorf("the first build's feed entry for %s: updated %v, want the last commit 2024-06-10T15:00:00+08:00", page, entry)
	}

	// A fresh clone of the same commit builds the same bytes.
	clone := filepath.Join(t.TempDir(), "clone")
	if b, err := exec.Command("git", "clone", "-q", site, clone).CombinedOutput(); err != nil {
		t.Fatalf("git clone: %v\n%s", err, b)
	}
	cout := filepath.Join(t.TempDir(), "public")
	build1(clone, cout)
	got, wantAll := snapshot(t, cout), snapshot(t, out)
	for name, data := range wantAll {
		if got[name] != data {
			t.Errorf("the clone's build differs in %s", name)
		}
	}
	if len(got) != len(wantAll) {
		t.Errorf("the clone's build has %d files, the original %d", len(got), len(wantAll))
	}

	// Outside a git checkout: a warning at site.yaml's line, no 修订记录.
	if err := os.RemoveAll(filepath.Join(clone, ".git")); err != nil {
		t.Fatal(err)
	}
	noGit, stderr := build1(clone, filepath.Join(t.TempDir(), "public"))
	if strings.Contains(noGit, `class="revisions"`) {
		t.Error("without git the page shows a 修订记录")
	}
	if !regexp.MustCompile(`content/site\.yaml:\d+: revision_history: warning: no 修订记录 shown`).MatchString(stderr) {
		t.Errorf("without git, no warning at site.yaml's revision_history:\n%s", stderr)
	}
}
