package cli

import (
	"context"
	"flag"
	"gongkai/internal/measure"
	"io"
	"strings"
	"syscall"
	"testing"

	"gongkai/internal/corpus"
)

var benchCorpus = flag.String("corpus", "", "benchmark corpus folder written by gencorpus.py (BenchmarkCheck skips without it)")

// BenchmarkCheck runs `gongkai check` with every inspection rule on over a
// site converted from the benchmark corpus: load and content checks, then
// freshness, dates, interpretations, reports, personal data, wording,
// references, identity and internal links and anchors.
//
//	go test -run '^$' -bench Check -benchtime 3x ./cmd/internal/cli -args -corpus /work/corpus/c10k
func BenchmarkCheck(b *testing.B) {
	if *benchCorpus == "" {
		b.Skip("no -corpus folder given")
	}
	site := b.TempDir()
	n, err := corpus.Convert(*benchCorpus, site)
	if err != nil {
		b.Fatal(err)
	}
	// Flush the converted corpus so its writeback does not compete with
	// the timed runs.
	syscall.Sync()
	args := []string{"-source", site, "-out", site + "/public", "-date", "2025-01-01"}
	var summary string
	cpu0 := measure.CPU()
	runs := 0
	for b.Loop() {
		runs++
		var out strings.Builder
		code := runCheck(context.Background(), args, &out, io.Discard)
		if code != 0 && code != 1 {
			b.Fatalf("check: exit %d", code)
		}
		s := out.String()
		if i := strings.Index(s, "inspection at"); i >= 0 {
			summary = strings.TrimSpace(s[i:])
		}
	}
	// CPU time is what the machine's load does not change: the wall time
	// of a run on a busy two-core machine is noisy.
	b.ReportMetric((measure.CPU()-cpu0).Seconds()/float64(runs), "cpu-s/op")
	b.ReportMetric(float64(n), "docs")
	b.Log(summary)
}
