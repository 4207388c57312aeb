package staticsearch

import (
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"syscall"
	"testing"
	"time"
)

// BenchmarkWrite writes the static index of the corpus and reports its size
// and the peak of the live heap above the corpus itself.
func BenchmarkWrite(b *testing.B) {
	docs := loadCorpus(b)
	runtime.GC()
	base := liveHeap()
	for b.Loop() {
		out := filepath.Join(b.TempDir(), "public")
		stop := sampleLiveHeap()
		cpu0 := cpuTime()
		st, err := Write(b.Context(), out, "", docs, Options{})
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric((cpuTime() - cpu0).Seconds(), "cpu-s")
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

// cpuTime is the process's user and system CPU time so far.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64()
}

func sampleLiveHeap() func() uint64 {
	done := make(chan struct{})
	result := make(chan uint64)
	go func() {
		var peak uint64
		t := time.NewTicker(5 * time.Millisecond)
		defer t.Stop()
		for {
			peak = max(peak, liveHeap())
			select {
			case <-done:
				result <- peak
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		return <-result
	}
}
