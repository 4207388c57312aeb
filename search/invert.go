package search

import (
	"encoding/binary"
	"slices"
	"strings"
)

// A fresh shard is inverted in memory: documents are tokenised on every
// core (docAnalysis, the same tokens as gramField), then their tokens are
// added in document order to per-field term tables whose postings are
// varint-encoded, and finally written as one segment (segment.go).

// A term of up to 8 bytes (every bigram: two CJK characters are 6 bytes in
// UTF-8; most words) is packed into a key, big-endian and zero-padded,
// which keeps the terms' byte order and never collides (UTF-8 has no zero
// bytes in what scan emits). A longer one is kept as a string, and its key
// is its first 8 bytes.
func packTerm(term []byte) uint64 {
	var b [8]byte
	copy(b[:], term)
	return binary.BigEndian.Uint64(b[:])
}

// docAnalysis is the analysis of one document: per field its tokens, in
// order (keys, and the longer ones as strings), and whether the document
// has the field at all.
type docAnalysis struct {
	has   [numFields]bool
	short [numFields][]uint64
	long  [numFields][]string
}

// lens returns the fields' numbers of tokens.
func (a *docAnalysis) lens() [numFields]uint32 {
	var out [numFields]uint32
	for f := range numFields {
		out[f] = uint32(len(a.short[f]) + len(a.long[f]))
	}
	return out
}

// analyze fills a with the tokens of d's fields: the same fields and texts
// as bleveDoc, the same tokens as gramField.Analyze.
func (a *docAnalysis) analyze(d *Doc) {
	fields := docFields(d)
	for f := range numFields {
		short, long := a.short[f][:0], a.long[f][:0]
		a.has[f] = len(fields[f].texts) > 0
		if a.has[f] {
			fields[f].scan(func(_ tokenKind, term []byte) {
				if len(term) <= 8 {
					short = append(short, packTerm(term))
				} else {
					long = append(long, string(term))
				}
			})
		}
		a.short[f], a.long[f] = short, long
	}
}

// shardInverter collects the postings of one shard's fields.
type shardInverter struct {
	fields [numFields]*invField
	docs   uint32 // documents added
}

func newShardInverter() *shardInverter {
	inv := &shardInverter{}
	for f := range inv.fields {
		inv.fields[f] = &invField{short: map[uint64]int32{}, long: map[string]int32{}}
	}
	return inv
}

// invField is one field's term table: term(i) and name(i) are one term.
// They are kept in chunks, which are never copied as the table grows (a
// shard of 10,000 documents has about 900,000 terms).
type invField struct {
	seen  bool // some document has the field (it is in the segment even without terms)
	short map[uint64]int32
	long  map[string]int32
	n     int32 // terms
	terms [][]invTerm
	names [][]termName
}

const termChunk = 1 << 12

func (f *invField) term(i int32) *invTerm  { return &f.terms[i/termChunk][i%termChunk] }
func (f *invField) name(i int32) *termName { return &f.names[i/termChunk][i%termChunk] }

// newTerm adds a term and returns its index.
func (f *invField) newTerm(key uint64, long string) int32 {
	i := f.n
	if i%termChunk == 0 {
		f.terms = append(f.terms, make([]invTerm, termChunk))
		f.names = append(f.names, make([]termName, termChunk))
	}
	*f.name(i) = termName{key: key, long: long}
	f.n++
	return i
}

// invTerm is one term's postings: per document the distance from the
// previous document's number and the frequency, as varints, except the
// last document's, which is pending while its tokens are counted. (Adding a
// token touches only this, kept small.)
type invTerm struct {
	post     []byte
	n        uint32 // documents
	last     uint32 // the last document's number
	lastFreq uint32 // its frequency
	prev     uint32 // the document before it
}

// count counts a token of the term in document doc.
func (t *invTerm) count(doc uint32) {
	if t.n > 0 && t.last == doc {
		t.lastFreq++
		return
	}
	t.flush()
	t.prev, t.last, t.lastFreq = t.last, doc, 1
	t.n++
}

// flush encodes the pending document.
func (t *invTerm) flush() {
	switch {
	case t.n == 0 || t.lastFreq == 0:
		return
	case t.n == 1:
		t.post = binary.AppendUvarint(t.post, uint64(t.last))
	default:
		t.post = binary.AppendUvarint(t.post, uint64(t.last-t.prev))
	}
	t.post = binary.AppendUvarint(t.post, uint64(t.lastFreq))
}

// termName is a term: key as in termFreq, and long when it is longer than
// 8 bytes.
type termName struct {
	key  uint64
	long string
}

// add adds the next document (documents are numbered in the order added).
func (inv *shardInverter) add(a *docAnalysis) {
	doc := inv.docs
	inv.docs++
	for f := range numFields {
		if !a.has[f] {
			continue
		}
		fi := inv.fields[f]
		fi.seen = true
		for _, k := range a.short[f] {
			ti, ok := fi.short[k]
			if !ok {
				ti = fi.newTerm(k, "")
				fi.short[k] = ti
			}
			fi.term(ti).count(doc)
		}
		for _, l := range a.long[f] {
			ti, ok := fi.long[l]
			if !ok {
				ti = fi.newTerm(packTerm([]byte(l)), l)
				fi.long[l] = ti
			}
			fi.term(ti).count(doc)
		}
	}
}

// finish encodes every term's pending document.
func (inv *shardInverter) finish() {
	for _, fi := range inv.fields {
		for i := range fi.n {
			fi.term(i).flush()
		}
	}
}

// fieldOrder returns the fields some document has, ordered by name (as zap
// orders them).
func (inv *shardInverter) fieldOrder() []int {
	var out []int
	for f := range numFields {
		if inv.fields[f].seen {
			out = append(out, f)
		}
	}
	slices.SortFunc(out, func(a, b int) int { return strings.Compare(fieldNames[a], fieldNames[b]) })
	return out
}

// sortedTerms returns the indexes of the field's terms in byte order.
func (f *invField) sortedTerms() []int32 {
	idx := make([]int32, f.n)
	for i := range idx {
		idx[i] = int32(i)
	}
	slices.SortFunc(idx, func(a, b int32) int {
		ta, tb := f.name(a), f.name(b)
		if ta.key != tb.key {
			if ta.key < tb.key {
				return -1
			}
			return 1
		}
		// The same first 8 bytes: the short term (a prefix of the long
		// one) first, then long terms by their bytes.
		return strings.Compare(ta.long, tb.long)
	})
	return idx
}

// appendTerm appends the term's bytes to b.
func (t *termName) appendTerm(b []byte) []byte {
	if t.long != "" {
		return append(b, t.long...)
	}
	var k [8]byte
	binary.BigEndian.PutUint64(k[:], t.key)
	n := 8
	for n > 0 && k[n-1] == 0 {
		n--
	}
	return append(b, k[:n]...)
}

// decode appends the term's document numbers and frequencies.
func (t *invTerm) decode(docs, freqs []uint32) ([]uint32, []uint32) {
	p := t.post
	doc := uint32(0)
	for i := uint32(0); i < t.n; i++ {
		d, n := binary.Uvarint(p)
		p = p[n:]
		fr, m := binary.Uvarint(p)
		p = p[m:]
		if i == 0 {
			doc = uint32(d)
		} else {
			doc += uint32(d)
		}
		docs = append(docs, doc)
		freqs = append(freqs, uint32(fr))
	}
	return docs, freqs
}
