// Package cli is the gongkai command: its command table, flags and the
// wiring that joins the generator, the search index and the server.
//
// Usage:
//
//	gongkai build     [-source DIR] [-out DIR] [-date YYYY-MM-DD] [-base-url URL] [-preview]
//	gongkai serve     [-addr HOST:PORT] [-no-build] [build flags]
//	gongkai check     [-source DIR] [-out DIR] [-date YYYY-MM-DD] [-base-url URL] [-preview]
//	gongkai new KIND "title" [-agency CODE] [-slug SLUG] [-source DIR] [-date YYYY-MM-DD]   (gongkai new KIND -h: the flags of one kind)
//	gongkai linkcheck [flags] [DIR|URL]
//	gongkai requests  list|show|correct|extend|reply|close|export|purge|stats [flags]
//	gongkai version
//
// Exit codes: 0 ok, 1 content or build errors, 2 usage errors.
package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime/debug"
	"strings"
	"time"

	"gongkai/generator"
)

// Version is the program's version, set at link time with -ldflags.
var Version = "dev"

type command struct {
	name, args, help string
	run              func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() []command {
	return []command{
		{"build", "[flags]", "build content/ into public/ (and its search index)", runBuild},
		{"serve", "[flags]", "build, then serve the site and its search on 127.0.0.1:1313", runServe},
		{"check", "[flags]", "validate everything and write nothing", runCheck},
		{"new", "KIND \"title\" [flags]", "scaffold a record with every required field", runNew},
		{"linkcheck", "[flags] [DIR|URL]", "check links of a built site on disk or of a live site", runLinkcheck},
		{"requests", "COMMAND [flags]", "staff work on online applications and comments (list, show, correct, extend, reply, close, export, purge, stats)", runRequests},
		{"version", "", "print the module version, VCS revision and Go version", runVersion},
	}
}

// Run runs the command line args and returns the exit code.
func Run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "-help" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return c.run(ctx, args[1:], stdout, stderr)
		}
	}
	fmt.Fprintf(stderr, "gongkai: unknown command %q\n", args[0])
	usage(stderr)
	return 2
}

func usage(w io.Writer) {
	fmt.Fprintln(w, "usage: gongkai COMMAND [flags]\n\ncommands:")
	for _, c := range commands() {
		fmt.Fprintf(w, "  %-10s %s\n", c.name, c.help)
	}
	fmt.Fprintln(w, "\nRun \"gongkai COMMAND -h\" for a command's flags.")
}

func runVersion(_ context.Context, args []string, stdout, stderr io.Writer) int {
	fs := newFlagSet("version", "", stderr)
	if code, done := parse(fs, args); done {
		return code
	}
	bi, _ := debug.ReadBuildInfo()
	fmt.Fprintln(stdout, versionLine(Version, bi))
	return 0
}

// versionLine is what `gongkai version` prints: the module version (or
// the one set at link time), the VCS revision and commit time the binary
// was built from (with "+modified" when the working tree had changes), and
// the Go version, e.g.
//
//	gongkai v0.0.0-20261202040000-1234567890ab revision 1234567890ab 2026-12-02T04:00:00Z go1.26.0
//
// bi is nil when the binary carries no build information.
func versionLine(linked string, bi *debug.BuildInfo) string {
	if bi == nil {
		return "gongkai " + linked + " (no build information)"
	}
	v := linked
	if v == "" || v == "dev" {
		v = bi.Main.Version
	}
	if v == "" {
		v = "(devel)"
	}
	parts := []string{"gongkai", v}
	var rev, at string
	modified := false
	for _, s := range bi.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		if modified {
			rev += "+modified"
		}
		parts = append(parts, "revision", rev)
		if at != "" {
			parts = append(parts, at)
		}
	} else {
		parts = append(parts, "revision unknown (built without VCS information)")
	}
	return strings.Join(append(parts, bi.GoVersion), " ")
}

func newFlagSet(name, args string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: gongkai %s %s\n", name, args)
		fs.PrintDefaults()
	}
	return fs
}

// parse parses flags; done reports that the command should exit with code.
func parse(fs *flag.FlagSet, args []string) (code int, done bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, true
		}
		return 2, true
	}
	return 0, false
}

// siteFlags are the flags every content command shares.
type siteFlags struct {
	source  string
	out     string
	date    string
	baseURL string
	preview bool
	// noPrecompress skips the .br and .gz copies (a quick local build).
	noPrecompress bool
	// identityByInspection leaves the official identity to the inspection's
	// IDENTITY rule (check), so it is not reported twice.
	identityByInspection bool
	// previewOf is set for a live preview (`gongkai serve`): the production
	// output folder it previews, whose last build is the previous state
	// (withdrawn pages, URLs that must not disappear, feed dates). out is
	// then the preview's own folder, and every page loads the preview
	// script. Empty for a production build.
	previewOf string
	// strict makes the directory's coverage warnings errors (check -strict).
	strict bool
	// full renders and writes every output, reusing nothing of the
	// previous build (build -full); otherwise a build is incremental.
	full bool
	// mapPacks: the process runs this one build (gongkai build), which
	// maps the previous build's packs instead of reading them, and asks
	// for huge pages for its heap (hugePages) at its start, taken back
	// once the listing finds more than generator.LargeSite records.
	mapPacks bool
	// pace, when not nil, is called with the number of record files the
	// load found, before it reads them (cached -1), and again once it has
	// read them, with how many it took from the previous build's parse
	// cache (buildReporting: the collector's pace, huge pages).
	pace func(records, cached int)
	// warm, when not nil, is what a long-lived process (the live
	// preview) keeps in memory from one build to the next
	// (generator.Warm); nil in a one-shot build.
	warm *generator.Warm
}

// oneBuild reports whether the process runs this one build and ends
// (gongkai build, without a Warm): it maps the previous build's packs and
// sets the collector's pace for one build.
func (sf siteFlags) oneBuild() bool { return sf.mapPacks && sf.warm == nil }

func (s *siteFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&s.source, "source", ".", "site folder holding content/ (and an optional theme/ override)")
	fs.StringVar(&s.out, "out", "public", "output folder; the search index goes beside it in OUT.search")
	fs.StringVar(&s.date, "date", "", "build date YYYY-MM-DD (default today, Asia/Shanghai)")
	fs.StringVar(&s.baseURL, "base-url", "", "public `URL` of the site, overriding site.yaml's base_url; a path (https://www.example.gov.cn/zfxxgk/) puts every URL under it")
	fs.BoolVar(&s.preview, "preview", false, "preview build: missing or malformed official identity (site.yaml identity:, site_id_code) is a warning, not an error")
	fs.BoolVar(&s.noPrecompress, "no-precompress", false, "do not write the .br and .gz copies of HTML, CSS, JS, XML and JSON files (docs/deploy.md)")
}

func (s *siteFlags) buildDate() (time.Time, error) {
	loc := time.FixedZone("CST", 8*3600)
	if s.date == "" {
		n := time.Now().In(loc)
		return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, loc), nil
	}
	t, err := time.ParseInLocation("2006-01-02", strings.TrimSpace(s.date), loc)
	if err != nil {
		return time.Time{}, fmt.Errorf("-date: want YYYY-MM-DD, got %q", s.date)
	}
	return t, nil
}

func (s *siteFlags) indexDir() string { return strings.TrimSuffix(s.out, "/") + ".search" }
