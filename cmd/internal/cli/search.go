package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"html/template"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"gongkai/generator"
	"gongkai/internal/par"
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
// the one place where the generator and the search index meet. texts and
// headings are the render's Result.Texts and Result.Headings: the page text
// of records with structured fields, the Markdown text of the others. sums
// (Result.TextSums) holds the SHA-256 of the texts the render knew, zero
// for the others, which are hashed here.
//
// warm, when not nil, keeps the sums of the bodies from one build to the
// next (a live preview's): a body text that did not change is the same
// string in memory (from the render's body cache), and is hashed once.
func searchDocs(c *generator.Content, texts []string, headings [][]string, sums [][32]byte, warm *generator.Warm) []search.Doc {
	docs := make([]search.Doc, len(c.Published))
	// Side by side, each worker with its own hasher over a run of records.
	par.Runs(len(docs), func(lo, hi int) {
		dh := docHasher{h: sha256.New(), warm: warm}
		for i := lo; i < hi; i++ {
			var sum [32]byte
			if i < len(sums) {
				sum = sums[i]
			}
			docs[i] = searchDoc(c, c.Published[i], texts, headings, i, sum, &dh)
		}
	})
	return docs
}

// searchDoc returns the search document of r, the i-th published record;
// body, when not zero, is the SHA-256 of its text.
func searchDoc(c *generator.Content, r *generator.Record, texts []string, headings [][]string, i int, body [32]byte, dh *docHasher) search.Doc {
	h := r.H()
	names := make([]string, len(h.Agency))
	for j, a := range h.Agency {
		names[j] = a.Name
	}
	d := search.Doc{
		ID: r.URL, Kind: r.Kind.Name, Title: h.Title, Summary: h.Summary, Body: texts[i],
		DocNo: r.DocNo(), IndexNo: h.IndexNo, Agencies: names, Topic: r.Topic(),
		Validity: r.ValidityStatus(), Date: h.Published, Keywords: h.Keywords,
	}
	if cat := c.Primary(r); cat != nil {
		d.Category = cat.Path()
	}
	if i < len(headings) {
		d.Headings = headings[i]
	}
	// The category is a facet, not indexed text: the hash leaves it out,
	// and the index takes it afresh for every document.
	d.Hash = dh.hash(d, body)
	return d
}

// docHasher hashes search documents (hash) one after another with one
// digest and one buffer: the digest takes bytes, and a string converted
// for it is a copy allocated per document (of every body, per build).
// The body goes in as its own sum: the caller's when it has it, else
// computed, and kept by warm (searchDocs).
type docHasher struct {
	h    hash.Hash
	buf  []byte
	warm *generator.Warm
}

// hash returns d's hash; body is the SHA-256 of d.Body, or zero when the
// caller does not know it.
func (dh *docHasher) hash(d search.Doc, body [32]byte) string {
	if body == ([32]byte{}) {
		body = dh.warm.TextSum(d.Body, func() [32]byte {
			dh.buf = append(dh.buf[:0], d.Body...)
			return sha256.Sum256(dh.buf)
		})
	}
	h := dh.h
	h.Reset()
	for _, s := range []string{d.ID, d.Kind, d.Title, d.Summary, string(body[:]), d.DocNo, d.IndexNo, strings.Join(d.Agencies, "\x01"),
		d.Topic, d.Validity, d.Date.Format("2006-01-02T15:04"), strings.Join(d.Keywords, "\x01"), strings.Join(d.Headings, "\x01")} {
		dh.buf = append(append(dh.buf[:0], s...), 0)
		h.Write(dh.buf)
	}
	return hex.EncodeToString(h.Sum(dh.buf[:0])[:16])
}

// searchSettings gathers what the search takes from the site and its theme:
// the synonyms of site.yaml (with the defaults unless turned off), the UI
// strings of the results page, the kinds' names (their column names, as in
// the navigation), the columns of the navigation and the request page.
func searchSettings(c *generator.Content, theme *generator.Theme) *search.Settings {
	cfg := c.Site.Search
	// Links the results page offers carry the site's base path.
	st := &search.Settings{Labels: map[string]string{}, KindLabels: map[string]string{}}
	if cfg.ApplyURL != "" {
		st.ApplyURL = c.Site.URL(cfg.ApplyURL)
	}
	if cfg.DefaultSynonyms == nil || *cfg.DefaultSynonyms {
		st.Synonyms = append(st.Synonyms, search.DefaultSynonyms...)
	}
	st.Synonyms = append(st.Synonyms, cfg.Synonyms...)
	if st.Synonyms == nil {
		st.Synonyms = [][]string{}
	}
	for _, k := range search.LabelKeys {
		st.Labels[k] = theme.T(k)
	}
	kinds := generator.Kinds()
	for _, k := range kinds {
		st.KindLabels[k.Name] = theme.T(k.Column)
	}
	for _, n := range c.Site.Nav {
		col := search.Column{Label: n.Title, URL: c.Site.URL(n.URL)}
		for _, k := range kinds {
			if k.Section == n.URL {
				col.Kinds = append(col.Kinds, k.Name)
			}
		}
		if len(col.Kinds) > 0 {
			st.Columns = append(st.Columns, col)
		}
	}
	return st
}

// buildIndex writes the search index of docs (searchDocs, which it only
// reads) and the results page shell into the staging search folder,
// reusing unchanged documents of the live index.
func buildIndex(ctx context.Context, c *generator.Content, theme *generator.Theme, docs []search.Doc, stageDir, liveDir string, log *slog.Logger) (search.BuildStats, error) {
	stats, err := search.Build(ctx, filepath.Join(stageDir, indexSub), filepath.Join(liveDir, indexSub), docs,
		search.BuildOptions{Logger: log, Settings: searchSettings(c, theme)})
	if err != nil {
		return stats, fmt.Errorf("search index: %w", err)
	}
	theme, err = theme.WithBasePath(c.Site.BasePath())
	if err != nil {
		return stats, err
	}
	var shell bytes.Buffer
	page := &generator.Page{Template: "search.html", Title: shellTitle, Column: theme.T("search"), URL: "/search",
		Content: template.HTML(shellMarker), NoIndex: true, Site: c.Site, Build: generator.NewView(c, theme)}
	if err := theme.Execute(&shell, "search.html", page); err != nil {
		return stats, fmt.Errorf("search page: %w", err)
	}
	if err := generator.CheckBasePath(shell.Bytes(), c.Site.BasePath()); err != nil {
		return stats, fmt.Errorf("search page: %w", err)
	}
	if err := writeSiteMeta(stageDir, newSiteMeta(c, theme)); err != nil {
		return stats, fmt.Errorf("search folder: %w", err)
	}
	return stats, os.WriteFile(filepath.Join(stageDir, shellFile), shell.Bytes(), 0o644)
}

// liveIndex opens the index in dir and reopens it when a build swaps a new
// folder in, so results always match the pages being served. The index
// itself is held by a search.Holder, which closes a swapped-out index once
// its last request is done.
type liveIndex struct {
	dir    string
	holder search.Holder
	mu     sync.Mutex
	ident  os.FileInfo
	shell  [2]string // the results page before and after the results
	notes  map[string]*search.Note
}

// refresh reopens the index and shell when the folder at dir changed.
func (l *liveIndex) refresh() error {
	fi, err := os.Stat(l.dir)
	if err != nil {
		return fmt.Errorf("no search index at %s: %w", l.dir, err)
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.ident != nil && os.SameFile(fi, l.ident) {
		return nil
	}
	shell, err := os.ReadFile(filepath.Join(l.dir, shellFile))
	if err != nil {
		return err
	}
	before, after, ok := strings.Cut(string(shell), shellMarker)
	if !ok {
		return fmt.Errorf("search shell %s has no results marker", filepath.Join(l.dir, shellFile))
	}
	meta, err := readSiteMeta(l.dir)
	if err != nil {
		return err
	}
	ix, err := search.Open(filepath.Join(l.dir, indexSub))
	if err != nil {
		return err
	}
	l.holder.Swap(ix)
	l.ident, l.shell, l.notes = fi, [2]string{before, after}, meta.Notes
	return nil
}

// note returns the note of the current build for document id.
func (l *liveIndex) note(id string) *search.Note {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.notes[id]
}

// acquire returns the current index and the function that releases it.
func (l *liveIndex) acquire() (*search.Index, func(), error) {
	if err := l.refresh(); err != nil {
		return nil, func() {}, err
	}
	ix, release := l.holder.Acquire()
	return ix, release, nil
}

// currentShell returns the results page shell of the current build.
func (l *liveIndex) currentShell() [2]string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.shell
}

func (l *liveIndex) Close() error {
	l.holder.Close()
	return nil
}

// searchHandler serves /search (HTML in the site's layout) and /api/search
// for a site served under the base path prefix ("/" or "/zfxxgk/").
func searchHandler(dir string, theme *generator.Theme, prefix string, log *slog.Logger) (http.Handler, *liveIndex) {
	live := &liveIndex{dir: dir}
	h := search.NewHandler(search.HandlerOptions{
		Logger:          log,
		UnavailableText: theme.T("search_unavailable"),
		Prefix:          strings.TrimSuffix(prefix, "/"),
		Notes:           live.note,
		Index: func() (*search.Index, func()) {
			ix, release, err := live.acquire()
			if err != nil {
				log.Error("search index", "err", err)
			}
			return ix, release
		},
		RenderHTML: func(w io.Writer, r *http.Request, resp *search.Response) error {
			shell := live.currentShell()
			var body bytes.Buffer
			if err := theme.Execute(&body, "search-results.html", resp); err != nil {
				return err
			}
			title := theme.T("search")
			if resp.Query != "" {
				title = theme.T("search_results_for") + resp.Query
			}
			esc := template.HTMLEscapeString(title)
			io.WriteString(w, strings.ReplaceAll(shell[0], shellTitle, esc))
			w.Write(body.Bytes())
			_, err := io.WriteString(w, strings.ReplaceAll(shell[1], shellTitle, esc))
			return err
		},
	})
	return h, live
}
