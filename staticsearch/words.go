package staticsearch

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"gongkai/search"
)

// The word index. A query word of three or more CJK characters is found by
// its character pairs: the client reads every pair's postings, keeps the
// rows holding all of them in one field (the candidates, whose count is the
// word's idf and whose least pair frequency per field its term frequency),
// and reads the text of the candidates it shows to learn whether the pairs
// stand side by side. For the words of the vocabulary below, the postings
// hold that result as a term of its own: per candidate row and field the
// least pair frequency, and two bits, whether the row's stored text holds
// the word and whether its title does. The client reads one short list
// instead of the pairs' long ones, and needs no text to know which
// candidates hold the word; its ranking is the same by construction.
//
// An entry is row<<32 | field<<24 | min(frequency, 1<<22-1)<<2 | holds<<1 |
// title, a function of the row's own analysis and text and of the word
// alone: a rebuild patches a word's list as it patches a pair's, finding a
// changed row's old entries from its old pairs (its forward section, which
// holds no words) and its old text (the previous build's documents pack).
// A word term is three or more CJK characters (at least nine bytes), so it
// never collides with a pair (two characters, at most eight bytes) or a
// Latin or digit word; a phrase term (below) is two words and a space.
//
// The vocabulary is made of the titles (wordVocab). When a build's differs
// from the previous build's, the postings are not patched: the whole cache
// is read, the lists of the words it adds computed from the reused rows'
// pairs and texts (addWords), those of the words it drops removed.

const (
	// wordMin and wordMax bound a vocabulary word's length in characters.
	wordMin, wordMax = 3, 8
	// A word must be in wordDF titles, and in one of every wordShare.
	wordDF, wordShare = 3, 1000
	// wordFreqMax caps the frequency in a word entry.
	wordFreqMax = 1<<22 - 1
)

// isWordTerm reports whether a postings term is a vocabulary word's.
func isWordTerm(t string) bool {
	if len(t) < 9 {
		return false
	}
	r, _ := utf8.DecodeRuneInString(t)
	return search.IsCJK(r)
}

// wordVocab returns the vocabulary of the word index, sorted: the runs of
// wordMin…wordMax CJK characters of the folded titles, cut at titleCuts,
// that wordDF or more titles hold, and one in wordShare, and that no run one
// character longer is held by as many titles (closed: 园区建设 when some
// title holds it without 加快 before it). It is a function of the titles
// alone. The share keeps it from growing with the site: at 10,000 and
// 50,000 documents of the benchmark corpus, 820 and 755 words (with three
// titles alone, 4,012 and 20,422, most a verb and a noun, 加快园区建设,
// and the phrases of those made the index a third larger).
func wordVocab(docs []search.Doc, order []int) []string {
	type count struct {
		n    int32
		last int32
	}
	// Titles are counted by a 64-bit hash of each run (once per title);
	// the runs of the frequent ones are then counted by their text.
	byHash := map[uint64]count{}
	minDF := max(wordDF, len(order)/wordShare)
	runs := func(title string, fn func(rs []rune)) {
		var rs []rune
		flush := func() {
			for i := range rs {
				for l := wordMin; l <= wordMax && i+l <= len(rs); l++ {
					fn(rs[i : i+l])
				}
			}
			rs = rs[:0]
		}
		var t []rune
		for _, r := range title {
			t = append(t, search.FoldRune(r))
		}
		for i := 0; i < len(t); i++ {
			if !search.IsCJK(t[i]) {
				flush()
				continue
			}
			if n := cutAt(t[i:]); n > 0 {
				flush()
				i += n - 1
				continue
			}
			rs = append(rs, t[i])
		}
		flush()
	}
	hash := func(rs []rune) uint64 {
		h := uint64(14695981039346656037)
		for _, r := range rs {
			h ^= uint64(r)
			h *= 1099511628211
		}
		return h
	}
	for i, di := range order {
		runs(docs[di].Title, func(rs []rune) {
			h := hash(rs)
			c := byHash[h]
			if c.n == 0 || c.last != int32(i) {
				c.n++
				c.last = int32(i)
				byHash[h] = c
			}
		})
	}
	df := map[string]int{}
	last := map[string]int{}
	for i, di := range order {
		runs(docs[di].Title, func(rs []rune) {
			if len(rs) > wordMax || int(byHash[hash(rs)].n) < minDF {
				return
			}
			s := string(rs)
			if l, ok := last[s]; !ok || l != i {
				df[s]++
				last[s] = i
			}
		})
	}
	// A run one character longer held by as many titles holds s wherever
	// s is: s is not closed.
	open := map[string]bool{}
	for l, n := range df {
		rs := []rune(l)
		if len(rs) <= wordMin {
			continue
		}
		for _, p := range []string{string(rs[1:]), string(rs[:len(rs)-1])} {
			if df[p] == n {
				open[p] = true
			}
		}
	}
	var out []string
	for s, n := range df {
		if n >= minDF && !open[s] {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// titleDigest returns a digest of the titles in row order, which the
// vocabulary is made of.
func titleDigest(docs []search.Doc, order []int) string {
	h := sha256.New()
	var b []byte
	for _, di := range order {
		b = binary.AppendUvarint(b[:0], uint64(len(docs[di].Title)))
		h.Write(b)
		h.Write([]byte(docs[di].Title))
	}
	return string(h.Sum(nil))
}

// titleCuts are the words a title is cut at before its runs are counted:
// those that join its subject words to the agency and the document's kind
// (云泽市人民政府关于加快园区建设的通知: 云泽市人民政府, 加快园区建设, 通知).
var titleCuts = [][]rune{[]rune("关于"), []rune("印发"), []rune("转发"), []rune("的"), []rune("和"), []rune("与"), []rune("及")}

// cutAt returns the length of the cut word t begins with, or 0.
func cutAt(t []rune) int {
	for _, c := range titleCuts {
		if len(t) >= len(c) && slices.Equal(t[:len(c)], c) {
			return len(c)
		}
	}
	return 0
}

// wordSet is the vocabulary ready for matching.
type wordSet struct {
	words []string
	set   map[string]int32
	// Per word its distinct pairs (numbers, pairKey's), the first one
	// first; per pair the words it begins.
	wpairs [][]int32
	starts [][]int32
	// runes of each word, for finding it in text; key maps the first two
	// runes of a word (runeKey) to that pair, and filter has the bit of
	// every such key (keyBit).
	runes  [][]rune
	key    map[uint64]int32
	filter []uint64
	// pairKey maps every pair of the words (runeKey) to the pair, and
	// pairFilter has its keyBit.
	pairKey    map[uint64]int32
	pairFilter []uint64
}

func runeKey(a, b rune) uint64 { return uint64(a)<<32 | uint64(b) }

// keyBit is the bit of a runeKey in wordSet.filter (1<<20 bits).
func keyBit(k uint64) uint64 { return (k * 0x9E3779B97F4A7C15) >> 44 }

func newWordSet(words []string) *wordSet {
	ws := &wordSet{words: words, set: make(map[string]int32, len(words)), key: map[uint64]int32{}, filter: make([]uint64, 1<<20/64),
		pairKey: map[uint64]int32{}, pairFilter: make([]uint64, 1<<20/64)}
	for i, w := range words {
		ws.set[w] = int32(i)
		rs := []rune(w)
		ws.runes = append(ws.runes, rs)
		var ps []int32
		for k := 0; k+1 < len(rs); k++ {
			pk := runeKey(rs[k], rs[k+1])
			id, ok := ws.pairKey[pk]
			if !ok {
				id = int32(len(ws.starts))
				ws.starts = append(ws.starts, nil)
				ws.pairKey[pk] = id
				ws.pairFilter[keyBit(pk)>>6] |= 1 << (keyBit(pk) & 63)
			}
			if !slices.Contains(ps, id) {
				ps = append(ps, id)
			}
		}
		ws.wpairs = append(ws.wpairs, ps)
		ws.starts[ps[0]] = append(ws.starts[ps[0]], int32(i))
		k := runeKey(rs[0], rs[1])
		ws.key[k] = ps[0]
		ws.filter[keyBit(k)>>6] |= 1 << (keyBit(k) & 63)
	}
	return ws
}

// A phrase term, "w1 w2", lists the rows whose text holds two words of the
// vocabulary of phraseMin or more characters side by side (w2 beginning
// where w1 ends), each with the entry phraseEntry: what a query of the two
// words needs to know whether a row ranks in the side-by-side tier, without
// its text. The space keeps it apart from every other term.
const phraseEntry = 1

// phraseMin is the least length in characters of a phrase's words: those
// of three characters would be three tenths of the phrases (ten thousand
// documents of the benchmark corpus: 68,504 of 246,643 terms, 326,223 of
// 787,804 entries) for the fewer queries that hold two of them.
const phraseMin = 4

// hasTerm reports whether a word or phrase term is of this vocabulary.
func (ws *wordSet) hasTerm(t string) bool {
	a, b, ok := strings.Cut(t, " ")
	return ws.has(a) && (!ok || ws.has(b))
}

// occurrence is where a word of the vocabulary begins in a segment.
type occurrence struct{ seg, at, w int32 }

// occurrences returns every occurrence of the vocabulary's words in the
// text, by segment and position.
func (ws *wordSet) occurrences(t *rowText) []occurrence {
	var occs []occurrence
	for si, seg := range t.segs {
		for i := 0; i+1 < len(seg); i++ {
			k := runeKey(seg[i], seg[i+1])
			if b := keyBit(k); ws.filter[b>>6]&(1<<(b&63)) == 0 {
				continue
			}
			p, ok := ws.key[k]
			if !ok {
				continue
			}
			for _, w := range ws.starts[p] {
				if rs := ws.runes[w]; i+len(rs) <= len(seg) && slices.Equal(seg[i+2:i+len(rs)], rs[2:]) {
					occs = append(occs, occurrence{int32(si), int32(i), w})
				}
			}
		}
	}
	return occs
}

// phrases calls emit with each phrase of the occurrences (w1<<32 | w2),
// once, in the order of their terms (phraseTerm); with only, just those one
// of whose words it accepts.
func (ws *wordSet) phrases(occs []occurrence, only func(w int32) bool, emit func(p uint64)) {
	var pairs []uint64
	for _, o := range occs {
		end := o.at + int32(len(ws.runes[o.w]))
		j, _ := slices.BinarySearchFunc(occs, occurrence{o.seg, end, 0}, func(x, y occurrence) int {
			return cmp.Or(cmp.Compare(x.seg, y.seg), cmp.Compare(x.at, y.at))
		})
		if len(ws.runes[o.w]) < phraseMin {
			continue
		}
		for ; j < len(occs) && occs[j].seg == o.seg && occs[j].at == end; j++ {
			if len(ws.runes[occs[j].w]) < phraseMin {
				continue
			}
			if only == nil || only(o.w) || only(occs[j].w) {
				pairs = append(pairs, uint64(o.w)<<32|uint64(occs[j].w))
			}
		}
	}
	// The words are in byte order and a space sorts before every
	// character of theirs: the pairs' order is their terms'.
	slices.Sort(pairs)
	for _, p := range slices.Compact(pairs) {
		emit(p)
	}
}

// phraseTerm returns the term of a phrase (w1<<32 | w2).
func (ws *wordSet) phraseTerm(p uint64) string { return ws.words[p>>32] + " " + ws.words[uint32(p)] }

func (ws *wordSet) has(w string) bool {
	_, ok := ws.set[w]
	return ok
}

// rowPairs gathers one row's frequencies of the vocabulary's pairs, by
// field, for rowWords.
type rowPairs struct {
	ws      *wordSet
	freq    [][search.NumFields]uint32
	touched []int32
	held    []bool // per word, during rowWords
}

func (ws *wordSet) newRowPairs() *rowPairs {
	return &rowPairs{ws: ws, freq: make([][search.NumFields]uint32, len(ws.starts))}
}

// add records a term of the row's analysis.
func (rp *rowPairs) add(field int, term []byte, freq int) {
	a, n := utf8.DecodeRune(term)
	if n == len(term) || len(term) > 8 {
		return
	}
	b, m := utf8.DecodeRune(term[n:])
	if n+m != len(term) {
		return
	}
	k := runeKey(a, b)
	if bit := keyBit(k); rp.ws.pairFilter[bit>>6]&(1<<(bit&63)) == 0 {
		return
	}
	id, ok := rp.ws.pairKey[k]
	if !ok {
		return
	}
	f := &rp.freq[id]
	if *f == ([search.NumFields]uint32{}) {
		rp.touched = append(rp.touched, id)
	}
	f[field] = uint32(freq)
}

func (rp *rowPairs) reset() {
	for _, id := range rp.touched {
		rp.freq[id] = [search.NumFields]uint32{}
	}
	rp.touched = rp.touched[:0]
}

// candidates calls fn for each word whose pairs the row holds all in one
// field at least, with the least frequency per field (0 where not all).
func (rp *rowPairs) candidates(fn func(w int32, freq *[search.NumFields]uint32)) {
	mask := func(q int32) uint8 {
		var m uint8
		for f, v := range rp.freq[q] {
			if v > 0 {
				m |= 1 << f
			}
		}
		return m
	}
	for _, p := range rp.touched {
		for _, w := range rp.ws.starts[p] {
			// The fields holding every pair, then their least frequency.
			fields := uint8(1<<search.NumFields - 1)
			for _, q := range rp.ws.wpairs[w] {
				if fields &= mask(q); fields == 0 {
					break
				}
			}
			if fields == 0 {
				continue
			}
			var fr [search.NumFields]uint32
			for f := range fr {
				if fields&(1<<f) == 0 {
					continue
				}
				for k, q := range rp.ws.wpairs[w] {
					if v := rp.freq[q][f]; k == 0 || v < fr[f] {
						fr[f] = v
					}
				}
			}
			fn(w, &fr)
		}
	}
}

// rowText is a row's stored text folded, for the bits of its entries.
type rowText struct {
	segs  [4][]rune
	title string // squeezed and folded, as the client's foldTitle
}

func newRowText(d *search.Doc) *rowText { return textOf(d.Title, search.DocText(d)) }

// textOf returns the rowText of a title and stored text.
func textOf(title string, segs [4]string) *rowText {
	t := &rowText{}
	for i, s := range segs {
		rs := make([]rune, 0, len(s)/3+1)
		for _, r := range s {
			rs = append(rs, search.FoldRune(r))
		}
		t.segs[i] = rs
	}
	t.setTitle(title)
	return t
}

// setTitle sets the title the text's words are looked for in.
func (t *rowText) setTitle(title string) {
	var b strings.Builder
	for _, r := range title {
		if r = search.FoldRune(r); !unicode.IsSpace(r) {
			b.WriteRune(r)
		}
	}
	t.title = b.String()
}

// wordEntry returns the low half of a word's entry in a field.
func wordEntry(field int, freq uint32, holds, title bool) uint64 {
	x := uint64(field)<<24 | uint64(min(freq, wordFreqMax))<<2
	if holds {
		x |= 2
	}
	if title {
		x |= 1
	}
	return x
}

// rowWords calls emit with each word entry of one row (without the row),
// from its pairs and its text; words in order of the vocabulary.
func (rp *rowPairs) rowWords(text func() *rowText, word func(w int32, x uint64), phrase func(p uint64)) {
	type cand struct {
		w  int32
		fr [search.NumFields]uint32
	}
	var cs []cand
	rp.candidates(func(w int32, fr *[search.NumFields]uint32) { cs = append(cs, cand{w, *fr}) })
	if len(cs) == 0 {
		return // a text that holds a word has its pairs
	}
	slices.SortFunc(cs, func(a, b cand) int { return cmp.Compare(a.w, b.w) })
	t := text()
	occs := rp.ws.occurrences(t)
	if rp.held == nil {
		rp.held = make([]bool, len(rp.ws.words))
	}
	for _, o := range occs {
		rp.held[o.w] = true
	}
	defer func() {
		for _, o := range occs {
			rp.held[o.w] = false
		}
	}()
	for _, c := range cs {
		holds, title := rp.held[c.w], strings.Contains(t.title, rp.ws.words[c.w])
		for f, fr := range c.fr {
			if fr > 0 {
				word(c.w, wordEntry(f, fr, holds, title))
			}
		}
	}
	rp.ws.phrases(occs, nil, phrase)
}

// rowTerms calls emit with the terms and entries rowWords gives, in order.
func (rp *rowPairs) rowTerms(text func() *rowText, emit func(term string, x uint64)) {
	rp.rowWords(text, func(w int32, x uint64) { emit(rp.ws.words[w], x) }, func(p uint64) { emit(rp.ws.phraseTerm(p), phraseEntry) })
}

// wordList returns the entries of word w over every row, from the pairs'
// postings (pair returns a pair's entries, sorted; only those of fields
// are used) and the rows' texts: what rowWords gives each row, gathered.
func wordList(w string, pair func(p string) []uint64, text func(row int) *rowText) []uint64 {
	rs := []rune(w)
	var lists [][]uint64
	for k := 0; k+1 < len(rs); k++ {
		p := string(rs[k : k+2])
		dup := false
		for j := 0; j < k; j++ {
			dup = dup || string(rs[j:j+2]) == p
		}
		if !dup {
			lists = append(lists, pair(p))
		}
	}
	// Per field, the rows of all lists, with the least frequency.
	type hit struct {
		row   int
		field int
		freq  uint32
	}
	var hits []hit
	for f := range search.NumFields {
		var fl [][]uint64
		for _, l := range lists {
			var x []uint64
			for _, e := range l {
				if int(e>>24&0xff) == f {
					x = append(x, e)
				}
			}
			fl = append(fl, x)
		}
		slices.SortFunc(fl, func(a, b []uint64) int { return cmp.Compare(len(a), len(b)) })
		pos := make([]int, len(fl))
		for _, e := range fl[0] {
			row, m, ok := e>>32, uint32(e&0xffffff), true
			for k := 1; k < len(fl) && ok; k++ {
				l, p := fl[k], pos[k]
				for p < len(l) && l[p]>>32 < row {
					p++
				}
				pos[k] = p
				if p == len(l) || l[p]>>32 != row {
					ok = false
					break
				}
				m = min(m, uint32(l[p]&0xffffff))
			}
			if ok {
				hits = append(hits, hit{int(row), f, m})
			}
		}
	}
	slices.SortFunc(hits, func(a, b hit) int { return cmp.Or(cmp.Compare(a.row, b.row), cmp.Compare(a.field, b.field)) })
	out := make([]uint64, 0, len(hits))
	for i := 0; i < len(hits); {
		j := i
		for j < len(hits) && hits[j].row == hits[i].row {
			j++
		}
		t := text(hits[i].row)
		holds, title := false, strings.Contains(t.title, w)
		for _, seg := range t.segs {
			for k := 0; k+len(rs) <= len(seg) && !holds; k++ {
				holds = seg[k] == rs[0] && slices.Equal(seg[k:k+len(rs)], rs)
			}
		}
		for _, h := range hits[i:j] {
			out = append(out, uint64(h.row)<<32|wordEntry(h.field, h.freq, holds, title))
		}
		i = j
	}
	return out
}
