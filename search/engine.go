package search

import (
	"context"
	"fmt"
	"math"
	"math/bits"
	"slices"
	"sync"

	index "github.com/blevesearch/bleve_index_api"
)

// Ranking reads bleve's postings directly (term, document, frequency) and
// scores with BM25F over statistics of the whole index: document
// frequencies are counted across every shard, and field lengths come from
// the document table. bleve's own scorer counts a term's frequency as its
// square root and uses per-shard statistics, which let a long document that
// mentions a word many times rank below thousands of short ones that mention
// it once.

// rankParams are the BM25F constants: per field a weight and a length
// normalisation b, and one saturation k1 for the combined frequency. They
// were tuned on the relevance sets (testdata/relevance.yaml and the corpus
// set in relevance_corpus_test.go, whose -rank-grid flag reports a grid):
// on both, k1 from 0.8 to 2.0 changed nothing; the body's b at 0.75 put the
// document that mentions a word most in the top 5 for 23 of 24 words (MRR
// 0.853), at 0.5 for all 24 (MRR 0.903) with the sample's MRR up from 0.980
// to 0.984. 0.3 scored higher still on the corpus but that set's targets
// are raw counts, which favour no length normalisation at all. The subject
// words and the summary are short by nature and are ranked without it
// (b = 0, as the document number): both sets scored the same as with 0.2
// and 0.5, and the static search's client then fetches no lengths for
// them (docs/search.md).
type rankParams struct {
	k1     float64
	weight [numFields]float64
	b      [numFields]float64
}

var defaultRank = rankParams{
	k1: 1.2,
	//       title docno heading keyword summary body meta
	weight: [numFields]float64{6, 6, 2.5, 4, 2, 1, 1.5},
	b:      [numFields]float64{0.5, 0, 0.4, 0, 0, 0.5, 0.3},
}

// fieldNorms precomputes, per field and document, weight / (1 - b + b ×
// length / average length), the factor a term frequency is multiplied by.
// The length is the document's rounded to one byte (lengthCode, as
// Lucene's norms are): the static index stores a byte a document, and its
// client ranks exactly as this does. The average is of the exact lengths.
func (ix *Index) fieldNorms(p rankParams) {
	for f := range numFields {
		sum, n := 0.0, 0
		for i := range ix.docs {
			if l := ix.docs[i].Lens[f]; l > 0 {
				sum += float64(l)
				n++
			}
		}
		avg := 1.0
		if n > 0 {
			avg = sum / float64(n)
		}
		wn := make([]float32, len(ix.docs))
		for i := range ix.docs {
			l := float64(codeLength(lengthCode(ix.docs[i].Lens[f])))
			wn[i] = float32(p.weight[f] / (1 - p.b[f] + p.b[f]*l/avg))
		}
		ix.norms[f] = wn
	}
	ix.rank = p
}

// accum collects one word's candidates: per row its field-weighted,
// length-normalised frequency (0 for rows that are not candidates), and
// whether an exact form matched (no text check needed).
type accum struct {
	tf    []float32
	exact []bool
	title []bool  // a form's grams are all in the title: the word may be in it
	rows  []int32 // candidate rows, in the order found
}

var accumPool sync.Pool

func (ix *Index) getAccum() *accum {
	a, _ := accumPool.Get().(*accum)
	if a == nil || len(a.tf) != len(ix.docs) {
		a = &accum{tf: make([]float32, len(ix.docs)), exact: make([]bool, len(ix.docs)), title: make([]bool, len(ix.docs))}
	}
	return a
}

func putAccum(a *accum) {
	for _, r := range a.rows {
		a.tf[r] = 0
		a.exact[r] = false
		a.title[r] = false
	}
	a.rows = a.rows[:0]
	accumPool.Put(a)
}

func (a *accum) has(row int32) bool { return a.tf[row] > 0 }

// collectWord fills acc with the candidates of word w: for each of its
// indexed forms and each field, the documents holding every gram of the form
// in that field, with the smallest of their frequencies.
func (ix *Index) collectWord(ctx context.Context, w *cword, acc *accum) error {
	for _, t := range w.alts {
		if !t.indexed() {
			continue
		}
		grams := slices.Concat(t.bigrams, t.words)
		for _, sh := range ix.shards {
			for f := range numFields {
				wn := ix.norms[f]
				err := intersect(ctx, sh, grams, fieldNames[f], func(num uint64, freq uint64) {
					if num >= uint64(len(sh.byInternal)) {
						return
					}
					row := sh.byInternal[num]
					if row < 0 {
						return
					}
					if acc.tf[row] == 0 {
						acc.rows = append(acc.rows, row)
					}
					acc.tf[row] += float32(freq) * wn[row]
					if t.exact {
						acc.exact[row] = true
					}
					if f == numTitle {
						acc.title[row] = true
					}
				})
				if err != nil {
					return fmt.Errorf("search %s: %w", ix.dir, err)
				}
			}
		}
	}
	return nil
}

// intersect calls fn for every document of the shard that holds all grams
// in field, with the smallest frequency among them. It leapfrogs from the
// rarest gram, advancing the others only forwards.
func intersect(ctx context.Context, sh *shard, grams []string, field string, fn func(num, freq uint64)) error {
	readers := make([]index.TermFieldReader, 0, len(grams))
	defer func() {
		for _, r := range readers {
			r.Close()
		}
	}()
	for _, g := range grams {
		r, err := sh.reader.TermFieldReader(ctx, []byte(g), field, true, false, false)
		if err != nil {
			return err
		}
		if r.Count() == 0 {
			r.Close()
			return nil
		}
		readers = append(readers, r)
	}
	if len(readers) == 0 {
		return nil
	}
	slices.SortFunc(readers, func(a, b index.TermFieldReader) int {
		return int(a.Count()) - int(b.Count())
	})
	docs := make([]index.TermFieldDoc, len(readers))
	// The target of Advance must not share memory with the reader's current
	// document: scorch compares the two and would restart from the top.
	tid := make(index.IndexInternalID, 8)
	cur := make([]uint64, len(readers)) // position of each reader, +1 (0: not started)
	lead := readers[0]
	d, err := lead.Next(&docs[0])
	for n := 0; d != nil && err == nil; n++ {
		if n&1023 == 1023 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		target := d.ID.Value()
		freq := d.Freq
		ok := true
		for i := 1; i < len(readers); i++ {
			if cur[i] == 0 || cur[i]-1 < target {
				o, err := readers[i].Advance(index.NewIndexInternalID(tid, target), &docs[i])
				if err != nil {
					return err
				}
				if o == nil {
					return nil
				}
				cur[i] = o.ID.Value() + 1
			}
			if v := cur[i] - 1; v != target {
				// Move the lead past the gap.
				ok = false
				d, err = lead.Advance(index.NewIndexInternalID(tid, v), &docs[0])
				break
			}
			freq = min(freq, docs[i].Freq)
		}
		if ok {
			fn(target, freq)
			d, err = lead.Next(&docs[0])
		}
	}
	return err
}

// idf is BM25's inverse document frequency of a word found in df of n
// documents.
func idf(df, n int) float64 {
	return math.Log(1 + (float64(n)-float64(df)+0.5)/(float64(df)+0.5))
}

// saturate turns a combined frequency into a word's score.
func (p rankParams) saturate(tf float64) float64 {
	return tf * (p.k1 + 1) / (tf + p.k1)
}

// Field lengths as a byte: lengths below 32 are themselves; above, five
// significant bits (the rest rounded down), 16 values from one power of two
// to the next, so that a body of 1,000 to 2,500 tokens takes one of 19
// values; lengths stop at 2^19-1 (code 255). Like Lucene's norms (which
// keep four bits), BM25F's length normalisation loses little by it (at most
// 1/16 of a length), and the static index's length columns a third.
const lengthExact = 32

func lengthCode(l uint32) uint8 {
	l = min(l, 1<<19-1)
	if l < lengthExact {
		return uint8(l)
	}
	shift := bits.Len32(l) - 5
	return uint8(lengthExact + (shift-1)*16 + int(l>>shift&15))
}

// codeLength returns the length a lengthCode stands for.
func codeLength(c uint8) uint32 {
	if c < lengthExact {
		return uint32(c)
	}
	return uint32(c&15|16) << (c>>4 - 1)
}
