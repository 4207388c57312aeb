package staticsearch

import (
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"io/fs"
	"maps"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"sync"

	"gongkai/search"
)

// The analysis cache keeps what analyze made of every document, so that the
// next build analyses only the documents whose ID or Hash changed, and,
// when the documents are the same ones in the same rows, re-encodes only
// the postings packs whose terms the changed documents touch. It is
// bookkeeping in the build's state folder, never served.
//
// It is a folder of files, each sealed by a CRC-32C and named by a hash of
// its bytes, so that a rebuild hard-links the previous build's files it
// does not change instead of decoding and writing them again:
//   - CacheIndex: the salt, per row the document's ID, Hash, field lengths
//     and text length, the names of the other files and of the packs
//     they give, and the did-you-mean vocabulary's packs with the digest
//     of what they were made of (vocabDigest);
//   - per group of postings buckets (one pack of the index), the bucket's
//     terms with their entries ("g-" files);
//   - per fwdBlock rows (an eighth of a documents pack's), each row's own
//     entries, the forward index a rebuild needs to know what a changed
//     document held ("f-" files).
const (
	// CacheDir is the analysis cache's folder in the state folder.
	CacheDir = "static-search-analysis"
	// CacheIndex is the cache's index file in CacheDir.
	CacheIndex = "index.bin"
	// analysisVersion changes whenever what analyze produces for one
	// document changes (postings' layout, lengths, unigram counts) or the
	// cache's layout does: a cache of another version is ignored.
	analysisVersion = 9
	cacheMagic      = "gongkai-static-search-analysis\n"
	// fwdBlock is how many rows a forward file holds: a rebuild after
	// one edit reads, decodes and writes again the one file of the
	// edited row (at 10,000 documents of the benchmark corpus, 0.8 MB;
	// a file per documents pack, 512 rows, was 6.3 MB). It divides
	// blockSize, by which the analysis hands over its rows.
	fwdBlock = blockSize / 8
)

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

// cached is what the previous build's cache gives: per row of this build,
// whether its analysis was reused, and the reused rows' postings (with this
// build's rows), lengths and forward sections.
type cached struct {
	reused      []bool
	lens        [][search.NumFields]uint32
	units       []int
	grams, unis map[string]*postings
	// fwd is a reused row's forward section (see encodeSection), nil
	// when the cache has none (then no forward files are written).
	fwd [][]byte
}

// cacheIndex is CacheIndex decoded.
type cacheIndex struct {
	ids, hashes []string
	lens        [][search.NumFields]uint32
	units       []int
	// Per family (postings, unigrams): the number of buckets, and per
	// group the pack's name and the group's cache file.
	buckets       [2]int
	packs, groups [2][]string
	// Per fwdBlock rows, its forward file; per blockSize rows, its
	// documents pack.
	fwd, docs []string
	// vocab is the vocabulary's packs, made of the documents whose
	// vocabDigest is vocabDigest ("" for none: always written afresh).
	vocabDigest string
	vocab       vocabSet
	// words is the word index's vocabulary (wordVocab), made of the
	// titles whose digest is titles (titleDigest).
	words  []string
	titles string
}

// errCache marks a cache that cannot be used; the caller then analyses
// every document.
var errCache = errors.New("unusable analysis cache")

// seal appends b's CRC-32C.
func seal(b []byte) []byte {
	return binary.LittleEndian.AppendUint32(b, crc32.Checksum(b, castagnoli))
}

// readSealed reads the file name of dir and returns its body, checked.
func readSealed(dir, name string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(dir, name))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", errCache, err)
	}
	if len(data) < 4 {
		return nil, fmt.Errorf("%w: %s: %d bytes", errCache, name, len(data))
	}
	body := data[:len(data)-4]
	if crc32.Checksum(body, castagnoli) != binary.LittleEndian.Uint32(data[len(data)-4:]) {
		return nil, fmt.Errorf("%w: %s: checksum", errCache, name)
	}
	return body, nil
}

// cacheWriter writes the cache's files into dir, linking prev's (the
// previous build's cache folder, "" for none) of the same name.
type cacheWriter struct {
	dir, prev string
}

// put writes body, sealed, under a name made of prefix and its hash.
func (cw *cacheWriter) put(prefix string, body []byte) (string, error) {
	data := seal(body)
	name := prefix + contentHash(data) + ".bin"
	if err := os.WriteFile(filepath.Join(cw.dir, name), data, 0o644); err != nil {
		return "", fmt.Errorf("analysis cache: %w", err)
	}
	return name, nil
}

// keep links the previous build's file name into dir, or copies it. It
// does not read it: a damaged file is found when a later build needs its
// contents, which then analyses every document.
func (cw *cacheWriter) keep(name string) error {
	src, dst := filepath.Join(cw.prev, name), filepath.Join(cw.dir, name)
	err := os.Link(src, dst)
	if err == nil || errors.Is(err, fs.ErrExist) {
		return nil
	}
	data, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("%w: %w", errCache, err)
	}
	if err := os.WriteFile(dst, data, 0o644); err != nil {
		return fmt.Errorf("analysis cache: %w", err)
	}
	return nil
}

// readIndex reads the cache index in dir, which must have been written
// with salt.
func readIndex(dir string, salt []byte) (*cacheIndex, error) {
	body, err := readSealed(dir, CacheIndex)
	if err != nil {
		return nil, err
	}
	if !bytes.HasPrefix(body, []byte(cacheMagic)) {
		return nil, fmt.Errorf("%w: not an analysis cache", errCache)
	}
	d := dec{b: body[len(cacheMagic):]}
	if v := d.uint(); v != analysisVersion {
		return nil, fmt.Errorf("%w: version %d", errCache, v)
	}
	if s := d.str(); s != string(salt) || d.err {
		return nil, fmt.Errorf("%w: another program or settings", errCache)
	}
	n := d.uint()
	if n > uint64(len(d.b)) {
		return nil, fmt.Errorf("%w: %d rows", errCache, n)
	}
	ci := &cacheIndex{ids: make([]string, n), hashes: make([]string, n), lens: make([][search.NumFields]uint32, n), units: make([]int, n)}
	for row := range ci.ids {
		ci.ids[row], ci.hashes[row] = d.str(), d.str()
		for f := range ci.lens[row] {
			ci.lens[row][f] = uint32(d.uint())
		}
		ci.units[row] = int(d.uint())
	}
	names := func() []string {
		k := d.uint()
		if k > uint64(len(d.b)) {
			d.err = true
			return nil
		}
		s := make([]string, k)
		for i := range s {
			s[i] = d.str()
		}
		return s
	}
	for f := range ci.packs {
		ci.buckets[f] = int(d.uint())
		ci.packs[f], ci.groups[f] = names(), names()
	}
	ci.fwd, ci.docs = names(), names()
	ci.vocabDigest = d.str()
	ci.vocab = vocabSet{Block: vocabBlock}
	for _, bs := range []*bucketSet{&ci.vocab.Pairs, &ci.vocab.Rows} {
		bs.Dir, bs.Buckets = "v", int(d.uint())
		if bs.Groups = names(); len(bs.Groups) == 0 {
			bs.Groups = nil // as writeEntries leaves it
		}
	}
	ci.titles = d.str()
	ci.words = names()
	if !slices.IsSorted(ci.words) {
		d.err = true
	}
	if d.err || len(d.b) != 0 {
		return nil, fmt.Errorf("%w: damaged index", errCache)
	}
	for f := range ci.packs {
		if len(ci.packs[f]) != len(ci.groups[f]) || len(ci.groups[f]) != (ci.buckets[f]+groupSize-1)/groupSize {
			return nil, fmt.Errorf("%w: damaged index", errCache)
		}
	}
	if len(ci.fwd) != (int(n)+fwdBlock-1)/fwdBlock || len(ci.docs) != (int(n)+blockSize-1)/blockSize {
		return nil, fmt.Errorf("%w: damaged index", errCache)
	}
	for _, list := range [][]string{ci.groups[0], ci.groups[1], ci.fwd} {
		for _, name := range list {
			if name == "" || strings.ContainsAny(name, `/\`) || name == "." || name == ".." {
				return nil, fmt.Errorf("%w: damaged index", errCache)
			}
		}
	}
	for _, bs := range []bucketSet{ci.vocab.Pairs, ci.vocab.Rows} {
		ok := len(bs.Groups) == (bs.Buckets+groupSize-1)/groupSize
		for _, name := range bs.Groups {
			_, err := hex.DecodeString(name)
			ok = ok && err == nil && len(name) == 16 // contentHash's
		}
		if !ok {
			// The vocabulary is written afresh; the rest is good.
			ci.vocabDigest = ""
		}
	}
	return ci, nil
}

// writeIndex writes ci with salt as dir's CacheIndex (through a temporary
// file renamed into place).
func writeIndex(dir string, salt []byte, ci *cacheIndex) error {
	var e enc
	e.b = append(e.b, cacheMagic...)
	e.uint(analysisVersion)
	e.str(string(salt))
	e.uint(uint64(len(ci.ids)))
	for row := range ci.ids {
		e.str(ci.ids[row])
		e.str(ci.hashes[row])
		for _, l := range ci.lens[row] {
			e.uint(uint64(l))
		}
		e.uint(uint64(ci.units[row]))
	}
	names := func(s []string) {
		e.uint(uint64(len(s)))
		for _, x := range s {
			e.str(x)
		}
	}
	for f := range ci.packs {
		e.uint(uint64(ci.buckets[f]))
		names(ci.packs[f])
		names(ci.groups[f])
	}
	names(ci.fwd)
	names(ci.docs)
	e.str(ci.vocabDigest)
	for _, bs := range []bucketSet{ci.vocab.Pairs, ci.vocab.Rows} {
		e.uint(uint64(bs.Buckets))
		names(bs.Groups)
	}
	e.str(ci.titles)
	names(ci.words)
	name := filepath.Join(dir, CacheIndex)
	if err := os.WriteFile(name+".tmp", seal(e.b), 0o644); err != nil {
		return fmt.Errorf("analysis cache: %w", err)
	}
	if err := os.Rename(name+".tmp", name); err != nil {
		return fmt.Errorf("analysis cache: %w", err)
	}
	return nil
}

// fwdEntry is one entry of a row's forward section: a term and the low
// half of its postings entry (field<<24 | frequency, or the unigram count).
type fwdEntry struct {
	term string
	x    uint32
}

func compareFwd(a, b fwdEntry) int {
	if c := strings.Compare(a.term, b.term); c != 0 {
		return c
	}
	return int(int64(a.x) - int64(b.x))
}

// encodeSection returns a row's forward section: its bigram and word
// entries, then its unigram entries, each sorted.
func encodeSection(grams, unis []fwdEntry) []byte {
	var e enc
	// The vocabulary's words are not a row's own: a rebuild finds a
	// changed row's old words from its pairs (patch).
	grams = slices.DeleteFunc(grams, func(x fwdEntry) bool { return isWordTerm(x.term) })
	for _, list := range [][]fwdEntry{grams, unis} {
		if !slices.IsSortedFunc(list, compareFwd) {
			slices.SortFunc(list, compareFwd)
		}
		e.uint(uint64(len(list)))
		for _, x := range list {
			e.str(x.term)
			e.uint(uint64(x.x))
		}
	}
	return e.b
}

func decodeSection(b []byte) (lists [2][]fwdEntry, ok bool) {
	d := dec{b: b}
	for f := range lists {
		n := d.uint()
		if n > uint64(len(d.b)) {
			return lists, false
		}
		lists[f] = make([]fwdEntry, 0, n)
		for range n {
			t := d.str()
			x := d.uint()
			if d.err || x > 0xffffffff {
				return lists, false
			}
			lists[f] = append(lists[f], fwdEntry{t, uint32(x)})
		}
	}
	return lists, !d.err && len(d.b) == 0
}

// encodeBlock returns a forward file: the sections of a block's rows.
func encodeBlock(sections [][]byte) []byte {
	// Sized once, with the seal's four bytes (cacheWriter.put).
	n := binary.MaxVarintLen64 + 4
	for _, s := range sections {
		n += binary.MaxVarintLen64 + len(s)
	}
	e := enc{b: make([]byte, 0, n)}
	e.uint(uint64(len(sections)))
	for _, s := range sections {
		e.uint(uint64(len(s)))
		e.b = append(e.b, s...)
	}
	return e.b
}

func decodeBlock(b []byte, rows int) ([][]byte, error) {
	d := dec{b: b}
	if n := d.uint(); n != uint64(rows) {
		return nil, fmt.Errorf("%w: forward block of %d rows, want %d", errCache, n, rows)
	}
	out := make([][]byte, rows)
	for i := range out {
		n := d.uint()
		if d.err || n > uint64(len(d.b)) {
			return nil, fmt.Errorf("%w: damaged forward block", errCache)
		}
		out[i], d.b = d.b[:n:n], d.b[n:]
	}
	if len(d.b) != 0 {
		return nil, fmt.Errorf("%w: damaged forward block", errCache)
	}
	return out, nil
}

// rowEntries returns, per row lo…hi-1, the entries m holds for it.
func rowEntries[P any](m map[string]P, entries func(P) []uint64, lo, hi int) [][]fwdEntry {
	out := make([][]fwdEntry, hi-lo)
	for t, p := range m {
		for _, x := range entries(p) {
			if r := int(x >> 32); r >= lo && r < hi {
				out[r-lo] = append(out[r-lo], fwdEntry{t, uint32(x)})
			}
		}
	}
	return out
}

// forwardSink returns analyze's hook that writes each block's forward file
// (analysed rows from their postings, reused rows from c) and names it in
// names.
func (cw *cacheWriter) forwardSink(c *cached, names []string) func(lo, hi int, grams, unis map[string]*[]uint64) error {
	// byRow returns per row the entries of m, in order (terms sorted
	// once for the block, and each term's entries), as encodeSection
	// writes them.
	byRow := func(m map[string]*[]uint64, lo, hi int) [][]fwdEntry {
		out := make([][]fwdEntry, hi-lo)
		for _, t := range slices.Sorted(maps.Keys(m)) {
			p := *m[t]
			slices.Sort(p)
			for _, x := range p {
				out[int(x>>32)-lo] = append(out[int(x>>32)-lo], fwdEntry{t, uint32(x)})
			}
		}
		return out
	}
	return func(lo, hi int, grams, unis map[string]*[]uint64) error {
		g, u := byRow(grams, lo, hi), byRow(unis, lo, hi)
		sections := make([][]byte, hi-lo)
		for r := range sections {
			if c != nil && c.reused[lo+r] {
				sections[r] = c.fwd[lo+r]
				continue
			}
			sections[r] = encodeSection(g[r], u[r])
		}
		// lo is a multiple of blockSize, so of fwdBlock.
		for flo := lo; flo < hi; flo += fwdBlock {
			name, err := cw.put("f-", encodeBlock(sections[flo-lo:min(hi, flo+fwdBlock)-lo]))
			if err != nil {
				return err
			}
			names[flo/fwdBlock] = name
		}
		return nil
	}
}

// encodeGroup returns a group file: per bucket of the group its terms (in
// order) with their entries.
func encodeGroup(terms [][]string, entries func(t string) []uint64) []byte {
	var e enc
	for _, ts := range terms {
		e.uint(uint64(len(ts)))
		for _, t := range ts {
			list := entries(t)
			e.str(t)
			e.uint(uint64(len(list)))
			prev := uint64(0)
			for _, x := range list { // sorted: rows ascend
				e.uint(x>>32 - prev)
				e.uint(x & 0xffffffff)
				prev = x >> 32
			}
		}
	}
	return e.b
}

// groupTerm is a term of a decoded group file.
type groupTerm struct {
	term string
	p    *postings
}

// decodeGroup reads a group file of nb buckets whose entries' rows are
// below rows; row maps them (nil: as they are; -1 drops an entry).
func decodeGroup(b []byte, nb int, rows uint64, row []int) ([][]groupTerm, error) {
	d := dec{b: b}
	out := make([][]groupTerm, nb)
	for bi := range out {
		nt := d.uint()
		if nt > uint64(len(d.b)) {
			return nil, fmt.Errorf("%w: damaged group", errCache)
		}
		for range nt {
			t := d.str()
			ne := d.uint()
			if d.err || ne > uint64(len(d.b)) {
				return nil, fmt.Errorf("%w: damaged group", errCache)
			}
			p := &postings{e: make([]uint64, 0, ne)}
			r := uint64(0)
			for range ne {
				r += d.uint()
				x := d.uint()
				if d.err || r >= rows || x > 0xffffffff {
					return nil, fmt.Errorf("%w: damaged group", errCache)
				}
				nr := int64(r)
				if row != nil {
					nr = int64(row[r])
				}
				if nr >= 0 {
					p.e = append(p.e, uint64(nr)<<32|x)
				}
			}
			out[bi] = append(out[bi], groupTerm{t, p})
		}
	}
	if d.err || len(d.b) != 0 {
		return nil, fmt.Errorf("%w: damaged group", errCache)
	}
	return out, nil
}

// families are the two kinds of postings, as Write writes them.
type family struct {
	dir     string
	buckets int
	encode  func(e *enc, term string, p *postings)
}

func (w *writer) families() [2]family {
	return [2]family{{"p", w.buckets, encodeGram}, {"u", w.ubuckets, encodeUni}}
}

// analysis is one build's use of the cache: it analyses the documents,
// writes the postings packs and, with a state folder, the cache.
type analysis struct {
	w          *writer
	docs       []search.Doc
	order      []int
	salt       []byte
	cw         *cacheWriter // nil: no cache is written
	prev       *cacheIndex  // the previous cache, when the rows are the same
	prevDir    string
	c          *cached
	next       cacheIndex
	changed    []int // fast path: the rows analysed
	isChanged  []bool
	Analysed   int
	reasonSlow error
	// prevVocab is the previous cache's vocabulary (with its digest),
	// whatever the rows; nil without a readable previous cache.
	prevVocab *cacheIndex
	// VocabReused reports that the vocabulary's packs were linked from
	// the previous build (vocab).
	VocabReused bool
	// words is the word index's vocabulary.
	words *wordSet
}

// openAnalysis reads the previous build's cache (opts.PrevState) and
// decides what must be analysed: with the same documents in the same rows,
// only the changed ones (the fast path); else every document whose ID and
// Hash the cache does not hold, its other rows taken from the cache.
func openAnalysis(w *writer, docs []search.Doc, order []int, opts Options) (*analysis, error) {
	a := &analysis{w: w, docs: docs, order: order, salt: opts.Salt, Analysed: len(order)}
	// The word index's vocabulary: the previous build's when the titles
	// are the same.
	a.next.titles = titleDigest(docs, order)
	defer func() {
		if a.next.words == nil {
			a.next.words = wordVocab(docs, order)
		}
		a.words = newWordSet(a.next.words)
	}()
	if opts.State != "" {
		a.cw = &cacheWriter{dir: filepath.Join(opts.State, CacheDir)}
		if err := os.MkdirAll(a.cw.dir, 0o755); err != nil {
			return nil, fmt.Errorf("analysis cache: %w", err)
		}
	}
	if opts.PrevState == "" {
		return a, nil
	}
	a.prevDir = filepath.Join(opts.PrevState, CacheDir)
	if a.cw != nil {
		a.cw.prev = a.prevDir
	}
	ci, err := readIndex(a.prevDir, opts.Salt)
	if err != nil {
		a.reasonSlow = err
		return a, nil
	}
	a.prevVocab = ci
	if ci.titles == a.next.titles {
		a.next.words = ci.words
	} else {
		a.next.words = wordVocab(docs, order)
	}
	// The fast path needs the same vocabulary: a word it adds or drops
	// changes rows no document of this build's changes touch.
	same := len(ci.ids) == len(order) && slices.Equal(ci.words, a.next.words)
	for row := 0; same && row < len(order); row++ {
		same = ci.ids[row] == docs[order[row]].ID
	}
	if same && ci.buckets == [2]int{w.buckets, w.ubuckets} {
		a.prev = ci
		a.isChanged = make([]bool, len(order))
		a.c = &cached{reused: make([]bool, len(order)), lens: ci.lens, units: ci.units, grams: map[string]*postings{}, unis: map[string]*postings{}}
		for row := range order {
			if h := docs[order[row]].Hash; h != "" && h == ci.hashes[row] {
				a.c.reused[row] = true
			} else {
				a.changed = append(a.changed, row)
				a.isChanged[row] = true
			}
		}
		a.Analysed = len(a.changed)
		return a, nil
	}
	if a.c, err = readAll(a.prevDir, ci, docs, order, a.cw != nil); err != nil {
		a.c, a.reasonSlow = nil, err
		return a, nil
	}
	// The reused rows' words and phrases: those of the previous
	// vocabulary this one has not dropped, and those it adds.
	if added, _ := vocabDiff(ci.words, a.next.words); !slices.Equal(ci.words, a.next.words) {
		a.words = newWordSet(a.next.words)
		for t := range a.c.grams {
			if isWordTerm(t) && !a.words.hasTerm(t) {
				delete(a.c.grams, t)
			}
		}
		a.addWords(added, a.c.grams)
	}
	for _, r := range a.c.reused {
		if r {
			a.Analysed--
		}
	}
	return a, nil
}

// readAll reads the whole previous cache and keeps the analysis of the
// documents of this build whose ID and non-empty Hash it holds (with this
// build's rows); with fwd, their forward sections too.
func readAll(dir string, ci *cacheIndex, docs []search.Doc, order []int, fwd bool) (*cached, error) {
	rowOf := make(map[string]int, len(order))
	for row, di := range order {
		rowOf[docs[di].ID] = row
	}
	n := len(order)
	c := &cached{reused: make([]bool, n), lens: make([][search.NumFields]uint32, n), units: make([]int, n),
		grams: map[string]*postings{}, unis: map[string]*postings{}}
	if fwd {
		c.fwd = make([][]byte, n)
	}
	newRow := make([]int, len(ci.ids))
	for old, id := range ci.ids {
		newRow[old] = -1
		if row, ok := rowOf[id]; ok && ci.hashes[old] != "" && ci.hashes[old] == docs[order[row]].Hash && !c.reused[row] {
			newRow[old] = row
			c.reused[row] = true
			c.lens[row], c.units[row] = ci.lens[old], ci.units[old]
		}
	}
	for f, m := range []map[string]*postings{c.grams, c.unis} {
		for gi, name := range ci.groups[f] {
			body, err := readSealed(dir, name)
			if err != nil {
				return nil, err
			}
			// A term's bucket is computed again when the packs are
			// written: the previous build may have had other counts.
			nb := min(ci.buckets[f], (gi+1)*groupSize) - gi*groupSize
			buckets, err := decodeGroup(body, nb, uint64(len(ci.ids)), newRow)
			if err != nil {
				return nil, err
			}
			for _, b := range buckets {
				for _, gt := range b {
					if len(gt.p.e) > 0 {
						m[gt.term] = gt.p
					}
				}
			}
		}
	}
	if fwd {
		for bi, name := range ci.fwd {
			body, err := readSealed(dir, name)
			if err != nil {
				return nil, err
			}
			secs, err := decodeBlock(body, min(len(ci.ids), (bi+1)*fwdBlock)-bi*fwdBlock)
			if err != nil {
				return nil, err
			}
			for i, s := range secs {
				if row := newRow[bi*fwdBlock+i]; row >= 0 {
					c.fwd[row] = s
				}
			}
		}
	}
	return c, nil
}

// analyze analyses the documents the cache does not hold.
func (a *analysis) analyze(ctx context.Context) (*index, error) {
	var sink func(lo, hi int, grams, unis map[string]*[]uint64) error
	if a.cw != nil && a.prev == nil {
		a.next.fwd = make([]string, (len(a.order)+fwdBlock-1)/fwdBlock)
		c := a.c
		if c != nil && c.fwd == nil {
			c = nil
		}
		sink = a.cw.forwardSink(c, a.next.fwd)
	}
	return analyze(ctx, a.docs, a.order, a.c, a.words, sink)
}

// postings writes the postings packs of both families and, with a state
// folder, the cache's group files.
func (a *analysis) postings(ctx context.Context, ix *index) ([2]bucketSet, error) {
	var sets [2]bucketSet
	var errs [2]error
	for f, fam := range a.w.families() {
		a.next.buckets[f] = fam.buckets
		m := []map[string]*postings{ix.grams, ix.unis}[f]
		if a.prev != nil {
			sets[f], errs[f] = a.patch(ctx, f, fam, m)
			continue
		}
		var group func(gi int, terms [][]string) error
		if a.cw != nil {
			a.next.groups[f] = make([]string, (fam.buckets+groupSize-1)/groupSize)
			group = func(gi int, terms [][]string) error {
				var err error
				a.next.groups[f][gi], err = a.cw.put("g-", encodeGroup(terms, func(t string) []uint64 { return m[t].e }))
				return err
			}
		}
		sets[f], errs[f] = a.w.writeBuckets(ctx, fam.dir, fam.buckets, m, fam.encode, group)
		a.next.packs[f] = sets[f].Groups
	}
	return sets, errors.Join(errs[0], errs[1])
}

// patch is the fast path of postings for family f: m holds the postings of
// the changed rows only. A group none of whose terms' entries of those rows
// changed keeps its pack and group file; the others are decoded from the
// previous cache, patched and written.
func (a *analysis) patch(ctx context.Context, f int, fam family, m map[string]*postings) (bucketSet, error) {
	set := bucketSet{Dir: fam.dir, Buckets: fam.buckets, Groups: slices.Clone(a.prev.packs[f])}
	ng := len(set.Groups)
	if a.cw != nil {
		a.next.groups[f] = slices.Clone(a.prev.groups[f])
	}
	// The groups whose postings change: those of the terms whose entries
	// of a changed row differ from the previous build's.
	// dirtyBucket are the buckets of those terms: the others of a dirty
	// group are encoded as before, and their deflated bytes are taken
	// from the previous build's pack.
	dirty := make([]bool, ng)
	dirtyBucket := make([]bool, fam.buckets)
	mark := func(t string) {
		b := bucketOf(t, fam.buckets)
		dirty[b/groupSize], dirtyBucket[b] = true, true
	}
	var rp *rowPairs
	if f == 0 {
		rp = a.words.newRowPairs()
	}
	news := rowEntries(m, func(p *postings) []uint64 { return p.e }, 0, len(a.order))
	for _, row := range a.changed {
		old, err := a.oldSection(row)
		if err != nil {
			return set, err
		}
		nw := news[row]
		slices.SortFunc(nw, compareFwd)
		// (Words are in no section: they are compared below.)
		for _, t := range diffTerms(old[f], slices.DeleteFunc(slices.Clone(nw), func(e fwdEntry) bool { return isWordTerm(e.term) })) {
			mark(t)
		}
		// A changed row's old words and phrases are not in its section:
		// they are made again of its old pairs and its old text, as the
		// previous build's documents pack holds it.
		if rp != nil {
			text := a.oldText(row)
			if text == nil {
				return set, fmt.Errorf("%w: no previous text of row %d", errCache, row)
			}
			for _, e := range old[0] {
				rp.add(int(e.x>>24), []byte(e.term), int(e.x&0xffffff))
			}
			var ow, nw []fwdEntry
			rp.rowTerms(func() *rowText { return text }, func(t string, x uint64) { ow = append(ow, fwdEntry{t, uint32(x)}) })
			rp.reset()
			slices.SortFunc(ow, compareFwd)
			for _, e := range news[row] {
				if isWordTerm(e.term) {
					nw = append(nw, e)
				}
			}
			for _, t := range diffTerms(ow, nw) {
				mark(t)
			}
		}
	}
	// The new entries by bucket.
	byBucket := map[int][]string{}
	for t := range m {
		b := bucketOf(t, fam.buckets)
		if dirty[b/groupSize] {
			byBucket[b] = append(byBucket[b], t)
		}
	}
	if err := a.w.mkdir(fam.dir); err != nil {
		return set, err
	}
	var mu sync.Mutex
	err := a.w.putGroups(ctx, ng, func(gi int) error {
		name := path.Join(fam.dir, set.Groups[gi]) + ".bin"
		if !dirty[gi] {
			if a.cw != nil {
				if err := a.cw.keep(a.prev.groups[f][gi]); err != nil {
					return err
				}
			}
			dst := filepath.Join(a.w.out, filepath.FromSlash(ChunkDir), filepath.FromSlash(name))
			if a.w.link(name, dst) {
				a.w.files.Add(1)
				return nil
			}
		}
		lo, hi := gi*groupSize, min(fam.buckets, (gi+1)*groupSize)
		body, err := readSealed(a.prevDir, a.prev.groups[f][gi])
		if err != nil {
			return err
		}
		buckets, err := decodeGroup(body, hi-lo, uint64(len(a.order)), nil)
		if err != nil {
			return err
		}
		terms := make([][]string, hi-lo)
		post := map[string]*postings{}
		for i, b := range buckets {
			for _, gt := range b {
				if dirty[gi] {
					gt.p.e = slices.DeleteFunc(gt.p.e, func(x uint64) bool { return a.isChanged[x>>32] })
					if nw := m[gt.term]; nw != nil {
						gt.p.e = append(gt.p.e, nw.e...)
						slices.Sort(gt.p.e)
					}
					if len(gt.p.e) == 0 {
						continue
					}
				}
				terms[i] = append(terms[i], gt.term)
				post[gt.term] = gt.p
			}
			if dirty[gi] {
				for _, t := range byBucket[lo+i] {
					if post[t] == nil {
						terms[i] = append(terms[i], t)
						post[t] = m[t]
					}
				}
				slices.Sort(terms[i])
			}
		}
		raw := make([][]byte, hi-lo)
		for i := range raw {
			raw[i] = encodeBucket(terms[i], post, fam.encode)
		}
		packName := contentHash(raw...)
		if dirty[gi] && a.cw != nil {
			g, err := a.cw.put("g-", encodeGroup(terms, func(t string) []uint64 { return post[t].e }))
			if err != nil {
				return err
			}
			mu.Lock()
			a.next.groups[f][gi] = g
			mu.Unlock()
		}
		var deflated [][]byte
		if dirty[gi] {
			deflated = a.w.prevPack(name, hi-lo, func(i int) bool { return dirtyBucket[lo+i] })
		}
		set.Groups[gi] = packName
		return a.w.putPackKeeping(path.Join(fam.dir, packName)+".bin", raw, deflated, deflateSmallest)
	})
	a.next.packs[f] = set.Groups
	return set, err
}

// oldText returns, on the fast path, row's text as the previous build
// wrote it in its documents pack, or nil when that pack cannot be read.
func (a *analysis) oldText(row int) *rowText {
	if a.w.prev == "" {
		return nil
	}
	bi := row / blockSize
	n := 2 * (min(len(a.order), (bi+1)*blockSize) - bi*blockSize)
	name := "d/" + a.prev.docs[bi] + ".bin"
	entries := a.w.prevPack(name, n, func(int) bool { return false })
	if entries == nil {
		return nil
	}
	i := 2 * (row - bi*blockSize)
	var parts [2][]byte
	for k := range parts {
		b, err := io.ReadAll(flate.NewReader(bytes.NewReader(entries[i+k])))
		if err != nil {
			return nil
		}
		parts[k] = b
	}
	var f docFile
	if err := json.Unmarshal(parts[0], &f); err != nil || f.ID != a.prev.ids[row] {
		return nil
	}
	f.Text[2] += string(parts[1])
	return textOf(f.Title, f.Text)
}

// addWords adds to m, which holds the postings of some rows, the entries
// of those rows for words the vocabulary adds (from their pairs' entries in
// m and their texts) and for the phrases of those words (from the texts of
// the rows holding one).
func (a *analysis) addWords(words []string, m map[string]*postings) {
	texts := map[int]*rowText{}
	text := func(row int) *rowText {
		t := texts[row]
		if t == nil {
			t = newRowText(&a.docs[a.order[row]])
			texts[row] = t
		}
		return t
	}
	pair := func(p string) []uint64 {
		if l := m[p]; l != nil {
			return slices.Sorted(slices.Values(l.e))
		}
		return nil
	}
	holders := map[int]bool{}
	for _, w := range words {
		l := wordList(w, pair, text)
		if len(l) == 0 {
			continue
		}
		m[w] = &postings{e: l}
		for _, x := range l {
			if x&2 != 0 {
				holders[int(x>>32)] = true
			}
		}
	}
	added := map[int32]bool{}
	for _, w := range words {
		added[a.words.set[w]] = true
	}
	for _, row := range slices.Sorted(maps.Keys(holders)) {
		a.words.phrases(a.words.occurrences(text(row)), func(w int32) bool { return added[w] }, func(p uint64) {
			t := a.words.phraseTerm(p)
			if m[t] == nil {
				m[t] = &postings{}
			}
			m[t].e = append(m[t].e, uint64(row)<<32|phraseEntry)
		})
	}
}

// oldSection returns the previous build's forward entries of row.
func (a *analysis) oldSection(row int) ([2][]fwdEntry, error) {
	bi := row / fwdBlock
	body, err := readSealed(a.prevDir, a.prev.fwd[bi])
	if err != nil {
		return [2][]fwdEntry{}, err
	}
	secs, err := decodeBlock(body, min(len(a.order), (bi+1)*fwdBlock)-bi*fwdBlock)
	if err != nil {
		return [2][]fwdEntry{}, err
	}
	lists, ok := decodeSection(secs[row-bi*fwdBlock])
	if !ok {
		return lists, fmt.Errorf("%w: damaged forward section", errCache)
	}
	return lists, nil
}

// diffTerms returns the terms whose entries differ between two sorted
// lists.
func diffTerms(a, b []fwdEntry) []string {
	var out []string
	i, j := 0, 0
	for i < len(a) || j < len(b) {
		var t string
		switch {
		case j == len(b) || i < len(a) && a[i].term < b[j].term:
			t = a[i].term
		default:
			t = b[j].term
		}
		i0, j0 := i, j
		for i < len(a) && a[i].term == t {
			i++
		}
		for j < len(b) && b[j].term == t {
			j++
		}
		if !slices.Equal(a[i0:i], b[j0:j]) {
			out = append(out, t)
		}
	}
	return out
}

// vocab writes the did-you-mean vocabulary (writeVocab) of the documents
// in ID order, or links the previous build's when what it is made of
// (vocabDigest) is the same and its packs are there whole (linkVocab): a
// body edit leaves it as it was. It names the packs and their digest in
// the next cache.
func (a *analysis) vocab(ctx context.Context, byID []int) (vocabSet, error) {
	if a.cw == nil && a.prevVocab == nil {
		return a.w.writeVocab(ctx, a.docs, byID)
	}
	digest := vocabDigest(a.docs, byID)
	if p := a.prevVocab; p != nil && p.vocabDigest != "" && p.vocabDigest == digest && a.w.linkVocab(p.vocab) {
		a.VocabReused = true
		a.next.vocabDigest, a.next.vocab = digest, p.vocab
		return p.vocab, nil
	}
	set, err := a.w.writeVocab(ctx, a.docs, byID)
	if err == nil {
		a.next.vocabDigest, a.next.vocab = digest, set
	}
	return set, err
}

// release lets go of the postings once they are written (the fast path
// keeps the changed rows' few for finish): at 50,000 documents they are
// the most of the index's memory.
func (a *analysis) release(ix *index) {
	if a.prev == nil {
		ix.grams, ix.unis, a.c = nil, nil, nil
	}
}

// knownDocs returns, on the fast path, the previous build's documents
// pack of every block without a changed row ("" for the others).
func (a *analysis) knownDocs() []string {
	if a.prev == nil {
		return nil
	}
	known := slices.Clone(a.prev.docs)
	for _, row := range a.changed {
		known[row/blockSize] = ""
	}
	return known
}

// prevDocs names, on the fast path, the previous build's documents pack of
// every block (packs) and the rows whose documents changed (changed, by
// row): the others' entries are those of that pack.
type prevDocs struct {
	packs   []string
	changed []bool
}

// prevDocs returns the previous build's documents packs on the fast path;
// nil on the other.
func (a *analysis) prevDocs() *prevDocs {
	if a.prev == nil {
		return nil
	}
	return &prevDocs{packs: a.prev.docs, changed: a.isChanged}
}

// finish writes the forward files of the fast path and fills the cache
// index but for the vocabulary (vocab), which writeIndex writes.
func (a *analysis) finish(ix *index, docPacks []string) error {
	if a.cw == nil {
		return nil
	}
	if a.prev != nil {
		a.next.fwd = slices.Clone(a.prev.fwd)
		news := [2][][]fwdEntry{
			rowEntries(ix.grams, func(p *postings) []uint64 { return p.e }, 0, len(a.order)),
			rowEntries(ix.unis, func(p *postings) []uint64 { return p.e }, 0, len(a.order)),
		}
		touched := map[int]bool{}
		for _, row := range a.changed {
			touched[row/fwdBlock] = true
		}
		for bi, name := range a.prev.fwd {
			if !touched[bi] {
				if err := a.cw.keep(name); err != nil {
					return err
				}
				continue
			}
			body, err := readSealed(a.prevDir, name)
			if err != nil {
				return err
			}
			lo, hi := bi*fwdBlock, min(len(a.order), (bi+1)*fwdBlock)
			secs, err := decodeBlock(body, hi-lo)
			if err != nil {
				return err
			}
			for row := lo; row < hi; row++ {
				if a.isChanged[row] {
					secs[row-lo] = encodeSection(news[0][row], news[1][row])
				}
			}
			if a.next.fwd[bi], err = a.cw.put("f-", encodeBlock(secs)); err != nil {
				return err
			}
		}
	}
	n := len(a.order)
	a.next.ids, a.next.hashes = make([]string, n), make([]string, n)
	a.next.lens, a.next.units = make([][search.NumFields]uint32, n), make([]int, n)
	for row, di := range a.order {
		a.next.ids[row], a.next.hashes[row] = a.docs[di].ID, a.docs[di].Hash
		a.next.lens[row], a.next.units[row] = ix.rows[row].lens, ix.rows[row].units
	}
	a.next.docs = docPacks
	return nil
}

// writeIndex writes the cache index, once vocab has named the
// vocabulary's packs. It comes after every step that can fail with
// errCache (which Write answers by writing again), so that the second try
// never follows a first that linked the vocabulary.
func (a *analysis) writeIndex() error {
	if a.cw == nil {
		return nil
	}
	return writeIndex(a.cw.dir, a.salt, &a.next)
}

// dec reads what enc wrote; err is set, and zeros returned, past the end
// or on a malformed varint.
type dec struct {
	b   []byte
	err bool
}

func (d *dec) uint() uint64 {
	v, n := binary.Uvarint(d.b)
	if n <= 0 {
		d.err = true
		d.b = nil
		return 0
	}
	d.b = d.b[n:]
	return v
}

func (d *dec) str() string {
	n := d.uint()
	if n > uint64(len(d.b)) {
		d.err = true
		d.b = nil
		return ""
	}
	s := string(d.b[:n])
	d.b = d.b[n:]
	return s
}

// vocabDiff returns the words of next that prev has not, and those of prev
// that next has not; both are sorted.
func vocabDiff(prev, next []string) (added, dropped []string) {
	i, j := 0, 0
	for i < len(prev) || j < len(next) {
		switch {
		case j == len(next) || i < len(prev) && prev[i] < next[j]:
			dropped = append(dropped, prev[i])
			i++
		case i == len(prev) || next[j] < prev[i]:
			added = append(added, next[j])
			j++
		default:
			i++
			j++
		}
	}
	return added, dropped
}
