package par

import (
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
