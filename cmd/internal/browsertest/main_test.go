package browsertest

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/launcher"

	"gongkai/cmd/internal/cli"
)

var shots = flag.String("shots", "", "save a full-page screenshot of every audited page in `DIR` (default: a temporary folder)")

// baseURL builds and serves the sample portal under a base path, as a
// column of a larger portal: -base-url https://www.yunze.gov.cn/zfxxgk/, or
// GONGKAI_BROWSER_BASE_URL (.ci/run runs the tests both ways).
var baseURL = flag.String("base-url", os.Getenv("GONGKAI_BROWSER_BASE_URL"), "build the sample portal for `URL` (with a path, serve it under that path)")

// buildDate is fixed so that validity statuses and "new" markers do not
// depend on the day the tests run.
var buildDate = time.Date(2026, 11, 27, 0, 0, 0, 0, time.FixedZone("CST", 8*3600))

// chromiumPaths are where Debian's chromium package puts the browser.
var chromiumPaths = []string{"/usr/lib/chromium/chromium", "/usr/bin/chromium"}

// Timeouts bound every wait on the browser.
const (
	launchTimeout = 60 * time.Second
	loadTimeout   = 30 * time.Second
	stepTimeout   = 10 * time.Second
	axeTimeout    = 60 * time.Second
	tabTimeout    = 3 * time.Minute // whole life of one tab
)

// httpClient fetches from the test server without the browser.
var httpClient = &http.Client{Timeout: loadTimeout}

// site is the sample portal, built once per test binary and served with the
// handler `gongkai serve` uses.
type site struct {
	source string // repository root, holding content/
	public string // the build
	url    string // http://127.0.0.1:PORT plus the base path, no trailing slash
	base   string // the base path: "/" or "/zfxxgk/"
	tmp    string
	srv    *httptest.Server
	closer io.Closer
}

var theSite *site

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(run(m))
}

func run(m *testing.M) int {
	s, err := startSite()
	if err != nil {
		fmt.Fprintln(os.Stderr, "browsertest:", err)
		return 1
	}
	theSite = s
	code := m.Run()
	reportSkips()
	theBrowser.close()
	s.close()
	return code
}

func startSite() (*site, error) {
	source, err := filepath.Abs("../../..")
	if err != nil {
		return nil, err
	}
	tmp, err := os.MkdirTemp("", "gongkai-browsertest-")
	if err != nil {
		return nil, err
	}
	s := &site{source: source, public: filepath.Join(tmp, "public"), tmp: tmp, base: "/"}
	if *baseURL != "" {
		u, err := url.Parse(*baseURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("-base-url %q: want an absolute URL", *baseURL)
		}
		s.base = strings.TrimSuffix(u.Path, "/") + "/"
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	var stderr bytes.Buffer
	cfg := cli.BuildConfig{Source: source, Out: s.public, Date: buildDate, BaseURL: *baseURL}
	if err := cli.BuildSiteWith(ctx, cfg, io.Discard, &stderr); err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("build the sample portal: %w\n%s", err, stderr.String())
	}
	h, closer, err := cli.SiteHandler(s.public, nil)
	if err != nil {
		os.RemoveAll(tmp)
		return nil, fmt.Errorf("site handler: %w", err)
	}
	s.closer = closer
	s.srv = httptest.NewServer(h)
	s.url = s.srv.URL + strings.TrimSuffix(s.base, "/")
	if *baseURL != "" {
		fmt.Fprintf(os.Stderr, "browsertest: sample portal built for %s, served at %s/\n", *baseURL, s.url)
	}
	if !strings.HasPrefix(s.url, "http://127.0.0.1:") {
		s.close()
		return nil, fmt.Errorf("test server listens on %s, want 127.0.0.1", s.url)
	}
	return s, nil
}

// sitePath returns the URL path the site publishes the site path p under:
// p with the base path in front, as links on its pages carry it.
func sitePath(p string) string {
	if !strings.HasPrefix(p, "/") {
		return p
	}
	return theSite.base + strings.TrimPrefix(p, "/")
}

func (s *site) close() {
	s.srv.Close()
	s.closer.Close()
	os.RemoveAll(s.tmp)
}

// requireBrowser reports whether a missing browser or axe-core is a failure
// rather than a reason to skip (CI sets GONGKAI_REQUIRE_BROWSER=1).
func requireBrowser() bool { return os.Getenv("GONGKAI_REQUIRE_BROWSER") == "1" }

// skipOrFail skips the test with reason, or fails it when the browser set-up
// is required.
func skipOrFail(t testing.TB, reason string) {
	t.Helper()
	if requireBrowser() {
		t.Fatalf("%s (GONGKAI_REQUIRE_BROWSER=1)", reason)
	}
	noteSkip(reason)
	t.Skip(reason + "; skipping (set GONGKAI_REQUIRE_BROWSER=1 to fail instead)")
}

var errNoChromium = errors.New("no Chromium at " + strings.Join(chromiumPaths, " or ") +
	" (apt-get install -y chromium fonts-noto-cjk)")

// chrome is the one browser of the test binary, started by the first test
// that needs it.
type chrome struct {
	once sync.Once
	b    *rod.Browser
	l    *launcher.Launcher
	dir  string
	err  error
}

var theBrowser chrome

// browser returns the shared browser, skipping the test when there is none.
func browser(t testing.TB) *rod.Browser {
	t.Helper()
	theBrowser.once.Do(theBrowser.start)
	if errors.Is(theBrowser.err, errNoChromium) {
		skipOrFail(t, theBrowser.err.Error())
	}
	if theBrowser.err != nil {
		t.Fatalf("start Chromium: %v", theBrowser.err)
	}
	return theBrowser.b
}

func findChromium() string {
	for _, p := range chromiumPaths {
		if fi, err := os.Stat(p); err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0 {
			return p
		}
	}
	return ""
}

func (c *chrome) start() {
	bin := findChromium()
	if bin == "" {
		c.err = errNoChromium
		return
	}
	dir, err := os.MkdirTemp("", "gongkai-chromium-")
	if err != nil {
		c.err = err
		return
	}
	c.dir = dir
	home, tmp := filepath.Join(dir, "home"), filepath.Join(dir, "tmp")
	for _, d := range []string{home, tmp} {
		if err := os.Mkdir(d, 0o700); err != nil {
			c.err = err
			return
		}
	}
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "HOME=") && !strings.HasPrefix(kv, "TMPDIR=") {
			env = append(env, kv)
		}
	}
	env = append(env, "HOME="+home, "TMPDIR="+tmp)

	ctx, cancel := context.WithTimeout(context.Background(), launchTimeout)
	defer cancel()
	// Bin with an explicit path: rod never downloads a browser.
	c.l = launcher.New().Context(ctx).Bin(bin).
		Headless(true).
		NoSandbox(os.Geteuid() == 0).
		Leakless(true).
		UserDataDir(filepath.Join(dir, "profile")).
		Env(env...).
		Set("disable-gpu").
		Set("disable-background-networking").
		Set("disable-component-update").
		Set("disable-extensions").
		Set("disable-sync").
		Set("no-default-browser-check").
		Set("mute-audio").
		Set("lang", "zh-CN")
	u, err := c.l.Launch()
	if err != nil {
		c.err = fmt.Errorf("launch %s: %w", bin, err)
		return
	}
	// Connect binds the browser's event loop to its context, so it gets no
	// deadline; the launcher has already seen the browser answer on u.
	b := rod.New().ControlURL(u)
	if err := b.Connect(); err != nil {
		c.err = fmt.Errorf("connect to %s: %w", u, err)
		c.l.Kill()
		return
	}
	c.b = b
}

func (c *chrome) close() {
	if c.b != nil {
		_ = c.b.Timeout(stepTimeout).Close()
		exited := make(chan struct{})
		go func() { c.l.Cleanup(); close(exited) }()
		select {
		case <-exited:
		case <-time.After(stepTimeout):
			c.l.Kill()
		}
	}
	if c.dir != "" {
		os.RemoveAll(c.dir)
	}
}
