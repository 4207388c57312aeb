package generator

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func writeTestFile(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestRecycledReplaceNeverWritesInPlace checks the writers' primitives in a
// recycled staging folder: a file that is a hard link into another tree is
// replaced, not written through (the other tree keeps its bytes), and a
// file where a folder goes now, or a folder where a file goes, gives way.
func TestRecycledReplaceNeverWritesInPlace(t *testing.T) {
	root := filepath.Join(t.TempDir(), "staged")
	live := filepath.Join(t.TempDir(), "live")
	writeTestFile(t, filepath.Join(live, "page.html"), "live bytes")
	if err := os.MkdirAll(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Link(filepath.Join(live, "page.html"), filepath.Join(root, "page.html")); err != nil {
		t.Skipf("no hard links here: %v", err)
	}
	writeTestFile(t, filepath.Join(root, "page.html.br"), "stale copy")
	writeTestFile(t, filepath.Join(root, "list"), "a file where a folder goes now")
	writeTestFile(t, filepath.Join(root, "feed.xml", "old.xml"), "a folder where a file goes now")

	d := &dirCache{root: root, recycled: true}
	if _, err := d.write(root, "page.html", []byte("new bytes")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.write(root, filepath.Join("list", "index.html"), []byte("list")); err != nil {
		t.Fatal(err)
	}
	if _, err := d.write(root, "feed.xml", []byte("feed")); err != nil {
		t.Fatal(err)
	}
	for p, want := range map[string]string{
		filepath.Join(live, "page.html"):       "live bytes",
		filepath.Join(root, "page.html"):       "new bytes",
		filepath.Join(root, "list/index.html"): "list",
		filepath.Join(root, "feed.xml"):        "feed",
	} {
		if b, err := os.ReadFile(p); err != nil || string(b) != want {
			t.Errorf("%s = %q, %v; want %q", p, b, err, want)
		}
	}
	if _, err := os.Lstat(filepath.Join(root, "page.html.br")); err == nil {
		t.Error("the stale copy of a replaced file survived")
	}
}

// TestSweep checks that Sweep keeps exactly the planned files and the
// caller's own paths, and removes everything else: stray files, a symlink
// under a planned name, and the folders left empty.
func TestSweep(t *testing.T) {
	root := t.TempDir()
	for _, f := range []string{"index.html", "index.html.br", "policy/a.html", "policy/stray.html",
		"gone/deep/x.html", "search/index.json", "static/search/c/1.bin", "static/site.css", "zz.gz"} {
		writeTestFile(t, filepath.Join(root, f), f)
	}
	if err := os.MkdirAll(filepath.Join(root, "empty/folder"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(root, "policy", "b.html")); err != nil {
		t.Fatal(err)
	}
	res := &Result{keep: map[string]bool{"index.html": true, "index.html.br": true,
		filepath.FromSlash("policy/a.html"): true, filepath.FromSlash("policy/b.html"): true, filepath.FromSlash("static/site.css"): true}}
	n, err := res.Sweep(root, "search", "static/search")
	if err != nil {
		t.Fatal(err)
	}
	var left []string
	filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err == nil && p != root {
			rel, _ := filepath.Rel(root, p)
			left = append(left, filepath.ToSlash(rel))
		}
		return err
	})
	want := []string{"index.html", "index.html.br", "policy", "policy/a.html", "search", "search/index.json",
		"static", "static/search", "static/search/c", "static/search/c/1.bin", "static/site.css"}
	if !slices.Equal(left, want) {
		t.Errorf("after the sweep:\n%q\nwant\n%q", left, want)
	}
	if n != 4 {
		t.Errorf("Sweep removed %d files, want 4 (policy/stray.html, policy/b.html, gone/deep/x.html, zz.gz)", n)
	}
	if n, err := (&Result{}).Sweep(root); err != nil || n != 0 {
		t.Errorf("Sweep after a render into an empty folder = %d, %v; want 0, nil", n, err)
	}
	// The static search may still be writing while Sweep runs: a folder
	// above its own stays even when nothing planned is in it yet.
	root = t.TempDir()
	writeTestFile(t, filepath.Join(root, "static", "old.css"), "old")
	res = &Result{keep: map[string]bool{"index.html": true}}
	if n, err := res.Sweep(root, "static/search"); err != nil || n != 1 {
		t.Fatalf("Sweep = %d, %v; want 1 (static/old.css), nil", n, err)
	}
	if fi, err := os.Stat(filepath.Join(root, "static")); err != nil || !fi.IsDir() {
		t.Errorf("the folder above an owned one was removed: %v", err)
	}
}
