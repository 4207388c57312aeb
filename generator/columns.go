package generator

import (
	"cmp"
	"slices"
	"strings"
	"time"
)

// Column is one column (栏目) of the site: a section with its own list or
// page. The columns give every page its government meta tags (ColumnName,
// ColumnDescription, ColumnKeywords, ColumnType) and make up the HTML site
// map. Their texts are UI strings: KEY (the name), KEY_desc, KEY_keywords
// (comma-separated) and KEY_type, so a theme can change them.
type Column struct {
	Key         string // UI-string key of the name, e.g. "col_policy"
	Name        string
	URL         string // site path; the column's pages are under it
	Description string
	Keywords    []string
	Type        string // 栏目类型: 信息发布, 解读回应, 办事服务, 互动交流
	// Listed reports whether URL is a page (the "page" kind has no list of
	// its own; its records are listed one by one in the site map).
	Listed bool
	// Links are the column's sub-pages shown in the site map: browse pages
	// and, for a column without a list, its records.
	Links []Crumb
}

// columns returns the site's columns, home first, in navigation order of
// the kinds, then the guide, applications, the catalogue, subscriptions,
// search and the site map itself.
func (b *Build) columns() []*Column {
	b.colOnce.Do(func() {
		mk := func(key, u string, listed bool) *Column {
			c := &Column{Key: key, Name: b.Theme.T(key), URL: u, Listed: listed}
			c.Description, _ = b.Theme.Lookup(key + "_desc")
			if kw, ok := b.Theme.Lookup(key + "_keywords"); ok {
				for _, k := range strings.Split(kw, ",") {
					if k = strings.TrimSpace(k); k != "" {
						c.Keywords = append(c.Keywords, k)
					}
				}
			}
			c.Type, _ = b.Theme.Lookup(key + "_type")
			return c
		}
		cols := []*Column{mk("col_home", "/", true)}
		for _, k := range b.Kinds {
			if len(b.ByKind(k.Name)) == 0 && k.Outputs == nil {
				continue
			}
			c := mk(k.Column, k.Section, k.Outputs != nil)
			if k.Outputs == nil {
				for _, r := range b.ByKind(k.Name) {
					c.Links = append(c.Links, Crumb{r.Title(), r.URL})
				}
				slices.SortFunc(c.Links, func(x, y Crumb) int { return strings.Compare(x.URL, y.URL) })
			}
			cols = append(cols, c)
		}
		if b.Directory != nil {
			c := mk("col_directory", "/directory/", true)
			for _, cat := range b.Directory.Roots {
				c.Links = append(c.Links, Crumb{cat.Name, cat.URL()})
			}
			cols = append(cols, c)
		}
		cols = append(cols, mk("col_guide", "/guide/", true), mk("apply_column", ApplyURL, true), mk("col_catalogue", "/catalogue/", true),
			mk("feed_subscribe", "/subscribe/", true), mk("search", "/search", true), mk("col_sitemap", "/sitemap/", true))
		b.cols = cols
	})
	return b.cols
}

// columnFor returns the column a page at site path u belongs to: the one
// with the longest URL u starts with, or nil.
func (b *Build) columnFor(u string) *Column {
	var best *Column
	for _, c := range b.columns() {
		match := u == c.URL || (c.URL != "/" && strings.HasSuffix(c.URL, "/") && strings.HasPrefix(u, c.URL))
		if match && (best == nil || len(c.URL) > len(best.URL)) {
			best = c
		}
	}
	return best
}

// MetaTag is one government page meta tag (<meta name content>).
type MetaTag struct {
	Name, Content string
}

// Meta returns the page's government meta tags in the order of the national
// web page design rules (政府网站网页设计规范): the site's, the column's and,
// on a record's page, the article's. A tag whose value is unknown is left
// out, never written empty.
func (p *Page) Meta() []MetaTag {
	var out []MetaTag
	add := func(name, v string) {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, MetaTag{name, v})
		}
	}
	s := p.Site
	add("SiteName", s.Name)
	add("SiteDomain", s.Domain())
	add("SiteIDCode", s.SiteIDCode)
	col := p.column
	b := p.b
	if b == nil && p.Build != nil {
		b = p.Build.b // a page rendered outside a build (the search shell)
	}
	if col == nil && b != nil {
		col = b.columnFor(p.URL)
	}
	desc, keywords := p.Description, p.Keywords
	if col != nil {
		add("ColumnName", col.Name)
		add("ColumnDescription", col.Description)
		add("ColumnKeywords", strings.Join(col.Keywords, ","))
		add("ColumnType", col.Type)
		if desc == "" {
			desc = col.Description
		}
	} else {
		add("ColumnName", p.Column)
	}
	article := p.Record
	if article == nil {
		article = p.target
	}
	if article != nil {
		h := article.H()
		add("ArticleTitle", h.Title)
		add("PubDate", pubDate(h.Published))
		add("ContentSource", agencyNameList(h.Agency))
		keywords, desc = h.Keywords, cmp.Or(h.Summary, desc)
	} else if len(keywords) == 0 && col != nil {
		keywords = col.Keywords
	}
	add("Keywords", strings.Join(keywords, ","))
	if article != nil {
		add("Author", recordAuthor(article))
	}
	add("Description", desc)
	add("Url", p.CanonicalURL())
	return out
}

// pubDate formats a publication date as the meta tag wants it:
// YYYY-MM-DD HH:MM in +08:00 (00:00 when the record gives only the day).
func pubDate(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(China).Format("2006-01-02 15:04")
}

// recordAuthor returns the author of a record as its kind names it
// (Entry.Author): the spokesperson of a release, else the issuing agencies.
func recordAuthor(r *Record) string { return r.Entry.Author() }

// CanonicalURL returns the absolute URL search engines should index for the
// page: its own, or for a redirect stub the page it points to.
func (p *Page) CanonicalURL() string {
	if p.canonical != "" {
		return p.Site.AbsURL(p.canonical)
	}
	return p.AbsURL()
}

// SiteMap is the data of the HTML site map page.
type SiteMap struct {
	Columns []*Column
}

// siteMap writes /sitemap/: every column with its browse pages.
func (b *Build) siteMap(outs []Output) Output {
	// A column's sub-pages are the folder pages one level below it that the
	// build writes (/policy/agency/, /fee/year/): browse pages, not pagers.
	cols := b.columns()
	subs := map[*Column][]Crumb{}
	for _, o := range outs {
		if o.Page == nil || o.NoSitemap || !strings.HasSuffix(o.URL, "/") {
			continue
		}
		c := b.columnFor(o.URL)
		if c == nil || c.URL == o.URL || c.URL == "/" {
			continue
		}
		rest := strings.TrimSuffix(strings.TrimPrefix(o.URL, c.URL), "/")
		if strings.Contains(rest, "/") || rest == "page" {
			continue
		}
		subs[c] = append(subs[c], Crumb{o.Page.Title, o.URL})
	}
	var shown []*Column
	for _, c := range cols {
		if c.URL == "/" || c.URL == "/sitemap/" {
			continue
		}
		cc := *c
		cc.Links = append(slices.Clone(c.Links), subs[c]...)
		shown = append(shown, &cc)
	}
	title := b.Theme.T("col_sitemap")
	return Output{URL: "/sitemap/", Page: &Page{Template: "sitemap.html", Title: title, Column: title,
		Data: SiteMap{Columns: shown}}}
}
