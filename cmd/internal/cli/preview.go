package cli

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"gongkai/generator"
	"gongkai/internal/server"
)

// The preview's own files: the script every page of a preview build loads
// and its stylesheet. They are written into preview builds only and served
// by the preview server (before anything was built, too).
//
//go:embed preview/live.js preview/live.css
var previewFiles embed.FS

// previewDir is the site path of the preview's files and events.
var previewDir = path.Dir(generator.PreviewScript) + "/"

// previewAssets returns the preview's files by site path, for a preview
// build's Options.Extra.
func previewAssets() map[string][]byte {
	out := map[string][]byte{}
	for _, name := range []string{"live.js", "live.css"} {
		data, err := previewFiles.ReadFile("preview/" + name)
		if err != nil {
			panic(err) // embedded above
		}
		out[previewDir+name] = data
	}
	return out
}

// injectPreviewShells puts the preview script into the page frames a build
// renders outside the generator (the search results page, the online
// service's pages), which sit in the build's sidecar folder dir.
func injectPreviewShells(dir, basePath string) error {
	for _, name := range []string{shellFile, reqApplyShell, reqNoticeShell} {
		p := filepath.Join(dir, name)
		data, err := os.ReadFile(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if err != nil {
			return fmt.Errorf("preview: %w", err)
		}
		if err := os.WriteFile(p, generator.InjectPreview(data, basePath), 0o644); err != nil {
			return fmt.Errorf("preview: %w", err)
		}
	}
	return nil
}

// previewFolder is where a live preview of the production folder out
// builds: beside it, so that out only ever holds production builds.
func previewFolder(out string) string { return strings.TrimSuffix(out, "/") + ".preview" }

// previewState is what the preview tells open pages after every build.
type previewState struct {
	// Build names the build being served ("" before the first); pages
	// built by another one reload when OK.
	Build string `json:"build"`
	// OK reports whether the last build succeeded; when not, Errors say
	// why and the last good build stays served (HasSite).
	OK          bool                    `json:"ok"`
	HasSite     bool                    `json:"has_site"`
	Errors      []string                `json:"errors"`
	Warnings    []string                `json:"warnings"`
	Unpublished []generator.Unpublished `json:"unpublished"`
}

// redacted is the state as a browser on another machine sees it: whether
// the build failed and how often, but not which records are withheld or
// what the errors say, which can quote withheld records (titles, paths).
// Only editors on the machine running the preview see those.
func (st previewState) redacted() previewState {
	out := previewState{Build: st.Build, OK: st.OK, HasSite: st.HasSite, Errors: []string{}, Warnings: []string{}, Unpublished: []generator.Unpublished{}}
	if n := len(st.Errors); n > 0 {
		out.Errors = []string{fmt.Sprintf("%d problems: they are shown only on the machine that runs gongkai serve (and in its terminal)", n)}
	}
	return out
}

// loopbackClient reports whether the request's remote address (host:port)
// is on this machine.
func loopbackClient(remote string) bool {
	host, _, err := net.SplitHostPort(remote)
	if err != nil {
		return false
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// preview is a live preview: `gongkai serve` without -no-build. It
// rebuilds when the site's sources change and tells open pages through
// Server-Sent Events, which reload them or show the build's errors.
type preview struct {
	ctx            context.Context
	sf             siteFlags
	log            *slog.Logger
	stdout, stderr io.Writer
	// debounce is how long the sources must stay quiet before a rebuild;
	// maxWait bounds the wait while changes keep coming.
	debounce, maxWait time.Duration

	id     string // this process's build names start with it
	builds int    // builds served so far

	mu      sync.Mutex
	st      previewState
	changed chan struct{} // closed and replaced when st changes
	site    *previewSite  // nil until a build can be served
	app     http.Handler  // the online service in front of the site, made once
	closers closers
}

// previewSite is one served build: its handler and what it opened.
type previewSite struct {
	id     string
	h      http.Handler
	closer io.Closer
}

func newPreview(ctx context.Context, sf siteFlags, stdout, stderr io.Writer) *preview {
	// The preview rebuilds in one process: it keeps what a rebuild after
	// a small edit need not read and decode again (generator.Warm).
	sf.warm = generator.NewWarm()
	return &preview{ctx: ctx, sf: sf, stdout: stdout, stderr: stderr, debounce: 100 * time.Millisecond, maxWait: 2 * time.Second,
		log:     slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
		id:      strconv.FormatInt(time.Now().UnixNano(), 36),
		changed: make(chan struct{}), st: previewState{Errors: []string{}, Warnings: []string{}, Unpublished: []generator.Unpublished{}}}
}

// runPreview is `gongkai serve` without -no-build: build a preview, serve
// it on addr, and rebuild whenever content/, theme/ or site.yaml change,
// until ctx is done. A content error keeps the last good build served.
func runPreview(ctx context.Context, sf siteFlags, addr string, stdout, stderr io.Writer) int {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai serve:", err)
		return 1
	}
	return servePreview(ctx, sf, ln, stdout, stderr)
}

// servePreview serves a live preview of sf on ln until ctx is done.
func servePreview(ctx context.Context, sf siteFlags, ln net.Listener, stdout, stderr io.Writer) int {
	sf.previewOf, sf.out = sf.out, previewFolder(sf.out)
	sf.preview, sf.noPrecompress = true, true
	p := newPreview(ctx, sf, stdout, stderr)
	defer p.close()
	changed := make(chan struct{}, 1)
	w, err := watchSources(ctx, sf.source, changed, p.log)
	if err != nil {
		ln.Close()
		fmt.Fprintln(stderr, "gongkai serve:", err)
		return 1
	}
	defer w.Close()
	p.rebuild()
	if p.current().site == nil && ctx.Err() == nil {
		// The content has errors: serve the last good preview, if any.
		if _, err := os.Stat(filepath.Join(sf.indexDir(), siteMetaFile)); err == nil {
			if err := p.serveBuild(); err != nil {
				fmt.Fprintln(stderr, "gongkai serve: the previous preview cannot be served:", err)
			}
		}
	}
	base := "/"
	if s := p.current().site; s != nil {
		if m, err := readSiteMeta(sf.indexDir()); err == nil {
			base = m.BasePath
		}
	}
	fmt.Fprintf(stdout, "preview of %s at http://%s%s: rebuilds when content/, theme/ or content/site.yaml change (Ctrl-C to stop)\n",
		sf.source, ln.Addr(), base)
	go p.watch(changed)
	srv := server.New(ln.Addr().String(), p)
	if err := server.Run(ctx, srv, ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(stderr, "gongkai serve:", err)
		return 1
	}
	return 0
}

// watch rebuilds after the sources changed and then stayed quiet for the
// debounce period (or changed for maxWait), until the context is done.
func (p *preview) watch(changed <-chan struct{}) {
	debounce(p.ctx, changed, p.debounce, p.maxWait, p.rebuild)
}

// rebuild builds the preview and tells open pages: to reload after a
// successful build, or what is wrong after a failed one.
func (p *preview) rebuild() {
	var rep buildReport
	_, code := buildReporting(p.ctx, p.sf, &rep, p.stdout, p.stderr)
	if p.ctx.Err() != nil {
		return
	}
	ok := code == 0
	if ok {
		if err := p.serveBuild(); err != nil {
			ok = false
			rep.Errors = append(rep.Errors, err.Error())
		}
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.st.OK = ok
	p.st.Errors = nonNil(rep.Errors)
	p.st.Warnings = nonNil(rep.Warnings)
	if rep.Unpublished != nil || ok {
		p.st.Unpublished = nonNil(rep.Unpublished)
	}
	p.notify()
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// serveBuild starts serving the build now in the preview folder, with a
// new name, and retires the handler of the previous one.
func (p *preview) serveBuild() error {
	h, files, err := siteHandler(p.sf, true, p.log)
	if err != nil {
		return err
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.app == nil {
		// The online service (when site.yaml switches it on) is set up
		// once; it serves in front of whichever build is current.
		app, reqs, err := withRequests(p.ctx, p.sf, http.HandlerFunc(p.serveSite), p.stdout, p.log, time.Now)
		if err != nil {
			files.Close()
			return err
		}
		p.app = app
		if reqs != nil {
			p.closers = append(p.closers, reqs)
		}
	}
	old := p.site
	p.builds++
	p.site = &previewSite{id: p.id + "-" + strconv.Itoa(p.builds), h: h, closer: files}
	p.st.Build, p.st.HasSite = p.site.id, true
	if old != nil {
		// Requests in flight keep their generation until they end.
		old.closer.Close()
	}
	return nil
}

// notify wakes every event stream; p.mu is held.
func (p *preview) notify() {
	close(p.changed)
	p.changed = make(chan struct{})
}

// previewSnapshot is what a request sees of the preview.
type previewSnapshot struct {
	st      previewState
	changed <-chan struct{}
	site    *previewSite
	app     http.Handler
}

func (p *preview) current() previewSnapshot {
	p.mu.Lock()
	defer p.mu.Unlock()
	return previewSnapshot{st: p.st, changed: p.changed, site: p.site, app: p.app}
}

func (p *preview) close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.site != nil {
		p.site.closer.Close()
		p.site = nil
	}
	p.closers.Close()
}

// ServeHTTP serves the preview: its events and files, then the site.
func (p *preview) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if i := strings.LastIndex(r.URL.Path, previewDir); i >= 0 {
		if name := r.URL.Path[i+len(previewDir):]; name != "" && !strings.Contains(name, "/") {
			server.SecurityHeaders(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { p.serveOwn(w, r, name) })).ServeHTTP(w, r)
			return
		}
	}
	cur := p.current()
	if cur.app != nil {
		cur.app.ServeHTTP(w, r)
		return
	}
	p.serveSite(w, r)
}

// serveOwn serves the preview's event stream and files.
func (p *preview) serveOwn(w http.ResponseWriter, r *http.Request, name string) {
	if name == "events" {
		p.events(w, r)
		return
	}
	data, err := previewFiles.ReadFile("preview/" + name)
	if err != nil {
		http.NotFound(w, r)
		return
	}
	ctype := "text/css; charset=utf-8"
	if strings.HasSuffix(name, ".js") {
		ctype = "text/javascript; charset=utf-8"
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Cache-Control", "no-cache")
	w.Write(data)
}

// serveSite serves the current build, naming it in a Server-Timing header
// so the preview script can tell whether its page is out of date. Before
// any build succeeded it answers with a page that shows the errors.
func (p *preview) serveSite(w http.ResponseWriter, r *http.Request) {
	cur := p.current()
	if cur.site == nil {
		server.SecurityHeaders(http.HandlerFunc(previewPlaceholder)).ServeHTTP(w, r)
		return
	}
	w.Header().Set("Server-Timing", `gongkai-build;desc="`+cur.site.id+`"`)
	cur.site.h.ServeHTTP(w, r)
}

// previewPlaceholder is every page before the first successful build: the
// preview script shows why there is none.
func previewPlaceholder(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Server-Timing", `gongkai-build;desc=""`)
	w.WriteHeader(http.StatusServiceUnavailable)
	io.WriteString(w, `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<title>预览</title>
<script src="`+generator.PreviewScript+`" defer></script>
</head>
<body>
<main><h1>预览：网站还没有构建成功</h1><p>内容改正后，本页会自动刷新。</p></main>
</body>
</html>
`)
}

// eventKeepAlive is how often an idle event stream sends a comment, so
// proxies and browsers keep it open.
const eventKeepAlive = 20 * time.Second

// events streams the preview's state to one page: at once, then after
// every build, until the page goes away or the preview stops.
func (p *preview) events(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	// The server's read and write timeouts are for ordinary requests; an
	// event stream stays open.
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	io.WriteString(w, "retry: 500\n\n")
	tick := time.NewTicker(eventKeepAlive)
	defer tick.Stop()
	local := loopbackClient(r.RemoteAddr)
	for {
		cur := p.current()
		st := cur.st
		if !local {
			st = st.redacted()
		}
		data, err := json.Marshal(st)
		if err != nil {
			return
		}
		fmt.Fprintf(w, "event: state\ndata: %s\n\n", data)
		if rc.Flush() != nil {
			return
		}
	idle:
		for {
			select {
			case <-cur.changed:
				break idle
			case <-tick.C:
				io.WriteString(w, ": keep-alive\n\n")
				if rc.Flush() != nil {
					return
				}
			case <-r.Context().Done():
				return
			case <-p.ctx.Done():
				return
			}
		}
	}
}
