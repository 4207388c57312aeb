package generator

import (
	"math/rand/v2"
	"slices"
	"testing"
	"time"
)

// TestSortNewestFirst: sortNewestFirst leaves records in the very order
// slices.SortFunc with newestFirst does, ties (same date and key, as
// records of two kinds can have) included.
func TestSortNewestFirst(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	day := time.Date(2024, 1, 1, 0, 0, 0, 0, China)
	for trial := range 300 {
		n := rng.IntN(400)
		rs := make([]*Record, n)
		for i := range rs {
			// Few dates and keys: many ties.
			p := &Policy{}
			p.Published = day.AddDate(0, 0, rng.IntN(5))
			rs[i] = &Record{Key: string(rune('a' + rng.IntN(4))), Entry: p}
		}
		want := slices.Clone(rs)
		slices.SortFunc(want, newestFirst)
		sortNewestFirst(rs)
		for i := range rs {
			if rs[i] != want[i] {
				t.Fatalf("trial %d (%d records): position %d differs from slices.SortFunc's order", trial, n, i)
			}
		}
	}
}
