package search

import (
	"slices"
	"strings"
	"unicode/utf8"
	"unsafe"

	"github.com/blevesearch/bleve/v2/size"
	index "github.com/blevesearch/bleve_index_api"
)

// Index fields. Each holds the overlapping bigrams of CJK runs and whole
// words of Latin letters and of digits. Term vectors are off (positions would
// triple the index): phrases are checked against the stored text instead,
// and single-character queries are answered from the stored text alone.
// Fields are weighted separately in ranking (rankParams).
const (
	numTitle   = iota
	numDocNo   // document number and index number
	numHeading // the body's headings
	numKeyword // subject words (主题词) and the topic
	numSummary
	numBody // the body without its headings
	numMeta // agencies, URL slug
	numFields
)

var fieldNames = [numFields]string{"title", "docno", "heading", "keyword", "summary", "body", "meta"}

// maxWordBytes caps the length of one Latin or digit token; longer runs are
// cut (the text check still compares the whole query).
const maxWordBytes = 64

// tokenKind tells bigrams from words.
type tokenKind uint8

const (
	tokBigram tokenKind = iota
	tokWord
)

// scan folds s and calls emit for each index token: every pair of adjacent
// CJK characters, and every run of letters or of digits. The term slice is
// only valid during the call.
func scan(s string, emit func(kind tokenKind, term []byte)) {
	var (
		word [maxWordBytes]byte
		wn   int
		gram [2 * utf8.UTFMax]byte
		last = classSep
		prev = rune(-1) // previous rune of the current CJK run
	)
	for _, r := range s {
		r = foldRune(r)
		c := classOf(r)
		if c != last {
			if wn > 0 {
				emit(tokWord, word[:wn])
				wn = 0
			}
			prev = -1
			last = c
		}
		switch c {
		case classCJK:
			if prev >= 0 {
				n := utf8.EncodeRune(gram[:], prev)
				n += utf8.EncodeRune(gram[n:], r)
				emit(tokBigram, gram[:n])
			}
			prev = r
		case classLetter, classDigit:
			if wn+utf8.RuneLen(r) <= maxWordBytes {
				wn += utf8.EncodeRune(word[wn:], r)
			}
		}
	}
	if wn > 0 {
		emit(tokWord, word[:wn])
	}
}

// gramField is a bleve field whose analysis is scan: it skips bleve's token
// stream and builds the term frequencies directly, and stores nothing.
type gramField struct {
	name   string
	texts  []string
	plain  uint64
	length int
	freqs  index.TokenFrequencies
	lenOut *uint32  // receives length after Analyze
	skip   []string // lines of texts left out (the body's headings, indexed on their own)
}

func newGramField(name string, lenOut *uint32, texts ...string) *gramField {
	var n uint64
	for _, t := range texts {
		n += uint64(len(t))
	}
	return &gramField{name: name, texts: texts, plain: n, lenOut: lenOut}
}

func (f *gramField) Name() string                        { return f.name }
func (f *gramField) ArrayPositions() []uint64            { return nil }
func (f *gramField) Options() index.FieldIndexingOptions { return index.IndexField }
func (f *gramField) Value() []byte                       { return nil }
func (f *gramField) NumPlainTextBytes() uint64           { return f.plain }
func (f *gramField) EncodedFieldType() byte              { return 't' }

// AnalyzedLength is 1: bleve stores it with every posting, but ranking takes
// field lengths from the document table, and 1 takes the least space (0
// would mark a posting list of one document as empty).
func (f *gramField) AnalyzedLength() int { return 1 }

func (f *gramField) AnalyzedTokenFrequencies() index.TokenFrequencies {
	return f.freqs
}

func (f *gramField) Size() int {
	n := 64 + len(f.name)
	if f.freqs != nil {
		n += f.freqs.Size()
	}
	return n + size.SizeOfPtr
}

// Analyze counts the field's tokens. bleve calls it on its analysis workers
// (Build's incremental updates; a fresh shard is analysed by analyzer).
// Its TokenFreqs are allocated in chunks, not one by one.
func (f *gramField) Analyze() {
	if f.freqs != nil {
		return // already analysed
	}
	buf := &gramBuf{freqs: make(index.TokenFrequencies, 64)}
	total := 0
	emit := func(_ tokenKind, term []byte) {
		total++
		if tf, ok := buf.freqs[string(term)]; ok {
			tf.SetFrequency(tf.Frequency() + 1)
			return
		}
		key := string(term)
		tf := buf.next()
		// zap only reads Term; it shares the key's bytes.
		tf.Term = unsafe.Slice(unsafe.StringData(key), len(key))
		tf.SetFrequency(1)
		buf.freqs[key] = tf
	}
	fieldText{texts: f.texts, skip: f.skip}.scan(emit)
	f.freqs = buf.freqs
	f.length = total
	f.texts = nil
	if f.lenOut != nil {
		*f.lenOut = uint32(total)
	}
}

// scan calls emit for each token of the field's texts, leaving out the
// lines of skip.
func (ft fieldText) scan(emit func(kind tokenKind, term []byte)) {
	for _, t := range ft.texts {
		if len(ft.skip) == 0 {
			scan(t, emit)
			continue
		}
		for line := range strings.Lines(t) {
			if !slices.Contains(ft.skip, strings.TrimSpace(line)) {
				scan(line, emit)
			}
		}
	}
}

// gramBuf is the memory of one field's analysis.
type gramBuf struct {
	freqs    index.TokenFrequencies
	chunks   [][]index.TokenFreq // never grown in place, so map values stay put
	chunk, n int                 // the next free TokenFreq
}

// next returns a zeroed TokenFreq.
func (b *gramBuf) next() *index.TokenFreq {
	if b.chunk == len(b.chunks) {
		b.chunks = append(b.chunks, make([]index.TokenFreq, 64))
	}
	tf := &b.chunks[b.chunk][b.n]
	*tf = index.TokenFreq{}
	if b.n++; b.n == len(b.chunks[b.chunk]) {
		b.chunk, b.n = b.chunk+1, 0
	}
	return tf
}
