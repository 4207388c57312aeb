package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"gongkai/linkcheck"
)

const linkcheckUsage = `usage: gongkai linkcheck [flags] [DIR|URL]

Checks every link of a built site (default: public/) or, given an http(s)
URL, crawls the deployed site (same host, seeded from sitemap.xml, honouring
robots.txt). Reports broken links, missing anchors, missing or empty
attachments, redirects, soft-404 pages and charset problems. A page reached
under several addresses (/ and /index.html, query variants, its canonical
URL) is checked and reported once.

With --base-url naming a path (https://www.yunze.gov.cn/zfxxgk/), the site
is one column of a portal: on disk the folder is the content of that path,
a crawl stays under it, and an internal link that leaves it is an error.

With --history FILE every run is recorded; the report then says since when
each finding has been reported and what is new or fixed since the last run.

Manual: docs/linkcheck.md.

Exit status: 0 no broken links, 1 broken links found, 2 usage or runtime error.

Flags:
`

// runLinkcheck implements `gongkai linkcheck [flags] [DIR|URL]`; args excludes the subcommand name.
func runLinkcheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cfg := linkcheck.DefaultConfig()
	fs := flag.NewFlagSet("linkcheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), linkcheckUsage)
		fs.PrintDefaults()
	}
	var (
		fragments, soft404, verbose       bool
		format, output, since, hist, date string
	)
	fs.StringVar(&cfg.BaseURL, "base-url", "", "public `URL` of the site, with its base path; on disk links to it are checked on disk (default: canonical URL of index.html); links that leave its path are errors")
	fs.BoolVar(&cfg.External, "external", false, "also check links to other sites (needs internet)")
	fs.BoolVar(&fragments, "fragments", true, "check #fragments against ids and <a name> (--fragments=false to skip)")
	fs.BoolVar(&soft404, "soft404", true, "detect soft-404 pages (a 200 page whose title or first heading says 页面不存在, …), on disk too; over HTTP it costs a GET after each HEAD answering 200 text/html")
	fs.BoolVar(&cfg.IgnoreRobots, "ignore-robots", false, "crawl paths that robots.txt disallows")
	fs.Func("exclude", "skip links whose absolute URL matches `REGEXP` (repeatable)", func(s string) error {
		cfg.Exclude = append(cfg.Exclude, s)
		return nil
	})
	dynamicSet := false
	fs.Func("dynamic", "site `PATH` answered by the search service, not a file: skipped on disk, checked but not crawled over HTTP; a PATH ending in / covers all below it (repeatable; default /search and /api/)", func(s string) error {
		if !dynamicSet {
			cfg.Dynamic, dynamicSet = nil, true
		}
		cfg.Dynamic = append(cfg.Dynamic, s)
		return nil
	})
	fs.IntVar(&cfg.MaxPages, "max-pages", cfg.MaxPages, "crawl at most `N` pages")
	fs.IntVar(&cfg.MaxDepth, "max-depth", cfg.MaxDepth, "follow at most `N` links from the start page when crawling")
	fs.IntVar(&cfg.Concurrency, "concurrency", cfg.Concurrency, "HTTP requests in flight overall")
	fs.IntVar(&cfg.HostConcurrency, "host-concurrency", cfg.HostConcurrency, "HTTP requests in flight per host")
	fs.DurationVar(&cfg.MinInterval, "min-interval", cfg.MinInterval, "least time between two requests to one host")
	fs.DurationVar(&cfg.Timeout, "timeout", cfg.Timeout, "timeout of each HTTP request")
	fs.IntVar(&cfg.MaxRetries, "retries", cfg.MaxRetries, "retries after network errors and 5xx answers")
	fs.IntVar(&cfg.TimeoutRetries, "timeout-retries", cfg.TimeoutRetries, "retries after a timeout")
	fs.DurationVar(&cfg.RateLimitWait, "rate-limit-wait", cfg.RateLimitWait, "total wait per link for hosts answering 429 or 503 with Retry-After; a link still refused is a warning")
	fs.IntVar(&cfg.HostTimeouts, "host-timeouts", cfg.HostTimeouts, "circuit breaker: after `N` different URLs of an external host time out in a row, its other links are not requested (0: off)")
	fs.DurationVar(&cfg.MaxRetryWait, "max-retry-wait", cfg.MaxRetryWait, "longest single wait before a retry; a longer Retry-After makes the link rate-limited")
	fs.IntVar(&cfg.MaxRedirects, "max-redirects", cfg.MaxRedirects, "longest redirect chain followed")
	fs.StringVar(&cfg.UserAgent, "user-agent", cfg.UserAgent, "User-Agent header, also matched against robots.txt")
	fs.StringVar(&cfg.CacheFile, "cache", "", "keep successful external results in `FILE` between runs")
	fs.DurationVar(&cfg.CacheMaxAge, "cache-max-age", cfg.CacheMaxAge, "trust cached results this long")
	fs.StringVar(&format, "format", "text", "output format: "+strings.Join(linkcheck.Formats, ", "))
	fs.StringVar(&output, "o", "", "write the report to `FILE` instead of standard output")
	fs.StringVar(&since, "since", "", "compare with a previous JSON report `FILE`: what broke, what was fixed")
	fs.StringVar(&hist, "history", "", "record this run in the JSON-lines `FILE` and report since when each finding exists, what is new and what was fixed since the last run")
	fs.StringVar(&date, "date", "", "`YYYY-MM-DD` of this run, for --history (default: today, China Standard Time)")
	fs.BoolVar(&verbose, "v", false, "log each request to standard error")

	// Flags may follow the target: parse again after each positional argument.
	var targets []string
	for rest := args; ; {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return 0
			}
			return 2
		}
		rest = fs.Args()
		if len(rest) == 0 {
			break
		}
		targets = append(targets, rest[0])
		rest = rest[1:]
	}
	switch len(targets) {
	case 0:
	case 1:
		cfg.Target = targets[0]
	default:
		fmt.Fprintf(stderr, "linkcheck: one target expected, got %d: %s\n", len(targets), strings.Join(targets, " "))
		fs.Usage()
		return 2
	}
	if !slices.Contains(linkcheck.Formats, format) {
		fmt.Fprintf(stderr, "linkcheck: unknown format %q (want one of %s)\n", format, strings.Join(linkcheck.Formats, ", "))
		return 2
	}
	cfg.IgnoreFragments, cfg.IgnoreSoftNotFound = !fragments, !soft404
	// A built site on disk has no file behind the requests service's pages.
	if !strings.HasPrefix(cfg.Target, "http://") && !strings.HasPrefix(cfg.Target, "https://") {
		cfg.Exclude = append(cfg.Exclude, requestsLinkExclude...)
	}
	if since != "" && hist != "" {
		fmt.Fprintln(stderr, "linkcheck: --since and --history both compare with an earlier run; give one")
		return 2
	}
	runDate, err := linkcheckDate(date)
	if err != nil {
		fmt.Fprintf(stderr, "linkcheck: %v\n", err)
		return 2
	}
	level := slog.LevelWarn
	if verbose {
		level = slog.LevelDebug
	}
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: level}))
	if linkcheckIsTerminal(stderr) && !verbose {
		cfg.Progress = stderr
	}
	if err := cfg.Validate(); err != nil {
		fmt.Fprintf(stderr, "linkcheck: %v\n", err)
		return 2
	}

	var history *linkcheck.History
	if hist != "" {
		if history, err = linkcheck.ReadHistory(hist); err != nil {
			fmt.Fprintf(stderr, "linkcheck: --history: %v\n", err)
			return 2
		}
	}
	var prev *linkcheck.Report
	if since != "" {
		f, err := os.Open(since)
		if err != nil {
			fmt.Fprintf(stderr, "linkcheck: --since: %v\n", err)
			return 2
		}
		prev, err = linkcheck.ReadReport(f)
		f.Close()
		if err != nil {
			fmt.Fprintf(stderr, "linkcheck: --since %s: %v\n", since, err)
			return 2
		}
	}

	rep, err := linkcheck.Check(ctx, cfg)
	if err != nil {
		fmt.Fprintf(stderr, "linkcheck: %v\n", err)
		return 2
	}
	if prev != nil {
		linkcheck.Compare(prev, rep, since)
	}
	// The run is recorded before the report is written; when the history
	// cannot be written the report is still written, and the exit status
	// says the run failed.
	code := 0
	if history != nil {
		if err := history.Annotate(rep, runDate); err != nil {
			fmt.Fprintf(stderr, "linkcheck: %v\n", err)
			return 2
		}
		if err := history.Append(rep, runDate); err != nil {
			fmt.Fprintf(stderr, "linkcheck: %v\n", err)
			code = 2
		}
	}
	if err := writeLinkcheckReport(rep, format, output, stdout); err != nil {
		fmt.Fprintf(stderr, "linkcheck: %v\n", err)
		return 2
	}
	if output != "" || format != "text" {
		fmt.Fprintf(stderr, "linkcheck: %d pages, %d links, %d errors (broken links), %d warnings\n",
			rep.Stats.Pages, rep.Stats.Links, rep.Stats.Errors, rep.Stats.Warnings)
	}
	if code != 0 {
		return code
	}
	if rep.Broken() {
		return 1
	}
	return 0
}

// linkcheckDate returns the date of a run: s as YYYY-MM-DD, or today in
// China Standard Time when s is empty.
func linkcheckDate(s string) (string, error) {
	if s == "" {
		return time.Now().In(time.FixedZone("CST", 8*3600)).Format(linkcheck.HistoryDateLayout), nil
	}
	t, err := time.Parse(linkcheck.HistoryDateLayout, strings.TrimSpace(s))
	if err != nil {
		return "", fmt.Errorf("--date: want YYYY-MM-DD, got %q", s)
	}
	return t.Format(linkcheck.HistoryDateLayout), nil
}

// writeLinkcheckReport writes rep to stdout, or to output through a temporary file
// renamed into place so that a failed run leaves no half report.
func writeLinkcheckReport(rep *linkcheck.Report, format, output string, stdout io.Writer) error {
	if output == "" {
		return linkcheck.Write(stdout, rep, format)
	}
	tmp, err := os.CreateTemp(filepath.Dir(output), ".linkcheck-report-*")
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	err = linkcheck.Write(tmp, rep, format)
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), output)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write report %s: %w", output, err)
	}
	return nil
}

// linkcheckIsTerminal reports whether w is a terminal, where a progress line helps.
func linkcheckIsTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}
