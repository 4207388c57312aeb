package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gongkai/generator"
	"gongkai/internal/corpus"
	"gongkai/internal/measure"
)

// BenchmarkRebuildAfterEdit is the baseline incremental builds must beat:
// after one edit in a site converted from the benchmark corpus, a whole
// rebuild (-full), the same build a live preview runs (no precompressed
// copies). Each iteration makes one real change and rebuilds: the body of
// one record, its title, the bytes of one attachment, or site.yaml's
// navigation. It
// reports wall and CPU seconds per rebuild and the bytes of the files the
// build wrote (out-bytes: the whole site).
//
//	nice go test -run '^$' -bench RebuildAfterEdit -benchtime 2x ./cmd/internal/cli -args -corpus /work/corpus/c10k
func BenchmarkRebuildAfterEdit(b *testing.B) {
	sf, edits, n := editBenchSite(b)
	sf.full = true
	for _, bc := range edits {
		b.Run(bc.name, func(b *testing.B) {
			var bytes int64
			var wall time.Duration
			cpu0 := measure.CPU()
			i := 0
			for b.Loop() {
				i++
				bc.edit(i)
				start := time.Now()
				sum, code := build(context.Background(), sf, io.Discard, io.Discard)
				wall += time.Since(start)
				if code != 0 {
					b.Fatalf("rebuild after the %s edit: exit %d", bc.name, code)
				}
				bytes += sum.bytes
			}
			b.ReportMetric(wall.Seconds()/float64(i), "wall-s/op")
			b.ReportMetric((measure.CPU()-cpu0).Seconds()/float64(i), "cpu-s/op")
			b.ReportMetric(float64(bytes)/float64(i), "out-bytes/op")
			b.ReportMetric(float64(n), "docs")
		})
	}
}

// benchEdit is one kind of edit the rebuild benchmarks repeat; edit(i)
// makes the i-th change.
type benchEdit struct {
	name string
	edit func(i int)
}

// editBenchSite converts the benchmark corpus into a site whose middle
// policy carries an attachment, builds it once, and returns its flags (a
// preview build without precompressed copies), the record, attachment and
// navigation edits, and the number of documents.
func editBenchSite(b *testing.B) (siteFlags, []benchEdit, int) {
	b.Helper()
	if *benchCorpus == "" {
		b.Skip("no -corpus folder given")
	}
	site := b.TempDir()
	n, err := corpus.Convert(*benchCorpus, site)
	if err != nil {
		b.Fatal(err)
	}
	policies, err := filepath.Glob(filepath.Join(site, "content/policies/*.md"))
	if err != nil || len(policies) == 0 {
		b.Fatalf("no policies in the converted corpus: %v", err)
	}
	record := policies[len(policies)/2]
	att := filepath.Join(site, "content/attachments/bench/form.txt")
	if err := os.MkdirAll(filepath.Dir(att), 0o755); err != nil {
		b.Fatal(err)
	}
	writeBench(b, att, "附件 0\n")
	addAttachment(b, record, "attachments/bench/form.txt")
	sf := siteFlags{source: site, out: filepath.Join(site, "public"), date: "2025-01-01", preview: true, noPrecompress: true}
	if _, code := build(context.Background(), sf, io.Discard, io.Discard); code != 0 {
		var stderr strings.Builder
		build(context.Background(), sf, io.Discard, &stderr)
		b.Fatalf("first build: exit %d\n%.2000s", code, stderr.String())
	}
	syscall.Sync()
	yml := filepath.Join(site, "content/site.yaml")
	return sf, []benchEdit{
		{"record", func(i int) { appendLine(b, record, fmt.Sprintf("\n本段为第%d次修改。\n", i)) }},
		// A front-matter edit: the title, which lists and feeds show.
		{"title", func(i int) { replaceTitle(b, record, i) }},
		// Ten contents of the same size: an edit that keeps the size.
		{"attachment", func(i int) { writeBench(b, att, fmt.Sprintf("附件 %d\n", i%10)) }},
		{"nav", func(i int) { replaceNavTitle(b, yml, i) }},
	}, n
}

func writeBench(b *testing.B, p, s string) {
	b.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		b.Fatal(err)
	}
}

func appendLine(b *testing.B, p, s string) {
	b.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		b.Fatal(err)
	}
}

// addAttachment lists file as an attachment of the record at p.
func addAttachment(b *testing.B, p, file string) {
	b.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	s := string(data)
	i := strings.Index(s[4:], "\n---\n")
	if !strings.HasPrefix(s, "---\n") || i < 0 {
		b.Fatalf("%s has no front matter", p)
	}
	front := s[:4+i+1] + "attachments:\n  - name: 附件1：申报表\n    file: " + file + "\n"
	writeBench(b, p, front+s[4+i+1:])
}

// replaceTitle changes the title in the front matter of the record at p.
func replaceTitle(b *testing.B, p string, i int) {
	b.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	s := string(data)
	j := strings.Index(s, "\ntitle: ")
	if j < 0 {
		b.Fatalf("%s has no title", p)
	}
	j += len("\ntitle: ")
	end := j + strings.Index(s[j:], "\n")
	writeBench(b, p, s[:j]+fmt.Sprintf("\"修订第%d次的通知\"", i)+s[end:])
}

// replaceNavTitle renames the first navigation entry of site.yaml, a
// change every page shows.
func replaceNavTitle(b *testing.B, p string, i int) {
	b.Helper()
	data, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	s := string(data)
	j := strings.Index(s, "title: ")
	nav := strings.Index(s, "nav:")
	if nav < 0 || j < 0 {
		b.Fatalf("%s has no nav titles", p)
	}
	j = nav + strings.Index(s[nav:], "title: ")
	end := j + strings.Index(s[j:], ",")
	if end < j {
		end = j + strings.Index(s[j:], "\n")
	}
	writeBench(b, p, s[:j]+fmt.Sprintf("title: 首页%d", i)+s[end:])
}

// BenchmarkIncremental measures incremental builds after one edit in a site
// converted from the benchmark corpus, the build a live preview runs (no
// precompressed copies), as BenchmarkRebuildAfterEdit does for whole
// rebuilds: the body of one record, its title (front matter: its page and
// the pages that reach it render again, generator/deps.go), the bytes of one
// attachment (its size kept), and site.yaml's navigation (which every page
// shows, so every page renders again). Each edit runs twice: warm, the
// live preview's rebuilds (one process keeping its generator.Warm from
// one rebuild to the next), and cold, `gongkai build` (nothing in memory
// from an earlier build). It
// reports per rebuild the wall and CPU seconds (sys-cpu-s: the kernel's
// part), the bytes of the site files written (out-written-bytes; the rest
// are hard-linked from the previous build or, files-kept, left in place in
// the recycled staging folder), the bytes the process wrote in all
// (wchar-bytes, from /proc/self/io: site, search index, static search and
// state), and how many pages were not rendered.
//
//	nice go test -run '^$' -bench Incremental -benchtime 3x ./cmd/internal/cli -args -corpus /work/corpus/c10k
//	nice go test -run '^$' -bench 'Incremental/record/warm' -benchtime 4x ./cmd/internal/cli -args -corpus /work/corpus/c10k
func BenchmarkIncremental(b *testing.B) {
	sf, edits, n := editBenchSite(b)
	for _, bc := range edits {
		b.Run(bc.name, func(b *testing.B) {
			// warm: successive rebuilds in one process that keeps its
			// generator.Warm, as the live preview does; cold: every
			// rebuild starts with nothing in memory, as `gongkai build`
			// does in a fresh process.
			for _, mode := range []string{"warm", "cold"} {
				b.Run(mode, func(b *testing.B) {
					sf := sf
					if mode == "warm" {
						sf.warm = generator.NewWarm()
						// The first build after the preview starts
						// reads everything; its successors are measured.
						if _, code := build(context.Background(), sf, io.Discard, io.Discard); code != 0 {
							b.Fatalf("warm-up build: exit %d", code)
						}
					}
					benchRebuilds(b, sf, bc, n)
				})
			}
		})
	}
}

// benchRebuilds runs BenchmarkIncremental's rebuilds after bc's edits.
func benchRebuilds(b *testing.B, sf siteFlags, bc benchEdit, n int) {
	var written, wchar int64
	var wall time.Duration
	skipped, kept := 0, 0
	cpu0, sys0 := measure.CPU(), systemCPU()
	// GONGKAI_BENCH_CPUPROFILE=FILE profiles the rebuilds alone, without
	// the builds that set the benchmark up (-test.cpuprofile has both).
	if f := os.Getenv("GONGKAI_BENCH_CPUPROFILE"); f != "" {
		w, err := os.Create(f)
		if err != nil {
			b.Fatal(err)
		}
		if err := pprof.StartCPUProfile(w); err != nil {
			b.Fatal(err)
		}
		defer w.Close()
		defer pprof.StopCPUProfile()
	}
	// GONGKAI_BENCH_MEMPROFILE=FILE writes the heap profile before the
	// rebuilds (FILE.before) and after them (FILE): with pprof's
	// -diff_base, what the rebuilds allocated.
	if f := os.Getenv("GONGKAI_BENCH_MEMPROFILE"); f != "" {
		writeHeap(b, f+".before")
		defer writeHeap(b, f)
	}
	i := 0
	for b.Loop() {
		i++
		bc.edit(i)
		w0, c0 := processWchar(b), measure.CPU()
		var out bytes.Buffer
		start := time.Now()
		sum, code := build(context.Background(), sf, &out, io.Discard)
		took := time.Since(start)
		wall += took
		wchar += processWchar(b) - w0
		b.Logf("%s edit %d: wall %.2f s, CPU %.2f s", b.Name(), i, took.Seconds(), (measure.CPU() - c0).Seconds())
		// The build's own account of its steps (load, render, swap, the
		// two searches), shown with -test.v.
		for line := range strings.Lines(out.String()) {
			if strings.HasPrefix(line, "built ") || strings.HasPrefix(line, "search index:") || strings.HasPrefix(line, "static search:") {
				b.Log("  " + strings.TrimSpace(line[strings.LastIndex(line, ":")+1:]))
			}
		}
		if code != 0 {
			b.Fatalf("rebuild after the %s edit: exit %d", bc.name, code)
		}
		written += sum.bytes - sum.incremental.LinkedBytes - sum.incremental.KeptBytes
		skipped += sum.incremental.Skipped
		kept += sum.incremental.Kept
	}
	b.ReportMetric(wall.Seconds()/float64(i), "wall-s/op")
	b.ReportMetric((measure.CPU()-cpu0).Seconds()/float64(i), "cpu-s/op")
	b.ReportMetric((systemCPU()-sys0).Seconds()/float64(i), "sys-cpu-s/op")
	b.ReportMetric(float64(written)/float64(i), "out-written-bytes/op")
	b.ReportMetric(float64(wchar)/float64(i), "wchar-bytes/op")
	b.ReportMetric(float64(skipped)/float64(i), "pages-not-rendered/op")
	b.ReportMetric(float64(kept)/float64(i), "files-kept/op")
	b.ReportMetric(float64(n), "docs")
}

// systemCPU returns the CPU time the kernel has spent for this process
// (system calls: creating, linking and removing files); 0 where unknown.
func systemCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Stime.Nano())
}

// processWchar returns the bytes this process has passed to write calls
// (wchar in /proc/self/io); 0 where there is no such file.
func processWchar(b *testing.B) int64 {
	b.Helper()
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "wchar: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				b.Fatal(err)
			}
			return n
		}
	}
	return 0
}

// writeHeap writes the heap profile (all allocations so far) to file.
func writeHeap(b *testing.B, file string) {
	runtime.GC()
	w, err := os.Create(file)
	if err != nil {
		b.Fatal(err)
	}
	defer w.Close()
	if err := pprof.Lookup("allocs").WriteTo(w, 0); err != nil {
		b.Fatal(err)
	}
}
