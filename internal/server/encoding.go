package server

import (
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
)

// Precompressed files: the build writes NAME.br and NAME.gz beside every
// compressible file above a size (see generator's precompression), and the
// server sends one of them when the request accepts it, instead of
// compressing on every request.

// encodings lists the precompressed variants in order of preference.
var encodings = []struct{ name, suffix string }{{"br", ".br"}, {"gzip", ".gz"}}

// precompressed returns the variant of name to send for r: its file name,
// its info and its Content-Encoding, or name itself with encoding "" when
// the client accepts none of the variants or none exists. When a variant
// exists, the response varies by Accept-Encoding, whichever is sent.
func precompressed(w http.ResponseWriter, r *http.Request, root *os.Root, name string, fi fs.FileInfo) (string, fs.FileInfo, string) {
	accept := r.Header.Get("Accept-Encoding")
	var (
		found    bool
		best     string
		bestFi   fs.FileInfo
		bestEnc  string
		bestQ    = 0.0
		variants = 0
	)
	for _, e := range encodings {
		vfi, err := root.Stat(name + e.suffix)
		if err != nil || !vfi.Mode().IsRegular() {
			continue
		}
		found = true
		variants++
		if q := acceptQ(accept, e.name); q > bestQ {
			best, bestFi, bestEnc, bestQ = name+e.suffix, vfi, e.name, q
		}
	}
	if !found {
		return name, fi, ""
	}
	w.Header().Add("Vary", "Accept-Encoding")
	// Identity is always acceptable (unless refused) but only preferred
	// when the request says so with a higher weight.
	if q, listed := listedQ(accept, "identity"); bestEnc == "" || (listed && q > bestQ) {
		return name, fi, ""
	}
	w.Header().Set("Content-Encoding", bestEnc)
	return best, bestFi, bestEnc
}

// acceptQ returns the quality an Accept-Encoding header gives coding: its
// own q, else that of "*", else 0 (1 for identity, which is acceptable
// unless refused).
func acceptQ(header, coding string) float64 {
	q, _ := listedQ(header, coding)
	if q < 0 {
		if coding == "identity" {
			return 1
		}
		return 0
	}
	return q
}

// listedQ returns the quality the header gives coding itself or through
// "*", and whether coding is named; -1 when neither appears.
func listedQ(header, coding string) (float64, bool) {
	star, own := -1.0, -1.0
	for part := range strings.SplitSeq(header, ",") {
		c, params, _ := strings.Cut(strings.TrimSpace(part), ";")
		c = strings.ToLower(strings.TrimSpace(c))
		if c == "" {
			continue
		}
		q := 1.0
		for p := range strings.SplitSeq(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if ok && strings.EqualFold(strings.TrimSpace(k), "q") {
				if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && f >= 0 && f <= 1 {
					q = f
				} else {
					q = 0
				}
			}
		}
		switch c {
		case coding:
			own = q
		case "*":
			star = q
		}
	}
	if own >= 0 {
		return own, true
	}
	return star, false
}

// wholeEncoded prepares the answer with a compressed copy of size fi.Size():
// http.ServeContent leaves out Content-Length when Content-Encoding is set,
// so it is set here, and byte ranges are not served from a compressed copy
// (the request's Range is dropped; RFC 9110 lets a server ignore it).
func wholeEncoded(w http.ResponseWriter, r *http.Request, fi fs.FileInfo) *http.Request {
	w.Header().Set("Content-Length", strconv.FormatInt(fi.Size(), 10))
	if r.Header.Get("Range") == "" {
		return r
	}
	r2 := new(http.Request)
	*r2 = *r
	r2.Header = r.Header.Clone()
	r2.Header.Del("Range")
	r2.Header.Del("If-Range")
	return r2
}
