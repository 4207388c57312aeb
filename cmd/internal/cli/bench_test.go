package cli

import (
	"context"
	"flag"
	"io"
	"strings"
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
	args := []string{"-source", site, "-out", site + "/public", "-date", "2025-01-01"}
	var summary string
	for b.Loop() {
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
	b.ReportMetric(float64(n), "docs")
	b.Log(summary)
}
