package search

import (
	"unicode/utf8"

	"github.com/blevesearch/bleve/v2/size"
	index "github.com/blevesearch/bleve_index_api"
)

// Index fields. Each holds the overlapping bigrams of CJK runs and whole
// words of Latin letters and of digits. Term vectors are off (positions would
// triple the index): phrases are checked against the stored text instead,
// and single-character queries are answered from the stored text alone.
const (
	fieldTitle   = "title"
	fieldSummary = "summary"
	fieldBody    = "body"
	fieldMeta    = "meta" // document and index numbers, agencies, topic, keywords, URL slug
)

// Field numbers, for per-field token counts.
const (
	numTitle = iota
	numSummary
	numBody
	numMeta
	numFields
)

var fieldNames = [numFields]string{fieldTitle, fieldSummary, fieldBody, fieldMeta}

// textFields are the fields searched, with their boosts.
var textFields = [numFields]struct {
	name  string
	boost float64
}{
	{fieldTitle, 4},
	{fieldSummary, 2},
	{fieldBody, 1},
	{fieldMeta, 2},
}

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
	lenOut *uint32 // receives length after Analyze
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
func (f *gramField) AnalyzedLength() int {
	if f.name == fieldBody {
		return quantizeLen(f.length)
	}
	return f.length
}

// lenQuantum is the unit in which body lengths are stored. bleve stores a
// field's length with every posting as a varint; in units of 32 tokens a
// body of up to 4,000 tokens takes one byte instead of two, which makes the
// index about a fifth smaller. BM25 only uses the ratio to the average
// length, which the quantum barely changes.
const lenQuantum = 32

func quantizeLen(n int) int { return max(1, (n+lenQuantum/2)/lenQuantum) }
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

// Analyze counts the field's tokens. bleve calls it on its analysis workers.
func (f *gramField) Analyze() {
	if f.freqs != nil {
		return // already analysed by Build, before bleve asks
	}
	counts := make(map[string]int, 512)
	total := 0
	for _, t := range f.texts {
		scan(t, func(_ tokenKind, term []byte) {
			counts[string(term)]++
			total++
		})
	}
	arena := make([]byte, 0, 6*len(counts))
	tfs := make([]index.TokenFreq, len(counts))
	f.freqs = make(index.TokenFrequencies, len(counts))
	i := 0
	for term, c := range counts {
		start := len(arena)
		arena = append(arena, term...)
		tf := &tfs[i]
		i++
		tf.Term = arena[start:len(arena):len(arena)]
		tf.SetFrequency(c)
		f.freqs[term] = tf
	}
	f.length = total
	f.texts = nil
	if f.lenOut != nil {
		*f.lenOut = uint32(total)
	}
}
