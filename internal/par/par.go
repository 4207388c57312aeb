// Package par runs the iterations of a loop on every core the program may
// use (runtime.GOMAXPROCS).
package par

import (
	"context"
	"runtime"
	"sync"
	"sync/atomic"
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

// Try calls fn(ctx, i) for every i in [0, n), in order of i, on GOMAXPROCS
// goroutines that each take the next index not taken yet, and returns the
// first error fn returns: after it, the context fn is given is cancelled
// and no further index is taken. When ctx ends first, Try returns its
// error. It is errgroup's loop with SetLimit(GOMAXPROCS), but with one
// goroutine a core instead of one a call: a call that needs a deep stack
// (decoding by reflection) grows it once a goroutine, not once a call (a
// one-record rebuild at 10,000 records spent about 3% of its CPU copying
// the stacks of 10,000 fresh goroutines, twice).
func Try(ctx context.Context, n int, fn func(ctx context.Context, i int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		next  atomic.Int64
		once  sync.Once
		first error
		wg    sync.WaitGroup
	)
	fail := func(err error) {
		once.Do(func() {
			first = err
			cancel()
		})
	}
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n {
					return
				}
				if err := ctx.Err(); err != nil {
					fail(err)
					return
				}
				if err := fn(ctx, i); err != nil {
					fail(err)
					return
				}
			}
		})
	}
	wg.Wait()
	return first
}
