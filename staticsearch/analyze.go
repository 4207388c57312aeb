package staticsearch

import (
	"context"
	"runtime"
	"slices"
	"strings"
	"sync"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"gongkai/search"
)

// postings are the entries of one term: row<<32 | field<<24 | frequency
// for bigrams and words, row<<32 | count<<1 | in title for single
// characters.
type postings struct{ e []uint64 }

// index is what the analysis of every document gives.
type index struct {
	n     int
	grams map[string]*postings
	unis  map[string]*postings
	rows  []rowInfo
	facet [][]string // per facet, its values in order (ids are positions)
	tie   []int      // per row, the rank of its ID among its date's (tieRanks)
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
// every core, and gathers the postings. The documents c holds the analysis
// of (c may be nil) are not analysed again: their postings and lengths are
// c's. sink, when not nil, is given each batch's rows (a block of
// blockSize rows) with their postings, as the batch is analysed.
func analyze(ctx context.Context, docs []search.Doc, order []int, c *cached, ws *wordSet, sink func(lo, hi int, grams, unis map[string]*[]uint64) error) (*index, error) {
	ix := &index{n: len(order), grams: map[string]*postings{}, unis: map[string]*postings{}, rows: make([]rowInfo, len(order))}
	if c != nil {
		ix.grams, ix.unis = c.grams, c.unis
	}
	const batch = blockSize
	procs := runtime.GOMAXPROCS(0)
	type part struct {
		grams, unis map[string]*[]uint64
		// The entries of the vocabulary's words, by word, and of its
		// phrases, by phrase: merged into the index's grams, never a
		// row's forward section.
		words   [][]uint64
		phrases map[uint64]*[]uint64
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
				var rp *rowPairs
				if ws != nil {
					rp = ws.newRowPairs()
				}
				rt := &rowText{}
				for row := lo; row < hi; row++ {
					d := &docs[order[row]]
					info := &ix.rows[row]
					// The facets (the category is not in the hash), title
					// length and date are taken afresh: they cost little.
					info.facets = search.DocFacets(d)
					info.titleRunes = search.TitleRunes(d)
					if !d.Date.IsZero() {
						info.date = d.Date.Unix()
					}
					if c != nil && c.reused[row] {
						info.lens, info.units = c.lens[row], c.units[row]
						continue
					}
					r := uint64(row) << 32
					lens := search.AnalyzeDoc(d, func(field int, term []byte, freq int) {
						add(pt.grams, term, r|uint64(field)<<24|uint64(min(freq, 1<<24-1)))
						if rp != nil {
							rp.add(field, term, min(freq, 1<<24-1))
						}
					})
					// The year and number of every document number the text
					// may hold, under the body's field: a document-number
					// query reads the text only of the documents listed.
					for _, tail := range search.DocNoTails(d) {
						add(pt.grams, []byte(tail), r|uint64(search.FieldBody)<<24|1)
					}
					text := search.DocText(d)
					clear(counts)
					for i, s := range text {
						seg := rt.segs[i][:0]
						for _, c := range s {
							f := search.FoldRune(c)
							if search.IsCJK(f) {
								counts[f]++
							}
							seg = append(seg, f)
						}
						rt.segs[i] = seg
					}
					// The vocabulary's words the row is a candidate of, and
					// its phrases.
					if rp != nil {
						if pt.words == nil {
							pt.words, pt.phrases = make([][]uint64, len(ws.words)), map[uint64]*[]uint64{}
						}
						rp.rowWords(func() *rowText { rt.setTitle(d.Title); return rt },
							func(w int32, x uint64) { pt.words[w] = append(pt.words[w], r|x) },
							func(p uint64) {
								if l := pt.phrases[p]; l != nil {
									*l = append(*l, r|phraseEntry)
								} else {
									pt.phrases[p] = &[]uint64{r | phraseEntry}
								}
							})
						rp.reset()
					}
					// A count is doubled, plus one when the title holds the
					// character: one-character queries rank by that.
					for c, n := range counts {
						counts[c] = min(n, maxUnigramCount) << 1
					}
					for _, c := range d.Title {
						if f := search.FoldRune(c); search.IsCJK(f) {
							counts[f] |= 1
						}
					}
					for c, n := range counts {
						add(pt.unis, utf8.AppendRune(buf[:0], c), r|uint64(n))
					}
					info.lens = lens
					info.units = textUnits(text)
				}
				parts[p] = pt
				if sink != nil {
					return sink(lo, hi, pt.grams, pt.unis)
				}
				return nil
			})
		}
		if err := g.Wait(); err != nil {
			return nil, err
		}
		for _, pt := range parts {
			merge(ix.grams, pt.grams)
			merge(ix.unis, pt.unis)
			for w, l := range pt.words {
				if len(l) > 0 {
					merge(ix.grams, map[string]*[]uint64{ws.words[w]: &l})
				}
			}
			for p, l := range pt.phrases {
				merge(ix.grams, map[string]*[]uint64{ws.phraseTerm(p): l})
			}
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
// (as gaps) and its counts there (doubled, plus one when in the title).
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

// table is the document table, one chunk per column so that a query loads
// only the columns it needs (facets always; a field's lengths when the
// query's postings hold that field; dates when the order needs them).
//
// The facets and the lengths are in segments (the dictionaries, each
// column, the further values; a field's lengths, the title's characters),
// which writeTable deflates each the way that makes it smallest
// (deflateSegments): the columns of ids and lengths are nearly random
// bytes, which Huffman coding alone packs tighter than matching strings.
type table struct {
	facets [][]byte
	lens   [search.NumFields][][]byte // the title's holds titleRunes too
	date   []byte
	units  []byte
}

// encodeTable writes the document table's columns: the facet dictionaries
// and one varint per row and facet (value id + 1, 0 for none) with the
// further values of rows that have several; per field the rows' lengths;
// the title lengths in characters; the dates; the text lengths.
func encodeTable(ix *index) table {
	var t table
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
		row, f int
		ids    []int
	}
	var extra []more
	for f := range nf {
		t.facets = append(t.facets, e.b)
		e = enc{}
		for row := range ix.rows {
			vals := ix.rows[row].facets[f]
			if len(vals) == 0 {
				e.uint(0)
				continue
			}
			e.uint(uint64(ids[f][vals[0]] + 1))
			if len(vals) > 1 {
				m := more{row: row, f: f}
				for _, v := range vals[1:] {
					m.ids = append(m.ids, ids[f][v])
				}
				extra = append(extra, m)
			}
		}
	}
	// Further values: facet, row, count, ids.
	e.uint(uint64(len(extra)))
	for _, m := range extra {
		e.uint(uint64(m.f))
		e.uint(uint64(m.row))
		e.uint(uint64(len(m.ids)))
		for _, id := range m.ids {
			e.uint(uint64(id))
		}
	}
	t.facets = append(t.facets, e.b)
	column := func(v func(row int) uint64) []byte {
		var e enc
		e.uint(uint64(ix.n))
		for row := range ix.rows {
			e.uint(v(row))
		}
		return e.b
	}
	// Lengths as the server ranks by them, the count of rows then a byte
	// each (search.LengthCode: the body's lengths in a third of the bytes;
	// a byte, not a varint, as codes from 128 would take two). A field
	// ranked without length normalisation (b = 0) gets zeros: its norm is
	// its weight whatever the lengths, and zeros cost nothing.
	_, _, b := search.RankConstants()
	for f := range search.NumFields {
		var e enc
		e.uint(uint64(ix.n))
		for row := range ix.rows {
			c := byte(0)
			if b[f] != 0 {
				c = search.LengthCode(ix.rows[row].lens[f])
			}
			e.b = append(e.b, c)
		}
		t.lens[f] = [][]byte{e.b}
	}
	// The title lengths in characters follow, as the difference from the
	// length the title's code stands for: one chunk, nearly the size of
	// one column.
	e = enc{}
	for row := range ix.rows {
		e.int(int64(ix.rows[row].titleRunes) - int64(search.CodeLength(search.LengthCode(ix.rows[row].lens[0]))))
	}
	t.lens[0] = append(t.lens[0], e.b)
	t.units = column(func(row int) uint64 { return uint64(ix.rows[row].units) })
	t.date = encodeDates(ix)
	return t
}

// averages returns each field's average length over the documents that
// have it (1 when none does) and the average text length (at least 1), as
// the client computed them from the columns before: sums of integers in
// float64, then one division.
func averages(ix *index) (avg [search.NumFields]float64, units float64) {
	for f := range avg {
		sum, n := 0.0, 0
		for row := range ix.rows {
			if l := ix.rows[row].lens[f]; l > 0 {
				sum += float64(l)
				n++
			}
		}
		avg[f] = 1
		if n > 0 {
			avg[f] = sum / float64(n)
		}
	}
	units = 1
	if ix.n > 0 {
		sum := 0.0
		for row := range ix.rows {
			sum += float64(ix.rows[row].units)
		}
		units = max(1, sum/float64(ix.n))
	}
	return avg, units
}

// encodeDates writes the dates as days since the Unix epoch in China
// Standard Time, each less the row before's (the first less the earliest
// day), zigzag-encoded, then that earliest day, then the rows whose date is no
// midnight there (or unknown) as gaps, each with its seconds into the day
// plus one (0 for unknown); then per row the rank of its ID among the
// rows of its date (ties of the order are broken by it).
func encodeDates(ix *index) []byte {
	const cst, day = 8 * 3600, 86400
	days := make([]int64, ix.n)
	first := int64(0)
	for row := range ix.rows {
		days[row] = floorDiv(ix.rows[row].date+cst, day)
		if row == 0 || days[row] < first {
			first = days[row]
		}
	}
	var e enc
	e.uint(uint64(ix.n))
	var odd []int
	prev := first
	for row := range ix.rows {
		e.int(days[row] - prev) // rows of a kind go by date: small steps
		prev = days[row]
		if ix.rows[row].date+cst-days[row]*day != 0 || ix.rows[row].date == 0 {
			odd = append(odd, row)
		}
	}
	e.int(first)
	e.uint(uint64(len(odd)))
	prevRow := -1
	for _, row := range odd {
		e.uint(uint64(row - prevRow))
		prevRow = row
		if ix.rows[row].date == 0 {
			e.uint(0)
			continue
		}
		e.uint(uint64(ix.rows[row].date+cst-days[row]*day) + 1)
	}
	for _, k := range ix.tie {
		e.uint(uint64(k))
	}
	return e.b
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}

// t2sSources lists the BMP characters that fold from Traditional to
// Simplified, as a bitmap over U+3400–U+9FFF (a bit a character, the
// lowest first), so that the client knows without the table when a query
// needs it: it reads the bytes of the query's characters only (see
// writeRaw). The other sources are listed in wide.
func t2sSources(pairs string) (bitmap []byte, wide string) {
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
	return bits, string(others)
}

// t2sSourceSet is the set of the characters of t2sSources (bitmap and
// wide alike) below U+20000, a bit each.
var t2sSourceSet = sync.OnceValue(func() []uint64 {
	pairs, _ := search.OpenCCTables()
	m := make([]uint64, 0x20000/64)
	rs := []rune(pairs)
	for i := 0; i+1 < len(rs); i += 2 {
		if r := rs[i]; r < 0x20000 {
			m[r/64] |= 1 << (r % 64)
		}
	}
	return m
})

// needsT2S reports whether folding a text needs the OpenCC tables, as the
// client decides it for a query (Store.opencc): a character they map, one
// beyond the BMP, or a compatibility ideograph or radical. A document's
// card says so (docFile.T2S), so that the client reads no bitmap for it.
func needsT2S(segs ...string) bool {
	src := t2sSourceSet()
	for _, s := range segs {
		for _, r := range s {
			if r >= 0x20000 || src[r/64]>>(r%64)&1 == 1 || r >= 0xf900 && r <= 0xfaff || r >= 0x2f00 && r <= 0x2fdf || r >= 0x2f800 {
				return true
			}
		}
	}
	return false
}
