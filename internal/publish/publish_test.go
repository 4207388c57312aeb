package publish

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
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
		if strings.HasPrefix(e.Name(), "public.old-") {
			continue // the replaced generation, kept until the next build
		}
		names = append(names, e.Name())
	}
	want := []string{"public", "public.lock", "public.search"}
	if !slices.Equal(names, want) {
		t.Errorf("folder holds %v, want %v (no staging folders left)", names, want)
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

// commitSteps lists the steps of a commit of two folders that already have
// a live generation, in order.
func commitSteps(t *testing.T) []string {
	t.Helper()
	root := t.TempDir()
	pub, idx := filepath.Join(root, "public"), filepath.Join(root, "public.search")
	write(t, filepath.Join(pub, "index.html"), "old")
	write(t, filepath.Join(idx, "x"), "old")
	s, err := Begin(pub, idx)
	if err != nil {
		t.Fatal(err)
	}
	var steps []string
	s.crash = func(step string) bool { steps = append(steps, step); return false }
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	return steps
}

// TestCrashAtEveryStep stops a commit after each of its steps, as a crash
// would, and checks that both live folders still hold one whole generation
// (old or new, never none and never a mix), and that the next Begin
// completes or drops the interrupted commit and leaves nothing behind.
func TestCrashAtEveryStep(t *testing.T) {
	t.Run("exchange", testCrashAtEveryStep)
	t.Run("two renames", func(t *testing.T) {
		exchangeFolders = func(a, b string) error { return errNoExchange }
		defer func() { exchangeFolders = exchange }()
		testCrashAtEveryStep(t)
	})
}

func testCrashAtEveryStep(t *testing.T) {
	steps := commitSteps(t)
	want := []string{"staged", "journal", "swap public", "swap public.search", "committed", "retire public", "retire public.search"}
	if !slices.Equal(steps, want) {
		t.Fatalf("commit steps = %q, want %q", steps, want)
	}
	for i, crashAt := range steps {
		t.Run(crashAt, func(t *testing.T) {
			root := t.TempDir()
			pub, idx := filepath.Join(root, "public"), filepath.Join(root, "public.search")
			write(t, filepath.Join(pub, "index.html"), "old")
			write(t, filepath.Join(idx, "x"), "old")
			s, err := Begin(pub, idx)
			if err != nil {
				t.Fatal(err)
			}
			write(t, filepath.Join(s.Dir(0), "index.html"), "new")
			write(t, filepath.Join(s.Dir(1), "x"), "new")
			s.crash = func(step string) bool { return step == crashAt }
			if err := s.Commit(); !errors.Is(err, errCrashed) {
				t.Fatalf("Commit = %v, want the simulated crash", err)
			}
			// Right after the crash, each live folder serves a whole
			// generation: the old one until its swap, the new one after.
			for j, p := range []string{filepath.Join(pub, "index.html"), filepath.Join(idx, "x")} {
				wantNow := "old"
				if i >= 2+j {
					wantNow = "new"
				}
				if got := read(t, p); got != wantNow {
					t.Errorf("after a crash at %q %s = %q, want %q", crashAt, p, got, wantNow)
				}
			}
			// The next build recovers: a commit that reached its journal
			// is completed, one that did not is dropped.
			s2, err := Begin(pub, idx)
			if err != nil {
				t.Fatalf("Begin after a crash: %v", err)
			}
			s2.Abort()
			wantAfter := "new"
			if i < 1 {
				wantAfter = "old"
			}
			for _, p := range []string{filepath.Join(pub, "index.html"), filepath.Join(idx, "x")} {
				if got := read(t, p); got != wantAfter {
					t.Errorf("after recovery %s = %q, want %q", p, got, wantAfter)
				}
			}
			entries, _ := os.ReadDir(root)
			var names []string
			for _, e := range entries {
				names = append(names, e.Name())
			}
			if want := []string{"public", "public.lock", "public.search"}; !slices.Equal(names, want) {
				t.Errorf("after recovery the folder holds %q, want %q", names, want)
			}
		})
	}
}

// TestRecoversTwoRenameLeftover recovers the state that the former
// two-rename commit left when it crashed between its renames: no live
// folder, the previous one renamed aside.
func TestRecoversTwoRenameLeftover(t *testing.T) {
	root := t.TempDir()
	pub := filepath.Join(root, "public")
	write(t, filepath.Join(pub, "index.html"), "old")
	s, err := Begin(pub)
	if err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(s.Dir(0), "index.html"), "new")
	j := journal{Pairs: []pair{{Live: pub, Staged: s.Dir(0), Old: pub + ".old-x"}}}
	if err := writeJournal(pub+".commit", j); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(pub, pub+".old-x"); err != nil {
		t.Fatal(err)
	}
	s.unlock() // the crash
	s2, err := Begin(pub)
	if err != nil {
		t.Fatal(err)
	}
	s2.Abort()
	if got := read(t, filepath.Join(pub, "index.html")); got != "new" {
		t.Errorf("after recovery public/index.html = %q, want new", got)
	}
}

// TestCommitKeepsPreviousGeneration checks that the generation a commit
// replaces stays readable until the next build begins: a server may still
// be answering a request from it.
func TestCommitKeepsPreviousGeneration(t *testing.T) {
	root := t.TempDir()
	pub := filepath.Join(root, "public")
	write(t, filepath.Join(pub, "index.html"), "gen1")
	s, _ := Begin(pub)
	write(t, filepath.Join(s.Dir(0), "index.html"), "gen2")
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	olds, _ := filepath.Glob(pub + ".old-*")
	if len(olds) != 1 || read(t, filepath.Join(olds[0], "index.html")) != "gen1" {
		t.Fatalf("previous generation not kept beside the live folder: %q", olds)
	}
	s2, _ := Begin(pub)
	s2.Abort()
	if olds, _ := filepath.Glob(pub + ".old-*"); len(olds) != 0 {
		t.Errorf("the next build did not remove the previous generation: %q", olds)
	}
}

// TestExchange checks that this platform exchanges two folders in one step
// (Linux), which is what makes the swap gap-free.
func TestExchange(t *testing.T) {
	root := t.TempDir()
	a, b := filepath.Join(root, "a"), filepath.Join(root, "b")
	write(t, filepath.Join(a, "f"), "a")
	write(t, filepath.Join(b, "f"), "b")
	err := exchange(a, b)
	if errors.Is(err, errNoExchange) {
		t.Skipf("no atomic exchange on this platform or file system: %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	if read(t, filepath.Join(a, "f")) != "b" || read(t, filepath.Join(b, "f")) != "a" {
		t.Error("exchange did not swap the folders")
	}
}
