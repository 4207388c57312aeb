package search

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// randomAlphabet is small so that random documents and queries overlap a
// lot, and mixes what folding must join: full-width and half-width forms,
// upper and lower case, and brackets.
var randomAlphabet = []rune("土地征收管理办法规定土地征收abAB12１２ＡＢ，。（）〔〕 　\n-")

func randomText(rng *rand.Rand, n int) string {
	var b strings.Builder
	for range n {
		b.WriteRune(randomAlphabet[rng.IntN(len(randomAlphabet))])
	}
	return b.String()
}

// TestRandomAgainstOracle compares Search with a brute-force scan on random
// documents and queries: the same documents, the same totals, the same facet
// counts.
func TestRandomAgainstOracle(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	kinds := []string{"policy", "notice", "page"}
	var docs []Doc
	for i := range 40 {
		docs = append(docs, Doc{
			ID: fmt.Sprintf("/r/%02d/", i), Kind: kinds[rng.IntN(len(kinds))],
			Title: randomText(rng, 4+rng.IntN(8)), Body: randomText(rng, 20+rng.IntN(120)),
			Summary: randomText(rng, rng.IntN(10)), Date: day(2020+rng.IntN(4), 1+rng.IntN(12), 1),
		})
	}
	// Small shards, so that matches are gathered from several.
	ix := buildIndexWith(t, docs, BuildOptions{ShardSize: 7, BatchSize: 3}) // small batches: analyses are reused
	if len(ix.shards) != 6 {
		t.Fatalf("%d shards, want 6", len(ix.shards))
	}
	o := newOracle(docs)

	randomQuery := func() string {
		var parts []string
		for range 1 + rng.IntN(3) {
			var term string
			if rng.IntN(3) > 0 {
				// A piece of a document.
				d := docs[rng.IntN(len(docs))]
				rs := []rune(d.Title + " " + d.Body)
				i := rng.IntN(len(rs))
				term = string(rs[i:min(len(rs), i+1+rng.IntN(6))])
			} else {
				term = randomText(rng, 1+rng.IntN(4))
			}
			switch rng.IntN(5) {
			case 0:
				term = `"` + term + `"`
			case 1:
				term = "-" + strings.TrimSpace(term)
			}
			parts = append(parts, term)
		}
		return strings.Join(parts, " ")
	}

	checked := 0
	for range 1500 {
		raw := randomQuery()
		q := ParseQuery(raw)
		if slices.ContainsFunc(q.Terms, func(t Term) bool { _, ok := parseDocNo(t.Text); return ok }) {
			continue // document numbers have their own tests
		}
		q.PageSize = MaxPageSize
		if rng.IntN(3) == 0 {
			q.Filters.Kind = kinds[rng.IntN(len(kinds))]
		}
		if rng.IntN(3) == 0 {
			q.Filters.Year = strconv.Itoa(2020 + rng.IntN(4))
		}
		resp := mustSearch(t, ix, q)
		var got []string
		if !resp.Partial {
			got = ids(resp)
			slices.Sort(got)
		}
		var want []string
		for i := range docs {
			if o.matches(i, q) && passes(&docs[i], q.Filters, -1) {
				want = append(want, docs[i].ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Errorf("Search(%q) %+v = %v (partial %v), want %v", raw, q.Filters, got, resp.Partial, want)
			continue
		}
		if resp.Partial {
			continue
		}
		// Facet counts: for each facet, the matches under the other filters.
		for _, f := range resp.Facets {
			if f.Name != "kind" && f.Name != "year" {
				continue
			}
			gotCounts, wantCounts := map[string]int{}, map[string]int{}
			for _, v := range f.Values {
				if v.Count > 0 {
					gotCounts[v.Value] = v.Count
				}
			}
			fi := slices.Index(facetNames[:], f.Name)
			for i := range docs {
				if o.matches(i, q) && passes(&docs[i], q.Filters, fi) {
					for _, v := range facetValues(fi, ixRecord(&docs[i])) {
						wantCounts[v]++
					}
				}
			}
			if diff := cmp.Diff(wantCounts, gotCounts); diff != "" {
				t.Errorf("Search(%q) %+v: %s counts (-want +got):\n%s", raw, q.Filters, f.Name, diff)
			}
		}
		checked++
	}
	if checked < 1000 {
		t.Errorf("only %d queries checked", checked)
	}
}

// passes reports whether d passes the kind and year filters, ignoring the
// filter of facet skip.
func passes(d *Doc, f Filters, skip int) bool {
	if f.Kind != "" && skip != facetKind && d.Kind != f.Kind {
		return false
	}
	if f.Year != "" && skip != facetYear && strconv.Itoa(d.Date.In(shanghai).Year()) != f.Year {
		return false
	}
	return true
}

func ixRecord(d *Doc) *docRecord {
	return &docRecord{Kind: d.Kind, Date: d.Date.Unix(), Agencies: d.Agencies, Topic: d.Topic, Validity: d.Validity}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
