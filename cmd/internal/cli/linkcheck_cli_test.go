package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// linkcheckSite writes a two-page site into a temporary folder; broken adds
// a missing page link and a missing anchor to the home page.
func linkcheckSite(t *testing.T, broken bool) string {
	t.Helper()
	dir := t.TempDir()
	links := `<a href="about.html#team">about</a>`
	if broken {
		links += ` <a href="missing.html">missing</a> <a href="about.html#nobody">anchor</a>`
	}
	files := map[string]string{
		"index.html": `<!DOCTYPE html><html><head><meta charset="utf-8"><title>首页</title></head><body>` + links + `</body></html>`,
		"about.html": `<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于</title></head><body><p id="team">团队</p></body></html>`,
	}
	for name, data := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(data), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func TestLinkcheckCommand(t *testing.T) {
	clean, broken := linkcheckSite(t, false), linkcheckSite(t, true)
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout []string
		wantStderr []string
	}{
		{"help", []string{"-h"}, 0, nil, []string{"usage: gongkai linkcheck", "-external", "-max-depth",
			"-history", "-date", "-timeout-retries", "-rate-limit-wait", "-host-timeouts", "-base-url", "docs/linkcheck.md"}},
		{"unknown flag", []string{"--bogus"}, 2, nil, []string{"flag provided but not defined: -bogus"}},
		{"two targets", []string{clean, broken}, 2, nil, []string{"one target expected, got 2"}},
		{"unknown format", []string{"--format", "yaml", clean}, 2, nil, []string{`unknown format "yaml"`}},
		{"bad config", []string{"--concurrency", "0", clean}, 2, nil, []string{"concurrency: 0, want at least 1"}},
		{"missing folder", []string{filepath.Join(clean, "nope")}, 2, nil, []string{"open site"}},
		{"missing since file", []string{"--since", filepath.Join(clean, "nope.json"), clean}, 2, nil, []string{"--since"}},
		{"since and history", []string{"--since", "a.json", "--history", "h.jsonl", clean}, 2, nil, []string{"--since and --history"}},
		{"bad date", []string{"--history", filepath.Join(t.TempDir(), "h.jsonl"), "--date", "2026-5-4", clean}, 2, nil, []string{`--date: want YYYY-MM-DD, got "2026-5-4"`}},
		{"bad dynamic path", []string{"--dynamic", "api/", clean}, 2, nil, []string{`dynamic path "api/": want a site path starting with /`}},
		{"clean site", []string{clean}, 0, []string{"0 errors (broken links, 不可用链接)"}, nil},
		{"broken site", []string{broken}, 1, []string{
			"*** Home page (首页) /index.html: 2 errors; broken links on the home page: 2 ***",
			"error   broken       /missing.html",
			"error   fragment     /about.html#nobody",
		}, nil},
		{"flags after the target", []string{broken, "--fragments=false", "--format", "csv"}, 1, []string{
			"\uFEFFseverity,kind,page,target,line,source,status,detail,redirects,first_seen,runs,page_also\nerror,broken,/index.html,/missing.html,",
		}, []string{"linkcheck: 2 pages"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := runLinkcheck(context.Background(), tt.args, &stdout, &stderr)
			if code != tt.wantCode {
				t.Errorf("runLinkcheck(%q) = %d, want %d\nstdout:\n%s\nstderr:\n%s", tt.args, code, tt.wantCode, stdout.String(), stderr.String())
			}
			for _, w := range tt.wantStdout {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout.String())
				}
			}
			for _, w := range tt.wantStderr {
				if !strings.Contains(stderr.String(), w) {
					t.Errorf("stderr lacks %q:\n%s", w, stderr.String())
				}
			}
			if strings.Contains(stderr.String(), "\r") {
				t.Errorf("progress line written to a non-terminal stderr:\n%q", stderr.String())
			}
		})
	}
}

// TestLinkcheckDynamic checks that --dynamic paths cover the search
// service's URLs with their query strings on disk, and that giving the
// flag replaces the default list.
func TestLinkcheckDynamic(t *testing.T) {
	dir := t.TempDir()
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>首页</title></head><body>` +
		`<a href="/api/search?q=x">api</a> <a href="/search?q=政务公开">search</a></body></html>`
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		args []string
		want int
	}{
		{nil, 0},
		{[]string{"--dynamic", "/api/", "--dynamic", "/search"}, 0},
		{[]string{"--dynamic", "/api/"}, 1},
		{[]string{"--dynamic", "/other/"}, 1},
	}
	for _, tt := range tests {
		var stdout, stderr bytes.Buffer
		if code := runLinkcheck(context.Background(), append(tt.args, dir), &stdout, &stderr); code != tt.want {
			t.Errorf("linkcheck %q = %d, want %d\n%s%s", tt.args, code, tt.want, stdout.String(), stderr.String())
		}
	}
}

// TestLinkcheckHistory runs the command twice with --history, as an
// archivist does week after week: the second report says what was fixed
// and since when the rest is broken.
func TestLinkcheckHistory(t *testing.T) {
	site := linkcheckSite(t, true)
	hist := filepath.Join(t.TempDir(), "history.jsonl")
	var stdout, stderr bytes.Buffer
	if code := runLinkcheck(context.Background(), []string{"--history", hist, "--date", "2026-05-04", site}, &stdout, &stderr); code != 1 {
		t.Fatalf("first run = %d, want 1; stderr:\n%s", code, stderr.String())
	}
	for _, w := range []string{"linkcheck " + site + " (disk), 2026-05-04", "no file missing.html [new on 2026-05-04]"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("first report lacks %q:\n%s", w, stdout.String())
		}
	}
	if strings.Contains(stdout.String(), "Since") {
		t.Errorf("first report compares with nothing, yet says:\n%s", stdout.String())
	}

	// The anchor is fixed; the missing page is not.
	page := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>首页</title></head><body><a href="about.html#team">about</a> <a href="missing.html">missing</a></body></html>`
	if err := os.WriteFile(filepath.Join(site, "index.html"), []byte(page), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := runLinkcheck(context.Background(), []string{"--history", hist, "--date", "2026-05-11", site}, &stdout, &stderr); code != 1 {
		t.Fatalf("second run = %d, want 1; stderr:\n%s", code, stderr.String())
	}
	for _, w := range []string{
		"no file missing.html [since 2026-05-04 (2 runs)]",
		"Since run 1 of 2026-05-04 (history.jsonl): 0 new, 1 fixed, 1 still reported",
		"fixed  error   fragment     /index.html -> /about.html#nobody [reported 2026-05-04 to 2026-05-04, 1 run]",
	} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("second report lacks %q:\n%s", w, stdout.String())
		}
	}

	stdout.Reset()
	csvFile := filepath.Join(t.TempDir(), "weekly.csv")
	if code := runLinkcheck(context.Background(), []string{"--history", hist, "--date", "2026-05-18", "--format", "csv", "-o", csvFile, site}, &stdout, &stderr); code != 1 {
		t.Fatalf("third run = %d, want 1; stderr:\n%s", code, stderr.String())
	}
	data, err := os.ReadFile(csvFile)
	if err != nil {
		t.Fatal(err)
	}
	if want := "\uFEFFseverity,kind,page,target,line,source,status,detail,redirects,first_seen,runs,page_also\nerror,broken,/index.html,/missing.html,1,a href,,no file missing.html,,2026-05-04,3,\n"; string(data) != want {
		t.Errorf("CSV report:\n%q\nwant\n%q", data, want)
	}

	if err := os.WriteFile(hist, []byte("{\"record\":\"x\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stderr.Reset()
	if code := runLinkcheck(context.Background(), []string{"--history", hist, site}, &stdout, &stderr); code != 2 {
		t.Errorf("run with a damaged history = %d, want 2", code)
	}
	if want := hist + `:1: record: want "run" or "finding", got "x"`; !strings.Contains(stderr.String(), want) {
		t.Errorf("stderr lacks %q:\n%s", want, stderr.String())
	}
}

// TestLinkcheckReportFiles writes a JSON report with -o, fixes the site,
// and checks that --since names the fix; then writes the HTML report.
func TestLinkcheckReportFiles(t *testing.T) {
	site := linkcheckSite(t, true)
	out := t.TempDir()
	prev := filepath.Join(out, "prev.json")
	var stdout, stderr bytes.Buffer
	if code := runLinkcheck(context.Background(), []string{"--format", "json", "-o", prev, site}, &stdout, &stderr); code != 1 {
		t.Fatalf("first run = %d, want 1; stderr:\n%s", code, stderr.String())
	}
	if stdout.Len() != 0 {
		t.Errorf("report went to stdout despite -o:\n%s", stdout.String())
	}
	var rep struct {
		Findings []struct{ Target string }
	}
	data, err := os.ReadFile(prev)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, &rep); err != nil || len(rep.Findings) != 2 {
		t.Fatalf("JSON report: %d findings, err %v, want 2:\n%s", len(rep.Findings), err, data)
	}

	fixed := `<!DOCTYPE html><html><head><meta charset="utf-8"></head><body><a href="about.html">about</a></body></html>`
	if err := os.WriteFile(filepath.Join(site, "index.html"), []byte(fixed), 0o644); err != nil {
		t.Fatal(err)
	}
	stdout.Reset()
	if code := runLinkcheck(context.Background(), []string{"--since", prev, site}, &stdout, &stderr); code != 0 {
		t.Fatalf("second run = %d, want 0; stderr:\n%s", code, stderr.String())
	}
	for _, w := range []string{"0 new, 2 fixed", "fixed  error   broken       /index.html -> /missing.html"} {
		if !strings.Contains(stdout.String(), w) {
			t.Errorf("--since output lacks %q:\n%s", w, stdout.String())
		}
	}

	htmlFile := filepath.Join(out, "report.html")
	if code := runLinkcheck(context.Background(), []string{"--format=html", "-o", htmlFile, site}, &stdout, &stderr); code != 0 {
		t.Fatalf("html run = %d, want 0; stderr:\n%s", code, stderr.String())
	}
	data, err = os.ReadFile(htmlFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(data, []byte("<!DOCTYPE html>")) || !bytes.Contains(data, []byte("未发现不可用链接")) {
		t.Errorf("HTML report is not the clean-site page:\n%s", data)
	}
}

// TestLinkcheckDefaultTarget checks that without a target the command
// checks public/ in the working folder.
func TestLinkcheckDefaultTarget(t *testing.T) {
	dir := t.TempDir()
	if err := os.CopyFS(filepath.Join(dir, "public"), os.DirFS(linkcheckSite(t, true))); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	var stdout, stderr bytes.Buffer
	if code := runLinkcheck(context.Background(), nil, &stdout, &stderr); code != 1 {
		t.Fatalf("runLinkcheck() = %d, want 1; stderr:\n%s", code, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "linkcheck public (disk)") {
		t.Errorf("default target is not public:\n%s", stdout.String())
	}
}
