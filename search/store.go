package search

import (
	"bufio"
	"encoding/gob"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"
	"unicode/utf16"
)

// An index directory holds:
//
//	meta.json   format version and document count
//	docs.gob    the document table: what result lists and facets need
//	text.bin    every document's text as UTF-16LE, for phrase checks and snippets
//	bleve/NN/   the bleve index of bigrams and words, in shards 00, 01, …
const (
	metaFile   = "meta.json"
	tableFile  = "docs.gob"
	textFile   = "text.bin"
	bleveDir   = "bleve"
	formatName = "gongkai-search"
	// formatVersion changes whenever the files above or the bleve fields change
	// meaning; a previous index of another version is not reused.
	formatVersion = 3
)

// segSep separates the title, summary, body and metadata in the stored text,
// and the items within the metadata. Queries never contain it, so no match
// spans two of them.
const segSep = '\u001f'

// Text segments, in stored order.
const (
	segTitle = iota
	segSummary
	segBody
	segMeta
	numSegs
)

// shanghai is China Standard Time. Dates are shown and bucketed into years in
// it; a fixed zone needs no time zone database.
var shanghai = time.FixedZone("CST", 8*60*60)

type indexMeta struct {
	Format  string `json:"format"`
	Version int    `json:"version"`
	Docs    int    `json:"docs"`
	Shards  int    `json:"shards"`
}

// docRecord is one row of the document table.
type docRecord struct {
	ID       string
	Kind     string
	Title    string
	DocNo    string
	IndexNo  string
	Topic    string
	Validity string
	Category string
	Hash     string
	Agencies []string
	Date     int64 // Unix seconds; 0 when unknown

	TextOff  int64             // byte offset of the text in text.bin
	SegEnd   [numSegs]uint32   // end of each segment, in UTF-16 units from TextOff
	FoldMask uint8             // fold classes present in the text
	Lens     [numFields]uint32 // tokens per bleve field, for BM25's average lengths
}

type table struct {
	Docs []docRecord
}

func (r *docRecord) date() time.Time {
	if r.Date == 0 {
		return time.Time{}
	}
	return time.Unix(r.Date, 0).In(shanghai)
}

// textWriter appends documents to text.bin.
type textWriter struct {
	w   *bufio.Writer
	off int64
	buf []byte
}

func newTextWriter(w io.Writer) *textWriter {
	return &textWriter{w: bufio.NewWriterSize(w, 1<<20)}
}

// docSegments returns the texts stored for d, in segment order; the
// metadata items are joined with segSep.
func docSegments(d *Doc) [numSegs]string {
	meta := make([]string, 0, 6+len(d.Agencies)+len(d.Keywords))
	meta = append(meta, d.DocNo, d.IndexNo)
	meta = append(meta, d.Agencies...)
	meta = append(meta, d.Topic)
	meta = append(meta, d.Keywords...)
	meta = append(meta, urlSlug(d.ID))
	kept := meta[:0]
	for _, m := range meta {
		if m = strings.TrimSpace(m); m != "" {
			kept = append(kept, m)
		}
	}
	return [numSegs]string{d.Title, d.Summary, d.Body, strings.Join(kept, string(segSep))}
}

// urlSlug returns the last path element of id: "/policy/abc-2024-1.html" gives "abc-2024-1".
func urlSlug(id string) string {
	id = strings.TrimRight(id, "/")
	if i := strings.LastIndexByte(id, '/'); i >= 0 {
		id = id[i+1:]
	}
	return id
}

// appendText appends the stored text of a document's segments to b (UTF-16LE,
// the segments joined by segSep, a segSep inside one stored as a space) and
// returns it with the end of each segment in units and the fold classes
// present (docRecord's SegEnd and FoldMask).
func appendText(b unitText, segs [numSegs]string) (unitText, [numSegs]uint32, uint8) {
	var ends [numSegs]uint32
	var mask uint8
	base := len(b)
	prevSpace := false
	for i, s := range segs {
		if i > 0 {
			b = append(b, byte(segSep), 0)
		}
		for _, r := range s {
			if r == segSep {
				r = ' '
			}
			mask |= foldClass(r)
			space := unicode.IsSpace(r)
			if space && (r != ' ' || prevSpace) {
				mask |= foldSpace
			}
			prevSpace = space
			if r >= 0x10000 {
				r1, r2 := utf16.EncodeRune(r)
				b = append(b, byte(r1), byte(r1>>8), byte(r2), byte(r2>>8))
			} else {
				b = append(b, byte(r), byte(r>>8))
			}
		}
		ends[i] = uint32((len(b) - base) / 2)
		prevSpace = false
	}
	return b, ends, mask
}

// add writes the segments of one document and fills the text fields of rec.
func (tw *textWriter) add(segs [numSegs]string, rec *docRecord) error {
	b, ends, mask := appendText(tw.buf[:0], segs)
	rec.SegEnd = ends
	rec.TextOff = tw.off
	rec.FoldMask = mask
	if _, err := tw.w.Write(b); err != nil {
		return err
	}
	tw.off += int64(len(b))
	tw.buf = b
	return nil
}

// copy writes the stored text of old, a row of the previous table, from
// that table's text.bin prev, and fills the text fields of rec.
func (tw *textWriter) copy(prev []byte, old, rec *docRecord) error {
	end := old.TextOff + 2*int64(old.SegEnd[numSegs-1])
	if old.TextOff < 0 || end > int64(len(prev)) || old.TextOff > end {
		return fmt.Errorf("text of %s out of range in the previous index", old.ID)
	}
	if _, err := tw.w.Write(prev[old.TextOff:end]); err != nil {
		return err
	}
	rec.TextOff = tw.off
	rec.SegEnd = old.SegEnd
	rec.FoldMask = old.FoldMask
	tw.off += end - old.TextOff
	return nil
}

func (tw *textWriter) flush() error { return tw.w.Flush() }

func writeTable(path string, t *table) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	bw := bufio.NewWriterSize(f, 1<<20)
	if err := gob.NewEncoder(bw).Encode(t); err != nil {
		f.Close()
		return fmt.Errorf("encode %s: %w", path, err)
	}
	if err := bw.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func readTable(dir string) (*table, error) {
	if err := checkMeta(dir); err != nil {
		return nil, err
	}
	path := filepath.Join(dir, tableFile)
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var t table
	if err := gob.NewDecoder(bufio.NewReaderSize(f, 1<<20)).Decode(&t); err != nil {
		return nil, fmt.Errorf("decode %s: %w", path, err)
	}
	return &t, nil
}

func writeMeta(dir string, m indexMeta) error {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, metaFile), append(b, '\n'), 0o644)
}

func checkMeta(dir string) error {
	_, err := readMeta(dir)
	return err
}

func readMeta(dir string) (indexMeta, error) {
	path := filepath.Join(dir, metaFile)
	var m indexMeta
	b, err := os.ReadFile(path)
	if err != nil {
		return m, err
	}
	if err := json.Unmarshal(b, &m); err != nil {
		return m, fmt.Errorf("read %s: %w", path, err)
	}
	if m.Format != formatName || m.Version != formatVersion {
		return m, fmt.Errorf("%s: index format %q version %d, want %q version %d",
			path, m.Format, m.Version, formatName, formatVersion)
	}
	if m.Shards < 1 || m.Shards > 1000 {
		return m, fmt.Errorf("%s: %d shards", path, m.Shards)
	}
	return m, nil
}
