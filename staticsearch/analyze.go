package staticsearch

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"gongkai/search"
)

// postings are the entries of one term: row<<32 | field<<24 | frequency
// for bigrams and words, row<<32 | count for single characters.
type postings struct{ e []uint64 }

// index is what the analysis of every document gives.
type index struct {
	n     int
	grams map[string]*postings
	unis  map[string]*postings
	rows  []rowInfo
	facet [][]string // per facet, its values in order (ids are positions)
}

// rowInfo is one document's row of the table.
type rowInfo struct {
	facets     [][]string
	lens       [search.NumFields]uint32
	titleRunes int
	date       int64 // Unix seconds; 0 when unknown
	units      int   // stored text length in UTF-16 units
}

// analyze runs the server's analysis over every document, in batches on
// every core, and gathers the postings.
func analyze(ctx context.Context, docs []search.Doc, order []int) (*index, error) {
	ix := &index{n: len(order), grams: map[string]*postings{}, unis: map[string]*postings{}, rows: make([]rowInfo, len(order))}
	const batch = 128
	procs := runtime.GOMAXPROCS(0)
	type part struct {
		grams, unis map[string]*[]uint64
	}
	for wave := 0; wave < len(order); wave += batch * procs {
		parts := make([]part, procs)
		g, gctx := errgroup.WithContext(ctx)
		for p := range procs {
			lo := wave + p*batch
			if lo >= len(order) {
				break
			}
			hi := min(len(order), lo+batch)
			g.Go(func() error {
				if err := gctx.Err(); err != nil {
					return err
				}
				pt := part{grams: map[string]*[]uint64{}, unis: map[string]*[]uint64{}}
				counts := map[rune]int{}
				var buf []byte
				for row := lo; row < hi; row++ {
					d := &docs[order[row]]
					r := uint64(row) << 32
					lens := search.AnalyzeDoc(d, func(field int, term []byte, freq int) {
						add(pt.grams, term, r|uint64(field)<<24|uint64(min(freq, 1<<24-1)))
					})
					text := search.DocText(d)
					clear(counts)
					for _, s := range text {
						for _, c := range s {
							if f := search.FoldRune(c); search.IsCJK(f) {
								counts[f]++
							}
						}
					}
					for c, n := range counts {
						add(pt.unis, utf8.AppendRune(buf[:0], c), r|uint64(min(n, maxUnigramCount)))
					}
					info := &ix.rows[row]
					info.lens = lens
					info.facets = search.DocFacets(d)
					info.titleRunes = search.TitleRunes(d)
					if !d.Date.IsZero() {
						info.date = d.Date.Unix()
					}
					info.units = textUnits(text)
				}
				parts[p] = pt
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		for _, pt := range parts {
			merge(ix.grams, pt.grams)
			merge(ix.unis, pt.unis)
		}
	}
	for _, m := range []map[string]*postings{ix.grams, ix.unis} {
		for _, p := range m {
			slices.Sort(p.e)
		}
	}
	// Facet dictionaries, as the server numbers them: sorted values.
	nf := len(search.FacetNames())
	ix.facet = make([][]string, nf)
	for f := range nf {
		set := map[string]bool{}
		for i := range ix.rows {
			for _, v := range ix.rows[i].facets[f] {
				set[v] = true
			}
		}
		for v := range set {
			ix.facet[f] = append(ix.facet[f], v)
		}
		slices.SortFunc(ix.facet[f], strings.Compare)
	}
	return ix, nil
}

// add appends x to the entries of term in m, looking the term up once
// (and allocating its string only when it is new).
func add(m map[string]*[]uint64, term []byte, x uint64) {
	if p, ok := m[string(term)]; ok {
		*p = append(*p, x)
		return
	}
	m[string(term)] = &[]uint64{x}
}

func merge(dst map[string]*postings, src map[string]*[]uint64) {
	for t, e := range src {
		p := dst[t]
		if p == nil {
			dst[t] = &postings{e: *e}
			continue
		}
		p.e = append(p.e, *e...)
	}
}

// encodeGram writes one term of a postings bucket: the term, then per field
// holding it the rows (as gaps) and the frequencies.
func encodeGram(e *enc, term string, p *postings) {
	e.str(term)
	var fields [search.NumFields][]uint64
	for _, x := range p.e {
		f := int(x >> 24 & 0xff)
		fields[f] = append(fields[f], x)
	}
	nf := 0
	for _, l := range fields {
		if len(l) > 0 {
			nf++
		}
	}
	e.uint(uint64(nf))
	for f, l := range fields {
		if len(l) == 0 {
			continue
		}
		e.uint(uint64(f))
		e.uint(uint64(len(l)))
		prev := int64(-1)
		for _, x := range l {
			row := int64(x >> 32)
			e.uint(uint64(row - prev))
			prev = row
		}
		for _, x := range l {
			e.uint(x & 0xffffff)
		}
	}
}

// encodeUni writes one character of a unigram bucket: the rows holding it
// (as gaps) and its counts there.
func encodeUni(e *enc, term string, p *postings) {
	e.str(term)
	e.uint(uint64(len(p.e)))
	prev := int64(-1)
	for _, x := range p.e {
		row := int64(x >> 32)
		e.uint(uint64(row - prev))
		prev = row
	}
	for _, x := range p.e {
		e.uint(x & 0xffffffff)
	}
}

// encodeTable writes the document table: the facet dictionaries, then one
// column per datum, each a varint per row (facet ids + 1, 0 for none).
func encodeTable(ix *index) []byte {
	var e enc
	e.uint(uint64(ix.n))
	nf := len(ix.facet)
	e.uint(uint64(nf))
	ids := make([]map[string]int, nf)
	for f, vals := range ix.facet {
		e.uint(uint64(len(vals)))
		ids[f] = map[string]int{}
		for i, v := range vals {
			e.str(v)
			ids[f][v] = i
		}
	}
	type more struct {
		row int
		ids []int
	}
	var extra []more
	for f := range nf {
		for row := range ix.rows {
			vals := ix.rows[row].facets[f]
			if len(vals) == 0 {
				e.uint(0)
				continue
			}
			e.uint(uint64(ids[f][vals[0]] + 1))
			if len(vals) > 1 {
				m := more{row: row}
				for _, v := range vals[1:] {
					m.ids = append(m.ids, ids[f][v])
				}
				if f == 1 { // only agencies have several values
					extra = append(extra, m)
				}
			}
		}
	}
	e.uint(uint64(len(extra)))
	prev := -1
	for _, m := range extra {
		e.uint(uint64(m.row - prev))
		prev = m.row
		e.uint(uint64(len(m.ids)))
		for _, id := range m.ids {
			e.uint(uint64(id))
		}
	}
	for f := range search.NumFields {
		for row := range ix.rows {
			e.uint(uint64(ix.rows[row].lens[f]))
		}
	}
	for row := range ix.rows {
		e.uint(uint64(ix.rows[row].titleRunes))
	}
	var last int64
	for row := range ix.rows {
		e.int(ix.rows[row].date - last)
		last = ix.rows[row].date
	}
	for row := range ix.rows {
		e.uint(uint64(ix.rows[row].units))
	}
	return e.b
}

// t2sSources lists the BMP characters that fold from Traditional to
// Simplified, as a bitmap over U+3400–U+9FFF encoded in base 64, so that the
// client knows without the table when a query or a text needs it.
// The other sources are listed in wide.
func t2sSources(pairs string) (bitmap, wide string) {
	const lo, hi = 0x3400, 0x9FFF
	bits := make([]byte, (hi-lo+1+7)/8)
	var others []rune
	rs := []rune(pairs)
	for i := 0; i+1 < len(rs); i += 2 {
		if r := rs[i]; r >= lo && r <= hi {
			bits[(r-lo)/8] |= 1 << ((r - lo) % 8)
		} else if r < 0x20000 {
			others = append(others, r)
		}
	}
	return base64Std(bits), string(others)
}
