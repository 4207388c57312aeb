package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"gongkai/generator"
	"gongkai/search"
)

// The search folder beside public/ holds the bleve index and the results
// page shell: the site's layout rendered at build time around a marker.
const (
	indexSub    = "index"
	shellFile   = "shell.html"
	shellTitle  = "GONGKAI-SEARCH-TITLE"
	shellMarker = "<!--GONGKAI-SEARCH-RESULTS-->"
)

// searchDocs converts the published records into search documents; this is
// the one place where the generator and the search index meet.
func searchDocs(c *generator.Content, texts []string) []search.Doc {
	docs := make([]search.Doc, len(c.Published))
	for i, r := range c.Published {
		h := r.H()
		names := make([]string, len(h.Agency))
		for j, a := range h.Agency {
			names[j] = a.Name
		}
		body := texts[i]
		if extra := r.SearchText(); extra != "" {
			body = extra + "\n" + body
		}
		d := search.Doc{
			ID: r.URL, Kind: r.Kind.Name, Title: h.Title, Summary: h.Summary, Body: body,
			DocNo: r.DocNo(), IndexNo: h.IndexNo, Agencies: names, Topic: r.Topic(),
			Validity: r.ValidityStatus(), Date: h.Published, Keywords: h.Keywords,
		}
		d.Hash = docHash(d)
		docs[i] = d
	}
	return docs
}

func docHash(d search.Doc) string {
	h := sha256.New()
	for _, s := range []string{d.ID, d.Kind, d.Title, d.Summary, d.Body, d.DocNo, d.IndexNo, strings.Join(d.Agencies, "\x01"),
		d.Topic, d.Validity, d.Date.Format("2006-01-02T15:04"), strings.Join(d.Keywords, "\x01")} {
		io.WriteString(h, s)
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// buildIndex writes the search index and the results page shell into the
// staging search folder, reusing unchanged documents of the live index.
func buildIndex(ctx context.Context, c *generator.Content, theme *generator.Theme, texts []string, stageDir, liveDir string, log *slog.Logger) (search.BuildStats, error) {
	stats, err := search.Build(ctx, filepath.Join(stageDir, indexSub), filepath.Join(liveDir, indexSub), searchDocs(c, texts), search.BuildOptions{Logger: log})
	if err != nil {
		return stats, fmt.Errorf("search index: %w", err)
	}
	var shell bytes.Buffer
	page := &generator.Page{Template: "search.html", Title: shellTitle, Column: theme.T("search"), URL: "/search",
		Content: template.HTML(shellMarker), NoIndex: true, Site: c.Site, Build: &generator.Build{Content: c, Theme: theme}}
	if err := theme.Execute(&shell, "search.html", page); err != nil {
		return stats, fmt.Errorf("search page: %w", err)
	}
	return stats, os.WriteFile(filepath.Join(stageDir, shellFile), shell.Bytes(), 0o644)
}

// liveIndex opens the index in dir and reopens it when a build swaps a new
// folder in, so results always match the pages being served.
type liveIndex struct {
	dir string
	mu  sync.Mutex
	cur *openIndex
}

type openIndex struct {
	ident  os.FileInfo
	ix     *search.Index
	shell  [3]string // before title, between title and results, after results
	refs   sync.WaitGroup
	closed bool
}

func (l *liveIndex) acquire() (*openIndex, func(), error) {
	fi, err := os.Stat(l.dir)
	if err != nil {
		return nil, nil, fmt.Errorf("no search index at %s: %w", l.dir, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur == nil || !os.SameFile(fi, l.cur.ident) {
		ix, err := search.Open(filepath.Join(l.dir, indexSub))
		if err != nil {
			return nil, nil, err
		}
		shell, err := os.ReadFile(filepath.Join(l.dir, shellFile))
		if err != nil {
			ix.Close()
			return nil, nil, err
		}
		next := &openIndex{ident: fi, ix: ix}
		next.shell, err = splitShell(string(shell))
		if err != nil {
			ix.Close()
			return nil, nil, err
		}
		if old := l.cur; old != nil {
			go func() { old.refs.Wait(); old.ix.Close() }()
		}
		l.cur = next
	}
	o := l.cur
	o.refs.Add(1)
	return o, o.refs.Done, nil
}

// splitShell cuts the shell at its title and its results marker. The title
// appears in several places (title, meta tags); all are filled per request.
func splitShell(s string) ([3]string, error) {
	var out [3]string
	before, after, ok := strings.Cut(s, shellMarker)
	if !ok {
		return out, fmt.Errorf("search shell has no results marker")
	}
	out[0], out[1], out[2] = before, "", after
	return out, nil
}

func (l *liveIndex) Close() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.cur != nil {
		l.cur.refs.Wait()
		err := l.cur.ix.Close()
		l.cur = nil
		return err
	}
	return nil
}

// searchHandler serves /search (HTML in the site's layout) and /api/search.
func searchHandler(dir string, theme *generator.Theme, log *slog.Logger) (http.Handler, *liveIndex) {
	live := &liveIndex{dir: dir}
	h := search.NewHandler(search.HandlerOptions{
		Logger: log,
		Index: func() (*search.Index, func()) {
			o, release, err := live.acquire()
			if err != nil {
				log.Error("search index", "err", err)
				return nil, func() {}
			}
			return o.ix, release
		},
		RenderHTML: func(w io.Writer, r *http.Request, resp *search.Response) error {
			o, release, err := live.acquire()
			if err != nil {
				return err
			}
			defer release()
			var body bytes.Buffer
			if err := theme.Execute(&body, "search-results.html", resp); err != nil {
				return err
			}
			title := theme.T("search")
			if resp.Query != "" {
				title = theme.T("search_results_for") + resp.Query
			}
			esc := template.HTMLEscapeString(title)
			io.WriteString(w, strings.ReplaceAll(o.shell[0], shellTitle, esc))
			w.Write(body.Bytes())
			_, err = io.WriteString(w, strings.ReplaceAll(o.shell[2], shellTitle, esc))
			return err
		},
	})
	return h, live
}
