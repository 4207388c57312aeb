package generator

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sync/atomic"

	"gongkai/internal/precompress"
)

// compressor writes the precompressed copies (NAME.br, NAME.gz) of the
// build's text files (internal/precompress), reusing the previous build's
// copies of a file whose bytes did not change: a rebuild compresses only
// what changed.
type compressor struct {
	prev string // the previous live output folder, or ""

	files, bytes, reused atomic.Int64
}

// write writes the copies of the file rel (with content data) under root.
func (c *compressor) write(root, rel string, data []byte) error {
	if c == nil || !precompress.Eligible(rel, len(data)) {
		return nil
	}
	full := filepath.Join(root, rel)
	if c.prev != "" && c.reuse(full, filepath.Join(c.prev, rel), data) {
		return nil
	}
	br, gz, err := precompress.Encode(data)
	if err != nil {
		return fmt.Errorf("compress %s: %w", rel, err)
	}
	for i, enc := range [][]byte{br, gz} {
		if enc == nil {
			continue
		}
		if err := os.WriteFile(full+precompress.Suffixes[i], enc, 0o644); err != nil {
			return fmt.Errorf("write %s: %w", rel+precompress.Suffixes[i], err)
		}
		c.files.Add(1)
		c.bytes.Add(int64(len(enc)))
	}
	return nil
}

// reuse links the previous build's copies of old into place for new when
// old has the same bytes as data and both copies exist. It reports whether
// it did.
func (c *compressor) reuse(new, old string, data []byte) bool {
	fi, err := os.Stat(old)
	if err != nil || fi.Size() != int64(len(data)) {
		return false
	}
	var sizes [2]int64
	for i, suf := range precompress.Suffixes {
		vfi, err := os.Stat(old + suf)
		if err != nil || !vfi.Mode().IsRegular() {
			return false
		}
		sizes[i] = vfi.Size()
	}
	if same, err := sameBytes(old, data); err != nil || !same {
		return false
	}
	for i, suf := range precompress.Suffixes {
		// A hard link costs no copy; builds never change a file in place.
		if err := os.Link(old+suf, new+suf); err != nil {
			// Across file systems (or where links are not allowed), the
			// copy is rewritten below instead.
			for _, s := range precompress.Suffixes[:i] {
				os.Remove(new + s)
			}
			return false
		}
		c.files.Add(1)
		c.bytes.Add(sizes[i])
	}
	c.reused.Add(1)
	return true
}

// sameBytes reports whether the file at p holds exactly data.
func sameBytes(p string, data []byte) (bool, error) {
	b, err := os.ReadFile(p)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return bytes.Equal(b, data), nil
}
