package search

import (
	"errors"
	"flag"
	"fmt"
	"gongkai/internal/corpus"
	"gongkai/internal/measure"
	"io/fs"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode"
)

// Benchmarks run on a corpus folder made by the shared generator:
//
//	go test -run '^$' -bench . ./search -args -corpus /tmp/corpus10k
//
// -index DIR keeps the built index in DIR (and reuses it when it exists), so
// query benchmarks need not rebuild it.
var (
	corpusDir  = flag.String("corpus", "", "benchmark corpus folder holding docs.jsonl; benchmarks skip without it")
	benchIndex = flag.String("index", "", "index folder for the query benchmarks: reused when present, else built there")
	benchBatch = flag.Int("batch", 0, "BuildOptions.BatchSize for the build benchmarks (0: default)")
	benchShard = flag.Int("shard", 0, "BuildOptions.ShardSize for the build benchmarks (0: default)")
)

func benchOptions() BuildOptions {
	return BuildOptions{BatchSize: *benchBatch, ShardSize: *benchShard}
}

// loadCorpus reads the -corpus folder's docs.jsonl as policies in force
// (IDs /policy/ID/, one agency).
func loadCorpus(tb testing.TB) []Doc {
	tb.Helper()
	if *corpusDir == "" {
		tb.Skip("no -corpus folder given")
	}
	lines, err := corpus.ReadLines(*corpusDir)
	if err != nil {
		tb.Fatal(err)
	}
	docs := make([]Doc, 0, len(lines))
	for _, l := range lines {
		docs = append(docs, Doc{
			ID: "/policy/" + l.ID + "/", Kind: "policy", Title: l.Title, Body: l.Body,
			DocNo: l.DocNo, Agencies: []string{l.Agency}, Topic: l.Topic, Date: l.Date, Validity: "有效",
			Hash: l.ID, Headings: l.Headings,
		})
	}
	return docs
}

// BenchmarkBuild indexes the corpus from scratch and reports the index size
// and the process's peak resident memory (VmHWM, which includes the corpus
// held in memory).
func BenchmarkBuild(b *testing.B) {
	docs := loadCorpus(b)
	runtime.GC()
	base := measure.LiveHeap()
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "ix")
		stop := measure.SampleLiveHeap()
		cpu0 := measure.CPU()
		if _, err := Build(b.Context(), dir, "", docs, benchOptions()); err != nil {
			b.Fatal(err)
		}
		peak := stop()
		// CPU time of the whole process: on a busy machine it moves far
		// less than the wall time.
		b.ReportMetric((measure.CPU() - cpu0).Seconds(), "cpu-s")
		b.ReportMetric(float64(dirSize(dir))/(1<<20), "disk-MB")
		b.ReportMetric(float64(base)/(1<<20), "corpus-heap-MB")
		b.ReportMetric(float64(peak-min(peak, base))/(1<<20), "build-heap-MB")
	}
	reportPeakRSS(b)
}

// BenchmarkRebuild changes 1% of the documents and rebuilds from the
// previous index.
func BenchmarkRebuild(b *testing.B) {
	docs := loadCorpus(b)
	prev := filepath.Join(b.TempDir(), "prev")
	if _, err := Build(b.Context(), prev, "", docs, benchOptions()); err != nil {
		b.Fatal(err)
	}
	changed := slices.Clone(docs)
	for i := 0; i < len(changed); i += 100 {
		changed[i].Body += "\n修订。"
		changed[i].Hash += "-changed"
	}
	for b.Loop() {
		dir := filepath.Join(b.TempDir(), "ix")
		cpu0 := measure.CPU()
		st, err := Build(b.Context(), dir, prev, changed, benchOptions())
		if err != nil {
			b.Fatal(err)
		}
		b.ReportMetric((measure.CPU() - cpu0).Seconds(), "cpu-s")
		b.ReportMetric(float64(st.Updated), "updated")
	}
}

func BenchmarkSearch(b *testing.B) {
	docs := loadCorpus(b)
	ix := openBenchIndex(b, docs)
	defer ix.Close()
	for _, class := range queryClasses {
		qs := benchQueries(docs, class, 200)
		b.Run(class.name, func(b *testing.B) {
			// Searches run on this goroutine alone; locking it to its thread
			// lets the thread's CPU time measure them.
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			var lat, cpu []time.Duration
			var total int
			for _, q := range qs { // warm up
				if _, err := ix.Search(b.Context(), ParseQuery(q)); err != nil {
					b.Fatal(err)
				}
			}
			for b.Loop() {
				for _, q := range qs {
					t0, c0 := time.Now(), threadCPU()
					resp, err := ix.Search(b.Context(), ParseQuery(q))
					if err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(t0))
					cpu = append(cpu, time.Duration(threadCPU()-c0))
					total += resp.Total
				}
			}
			slices.Sort(lat)
			slices.Sort(cpu)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[len(lat)*99/100]), "p99-ms")
			b.ReportMetric(ms(lat[len(lat)-1]), "max-ms")
			b.ReportMetric(ms(cpu[len(cpu)/2]), "cpu-p50-ms")
			b.ReportMetric(ms(cpu[len(cpu)*99/100]), "cpu-p99-ms")
			b.ReportMetric(float64(total)/float64(len(lat)), "hits/q")
			b.ReportMetric(0, "ns/op")
		})
	}
}

func openBenchIndex(b *testing.B, docs []Doc) *Index {
	dir := *benchIndex
	if dir == "" {
		dir = filepath.Join(b.TempDir(), "ix")
	}
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		if _, err := Build(b.Context(), dir, "", docs, benchOptions()); err != nil {
			b.Fatal(err)
		}
	}
	ix, err := Open(dir)
	if err != nil {
		b.Fatal(err)
	}
	if ix.Len() != len(docs) {
		b.Fatalf("index %s holds %d documents, corpus %d", dir, ix.Len(), len(docs))
	}
	return ix
}

type queryClass struct {
	name   string
	runes  int  // length of the substring
	mixed  bool // take any substring (punctuation, digits), quoted
	quoted bool
}

var queryClasses = []queryClass{
	{name: "1char", runes: 1},
	{name: "2char", runes: 2},
	{name: "4char", runes: 4},
	{name: "8char", runes: 8},
	{name: "phrase", runes: 10, mixed: true, quoted: true},
}

// benchQueries picks n queries of a class from the corpus text,
// deterministically: substrings of CJK characters (or, for mixed classes,
// of any text within one line) at seeded random places.
func benchQueries(docs []Doc, c queryClass, n int) []string {
	rng := rand.New(rand.NewPCG(42, uint64(c.runes)))
	var out []string
	for len(out) < n {
		body := []rune(docs[rng.IntN(len(docs))].Body)
		if len(body) < c.runes+1 {
			continue
		}
		i := rng.IntN(len(body) - c.runes)
		sub := body[i : i+c.runes]
		ok := true
		for _, r := range sub {
			if c.mixed && (r == '\n' || unicode.IsSpace(r)) || !c.mixed && !isCJK(r) {
				ok = false
				break
			}
		}
		if !ok || c.mixed && !strings.ContainsFunc(string(sub), func(r rune) bool { return !isCJK(r) }) {
			continue
		}
		q := string(sub)
		if c.quoted {
			q = `"` + q + `"`
		}
		out = append(out, q)
	}
	return out
}

func dirSize(dir string) int64 {
	var n int64
	filepath.WalkDir(dir, func(_ string, d fs.DirEntry, err error) error {
		if err == nil && d.Type().IsRegular() {
			if fi, err := d.Info(); err == nil {
				n += fi.Size()
			}
		}
		return nil
	})
	return n
}

// reportPeakRSS reports the process's peak resident set (Linux only).
func reportPeakRSS(b *testing.B) {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return
	}
	for _, line := range strings.Split(string(data), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			var kb int
			if _, err := fmt.Sscanf(strings.TrimSpace(rest), "%d kB", &kb); err == nil {
				b.ReportMetric(float64(kb)/1024, "peakRSS-MB")
			}
		}
	}
}
