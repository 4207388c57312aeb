package cli

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"gongkai/generator"
	"gongkai/requests"
)

// The online service's frames sit beside its snapshot in the folder that is
// swapped with public/: the site's layout rendered at build time around a
// marker, one for /apply/ and one for the comment pages of notices.
const (
	reqTitle       = "GONGKAI-REQUESTS-TITLE"
	reqMarker      = "<!--GONGKAI-REQUESTS-->"
	reqApplyShell  = "requests-apply.html"
	reqNoticeShell = "requests-notice.html"
)

// requestsLinkExclude are the service's pages that static pages link to
// and that have no file on disk, for linkcheck on a built folder.
// Under a base path they carry it (/zfxxgk/apply/status).
var requestsLinkExclude = []string{`^(?:[a-z]+://[^/]*)?(?:/[^/?#]+)*/notice/[^/?#]+/comment(?:$|[?#])`, `^(?:[a-z]+://[^/]*)?(?:/[^/?#]+)*/apply/status(?:$|[?#])`}

// requestSettings converts site.yaml's requests: section into the service's
// settings, with paths made absolute against the site folder. Problems name
// the field of site.yaml.
func requestSettings(c *generator.Content, sf siteFlags) (*requests.Settings, generator.Problems) {
	cfg := c.Site.Requests
	if cfg == nil {
		return nil, nil
	}
	var probs generator.Problems
	abs := func(p string) string {
		if p == "" || filepath.IsAbs(p) {
			return p
		}
		a, err := filepath.Abs(filepath.Join(sf.source, p))
		if err != nil {
			return p
		}
		return a
	}
	st := &requests.Settings{Driver: cfg.Database.Driver, Path: abs(cfg.Database.Path), DSN: cfg.Database.DSN, DSNEnv: cfg.Database.DSNEnv,
		KeyFile: abs(cfg.KeyFile), KeyEnv: cfg.KeyEnv, RetentionDays: cfg.RetentionDays,
		SubmissionsPerHour: cfg.RateLimit.SubmissionsPerHour, LookupsPerHour: cfg.RateLimit.LookupsPerHour, TrustedProxies: cfg.TrustedProxies}
	st.ApplyDefaults()
	if err := st.Validate(); err != nil {
		field, msg, _ := strings.Cut(err.Error(), ": ")
		probs.Errorf(c.Site.Pos("requests."+field), "requests."+field, "%s", msg)
		return nil, probs
	}
	// The database and the key must outlive every build: never inside the
	// folders a build replaces, which are also the ones served.
	out, _ := filepath.Abs(sf.out)
	for _, f := range []struct{ field, path string }{{"database.path", st.Path}, {"key_file", st.KeyFile}} {
		if f.path == "" {
			continue
		}
		for _, dir := range []string{out, strings.TrimSuffix(out, "/") + ".search"} {
			if rel, err := filepath.Rel(dir, f.path); err == nil && rel != ".." && !strings.HasPrefix(rel, "../") {
				probs.Errorf(c.Site.Pos("requests."+f.field), "requests."+f.field,
					"%s is inside %s, which every build replaces (and which may be served); keep it outside", f.path, dir)
			}
		}
	}
	return st, probs
}

// requestsSnapshot is what the service needs from the content.
func requestsSnapshot(c *generator.Content, st *requests.Settings) *requests.Snapshot {
	snap := &requests.Snapshot{Settings: *st}
	for _, a := range c.Site.Agencies {
		snap.Agencies = append(snap.Agencies, requests.Option{Code: a.Code, Name: a.Name})
	}
	for _, r := range c.ByKind("notice") {
		n := r.Entry.(*generator.Notice)
		agency := ""
		if h := r.H(); len(h.Agency) > 0 {
			agency = h.Agency[0].Name
		}
		snap.Notices = append(snap.Notices, requests.NoticeInfo{ID: r.Key, Title: r.Title(), URL: r.URL, Agency: agency,
			Opens: n.Comment.OpensAt.Format(time.DateOnly), Closes: n.Comment.ClosesAt.Format(time.DateOnly)})
	}
	snap.Calendar.Years, snap.Calendar.Holidays, snap.Calendar.Workdays = c.Cal.Data()
	return snap
}

// writeRequests writes the snapshot and the frames into the staging
// sidecar folder; with the service off it writes nothing, so serve leaves
// /apply/ to the static page.
func writeRequests(c *generator.Content, theme *generator.Theme, sf siteFlags, dir string) error {
	st, probs := requestSettings(c, sf)
	if len(probs) > 0 {
		return probs.Err()
	}
	if st == nil {
		return nil
	}
	data, err := requestsSnapshot(c, st).Encode()
	if err != nil {
		return fmt.Errorf("requests snapshot: %w", err)
	}
	if err := os.WriteFile(filepath.Join(dir, requests.SnapshotFile), data, 0o644); err != nil {
		return err
	}
	theme, err = theme.WithBasePath(c.Site.BasePath())
	if err != nil {
		return err
	}
	view := generator.NewView(c, theme)
	var apply, notice bytes.Buffer
	p := generator.ApplyPageFor(c, theme, reqMarker)
	p.Title = reqTitle
	if err := theme.Execute(&apply, "apply.html", p); err != nil {
		return fmt.Errorf("requests page: %w", err)
	}
	col := theme.T("svc_col_notice")
	np := &generator.Page{Template: "service.html", Title: reqTitle, Column: col, URL: "/notice/", NoIndex: true,
		Content: template.HTML(reqMarker), Crumbs: []generator.Crumb{{Title: col, URL: "/notice/"}}, Site: c.Site, Build: view}
	if err := theme.Execute(&notice, "service.html", np); err != nil {
		return fmt.Errorf("requests page: %w", err)
	}
	for name, buf := range map[string]*bytes.Buffer{reqApplyShell: &apply, reqNoticeShell: &notice} {
		if !strings.Contains(buf.String(), reqMarker) {
			return fmt.Errorf("requests page %s: the theme dropped the content", name)
		}
		if err := generator.CheckBasePath(buf.Bytes(), c.Site.BasePath()); err != nil {
			return fmt.Errorf("requests page %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), buf.Bytes(), 0o644); err != nil {
			return err
		}
	}
	return nil
}

// liveRequests holds the current build's snapshot and frames, reloaded
// when a build swaps a new sidecar folder in.
type liveRequests struct {
	dir    string
	mu     sync.Mutex
	ident  os.FileInfo
	snap   *requests.Snapshot
	shells map[string][2]string
}

func (l *liveRequests) current() (*requests.Snapshot, map[string][2]string, error) {
	fi, err := os.Stat(l.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("no build at %s: %w", l.dir, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ident != nil && os.SameFile(fi, l.ident) {
		return l.snap, l.shells, nil
	}
	snap, err := requests.ReadSnapshot(filepath.Join(l.dir, requests.SnapshotFile))
	if err != nil {
		return nil, nil, err
	}
	shells := map[string][2]string{}
	for _, name := range []string{reqApplyShell, reqNoticeShell} {
		b, err := os.ReadFile(filepath.Join(l.dir, name))
		if err != nil {
			return nil, nil, err
		}
		before, after, ok := strings.Cut(string(b), reqMarker)
		if !ok {
			return nil, nil, fmt.Errorf("%s has no content marker", name)
		}
		shells[name] = [2]string{before, after}
	}
	l.ident, l.snap, l.shells = fi, snap, shells
	return snap, shells, nil
}

// openRequests opens the database and the key named by the settings. A
// missing key file is created when the database holds nothing yet (the
// sample portal's first run); once data exists, only the key that sealed
// it is accepted.
func openRequests(ctx context.Context, st *requests.Settings, stdout io.Writer, log *slog.Logger) (*requests.Store, *requests.Sealer, error) {
	source := st.Path
	if st.Driver == requests.DriverPostgres {
		source = st.DSN
		if st.DSNEnv != "" {
			if source = os.Getenv(st.DSNEnv); source == "" {
				return nil, nil, fmt.Errorf("requests database: %s is not set (database.dsn_env in site.yaml)", st.DSNEnv)
			}
		}
	}
	store, err := requests.OpenStore(ctx, requests.StoreOptions{Driver: st.Driver, Source: source, Logger: log})
	if err != nil {
		return nil, nil, err
	}
	sealer, err := loadKey(ctx, st, store, stdout, log)
	if err == nil {
		err = store.UseKey(ctx, sealer)
	}
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	return store, sealer, nil
}

func loadKey(ctx context.Context, st *requests.Settings, store *requests.Store, stdout io.Writer, log *slog.Logger) (*requests.Sealer, error) {
	var text string
	if st.KeyEnv != "" {
		if text = os.Getenv(st.KeyEnv); text == "" {
			return nil, fmt.Errorf("requests key: %s is not set (key_env in site.yaml)", st.KeyEnv)
		}
	} else {
		b, err := os.ReadFile(st.KeyFile)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			empty, err := store.Empty(ctx)
			if err != nil {
				return nil, err
			}
			if !empty {
				id, _ := store.KeyID(ctx)
				return nil, fmt.Errorf("requests key: %s is missing and the database holds data sealed with key %s; restore that key file", st.KeyFile, id)
			}
			text = requests.NewKey()
			if err := os.MkdirAll(filepath.Dir(st.KeyFile), 0o700); err != nil {
				return nil, fmt.Errorf("requests key: %w", err)
			}
			f, err := os.OpenFile(st.KeyFile, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
			if err != nil {
				return nil, fmt.Errorf("requests key: %w", err)
			}
			_, werr := f.WriteString(text)
			if err := errors.Join(werr, f.Sync(), f.Close()); err != nil {
				return nil, fmt.Errorf("requests key: %w", err)
			}
			fmt.Fprintf(stdout, "created a new key for the requests service in %s: back it up, personal data sealed with it cannot be read without it\n", st.KeyFile)
		case err != nil:
			return nil, fmt.Errorf("requests key: %w", err)
		default:
			if fi, err := os.Stat(st.KeyFile); err == nil && fi.Mode().Perm()&0o077 != 0 {
				log.Warn("requests key file is readable by others; chmod 600 it", "file", st.KeyFile)
			}
			text = string(b)
		}
	}
	key, err := requests.ParseKey(text)
	if err != nil {
		return nil, fmt.Errorf("requests key: %w", err)
	}
	return requests.NewSealer(key)
}

// requestsService returns the online service when the build switched it
// on (its snapshot exists), else nil.
func requestsService(ctx context.Context, sf siteFlags, theme *generator.Theme, stdout io.Writer, log *slog.Logger, now func() time.Time) (http.Handler, io.Closer, error) {
	live := &liveRequests{dir: sf.indexDir()}
	snap, _, err := live.current()
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	st := snap.Settings
	store, sealer, err := openRequests(ctx, &st, stdout, log)
	if err != nil {
		return nil, nil, err
	}
	svc, err := requests.NewService(requests.ServiceOptions{
		Store: store, Sealer: sealer, Now: now, Logger: log,
		SubmissionsPerHour: st.SubmissionsPerHour, LookupsPerHour: st.LookupsPerHour, TrustedProxies: st.TrustedProxies,
		Site: func() (*requests.Snapshot, error) {
			s, _, err := live.current()
			return s, err
		},
		Render: func(w io.Writer, r *http.Request, v *requests.View) error {
			_, shells, err := live.current()
			if err != nil {
				return err
			}
			shell := shells[reqApplyShell]
			if strings.Contains(r.URL.Path, "/notice/") {
				shell = shells[reqNoticeShell]
			}
			var body bytes.Buffer
			if err := theme.Execute(&body, "req-"+v.Page+".html", v.Data); err != nil {
				return err
			}
			title := theme.T(v.TitleKey)
			if v.TitleArg != "" {
				title = fmt.Sprintf(title, v.TitleArg)
			}
			esc := template.HTMLEscapeString(title)
			io.WriteString(w, strings.ReplaceAll(shell[0], reqTitle, esc))
			w.Write(body.Bytes())
			_, err = io.WriteString(w, strings.ReplaceAll(shell[1], reqTitle, esc))
			return err
		},
	})
	if err != nil {
		store.Close()
		return nil, nil, err
	}
	fmt.Fprintf(stdout, "requests service on (%s): /apply/, /apply/status, /notice/ID/comment\n", st.Driver)
	return svc, store, nil
}
