package linkcheck

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"regexp"
	"strings"
	"time"
)

// Config controls one link check. Start from DefaultConfig, change what you
// need, and pass it to Check, which validates it.
type Config struct {
	// Target is the folder of a built site, or the http(s) URL of a deployed
	// site to crawl.
	Target string
	// BaseURL is the public URL of the site. On disk, links to it are
	// resolved on disk, and when empty Check reads it from the index page's
	// <link rel="canonical"> or <meta name="Url">. Over HTTP, its path is the
	// site's base path on the crawled host, and links to its host are
	// checked on the crawled host. When the path is not "/" (a site that is
	// one column of a larger portal, such as https://www.yunze.gov.cn/zfxxgk/),
	// an internal link that leaves the path is an error (KindOutsideBase).
	BaseURL string
	// External enables checking links that leave the site.
	External bool
	// IgnoreFragments turns off the check of #fragments against ids and names.
	IgnoreFragments bool
	// IgnoreRobots makes the crawler ignore robots.txt.
	IgnoreRobots bool
	// IgnoreSoftNotFound turns off soft-404 detection, and with it the GET
	// that follows a HEAD answering 200 text/html.
	IgnoreSoftNotFound bool
	// Exclude lists regular expressions; a link whose absolute URL matches
	// any of them is skipped.
	Exclude []string
	// Dynamic lists site paths answered by a service rather than by a file
	// (the search page and its API): skipped on disk, and checked but not
	// crawled over HTTP, since result pages with their facets and pagers
	// are an endless space of URLs. A path that ends in
	// "/" covers everything under it, query strings included ("/api/"
	// covers /api/search?q=x); another covers itself, its query strings and
	// what lies under it ("/search" covers /search?q=x and /search/). Paths
	// are relative to the site's base path; one written with the base path
	// (/zfxxgk/search) is read from the host's root.
	Dynamic []string

	// MaxPages bounds the number of pages the crawler fetches and parses.
	MaxPages int
	// MaxDepth bounds the number of links the crawler follows from the start
	// page (0: the start page and the sitemap only).
	MaxDepth int

	// Concurrency is the number of HTTP requests in flight overall.
	Concurrency int
	// HostConcurrency is the number of HTTP requests in flight per host.
	HostConcurrency int
	// MinInterval is the least time between two request starts on one host.
	MinInterval time.Duration
	// Timeout bounds each HTTP request, body included.
	Timeout time.Duration
	// MaxRetries is the number of retries after a network error or a 408,
	// 500, 502, 503 (without Retry-After) or 504 answer. Timeouts and rate
	// limits have budgets of their own.
	MaxRetries int
	// TimeoutRetries is the number of retries after a request timed out.
	// A host that does not answer within Timeout rarely answers the second
	// time; each retry costs a whole Timeout.
	TimeoutRetries int
	// RateLimitWait bounds the total time one target waits for a host that
	// answers 429, or 503 with Retry-After: the request is repeated after
	// each wait the host asks for (at least the backoff) as long as the
	// waits add up to no more than this. A target still refused is a
	// warning (KindRateLimited), never an error.
	RateLimitWait time.Duration
	// HostTimeouts is the circuit breaker: once this many different URLs of
	// one external host have timed out in a row, with no answer from the
	// host in between, its remaining links are reported broken without
	// being requested. 0 turns the breaker off. The site being checked is
	// never cut off: each of its URLs gets its own requests.
	HostTimeouts int
	// RetryBackoff is the first wait of the exponential backoff.
	RetryBackoff time.Duration
	// MaxRetryWait caps any single wait. A host asking, with Retry-After,
	// for a longer wait is not asked again: the target is rate-limited.
	MaxRetryWait time.Duration
	// MaxRedirects bounds a redirect chain.
	MaxRedirects int
	// MaxBodyBytes bounds how much of a page is read over HTTP.
	MaxBodyBytes int64
	// UserAgent is sent with every request and matched against robots.txt.
	UserAgent string

	// CacheFile, when set, keeps the results of external links that were
	// fine between runs; errors are never cached.
	CacheFile string
	// CacheMaxAge is how long a cached result is trusted.
	CacheMaxAge time.Duration

	// Progress, when set, receives a progress line that rewrites itself with
	// carriage returns; give it a terminal only.
	Progress io.Writer
	// Logger receives debug records; nil discards them.
	Logger *slog.Logger
	// Now returns the current time for cache ages; nil means time.Now.
	Now func() time.Time
}

// DefaultConfig returns the configuration that the command starts from.
func DefaultConfig() Config {
	return Config{
		Target:          "public",
		Dynamic:         []string{"/search", "/api/"},
		MaxPages:        10000,
		MaxDepth:        20,
		Concurrency:     8,
		HostConcurrency: 2,
		MinInterval:     100 * time.Millisecond,
		Timeout:         15 * time.Second,
		MaxRetries:      3,
		TimeoutRetries:  1,
		RateLimitWait:   2 * time.Minute,
		HostTimeouts:    3,
		RetryBackoff:    500 * time.Millisecond,
		MaxRetryWait:    60 * time.Second,
		MaxRedirects:    10,
		MaxBodyBytes:    8 << 20,
		UserAgent:       "gongkai-linkcheck/1.0",
		CacheMaxAge:     24 * time.Hour,
	}
}

// Validate reports every problem with c at once.
func (c *Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }
	if c.Target == "" {
		bad("target: empty")
	} else if isRemote(c.Target) {
		u, err := url.Parse(c.Target)
		if err != nil || u.Host == "" {
			bad("target: invalid URL %q", c.Target)
		}
	}
	if c.BaseURL != "" {
		u, err := url.Parse(c.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			bad("base URL: %q is not an absolute http(s) URL", c.BaseURL)
		}
	}
	for _, p := range c.Exclude {
		if _, err := regexp.Compile(p); err != nil {
			bad("exclude %q: %v", p, err)
		}
	}
	if c.MaxPages < 1 {
		bad("max pages: %d, want at least 1", c.MaxPages)
	}
	if c.MaxDepth < 0 {
		bad("max depth: %d, want at least 0", c.MaxDepth)
	}
	if c.Concurrency < 1 {
		bad("concurrency: %d, want at least 1", c.Concurrency)
	}
	if c.HostConcurrency < 1 {
		bad("host concurrency: %d, want at least 1", c.HostConcurrency)
	}
	if c.MinInterval < 0 {
		bad("min interval: %v, want at least 0", c.MinInterval)
	}
	if c.Timeout <= 0 {
		bad("timeout: %v, want more than 0", c.Timeout)
	}
	if c.MaxRetries < 0 {
		bad("max retries: %d, want at least 0", c.MaxRetries)
	}
	if c.TimeoutRetries < 0 {
		bad("timeout retries: %d, want at least 0", c.TimeoutRetries)
	}
	if c.RateLimitWait < 0 {
		bad("rate limit wait: %v, want at least 0", c.RateLimitWait)
	}
	if c.HostTimeouts < 0 {
		bad("host timeouts: %d, want at least 0 (0 turns the circuit breaker off)", c.HostTimeouts)
	}
	for _, d := range c.Dynamic {
		if !strings.HasPrefix(d, "/") {
			bad("dynamic path %q: want a site path starting with /", d)
		}
	}
	if c.RetryBackoff < 0 || c.MaxRetryWait < 0 {
		bad("retry waits: negative")
	}
	if c.MaxRedirects < 0 {
		bad("max redirects: %d, want at least 0", c.MaxRedirects)
	}
	if c.MaxBodyBytes < 1 {
		bad("max body bytes: %d, want at least 1", c.MaxBodyBytes)
	}
	if c.CacheMaxAge < 0 {
		bad("cache max age: %v, want at least 0", c.CacheMaxAge)
	}
	return errors.Join(errs...)
}

// isRemote reports whether target names a site over HTTP rather than a folder.
func isRemote(target string) bool {
	t := strings.ToLower(target)
	return strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://")
}

func (c *Config) logger() *slog.Logger {
	if c.Logger != nil {
		return c.Logger
	}
	return slog.New(slog.DiscardHandler)
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// excluder matches links against Config.Exclude.
type excluder []*regexp.Regexp

func newExcluder(patterns []string) (excluder, error) {
	var ex excluder
	for _, p := range patterns {
		re, err := regexp.Compile(p)
		if err != nil {
			return nil, fmt.Errorf("exclude %q: %w", p, err)
		}
		ex = append(ex, re)
	}
	return ex, nil
}

func (ex excluder) match(s string) bool {
	for _, re := range ex {
		if re.MatchString(s) {
			return true
		}
	}
	return false
}

// statDir reports an error unless dir is a folder.
func statDir(dir string) error {
	fi, err := os.Stat(dir)
	if err != nil {
		return fmt.Errorf("open site %s: %w", dir, err)
	}
	if !fi.IsDir() {
		return fmt.Errorf("open site %s: not a folder", dir)
	}
	return nil
}
