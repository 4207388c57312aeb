package generator

import (
	"crypto/sha256"
	"maps"
	"reflect"
	"slices"
	"strconv"
	"sync/atomic"
)

// parseCache keeps, across incremental builds, the decoded front matter
// of each published record's file, so that a file whose bytes did not
// change is not parsed as YAML again. An entry is used only when its Sum,
// which hashes the whole file with its kind and the program (the caller's
// salt), matches the file read now; every file is still read through the
// confined root, and everything after the decoding (the derived fields,
// every check, the cross-references) runs on every build, so problems are
// reported exactly as without the cache.
//
// An entry holds the decoded entry, encoded (entrycodec.go), and its
// fields' lines. It is kept only when decoding it again gives a value
// deeply equal to the one the YAML gave (so a field the encoding cannot
// carry is never cached wrong), and
// only for a decoding that reported nothing. Only the records a build
// publishes are kept, like the body texts.
type parseCache struct {
	salt  string
	packs *packStore[parseEntry]
	hits  atomic.Int64
}

type parseEntry struct {
	Sum   [32]byte
	Entry []byte // the decoded entry, encoded (encodeEntry)
	// Lines are the fields' lines, encoded (encodeLines): a 50,000-record
	// build keeps every entry until the render ends.
	Lines []byte
	// TextOK: the file's body is UTF-8 without a NUL byte (validText),
	// which its sum, covering the body, keeps true.
	TextOK bool
}

const (
	parseCacheVersion = 5
	parsePackDir      = "parsed"
	parsePackMagic    = "gongkai parse pack 4\n"
)

func newParseCache(prevState string, salt []byte) *parseCache {
	return &parseCache{salt: "gongkai parse " + strconv.Itoa(parseCacheVersion) + " " + string(salt),
		packs: newPackStore(prevState, parsePackDir, parsePackMagic, encodeParseEntry, decodeParseEntry)}
}

// sum hashes the file data of kind k: what precedes its body (the front
// matter), and its body by bodySHA, the body's own SHA-256, which data
// ends with.
func (c *parseCache) sum(k *Kind, data []byte, body int, bodySHA [32]byte) [32]byte {
	h := sha256.New()
	writeField(h, c.salt)
	writeField(h, k.Name)
	writeFieldBytes(h, data[:len(data)-body])
	h.Write(bodySHA[:])
	var s [32]byte
	h.Sum(s[:0])
	return s
}

// lookup decodes the cached front matter of the file p, whose bytes have
// the cache sum sum, into a new entry of kind k. A file whose bytes a Warm
// keeps (wf, nil when none) keeps, under key (which names the salt and the
// kind), what its entry decoded to: the entry is a pure function of the
// sum, so later builds take a deep copy of that (cloneEntry) instead of
// decoding the entry again.
func (c *parseCache) lookup(p string, k *Kind, sum [32]byte, wf *warmFile, key string) (Entry, fieldLines, bool, bool) {
	pe, ok := c.packs.prev(p)
	if !ok || pe.Sum != sum {
		return nil, nil, false, false
	}
	e, lines := wf.decoded(key)
	if e != nil {
		e = cloneEntry(e)
	} else {
		e = k.New()
		if !decodeEntry(pe.Entry, e) {
			return nil, nil, false, false
		}
		if lines, ok = decodeLines(pe.Lines); !ok {
			return nil, nil, false, false
		}
		if wf != nil {
			wf.keepDecoded(key, cloneEntry(e), lines)
		}
	}
	c.packs.keep(p, pe, true)
	c.hits.Add(1)
	return e, lines, pe.TextOK, true
}

// store keeps the entry e of kind k that the front matter of p decoded to,
// with its fields' lines, when its encoding (entrycodec.go) carries it
// faithfully.
func (c *parseCache) store(p string, k *Kind, sum [32]byte, e Entry, lines fieldLines, textOK bool) {
	data, ok := encodeEntry(e)
	if !ok {
		return
	}
	back := k.New()
	if !decodeEntry(data, back) || !reflect.DeepEqual(back, e) {
		return
	}
	c.packs.keep(p, parseEntry{Sum: sum, Entry: data, Lines: encodeLines(lines), TextOK: textOK}, false)
}

// encodeLines encodes lines as their count, then each key and line,
// sorted by key.
func encodeLines(lines fieldLines) []byte {
	w := &stateWriter{}
	w.uint(uint64(len(lines)))
	for _, k := range slices.Sorted(maps.Keys(lines)) {
		w.string(k)
		w.uint(uint64(lines[k]))
	}
	return w.buf
}

func decodeLines(b []byte) (fieldLines, bool) {
	r := &stateReader{b: b}
	n := r.count(2)
	lines := make(fieldLines, n)
	for range n {
		k := r.string()
		lines[k] = int(r.uint())
	}
	return lines, r.done() == nil
}

// write writes the entries of the published records into the state folder
// dir.
func (c *parseCache) write(dir string, published []*Record) error {
	want := make(map[string]bool, len(published))
	for _, r := range published {
		want[r.Path] = true
	}
	return c.packs.write(dir, func(p string) bool { return want[p] })
}

// An entry: sum, the encoded entry, the encoded lines and TextOK.
func encodeParseEntry(w *stateWriter, e parseEntry) {
	w.sum(e.Sum)
	w.bytes(e.Entry)
	w.bytes(e.Lines)
	w.uint(uint64(boolInt(e.TextOK)))
}

func decodeParseEntry(r *stateReader) parseEntry {
	return parseEntry{Sum: r.sum(), Entry: r.take(r.uint()), Lines: r.take(r.uint()), TextOK: r.uint() == 1}
}
