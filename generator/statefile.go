package generator

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"os"
	"path/filepath"
	"unsafe"
)

// The incremental build's state files (the manifest, incrementalFile, and
// the body packs, bodyPackDir) share one framing, cheap to write and to
// read: a magic line naming the file's kind and version, a payload of
// length-prefixed fields, and a CRC-32C of everything before it. A file
// that is missing, truncated, of another kind or version, or whose CRC
// does not match, is not used: the build then renders what it would have
// reused, so a damaged file costs time, never a wrong byte.

var crcTable = crc32.MakeTable(crc32.Castagnoli)

// errState reports a state file that cannot be used.
var errState = errors.New("damaged or foreign state file")

// stateWriter encodes one state file.
type stateWriter struct {
	buf []byte
}

func newStateWriter(magic string, size int) *stateWriter {
	w := &stateWriter{buf: make([]byte, 0, size+len(magic)+16)}
	w.buf = append(w.buf, magic...)
	return w
}

func (w *stateWriter) uint(n uint64) { w.buf = binary.AppendUvarint(w.buf, n) }

func (w *stateWriter) bytes(b []byte) {
	w.uint(uint64(len(b)))
	w.buf = append(w.buf, b...)
}

func (w *stateWriter) string(s string) {
	w.uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

func (w *stateWriter) sum(s [32]byte) { w.buf = append(w.buf, s[:]...) }

// finish appends the CRC and returns the file's bytes.
func (w *stateWriter) finish() []byte {
	return binary.LittleEndian.AppendUint32(w.buf, crc32.Checksum(w.buf, crcTable))
}

// stateReader decodes one state file; the first error sticks, and every
// read after it returns zero values.
type stateReader struct {
	b   []byte
	err error
	// alias: strings read share the file's bytes instead of copying them
	// (the caller never changes the bytes, which every string read then
	// keeps).
	alias bool
}

// openState checks data's magic and CRC and returns a reader of its
// payload.
func openState(data []byte, magic string) *stateReader {
	n := len(data) - 4
	if n < len(magic) || string(data[:len(magic)]) != magic ||
		crc32.Checksum(data[:n], crcTable) != binary.LittleEndian.Uint32(data[n:]) {
		return &stateReader{err: errState}
	}
	return &stateReader{b: data[len(magic):n]}
}

func (r *stateReader) uint() uint64 {
	if r.err != nil {
		return 0
	}
	n, k := binary.Uvarint(r.b)
	if k <= 0 {
		r.err = errState
		return 0
	}
	r.b = r.b[k:]
	return n
}

// count reads a number of items of at least min bytes each, refusing one
// that the rest of the file cannot hold.
func (r *stateReader) count(min int) int {
	n := r.uint()
	if r.err == nil && n > uint64(len(r.b)/max(min, 1)) {
		r.err = errState
		return 0
	}
	return int(n)
}

func (r *stateReader) take(n uint64) []byte {
	if r.err != nil {
		return nil
	}
	if n > uint64(len(r.b)) {
		r.err = errState
		return nil
	}
	b := r.b[:n:n]
	r.b = r.b[n:]
	return b
}

func (r *stateReader) string() string {
	b := r.take(r.uint())
	if r.alias {
		return unsafe.String(unsafe.SliceData(b), len(b))
	}
	return string(b)
}

// stringBytes returns s's bytes without copying them; nothing may change
// them.
func stringBytes(s string) []byte { return unsafe.Slice(unsafe.StringData(s), len(s)) }

func (r *stateReader) sum() (s [32]byte) {
	copy(s[:], r.take(32))
	return s
}

// done reports the reader's error, or errState when bytes are left over.
func (r *stateReader) done() error {
	if r.err == nil && len(r.b) != 0 {
		r.err = errState
	}
	return r.err
}

// replaceFile writes data to p through a temporary file renamed over it,
// so that a file at p, which may be a hard link to the live state, is
// replaced rather than rewritten in place.
func replaceFile(p string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(p), "."+filepath.Base(p)+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", p, err)
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Chmod(f.Name(), 0o644)
	}
	if err == nil {
		err = os.Rename(f.Name(), p)
	}
	if err != nil {
		os.Remove(f.Name())
		return fmt.Errorf("write %s: %w", p, err)
	}
	return nil
}

// linkFile hard-links old to p (replacing p), and reports false, having
// changed nothing, when links are not possible.
func linkFile(old, p string) bool {
	tmp := filepath.Join(filepath.Dir(p), "."+filepath.Base(p)+".link")
	os.Remove(tmp)
	if err := os.Link(old, tmp); err != nil {
		return false
	}
	if err := os.Rename(tmp, p); err != nil {
		os.Remove(tmp)
		return false
	}
	return true
}
