package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
	"strings"
	"time"

	"gongkai/generator"
	"gongkai/internal/server"
	"gongkai/requests"
)

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var sf siteFlags
	fs := newFlagSet("serve", "[flags]", stderr)
	sf.register(fs)
	addr := fs.String("addr", "127.0.0.1:1313", "address to listen on, HOST:PORT")
	noBuild := fs.Bool("no-build", false, "serve the existing build in -out (production) instead of a live preview")
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gongkai serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if !*noBuild {
		// A serve that builds is a live preview: it builds beside -out
		// (OUT.preview), never into it, and rebuilds as the sources change.
		return runPreview(ctx, sf, *addr, stdout, stderr)
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// With -no-build serve is the search service behind the portal's web
	// server, which sends it only what is under the base path; -preview
	// makes "/" lead to the base path.
	h, files, err := siteHandler(sf, sf.preview, log)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai serve:", err)
		return 1
	}
	defer files.Close()
	h, reqs, err := withRequests(ctx, sf, h, stdout, log, time.Now)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai serve:", err)
		return 1
	}
	if reqs != nil {
		defer reqs.Close()
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai serve:", err)
		return 1
	}
	fmt.Fprintf(stdout, "serving %s at http://%s%s (Ctrl-C to stop)\n", sf.out, ln.Addr(), files.basePath)
	if err := server.Run(ctx, server.New(*addr, h), ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(stderr, "gongkai serve:", err)
		return 1
	}
	return 0
}

// siteHandler joins the static files and the search service, served under
// the base path the build in sf.out was made for (its site.json).
func siteHandler(sf siteFlags, redirectRoot bool, log *slog.Logger) (http.Handler, *siteCloser, error) {
	meta, err := readSiteMeta(sf.indexDir())
	if err != nil {
		return nil, nil, err
	}
	theme, err := loadTheme(sf.source)
	if err != nil {
		return nil, nil, err
	}
	if theme, err = theme.WithBasePath(meta.BasePath); err != nil {
		return nil, nil, err
	}
	sh, live := searchHandler(sf.indexDir(), theme, meta.BasePath, log)
	var service http.Handler = sh
	if staticOnly(sf.indexDir()) {
		service = nil // search: static: /search is the static page
	}
	h, files := server.Handler(server.Options{Dir: sf.out, Gone: filepath.Join(sf.indexDir(), generator.GoneDir), Logger: log, Search: service,
		Prefix: meta.BasePath, RedirectRoot: redirectRoot, CORSOrigins: meta.CORSOrigins})
	return h, &siteCloser{closers: closers{files, live}, basePath: meta.BasePath}, nil
}

// siteCloser closes what siteHandler opened and remembers the base path.
type siteCloser struct {
	closers
	basePath string
}

type closers []io.Closer

func (cs closers) Close() error {
	var first error
	for _, c := range cs {
		if err := c.Close(); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// withRequests puts the online service for applications and comments in
// front of the site when the build switched it on, under the site's base
// path.
func withRequests(ctx context.Context, sf siteFlags, site http.Handler, stdout io.Writer, log *slog.Logger, now func() time.Time) (http.Handler, io.Closer, error) {
	meta, err := readSiteMeta(sf.indexDir())
	if err != nil {
		return nil, nil, err
	}
	theme, err := loadTheme(sf.source)
	if err != nil {
		return nil, nil, err
	}
	if theme, err = theme.WithBasePath(meta.BasePath); err != nil {
		return nil, nil, err
	}
	svc, closer, err := requestsService(ctx, sf, theme, stdout, log, now)
	if err != nil || svc == nil {
		return site, nil, err
	}
	bare := strings.TrimSuffix(meta.BasePath, "/")
	mux := http.NewServeMux()
	mux.Handle("/", site)
	for _, p := range requests.Patterns {
		mux.Handle(bare+p, server.SecurityHeaders(http.StripPrefix(bare, svc)))
	}
	return mux, closer, nil
}
