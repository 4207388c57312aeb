package cli

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/generator"
)

// previewTag is the line a preview build adds to every HTML page of the
// tiny site (served at the root).
const previewTag = `<script src="/_preview/live.js" defer></script>` + "\n"

// TestPreviewBuildOnlyAddsTheScript builds the tiny site for production
// and as a live preview: the production output never names the preview,
// and the preview output is the production output plus the script line in
// every HTML page and the preview's own two files. So a production build
// is byte-identical to one made without any preview code in the way.
func TestPreviewBuildOnlyAddsTheScript(t *testing.T) {
	site := writeSite(t, tinySite)
	prod := filepath.Join(site, "public")
	ctx := context.Background()
	var stderr bytes.Buffer
	if _, code := build(ctx, siteFlags{source: site, out: prod, date: "2024-12-01", noPrecompress: true}, io.Discard, &stderr); code != 0 {
		t.Fatalf("production build: exit %d\n%s", code, stderr.String())
	}
	pv := previewFolder(prod)
	if _, code := build(ctx, siteFlags{source: site, out: pv, date: "2024-12-01", noPrecompress: true, previewOf: prod}, io.Discard, &stderr); code != 0 {
		t.Fatalf("preview build: exit %d\n%s", code, stderr.String())
	}
	want := snapshot(t, prod)
	got := snapshot(t, pv)
	pages := 0
	for name, data := range want {
		if strings.Contains(data, "_preview") || strings.Contains(data, "live.js") {
			t.Errorf("production file %s names the preview", name)
		}
		g, ok := got[name]
		if !ok {
			t.Errorf("preview build lacks %s", name)
			continue
		}
		if strings.HasSuffix(name, ".html") && strings.Contains(data, "</head>") {
			pages++
			if strings.Count(g, previewTag) != 1 {
				t.Errorf("preview page %s: the preview script %d times, want once", name, strings.Count(g, previewTag))
			}
			g = strings.Replace(g, previewTag, "", 1)
		}
		if g != data {
			t.Errorf("preview file %s differs from production beyond the script line", name)
		}
	}
	if pages < 10 {
		t.Errorf("compared %d HTML pages, want the whole tiny site", pages)
	}
	for name := range got {
		if _, ok := want[name]; !ok && name != filepath.FromSlash("_preview/live.js") && name != filepath.FromSlash("_preview/live.css") {
			t.Errorf("preview build has %s, which production has not", name)
		}
	}
	// The search results page frame too.
	prodShell, _ := os.ReadFile(filepath.Join(prod+".search", shellFile))
	pvShell, _ := os.ReadFile(filepath.Join(pv+".search", shellFile))
	if bytes.Contains(prodShell, []byte("_preview")) || string(bytes.Replace(pvShell, []byte(previewTag), nil, 1)) != string(prodShell) ||
		!bytes.Contains(pvShell, []byte(previewTag)) {
		t.Errorf("search shell: production must not name the preview, the preview must add exactly the script line")
	}
}

// previewEvents reads the preview's event stream.
type previewEvents struct {
	t    *testing.T
	resp *http.Response
	ch   chan previewState
}

func openEvents(t *testing.T, base string) *previewEvents {
	t.Helper()
	req, _ := http.NewRequestWithContext(t.Context(), "GET", base+"/_preview/events", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("events: Content-Type %q", ct)
	}
	ev := &previewEvents{t: t, resp: resp, ch: make(chan previewState, 16)}
	go func() {
		defer close(ev.ch)
		sc := bufio.NewScanner(resp.Body)
		sc.Buffer(nil, 1<<20)
		event := ""
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: ") && event == "state":
				var st previewState
				if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &st); err != nil {
					t.Errorf("event data: %v", err)
					return
				}
				ev.ch <- st
			}
		}
	}()
	t.Cleanup(func() { resp.Body.Close() })
	return ev
}

// next returns the next state the preview sends, within a bound.
func (ev *previewEvents) next() previewState {
	ev.t.Helper()
	select {
	case st, ok := <-ev.ch:
		if !ok {
			ev.t.Fatal("the event stream ended")
		}
		return st
	case <-time.After(60 * time.Second):
		ev.t.Fatal("no event from the preview within 60 s")
	}
	return previewState{}
}

// startPreview serves a live preview of site on a loopback port and
// returns its URL.
func startPreview(t *testing.T, site string) (string, *syncBuffer) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	var stdout, stderr = &syncBuffer{}, &syncBuffer{}
	done := make(chan int)
	go func() {
		done <- servePreview(ctx, siteFlags{source: site, out: filepath.Join(site, "public"), date: "2024-12-01"}, ln, stdout, stderr)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(30 * time.Second):
			t.Error("the preview did not stop within 30 s of its context ending")
		}
	})
	return "http://" + ln.Addr().String(), stderr
}

// syncBuffer is a bytes.Buffer safe for the preview's goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

func get(t *testing.T, u string) (int, string, http.Header) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

func writeFile(t *testing.T, p, data string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
}

func editFile(t *testing.T, p, old, new string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s has no %q", p, old)
	}
	writeFile(t, p, strings.Replace(string(b), old, new, 1))
}

// TestPreviewRebuilds drives a live preview of the tiny site through an
// edit, a content error, its fix, a new folder and a scheduled record,
// reading the event stream the preview script reads.
func TestPreviewRebuilds(t *testing.T) {
	site := writeSite(t, tinySite)
	// A scheduled (embargoed) record and a withdrawn one for the side panel.
	writeFile(t, filepath.Join(site, "content/policies/later.md"), strings.NewReplacer("2024-00077", "2024-00078", "77号", "78号",
		"新文件夹里的文件", "定时发布的文件", "date_published: 2024-03-05", "date_published: 2024-12-20").Replace(policyRecord))
	base, stderr := startPreview(t, site)
	ev := openEvents(t, base)
	st := ev.next()
	if !st.OK || st.Build == "" || !st.HasSite || len(st.Errors) != 0 {
		t.Fatalf("first state = %+v, want a served build without errors\n%s", st, stderr)
	}
	status := map[string]generator.Unpublished{}
	for _, u := range st.Unpublished {
		status[u.Path] = u
	}
	for path, want := range map[string]string{"content/policies/secret.md": generator.StatusWithheld,
		"content/policies/norequest.md": generator.StatusWithheld, "content/policies/later.md": generator.StatusScheduled} {
		if status[path].Status != want {
			t.Errorf("side panel: %s is %q, want %q (all: %+v)", path, status[path].Status, want, st.Unpublished)
		}
	}
	if u := status["content/policies/secret.md"]; u.Mode != "涉密" {
		t.Errorf("side panel: secret.md's mode = %q, want 涉密", u.Mode)
	}
	if u := status["content/policies/later.md"]; u.Date != "2024-12-20" {
		t.Errorf("side panel: later.md scheduled for %q, want 2024-12-20", u.Date)
	}

	page := base + "/policy/mb0000001-2024-00001.html"
	code, body, hdr := get(t, page)
	if code != 200 || !strings.Contains(body, previewTag) || !strings.Contains(body, "一段简单测试") {
		t.Fatalf("GET %s = %d, want the preview page with its script\n%s", page, code, body)
	}
	if got := hdr.Get("Server-Timing"); !strings.Contains(got, st.Build) {
		t.Errorf("Server-Timing = %q, want the build %q", got, st.Build)
	}
	if code, js, _ := get(t, base+"/_preview/live.js"); code != 200 || !strings.Contains(js, "EventSource") {
		t.Errorf("GET /_preview/live.js = %d", code)
	}

	// An edit: a new build, the page shows it.
	a := filepath.Join(site, "content/policies/a.md")
	editFile(t, a, "一段简单测试", "一段修改过的测试")
	st2 := ev.next()
	if !st2.OK || st2.Build == st.Build {
		t.Fatalf("after an edit: %+v, want a new build", st2)
	}
	if _, body, _ := get(t, page); !strings.Contains(body, "一段修改过的测试") {
		t.Errorf("the page does not show the edit")
	}

	// A content error: the last good build stays served, the errors say
	// file:line: field: message.
	editFile(t, a, "date_written: 2024-01-05", "date_written: 2024-13-05\ntittle: x")
	st3 := ev.next()
	if st3.OK || st3.Build != st2.Build || !st3.HasSite {
		t.Fatalf("after an error: %+v, want the previous build still served", st3)
	}
	wantErrs := []string{"content/policies/a.md:8: date_written: ", "content/policies/a.md:9: tittle: unknown key"}
	for _, w := range wantErrs {
		found := false
		for _, e := range st3.Errors {
			found = found || strings.HasPrefix(e, w)
		}
		if !found {
			t.Errorf("errors %q lack %q", st3.Errors, w)
		}
	}
	if code, body, _ := get(t, page); code != 200 || !strings.Contains(body, "一段修改过的测试") {
		t.Errorf("during the error the page is %d, want the last good one", code)
	}
	// The fix clears them.
	editFile(t, a, "date_written: 2024-13-05\ntittle: x", "date_written: 2024-01-05")
	st4 := ev.next()
	if !st4.OK || len(st4.Errors) != 0 || st4.Build == st2.Build {
		t.Fatalf("after the fix: %+v, want a new build without errors", st4)
	}

	// A folder made after the preview started is watched too: once the
	// build its creation caused is done, a record written into it shows.
	sub := filepath.Join(site, "content/policies/2024")
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	st5 := ev.next()
	writeFile(t, filepath.Join(sub, "new.md"), policyRecord)
	st6 := ev.next()
	if !st6.OK || st6.Build == st5.Build {
		t.Fatalf("after a record in a new folder: %+v", st6)
	}
	if code, body, _ := get(t, base+"/policy/mb0000002-2024-00077.html"); code != 200 || !strings.Contains(body, "新文件夹里的文件") {
		t.Errorf("the record in the new folder: %d", code)
	}
	// Files the build never reads (an editor's swap file, the output
	// folders beside content/) start no build.
	writeFile(t, filepath.Join(site, "content/policies/.a.md.swp"), "x")
	writeFile(t, filepath.Join(site, "public.preview.tmp-x/junk.html"), "x")
	select {
	case st := <-ev.ch:
		t.Errorf("a hidden file or an output folder started a build: %+v", st)
	case <-time.After(time.Second):
	}
}

// policyRecord is a policy for tests that add one.
const policyRecord = `---
disclosure: 主动公开
index_no: MB0000002/2024-00077
title: 新文件夹里的文件
summary: 测试。
agencies: [fgw]
doc_no: 测发改〔2024〕77号
date_written: 2024-03-01
date_published: 2024-03-05
topic: 财政
validity:
  status: 有效
  effective: 2024-03-05
---

正文。
`

// TestPreviewStartsWithErrors starts a preview on broken content: with a
// previous preview it serves that, else a page that shows the errors; the
// fix brings the site.
func TestPreviewStartsWithErrors(t *testing.T) {
	t.Run("no previous build", func(t *testing.T) {
		site := writeSite(t, tinySite)
		b := filepath.Join(site, "content/policies/b.md")
		editFile(t, b, "topic: 财政", "topic: 环保")
		base, _ := startPreview(t, site)
		ev := openEvents(t, base)
		st := ev.next()
		if st.OK || st.HasSite || len(st.Errors) == 0 || !strings.HasPrefix(st.Errors[0], "content/policies/b.md:") {
			t.Fatalf("state = %+v, want the error and no site", st)
		}
		code, body, _ := get(t, base+"/policy/")
		if code != http.StatusServiceUnavailable || !strings.Contains(body, generator.PreviewScript) {
			t.Errorf("GET /policy/ = %d, want 503 with the preview script\n%s", code, body)
		}
		editFile(t, b, "topic: 环保", "topic: 财政")
		if st := ev.next(); !st.OK || !st.HasSite {
			t.Fatalf("after the fix: %+v", st)
		}
		if code, _, _ := get(t, base+"/policy/"); code != 200 {
			t.Errorf("after the fix GET /policy/ = %d", code)
		}
	})
	t.Run("previous build", func(t *testing.T) {
		site := writeSite(t, tinySite)
		out := filepath.Join(site, "public")
		var stderr bytes.Buffer
		if _, code := build(context.Background(), siteFlags{source: site, out: previewFolder(out), date: "2024-12-01", previewOf: out, preview: true, noPrecompress: true},
			io.Discard, &stderr); code != 0 {
			t.Fatalf("build: %s", stderr.String())
		}
		editFile(t, filepath.Join(site, "content/policies/b.md"), "topic: 财政", "topic: 环保")
		base, _ := startPreview(t, site)
		st := openEvents(t, base).next()
		if st.OK || !st.HasSite || len(st.Errors) == 0 {
			t.Fatalf("state = %+v, want the error with the previous build served", st)
		}
		if code, body, _ := get(t, base+"/policy/"); code != 200 || !strings.Contains(body, previewTag) {
			t.Errorf("GET /policy/ = %d, want the previous preview", code)
		}
	})
}
