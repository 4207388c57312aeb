// Package server serves a built site from disk: files through os.Root (no
// symlink escapes, no directory listings, no dot-paths), correct content
// types, caching and security headers, conditional GETs, and a fresh build
// picked up after a swap. Dynamic handlers (search) are passed in.
package server

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"io/fs"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"os"
	"path"
	"strings"
	"sync"
	"time"
)

// CSP is the Content-Security-Policy every response carries; the default
// theme needs nothing beyond it.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
	"connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"

// Files serves the folder Dir. Each build the publisher swaps in is a new
// generation: Files opens it when the path starts naming a different folder,
// and a request keeps the generation it started on until it is done, so a
// request that straddles a swap is answered from one whole build. A
// replaced generation is closed when its last request ends (the way
// search.Holder retires an index).
type Files struct {
	Dir string
	// Gone is a folder whose files mark withdrawn pages: when Gone/P exists,
	// /P is answered 410 Gone with the page Dir/P (the build's 本信息已撤回
	// notice). Empty for none.
	Gone   string
	Logger *slog.Logger

	mu    sync.Mutex
	cur   *generation
	etags sync.Map // etagKey → string
}

// generation is one build being served, with the requests using it.
type generation struct {
	root      *os.Root
	gone      *os.Root // nil when the build withdrew nothing
	ident     os.FileInfo
	goneIdent os.FileInfo
	refs      int
	retired   bool
}

func (g *generation) close() {
	g.root.Close()
	if g.gone != nil {
		g.gone.Close()
	}
}

type etagKey struct {
	dir   string
	name  string
	size  int64
	mtime time.Time
}

func sameFile(a, b os.FileInfo) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return os.SameFile(a, b)
}

// acquire returns the generation now at Dir and the function that releases
// it; a request holds it from start to end.
func (f *Files) acquire() (*generation, func(), error) {
	fi, err := os.Stat(f.Dir)
	if err != nil {
		return nil, nil, err
	}
	var gfi os.FileInfo
	if f.Gone != "" {
		gfi, _ = os.Stat(f.Gone)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.cur
	if g == nil || !os.SameFile(fi, g.ident) || !sameFile(gfi, g.goneIdent) {
		r, err := os.OpenRoot(f.Dir)
		if err != nil {
			return nil, nil, err
		}
		g = &generation{root: r, ident: fi}
		if gfi != nil {
			if gr, err := os.OpenRoot(f.Gone); err == nil {
				g.gone, g.goneIdent = gr, gfi
			}
		}
		if old := f.cur; old != nil {
			old.retired = true
			if old.refs == 0 {
				old.close()
			}
		}
		f.cur = g
		f.etags.Clear()
	}
	g.refs++
	var once sync.Once
	return g, func() { once.Do(func() { f.release(g) }) }, nil
}

func (f *Files) release(g *generation) {
	f.mu.Lock()
	g.refs--
	done := g.retired && g.refs == 0
	f.mu.Unlock()
	if done {
		g.close()
	}
}

// Close takes the current generation out of service; it is closed when its
// requests are done.
func (f *Files) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if g := f.cur; g != nil {
		g.retired = true
		if g.refs == 0 {
			g.close()
		}
		f.cur = nil
	}
	return nil
}

var errNotFound = errors.New("not found")

func (f *Files) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	g, release, err := f.acquire()
	if err != nil {
		http.Error(w, "site not built yet", http.StatusServiceUnavailable)
		return
	}
	defer release()
	root := g.root
	if g.gone != nil && f.gone(w, r, g) {
		return
	}
	err = f.serve(w, r, root)
	if errors.Is(err, errNotFound) {
		f.notFound(w, r, root)
		return
	}
	if err != nil {
		if f.Logger != nil {
			f.Logger.Error("serve", "path", r.URL.Path, "err", err)
		}
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

func (f *Files) serve(w http.ResponseWriter, r *http.Request, root *os.Root) error {
	p := r.URL.Path
	if !strings.HasPrefix(p, "/") {
		p = "/" + p
	}
	for _, seg := range strings.Split(p, "/") {
		if strings.HasPrefix(seg, ".") || strings.Contains(seg, "\\") || strings.ContainsRune(seg, 0) {
			return errNotFound
		}
	}
	name := strings.TrimPrefix(path.Clean(p), "/")
	if name == "" {
		name = "."
	}
	fi, err := root.Stat(name)
	if err != nil {
		return errNotFound
	}
	if fi.IsDir() {
		if !strings.HasSuffix(p, "/") {
			target := p + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return nil
		}
		name = path.Join(name, "index.html")
		if fi, err = root.Stat(name); err != nil || fi.IsDir() {
			return errNotFound // no directory listings
		}
	}
	return f.serveFile(w, r, root, name, fi, http.StatusOK)
}

func (f *Files) serveFile(w http.ResponseWriter, r *http.Request, root *os.Root, name string, fi fs.FileInfo, status int) error {
	ctype := contentType(name)
	var enc string
	if name, fi, enc = precompressed(w, r, root, name, fi); enc != "" {
		r = wholeEncoded(w, r, fi)
	}
	file, err := root.Open(name)
	if err != nil {
		return errNotFound
	}
	defer file.Close()
	h := w.Header()
	h.Set("Content-Type", ctype)
	if strings.HasPrefix(name, "static/") {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=0, must-revalidate")
	}
	if status != http.StatusOK {
		w.WriteHeader(status)
		_, err := io.Copy(w, file)
		return err
	}
	etag, err := f.etag(file, name, fi)
	if err != nil {
		return err
	}
	h.Set("ETag", etag)
	http.ServeContent(w, r, name, fi.ModTime(), file)
	return nil
}

// etag returns a strong ETag from the file's bytes, cached by size and time.
func (f *Files) etag(file io.ReadSeeker, name string, fi fs.FileInfo) (string, error) {
	k := etagKey{f.Dir, name, fi.Size(), fi.ModTime()}
	if v, ok := f.etags.Load(k); ok {
		return v.(string), nil
	}
	h := sha256.New()
	if _, err := io.Copy(h, file); err != nil {
		return "", err
	}
	if _, err := file.Seek(0, io.SeekStart); err != nil {
		return "", err
	}
	tag := `"` + hex.EncodeToString(h.Sum(nil)[:12]) + `"`
	f.etags.Store(k, tag)
	return tag, nil
}

// gone answers 410 Gone for a withdrawn page, with the build's notice as
// its body, and reports whether it did.
func (f *Files) gone(w http.ResponseWriter, r *http.Request, g *generation) bool {
	name := strings.TrimPrefix(path.Clean("/"+r.URL.Path), "/")
	if name == "" || strings.HasPrefix(name, ".") || strings.Contains(name, "/.") {
		return false
	}
	if fi, err := g.gone.Stat(name); err != nil || fi.IsDir() {
		return false
	}
	if fi, err := g.root.Stat(name); err == nil && !fi.IsDir() {
		if f.serveFile(w, r, g.root, name, fi, http.StatusGone) == nil {
			return true
		}
	}
	http.Error(w, "410 gone", http.StatusGone)
	return true
}

func (f *Files) notFound(w http.ResponseWriter, r *http.Request, root *os.Root) {
	if fi, err := root.Stat("404.html"); err == nil && !fi.IsDir() {
		if f.serveFile(w, r, root, "404.html", fi, http.StatusNotFound) == nil {
			return
		}
	}
	http.Error(w, "404 page not found", http.StatusNotFound)
}

var types = map[string]string{
	".html": "text/html; charset=utf-8",
	".css":  "text/css; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".json": "application/json; charset=utf-8",
	".xml":  "application/xml; charset=utf-8",
	".txt":  "text/plain; charset=utf-8",
	".csv":  "text/csv; charset=utf-8",
	".svg":  "image/svg+xml",
	".pdf":  "application/pdf",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".doc":  "application/msword",
	".xls":  "application/vnd.ms-excel",
	".png":  "image/png",
	".jpg":  "image/jpeg",
	".ico":  "image/x-icon",
	".rss":  "application/rss+xml; charset=utf-8",
	".atom": "application/atom+xml; charset=utf-8",
	".opml": "text/x-opml; charset=utf-8",
}

func contentType(name string) string {
	ext := strings.ToLower(path.Ext(name))
	switch {
	case strings.HasSuffix(name, "opensearch.xml"):
		return "application/opensearchdescription+xml; charset=utf-8"
	case strings.HasSuffix(name, ".rss.xml"):
		return "application/rss+xml; charset=utf-8"
	case strings.HasSuffix(name, ".atom.xml"):
		return "application/atom+xml; charset=utf-8"
	case strings.HasSuffix(name, "feed.json"):
		return "application/feed+json; charset=utf-8"
	}
	if t, ok := types[ext]; ok {
		return t
	}
	if t := mime.TypeByExtension(ext); t != "" {
		return t
	}
	return "application/octet-stream"
}

// SecurityHeaders adds the headers every response carries.
func SecurityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", CSP)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
		next.ServeHTTP(w, r)
	})
}

// Options configure Handler.
type Options struct {
	Dir    string       // the built site, e.g. public
	Gone   string       // marks of withdrawn pages (see Files.Gone); empty for none
	Search http.Handler // serves /search and /api/search; nil for none
	Logger *slog.Logger
	// Prefix is the base path the site is served under ("/zfxxgk/"; "" or
	// "/" for the root of the host); see Under. RedirectRoot makes "/"
	// redirect to it (a local preview).
	Prefix       string
	RedirectRoot bool
	// CORSOrigins lists the origins allowed to call /api/search from a
	// browser (see CORS); none by default.
	CORSOrigins []string
}

// Handler returns the site's handler: files plus the dynamic routes.
func Handler(o Options) (http.Handler, *Files) {
	files := &Files{Dir: o.Dir, Gone: o.Gone, Logger: o.Logger}
	mux := http.NewServeMux()
	mux.Handle("/", files)
	if o.Search != nil {
		mux.Handle("/search", o.Search)
		mux.Handle("/api/search", CORS(o.CORSOrigins, o.Search))
	}
	return SecurityHeaders(Under(o.Prefix, o.RedirectRoot, mux)), files
}

// New returns an http.Server with the timeouts a public server needs.
func New(addr string, h http.Handler) *http.Server {
	return &http.Server{
		Addr:              addr,
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
	}
}

// Run serves on ln until ctx is done, then shuts down gracefully.
func Run(ctx context.Context, srv *http.Server, ln net.Listener) error {
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
