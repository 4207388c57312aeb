package generator

import (
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"

	"gongkai/internal/precompress"
)

// renderCompressed renders fsys with precompressed copies into a fresh
// folder, with prev as the previous live output.
func renderCompressed(t *testing.T, fsys fs.FS, prev string) (string, *Result) {
	t.Helper()
	c, err := Load(context.Background(), fsys, buildDate)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Problems.Err(); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(t.TempDir(), "public")
	res, err := Render(context.Background(), c, Options{Out: out, Theme: theme(t), Precompress: true, PreviousOut: prev})
	if err != nil {
		t.Fatal(err)
	}
	return out, res
}

// readTree returns every file under dir by slash path.
func readTree(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		b, err := os.ReadFile(p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

// TestPrecompressedCopies checks that every HTML, CSS, JS, XML and JSON
// file of 1 KB or more has .br and .gz copies that decompress to it, that
// nothing else has copies, that two builds write byte-identical copies,
// and that a rebuild over the previous output reuses them unchanged.
func TestPrecompressedCopies(t *testing.T) {
	fsys := siteFS(t, "site.txtar")
	a, resA := renderCompressed(t, fsys, "")
	b, _ := renderCompressed(t, fsys, "")
	c, resC := renderCompressed(t, fsys, a)
	fa, fb, fc := readTree(t, a), readTree(t, b), readTree(t, c)
	if len(fa) != len(fb) || len(fa) != len(fc) {
		t.Fatalf("builds wrote %d, %d and %d files", len(fa), len(fb), len(fc))
	}
	copies := 0
	for name, data := range fa {
		if !bytes.Equal(data, fb[name]) {
			t.Errorf("%s differs between two builds of the same content", name)
		}
		if !bytes.Equal(data, fc[name]) {
			t.Errorf("%s differs in a rebuild that reused the previous copies", name)
		}
		switch {
		case strings.HasSuffix(name, ".br"), strings.HasSuffix(name, ".gz"):
			orig, ok := fa[name[:len(name)-3]]
			if !ok {
				t.Errorf("%s has no original", name)
				continue
			}
			var got []byte
			var err error
			if strings.HasSuffix(name, ".br") {
				got, err = io.ReadAll(brotli.NewReader(bytes.NewReader(data)))
			} else {
				var zr *gzip.Reader
				if zr, err = gzip.NewReader(bytes.NewReader(data)); err == nil {
					got, err = io.ReadAll(zr)
				}
			}
			if err != nil || !bytes.Equal(got, orig) {
				t.Errorf("%s does not decompress to its original: %v", name, err)
			}
			if len(data) >= len(orig) {
				t.Errorf("%s is %d bytes, its original %d", name, len(data), len(orig))
			}
			copies++
		default:
			_, br := fa[name+".br"]
			_, gz := fa[name+".gz"]
			if want := precompress.Eligible(name, len(data)); br != want || gz != want {
				t.Errorf("%s (%d bytes): .br %v, .gz %v; want %v", name, len(data), br, gz, want)
			}
		}
	}
	if copies == 0 || copies != resA.Compressed {
		t.Errorf("%d copies on disk, Result.Compressed %d", copies, resA.Compressed)
	}
	if resC.Reused == 0 || resC.Reused*2 != resC.Compressed {
		t.Errorf("rebuild reused %d files' copies of %d copies; want all reused", resC.Reused, resC.Compressed)
	}
	t.Logf("%d copies; the rebuild reused %d files' copies", copies, resC.Reused)
}
