package generator

import (
	"context"
	"flag"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"

	"gongkai/internal/corpus"
)

var corpusDir = flag.String("corpus", "", "benchmark corpus folder written by gencorpus.py (BenchmarkBuild skips without it)")

// BenchmarkBuild loads, checks and renders a site converted from the
// benchmark corpus: every page, list, the catalogue and the sitemap. The
// sub-benchmarks measure what precompression adds: "plain" writes the
// files only, "precompressed" adds their .br and .gz copies, "rebuild"
// does the same over the previous precompressed output, reusing the
// copies of unchanged files (what `gongkai build` does on a live site).
//
//	go test -run '^$' -bench Build -benchtime 3x ./generator -args -corpus /tmp/corpus10k
func BenchmarkBuild(b *testing.B) {
	site, n := corpusSite(b)
	// Flush the converted corpus to disk so its writeback does not compete
	// with the timed build's writes.
	syscall.Sync()
	th := theme(b)
	fsys := os.DirFS(site)
	for _, mode := range []string{"plain", "precompressed", "rebuild"} {
		b.Run(mode, func(b *testing.B) {
			var peak uint64
			i := 0
			var loadT, renderT time.Duration
			prev := ""
			if mode == "rebuild" {
				// The live site the rebuilds start from, built untimed.
				prev = buildOnce(b, fsys, th, true, "")
			}
			var res *Result
			for b.Loop() {
				t0 := time.Now()
				c, err := Load(context.Background(), fsys, buildDate)
				if err != nil {
					b.Fatal(err)
				}
				if err := c.Problems.Err(); err != nil {
					b.Fatal(err)
				}
				t1 := time.Now()
				loadT += t1.Sub(t0)
				out := filepath.Join(b.TempDir(), "public")
				res, err = Render(context.Background(), c, Options{Out: out, Theme: th, Precompress: mode != "plain", PreviousOut: prev})
				if err != nil {
					b.Fatal(err)
				}
				renderT += time.Since(t1)
				var ms runtime.MemStats
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapSys)
				i++
			}
			b.ReportMetric(loadT.Seconds()/float64(i), "load-s/op")
			b.ReportMetric(renderT.Seconds()/float64(i), "render-s/op")
			b.ReportMetric(float64(n), "docs")
			b.ReportMetric(float64(peak)/1e6, "heap-MB")
			b.ReportMetric(float64(res.Bytes)/1e6, "MB")
			b.ReportMetric(float64(res.CompressedBytes)/1e6, "compressed-MB")
			b.ReportMetric(float64(res.Reused), "reused-files")
		})
	}
}

// buildOnce renders the site in fsys into a fresh folder and returns it.
func buildOnce(b *testing.B, fsys fs.FS, th *Theme, precompress bool, prev string) string {
	b.Helper()
	c, err := Load(context.Background(), fsys, buildDate)
	if err != nil {
		b.Fatal(err)
	}
	out := filepath.Join(b.TempDir(), "public")
	if _, err := Render(context.Background(), c, Options{Out: out, Theme: th, Precompress: precompress, PreviousOut: prev}); err != nil {
		b.Fatal(err)
	}
	syscall.Sync()
	return out
}

// BenchmarkPageKeys measures what an incremental build spends on its pages'
// keys (deps.go) before it renders anything, at the corpus's size: every
// record's own hash and every page's walk.
//
//	go test -run '^$' -bench PageKeys -benchtime 5x ./generator -args -corpus /work/corpus/c10k
func BenchmarkPageKeys(b *testing.B) {
	c, n := corpusContent(b)
	bd, err := newBuild(c, theme(b), nil, false)
	if err != nil {
		b.Fatal(err)
	}
	outs := bd.plan()
	inc := &incr{}
	pages := 0
	for _, o := range outs {
		if o.Page != nil {
			pages++
		}
	}
	for b.Loop() {
		bd.pageKeys(outs, inc)
	}
	b.ReportMetric(float64(n), "docs")
	b.ReportMetric(float64(pages), "pages")
}

// corpusContent converts the benchmark corpus (-corpus) into a site and
// loads it, returning the content and its number of documents; it skips b
// without a corpus.
func corpusContent(b *testing.B) (*Content, int) {
	b.Helper()
	site, n := corpusSite(b)
	return loadClean(b, os.DirFS(site), buildDate), n
}

// corpusSite converts the benchmark corpus (-corpus) into a site folder and
// returns it with its number of documents; it skips b without a corpus.
func corpusSite(b *testing.B) (string, int) {
	b.Helper()
	if *corpusDir == "" {
		b.Skip("no -corpus folder given")
	}
	site := b.TempDir()
	n, err := corpus.Convert(*corpusDir, site)
	if err != nil {
		b.Fatal(err)
	}
	return site, n
}
