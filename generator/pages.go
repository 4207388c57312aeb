package generator

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// List is a paginated list of records.
type List struct {
	Title   string
	Items   []*Record
	Page    int // 1-based
	Pages   int
	Total   int
	Prev    string
	Next    string
	Numbers []PageLink
	Facets  []Facet // browsing links shown beside the list
}

// PageLink is one numbered link of a pager.
type PageLink struct {
	N       int
	URL     string
	Current bool
}

// Facet is a group of browsing links, such as "by agency".
type Facet struct {
	Title string
	Links []FacetLink
	Total int    // number of groups; Links may show fewer
	All   string // URL of the page listing every group
}

// FacetLink is one browsing link with its count.
type FacetLink struct {
	Title   string
	URL     string
	Count   int
	Current bool
	Child   bool
}

// plan lists every page and generated file of the site.
func (b *Build) plan() []Output {
	// The records' pages with their kinds' lists, the directory's pages
	// and the catalogue only read the content: they are planned side by
	// side, and put together in this order.
	var kinds, dir, cat []Output
	var wg sync.WaitGroup
	wg.Go(func() { dir = b.directoryOutputs() })
	wg.Go(func() { cat = b.catalogue() })
	kinds = b.kindOutputs()
	wg.Wait()
	outs := kinds
	outs = append(outs, dir...)
	outs = append(outs, b.guide(), b.applyPage(), b.notFound(), b.robots())
	outs = append(outs, cat...)
	outs = append(outs, b.feedOutputs()...)
	outs = append(outs, b.redirectPages()...)
	outs = append(outs, b.badge()...)
	outs = append(outs, b.siteMap(outs))
	return outs
}

// kindOutputs plans the home page, every record's page and each kind's
// own outputs.
func (b *Build) kindOutputs() []Output {
	var outs []Output
	outs = append(outs, b.home())
	for _, k := range b.Kinds {
		for _, r := range b.ByKind(k.Name) {
			h := r.H()
			p := &Page{
				Template: k.Template, Title: h.Title, Record: r, Description: h.Summary,
				Keywords: h.Keywords, PubDate: h.Published, HasTime: h.HasTime, Source: agencyNameList(h.Agency),
				Crumbs: b.kindCrumbs(k, r),
			}
			if k.PageData != nil {
				p.Data = k.PageData(b, r)
			}
			outs = append(outs, Output{URL: r.URL, Page: p})
		}
		if k.Outputs != nil {
			outs = append(outs, k.Outputs(b)...)
		}
	}
	return outs
}

// badge writes the site's identification badge (党政机关网站标识) and its
// masthead emblem, which are served from the site itself, never hot-linked.
func (b *Build) badge() []Output {
	id := &b.Site.Identity
	var outs []Output
	for _, img := range []struct {
		url  string
		data []byte
	}{{id.badgeURL, id.badge}, {id.emblemURL, id.emblem}} {
		if img.url == "" || (len(outs) > 0 && outs[0].URL == img.url) {
			continue
		}
		outs = append(outs, Output{URL: img.url, NoSitemap: true, Write: func(w io.Writer) error {
			_, err := w.Write(img.data)
			return err
		}})
	}
	return outs
}

// kindCrumbs links a record's page to its kind's list, when the kind has
// one, else to its category of the directory.
func (b *Build) kindCrumbs(k *Kind, r *Record) []Crumb {
	if k.Outputs != nil {
		return []Crumb{{b.Theme.T(k.Column), k.Section}}
	}
	if c := b.Primary(r); c != nil {
		return []Crumb{{b.Theme.T("col_directory"), "/directory/"}, {c.Title(), c.URL()}}
	}
	return nil
}

func agencyNameList(as []*Agency) string {
	names := make([]string, len(as))
	for i, a := range as {
		names[i] = a.Name
	}
	return strings.Join(names, "、")
}

// HomeColumn is one column on the home page with its number of records.
type HomeColumn struct {
	Title string
	URL   string
	Total int
}

// HomePage is the data of the home page: the newest records of every
// column it shows, one line per column, and the directory's top-level
// categories that have records.
type HomePage struct {
	Latest     []*Record
	Columns    []HomeColumn
	Categories []*Category
}

// homeLatest is the number of records in the home page's newest list.
const homeLatest = 8

func (b *Build) home() Output {
	var data HomePage
	for _, k := range b.Kinds {
		items := b.ByKind(k.Name)
		if len(items) == 0 || !k.Home {
			continue
		}
		data.Columns = append(data.Columns, HomeColumn{Title: b.Theme.T(k.Column), URL: k.Section, Total: len(items)})
		data.Latest = append(data.Latest, items[:min(len(items), homeLatest)]...)
	}
	slices.SortStableFunc(data.Latest, newestFirst)
	data.Latest = data.Latest[:min(len(data.Latest), homeLatest)]
	if b.Directory != nil {
		for _, c := range b.Directory.Roots {
			if len(c.Records) > 0 {
				data.Categories = append(data.Categories, c)
			}
		}
	}
	// The home page announces the site-wide feed and the main feed of each
	// kind it shows a column of.
	feeds := b.feedsAt("/feeds/all")
	for _, k := range b.Kinds {
		if k.Home && k.Feeds != nil {
			if f := b.kindFeed(k); f != nil {
				feeds = append(feeds, f)
			}
		}
	}
	var newest *Record
	for _, r := range b.Published {
		if newest == nil || r.Date().After(newest.Date()) {
			newest = r
		}
	}
	p := &Page{Template: "home.html", Title: b.Site.Name, Column: b.Theme.T("col_home"), Data: data,
		Description: b.Site.Name, feeds: feeds}
	if newest != nil {
		p.PubDate = newest.Date()
	}
	return Output{URL: "/", Page: p}
}

// paginate splits items into list pages under base ("/policy/" gives
// /policy/, /policy/page/2.html, …).
// Every page announces feeds.
func (b *Build) paginate(base, title, column string, items []*Record, facets []Facet, crumbs []Crumb, feeds []*Feed) []Output {
	per := b.Site.PerPage
	pages := max(1, (len(items)+per-1)/per)
	outs := make([]Output, 0, pages)
	for n := 1; n <= pages; n++ {
		l := newList(base, n, pages, len(items))
		l.Title, l.Items, l.Facets = title, items[(n-1)*per:min(n*per, len(items))], facets
		t := title
		if n > 1 {
			t = fmt.Sprintf("%s（%s）", title, fmt.Sprintf(b.Theme.T("page_n"), n))
		}
		p := &Page{Template: "list.html", Title: t, Column: column, List: l, Crumbs: crumbs, feeds: feeds}
		if len(l.Items) > 0 {
			p.PubDate = l.Items[0].Date()
		}
		outs = append(outs, Output{URL: pageURL(base, n), Page: p})
	}
	return outs
}

// pageURL is the URL of page n of the list at base: base, base/page/2.html,
// …. Later pages are files, not folders: a folder per page costs a mkdir
// each, which dominates builds on slow disks.
func pageURL(base string, n int) string {
	if n == 1 {
		return base
	}
	return base + "page/" + strconv.Itoa(n) + ".html"
}

// newList returns page n of pages of a list at base with its pager links.
func newList(base string, n, pages, total int) *List {
	l := &List{Page: n, Pages: pages, Total: total}
	if n > 1 {
		l.Prev = pageURL(base, n-1)
	}
	if n < pages {
		l.Next = pageURL(base, n+1)
	}
	for m := max(1, n-4); m <= min(pages, n+4); m++ {
		l.Numbers = append(l.Numbers, PageLink{N: m, URL: pageURL(base, m), Current: m == n})
	}
	return l
}

// group is one value of a way to browse a list (an agency, a topic, a
// year) with its records.
type group struct {
	title, url string
	items      []*Record
	child      bool
	feed       string // the path of the group's own feed, "" for the list's
}

// dimension is one way to browse a kind's list: by agency, topic, year or
// validity. seg is its URL segment ("agency").
type dimension struct {
	seg, title string
	groups     []*group
}

// agencyGroups returns one group per agency of the site, in site order,
// under base+"agency/", and an index by agency code.
func (b *Build) agencyGroups(base string) ([]*group, map[string]*group) {
	idx := map[string]*group{}
	var gs []*group
	for _, a := range b.Site.Agencies {
		g := &group{title: a.Name, url: base + "agency/" + a.Code + "/"}
		idx[a.Code] = g
		gs = append(gs, g)
	}
	return gs, idx
}

// yearGroups groups records by the year of their publication date, newest
// year first, under base+"year/".
func yearGroups(base string, rs []*Record) []*group {
	idx := map[int]*group{}
	var gs []*group
	for _, r := range rs {
		y := r.Date().In(China).Year()
		if idx[y] == nil {
			idx[y] = &group{title: strconv.Itoa(y), url: base + "year/" + strconv.Itoa(y) + "/"}
			gs = append(gs, idx[y])
		}
		idx[y].items = append(idx[y].items, r)
	}
	slices.SortFunc(gs, func(a, b *group) int { return cmp.Compare(b.title, a.title) })
	return gs
}

// facetedLists writes the list of all records at base, a list per group of
// every dimension, and a browse page per dimension (base+"agency/", …)
// listing every group with its count. A list page's sidebar shows the
// largest groups of each dimension and links to the browse page. Every page
// announces the feed at feed, or its group's own feed when it has one.
func (b *Build) facetedLists(base, col, feed string, all []*Record, dims []dimension) []Output {
	const sideLinks = 12
	facet := func(d dimension, current string, full bool) Facet {
		f := Facet{Title: d.title}
		if !full {
			f.All = base + d.seg + "/"
		}
		var links []FacetLink
		for _, g := range d.groups {
			if len(g.items) == 0 {
				continue
			}
			links = append(links, FacetLink{Title: g.title, URL: g.url, Count: len(g.items), Current: g.url == current, Child: g.child})
		}
		f.Total = len(links)
		if !full && len(links) > sideLinks {
			top := slices.Clone(links)
			slices.SortStableFunc(top, func(a, b FacetLink) int { return cmp.Compare(b.Count, a.Count) })
			keep := map[string]bool{}
			for _, l := range top[:sideLinks] {
				keep[l.URL] = true
			}
			links = slices.DeleteFunc(links, func(l FacetLink) bool { return !keep[l.URL] && !l.Current })
		}
		f.Links = links
		return f
	}
	facets := func(current string) []Facet {
		out := make([]Facet, len(dims))
		for i, d := range dims {
			out[i] = facet(d, current, false)
		}
		return out
	}
	crumbs := []Crumb{{col, base}}
	feeds := b.feedsAt(feed)
	outs := b.paginate(base, col, col, all, facets(base), nil, feeds)
	for _, d := range dims {
		outs = append(outs, Output{URL: base + d.seg + "/", Page: &Page{Template: "browse.html", Title: col + "：" + d.title,
			Column: col, Crumbs: crumbs, Data: facet(d, "", true), feeds: feeds}})
		for _, g := range d.groups {
			if len(g.items) > 0 {
				gf := feeds
				if g.feed != "" {
					gf = b.feedsAt(g.feed)
				}
				outs = append(outs, b.paginate(g.url, col+"："+g.title, col, g.items, facets(g.url), crumbs, gf)...)
			}
		}
	}
	return outs
}

// policyOutputs writes the policy lists: all, by agency, topic, year and validity.
func policyOutputs(b *Build) []Output {
	all := b.ByKind("policy")
	const base = "/policy/"
	byAgency, agencyIdx := b.agencyGroups(base)
	var byTopic, byValidity []*group
	topicIdx := map[string]*group{}
	for _, t := range b.Site.AllTopics() {
		g := &group{title: t.Name, url: base + "topic/" + t.Code + "/", child: t.Parent != nil, feed: b.policyTopicFeed(t).Path}
		topicIdx[t.Key] = g
		byTopic = append(byTopic, g)
	}
	validityIdx := map[string]*group{}
	for _, v := range ValidityOrder {
		g := &group{title: v, url: base + "validity/" + validityCodes[v] + "/"}
		validityIdx[v] = g
		byValidity = append(byValidity, g)
	}
	for _, r := range all {
		p := r.Entry.(*Policy)
		// A value the checks reject (an unknown status) has no group: the
		// load that plans to check the body links reports it instead.
		add := func(g *group) {
			if g != nil {
				g.items = append(g.items, r)
			}
		}
		for _, a := range p.Agency {
			add(agencyIdx[a.Code])
		}
		if t := p.TopicRef; t != nil {
			add(topicIdx[t.Key])
			if t.Parent != nil {
				add(topicIdx[t.Parent.Key])
			}
		}
		add(validityIdx[p.Validity.Status])
	}
	for _, a := range b.Site.AgencyList() {
		agencyIdx[a.Code].feed = b.policyAgencyFeed(a).Path
	}
	return b.facetedLists(base, b.Theme.T("col_policy"), b.policyFeed().Path, all, []dimension{
		{"agency", b.Theme.T("by_agency"), byAgency},
		{"topic", b.Theme.T("by_topic"), byTopic},
		{"year", b.Theme.T("by_year"), yearGroups(base, all)},
		{"validity", b.Theme.T("by_validity"), byValidity},
	})
}

func interpretationOutputs(b *Build) []Output {
	col := b.Theme.T("col_interpretation")
	return b.paginate("/interpretation/", col, col, b.ByKind("interpretation"), nil, nil, b.feedsAt("/feeds/all"))
}

func (b *Build) guide() Output {
	var office *Agency
	if b.Site.Office != "" {
		office = b.Site.Agency(b.Site.Office)
	}
	return Output{URL: "/guide/", Page: &Page{Template: "guide.html", Title: b.Theme.T("col_guide"),
		Column: b.Theme.T("col_guide"), Data: office, Description: b.Theme.T("guide_description"), PubDate: b.Site.GuideDate}}
}

func (b *Build) notFound() Output {
	return Output{URL: "/404.html", NoSitemap: true, Page: &Page{Template: "404.html", Title: b.Theme.T("not_found"), NoIndex: true}}
}

func (b *Build) robots() Output {
	return Output{URL: "/robots.txt", Write: func(w io.Writer) error {
		// Under a base path this file is served as /zfxxgk/robots.txt, where
		// crawlers do not look: the portal merges these lines into its own
		// /robots.txt (docs/deploy.md).
		_, err := fmt.Fprintf(w, "User-agent: *\nDisallow: %s\nDisallow: %s\nSitemap: %s\n",
			b.Site.URL("/search"), b.Site.URL("/api/"), b.Site.AbsURL("/sitemap.xml"))
		return err
	}}
}

// CatalogueEntry is one row of the disclosure catalogue (公开目录).
type CatalogueEntry struct {
	Record   *Record
	Kind     string    // UI label of the kind
	Category *Category // the record's category in the directory, nil for none
	Date     string    // 生成日期: date written for documents, else date published
}

func (b *Build) catalogueEntries() []CatalogueEntry {
	var out []CatalogueEntry
	for _, r := range b.Published {
		h := r.H()
		if h.IndexNo == "" {
			continue
		}
		d := r.Entry.DateFormed()
		out = append(out, CatalogueEntry{Record: r, Kind: b.Theme.T(r.Kind.Column), Category: b.Primary(r), Date: d.Format("2006-01-02")})
	}
	// The catalogue is organised by the directory: category by category in
	// tree order (records no category takes last), newest first within one.
	order := map[*Category]int{}
	if b.Directory != nil {
		for i, c := range b.Directory.All {
			order[c] = i
		}
	}
	pos := func(c *Category) int {
		if i, ok := order[c]; ok {
			return i
		}
		return len(order)
	}
	slices.SortFunc(out, func(a, c CatalogueEntry) int {
		return cmp.Or(cmp.Compare(pos(a.Category), pos(c.Category)), cmp.Compare(c.Date, a.Date), cmp.Compare(a.Record.H().IndexNo, c.Record.H().IndexNo))
	})
	return out
}

func (b *Build) catalogue() []Output {
	entries := b.catalogueEntries()
	outs := b.catalogueOutputs(entries)
	outs = append(outs, Output{URL: "/catalogue.csv", NoSitemap: true, Write: func(w io.Writer) error {
		cw := newCSV(w)
		cw.Write([]string{b.Theme.T("f_index_no"), b.Theme.T("f_title"), b.Theme.T("f_summary"), b.Theme.T("f_date_formed"), b.Theme.T("f_kind"), b.Theme.T("f_agencies"), "URL", b.Theme.T("f_directory_category")})
		for _, e := range entries {
			h := e.Record.H()
			cat := ""
			if e.Category != nil {
				cat = e.Category.Title()
			}
			cw.Write([]string{h.IndexNo, h.Title, h.Summary, e.Date, e.Kind, agencyNameList(h.Agency), b.Site.AbsURL(e.Record.URL), cat})
		}
		cw.Flush()
		return cw.Error()
	}})
	return outs
}

// redirectPages writes a stub page at every moved URL. A stub carries the
// meta tags of the page it points to, so monitoring tools that read a stub
// still see its column and article.
func (b *Build) redirectPages() []Output {
	byURL := map[string]*Record{}
	for _, r := range b.Published {
		byURL[r.URL] = r
	}
	var outs []Output
	for _, r := range b.Redirects {
		p := &Page{Template: "redirect.html", Title: b.Theme.T("moved"), Data: r.To, NoIndex: true,
			target: byURL[r.To], canonical: r.To}
		if strings.HasPrefix(r.To, "/") {
			p.column = b.columnFor(r.To)
		}
		outs = append(outs, Output{URL: r.From, NoSitemap: true, Page: p})
	}
	return outs
}

// Kinds used in templates.

// ValidityBanner reports whether the policy page shows a validity banner.
func (p *Policy) ValidityBanner() bool { return p.Validity.Status != Valid && p.Validity.Status != "" }
