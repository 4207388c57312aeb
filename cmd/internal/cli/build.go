package cli

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"time"

	"golang.org/x/sync/errgroup"

	"gongkai/generator"
	"gongkai/internal/publish"
	"gongkai/search"
	"gongkai/staticsearch"
	"gongkai/themes"
)

func runBuild(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var sf siteFlags
	fs := newFlagSet("build", "[flags]", stderr)
	sf.register(fs)
	fs.BoolVar(&sf.full, "full", false, "render and write every file, reusing nothing of the previous build (builds are incremental otherwise: docs/deploy.md)")
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gongkai build: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	// One build, then the process ends: the previous build's packs are
	// mapped, not read (generator.Incremental.MapPacks).
	sf.mapPacks = true
	_, code := build(ctx, sf, stdout, stderr)
	return code
}

// load reads and checks the content in src, prints every problem (errors
// and warnings, sorted) to stderr, and checks that no URL the previous build
// published has disappeared. It returns the previous build's state and the
// problems too. code is 1 when there are errors. theme, when not nil,
// returns the theme the build renders with (nil when it could not be
// loaded; load asks once the previous build's state is read, so the theme
// may be loaded meanwhile): the URL check then plans the build as the
// render will, and the render takes that plan (generator.PlanBuild), and
// the content is loaded with the previous build's parse cache.
func load(ctx context.Context, sf siteFlags, src fs.FS, date time.Time, themeOf func() *generator.Theme, stderr io.Writer) (*generator.Content, *generator.State, generator.Problems, int) {
	// The state of the previous build is in the state folder; builds made
	// before it existed kept it in the served folder. A live preview
	// compares with the production build it previews.
	stateDir, stateOut := sf.indexDir(), sf.out
	if sf.previewOf != "" {
		stateDir, stateOut = strings.TrimSuffix(sf.previewOf, "/")+".search", sf.previewOf
	}
	prev, err := generator.ReadStateWarm(stateDir, stateOut, sf.warm)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai:", err)
		return nil, nil, nil, 1
	}
	var theme *generator.Theme
	if themeOf != nil {
		theme = themeOf()
	}
	var c *generator.Content
	if in := incremental(sf); theme != nil && in.Salt != nil {
		// A build reuses the previous build's parsing of unchanged files
		// (its state folder's parse cache, under the render's salt); -full
		// parses every file.
		prevState := in.Previous
		if in.Full {
			prevState = ""
		}
		var listed func(int)
		if sf.pace != nil {
			listed = func(records int) { sf.pace(records, -1) }
		}
		c, err = generator.LoadIncrementalWarm(ctx, src, date, prev, prevState, in.Salt, in.Warm, generator.LoadOptions{Listed: listed, MapPacks: in.MapPacks})
	} else {
		c, err = generator.LoadAfter(ctx, src, date, prev)
	}
	if err != nil {
		fmt.Fprintln(stderr, "gongkai:", err)
		return nil, nil, nil, 1
	}
	if sf.pace != nil {
		// Before the URL check plans the build.
		sf.pace(len(c.Records), c.CachedRecords())
	}
	if c.Site != nil {
		if sf.baseURL != "" {
			if err := c.Site.SetBaseURL(sf.baseURL); err != nil {
				fmt.Fprintln(stderr, "gongkai: -base-url:", err)
				return nil, nil, nil, 2
			}
		}
		if sf.strict {
			c.Problems = c.Problems.StrictDirectory()
		}
		if !sf.identityByInspection {
			c.Problems = append(c.Problems, identityProblems(c.Site, sf.preview)...).Sort()
		}
		c.Problems = append(c.Problems, revisionProblems(ctx, c, sf.source)...).Sort()
	}
	probs := c.Problems
	if c.Site != nil && len(probs.Errors()) == 0 {
		probs = append(probs, missingURLs(c, prev, plannedURLs(c, theme, prev, sf.previewOf != ""))...)
		_, rp := requestSettings(c, sf)
		probs = append(probs, rp...)
		probs = probs.Sort()
	}
	for _, p := range probs {
		fmt.Fprintln(stderr, p.Error())
	}
	if n := len(probs.Errors()); n > 0 {
		fmt.Fprintf(stderr, "%d errors, %d warnings\n", n, len(probs.Warnings()))
		return c, prev, probs, 1
	}
	return c, prev, probs, 0
}

// identityProblems returns the site's identity problems: errors in a
// production build, warnings in a preview.
func identityProblems(s *generator.Site, preview bool) generator.Problems {
	probs := s.IdentityProblems()
	if preview {
		for i := range probs {
			probs[i].Warning = true
		}
	}
	return probs
}

// missingURLs compares the URLs the previous build published (its manifest)
// with what this build will publish: a URL may only disappear behind a
// redirect, because citizens and other sites link to it. A withdrawn page
// stays at its URL (as a notice), so it is not missing.
func missingURLs(c *generator.Content, prev *generator.State, planned func() []string) generator.Problems {
	if prev == nil {
		return nil // no previous build
	}
	have := map[string]bool{}
	for _, u := range planned() {
		have[u] = true
	}
	for _, r := range c.Redirects {
		have[r.From] = true
	}
	for _, w := range c.Withdrawn {
		have[w.URL] = true
	}
	var probs generator.Problems
	for _, u := range prev.URLs {
		switch {
		case have[u]:
		case isListPage(u):
			// A list or browse page goes when its list empties or
			// shrinks (a takedown can do that); the records it listed
			// keep their own URLs.
			probs.Warnf(generator.Pos{Path: "content/redirects.yaml"}, "redirects",
				"list page %s of the previous build is gone (its list is shorter or empty now)", u)
		default:
			probs.Errorf(generator.Pos{Path: "content/redirects.yaml"}, "redirects",
				"%s was published by the previous build and is gone; add a redirect from it", u)
		}
	}
	return probs
}

// plannedURLs returns the page URLs a build of c will publish: planned
// with theme, for the render to take the plan, when it is not nil.
func plannedURLs(c *generator.Content, theme *generator.Theme, prev *generator.State, preview bool) func() []string {
	return func() []string {
		if theme != nil {
			if urls, err := generator.PlanBuild(c, theme, prev, preview); err == nil {
				return urls
			}
		}
		return generator.PlannedURLs(c)
	}
}

var listPageRE = regexp.MustCompile(`(/|/page/\d+\.html)$`)

// isListPage reports whether u is a list page (a folder URL or a later
// page of a list) rather than a record's own page.
func isListPage(u string) bool { return listPageRE.MatchString(u) }

// siteTheme opens the site's theme/ overrides through the confined reader;
// nil when the site has none (or theme is not a plain folder, which
// loadTheme reports).
func siteTheme(source string) *generator.SiteDir {
	d, err := generator.OpenSiteDir(filepath.Join(source, "theme"))
	if err != nil {
		return nil
	}
	return d
}

// loadTheme parses the default theme with the site's theme/ overrides, read
// through the same confined reader as the content.
func loadTheme(source string) (*generator.Theme, error) {
	dir := filepath.Join(source, "theme")
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return generator.LoadTheme(themes.Default(), nil)
	}
	if err != nil {
		return nil, fmt.Errorf("load theme: %w", err)
	}
	if !fi.IsDir() {
		return nil, fmt.Errorf("load theme: %s is not a folder (a symlink is refused; copy the folder instead)", dir)
	}
	site, err := generator.OpenSiteDir(dir)
	if err != nil {
		return nil, fmt.Errorf("load theme: %w", err)
	}
	defer site.Close()
	return generator.LoadTheme(themes.Default(), site)
}

// buildMemoryLimit is the soft memory limit of a build (see build).
const buildMemoryLimit = 1800 << 20

// hugeHeapBytes is how much of the heap a one-build process (gongkai
// build) asks to have backed by transparent huge pages (hugePages): about
// what a full build of 10,000 records holds at its peak. A one-record
// rebuild at 10,000 took some 80,000 page faults without them, 7,000 with
// them, and about 0.5 s less (docs/deploy.md). The build of a site larger than
// generator.LargeSite, which runs near its 2 GB budget, takes the request
// back once content/ is listed (a huge page partly used counts whole);
// GONGKAI_HUGEPAGES=off makes no request.
const hugeHeapBytes = 512 << 20

// gcPercent is the collector's pace (GOGC) for a build of the given
// number of records (-1: not known yet), cached of which the load took
// from the previous build's parse cache (-1: not read yet); oneBuild
// tells a process that runs one build and ends (gongkai build).
//
//   - A site of more than generator.LargeSite records collects at 50% heap
//     growth, which keeps a 50,000-record build under 2 GB.
//   - A one-build process of a smaller site collects at 300% until the load
//     shows that more than a tenth of the records changed, and to the end
//     of a build where fewer did. At the pace before, a rebuild after an
//     edit at 10,000 collected 17–19 times, 13 of them in its first half
//     second at heap goals of 2–92 MB, the last at a heap of about 240 MB.
//     One-record rebuilds at 10,000, 20 alternating rounds on this
//     machine: 2.07 s of CPU (median) against 2.38, 1.32 s wall against
//     1.46, with 80 MB more peak RSS (docs/deploy.md). A build that parses
//     most records anew holds much more, and collects at 100% (a full
//     build at 10,000: 1.2–1.3 GB at its peak).
//   - Otherwise Go's default, 100%, which makes a rebuild after one edit at
//     10,000 records ~0.6 s faster than 50% (BenchmarkIncremental/record
//     with GOGC=100 against 50, quiet machine); 50% while the number of
//     records is not known.
//
// The soft memory limit (buildMemoryLimit) bounds every pace.
func gcPercent(records, cached int, oneBuild bool) int {
	switch {
	case records > generator.LargeSite:
		return 50
	case oneBuild && (records < 0 || cached < 0 || records-cached <= records/10):
		return 300
	case records < 0:
		return 50
	}
	return 100
}

// returnRenderHeap gives the heap the render no longer uses back to the
// system when the process holds more than half the build's memory limit
// (a site of tens of thousands of records), before the search index maps
// its segments: the mapped files count in the process's memory but not
// in the limit, and at 50,000 documents the two together passed 2 GB.
// A smaller site skips the collection it costs.
func returnRenderHeap() {
	s := []metrics.Sample{{Name: "/memory/classes/total:bytes"}, {Name: "/memory/classes/heap/released:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 && s[0].Value.Uint64()-s[1].Value.Uint64() > buildMemoryLimit/2 {
		debug.FreeOSMemory()
	}
}

// buildSummary is what a build reports.
type buildSummary struct {
	published, withheld int
	files               int
	bytes               int64
	took                time.Duration
	index               search.BuildStats
	render              time.Duration
	withdrawn           []generator.Withdrawn
	compressed, reused  int
	compressedBytes     int64
	static              staticsearch.Stats
	incremental         generator.IncrementalStats
}

// build loads, checks, renders into a staging folder, indexes, and swaps the
// result in. On any error the previous public/ stays as it was.
func build(ctx context.Context, sf siteFlags, stdout, stderr io.Writer) (*buildSummary, int) {
	return buildReporting(ctx, sf, nil, stdout, stderr)
}

// buildReport is what a build found, for a live preview's overlay and
// side panel.
type buildReport struct {
	// Errors are the lines that failed the build: every content problem
	// as file:line: field: message, or the error that stopped it.
	Errors   []string
	Warnings []string
	// Unpublished are the records the build keeps out of every output.
	Unpublished []generator.Unpublished
}

// buildReporting is build, also filling rep (when not nil) with what the
// build found.
func buildReporting(ctx context.Context, sf siteFlags, rep *buildReport, stdout, stderr io.Writer) (*buildSummary, int) {
	if rep == nil {
		rep = &buildReport{}
	}
	fail := func(err error) { rep.Errors = append(rep.Errors, err.Error()) }
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
	// and saves ~25% of peak memory (measured on 10,000 documents): a
	// large site needs it (gcPercent). GOGC, when set, takes precedence.
	pace := os.Getenv("GOGC") == ""
	oneBuild := sf.oneBuild()
	if pace {
		defer debug.SetGCPercent(debug.SetGCPercent(gcPercent(sf.warm.Records(), -1, oneBuild)))
	}
	// A one-build process asks for huge pages for its heap; a larger site
	// than generator.LargeSite takes the request back (hugeHeapBytes).
	// Not under the race detector, where the request alone takes most of
	// a second (its shadow memory of the 512 MB) and the build could not
	// stop meanwhile.
	var huge hugeRange
	if sf.mapPacks && !raceEnabled && os.Getenv("GONGKAI_HUGEPAGES") != "off" {
		huge = hugePages(hugeHeapBytes)
	}
	// A fresh process learns the site's size from the listing of
	// content/, before a record file is read.
	sf.pace = func(records, cached int) {
		if pace {
			debug.SetGCPercent(gcPercent(records, cached, oneBuild))
		}
		if records > generator.LargeSite {
			huge.undo()
		}
	}
	src, err := generator.OpenSiteDir(sf.source)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai build:", err)
		return nil, 1
	}
	defer src.Close()
	// The theme is read first (beside the previous build's state) so that
	// the URL check plans the build once for the render too; its error is
	// reported after the content's.
	var theme *generator.Theme
	var themeErr error
	themeDone := make(chan struct{})
	go func() {
		defer close(themeDone)
		if theme, themeErr = loadThemeWarm(sf); themeErr != nil {
			theme = nil
		}
	}()
	themeOf := func() *generator.Theme {
		<-themeDone
		return theme
	}
	c, prev, probs, code := load(ctx, sf, src, date, themeOf, stderr)
	<-themeDone
	loaded := time.Since(start)
	for _, p := range probs {
		if p.Warning {
			rep.Warnings = append(rep.Warnings, p.Error())
		} else {
			rep.Errors = append(rep.Errors, p.Error())
		}
	}
	if c != nil && c.Site != nil {
		rep.Unpublished = c.Unpublished()
	}
	if code != 0 {
		if len(rep.Errors) == 0 {
			rep.Errors = append(rep.Errors, "the build failed before it could check the content; see the terminal")
		}
		if ctx.Err() != nil {
			fmt.Fprintln(stderr, "build interrupted; public/ was not changed")
		} else {
			fmt.Fprintln(stderr, "build failed; public/ was not changed")
		}
		return nil, code
	}
	if themeErr != nil {
		fail(themeErr)
		fmt.Fprintln(stderr, themeErr)
		return nil, 1
	}
	begin := publish.BeginRecycling
	if sf.full {
		begin = publish.Begin
	}
	stage, err := begin(sf.out, sf.indexDir())
	if err != nil {
		fail(err)
		fmt.Fprintln(stderr, "gongkai build:", err)
		return nil, 1
	}
	sum, err := render(ctx, c, theme, stage, sf, prev)
	if err != nil {
		fail(err)
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
		fail(err)
		fmt.Fprintln(stderr, "gongkai build:", err)
		return nil, 1
	}
	sum.took = time.Since(start)
	ms := func(d time.Duration) time.Duration { return d.Round(time.Millisecond) }
	fmt.Fprintf(stdout, "built %s: %d records published, %d withheld, %d files (%.1f MB) in %s (load %s, render %s, swap %s)\n",
		sf.out, sum.published, sum.withheld, sum.files, float64(sum.bytes)/1e6, ms(sum.took), ms(loaded), ms(sum.render), ms(time.Since(swapStart)))
	inc := sum.incremental
	fmt.Fprintf(stdout, "incremental: %d files written, %d linked unchanged from the previous build (%.1f MB), %d kept in place (%.1f MB), %d stale files removed, %d pages not rendered; reused %d record files unread, %d front matters, %d body texts, %d bodies' HTML\n",
		inc.Written, inc.Linked, float64(inc.LinkedBytes)/1e6, inc.Kept, float64(inc.KeptBytes)/1e6, inc.Swept, inc.Skipped, inc.StateFiles+inc.WarmFiles, inc.Parsed, inc.BodyTexts, inc.BodyHTML)
	fmt.Fprintf(stdout, "precompressed: %d .br and .gz files (%.1f MB), %d files' copies reused from the previous build\n",
		sum.compressed, float64(sum.compressedBytes)/1e6, sum.reused)
	st := sum.index
	fmt.Fprintf(stdout, "search index: %d documents (%d added, %d updated, %d deleted, %d reused) in %s\n",
		st.Docs, st.Added, st.Updated, st.Deleted, st.Reused, st.Duration.Round(time.Millisecond))
	ss := sum.static
	fmt.Fprintf(stdout, "static search: %d documents, %d files (%.1f MB, %d unchanged) in %s\n",
		ss.Docs, ss.Files, float64(ss.Bytes)/1e6, ss.Reused, ss.Took.Round(time.Millisecond))
	if len(c.Withheld) > 0 {
		fmt.Fprintf(stdout, "withheld (not in any output):\n")
		for _, r := range c.Withheld {
			fmt.Fprintf(stdout, "  %s\n", r.Path)
		}
	}
	for _, w := range sum.withdrawn {
		fmt.Fprintf(stdout, "withdrawn: %s on %s: %s serves the withdrawal notice (410)\n", w.Path, w.Date, w.URL)
	}
	for _, r := range c.Scheduled {
		fmt.Fprintf(stdout, "scheduled: %s for %s\n", r.Path, r.Scheduled.In(generator.China).Format("2006-01-02"))
	}
	return sum, 0
}

// render writes the site into the staging folder.
func render(ctx context.Context, c *generator.Content, theme *generator.Theme, stage *publish.Stage, sf siteFlags, prev *generator.State) (*buildSummary, error) {
	extra := map[string][]byte{"/opensearch.xml": search.OpenSearchXML(c.Site.Name, c.Site.BaseURL)}
	start := time.Now()
	// The build's bookkeeping goes into the search folder, which is swapped
	// in with public/ and never served. The previous live folder's
	// precompressed copies of unchanged files are reused.
	live := sf.previewOf != ""
	if live {
		maps.Copy(extra, previewAssets())
	}
	inc := incremental(sf)
	// A recycled staging folder holds the generation before the live one:
	// the render keeps its files that are still right (or empties it), the
	// static search's folders are emptied for its writer below, and the
	// sweep at the end removes everything else nobody planned.
	recycled, _ := stage.Recycled()
	res, err := generator.Render(ctx, c, generator.Options{Out: stage.Dir(0), State: stage.Dir(1), Theme: theme, CollectText: true, ReleaseBodies: true, Extra: extra, Previous: prev,
		PreviousOut: sf.out, Precompress: !sf.noPrecompress, Preview: live, Incremental: inc, Recycled: recycled})
	if err != nil {
		return nil, err
	}
	if recycled != 0 {
		for _, d := range staticSearchFolders {
			if err := os.RemoveAll(filepath.Join(stage.Dir(0), filepath.FromSlash(d))); err != nil {
				return nil, fmt.Errorf("static search: %w", err)
			}
		}
	}
	took := time.Since(start)
	c.ReleaseBodies()
	returnRenderHeap()
	// Both searches take the same documents (each only reads them).
	docs := searchDocs(c, res.Texts, res.Headings, res.TextSums, sf.warm)
	// The static search reuses the previous build's analysis of unchanged
	// documents under the same salt as the pages; -full analyses them all.
	prevState := inc.Previous
	if inc.Full {
		prevState = ""
	}
	// The two searches only read the documents and the content, and write
	// to folders of their own: a site of up to generator.LargeSite records
	// builds them side by side (a one-record rebuild at 10,000 waits for
	// the longer only); a larger one, one after the other, since each
	// needs much of the build's memory.
	var stats search.BuildStats
	var static staticsearch.Stats
	g, gctx := errgroup.WithContext(ctx)
	if len(docs) > generator.LargeSite {
		g.SetLimit(1)
	}
	g.Go(func() error {
		var err error
		stats, err = buildIndex(gctx, c, theme, docs, stage.Dir(1), sf.indexDir(), slog.New(slog.DiscardHandler))
		return err
	})
	g.Go(func() error {
		var err error
		static, err = writeStaticSearch(gctx, c, theme, docs, stage.Dir(0), sf.out, stage.Dir(1), prevState, inc.Salt, !sf.noPrecompress, live, slog.New(slog.DiscardHandler))
		if err != nil {
			return fmt.Errorf("static search: %w", err)
		}
		return nil
	})
	// The sweep, meanwhile: nothing of the recycled generation that this
	// build did not plan goes live. Every writer of the site's folder but
	// the static search, whose folders it leaves alone, is done.
	g.Go(func() error {
		var err error
		res.Incremental.Swept, err = res.Sweep(stage.Dir(0), staticSearchFolders...)
		return err
	})
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if err := writeRequests(c, theme, sf, stage.Dir(1)); err != nil {
		return nil, err
	}
	if live {
		if err := injectPreviewShells(stage.Dir(1), c.Site.BasePath()); err != nil {
			return nil, err
		}
	}
	return &buildSummary{published: len(c.Published), withheld: len(c.Withheld), files: res.Files, bytes: res.Bytes, index: stats, render: took, withdrawn: res.Withdrawn,
		compressed: res.Compressed, compressedBytes: res.CompressedBytes, reused: res.Reused, static: static, incremental: res.Incremental}, nil
}

// staticSearchFolders are the folders of the site that only the static
// search (writeStaticSearch) writes: in a recycled staging folder they are
// emptied before it writes, and left to it by the sweep.
var staticSearchFolders = []string{"search", staticsearch.ChunkDir}

// incremental configures the render's incremental build: the previous
// build's manifest is in the live state folder (OUT.search), and the salt
// covers what shapes every page besides the content: the program, the
// site's theme/ files and the flags. Without a salt (the program cannot be
// found) every file is rendered and written, as with -full.
func incremental(sf siteFlags) *generator.Incremental {
	salt, err := buildSalt(sf)
	return &generator.Incremental{Previous: sf.indexDir(), Salt: salt, Full: sf.full || err != nil, Warm: sf.warm, MapPacks: sf.oneBuild()}
}

// buildSalt hashes the running program's identity (path, size and
// modification time), every file of the site's theme/ folder, and the
// flags that shape the output.
func buildSalt(sf siteFlags) ([]byte, error) {
	h := sha256.New()
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	fi, err := os.Stat(exe)
	if err != nil {
		return nil, err
	}
	fmt.Fprintf(h, "%s\x00%d\x00%d\x00", exe, fi.Size(), fi.ModTime().UnixNano())
	if bi, ok := debug.ReadBuildInfo(); ok {
		fmt.Fprintf(h, "%s\x00", bi.String())
	}
	fmt.Fprintf(h, "%q %q %t %t %t\x00", sf.baseURL, sf.previewOf, sf.preview, sf.strict, sf.identityByInspection)
	if err := hashTheme(h, sf.source); err != nil {
		return nil, err
	}
	return h.Sum(nil), nil
}

// hashTheme writes every file of the site's theme/ folder to h: names,
// types and the bytes of the regular files.
func hashTheme(h io.Writer, source string) error {
	dir := filepath.Join(source, "theme")
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if errors.Is(err, fs.ErrNotExist) && p == dir {
			return nil
		}
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		fmt.Fprintf(h, "%q %s\x00", rel, d.Type())
		if !d.Type().IsRegular() {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%d\x00", len(data))
		h.Write(data)
		return nil
	})
	if err != nil {
		return fmt.Errorf("hash the theme: %w", err)
	}
	return nil
}

// themeSum is the sum of hashTheme.
func themeSum(source string) ([32]byte, error) {
	h := sha256.New()
	var s [32]byte
	if err := hashTheme(h, source); err != nil {
		return s, err
	}
	h.Sum(s[:0])
	return s, nil
}

// loadThemeWarm is loadTheme for a build with a generator.Warm (a live
// preview's), which keeps the theme from one build to the next while the
// site's theme files stay the same: they are hashed before and after a
// load, and a theme is kept only when both sums agree.
func loadThemeWarm(sf siteFlags) (*generator.Theme, error) {
	if sf.warm == nil {
		return loadTheme(sf.source)
	}
	before, err := themeSum(sf.source)
	if err != nil {
		return loadTheme(sf.source)
	}
	if th := sf.warm.Theme(before); th != nil {
		return th, nil
	}
	th, err := loadTheme(sf.source)
	if err != nil {
		return nil, err
	}
	if after, err := themeSum(sf.source); err == nil && after == before {
		sf.warm.KeepTheme(before, th)
	}
	return th, nil
}
