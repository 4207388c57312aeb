package search

import (
	"cmp"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/longbridgeapp/opencc"
	"gongkai/internal/corpus"
)

// corpusQuery is a query over the benchmark corpus with its known targets:
// documents the shared corpus generator planted a phrase in, documents that
// carry a number or a title, or the document that mentions a word most.
type corpusQuery struct {
	family string
	q      string
	want   []string // document IDs; recall counts those in the top 5
}

// corpusRelevanceSet derives the relevance set from the corpus folder: its
// planted.json (phrase → documents) and docs.jsonl. Every target follows
// from the corpus text by rule, never from what the search returns.
func corpusRelevanceSet(t testing.TB, docs []Doc) []corpusQuery {
	planted, err := corpus.Planted(*corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[string]*Doc{}
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	s2t, err := opencc.New("s2t")
	if err != nil {
		t.Fatal(err)
	}
	var set []corpusQuery
	phrases := slices.Sorted(func(yield func(string) bool) {
		for p := range planted {
			if !yield(p) {
				return
			}
		}
	})
	ids := func(p string) []string {
		var out []string
		for _, id := range planted[p] {
			out = append(out, "/policy/"+id+"/")
		}
		return out
	}
	for _, p := range phrases {
		set = append(set, corpusQuery{"planted phrase", p, ids(p)})
	}
	for _, p := range phrases {
		tr, err := s2t.Convert(p)
		if err != nil {
			t.Fatal(err)
		}
		set = append(set, corpusQuery{"planted phrase, Traditional", tr, ids(p)})
	}
	for i, p := range phrases {
		if i%2 == 0 {
			rs := []rune(p)
			set = append(set, corpusQuery{"planted phrase, two words", string(rs[:len(rs)/2]) + " " + string(rs[len(rs)/2:]), ids(p)})
		}
	}
	for i, p := range phrases {
		if i%4 == 0 {
			set = append(set, corpusQuery{"planted phrase, question", p + "怎么申请", ids(p)})
		}
	}
	// Document numbers, in another spelling, and exact titles, of the
	// planted documents: every document carrying it is a target.
	ownDocNo := map[string][]string{}
	titles := map[string][]string{}
	for i := range docs {
		if dn, ok := parseDocNo(docs[i].DocNo); ok {
			ownDocNo[dn.key()] = append(ownDocNo[dn.key()], docs[i].ID)
		}
		titles[docs[i].Title] = append(titles[docs[i].Title], docs[i].ID)
	}
	for i, p := range phrases {
		d := byID[ids(p)[0]]
		if d == nil {
			continue
		}
		if dn, ok := parseDocNo(d.DocNo); ok && i%2 == 0 && len(ownDocNo[dn.key()]) <= 5 {
			spelled := dn.code + fmt.Sprintf("[%d]%d号", dn.year, dn.num)
			set = append(set, corpusQuery{"document number", spelled, ownDocNo[dn.key()]})
		}
		if i%2 == 1 && len(titles[d.Title]) <= 5 {
			set = append(set, corpusQuery{"exact title", d.Title, titles[d.Title]})
		}
	}
	// The document that mentions a district most: the corpus writes
	// district names in bodies only, many times in some documents and once
	// in many. Taken where the most frequent mention count is unique.
	for _, district := range corpusDistricts {
		best, second := 0, 0
		var bestID string
		for i := range docs {
			n := strings.Count(docs[i].Body, district)
			switch {
			case n > best:
				best, second, bestID = n, best, docs[i].ID
			case n > second:
				second = n
			}
		}
		if best >= 3 && best > second {
			set = append(set, corpusQuery{"most mentions", district, []string{bestID}})
		}
	}
	return set
}

// corpusDistricts are district names of the corpus generator, which it uses
// in bodies only.
var corpusDistricts = strings.Fields(`锦江区 青羊区 金牛区 武侯区 成华区 龙泉驿区 青白江区 新都区 温江区 双流区 郫都区 新津区
简阳市 都江堰市 彭州市 邛崃市 崇州市 金堂县 大邑县 蒲江县 涪城区 游仙区 安州区 江油市 三台县 盐亭县 梓潼县 平武县 旌阳区 罗江区
广汉市 什邡市 绵竹市 中江县 翠屏区 南溪区 叙州区 江安县 长宁县`)

var rankGrid = flag.Bool("rank-grid", false, "TestCorpusRelevance: also report recall and MRR for a grid of k1 and body b")

// TestCorpusRelevance runs the corpus relevance set (go test -run
// TestCorpusRelevance ./search -args -corpus DIR [-index DIR]) and reports
// recall@5 and MRR@10 per family. It fails when recall@5 on the planted
// phrases, numbers and titles is below 100%.
func TestCorpusRelevance(t *testing.T) {
	docs := loadCorpus(t)
	set := corpusRelevanceSet(t, docs)
	if len(set) < 50 {
		t.Fatalf("corpus relevance set has %d queries, want at least 50", len(set))
	}
	dir := *benchIndex
	if dir == "" {
		dir = filepath.Join(t.TempDir(), "ix")
	}
	if _, err := os.Stat(dir); err != nil {
		if _, err := Build(t.Context(), dir, "", docs, BuildOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	if *rankGrid {
		for _, k1 := range []float64{0.8, 1.2, 1.6, 2.0} {
			for _, b := range []float64{0.3, 0.5, 0.75, 0.9} {
				p := defaultRank
				p.k1, p.b[numBody] = k1, b
				ix.fieldNorms(p)
				var found, pairs int
				var rr, mmRR float64
				mm := 0
				for _, cq := range set {
					q := ParseQuery(cq.q)
					q.PageSize = 10
					resp, err := ix.Search(t.Context(), q)
					if err != nil {
						t.Fatal(err)
					}
					r := 0.0
					for j, res := range resp.Results {
						if slices.Contains(cq.want, res.ID) {
							r = 1 / float64(j+1)
							break
						}
					}
					for j, res := range resp.Results {
						if j < 5 && slices.Contains(cq.want, res.ID) {
							found++
						}
					}
					pairs += len(cq.want)
					rr += r
					if cq.family == "most mentions" {
						mmRR += r
						mm++
					}
				}
				t.Logf("k1 %.1f body b %.2f: recall@5 %d/%d, MRR@10 %.3f, most mentions MRR@10 %.3f", k1, b, found, pairs, rr/float64(len(set)), mmRR/float64(mm))
			}
		}
		ix.fieldNorms(defaultRank)
	}
	type score struct {
		queries, pairs, found int
		rr                    float64
	}
	per := map[string]*score{}
	total := &score{}
	for _, cq := range set {
		q := ParseQuery(cq.q)
		q.PageSize = 10
		resp, err := ix.Search(t.Context(), q)
		if err != nil {
			t.Fatal(err)
		}
		s := per[cq.family]
		if s == nil {
			s = &score{}
			per[cq.family] = s
		}
		var got []string
		for _, r := range resp.Results {
			got = append(got, r.ID)
		}
		rr := 0.0
		for j, id := range got {
			if slices.Contains(cq.want, id) {
				rr = 1 / float64(j+1)
				break
			}
		}
		top := got[:min(5, len(got))]
		var missing []string
		found := 0
		for _, w := range cq.want {
			if slices.Contains(top, w) {
				found++
			} else {
				missing = append(missing, w)
			}
		}
		for _, sc := range []*score{s, total} {
			sc.queries++
			sc.pairs += len(cq.want)
			sc.found += found
			sc.rr += rr
		}
		if len(missing) > 0 && testing.Verbose() {
			t.Logf("%s %q: %v not in the top 5 %v (total %d)", cq.family, cq.q, missing, top, resp.Total)
		}
	}
	families := slices.SortedFunc(func(yield func(string) bool) {
		for f := range per {
			if !yield(f) {
				return
			}
		}
	}, cmp.Compare)
	var b strings.Builder
	fmt.Fprintf(&b, "| family | queries | recall@5 | MRR@10 |\n|---|---|---|---|\n")
	for _, f := range append(families, "all") {
		s := per[f]
		if f == "all" {
			s = total
		}
		fmt.Fprintf(&b, "| %s | %d | %d/%d = %.1f%% | %.3f |\n", f, s.queries, s.found, s.pairs,
			100*float64(s.found)/float64(s.pairs), s.rr/float64(s.queries))
	}
	t.Logf("corpus relevance, %d documents:\n%s", len(docs), b.String())
	for f, s := range per {
		if f != "most mentions" && s.found < s.pairs {
			t.Errorf("%s: recall@5 %d/%d, want 100%%", f, s.found, s.pairs)
		}
	}
}
