package staticsearch

import (
	"gongkai/internal/measure"
	"os"
	"path/filepath"
	"runtime"
	"testing"
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
