// Package precompress makes the gzip and brotli copies of a site's text
// files that a web server sends instead of compressing on every request
// (nginx gzip_static and brotli_static, gongkai serve): NAME.gz and NAME.br
// beside NAME. The copies are deterministic: the same input gives the same
// bytes on every machine (no file name or time in the gzip header, fixed
// levels), so two builds of the same content are byte-identical.
package precompress

import (
	"bytes"
	"compress/gzip"
	"fmt"
	"path"
	"strings"
	"sync"

	"github.com/andybalholm/brotli"
)

// MinSize is the smallest file that gets compressed copies: below about a
// kilobyte the saving is smaller than a packet and not worth a file.
const MinSize = 1024

// Levels, measured on the HTML, XML and JSON of a 10,000-document build
// (docs/deploy.md): gzip 9 saves 0.2% over gzip 6 for 65% more time, so
// gzip stays at 6; brotli 5 gives 19.1% of the size against 21.5% at level
// 4 for twice the time, level 6 only 18.7% for 1.5 times more, and level 11
// is about fifty times slower again.
const (
	GzipLevel   = gzip.DefaultCompression
	BrotliLevel = 5
)

// compressible lists the extensions that get copies: HTML, CSS, JS, XML
// (sitemaps, feeds, OpenSearch, SVG images) and JSON (JSON Feed).
var compressible = map[string]bool{".html": true, ".css": true, ".js": true, ".xml": true, ".json": true, ".svg": true}

// Eligible reports whether a file called name with size bytes gets
// compressed copies.
func Eligible(name string, size int) bool {
	return size >= MinSize && compressible[strings.ToLower(path.Ext(name))]
}

// Suffixes are the file name suffixes of the copies, in the order Encode
// returns them.
var Suffixes = []string{".br", ".gz"}

// Writers are reused: a brotli writer allocates its hash tables (about a
// megabyte) when it is made, which would be garbage after every file.
var (
	brPool = sync.Pool{New: func() any { return brotli.NewWriterLevel(nil, BrotliLevel) }}
	gzPool = sync.Pool{New: func() any {
		w, _ := gzip.NewWriterLevel(nil, GzipLevel)
		return w
	}}
)

// Encode returns the brotli and gzip encodings of data. A copy that would
// not be smaller than data is returned as nil: sending the file itself is
// as good.
func Encode(data []byte) (br, gz []byte, err error) {
	var b bytes.Buffer
	b.Grow(len(data) / 4)
	bw := brPool.Get().(*brotli.Writer)
	defer brPool.Put(bw)
	bw.Reset(&b)
	if _, err := bw.Write(data); err != nil {
		return nil, nil, fmt.Errorf("brotli: %w", err)
	}
	if err := bw.Close(); err != nil {
		return nil, nil, fmt.Errorf("brotli: %w", err)
	}
	if b.Len() < len(data) {
		br = b.Bytes()
	}
	var g bytes.Buffer
	g.Grow(len(data) / 3)
	gw := gzPool.Get().(*gzip.Writer)
	defer gzPool.Put(gw)
	// Reset keeps the zero Header: no name and a zero modification time.
	gw.Reset(&g)
	if _, err := gw.Write(data); err != nil {
		return nil, nil, fmt.Errorf("gzip: %w", err)
	}
	if err := gw.Close(); err != nil {
		return nil, nil, fmt.Errorf("gzip: %w", err)
	}
	if g.Len() < len(data) {
		gz = g.Bytes()
	}
	return br, gz, nil
}
