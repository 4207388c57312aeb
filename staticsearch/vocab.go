package staticsearch

import (
	"context"
	"encoding/json"
	"path"
	"slices"
	"strings"

	"gongkai/search"
)

// vocabSet names the did-you-mean vocabulary's packs, which a search that
// finds nothing reads (suggest.js), as the server's did-you-mean reads its
// stored text (search/suggest.go vocabRows, vocabulary):
//   - Pairs: per character pair (two CJK characters, folded) the rows
//     whose title, keyword field or meta field holds it, each with the
//     number of those fields that do, in buckets by the pair's FNV-1a
//     hash as the postings are: the client counts the pairs of a word no
//     document holds from the few buckets of its own pairs;
//   - Rows: per block of Block rows the words suggestions are cut from, a
//     JSON array of [title, metadata items joined by spaces] per row: the
//     client reads only the blocks of the rows it chose.
type vocabSet struct {
	Pairs bucketSet `json:"pairs"`
	Rows  bucketSet `json:"rows"`
	Block int       `json:"block"`
}

// vocabBlock is the number of rows in an entry of the vocabulary's rows.
const vocabBlock = 16

// writeVocab writes the did-you-mean vocabulary (see vocabSet).
func (w *writer) writeVocab(ctx context.Context, docs []search.Doc, order []int) (vocabSet, error) {
	set := vocabSet{Block: vocabBlock}
	pairs := map[string][]uint32{} // row<<2 | fields holding the pair
	words := make([][2]string, 0, vocabBlock)
	var rows [][]byte
	count := map[string]uint32{}
	seen := map[string]bool{}
	for r, i := range order {
		d := &docs[i]
		segs := search.DocText(d)
		id := strings.TrimRight(d.ID, "/")
		slug := id[strings.LastIndexByte(id, '/')+1:]
		title := strings.ReplaceAll(segs[0], "\x1f", " ")
		words = append(words, [2]string{title, strings.ReplaceAll(segs[3], "\x1f", " ")})
		if len(words) == vocabBlock || r == len(order)-1 {
			b, _ := json.Marshal(words) // strings only: cannot fail
			rows = append(rows, b)
			words = words[:0]
		}
		clear(count)
		for _, f := range []string{title, strings.Join(append(slices.Clone(d.Keywords), d.Topic), "\x1f"), strings.Join(append(slices.Clone(d.Agencies), slug), "\x1f")} {
			clear(seen)
			rs := []rune(search.Fold(f))
			for k := 0; k+1 < len(rs); k++ {
				if search.IsCJK(rs[k]) && search.IsCJK(rs[k+1]) {
					p := string(rs[k : k+2])
					if !seen[p] {
						seen[p] = true
						count[p]++
					}
				}
			}
		}
		for p, n := range count {
			pairs[p] = append(pairs[p], uint32(r)<<2|n)
		}
	}
	nb := max(64, bucketCount(len(order))/16)
	terms := make([][]string, nb)
	for p := range pairs {
		b := bucketOf(p, nb)
		terms[b] = append(terms[b], p)
	}
	raw := make([][]byte, nb)
	for b, ts := range terms {
		slices.Sort(ts)
		var e enc
		e.uint(uint64(len(ts)))
		for _, t := range ts {
			e.str(t)
			e.uint(uint64(len(pairs[t])))
			prev := -1
			for _, x := range pairs[t] { // rows ascend
				e.uint(uint64(int(x>>2) - prev))
				e.uint(uint64(x & 3))
				prev = int(x >> 2)
			}
		}
		raw[b] = e.b
	}
	var err error
	if set.Pairs, err = w.writeEntries(ctx, "v", raw); err != nil {
		return set, err
	}
	set.Rows, err = w.writeEntries(ctx, "v", rows)
	return set, err
}

// writeEntries writes entries as packs of groupSize under dir, each named
// by its contents.
func (w *writer) writeEntries(ctx context.Context, dir string, raw [][]byte) (bucketSet, error) {
	n := len(raw)
	set := bucketSet{Dir: dir, Buckets: n}
	for lo := 0; lo < n; lo += groupSize {
		set.Groups = append(set.Groups, contentHash(raw[lo:min(n, lo+groupSize)]...))
	}
	if err := w.mkdir(dir); err != nil {
		return set, err
	}
	err := w.putGroups(ctx, len(set.Groups), func(gi int) error {
		return w.putPack(path.Join(dir, set.Groups[gi])+".bin", raw[gi*groupSize:min(n, (gi+1)*groupSize)])
	})
	return set, err
}
