package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"time"

	"gongkai/generator"
	"gongkai/internal/publish"
	"gongkai/search"
	"gongkai/themes"
)

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var sf siteFlags
	fs := newFlagSet("build", "[flags]", stderr)
	sf.register(fs)
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gongkai build: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	_, code := build(ctx, sf, stdout, stderr)
	return code
}

// load reads and checks the content, prints every problem (errors and
// warnings, sorted) to stderr, and checks that no URL the previous build
// published has disappeared. code is 1 when there are errors.
func load(ctx context.Context, sf siteFlags, date time.Time, stderr io.Writer) (*generator.Content, int) {
	c, err := generator.Load(ctx, os.DirFS(sf.source), date)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai:", err)
		return nil, 1
	}
	probs := c.Problems
	if c.Site != nil && len(probs.Errors()) == 0 {
		probs = append(probs, missingURLs(c, sf.out)...)
		_, rp := requestSettings(c, sf)
		probs = append(probs, rp...)
		probs = probs.Sort()
	}
	for _, p := range probs {
		fmt.Fprintln(stderr, p.Error())
	}
	if n := len(probs.Errors()); n > 0 {
		fmt.Fprintf(stderr, "%d errors, %d warnings\n", n, len(probs.Warnings()))
		return c, 1
	}
	return c, 0
}

// missingURLs compares the URLs the previous build published (its manifest)
// with what this build will publish: a URL may only disappear behind a
// redirect, because citizens and other sites link to it.
func missingURLs(c *generator.Content, out string) generator.Problems {
	f, err := os.Open(filepath.Join(out, generator.ManifestFile))
	if err != nil {
		return nil // no previous build
	}
	defer f.Close()
	have := map[string]bool{}
	for _, u := range generator.PlannedURLs(c) {
		have[u] = true
	}
	for _, r := range c.Redirects {
		have[r.From] = true
	}
	var probs generator.Problems
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		u := strings.TrimSpace(sc.Text())
		if u != "" && !have[u] {
			probs.Errorf(generator.Pos{Path: "content/redirects.yaml"}, "redirects",
				"%s was published by the previous build and is gone; add a redirect from it", u)
		}
	}
	return probs
}

func siteTheme(source string) fs.FS {
	dir := filepath.Join(source, "theme")
	if fi, err := os.Stat(dir); err == nil && fi.IsDir() {
		return os.DirFS(dir)
	}
	return nil
}

// buildMemoryLimit is the soft memory limit of a build (see build).
const buildMemoryLimit = 1800 << 20

// buildSummary is what a build reports.
type buildSummary struct {
	published, withheld int
	files               int
	bytes               int64
	took                time.Duration
	index               search.BuildStats
	render              time.Duration
}

// build loads, checks, renders into a staging folder, indexes, and swaps the
// result in. On any error the previous public/ stays as it was.
func build(ctx context.Context, sf siteFlags, stdout, stderr io.Writer) (*buildSummary, int) {
	start := time.Now()

	date, err := sf.buildDate()
	if err != nil {
		fmt.Fprintln(stderr, "gongkai build:", err)
		return nil, 2
	}
	// A soft memory limit keeps a 50,000-document build under 2 GB: without
	// it the collector lets the heap double past the live set. GOMEMLIMIT,
	// when set, takes precedence.
	if os.Getenv("GOMEMLIMIT") == "" {
		defer debug.SetMemoryLimit(debug.SetMemoryLimit(buildMemoryLimit))
	}
	// Collecting at 50% growth instead of 100% costs ~10% of render CPU
	// and saves ~25% of peak memory (measured on 10,000 documents).
	if os.Getenv("GOGC") == "" {
		defer debug.SetGCPercent(debug.SetGCPercent(50))
	}
	c, code := load(ctx, sf, date, stderr)
	loaded := time.Since(start)
	if code != 0 {
		fmt.Fprintln(stderr, "build failed; public/ was not changed")
		return nil, code
	}
	theme, err := generator.LoadTheme(themes.Default(), siteTheme(sf.source))
	if err != nil {
		fmt.Fprintln(stderr, err)
		return nil, 1
	}
	stage, err := publish.Begin(sf.out, sf.indexDir())
	if err != nil {
		fmt.Fprintln(stderr, "gongkai build:", err)
		return nil, 1
	}
	sum, err := render(ctx, c, theme, stage, sf)
	if err != nil {
		stage.Abort()
		if errors.Is(err, context.Canceled) {
			fmt.Fprintln(stderr, "build interrupted; public/ was not changed")
		} else {
			fmt.Fprintf(stderr, "%v\nbuild failed; public/ was not changed\n", err)
		}
		return nil, 1
	}
	swapStart := time.Now()
	if err := stage.Commit(); err != nil {
		fmt.Fprintln(stderr, "gongkai build:", err)
		return nil, 1
	}
	sum.took = time.Since(start)
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	fmt.Fprintf(stdout, "built %s: %d records published, %d withheld, %d files (%.1f MB) in %s (load %s, render %s, swap %s)\n",
		sf.out, sum.published, sum.withheld, sum.files, float64(sum.bytes)/1e6, ms(sum.took), ms(loaded), ms(sum.render), ms(time.Since(swapStart)))
	st := sum.index
	fmt.Fprintf(stdout, "search index: %d documents (%d added, %d updated, %d deleted, %d reused) in %s\n",
		st.Docs, st.Added, st.Updated, st.Deleted, st.Reused, st.Duration.Round(time.Millisecond))
	if len(c.Withheld) > 0 {
		fmt.Fprintf(stdout, "withheld (not in any output):\n")
		for _, r := range c.Withheld {
			fmt.Fprintf(stdout, "  %s\n", r.Path)
		}
	}
	return sum, 0
}

// render writes the site into the staging folder.
func render(ctx context.Context, c *generator.Content, theme *generator.Theme, stage *publish.Stage, sf siteFlags) (*buildSummary, error) {
	extra := map[string][]byte{"/opensearch.xml": search.OpenSearchXML(c.Site.Name, c.Site.BaseURL)}
	start := time.Now()
	res, err := generator.Render(ctx, c, generator.Options{Out: stage.Dir(0), Theme: theme, CollectText: true, Extra: extra, Previous: sf.out})
	if err != nil {
		return nil, err
	}
	took := time.Since(start)
	c.ReleaseBodies()
	stats, err := buildIndex(ctx, c, theme, res.Texts, stage.Dir(1), sf.indexDir(), slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	if err := writeRequests(c, theme, sf, stage.Dir(1)); err != nil {
		return nil, err
	}
	return &buildSummary{published: len(c.Published), withheld: len(c.Withheld), files: res.Files, bytes: res.Bytes, index: stats, render: took}, nil
}
