package browsertest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"gongkai/cmd/internal/cli"
)

// previewBaseURL is where the live preview test builds the sample portal:
// under a base path, as a column of a larger portal, so the preview's
// script and events are proven to live under it too.
const previewBaseURL = "https://www.yunze.gov.cn/zfxxgk/"

// previewRecord is the sample policy the live preview test edits, and the
// page it has under previewBaseURL.
const (
	previewRecord = "content/policies/2022-daqi-gongjian.md"
	previewPage   = "/zfxxgk/policy/11519900mb1500507g-2022-00011.html"
)

// previewWait bounds each wait for the preview: a rebuild of the whole
// sample portal on a busy machine (the latency is logged, not asserted).
const previewWait = 60 * time.Second

// lockedBuffer collects the preview's terminal output from its goroutines.
type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// startLivePreview copies the sample portal's content into a temporary
// site and serves a live preview of it on a loopback port, as `gongkai
// serve -base-url previewBaseURL` does. It returns the site folder and the
// server's origin (http://127.0.0.1:PORT) once the first build is served.
func startLivePreview(t *testing.T) (site, origin string, log *lockedBuffer) {
	t.Helper()
	site = t.TempDir()
	if err := os.CopyFS(filepath.Join(site, "content"), os.DirFS(filepath.Join(theSite.source, "content"))); err != nil {
		t.Fatalf("copy the sample content: %v", err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	log = &lockedBuffer{}
	done := make(chan int, 1)
	cfg := cli.BuildConfig{Source: site, Out: filepath.Join(site, "public"), Date: buildDate, BaseURL: previewBaseURL}
	go func() { done <- cli.ServePreview(ctx, cfg, ln, log, log) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != 0 {
				t.Errorf("the preview exited %d\n%s", code, log)
			}
		case <-time.After(30 * time.Second):
			t.Error("the preview did not stop within 30 s of its context ending")
		}
	})
	origin = "http://" + ln.Addr().String()
	deadline := time.Now().Add(previewWait)
	for {
		resp, err := httpClient.Get(origin + previewPage)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return site, origin, log
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the preview serves no %s within %s (last: %v)\n%s", previewPage, previewWait, err, log)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// previewView is what the test reads of the open page.
type previewView struct {
	Mark     bool     `json:"mark"`  // the marker set before an edit: gone after a reload
	State    string   `json:"state"` // data-gk-preview: "ok", "error" or "" before the events connected
	H1       string   `json:"h1"`
	Title    string   `json:"title"`
	Overlay  []string `json:"overlay"` // the overlay's error lines; nil without an overlay
	Withheld int      `json:"withheld"`
	Panel    string   `json:"panel"`
}

const readPreview = `() => {
  const ov = document.getElementById("gk-preview-overlay");
  const toggle = document.querySelector("#gk-preview-panel .gk-preview-toggle");
  const h1 = document.querySelector("main h1");
  return {
    mark: window.gkPreviewMark === true,
    state: document.documentElement.getAttribute("data-gk-preview") || "",
    h1: h1 ? h1.textContent.trim() : "",
    title: document.title,
    overlay: ov && !ov.hidden ? Array.from(ov.querySelectorAll("li"), li => li.textContent) : null,
    withheld: document.querySelectorAll('#gk-preview-panel li[data-status="withheld"]').length,
    panel: toggle ? toggle.textContent : "",
  };
}`

// waitView polls the open page until ok holds, through reloads (an
// evaluation that meets a navigation is retried), and returns what it saw
// and how long it took.
func waitView(t *testing.T, tb *tab, what string, ok func(previewView) bool) (previewView, time.Duration) {
	t.Helper()
	start := time.Now()
	var v previewView
	var last error
	for time.Since(start) < previewWait {
		res, err := tb.page.Timeout(stepTimeout).Eval(readPreview)
		if err == nil {
			v = previewView{}
			if err := res.Value.Unmarshal(&v); err != nil {
				t.Fatalf("%s: decode %s: %v", what, res.Value.JSON("", ""), err)
			}
			if ok(v) {
				return v, time.Since(start)
			}
		}
		last = err
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s; the page shows %+v (last error: %v)", what, previewWait, v, last)
	return v, 0
}

// TestLivePreview opens a page of a live preview of the sample portal
// (served under /zfxxgk/) in Chromium and edits its record on disk, as an
// editor does: the page reloads with the change; a front-matter error
// shows an overlay with file:line: field: message over the last good page,
// which does not reload; the fix removes the overlay.
func TestLivePreview(t *testing.T) {
	browser(t) // skips (or fails) before the build when there is no browser
	site, origin, log := startLivePreview(t)
	tb := openTab(t, tabOptions{width: 1280})
	pg := tb.page.Timeout(loadTimeout)
	if err := pg.Navigate(origin + previewPage); err != nil {
		t.Fatalf("open %s: %v", previewPage, err)
	}
	if err := pg.WaitLoad(); err != nil {
		t.Fatalf("open %s: %v", previewPage, err)
	}
	v, _ := waitView(t, tb, "the preview script connects", func(v previewView) bool { return v.State == "ok" })
	if !strings.Contains(v.H1, "云泽市2022年大气污染防治攻坚行动方案") {
		t.Fatalf("the page's heading is %q, want the policy's title", v.H1)
	}
	// The side panel names the sample's withheld records (README: 3).
	if v.Withheld < 3 || !strings.Contains(v.Panel, "不会发布") {
		t.Errorf("side panel: %d withheld records, toggle %q; want at least 3", v.Withheld, v.Panel)
	}
	tb.check("the preview page")

	rec := filepath.Join(site, previewRecord)
	orig, err := os.ReadFile(rec)
	if err != nil {
		t.Fatal(err)
	}
	mark := func() { tb.eval(nil, `() => { window.gkPreviewMark = true; }`) }

	// 1. An edit on disk: the open page reloads with it.
	const newTitle = "云泽市2022年大气污染防治攻坚行动方案（修订稿）"
	edited := bytes.Replace(orig, []byte("title: 云泽市2022年大气污染防治攻坚行动方案\n"), []byte("title: "+newTitle+"\n"), 1)
	if bytes.Equal(edited, orig) {
		t.Fatalf("%s has no title line to edit", previewRecord)
	}
	mark()
	if err := os.WriteFile(rec, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	v, took := waitView(t, tb, "the page reloads with the edit", func(v previewView) bool {
		return !v.Mark && v.State == "ok" && v.H1 == newTitle
	})
	t.Logf("edit → reloaded page with the new title: %s", took.Round(time.Millisecond))
	if !strings.Contains(v.Title, newTitle) {
		t.Errorf("after the edit the document title is %q, want the new title in it", v.Title)
	}

	// 2. A front-matter error: the overlay says where, the page stays.
	broken := bytes.Replace(edited, []byte("date_written: 2022-03-21\n"), []byte("date_written: 2022-13-21\n"), 1)
	if bytes.Equal(broken, edited) {
		t.Fatalf("%s has no date_written line to break", previewRecord)
	}
	line := 1 + bytes.Count(broken[:bytes.Index(broken, []byte("date_written: 2022-13-21"))], []byte("\n"))
	wantLine := fmt.Sprintf("%s:%d: date_written: ", previewRecord, line)
	mark()
	if err := os.WriteFile(rec, broken, 0o644); err != nil {
		t.Fatal(err)
	}
	v, took = waitView(t, tb, "the overlay shows the error", func(v previewView) bool { return v.State == "error" && v.Overlay != nil })
	t.Logf("error on disk → overlay: %s", took.Round(time.Millisecond))
	found := false
	for _, l := range v.Overlay {
		found = found || strings.HasPrefix(l, wantLine)
	}
	if !found {
		t.Errorf("overlay lines %q, want one starting %q", v.Overlay, wantLine)
	}
	if !v.Mark || v.H1 != newTitle {
		t.Errorf("with the error the page reloaded or changed (mark %v, heading %q); want the last good page kept", v.Mark, v.H1)
	}
	// The server keeps serving the last good build too.
	resp, err := httpClient.Get(origin + previewPage)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("with the error GET %s = %d, want the last good page", previewPage, resp.StatusCode)
	}

	// 3. The fix, saved as many editors save (a new file renamed over the
	// old one): the overlay goes with the reload.
	tmp := filepath.Join(filepath.Dir(rec), ".gongkai-save.tmp")
	if err := os.WriteFile(tmp, edited, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, rec); err != nil {
		t.Fatal(err)
	}
	v, took = waitView(t, tb, "the fix removes the overlay", func(v previewView) bool {
		return !v.Mark && v.State == "ok" && v.Overlay == nil
	})
	t.Logf("fix on disk → page without overlay: %s", took.Round(time.Millisecond))
	if v.H1 != newTitle {
		t.Errorf("after the fix the heading is %q, want %q", v.H1, newTitle)
	}
	tb.check("the preview page after the edits")
	if t.Failed() {
		t.Logf("preview output:\n%s", log)
	}
}
