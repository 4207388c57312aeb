package generator

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestWarmReadFile checks the warm path's file cache: a file modified
// within the racy window is read every time and not kept; a file left
// alone longer is kept and then served from memory; an edit that keeps
// its size and sets its modification time back is seen (its change time
// moved), and so is a file replaced by another (a new inode).
func TestWarmReadFile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	p := filepath.Join(dir, "content", "policies", "a.md")
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("---\ntitle: 一\n---\n正文一\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := OpenSiteDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	w := NewWarm()
	read := func(what, want string, kept bool) {
		t.Helper()
		w.begin()
		fo := newFolders(d)
		data, f, err := w.readFile(ctx, fo, "content/policies/a.md", 0, fileStamp{}, false)
		fo.close()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if string(data) != want {
			t.Errorf("%s: read %q, want %q", what, data, want)
		}
		if (f != nil) != kept {
			t.Errorf("%s: kept %t, want %t", what, f != nil, kept)
		}
	}
	read("just written", "---\ntitle: 一\n---\n正文一\n", false)
	if files, _ := w.hits(); files != 0 {
		t.Errorf("a file within the racy window came from memory")
	}
	time.Sleep(warmRacy + 500*time.Millisecond)
	read("left alone", "---\ntitle: 一\n---\n正文一\n", true)
	read("again", "---\ntitle: 一\n---\n正文一\n", true)
	if files, _ := w.hits(); files != 1 {
		t.Errorf("the unchanged file came from memory %d times in the last read, want 1", files)
	}

	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte("---\ntitle: 二\n---\n正文二\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	read("same size, time set back", "---\ntitle: 二\n---\n正文二\n", false)

	tmp := p + ".new"
	if err := os.WriteFile(tmp, []byte("---\ntitle: 三\n---\n正文三\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, p); err != nil {
		t.Fatal(err)
	}
	read("replaced", "---\ntitle: 三\n---\n正文三\n", false)

	// A symlink in place of the file is refused, as by an open.
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "elsewhere.md"), p); err != nil {
		t.Fatal(err)
	}
	w.begin()
	fo := newFolders(d)
	if _, _, err := w.readFile(ctx, fo, "content/policies/a.md", 0, fileStamp{}, false); err == nil {
		t.Error("a symlink was read")
	}
	fo.close()
}

// TestWarmMemoFor: a sum kept for a file and an input is computed once
// per input, a changed input computes it again, and only the last input's
// sum is kept.
func TestWarmMemoFor(t *testing.T) {
	var f warmFile
	calls := 0
	sum := func(v byte) func() [32]byte {
		return func() [32]byte { calls++; return [32]byte{v} }
	}
	a, b := [32]byte{1}, [32]byte{2}
	if got := f.memoFor("feed", a, sum(10)); got != [32]byte{10} || calls != 1 {
		t.Fatalf("first sum %v after %d calls", got[0], calls)
	}
	if got := f.memoFor("feed", a, sum(99)); got != [32]byte{10} || calls != 1 {
		t.Errorf("same input: %v after %d calls, want the kept 10 and no call", got[0], calls)
	}
	if got := f.memoFor("feed", b, sum(20)); got != [32]byte{20} || calls != 2 {
		t.Errorf("another input: %v after %d calls, want 20 computed", got[0], calls)
	}
	if got := f.memoFor("feed", a, sum(30)); got != [32]byte{30} || calls != 3 {
		t.Errorf("the first input again: %v after %d calls, want it computed again", got[0], calls)
	}
	if len(f.slots) != 1 {
		t.Errorf("%d slots kept, want 1", len(f.slots))
	}
}

// TestWarmTextSum checks that a Warm computes the sum of one string once,
// of an equal string at other memory afresh, drops what a build did not
// ask for, and that a nil Warm keeps nothing.
func TestWarmTextSum(t *testing.T) {
	w := NewWarm()
	calls := 0
	sum := func(s string) func() [32]byte {
		return func() [32]byte { calls++; return [32]byte{byte(len(s)), s[0]} }
	}
	a := strings.Repeat("正文", 40)
	b := strings.Clone(a)
	for i, tc := range []struct {
		s     string
		calls int
	}{{a, 1}, {a, 1}, {b, 2}, {b, 2}} {
		if got := w.TextSum(tc.s, sum(tc.s)); got != ([32]byte{byte(len(a)), a[0]}) || calls != tc.calls {
			t.Fatalf("step %d: sum %x after %d computations, want %d", i, got[:2], calls, tc.calls)
		}
	}
	w.begin() // a build that asks for a only
	w.TextSum(a, sum(a))
	w.begin()
	if w.TextSum(b, sum(b)); calls != 3 {
		t.Errorf("b, not asked for by the build before, was still kept (%d computations)", calls)
	}
	if w.TextSum(a, sum(a)); calls != 3 {
		t.Errorf("a, asked for by the build before, was dropped (%d computations)", calls)
	}
	var nw *Warm
	nw.TextSum(a, sum(a))
	nw.TextSum(a, sum(a))
	if calls != 5 {
		t.Errorf("a nil Warm kept a sum (%d computations, want 5)", calls)
	}
}
