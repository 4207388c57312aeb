package generator

import (
	"cmp"
	"fmt"
	"slices"
)

// Filters: the catalogue and the directory's category pages can be narrowed
// by agency, category and year with plain links to pages written for each
// value (/catalogue/agency/fgw/, /directory/fagui/year/2025/), so filtering
// needs no JavaScript and every filtered list has a URL of its own. A page
// shows one filter at a time; its facets say which is applied and link back
// to the whole list.

// filterSegments are the URL segments filtered lists live under. A category
// of the directory may not use one as its code ("page" is the pager's).
var filterSegments = []string{"agency", "category", "year", "page"}

// filterDim is one way to filter a list: its URL segment ("agency"; each
// value's list is below it), its facet title, and its values with their
// records.
type filterDim struct {
	seg, title string
	format     string // a filtered list's title after the column's: "%s年"
	groups     []*group
	capped     bool // show the largest values only, with a page listing all
}

// filterLinks is how many values a capped filter shows: a corpus with 257
// agencies would otherwise repeat 257 links on every page of every list.
const filterLinks = 12

// filterFacets returns the facets of a filtered list at base whose
// current page is current: per dimension, a 全部 link to base, then a link
// per value with records. A dimension with fewer than two values is left
// out: it would filter nothing.
func (b *Build) filterFacets(base, current string, dims []filterDim) []Facet {
	var out []Facet
	for _, d := range dims {
		links := make([]FacetLink, 0, len(d.groups))
		anyCurrent := false
		for _, g := range d.groups {
			if len(g.items) == 0 {
				continue
			}
			cur := g.url == current
			anyCurrent = anyCurrent || cur
			links = append(links, FacetLink{Title: g.title, URL: g.url, Count: len(g.items), Current: cur, Child: g.child})
		}
		if len(links) < 2 {
			continue
		}
		f := Facet{Title: d.title, Total: len(links)}
		if d.capped && len(links) > filterLinks {
			links = topLinks(links, filterLinks)
			f.All = base + d.seg + "/"
		}
		all := FacetLink{Title: b.Theme.T("all"), URL: base, Current: !anyCurrent}
		f.Links = append([]FacetLink{all}, links...)
		out = append(out, f)
	}
	return out
}

// topLinks keeps, in their order, the n links of the largest counts (of
// equal counts, the first) and the current one.
func topLinks(links []FacetLink, n int) []FacetLink {
	counts := make([]int, len(links))
	for i, l := range links {
		counts[i] = l.Count
	}
	slices.Sort(counts)
	least := counts[len(counts)-n] // the n-th largest count
	above := 0                     // links with a larger count, all kept
	for _, c := range counts[len(counts)-n:] {
		if c > least {
			above++
		}
	}
	ties := n - above // of the links with the least count kept, the first
	return slices.DeleteFunc(links, func(l FacetLink) bool {
		switch {
		case l.Count > least:
			return false
		case l.Count == least && ties > 0:
			ties--
			return false
		}
		return !l.Current
	})
}

// filterable reports whether a dimension has values enough to filter by.
func (d filterDim) filterable() bool {
	n := 0
	for _, g := range d.groups {
		if len(g.items) > 0 {
			n++
		}
	}
	return n >= 2
}

// recordAgencyGroups groups rs by agency, in site order, under base+"agency/".
func (b *Build) recordAgencyGroups(base string, rs []*Record) []*group {
	gs, idx := b.agencyGroups(base)
	for _, r := range rs {
		for _, a := range r.H().Agency {
			if g := idx[a.Code]; g != nil {
				g.items = append(g.items, r)
			}
		}
	}
	return gs
}

// catalogueYearGroups groups catalogue entries by the year of their 生成日期
// (the date the catalogue shows), newest year first.
func catalogueYearGroups(base string, es []CatalogueEntry) []*group {
	idx := map[string]*group{}
	var gs []*group
	for _, e := range es {
		y := e.Date[:4]
		if idx[y] == nil {
			idx[y] = &group{title: y, url: base + "year/" + y + "/"}
			gs = append(gs, idx[y])
		}
		idx[y].items = append(idx[y].items, e.Record)
	}
	slices.SortFunc(gs, func(a, b *group) int { return cmp.Compare(b.title, a.title) })
	return gs
}

// catalogueCategoryGroups groups catalogue entries by the top-level
// category of the directory that lists them, in tree order, followed by
// that category's children (marked child) so a filtered page can narrow
// further.
func (b *Build) catalogueCategoryGroups(base string, es []CatalogueEntry) []*group {
	if b.Directory == nil {
		return nil
	}
	idx := map[*Category]*group{}
	var gs []*group
	for _, c := range b.Directory.All {
		if c.Depth > 1 {
			continue
		}
		g := &group{title: c.Name, url: base + "category/" + c.Key + "/", child: c.Depth > 0}
		idx[c] = g
		gs = append(gs, g)
	}
	for _, e := range es {
		for c := e.Category; c != nil; c = c.Parent {
			if g := idx[c]; g != nil {
				g.items = append(g.items, e.Record)
			}
		}
	}
	return gs
}

// catalogueOutputs writes the catalogue's pages: the whole catalogue and a
// filtered copy per agency, category and year, 100 rows a page, each
// showing the filters.
func (b *Build) catalogueOutputs(entries []CatalogueEntry) []Output {
	const base, per = "/catalogue/", 100
	col := b.Theme.T("col_catalogue")
	byRec := make(map[*Record]CatalogueEntry, len(entries))
	for _, e := range entries {
		byRec[e.Record] = e
	}
	dims := []filterDim{
		{"agency", b.Theme.T("by_agency"), "%s", b.recordAgencyGroups(base, recordsOf(entries)), true},
		{"category", b.Theme.T("by_category"), "%s", b.catalogueCategoryGroups(base, entries), false},
		{"year", b.Theme.T("by_year_formed"), b.Theme.T("year_format"), catalogueYearGroups(base, entries), true},
	}
	// The category facet shows the top-level categories, and a top-level
	// category's children only on its own pages and theirs.
	facets := func(current string) []Facet {
		fs := b.filterFacets(base, current, dims)
		for i := range fs {
			if fs[i].Title != dims[1].title {
				continue
			}
			open, root := "", ""
			for _, l := range fs[i].Links {
				if !l.Child {
					root = l.URL
				}
				if l.Current {
					open = root
				}
			}
			var keep []FacetLink
			for _, l := range fs[i].Links {
				if !l.Child {
					root = l.URL
				}
				if !l.Child || root == open {
					keep = append(keep, l)
				}
			}
			fs[i].Links = keep
		}
		return fs
	}
	write := func(u, title string, rs []*Record, crumbs []Crumb) []Output {
		pages := max(1, (len(rs)+per-1)/per)
		var outs []Output
		// Every page of the list shows the same facets (one slice, as
		// paginate's lists share theirs: hashed once, deps.go).
		fs := facets(u)
		for n := 1; n <= pages; n++ {
			chunk := make([]CatalogueEntry, 0, per)
			for _, r := range rs[(n-1)*per : min(n*per, len(rs))] {
				chunk = append(chunk, byRec[r])
			}
			l := newList(u, n, pages, len(rs))
			l.Title, l.Facets = title, fs
			t := title
			if n > 1 {
				t = fmt.Sprintf("%s（%s）", title, fmt.Sprintf(b.Theme.T("page_n"), n))
			}
			outs = append(outs, Output{URL: pageURL(u, n), Page: &Page{Template: "catalogue.html", Title: t, Column: col, List: l, Data: chunk,
				Crumbs: crumbs, Description: b.Theme.T("catalogue_description"), feeds: b.feedsAt("/feeds/all")}})
		}
		return outs
	}
	outs := write(base, col, recordsOf(entries), nil)
	crumbs := []Crumb{{col, base}}
	outs = append(outs, b.filterBrowse(base, col, col, crumbs, dims, b.feedsAt("/feeds/all"))...)
	for _, d := range dims {
		if !d.filterable() {
			continue
		}
		for _, g := range d.groups {
			if len(g.items) == 0 {
				continue
			}
			// A group's records are in the catalogue's order, as entries are.
			outs = append(outs, write(g.url, col+"："+fmt.Sprintf(d.format, g.title), g.items, crumbs)...)
		}
	}
	return outs
}

func recordsOf(es []CatalogueEntry) []*Record {
	rs := make([]*Record, len(es))
	for i, e := range es {
		rs[i] = e.Record
	}
	return rs
}

// categoryFilters returns the agency and year filters of category c's list.
func (b *Build) categoryFilters(c *Category) []filterDim {
	base := c.URL()
	return []filterDim{
		{"agency", b.Theme.T("by_agency"), "%s", b.recordAgencyGroups(base, c.Records), true},
		{"year", b.Theme.T("by_year"), b.Theme.T("year_format"), yearGroups(base, c.Records), true},
	}
}

// Active reports whether the facet filters the list: a value other than
// 全部 is the current page.
func (f Facet) Active() bool {
	for i, l := range f.Links {
		if l.Current {
			return i > 0
		}
	}
	return false
}

// CurrentTitle returns the title of the facet's current link (全部 when the
// list is not filtered by it).
func (f Facet) CurrentTitle() string {
	for _, l := range f.Links {
		if l.Current {
			return l.Title
		}
	}
	return ""
}

// filterBrowse returns the page listing every value of each capped
// dimension of the filtered list at base (/catalogue/agency/), for the
// filters' 查看全部 link.
func (b *Build) filterBrowse(base, title, col string, crumbs []Crumb, dims []filterDim, feeds []*Feed) []Output {
	var outs []Output
	for _, d := range dims {
		f := Facet{Title: d.title}
		for _, g := range d.groups {
			if len(g.items) > 0 {
				f.Links = append(f.Links, FacetLink{Title: g.title, URL: g.url, Count: len(g.items), Child: g.child})
			}
		}
		if !d.capped || len(f.Links) <= filterLinks {
			continue
		}
		outs = append(outs, Output{URL: base + d.seg + "/", Page: &Page{Template: "browse.html", Title: title + "：" + d.title,
			Column: col, Crumbs: crumbs, Data: f, feeds: feeds}})
	}
	return outs
}
