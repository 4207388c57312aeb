package cli

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// filterLink is one link of a filter facet: the value, its list and the
// number of records it announces.
type filterLink struct {
	facet, title, href string
	count              int
}

// readFilters returns the filter links of the page at site path p (全部
// links left out), and whether the filter block is there at all.
func readFilters(t *testing.T, out, p string) ([]filterLink, *goquery.Document) {
	t.Helper()
	doc := readOutDoc(t, out, p)
	var links []filterLink
	doc.Find("main .filters details.filter").Each(func(_ int, d *goquery.Selection) {
		facet, _, _ := strings.Cut(d.Find("summary").Text(), "：")
		d.Find("li").Each(func(i int, li *goquery.Selection) {
			a := li.Find("a")
			n, err := strconv.Atoi(strings.TrimSpace(li.Find(".n").Text()))
			if i == 0 {
				return // 全部
			}
			if err != nil {
				t.Errorf("%s: filter link %q has no count", p, a.Text())
			}
			links = append(links, filterLink{facet: facet, title: a.Text(), href: a.AttrOr("href", ""), count: n})
		})
	})
	return links, doc
}

// readOutDoc parses the page at site path p of the built site out.
func readOutDoc(t *testing.T, out, p string) *goquery.Document {
	t.Helper()
	f := filepath.Join(out, filepath.FromSlash(strings.TrimPrefix(p, "/")))
	if strings.HasSuffix(p, "/") {
		f = filepath.Join(f, "index.html")
	}
	b, err := os.ReadFile(f)
	if err != nil {
		t.Fatalf("%s: %v", p, err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

// listed follows a paginated list from p and returns the links sel finds
// on every page.
func listed(t *testing.T, out, p, sel string) []string {
	t.Helper()
	var got []string
	for p != "" {
		doc := readOutDoc(t, out, p)
		doc.Find(sel).Each(func(_ int, a *goquery.Selection) { got = append(got, a.AttrOr("href", "")) })
		p = doc.Find(`nav.pager a[rel="next"]`).AttrOr("href", "")
	}
	return got
}

// checkCatalogueFilters checks the sample's catalogue filters (issue 18):
// the catalogue can be filtered by agency, category and year with plain
// links; every filtered list holds exactly the rows its link counts, each
// matching the filter (checked against catalogue.csv), marks its value as
// current and opens its facet; and the directory's category pages can be
// filtered by agency and year the same way (issue 12).
func checkCatalogueFilters(t *testing.T, out string) {
	t.Helper()
	f, err := os.ReadFile(filepath.Join(out, "catalogue.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(f, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i
	}
	byURL := map[string][]string{}
	for _, r := range rows[1:] {
		u := r[col["URL"]]
		if i := strings.Index(u, "://"); i >= 0 {
			u = u[i+3:]
			u = u[strings.Index(u, "/"):]
		}
		byURL[u] = r
	}
	match := map[string]func(row []string, v string) bool{
		"按发文机关": func(row []string, v string) bool {
			return strings.Contains("、"+row[col["发文机关"]]+"、", "、"+v+"、")
		},
		"按目录类别": func(row []string, v string) bool { return strings.HasPrefix(row[col["目录类别"]], v) },
		"按生成年份": func(row []string, v string) bool { return strings.HasPrefix(row[col["生成日期"]], v+"-") },
	}
	if _, ok := col["发文机关"]; !ok {
		t.Fatalf("catalogue.csv has no 发文机关 column: %q", rows[0])
	}
	links, doc := readFilters(t, out, "/catalogue/")
	facets := map[string]int{}
	for _, l := range links {
		facets[l.facet]++
	}
	if len(facets) != 3 || facets["按发文机关"] < 5 || facets["按生成年份"] < 3 || facets["按目录类别"] < 10 {
		t.Fatalf("catalogue filters %v; want agencies, categories and years", facets)
	}
	// A filter with more than a dozen values shows the largest and links
	// to a page listing all of them (the sample has 13 agencies).
	more := doc.Find("main .filters details.filter p.more a")
	if more.Length() == 0 {
		t.Errorf("/catalogue/: no filter links to a page of all its values")
	}
	more.Each(func(_ int, a *goquery.Selection) {
		href := a.AttrOr("href", "")
		var n int
		fmt.Sscanf(strings.TrimPrefix(a.Text(), "查看全部 "), "%d", &n)
		if got := readOutDoc(t, out, href).Find("main ul.browse li a").Length(); got != n || n <= 12 {
			t.Errorf("%s lists %d values, its link says %d (want more than the 12 shown)", href, got, n)
		}
	})
	if doc.Find("main .filters details[open]").Length() != 0 {
		t.Errorf("/catalogue/ opens a filter, want every one closed on the whole catalogue")
	}
	const rowLink = "table.catalogue tbody tr td:nth-child(2) a"
	if all := listed(t, out, "/catalogue/", rowLink); len(all) != len(rows)-1 {
		t.Errorf("the catalogue's pages list %d rows, catalogue.csv %d", len(all), len(rows)-1)
	}
	for _, l := range links {
		got := listed(t, out, l.href, rowLink)
		if len(got) != l.count {
			t.Errorf("filter %s %s: link says %d, %s lists %d rows", l.facet, l.title, l.count, l.href, len(got))
		}
		for _, u := range got {
			row, ok := byURL[u]
			if !ok || !match[l.facet](row, l.title) {
				t.Errorf("filter %s %s lists %s, which does not match (%q)", l.facet, l.title, u, row)
			}
		}
		_, fd := readFilters(t, out, l.href)
		cur := fd.Find(`main .filters details[open] a[aria-current="page"]`)
		if cur.Length() != 1 || cur.Text() != l.title {
			t.Errorf("%s: the open filter marks %q as current, want %q", l.href, cur.Text(), l.title)
		}
	}

	// Category pages: agency and year facets.
	both := 0
	err = filepath.WalkDir(filepath.Join(out, "directory"), func(p string, d os.DirEntry, err error) error {
		if err != nil || d.Name() != "index.html" {
			return err
		}
		rel, _ := filepath.Rel(out, filepath.Dir(p))
		site := "/" + filepath.ToSlash(rel) + "/"
		if base := path.Base(path.Dir(site)); base == "directory" || strings.Contains(site, "/agency/") || strings.Contains(site, "/year/") {
			return nil
		}
		links, _ := readFilters(t, out, site)
		kinds := map[string]bool{}
		total := len(listed(t, out, site, "ul.items li > a"))
		for _, l := range links {
			kinds[l.facet] = true
			if !strings.HasPrefix(l.href, site) {
				t.Errorf("%s: filter link %s leaves the category", site, l.href)
			}
			if n := len(listed(t, out, l.href, "ul.items li > a")); n != l.count || n > total {
				t.Errorf("%s: filter %s %s says %d, lists %d (category %d)", site, l.facet, l.title, l.count, n, total)
			}
		}
		if kinds["按发文机关"] && kinds["按发布年份"] {
			both++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("catalogue: %d filter links checked; %d category pages filter by agency and year", len(links), both)
	if both < 5 {
		t.Errorf("%d category pages filter by agency and year, want most of the sample's", both)
	}
}
