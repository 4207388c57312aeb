package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// BuildSite builds the site folder source into out (with its search index
// beside it) as of date, exactly as `gongkai build` does. Tests use it.
func BuildSite(ctx context.Context, source, out string, date time.Time, stdout, stderr io.Writer) error {
	sf := siteFlags{source: source, out: out, date: date.Format("2006-01-02")}
	if _, code := build(ctx, sf, stdout, stderr); code != 0 {
		return fmt.Errorf("build %s failed (exit %d)", source, code)
	}
	return nil
}

// SiteHandler returns the handler `gongkai serve` uses for the build in out:
// static files, search and the API. Close the returned closer when done.
func SiteHandler(out string, log *slog.Logger) (http.Handler, io.Closer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h, files, err := siteHandler(siteFlags{out: out}, true, log)
	if err != nil {
		return nil, nil, err
	}
	return h, files, nil
}

// BuildConfig is a build as `gongkai build` flags describe it.
type BuildConfig struct {
	Source, Out string
	Date        time.Time
	// BaseURL overrides site.yaml's base_url (build -base-url): with a
	// path, every URL of the build carries it.
	BaseURL string
	// Preview makes identity problems warnings (build -preview).
	Preview bool
}

// BuildSiteWith builds as `gongkai build` does with the flags cfg
// describes. Tests use it.
func BuildSiteWith(ctx context.Context, cfg BuildConfig, stdout, stderr io.Writer) error {
	sf := siteFlags{source: cfg.Source, out: cfg.Out, date: cfg.Date.Format("2006-01-02"), baseURL: cfg.BaseURL, preview: cfg.Preview}
	if _, code := build(ctx, sf, stdout, stderr); code != 0 {
		return fmt.Errorf("build %s failed (exit %d)", cfg.Source, code)
	}
	return nil
}

// ServePreview serves a live preview of the site cfg describes on ln, as
// `gongkai serve` does: it builds into cfg.Out's preview folder
// (OUT.preview), rebuilds when content/, theme/ or site.yaml change, and
// reloads open pages. It returns the exit code when ctx is done. Tests use
// it.
func ServePreview(ctx context.Context, cfg BuildConfig, ln net.Listener, stdout, stderr io.Writer) int {
	sf := siteFlags{source: cfg.Source, out: cfg.Out, date: cfg.Date.Format("2006-01-02"), baseURL: cfg.BaseURL}
	return servePreview(ctx, sf, ln, stdout, stderr)
}
