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
	// BaseURL is the public URL of the site on disk; links to it are resolved
	// on disk. When empty, Check reads it from the index page's
	// <link rel="canonical"> or <meta name="Url">.
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
	// MaxRetries is the number of retries after a network error, a timeout or
	// a 5xx answer. A 429, or a 503 with Retry-After, is retried at least once
	// whatever this says.
	MaxRetries int
	// RetryBackoff is the first wait of the exponential backoff.
	RetryBackoff time.Duration
	// MaxRetryWait caps any single wait, including one asked for by
	// Retry-After.
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
		MaxPages:        10000,
		MaxDepth:        20,
		Concurrency:     8,
		HostConcurrency: 2,
		MinInterval:     100 * time.Millisecond,
		Timeout:         15 * time.Second,
		MaxRetries:      3,
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
