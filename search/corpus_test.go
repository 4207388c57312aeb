package search

import (
	"path/filepath"
	"testing"
)

// TestCorpusOracle checks exact totals on the benchmark corpus: for queries
// cut from its text, the index finds exactly the documents a brute-force
// scan finds, and always the document the query was cut from. It runs only
// with -corpus.
func TestCorpusOracle(t *testing.T) {
	docs := loadCorpus(t)
	if len(docs) > 2000 {
		docs = docs[:2000]
	}
	dir := filepath.Join(t.TempDir(), "ix")
	if _, err := Build(t.Context(), dir, "", docs, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	o := newOracle(docs)
	for _, class := range queryClasses {
		bad := 0
		for _, raw := range benchQueries(docs, class, 60) {
			q := ParseQuery(raw)
			resp, err := ix.Search(t.Context(), q)
			if err != nil {
				t.Fatal(err)
			}
			want := o.count(q)
			got := resp.Total
			if resp.Partial {
				got = 0
			}
			if got != want {
				if bad++; bad <= 5 {
					t.Errorf("%s: Search(%s).Total = %d (partial %v), want %d", class.name, raw, resp.Total, resp.Partial, want)
				}
			}
		}
	}
}
