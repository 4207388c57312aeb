// Package measure holds what the benchmarks measure besides wall time: the
// process's CPU time and the live heap, sampled while a build runs. On a
// shared machine CPU time is the figure that compares between runs.
package measure

import (
	"runtime/metrics"
	"time"
)

// LiveHeap returns the heap marked live by the last garbage collection.
func LiveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

// SampleLiveHeap watches the live heap until the returned function is
// called, which reports the largest value seen.
func SampleLiveHeap() func() uint64 {
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		var peak uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, LiveHeap())
			select {
			case <-done:
				result <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		return <-result
	}
}
