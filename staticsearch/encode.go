package staticsearch

import (
	"bytes"
	"compress/flate"
	"crypto/sha256"
	"encoding/hex"
	"hash/fnv"
	"sync"
)

// enc builds a chunk: unsigned LEB128 varints and length-prefixed UTF-8
// strings, which the client reads with a DataView-free byte loop.
type enc struct{ b []byte }

func (e *enc) uint(v uint64) {
	for v >= 0x80 {
		e.b = append(e.b, byte(v)|0x80)
		v >>= 7
	}
	e.b = append(e.b, byte(v))
}

// int writes a signed value zigzag-encoded.
func (e *enc) int(v int64) { e.uint(uint64(v<<1) ^ uint64(v>>63)) }

func (e *enc) str(s string) {
	e.uint(uint64(len(s)))
	e.b = append(e.b, s...)
}

// deflate compresses b as raw deflate (RFC 1951), which browsers inflate
// with DecompressionStream("deflate-raw") whatever the web server does.
// Writers are pooled: a new one allocates over half a megabyte, which for
// thousands of small chunks dominated the index's build time.
func deflate(b []byte) []byte {
	return pooledDeflate(&deflaters, 6, b, len(b)/3+64)
}

var deflaters sync.Pool

// pooledDeflate compresses b at level with a writer from pool, its output
// buffer grown to size first.
func pooledDeflate(pool *sync.Pool, level int, b []byte, size int) []byte {
	var out bytes.Buffer
	out.Grow(size)
	w, _ := pool.Get().(*flate.Writer)
	if w == nil {
		var err error
		if w, err = flate.NewWriter(&out, level); err != nil {
			panic(err) // only for an invalid level
		}
	} else {
		w.Reset(&out)
	}
	w.Write(b)
	w.Close()
	pool.Put(w)
	return out.Bytes()
}

// deflateSmallest is deflate, or Huffman coding alone when that is
// smaller: for postings, whose gaps and counts are nearly random bytes
// (3–5% of a query's postings), for entries of minHuffmanOnly bytes or
// more.
func deflateSmallest(b []byte) []byte {
	d := deflate(b)
	if len(b) < minHuffmanOnly {
		return d
	}
	if h := pooledDeflate(&huffmen, flate.HuffmanOnly, b, len(d)); len(h) < len(d) {
		return h
	}
	return d
}

var huffmen sync.Pool

// minHuffmanOnly is the least entry deflateSmallest tries Huffman coding
// alone on: smaller ones are most of the buckets, and seldom gain.
const minHuffmanOnly = 512

// deflateSegments compresses the concatenation of segs as one raw deflate
// stream, each segment as the smaller of the best compression and
// Huffman coding alone (flate.HuffmanOnly), which for nearly random bytes
// (a column of ids or lengths) saves the cost of looking for matches (a
// tenth of the facets, 0.3 KB of the titles' lengths). Every segment but
// the last ends with a sync flush (its blocks end on a byte, none final),
// so the streams join into one.
func deflateSegments(segs [][]byte) []byte {
	var out []byte
	for i, s := range segs {
		last := i == len(segs)-1
		if len(s) == 0 && !last {
			continue
		}
		var best []byte
		for _, level := range []int{flate.BestCompression, flate.HuffmanOnly} {
			var b bytes.Buffer
			w, err := flate.NewWriter(&b, level)
			if err != nil {
				panic(err) // only for an invalid level
			}
			w.Write(s)
			if last {
				w.Close()
			} else {
				w.Flush()
			}
			if best == nil || b.Len() < len(best) {
				best = b.Bytes()
			}
		}
		out = append(out, best...)
	}
	return out
}

// contentHash names content: 16 hex digits of its SHA-256.
func contentHash(parts ...[]byte) string {
	h := sha256.New()
	for _, p := range parts {
		h.Write(p)
	}
	return hex.EncodeToString(h.Sum(nil)[:8])
}

// bucketOf assigns a term to one of n buckets by its FNV-1a hash (the client
// computes the same over the term's UTF-8 bytes).
func bucketOf(term string, n int) int {
	h := fnv.New32a()
	h.Write([]byte(term))
	return int(h.Sum32() % uint32(n))
}
