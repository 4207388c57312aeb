package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"path/filepath"
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
	noBuild := fs.Bool("no-build", false, "serve an existing build (production) instead of building first")
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gongkai serve: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if !*noBuild {
		if _, code := build(ctx, sf, stdout, stderr); code != 0 {
			return code
		}
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	h, files, err := siteHandler(sf, log)
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
	fmt.Fprintf(stdout, "serving %s at http://%s/ (Ctrl-C to stop)\n", sf.out, ln.Addr())
	if err := server.Run(ctx, server.New(*addr, h), ln); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(stderr, "gongkai serve:", err)
		return 1
	}
	return 0
}

// siteHandler joins the static files and the search service.
func siteHandler(sf siteFlags, log *slog.Logger) (http.Handler, io.Closer, error) {
	theme, err := loadTheme(sf.source)
	if err != nil {
		return nil, nil, err
	}
	sh, live := searchHandler(sf.indexDir(), theme, log)
	h, files := server.Handler(server.Options{Dir: sf.out, Gone: filepath.Join(sf.indexDir(), generator.GoneDir), Logger: log, Search: sh})
	return h, closers{files, live}, nil
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
// front of the site when the build switched it on.
func withRequests(ctx context.Context, sf siteFlags, site http.Handler, stdout io.Writer, log *slog.Logger, now func() time.Time) (http.Handler, io.Closer, error) {
	theme, err := loadTheme(sf.source)
	if err != nil {
		return nil, nil, err
	}
	svc, closer, err := requestsService(ctx, sf, theme, stdout, log, now)
	if err != nil || svc == nil {
		return site, nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/", site)
	for _, p := range requests.Patterns {
		mux.Handle(p, server.SecurityHeaders(svc))
	}
	return mux, closer, nil
}
