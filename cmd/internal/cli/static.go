package cli

import (
	"bytes"
	"context"
	"fmt"
	"html/template"
	"log/slog"
	"os"
	"path/filepath"

	"gongkai/generator"
	"gongkai/search"
	"gongkai/staticsearch"
)

// staticModeFile, in the search folder beside public/, marks a site built
// with "search: static": serve leaves /search to the static page.
const staticModeFile = "search-mode-static"

// staticOnly reports whether the build in the search folder dir was made
// with "search: static".
func staticOnly(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, staticModeFile))
	return err == nil
}

// staticLabels are the theme's strings of the results page beyond
// search.LabelKeys, which the static client renders with.
var staticLabels = []string{
	"search", "search_label", "search_button", "search_results_for", "search_count", "page_n", "search_filters",
	"remove_filter", "clear_filters", "sort_by", "search_matched", "pager", "prev", "next", "search_refine",
	"search_static_about", "search_static_failed",
}

// writeStaticSearch writes the static search (the index of the published
// records, the client script and the results page at /search/) into the
// staging folder out, reusing the chunks of the live folder prev and the
// analysis of unchanged documents that the previous build left in its state
// folder prevState ("" for none) under the same salt; this build's analysis
// goes into the state folder state. The page runs the client whenever it
// is reached: a site whose search service is not there (search: static, a
// plain file host, an archive copy) still searches.
func writeStaticSearch(ctx context.Context, c *generator.Content, theme *generator.Theme, docs []search.Doc, out, prev, state, prevState string, salt []byte, compress, preview bool, log *slog.Logger) (staticsearch.Stats, error) {
	mode := filepath.Join(state, staticModeFile)
	if c.Site.Search.Mode == "static" {
		if err := os.WriteFile(mode, []byte("static\n"), 0o644); err != nil {
			return staticsearch.Stats{}, err
		}
	}
	theme, err := theme.WithBasePath(c.Site.BasePath())
	if err != nil {
		return staticsearch.Stats{}, err
	}
	labels := map[string]string{}
	for _, k := range staticLabels {
		labels[k] = theme.T(k)
	}
	st, err := staticsearch.Write(ctx, out, prev, docs, staticsearch.Options{
		Settings: searchSettings(c, theme), Labels: labels, SearchPath: c.Site.URL("/search"),
		Base: c.Site.BasePath(), Precompress: compress, Logger: log, State: state, PrevState: prevState, Salt: salt,
	})
	if err != nil {
		return st, err
	}
	if err := staticsearch.WriteClient(out, compress); err != nil {
		return st, fmt.Errorf("static search client: %w", err)
	}
	shell := fmt.Sprintf(`<div id="gk-search" data-index="%s" data-path="%s" data-failed="%s">
<h1>%s</h1>
<noscript><div class="msg" role="status"><p>%s</p></div></noscript>
<p class="gk-status" role="status" data-js>%s</p>
</div>
<script type="module" src="%s"></script>`,
		template.HTMLEscapeString(c.Site.URL("/"+staticsearch.ManifestPath)), template.HTMLEscapeString(c.Site.URL("/search")),
		template.HTMLEscapeString(theme.T("search_static_failed")),
		template.HTMLEscapeString(theme.T("search")), template.HTMLEscapeString(theme.T("search_static_nojs")),
		template.HTMLEscapeString(theme.T("search_static_loading")), template.HTMLEscapeString(c.Site.URL("/"+staticsearch.ClientPath())))
	var page bytes.Buffer
	p := &generator.Page{Template: "search.html", Title: theme.T("search"), Column: theme.T("search"), URL: "/search/",
		Content: template.HTML(shell), NoIndex: true, Site: c.Site, Build: generator.NewView(c, theme)}
	if err := theme.Execute(&page, "search.html", p); err != nil {
		return st, fmt.Errorf("static search page: %w", err)
	}
	if err := generator.CheckBasePath(page.Bytes(), c.Site.BasePath()); err != nil {
		return st, fmt.Errorf("static search page: %w", err)
	}
	html := page.Bytes()
	if preview {
		html = generator.InjectPreview(html, c.Site.BasePath()) // a live preview's page, like every other
	}
	return st, staticsearch.WriteServed(filepath.Join(out, "search", "index.html"), html, compress)
}
