package staticsearch

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"gongkai/internal/measure"
	"gongkai/search"
)

// BenchmarkWrite writes the static index of the corpus and reports its size
// and the peak of the live heap above the corpus itself.
func BenchmarkWrite(b *testing.B) {
	docs := loadCorpus(b)
	runtime.GC()
	base := measure.LiveHeap()
	for b.Loop() {
		out := filepath.Join(b.TempDir(), "public")
		stop := measure.SampleLiveHeap()
		cpu0 := measure.CPU()
		st, err := Write(b.Context(), out, "", docs, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric((measure.CPU() - cpu0).Seconds(), "cpu-s")
		peak := stop()
		b.ReportMetric(float64(st.Bytes)/(1<<20), "index-MB")
		b.ReportMetric(float64(st.Files), "files")
		b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "extra-heap-MB")
	}
	if data, err := os.ReadFile("/proc/self/status"); err == nil {
		b.Logf("%s", grepLine(string(data), "VmHWM"))
	}
}

// BenchmarkWriteOneChanged rewrites the static index of the corpus after
// changing the body (and hash) of one document, with the first write as the
// previous build: its chunks and its analysis cache. It reports the wall
// and CPU seconds of the rewrite and how many documents were analysed.
//
//	nice go test ./staticsearch -run '^$' -bench WriteOneChanged -benchtime 1x -args -corpus /work/corpus/c10k
func BenchmarkWriteOneChanged(b *testing.B) {
	docs := loadCorpus(b) // the hash of a document is its ID
	dir := b.TempDir()
	salt := []byte("bench")
	prev := filepath.Join(dir, "prev")
	if _, err := Write(b.Context(), prev, "", docs, Options{State: prev + ".state", Salt: salt}); err != nil {
		b.Fatal(err)
	}
	i := 0
	for b.Loop() {
		i++
		changed := append([]search.Doc(nil), docs...)
		d := &changed[len(changed)/2]
		d.Body += fmt.Sprintf("\n本段为第%d次修改。", i)
		d.Hash += fmt.Sprint("-", i)
		out := filepath.Join(dir, fmt.Sprint("out", i))
		cpu0 := measure.CPU()
		start := time.Now()
		st, err := Write(b.Context(), out, prev, changed, Options{State: out + ".state", PrevState: prev + ".state", Salt: salt})
		if err != nil {
			b.Fatal(err)
		}
		b.Logf("rewrite %d: wall %.2f s, CPU %.2f s, %d analysed, %d of %d files reused, vocabulary reused %t", i, time.Since(start).Seconds(), (measure.CPU() - cpu0).Seconds(), st.Analysed, st.Reused, st.Files, st.VocabReused)
		b.ReportMetric((measure.CPU() - cpu0).Seconds(), "cpu-s")
		b.ReportMetric(float64(st.Analysed), "analysed")
		b.ReportMetric(float64(st.Reused), "files-reused")
	}
}

func grepLine(s, prefix string) string {
	for len(s) > 0 {
		i := 0
		for i < len(s) && s[i] != '\n' {
			i++
		}
		if len(s[:i]) >= len(prefix) && s[:len(prefix)] == prefix {
			return s[:i]
		}
		if i == len(s) {
			break
		}
		s = s[i+1:]
	}
	return ""
}

// BenchmarkVocab measures what a rebuild spends on the did-you-mean
// vocabulary: writing it (writeVocab), and the digest of its inputs
// (vocabDigest) that a rebuild computes to link the previous build's
// instead when they are the same.
//
//	nice go test ./staticsearch -run '^$' -bench Vocab -args -corpus /work/corpus/c10k
func BenchmarkVocab(b *testing.B) {
	docs := loadCorpus(b)
	byID := make([]int, len(docs))
	for i := range byID {
		byID[i] = i
	}
	slices.SortFunc(byID, func(x, y int) int { return strings.Compare(docs[x].ID, docs[y].ID) })
	b.Run("write", func(b *testing.B) {
		for b.Loop() {
			w := &writer{out: b.TempDir()}
			if _, err := w.writeVocab(b.Context(), docs, byID); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("digest", func(b *testing.B) {
		for b.Loop() {
			vocabDigest(docs, byID)
		}
	})
}
