package search

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"io"
	"math"
	"os"
	"slices"

	"github.com/RoaringBitmap/roaring/v2"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/blevesearch/vellum"
	zap "github.com/blevesearch/zapx/v17"
)

// A fresh shard is written as one zap segment (format version 17, the one
// bleve v2.6 writes and reads) directly from the shard's inverted postings
// (shardInverter), instead of letting bleve turn every batch of 200
// documents into a segment and merge them. bleve's segment builder spends
// about 800 ns per posting on maps keyed by strings, roaring bitmaps built
// one document at a time and a per-document term list it keeps for doc
// values this index does not have; a 10,000-document shard has 15 million
// postings. The layout below is the one zapx v17 writes when it merges
// segments (new.go, section_inverted_text_index.go, write.go of
// github.com/blevesearch/zapx/v17): what bleve reads back is checked by
// TestSegmentMatchesBleve against an index bleve built itself.
//
// What the index holds, and so what the segment holds:
//   - a stored "_id" per document (the only stored field);
//   - for "_id" and each field of fieldNames: a term dictionary (a vellum FST
//     from term to postings) and per term the documents and frequencies;
//     no locations (term vectors), no doc values. Every field's length is
//     the constant 1 (gramField.AnalyzedLength), stored as the norm.

// zapNormBits is the norm stored with every posting: bleve stores a field's
// analysed length as the bits of a float32, and every field here has length 1.
const zapNormBits = 1

var zapVellumOpts = &vellum.BuilderOpts{Encoder: 1, RegistryTableSize: 0, RegistryMRUSize: 1}

// segWriter writes the bytes of a segment, counting them and their CRC-32.
type segWriter struct {
	w   *bufio.Writer
	n   uint64
	crc uint32
	err error
	tmp [binary.MaxVarintLen64]byte
}

func (w *segWriter) Write(b []byte) (int, error) {
	if w.err != nil {
		return 0, w.err
	}
	w.crc = crc32.Update(w.crc, crc32.IEEETable, b)
	n, err := w.w.Write(b)
	w.n += uint64(n)
	w.err = err
	return n, err
}

func (w *segWriter) pos() uint64 { return w.n }

func (w *segWriter) uvarint(v uint64) {
	n := binary.PutUvarint(w.tmp[:], v)
	w.Write(w.tmp[:n])
}

func (w *segWriter) uint64BE(v uint64) {
	binary.BigEndian.PutUint64(w.tmp[:8], v)
	w.Write(w.tmp[:8])
}

func (w *segWriter) uint32BE(v uint32) {
	binary.BigEndian.PutUint32(w.tmp[:4], v)
	w.Write(w.tmp[:4])
}

func (w *segWriter) uint16BE(v uint16) {
	binary.BigEndian.PutUint16(w.tmp[:2], v)
	w.Write(w.tmp[:2])
}

// writeSegment writes the shard held by inv, whose documents are ids in
// document-number order (sorted, as the table is), as a new segment file at
// path, and opens it with zap to check that it reads. The file is not
// synced: like the rest of a build's output, it goes live when the whole
// folder is swapped in.
func writeSegment(path string, ids []string, inv *shardInverter) error {
	if len(ids) == 0 {
		return fmt.Errorf("write segment %s: no documents", path)
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	w := &segWriter{w: bufio.NewWriterSize(f, 1<<20)}
	if err := encodeSegment(w, ids, inv); err != nil {
		f.Close()
		return fmt.Errorf("write segment %s: %w", path, err)
	}
	if err := w.w.Flush(); err != nil {
		f.Close()
		return fmt.Errorf("write segment %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return err
	}
	seg, err := (&zap.ZapPlugin{}).Open(path)
	if err != nil {
		return fmt.Errorf("write segment %s: zap cannot read it: %w", path, err)
	}
	if n := seg.Count(); n != uint64(len(ids)) {
		seg.Close()
		return fmt.Errorf("write segment %s: zap reads %d documents, want %d", path, n, len(ids))
	}
	return seg.Close()
}

// encodeSegment writes the segment's bytes.
func encodeSegment(w *segWriter, ids []string, inv *shardInverter) error {
	// Stored fields: per document the lengths of its metadata and data,
	// the metadata (the length of the ID) and the data (the ID, then the
	// other stored fields compressed with snappy: none, which snappy
	// encodes as the single byte 0).
	offsets := make([]uint64, len(ids))
	var meta [binary.MaxVarintLen64]byte
	for n, id := range ids {
		offsets[n] = w.pos()
		ml := binary.PutUvarint(meta[:], uint64(len(id)))
		w.uvarint(uint64(ml))
		w.uvarint(uint64(len(id) + 1))
		w.Write(meta[:ml])
		io.WriteString(w, id)
		w.Write([]byte{0})
	}
	storedIndexOffset := w.pos()
	for _, off := range offsets {
		w.uint64BE(off)
	}
	w.uvarint(0) // no nested documents

	// The inverted index: "_id" first, then the fields by name.
	fields := inv.fieldOrder()
	names := []string{"_id"}
	for _, f := range fields {
		names = append(names, fieldNames[f])
	}
	addrs := make([]uint64, len(names))
	pw := postingsWriter{w: w, numDocs: uint64(len(ids))}
	for i, name := range names {
		var err error
		if i == 0 {
			addrs[i], err = pw.writeIDField(ids)
		} else {
			addrs[i], err = pw.writeField(inv.fields[fields[i-1]])
		}
		if err != nil {
			return fmt.Errorf("field %s: %w", name, err)
		}
	}

	// The fields section: name, options and per section the field's
	// address (only the inverted index has one), then the index of fields.
	fieldOffsets := make([]uint64, len(names))
	for i, name := range names {
		fieldOffsets[i] = w.pos()
		w.uvarint(uint64(len(name)))
		io.WriteString(w, name)
		opts := index.IndexField
		if i == 0 {
			opts |= index.StoreField
		}
		w.uvarint(uint64(opts))
		w.uvarint(zap.NumSections)
		for s := range uint16(zap.NumSections) {
			w.uint16BE(s)
			if s == zap.SectionInvertedTextIndex {
				w.uint64BE(addrs[i])
			} else {
				w.uint64BE(0)
			}
		}
	}
	sectionsIndexOffset := w.pos()
	w.uvarint(uint64(len(names)))
	for _, off := range fieldOffsets {
		w.uint64BE(off)
	}

	// The footer (zapx's persistFooter): the writer's ID (none) and its
	// length, the counts and offsets, chunk mode and version, and the
	// CRC-32 of everything before it.
	w.uint32BE(0)
	w.uint64BE(uint64(len(ids)))
	w.uint64BE(storedIndexOffset)
	w.uint64BE(sectionsIndexOffset)
	w.uint32BE(zap.DefaultChunkMode)
	w.uint32BE(zap.Version)
	w.uint32BE(w.crc)
	return w.err
}

// postingsWriter writes term dictionaries and postings lists.
type postingsWriter struct {
	w       *segWriter
	numDocs uint64
	fst     bytes.Buffer
	builder *vellum.Builder
	docs    []uint32
	freqs   []uint32
	chunk   []byte
	ends    []uint64
	bm      *roaring.Bitmap
	term    []byte
}

// startDict begins a field's term dictionary.
func (pw *postingsWriter) startDict() error {
	pw.fst.Reset()
	if pw.builder == nil {
		b, err := vellum.New(&pw.fst, zapVellumOpts)
		if err != nil {
			return err
		}
		pw.builder = b
		return nil
	}
	return pw.builder.Reset(&pw.fst)
}

// finishDict writes the field's dictionary and its header (no doc values,
// then where the dictionary starts) and returns the header's address.
func (pw *postingsWriter) finishDict() (uint64, error) {
	if err := pw.builder.Close(); err != nil {
		return 0, err
	}
	w := pw.w
	dictOffset := w.pos()
	w.uvarint(uint64(pw.fst.Len()))
	w.Write(pw.fst.Bytes())
	addr := w.pos()
	w.uvarint(math.MaxUint64) // doc values: none
	w.uvarint(math.MaxUint64)
	w.uvarint(dictOffset)
	return addr, nil
}

// writeIDField writes the "_id" field: each document's ID is a term held by
// that document alone.
func (pw *postingsWriter) writeIDField(ids []string) (uint64, error) {
	if err := pw.startDict(); err != nil {
		return 0, err
	}
	for n, id := range ids {
		if err := pw.builder.Insert([]byte(id), zap.FSTValEncode1Hit(uint64(n), zapNormBits)); err != nil {
			return 0, err
		}
	}
	return pw.finishDict()
}

// writeField writes the dictionary and postings of one field, terms in
// byte order.
func (pw *postingsWriter) writeField(f *invField) (uint64, error) {
	if err := pw.startDict(); err != nil {
		return 0, err
	}
	for _, ti := range f.sortedTerms() {
		t := f.term(ti)
		pw.term = f.name(ti).appendTerm(pw.term[:0])
		var val uint64
		if t.n == 1 && t.lastFreq == 1 {
			// One document with frequency 1: the FST value holds it.
			val = zap.FSTValEncode1Hit(uint64(t.last), zapNormBits)
		} else {
			val = pw.writePostings(t)
		}
		if err := pw.builder.Insert(pw.term, val); err != nil {
			return 0, err
		}
	}
	return pw.finishDict()
}

// writePostings writes one term's frequencies (in chunks of documents, as
// zap's chunk mode 1026 sizes them) and its bitmap of documents, and
// returns the postings' address.
func (pw *postingsWriter) writePostings(t *invTerm) uint64 {
	pw.docs, pw.freqs = t.decode(pw.docs[:0], pw.freqs[:0])
	card := uint64(len(pw.docs))
	chunkSize := pw.numDocs / (card/1024 + 1)
	chunks := (pw.numDocs-1)/chunkSize + 1
	pw.ends = slices.Grow(pw.ends[:0], int(chunks))[:chunks]
	clear(pw.ends)
	data := pw.chunk[:0]
	for i, d := range pw.docs {
		data = binary.AppendUvarint(data, uint64(pw.freqs[i])<<1) // no locations
		data = binary.AppendUvarint(data, zapNormBits)
		pw.ends[uint64(d)/chunkSize] = uint64(len(data))
	}
	for c := 1; c < len(pw.ends); c++ {
		pw.ends[c] = max(pw.ends[c], pw.ends[c-1])
	}
	pw.chunk = data
	w := pw.w
	tfOffset := w.pos()
	w.uvarint(chunks)
	for _, e := range pw.ends {
		w.uvarint(e)
	}
	w.Write(data)
	if pw.bm == nil {
		pw.bm = roaring.New()
	}
	pw.bm.Clear()
	pw.bm.AddMany(pw.docs)
	bm, _ := pw.bm.ToBytes() // cannot fail: it writes to memory
	addr := w.pos()
	w.uvarint(tfOffset)
	w.uvarint(0) // no locations
	w.uvarint(uint64(len(bm)))
	w.Write(bm)
	return addr
}
