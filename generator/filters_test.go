package generator

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
)

// TestTopLinks checks topLinks against its definition: sort by count,
// largest first and stable, keep the first n and the current link, in
// the links' own order.
func TestTopLinks(t *testing.T) {
	want := func(links []FacetLink, n int) []FacetLink {
		top := slices.Clone(links)
		slices.SortStableFunc(top, func(a, b FacetLink) int { return cmp.Compare(b.Count, a.Count) })
		keep := map[string]bool{}
		for _, l := range top[:n] {
			keep[l.URL] = true
		}
		return slices.DeleteFunc(slices.Clone(links), func(l FacetLink) bool { return !keep[l.URL] && !l.Current })
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range 2000 {
		links := make([]FacetLink, 2+rng.IntN(30))
		for j := range links {
			links[j] = FacetLink{URL: fmt.Sprint(j), Count: 1 + rng.IntN(6)}
		}
		links[rng.IntN(len(links))].Current = rng.IntN(2) == 0
		n := 1 + rng.IntN(len(links)-1)
		w := want(links, n)
		if got := topLinks(slices.Clone(links), n); !slices.Equal(got, w) {
			t.Fatalf("case %d, n=%d, links %v:\ngot  %v\nwant %v", i, n, links, got, w)
		}
	}
}
