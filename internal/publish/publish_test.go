package publish

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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
	want := []string{"public", "public.lock", "public.retired", "public.search"}
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
			checkRecovered(t, root, pub, idx, wantAfter)
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

// generations commits n generations of public/ and public.search/, each
// holding its number in index.html and x, and returns the root folder.
func generations(t *testing.T, n int) (root, pub, idx string) {
	t.Helper()
	root = t.TempDir()
	pub, idx = filepath.Join(root, "public"), filepath.Join(root, "public.search")
	for g := 1; g <= n; g++ {
		s, err := Begin(pub, idx)
		if err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(s.Dir(0), "index.html"), fmt.Sprint("gen", g))
		write(t, filepath.Join(s.Dir(1), "x"), fmt.Sprint("gen", g))
		if err := s.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	return root, pub, idx
}

// TestBeginRecycling checks that BeginRecycling stages the generation the
// previous Commit replaced, and only that one: the state folder is staged
// empty, the live folders are untouched, and the recycled folder's inode
// is reported.
func TestBeginRecycling(t *testing.T) {
	_, pub, idx := generations(t, 2)
	olds, _ := filepath.Glob(pub + ".old-*")
	if len(olds) != 1 {
		t.Fatalf("retired generations %q, want one", olds)
	}
	fi, err := os.Lstat(olds[0])
	if err != nil {
		t.Fatal(err)
	}
	s, err := BeginRecycling(pub, idx)
	if err != nil {
		t.Fatal(err)
	}
	ino, ok := s.Recycled()
	if !ok || ino != inode(fi) {
		t.Fatalf("Recycled() = %d, %t; want %d, true", ino, ok, inode(fi))
	}
	if got := read(t, filepath.Join(s.Dir(0), "index.html")); got != "gen1" {
		t.Errorf("recycled staging folder holds %q, want gen1", got)
	}
	if entries, _ := os.ReadDir(s.Dir(1)); len(entries) != 0 {
		t.Errorf("the state folder was staged with %d entries, want none", len(entries))
	}
	if got := read(t, filepath.Join(pub, "index.html")); got != "gen2" {
		t.Errorf("live public/index.html = %q, want gen2", got)
	}
	if olds, _ := filepath.Glob(pub + ".old-*"); len(olds) != 0 {
		t.Errorf("the recycled generation is still at %q", olds)
	}
	// The second build after it recycles too: gen2, replaced by gen3.
	os.Remove(filepath.Join(s.Dir(0), "index.html"))
	write(t, filepath.Join(s.Dir(0), "index.html"), "gen3")
	write(t, filepath.Join(s.Dir(1), "x"), "gen3")
	if err := s.Commit(); err != nil {
		t.Fatal(err)
	}
	s2, err := BeginRecycling(pub, idx)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Abort()
	if _, ok := s2.Recycled(); !ok || read(t, filepath.Join(s2.Dir(0), "index.html")) != "gen2" {
		t.Errorf("the next build did not recycle gen2")
	}
}

// TestRecyclingFailsClosed checks that BeginRecycling stages an empty
// folder whenever the retired generation is not certainly the one the last
// Commit replaced: after an Abort, after a plain Begin, after a crash,
// when another folder stands at the recorded path, and when the record is
// damaged or names a folder elsewhere.
func TestRecyclingFailsClosed(t *testing.T) {
	empty := func(t *testing.T, pub, idx string) {
		t.Helper()
		s, err := BeginRecycling(pub, idx)
		if err != nil {
			t.Fatal(err)
		}
		defer s.Abort()
		if _, ok := s.Recycled(); ok {
			t.Error("Recycled() = true, want an empty staging folder")
		}
		if entries, _ := os.ReadDir(s.Dir(0)); len(entries) != 0 {
			t.Errorf("staging folder holds %d entries, want none", len(entries))
		}
		if got := read(t, filepath.Join(pub, "index.html")); got != "gen2" {
			t.Errorf("live public/index.html = %q, want gen2", got)
		}
	}
	t.Run("after abort", func(t *testing.T) {
		_, pub, idx := generations(t, 2)
		s, err := BeginRecycling(pub, idx)
		if err != nil {
			t.Fatal(err)
		}
		s.Abort()
		empty(t, pub, idx)
	})
	t.Run("after begin", func(t *testing.T) {
		_, pub, idx := generations(t, 2)
		s, err := Begin(pub, idx)
		if err != nil {
			t.Fatal(err)
		}
		s.Abort()
		empty(t, pub, idx)
	})
	t.Run("after a crash", func(t *testing.T) {
		_, pub, idx := generations(t, 2)
		s, err := BeginRecycling(pub, idx)
		if err != nil {
			t.Fatal(err)
		}
		s.unlock() // the crash: the recycled staging folder stays behind
		empty(t, pub, idx)
	})
	t.Run("another folder", func(t *testing.T) {
		_, pub, idx := generations(t, 2)
		olds, _ := filepath.Glob(pub + ".old-*")
		if len(olds) != 1 {
			t.Fatalf("retired generations %q, want one", olds)
		}
		if err := os.Rename(olds[0], olds[0]+"-moved"); err != nil {
			t.Fatal(err)
		}
		write(t, filepath.Join(olds[0], "index.html"), "planted")
		empty(t, pub, idx)
	})
	t.Run("damaged record", func(t *testing.T) {
		_, pub, _ := generations(t, 2)
		write(t, pub+".retired", `{"old":`)
		empty(t, pub, pub+".search")
	})
	t.Run("record elsewhere", func(t *testing.T) {
		root, pub, idx := generations(t, 2)
		other := filepath.Join(root, "elsewhere", "public.old-1")
		write(t, filepath.Join(other, "index.html"), "planted")
		fi, err := os.Lstat(other)
		if err != nil {
			t.Fatal(err)
		}
		write(t, pub+".retired", fmt.Sprintf(`{"old":%q,"ino":%d}`, other, inode(fi)))
		empty(t, pub, idx)
		if read(t, filepath.Join(other, "index.html")) != "planted" {
			t.Error("a folder outside the live folder's parent was touched")
		}
	})
	t.Run("locked", func(t *testing.T) {
		_, pub, idx := generations(t, 2)
		s, err := Begin(pub) // holds the lock; already consumed the record
		if err != nil {
			t.Fatal(err)
		}
		if _, err := BeginRecycling(pub, idx); !errors.Is(err, ErrLocked) {
			t.Errorf("BeginRecycling under a lock: %v, want ErrLocked", err)
		}
		s.Abort()
	})
}

// TestRecyclingLockKeepsRecord checks that a BeginRecycling refused by the
// lock leaves the record (and the retired generation) for the build that
// holds it.
func TestRecyclingLockKeepsRecord(t *testing.T) {
	_, pub, idx := generations(t, 2)
	lf, err := os.OpenFile(pub+".lock", os.O_RDWR, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		t.Fatal(err)
	}
	if _, err := BeginRecycling(pub, idx); !errors.Is(err, ErrLocked) {
		t.Fatalf("BeginRecycling under a lock: %v, want ErrLocked", err)
	}
	lf.Close()
	s, err := BeginRecycling(pub, idx)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Abort()
	if _, ok := s.Recycled(); !ok {
		t.Error("the refused BeginRecycling lost the record")
	}
}

// TestRecyclingCrashAtEveryStep runs the crash test of TestCrashAtEveryStep
// on a recycled staging folder (exchange and two renames): after a crash
// at each step of Commit the live folders hold one whole generation, the
// next BeginRecycling recovers, and it recycles only after a commit that
// completed: a crashed commit left no record, so it stages empty.
func TestRecyclingCrashAtEveryStep(t *testing.T) {
	t.Run("exchange", testRecyclingCrash)
	t.Run("two renames", func(t *testing.T) {
		exchangeFolders = func(a, b string) error { return errNoExchange }
		defer func() { exchangeFolders = exchange }()
		testRecyclingCrash(t)
	})
}

func testRecyclingCrash(t *testing.T) {
	steps := []string{"staged", "journal", "swap public", "swap public.search", "committed", "retire public", "retire public.search", ""}
	for i, crashAt := range steps {
		name := crashAt
		if name == "" {
			name = "none"
		}
		t.Run(name, func(t *testing.T) {
			root, pub, idx := generations(t, 2)
			s, err := BeginRecycling(pub, idx)
			if err != nil {
				t.Fatal(err)
			}
			if _, ok := s.Recycled(); !ok {
				t.Fatal("not recycled")
			}
			os.Remove(filepath.Join(s.Dir(0), "index.html"))
			write(t, filepath.Join(s.Dir(0), "index.html"), "gen3")
			write(t, filepath.Join(s.Dir(1), "x"), "gen3")
			s.crash = func(step string) bool { return step == crashAt }
			err = s.Commit()
			if crashAt == "" {
				if err != nil {
					t.Fatal(err)
				}
			} else if !errors.Is(err, errCrashed) {
				t.Fatalf("Commit = %v, want the simulated crash", err)
			}
			for j, p := range []string{filepath.Join(pub, "index.html"), filepath.Join(idx, "x")} {
				wantNow := "gen2"
				if i >= 2+j {
					wantNow = "gen3"
				}
				if got := read(t, p); got != wantNow {
					t.Errorf("after a crash at %q %s = %q, want %q", crashAt, p, got, wantNow)
				}
			}
			s2, err := BeginRecycling(pub, idx)
			if err != nil {
				t.Fatalf("Begin after a crash: %v", err)
			}
			_, ok := s2.Recycled()
			if crashAt == "" {
				if !ok || read(t, filepath.Join(s2.Dir(0), "index.html")) != "gen2" {
					t.Error("after a complete commit the next build did not recycle gen2")
				}
			} else if ok {
				t.Errorf("after a crash at %q the next build recycled a generation", crashAt)
			}
			s2.Abort()
			wantAfter := "gen3"
			if i < 1 {
				wantAfter = "gen2"
			}
			checkRecovered(t, root, pub, idx, wantAfter)
		})
	}
}

// checkRecovered checks that after a recovery both live folders pub and idx
// hold the generation want (their index.html and x files), and that root
// holds nothing but them and the lock.
func checkRecovered(t *testing.T, root, pub, idx, want string) {
	t.Helper()
	for _, p := range []string{filepath.Join(pub, "index.html"), filepath.Join(idx, "x")} {
		if got := read(t, p); got != want {
			t.Errorf("after recovery %s = %q, want %q", p, got, want)
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
}
