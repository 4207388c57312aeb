package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/tools/txtar"
)

// writeSite unpacks a txtar archive into a fresh folder and returns it.
func writeSite(t testing.TB, archive string) string {
	t.Helper()
	a, err := txtar.ParseFile(archive)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	for _, f := range a.Files {
		p := filepath.Join(dir, filepath.FromSlash(f.Name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

const tinySite = "../../../generator/testdata/site.txtar"

func run(t testing.TB, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var o, e bytes.Buffer
	code = Run(context.Background(), args, &o, &e)
	return code, o.String(), e.String()
}

func TestExitCodes(t *testing.T) {
	site := writeSite(t, tinySite)
	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"no command", nil, 2},
		{"unknown command", []string{"frobnicate"}, 2},
		{"help", []string{"-h"}, 0},
		{"build help", []string{"build", "-h"}, 0},
		{"bad flag", []string{"build", "-nope"}, 2},
		{"bad date", []string{"build", "-source", site, "-date", "2024/01/01"}, 2},
		{"version", []string{"version"}, 0},
		{"check ok (content only)", []string{"check", "-inspect=false", "-source", site, "-out", filepath.Join(site, "public"), "-date", "2024-12-01"}, 0},
		{"check with the inspection", []string{"check", "-source", site, "-out", filepath.Join(site, "public"), "-date", "2024-12-01"}, 1},
		{"check bad format", []string{"check", "-source", site, "-format", "pdf"}, 2},
		{"new without title", []string{"new", "policy"}, 2},
		{"new unknown kind", []string{"new", "memo", "标题", "-source", site}, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if code, _, stderr := run(t, tc.args...); code != tc.want {
				t.Errorf("gongkai %q = exit %d, want %d\nstderr:\n%s", tc.args, code, tc.want, stderr)
			}
		})
	}
}

// TestFailedBuildLeavesPublic builds a site, breaks its content, builds
// again and checks that public/ is byte-for-byte what the first build wrote.
func TestFailedBuildLeavesPublic(t *testing.T) {
	site := writeSite(t, tinySite)
	out := filepath.Join(site, "public")
	if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01"); code != 0 {
		t.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	before := snapshot(t, out)
	bad := filepath.Join(site, "content/policies/b.md")
	src, _ := os.ReadFile(bad)
	os.WriteFile(bad, bytes.Replace(src, []byte("status: 有效"), []byte("status: 未知"), 1), 0o644)
	code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01")
	if code != 1 {
		t.Fatalf("broken build: exit %d, want 1", code)
	}
	if !strings.Contains(stderr, "content/policies/b.md:") || !strings.Contains(stderr, "validity.status") {
		t.Errorf("stderr does not name the file and field:\n%s", stderr)
	}
	after := snapshot(t, out)
	if len(after) != len(before) {
		t.Fatalf("public/ has %d files after the failed build, %d before", len(after), len(before))
	}
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed after a failed build", p)
		}
	}
	entries, _ := os.ReadDir(site)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.Contains(e.Name(), ".old-") {
			t.Errorf("leftover staging folder %s", e.Name())
		}
	}
}

// TestRenderFailureLeavesPublic makes the render itself fail (a broken
// theme override) after the content checks pass.
func TestRenderFailureLeavesPublic(t *testing.T) {
	site := writeSite(t, tinySite)
	out := filepath.Join(site, "public")
	if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01"); code != 0 {
		t.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	before := snapshot(t, out)
	os.MkdirAll(filepath.Join(site, "theme/templates"), 0o755)
	os.WriteFile(filepath.Join(site, "theme/templates/policy.html"), []byte(`{{define "main"}}{{.Record.NoSuchField}}{{end}}{{template "layout" .}}`), 0o644)
	code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01")
	if code != 1 {
		t.Fatalf("build with a broken template: exit %d, want 1\n%s", code, stderr)
	}
	if !strings.Contains(stderr, "policy.html") {
		t.Errorf("error does not name the template:\n%s", stderr)
	}
	after := snapshot(t, out)
	for p, b := range before {
		if after[p] != b {
			t.Errorf("%s changed after a failed build", p)
		}
	}
}

func snapshot(t testing.TB, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, _ := os.ReadFile(p)
		rel, _ := filepath.Rel(dir, p)
		m[rel] = string(b)
		return nil
	})
	if len(m) == 0 {
		t.Fatalf("%s is empty", dir)
	}
	return m
}

func TestBuildSummaryNamesWithheld(t *testing.T) {
	site := writeSite(t, tinySite)
	code, stdout, stderr := run(t, "build", "-source", site, "-out", filepath.Join(site, "public"), "-date", "2024-12-01")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, want := range []string{"2 withheld", "content/policies/norequest.md", "content/policies/secret.md"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "LEAKMARKER") {
		t.Error("summary prints a withheld record's content; paths only")
	}
}

func TestRemovedURLNeedsRedirect(t *testing.T) {
	site := writeSite(t, tinySite)
	out := filepath.Join(site, "public")
	if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01"); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	os.Remove(filepath.Join(site, "content/pages/contact.md"))
	code, _, stderr := run(t, "check", "-inspect=false", "-source", site, "-out", out, "-date", "2024-12-01")
	if code != 1 || !strings.Contains(stderr, "/page/contact.html was published by the previous build and is gone") {
		t.Fatalf("check after removing a page: exit %d\n%s", code, stderr)
	}
	os.WriteFile(filepath.Join(site, "content/redirects.yaml"), []byte("redirects:\n  - {from: /old/a.html, to: /policy/mb0000001-2024-00001.html}\n  - {from: /page/contact.html, to: /guide/}\n"), 0o644)
	if code, _, stderr := run(t, "check", "-inspect=false", "-source", site, "-out", out, "-date", "2024-12-01"); code != 0 {
		t.Fatalf("check with a redirect: exit %d\n%s", code, stderr)
	}
	if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01"); code != 0 {
		t.Fatalf("build with a redirect: exit %d\n%s", code, stderr)
	}
	b, err := os.ReadFile(filepath.Join(out, "page/contact.html"))
	if err != nil || !bytes.Contains(b, []byte(`http-equiv="refresh" content="0; url=https://www.test.gov.cn/guide/"`)) {
		t.Errorf("redirect page: %v\n%s", err, b)
	}
}

func TestNewScaffoldPassesCheckOnceFilled(t *testing.T) {
	site := writeSite(t, tinySite)
	code, stdout, stderr := run(t, "new", "policy", "测试市关于新事项的通知", "-source", site, "-agency", "gov", "-date", "2024-12-01")
	if code != 0 {
		t.Fatalf("new: exit %d\n%s", code, stderr)
	}
	// The tiny site uses MB0000001/2024-00001, -00002, -00009 and -00010.
	if !strings.Contains(stdout, "MB0000001/2024-00011") {
		t.Errorf("new did not pick the next free index number:\n%s", stdout)
	}
	path := filepath.Join(site, "content/policies/2024-00011.md")
	src, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	// Unfilled, check names every field still to fill.
	code, _, stderr = run(t, "check", "-inspect=false", "-source", site, "-out", filepath.Join(site, "public"), "-date", "2024-12-01")
	if code != 1 {
		t.Fatalf("check of an unfilled scaffold: exit %d, want 1", code)
	}
	for _, f := range []string{"summary", "doc_no", "topic"} {
		if !strings.Contains(stderr, "content/policies/2024-00011.md:") || !strings.Contains(stderr, " "+f+": required") {
			t.Errorf("check does not ask for %s:\n%s", f, stderr)
		}
	}
	filled := strings.NewReplacer(
		`summary: ""`, `summary: "新事项。"`,
		`doc_no: ""`, `doc_no: "测府发〔2024〕20号"`,
		`topic: ""`, `topic: "财政"`,
		`expires: ""`, `expires: "2029-12-01"`,
	).Replace(string(src)) + "正文。\n"
	os.WriteFile(path, []byte(filled), 0o644)
	if code, _, stderr := run(t, "check", "-inspect=false", "-source", site, "-out", filepath.Join(site, "public"), "-date", "2024-12-01"); code != 0 {
		t.Fatalf("check of the filled scaffold: exit %d\n%s", code, stderr)
	}
}
