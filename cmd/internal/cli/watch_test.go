package cli

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/generator"
)

// startDebounce runs debounce on a fresh channel and returns the channel
// and the runs as they happen; it stops when the test ends.
func startDebounce(t *testing.T, quiet, maxWait time.Duration, run func()) chan<- struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	changed := make(chan struct{}) // unbuffered: a send returns once debounce took it
	done := make(chan struct{})
	go func() {
		defer close(done)
		debounce(ctx, changed, quiet, maxWait, run)
	}()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("debounce did not return within 10 s of its context ending")
		}
	})
	return changed
}

// TestDebounceCoalescesABurst: ten changes a few milliseconds apart (an
// editor's save: write, rename, chmod, a backup file) make one build.
func TestDebounceCoalescesABurst(t *testing.T) {
	runs := make(chan time.Time, 16)
	changed := startDebounce(t, 500*time.Millisecond, time.Minute, func() { runs <- time.Now() })
	var last time.Time
	for range 10 {
		changed <- struct{}{}
		last = time.Now()
		time.Sleep(5 * time.Millisecond)
	}
	select {
	case at := <-runs:
		if at.Before(last) {
			t.Errorf("the build ran %s before the last change", last.Sub(at))
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no build within 30 s of the burst")
	}
	select {
	case <-runs:
		t.Error("one burst of changes made two builds")
	case <-time.After(time.Second):
	}
}

// TestDebounceBoundsTheWait: changes that never stop still build, every
// maxWait, rather than waiting for a quiet moment that never comes.
func TestDebounceBoundsTheWait(t *testing.T) {
	var n atomic.Int32
	changed := startDebounce(t, time.Hour, 100*time.Millisecond, func() { n.Add(1) })
	deadline := time.Now().Add(30 * time.Second)
	for n.Load() < 2 {
		if time.Now().After(deadline) {
			t.Fatalf("%d builds in 30 s of steady changes, want 2", n.Load())
		}
		select {
		case changed <- struct{}{}:
		case <-time.After(10 * time.Millisecond): // a build is running
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// TestDebounceKeepsChangesDuringABuild: a change saved while a build runs
// makes another build after it (the watcher's one-slot channel holds it),
// and builds never overlap.
func TestDebounceKeepsChangesDuringABuild(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changed := make(chan struct{}, 1) // as watchSources's channel
	started, release := make(chan int, 4), make(chan struct{})
	var running, n atomic.Int32
	go debounce(ctx, changed, 10*time.Millisecond, time.Second, func() {
		if running.Add(1) != 1 {
			t.Error("two builds ran at once")
		}
		started <- int(n.Add(1))
		<-release
		running.Add(-1)
	})
	changed <- struct{}{}
	wait := func(want int) {
		t.Helper()
		select {
		case got := <-started:
			if got != want {
				t.Fatalf("build %d started, want %d", got, want)
			}
		case <-time.After(30 * time.Second):
			t.Fatalf("build %d did not start within 30 s", want)
		}
	}
	wait(1)
	changed <- struct{}{} // saved during build 1
	release <- struct{}{}
	wait(2)
	release <- struct{}{}
	select {
	case got := <-started:
		t.Errorf("build %d started without a change", got)
	case <-time.After(500 * time.Millisecond):
	}
}

// watchEvents starts watchSources on root and returns its channel.
func watchEvents(t *testing.T, root string) <-chan struct{} {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	changed := make(chan struct{}, 1)
	w, err := watchSources(ctx, root, changed, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		cancel()
		w.Close()
	})
	return changed
}

// settle waits until the watcher has been quiet for a while, draining
// what it reported (the events of a set-up step).
func settle(changed <-chan struct{}) {
	for {
		select {
		case <-changed:
		case <-time.After(300 * time.Millisecond):
			return
		}
	}
}

func expectChange(t *testing.T, changed <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Errorf("%s: no change reported within 10 s", what)
	}
	settle(changed)
}

func expectNoChange(t *testing.T, changed <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-changed:
		t.Errorf("%s: reported as a change", what)
		settle(changed)
	case <-time.After(500 * time.Millisecond):
	}
}

// TestWatchSources: every file under content/ and theme/ counts, in
// folders made (several levels at once), moved in or appearing after the
// watch started too; hidden files, backups, permission changes and
// everything beside the two folders (the build's output) do not.
func TestWatchSources(t *testing.T) {
	root := t.TempDir()
	writeFile(t, filepath.Join(root, "content/site.yaml"), "site: x\n")
	changed := watchEvents(t, root)

	writeFile(t, filepath.Join(root, "content/site.yaml"), "site: y\n")
	expectChange(t, changed, "an edit of content/site.yaml")

	// Three levels made at once: the inner ones exist before the watch on
	// the outer one is added, so they must be found by walking it.
	deep := filepath.Join(root, "content/policies/2024/q1")
	if err := os.MkdirAll(deep, 0o755); err != nil {
		t.Fatal(err)
	}
	expectChange(t, changed, "new folders")
	writeFile(t, filepath.Join(deep, "a.md"), "x")
	expectChange(t, changed, "a file in a folder made after the watch started")

	// A folder moved in from outside the site, with a file already in it.
	outside := t.TempDir()
	writeFile(t, filepath.Join(outside, "moved/in/b.md"), "x")
	if err := os.Rename(filepath.Join(outside, "moved"), filepath.Join(root, "content/moved")); err != nil {
		t.Fatal(err)
	}
	expectChange(t, changed, "a folder moved in")
	writeFile(t, filepath.Join(root, "content/moved/in/b.md"), "y")
	expectChange(t, changed, "an edit in a folder moved in")

	// theme/ made after the watch started.
	writeFile(t, filepath.Join(root, "theme/static/site.css"), "a{}")
	expectChange(t, changed, "theme/ appearing")
	writeFile(t, filepath.Join(root, "theme/static/site.css"), "b{}")
	expectChange(t, changed, "an edit in theme/")

	// What the build never reads.
	writeFile(t, filepath.Join(root, "content/policies/.a.md.swp"), "x")
	expectNoChange(t, changed, "an editor's swap file")
	writeFile(t, filepath.Join(root, "content/policies/a.md~"), "x")
	expectNoChange(t, changed, "a backup file")
	if err := os.Chmod(filepath.Join(deep, "a.md"), 0o600); err != nil {
		t.Fatal(err)
	}
	expectNoChange(t, changed, "a permission change")
	writeFile(t, filepath.Join(root, "public.preview/index.html"), "x")
	writeFile(t, filepath.Join(root, "README.md"), "x")
	expectNoChange(t, changed, "files beside content/ and theme/")
	if err := os.MkdirAll(filepath.Join(root, "content/.git/objects"), 0o755); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(root, "content/.git/objects/x"), "x")
	expectNoChange(t, changed, "a hidden folder")

	// Removing a record counts.
	if err := os.Remove(filepath.Join(deep, "a.md")); err != nil {
		t.Fatal(err)
	}
	expectChange(t, changed, "a removed file")
}

// TestPreviewRedactsForOtherMachines: a browser elsewhere (serve -addr
// 0.0.0.0:1313) learns that the build failed, not the error lines or the
// withheld records, which can quote what is not published.
func TestPreviewRedactsForOtherMachines(t *testing.T) {
	st := previewState{Build: "b1", OK: false, HasSite: true,
		Errors:      []string{"content/policies/secret.md:3: title: 涉密标题 LEAKMARKER"},
		Warnings:    []string{"content/policies/x.md:4: w: LEAKMARKER"},
		Unpublished: []generator.Unpublished{{Path: "content/policies/secret.md", Title: "涉密标题 LEAKMARKER", Status: generator.StatusWithheld}}}
	r := st.redacted()
	data, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(data), "LEAKMARKER") || strings.Contains(string(data), "secret.md") {
		t.Errorf("redacted state leaks: %s", data)
	}
	if r.OK || !r.HasSite || r.Build != "b1" || len(r.Errors) != 1 {
		t.Errorf("redacted state lost the build's outcome: %+v", r)
	}
	for addr, want := range map[string]bool{"127.0.0.1:5000": true, "[::1]:80": true, "192.168.1.20:5000": false, "[2001:db8::1]:80": false, "garbage": false} {
		if got := loopbackClient(addr); got != want {
			t.Errorf("loopbackClient(%q) = %v, want %v", addr, got, want)
		}
	}
}
