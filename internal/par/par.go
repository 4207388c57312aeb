// Package par runs the iterations of a loop on every core the program may
// use (runtime.GOMAXPROCS).
package par

import (
	"runtime"
	"sync"
)

// Each calls fn(i) for every i in [0, n) and returns when all calls have
// returned. Each of GOMAXPROCS goroutines takes every GOMAXPROCS-th index,
// so a slice whose costly items bunch together is still shared out. fn must
// be safe to call concurrently for different i.
func Each(n int, fn func(i int)) {
	w := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for k := range min(w, n) {
		wg.Go(func() {
			for i := k; i < n; i += w {
				fn(i)
			}
		})
	}
	wg.Wait()
}

// Runs calls fn(lo, hi) for GOMAXPROCS contiguous runs that cover [0, n)
// in order, side by side, for work that keeps per-run scratch (a hasher,
// maps to clear); it returns when all calls have returned.
func Runs(n int, fn func(lo, hi int)) {
	w := runtime.GOMAXPROCS(0)
	var wg sync.WaitGroup
	for k := range w {
		if lo, hi := k*n/w, (k+1)*n/w; lo < hi {
			wg.Go(func() { fn(lo, hi) })
		}
	}
	wg.Wait()
}
