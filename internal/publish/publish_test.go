package publish

import (
	"errors"
	"os"
	"path/filepath"
	"testing"
)

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCommitSwapsBothFolders(t *testing.T) {
	root := t.TempDir()
	pub, idx := filepath.Join(root, "public"), filepath.Join(root, "public.search")
	write(t, filepath.Join(pub, "index.html"), "old")
	s, err := Begin(pub, idx)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(s.Dir(0), "index.html"), "new")
	write(t, filepath.Join(s.Dir(1), "x"), "index")
	if got := read(t, filepath.Join(pub, "index.html")); got != "old" {
		t.Fatalf("before commit public/index.html = %q, want old", got)
	}
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(pub, "index.html")); got != "new" {
		t.Errorf("after commit public/index.html = %q, want new", got)
	}
	if got := read(t, filepath.Join(idx, "x")); got != "index" {
		t.Errorf("after commit index = %q, want index", got)
	}
	entries, _ := os.ReadDir(root)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"public", "public.lock", "public.search"}
	if len(names) != len(want) {
		t.Errorf("folder holds %v, want %v (no staging or old folders left)", names, want)
	}
}

func TestAbortLeavesLiveFolder(t *testing.T) {
	root := t.TempDir()
	pub := filepath.Join(root, "public")
	write(t, filepath.Join(pub, "index.html"), "old")
	s, err := Begin(pub)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(s.Dir(0), "index.html"), "half-written")
	s.Abort()
	if got := read(t, filepath.Join(pub, "index.html")); got != "old" {
		t.Errorf("after abort public/index.html = %q, want old", got)
	}
	if _, err := os.Stat(s.Dir(0)); !os.IsNotExist(err) {
		t.Errorf("staging folder %s still exists", s.Dir(0))
	}
}

func TestLockStopsSecondBuild(t *testing.T) {
	pub := filepath.Join(t.TempDir(), "public")
	s, err := Begin(pub)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Begin(pub); !errors.Is(err, ErrLocked) {
		t.Errorf("second Begin error = %v, want ErrLocked", err)
	}
	s.Abort()
	s2, err := Begin(pub)
	if err != nil {
		t.Fatalf("Begin after Abort: %v", err)
	}
	s2.Abort()
}
