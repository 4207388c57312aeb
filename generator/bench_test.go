package generator

import (
	"context"
	"flag"
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
// benchmark corpus: every page, list, the catalogue and the sitemap.
//
//	go test -run '^$' -bench Build -benchtime 3x ./generator -args -corpus /tmp/corpus10k
func BenchmarkBuild(b *testing.B) {
	if *corpusDir == "" {
		b.Skip("no -corpus folder given")
	}
	site := b.TempDir()
	n, err := corpus.Convert(*corpusDir, site)
	if err != nil {
		b.Fatal(err)
	}
	// Flush the converted corpus to disk so its writeback does not compete
	// with the timed build's writes.
	syscall.Sync()
	th := theme(b)
	fsys := os.DirFS(site)
	var peak uint64
	i := 0
	var loadT, renderT time.Duration
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
		if _, err := Render(context.Background(), c, Options{Out: out, Theme: th}); err != nil {
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
}
