package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"
)

// The tiny site's withheld record content/policies/secret.md and its
// attachment content/attachments/secret.txt carry this marker.
const withheldMarker = "LEAKMARKER-7f3a"

// assertNoMarker fails when any file of the built site or its search folder
// holds one of the markers, in UTF-8 or in the UTF-16 the search index
// stores its text in.
func assertNoMarker(t *testing.T, out string, markers ...string) {
	t.Helper()
	n := 0
	for _, dir := range []string{out, out + ".search"} {
		for p, data := range snapshot(t, dir) {
			n++
			for _, m := range markers {
				u16 := utf16.Encode([]rune(m))
				le := make([]byte, 0, 2*len(u16))
				for _, u := range u16 {
					le = append(le, byte(u), byte(u>>8))
				}
				if strings.Contains(data, m) || strings.Contains(data, string(le)) {
					t.Errorf("%s contains the marker %q", filepath.Join(dir, p), m)
				}
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d files checked; the test would prove nothing", n)
	}
}

// TestLeakPaths plants, for each way a withheld file or a file from outside
// content/ could reach the output, a marker on that path, and checks that
// check and build refuse with the exact message, exit 1, and that no byte of
// the live site or its index holds the marker.
func TestLeakPaths(t *testing.T) {
	const outsideMarker = "OUTSIDE-MARKER-5c1e"
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, site, outside string)
		want  []string // lines of stderr, exactly
	}{
		{
			name: "symlinked attachment to a file outside",
			plant: func(t *testing.T, site, outside string) {
				form := filepath.Join(site, "content/attachments/form.csv")
				os.Remove(form)
				if err := os.Symlink(outside, form); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"content/attachments/form.csv: attachment is a symlink; copy the file instead"},
		},
		{
			name: "symlinked attachment to a withheld attachment",
			plant: func(t *testing.T, site, outside string) {
				form := filepath.Join(site, "content/attachments/form.csv")
				os.Remove(form)
				if err := os.Symlink("secret.txt", form); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"content/attachments/form.csv: attachment is a symlink; copy the file instead"},
		},
		{
			name: "published record naming a withheld record's attachment",
			plant: func(t *testing.T, site, outside string) {
				edit(t, filepath.Join(site, "content/policies/a.md"), "file: attachments/form.csv", "file: attachments/secret.txt")
			},
			want: []string{"content/policies/a.md:19: attachments[0].file: content/attachments/secret.txt is an attachment of withheld content/policies/secret.md; a file of a record that is not published is never copied"},
		},
		{
			name: "byte-identical copy of a withheld attachment",
			plant: func(t *testing.T, site, outside string) {
				b, _ := os.ReadFile(filepath.Join(site, "content/attachments/secret.txt"))
				os.WriteFile(filepath.Join(site, "content/attachments/copy.txt"), b, 0o644)
				edit(t, filepath.Join(site, "content/policies/a.md"), "file: attachments/form.csv", "file: attachments/copy.txt")
			},
			want: []string{"content/policies/a.md:19: attachments[0].file: content/attachments/copy.txt has the same bytes as content/attachments/secret.txt, an attachment of withheld content/policies/secret.md; a file of a record that is not published is never copied"},
		},
		{
			name: "symlinked Markdown record",
			plant: func(t *testing.T, site, outside string) {
				md := filepath.Join(filepath.Dir(outside), "evil.md")
				os.WriteFile(md, []byte("---\ndisclosure: 主动公开\ntitle: "+outsideMarker+"\nslug: evil\ndate_published: 2024-01-01\n---\n"+outsideMarker+"\n"), 0o644)
				if err := os.Symlink(md, filepath.Join(site, "content/pages/evil.md")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"content/pages/evil.md: record is a symlink; copy the file instead"},
		},
		{
			name: "hard link to a withheld attachment",
			plant: func(t *testing.T, site, outside string) {
				form := filepath.Join(site, "content/attachments/form.csv")
				os.Remove(form)
				if err := os.Link(filepath.Join(site, "content/attachments/secret.txt"), form); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{
				"content/attachments/form.csv: attachment is a hard link (2 names for one file); copy the file instead",
				"content/attachments/secret.txt: attachment is a hard link (2 names for one file); copy the file instead",
			},
		},
		{
			name: "named pipes as attachment and record",
			plant: func(t *testing.T, site, outside string) {
				form := filepath.Join(site, "content/attachments/form.csv")
				os.Remove(form)
				if err := syscall.Mkfifo(form, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := syscall.Mkfifo(filepath.Join(site, "content/pages/pipe.md"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{
				"content/attachments/form.csv: attachment is a named pipe (FIFO); only regular files are read",
				"content/pages/pipe.md: record is a named pipe (FIFO); only regular files are read",
			},
		},
		{
			name: "application form naming a withheld record's attachment",
			plant: func(t *testing.T, site, outside string) {
				f, _ := os.OpenFile(filepath.Join(site, "content/site.yaml"), os.O_APPEND|os.O_WRONLY, 0)
				f.WriteString("application_form: {name: 申请表, file: attachments/secret.txt}\n")
				f.Close()
			},
			want: []string{"content/site.yaml:36: application_form.file: content/attachments/secret.txt is an attachment of withheld content/policies/secret.md; a file of a record that is not published is never copied"},
		},
		{
			name: "body link to a withheld record",
			plant: func(t *testing.T, site, outside string) {
				edit(t, filepath.Join(site, "content/policies/a.md"), "第一条 为了测试，制定本通知。",
					"第一条 为了测试，制定本通知。见[内部文件](/policy/mb0000001-2024-00009.html)。")
			},
			want: []string{"content/policies/a.md:24: body: link to /policy/mb0000001-2024-00009.html (the page of withheld content/policies/secret.md): a published page never points at what is not published"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := writeSite(t, tinySite)
			out := filepath.Join(site, "public")
			if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01"); code != 0 {
				t.Fatalf("first build: exit %d\n%s", code, stderr)
			}
			before := snapshot(t, out)
			outside := filepath.Join(t.TempDir(), "passwd")
			os.WriteFile(outside, []byte(outsideMarker+" root:x:0:0\n"), 0o644)
			tc.plant(t, site, outside)
			for _, cmd := range []string{"check", "build"} {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				var o, e bytes.Buffer
				start := time.Now()
				code := Run(ctx, []string{cmd, "-source", site, "-out", out, "-date", "2024-12-01"}, &o, &e)
				took := time.Since(start)
				cancel()
				if code != 1 {
					t.Errorf("%s: exit %d, want 1\n%s", cmd, code, e.String())
				}
				if took > 10*time.Second {
					t.Errorf("%s took %s: it waited on something", cmd, took)
				}
				lines := strings.Split(e.String(), "\n")
				for _, w := range tc.want {
					if !contains(lines, w) {
						t.Errorf("%s stderr lacks the line\n%s\ngot:\n%s", cmd, w, e.String())
					}
				}
			}
			after := snapshot(t, out)
			for p, b := range before {
				if after[p] != b {
					t.Errorf("%s changed after a refused build", p)
				}
			}
			assertNoMarker(t, out, withheldMarker, outsideMarker)
		})
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}

// filesWith returns the files of dir whose bytes contain s.
func filesWith(t *testing.T, dir, s string) []string {
	t.Helper()
	var out []string
	for p, data := range snapshot(t, dir) {
		if strings.Contains(data, s) {
			out = append(out, filepath.ToSlash(p))
		}
	}
	slices.Sort(out)
	return out
}

func getPage(t *testing.T, srv *httptest.Server, p string) (int, string) {
	t.Helper()
	resp, err := http.Get(srv.URL + p)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestTakedown publishes a document, then changes it to 不予公开 and
// rebuilds with no other edit: its URL serves the withdrawal notice with the
// date (410 from serve, and a gone/ mark for static hosts), and nothing else
// of it is left in pages, lists, catalogue, sitemap, feeds or search. The
// records citing it lose the reference with a warning. A later build keeps
// the notice and its date.
func TestTakedown(t *testing.T) {
	const marker = "TAKEDOWN-MARKER-4e7a"
	const url = "/policy/mb0000002-2024-00001.html"
	site := writeSite(t, tinySite)
	out := filepath.Join(site, "public")
	b := filepath.Join(site, "content/policies/b.md")
	edit(t, b, "修改正文。", "修改正文。"+marker)
	edit(t, b, "title: 测试市发展和改革委员会关于修改预算办法的决定", "title: "+marker+"关于修改预算办法的决定")
	if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01"); code != 0 {
		t.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	if got := filesWith(t, out, marker); len(got) < 5 {
		t.Fatalf("the published document reached only %v; the test would prove nothing", got)
	}

	edit(t, b, "disclosure: 主动公开", "disclosure: 不予公开")
	code, stdout, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-03")
	if code != 0 {
		t.Fatalf("build after the takedown: exit %d\n%s", code, stderr)
	}
	if want := "withdrawn: content/policies/b.md on 2024-12-03: " + url + " serves the withdrawal notice (410)"; !strings.Contains(stdout, want) {
		t.Errorf("summary lacks %q:\n%s", want, stdout)
	}
	if want := `content/policies/a.md:15: validity.amended_by[0]: warning: refers to "MB0000002/2024-00001", which is withdrawn (撤回); the reference is left out`; !strings.Contains(stderr, want) {
		t.Errorf("stderr lacks the warning %q:\n%s", want, stderr)
	}
	assertNoMarker(t, out, marker)
	if got := filesWith(t, out, "mb0000002-2024-00001"); !slices.Equal(got, []string{"policy/mb0000002-2024-00001.html"}) {
		t.Errorf("files that still name the withdrawn URL: %q, want only its notice", got)
	}
	notice, _ := os.ReadFile(filepath.Join(out, filepath.FromSlash(url)))
	for _, want := range []string{"本信息已撤回", "撤回日期：2024-12-03", `name="robots" content="noindex`} {
		if !strings.Contains(string(notice), want) {
			t.Errorf("notice lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(out+".search", "gone", filepath.FromSlash(url))); err != nil {
		t.Errorf("no gone/ mark for static hosts: %v", err)
	}

	srv := serveOut(t, out)
	if code, body := getPage(t, srv, url); code != http.StatusGone || !strings.Contains(body, "本信息已撤回") {
		t.Errorf("GET %s = %d, want 410 with the notice", url, code)
	}
	if r := apiSearch(t, srv, marker); r.Total != 0 {
		t.Errorf("search still finds the withdrawn document: %+v", r.Results)
	}
	if r := apiSearch(t, srv, "修改预算办法"); r.Total != 0 {
		t.Errorf("search still finds the withdrawn document by its title: %+v", r.Results)
	}

	// A later build, nothing changed: the notice keeps its date.
	if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-20"); code != 0 {
		t.Fatalf("later build: exit %d\n%s", code, stderr)
	}
	notice, _ = os.ReadFile(filepath.Join(out, filepath.FromSlash(url)))
	if !strings.Contains(string(notice), "撤回日期：2024-12-03") {
		t.Errorf("the notice lost its date in a later build:\n%s", notice)
	}
	if code, body := getPage(t, srv, url); code != http.StatusGone || !strings.Contains(body, "2024-12-03") {
		t.Errorf("GET %s after a later build = %d", url, code)
	}
}

// TestWithdrawnField takes a page offline with withdrawn: (date and
// reason); the reason is for the record and is never published.
func TestWithdrawnField(t *testing.T) {
	site := writeSite(t, tinySite)
	out := filepath.Join(site, "public")
	edit(t, filepath.Join(site, "content/pages/contact.md"), "slug: contact\n",
		"slug: contact\nwithdrawn:\n  date: 2024-11-30\n  reason: REASON-MARKER-9a1f 电话号码有误\n")
	code, stdout, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "withdrawn: content/pages/contact.md on 2024-11-30: /page/contact.html serves the withdrawal notice (410)") {
		t.Errorf("summary:\n%s", stdout)
	}
	// The reason stays in the build state (withdrawn.json), never served.
	assertNoMarker(t, out, "028-00000000。")
	if got := filesWith(t, out, "REASON-MARKER-9a1f"); len(got) != 0 {
		t.Errorf("the reason was published in %q", got)
	}
	notice, _ := os.ReadFile(filepath.Join(out, "page/contact.html"))
	if !strings.Contains(string(notice), "撤回日期：2024-11-30") {
		t.Errorf("notice:\n%s", notice)
	}
	edit(t, filepath.Join(site, "content/pages/contact.md"), "  date: 2024-11-30\n", "")
	code, _, stderr = run(t, "check", "-source", site, "-out", out, "-date", "2024-12-01")
	if want := "content/pages/contact.md:5: withdrawn.date: required (撤回日期)"; code != 1 || !strings.Contains(stderr, want) {
		t.Errorf("check without a date: exit %d, want 1 and %q:\n%s", code, want, stderr)
	}
}

// TestEmbargo adds a document published after the build date: the build
// lists it as scheduled and leaves no byte of it anywhere (page, lists,
// feeds, sitemap, attachment, search); the build whose date reaches it
// publishes it everywhere.
func TestEmbargo(t *testing.T) {
	const marker = "EMBARGO-MARKER-3b9f"
	site := writeSite(t, tinySite)
	out := filepath.Join(site, "public")
	a, _ := os.ReadFile(filepath.Join(site, "content/policies/b.md"))
	e := strings.NewReplacer("MB0000002/2024-00001", "MB0000002/2024-00007", "测发改〔2024〕3号", "测发改〔2024〕7号",
		"date_published: 2024-03-05 09:30", "date_published: 2024-12-10",
		"title: 测试市发展和改革委员会关于修改预算办法的决定", "title: "+marker+"办法",
		"  amends: [MB0000001/2024-00001]\n", "",
		"修改正文。", marker+"正文。",
	).Replace(string(a))
	e = strings.Replace(e, "topic: 财政\n", "topic: 财政\nattachments:\n  - {name: 附件, file: attachments/embargo.txt}\n", 1)
	os.WriteFile(filepath.Join(site, "content/policies/e.md"), []byte(e), 0o644)
	os.WriteFile(filepath.Join(site, "content/attachments/embargo.txt"), []byte(marker+" attachment\n"), 0o644)

	code, stdout, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-09")
	if code != 0 {
		t.Fatalf("build before the day: exit %d\n%s", code, stderr)
	}
	if !strings.Contains(stdout, "scheduled: content/policies/e.md for 2024-12-10") {
		t.Errorf("summary lacks the scheduled record:\n%s", stdout)
	}
	assertNoMarker(t, out, marker)
	if got := filesWith(t, out, "mb0000002-2024-00007"); len(got) != 0 {
		t.Errorf("files naming the scheduled record's URL: %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, "attachments/embargo.txt")); err == nil {
		t.Error("the scheduled record's attachment was copied early")
	}
	sched, _ := os.ReadFile(filepath.Join(out+".search", "scheduled.json"))
	if !strings.Contains(string(sched), `"date": "2024-12-10"`) {
		t.Errorf("scheduled.json:\n%s", sched)
	}

	if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-10"); code != 0 {
		t.Fatalf("build on the day: exit %d\n%s", code, stderr)
	}
	got := filesWith(t, out, marker)
	for _, want := range []string{"policy/mb0000002-2024-00007.html", "policy/index.html", "catalogue.csv", "feeds/all.atom.xml", "feeds/policies.rss.xml", "attachments/embargo.txt"} {
		if !slices.Contains(got, want) {
			t.Errorf("on its day the document is not in %s (it is in %q)", want, got)
		}
	}
	if sm, _ := os.ReadFile(filepath.Join(out, "sitemap.xml")); !strings.Contains(string(sm), "mb0000002-2024-00007") {
		t.Error("on its day the document is not in the sitemap")
	}
	srv := serveOut(t, out)
	if r := apiSearch(t, srv, marker); r.Total != 1 {
		t.Errorf("search for the document on its day: %d results", r.Total)
	}
}

// TestHelperProcess is not a test: TestInterruptedBuild runs the test
// binary as a gongkai process through it, with the signal handling of
// cmd/gongkai's main.
func TestHelperProcess(t *testing.T) {
	if os.Getenv("GONGKAI_HELPER_PROCESS") != "1" {
		t.Skip("helper process for TestInterruptedBuild")
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	os.Stdout.WriteString("started\n")
	code := Run(ctx, strings.Split(os.Getenv("GONGKAI_HELPER_ARGS"), "\x1f"), os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// bigSite adds n copies of a policy to the tiny site, so a build takes a
// while.
func bigSite(t *testing.T, n int) string {
	t.Helper()
	site := writeSite(t, tinySite)
	src, _ := os.ReadFile(filepath.Join(site, "content/policies/old.md"))
	for i := range n {
		s := strings.NewReplacer("MB0000002/2024-00002", fmt.Sprintf("MB0000002/2024-%05d", 1000+i),
			"测发改〔2024〕4号", fmt.Sprintf("测发改〔2024〕%d号", 1000+i), "  replaced_by: MB0000002/2024-00001\n", "",
			"旧办法正文。", strings.Repeat("旧办法正文，第"+strconv.Itoa(i)+"件。", 200)).Replace(string(src))
		os.WriteFile(filepath.Join(site, "content/policies", fmt.Sprintf("gen-%05d.md", i)), []byte(s), 0o644)
	}
	return site
}

// TestInterruptedBuild sends SIGTERM to a build in progress, as Ctrl-C or a
// service manager would: the build stops within a second, exits 1, and the
// live site and its index are as the previous build left them, with no
// staging folder behind.
func TestInterruptedBuild(t *testing.T) {
	if testing.Short() {
		t.Skip("builds a 1,000-record site")
	}
	site := bigSite(t, 1000)
	out := filepath.Join(site, "public")
	args := []string{"build", "-source", site, "-out", out, "-date", "2024-12-01"}
	if code, _, stderr := run(t, args...); code != 0 {
		t.Fatalf("first build: exit %d\n%s", code, stderr)
	}
	before, beforeIdx := snapshot(t, out), snapshot(t, out+".search")
	for _, stage := range []string{"load", "render"} {
		t.Run(stage, func(t *testing.T) {
			cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
			cmd.Env = append(os.Environ(), "GONGKAI_HELPER_PROCESS=1", "GONGKAI_HELPER_ARGS="+strings.Join(args, "\x1f"))
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			stdout, err := cmd.StdoutPipe()
			if err != nil {
				t.Fatal(err)
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// The process handles signals once it says so.
			line, err := bufio.NewReader(stdout).ReadString('\n')
			if err != nil || line != "started\n" {
				t.Fatalf("helper process: %q, %v\n%s", line, err, stderr.String())
			}
			go io.Copy(io.Discard, stdout)
			// Wait until the build is in the stage: loading (no staging
			// folder yet) or rendering (its staging folder exists).
			deadline := time.Now().Add(30 * time.Second)
			for time.Now().Before(deadline) {
				m, _ := filepath.Glob(out + ".tmp-*")
				if stage == "load" || len(m) > 0 {
					break
				}
				time.Sleep(time.Millisecond)
			}
			if stage == "load" {
				time.Sleep(50 * time.Millisecond)
			}
			sent := time.Now()
			cmd.Process.Signal(syscall.SIGTERM)
			err = cmd.Wait()
			took := time.Since(sent)
			t.Logf("stopped %s after SIGTERM during %s", took.Round(time.Millisecond), stage)
			var ee *exec.ExitError
			if !errors.As(err, &ee) || ee.ExitCode() != 1 {
				t.Fatalf("exit = %v, want 1\n%s", err, stderr.String())
			}
			if !strings.Contains(stderr.String(), "build interrupted; public/ was not changed") {
				t.Errorf("stderr:\n%s", stderr.String())
			}
			if took > time.Second {
				t.Errorf("the build took %s to stop after SIGTERM, want at most a second", took)
			}
			for dir, want := range map[string]map[string]string{out: before, out + ".search": beforeIdx} {
				after := snapshot(t, dir)
				if len(after) != len(want) {
					t.Errorf("%s has %d files after the interrupted build, %d before", dir, len(after), len(want))
				}
				for p, b := range want {
					if after[p] != b {
						t.Errorf("%s changed", filepath.Join(dir, p))
						break
					}
				}
			}
			if m, _ := filepath.Glob(filepath.Join(site, "public*.tmp-*")); len(m) > 0 {
				t.Errorf("staging folders left: %q", m)
			}
		})
	}
}

// TestStateOutsideServedFolder checks that the build's bookkeeping is in the
// state folder and not served, and that a site last built before the state
// folder existed (manifest and feed state inside public/) still gets the
// missing-URL check on its first build after the upgrade.
func TestStateOutsideServedFolder(t *testing.T) {
	site := writeSite(t, tinySite)
	out := filepath.Join(site, "public")
	if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01"); code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	for _, f := range []string{"gongkai-urls.txt", "feeds/state.json", "withdrawn.json", "scheduled.json"} {
		if _, err := os.Stat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s is in the served folder", f)
		}
		if _, err := os.Stat(filepath.Join(out+".search", f)); err != nil {
			t.Errorf("%s is not in the state folder: %v", f, err)
		}
	}
	// The layout of older builds.
	for _, f := range []string{"gongkai-urls.txt", "feeds/state.json"} {
		if err := os.Rename(filepath.Join(out+".search", f), filepath.Join(out, f)); err != nil {
			t.Fatal(err)
		}
	}
	os.Remove(filepath.Join(site, "content/pages/contact.md"))
	code, _, stderr := run(t, "check", "-source", site, "-out", out, "-date", "2024-12-01")
	if code != 1 || !strings.Contains(stderr, "/page/contact.html was published by the previous build and is gone") {
		t.Errorf("check after an upgrade: exit %d\n%s", code, stderr)
	}
}
