package cli

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"gongkai/generator"
	"gongkai/search"
)

// siteMetaFile describes the build to the search service. It sits in the
// search folder beside the index and the results page shell, so `serve
// --no-build` knows what the build it serves was built for without reading
// content/.
const siteMetaFile = "site.json"

// siteMeta is the content of siteMetaFile.
type siteMeta struct {
	// BaseURL is the site's public URL; BasePath its path ("/zfxxgk/"),
	// the prefix every URL of the build carries.
	BaseURL  string `json:"base_url"`
	BasePath string `json:"base_path"`
	// CORSOrigins lists the origins allowed to call /api/search from a
	// browser (site.yaml api.cors_origins).
	CORSOrigins []string `json:"cors_origins,omitempty"`
	// Notes are shown with search results, by document id: an
	// interpretation whose document is repealed, expired or amended.
	Notes map[string]*search.Note `json:"notes,omitempty"`
}

func newSiteMeta(c *generator.Content, theme *generator.Theme) siteMeta {
	s := c.Site
	m := siteMeta{BaseURL: s.BaseURL, BasePath: s.BasePath(), CORSOrigins: s.API.CORSOrigins, Notes: map[string]*search.Note{}}
	b := &generator.Build{Content: c, Theme: theme}
	for _, r := range c.ByKind("interpretation") {
		ds := r.Entry.(*generator.Interpretation).DocStatus()
		if ds == nil {
			continue
		}
		n := &search.Note{Text: b.DocStatusText(ds)}
		for _, l := range ds.Links {
			n.Links = append(n.Links, search.NoteLink{Label: theme.T(ds.Label), Title: l.Title(), URL: s.URL(l.URL)})
		}
		m.Notes[r.URL] = n
	}
	return m
}

func writeSiteMeta(dir string, m siteMeta) error {
	data, err := json.MarshalIndent(m, "", " ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, siteMetaFile), append(data, '\n'), 0o644)
}

// readSiteMeta reads the description of the build whose search folder is
// dir. A build from before the file existed is served at the root.
func readSiteMeta(dir string) (siteMeta, error) {
	data, err := os.ReadFile(filepath.Join(dir, siteMetaFile))
	if errors.Is(err, fs.ErrNotExist) {
		return siteMeta{BasePath: "/"}, nil
	}
	if err != nil {
		return siteMeta{}, err
	}
	var m siteMeta
	if err := json.Unmarshal(data, &m); err != nil {
		return siteMeta{}, fmt.Errorf("read %s: %w", filepath.Join(dir, siteMetaFile), err)
	}
	if m.BasePath == "" {
		m.BasePath = "/"
	}
	if !strings.HasPrefix(m.BasePath, "/") || !strings.HasSuffix(m.BasePath, "/") {
		return siteMeta{}, fmt.Errorf("read %s: base_path %q must start and end with /", filepath.Join(dir, siteMetaFile), m.BasePath)
	}
	return m, nil
}
