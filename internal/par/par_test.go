package par

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"
)

// TestEachRuns: every index is visited exactly once, for sizes below, at
// and above the number of goroutines, and the runs cover [0, n) in order
// without overlap.
func TestEachRuns(t *testing.T) {
	w := runtime.GOMAXPROCS(0)
	for _, n := range []int{0, 1, w - 1, w, w + 1, 1000, 1001} {
		seen := make([]atomic.Int32, n)
		Each(n, func(i int) { seen[i].Add(1) })
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("Each(%d): index %d visited %d times", n, i, c)
			}
		}
		covered := make([]atomic.Int32, n)
		Runs(n, func(lo, hi int) {
			if lo >= hi {
				t.Errorf("Runs(%d): empty run [%d, %d)", n, lo, hi)
			}
			for i := lo; i < hi; i++ {
				covered[i].Add(1)
			}
		})
		for i := range covered {
			if c := covered[i].Load(); c != 1 {
				t.Fatalf("Runs(%d): index %d covered %d times", n, i, c)
			}
		}
	}
}

// TestTry: every index runs exactly once when nothing fails; the first
// error is returned and stops the indices not yet taken; a context that
// ends stops the loop with its error.
func TestTry(t *testing.T) {
	w := runtime.GOMAXPROCS(0)
	for _, n := range []int{0, 1, w - 1, w, w + 1, 1000} {
		seen := make([]atomic.Int32, n)
		if err := Try(t.Context(), n, func(_ context.Context, i int) error { seen[i].Add(1); return nil }); err != nil {
			t.Fatalf("Try(%d): %v", n, err)
		}
		for i := range seen {
			if c := seen[i].Load(); c != 1 {
				t.Fatalf("Try(%d): index %d ran %d times", n, i, c)
			}
		}
	}

	bad := errors.New("bad record")
	var ran atomic.Int32
	err := Try(t.Context(), 10000, func(ctx context.Context, i int) error {
		ran.Add(1)
		if i == 100 {
			return bad
		}
		if i > 100 {
			// Every call after the failing one sees its context end
			// once the failure is in.
			<-ctx.Done()
		}
		return nil
	})
	if !errors.Is(err, bad) {
		t.Fatalf("Try with a failing call = %v, want %v", err, bad)
	}
	if n := ran.Load(); n > int32(101+w) {
		t.Errorf("Try went on after the failure: %d calls, at most %d expected", n, 101+w)
	}

	ctx, cancel := context.WithCancel(t.Context())
	err = Try(ctx, 10000, func(_ context.Context, i int) error {
		if i == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("Try with its context cancelled = %v, want %v", err, context.Canceled)
	}
}
