package generator

import (
	"bytes"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// TestIdentityFooter checks the official identity in the footer of every
// page of the tiny site: sponsor, operator, site code, the ICP and
// public-security filing numbers linked to the national filing systems,
// the identification badge served from the site itself, contact, the site
// map and the 纠错 link.
func TestIdentityFooter(t *testing.T) {
	out, _, _ := buildSite(t, siteFS(t, "site.txtar"))
	pages := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		doc := readDoc(t, out, rel)
		if doc.Find(`meta[http-equiv="refresh"]`).Length() > 0 {
			return nil // a redirect stub has no layout
		}
		pages++
		id := doc.Find("footer .identity")
		if id.Length() != 1 {
			t.Errorf("%s: %d identity blocks in the footer, want 1", rel, id.Length())
			return nil
		}
		text := strings.Join(strings.Fields(id.Text()), " ")
		for _, want := range []string{"主办单位：测试市人民政府办公室", "承办单位：测试市大数据中心", "网站标识码：5100000001",
			"测ICP备00000000号-1", "测公网安备00000000000001号", "电话：028-00000000", "电子邮箱：gk@test.gov.cn", "网站地图", "我为政府网站找错"} {
			if !strings.Contains(text, want) {
				t.Errorf("%s: identity %q lacks %q", rel, text, want)
			}
		}
		links := map[string]string{}
		id.Find("a").Each(func(_ int, a *goquery.Selection) { links[strings.TrimSpace(a.Text())] = a.AttrOr("href", "") })
		for text, want := range map[string]string{
			"测ICP备00000000号-1":     "https://beian.miit.gov.cn/",
			"测公网安备00000000000001号": "https://beian.mps.gov.cn/#/query/webSearch?code=00000000000001",
			"gk@test.gov.cn":       "mailto:gk@test.gov.cn",
			"网站地图":                 "/sitemap/",
		} {
			if links[text] != want {
				t.Errorf("%s: link %q goes to %q, want %q", rel, text, links[text], want)
			}
		}
		fix, err := url.Parse(links["我为政府网站找错"])
		if err != nil || fix.Host != "zfwzgl.www.gov.cn" || fix.Query().Get("site_code") != "5100000001" ||
			!strings.HasPrefix(fix.Query().Get("url"), "https://www.test.gov.cn/") {
			t.Errorf("%s: 纠错 link %q, want the national platform with the site code and the page", rel, links["我为政府网站找错"])
		}
		img := id.Find(".badge img")
		src := img.AttrOr("src", "")
		if !regexp.MustCompile(`^/static/identity-[0-9a-f]{8}\.svg$`).MatchString(src) || img.AttrOr("alt", "") != "党政机关网站标识" {
			t.Errorf("%s: badge <img src=%q alt=%q>", rel, src, img.AttrOr("alt", ""))
		} else if b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(src))); err != nil || !bytes.Contains(b, []byte("测试标识")) {
			t.Errorf("%s: the badge %s is not served from the site: %v", rel, src, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 10 {
		t.Fatalf("only %d pages checked", pages)
	}
}

// TestIdentityProblems checks each identity rule on its own.
func TestIdentityProblems(t *testing.T) {
	good := func() *Site {
		return &Site{SiteIDCode: "5100000001", Identity: Identity{Sponsor: "主办", Operator: "承办", ICP: "京ICP备05070218号-1",
			PoliceRecord: "京公网安备11010202000001号", Badge: "x.png", badgeURL: "/static/identity-00000000.png", Phone: "010-1"}}
	}
	if probs := good().IdentityProblems(); len(probs) != 0 {
		t.Fatalf("complete identity: %v", probs)
	}
	for _, tc := range []struct {
		name   string
		change func(s *Site)
		want   string // field: message start; "" for no problem
	}{
		{"department site code", func(s *Site) { s.SiteIDCode = "bm01000001" }, ""},
		{"short site code", func(s *Site) { s.SiteIDCode = "510000001" }, "site_id_code: want the 10-character"},
		{"long site code", func(s *Site) { s.SiteIDCode = "51000000011" }, "site_id_code: want the 10-character"},
		{"letters in site code", func(s *Site) { s.SiteIDCode = "51000000a1" }, "site_id_code: want the 10-character"},
		{"no site code", func(s *Site) { s.SiteIDCode = "" }, "site_id_code: required (网站标识码)"},
		{"no sponsor", func(s *Site) { s.Identity.Sponsor = " " }, "identity.sponsor: required (主办单位)"},
		{"no operator", func(s *Site) { s.Identity.Operator = "" }, "identity.operator: required (承办单位)"},
		{"ICP without suffix", func(s *Site) { s.Identity.ICP = "京ICP备05070218号" }, ""},
		{"ICP licence", func(s *Site) { s.Identity.ICP = "京ICP证030173号" }, ""},
		{"ICP malformed", func(s *Site) { s.Identity.ICP = "ICP备05070218号" }, "identity.icp: want an ICP filing number"},
		{"no ICP", func(s *Site) { s.Identity.ICP = "" }, "identity.icp: required (ICP备案号)"},
		{"police with space", func(s *Site) { s.Identity.PoliceRecord = "京公网安备 11010202000001号" }, ""},
		{"police short", func(s *Site) { s.Identity.PoliceRecord = "京公网安备1101020200001号" }, "identity.police_record: want a public-security filing number"},
		{"no police record", func(s *Site) { s.Identity.PoliceRecord = "" }, "identity.police_record: required (公安机关备案号)"},
		{"no badge", func(s *Site) { s.Identity.Badge = "" }, "identity.badge: required (党政机关网站标识)"},
		{"unreadable badge", func(s *Site) { s.Identity.badgeErr = "cannot read content/x.png" }, "identity.badge: cannot read content/x.png"},
		{"email only", func(s *Site) { s.Identity.Phone, s.Identity.Email = "", "gk@x.gov.cn" }, ""},
		{"no contact", func(s *Site) { s.Identity.Phone = "" }, "identity.phone: required (联系方式: phone or email)"},
		{"bad email", func(s *Site) { s.Identity.Email = "gk at x" }, "identity.email: want an e-mail address"},
		{"bad correction link", func(s *Site) { s.Identity.CorrectionURL = "javascript:alert(1)" }, "identity.correction_url: want an absolute http(s) URL or a site path"},
		{"site-path contact", func(s *Site) { s.Identity.ContactURL = "/page/contact.html" }, ""},
	} {
		s := good()
		tc.change(s)
		probs := s.IdentityProblems()
		switch {
		case tc.want == "" && len(probs) != 0:
			t.Errorf("%s: %v, want no problem", tc.name, probs)
		case tc.want != "" && (len(probs) != 1 || !strings.HasPrefix(probs[0].Field+": "+probs[0].Msg, tc.want) || probs[0].Warning):
			t.Errorf("%s: %v, want one error %q", tc.name, probs, tc.want)
		}
	}
}

// metaNames are the government page meta tags (政府网站网页设计规范).
var metaNames = []string{"SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnDescription", "ColumnKeywords",
	"ColumnType", "ArticleTitle", "PubDate", "ContentSource", "Keywords", "Author", "Description", "Url"}

// TestMetaTagsOnEveryPage reads the meta tags of every HTML file of the
// tiny site, redirect stubs included: no tag is empty or repeated, the
// site's and the column's tags are on every page, a record's page has the
// article's tags with PubDate as YYYY-MM-DD HH:MM, and Url is the page's
// canonical absolute URL.
func TestMetaTagsOnEveryPage(t *testing.T) {
	out, c, _ := buildSite(t, siteFS(t, "site.txtar"))
	records := map[string]*Record{}
	for _, r := range c.Published {
		records[strings.TrimPrefix(r.URL, "/")] = r
	}
	pubDate := regexp.MustCompile(`^\d{4}-\d{2}-\d{2} \d{2}:\d{2}$`)
	known := map[string]bool{}
	for _, n := range metaNames {
		known[n] = true
	}
	seen := map[string]int{}
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		rel = filepath.ToSlash(rel)
		doc := readDoc(t, out, rel)
		got := map[string]string{}
		doc.Find("meta[name]").Each(func(_ int, m *goquery.Selection) {
			name, _ := m.Attr("name")
			if !known[name] {
				return
			}
			content, ok := m.Attr("content")
			if _, dup := got[name]; dup {
				t.Errorf("%s: meta %s twice", rel, name)
			}
			if !ok || strings.TrimSpace(content) == "" {
				t.Errorf("%s: meta %s is empty; leave an unknown value out", rel, name)
			}
			got[name] = content
			seen[name]++
		})
		want := []string{"SiteName", "SiteDomain", "SiteIDCode", "Url"}
		if rel != "404.html" {
			want = append(want, "ColumnName", "ColumnDescription", "ColumnKeywords", "ColumnType", "Description")
		}
		stub := doc.Find(`meta[http-equiv="refresh"]`).Length() > 0
		r := records[rel]
		if r != nil || stub {
			want = append(want, "ArticleTitle", "PubDate")
		}
		if (r != nil && len(r.H().Agency) > 0) || stub {
			want = append(want, "ContentSource", "Author")
		}
		for _, n := range want {
			if got[n] == "" {
				t.Errorf("%s: no meta %s", rel, n)
			}
		}
		if v, ok := got["PubDate"]; ok && !pubDate.MatchString(v) {
			t.Errorf("%s: PubDate %q, want YYYY-MM-DD HH:MM", rel, v)
		}
		if canon := doc.Find(`link[rel="canonical"]`).AttrOr("href", ""); got["Url"] != canon || !strings.HasPrefix(canon, "https://www.test.gov.cn/") {
			t.Errorf("%s: Url %q, canonical %q", rel, got["Url"], canon)
		}
		if got["SiteName"] != "测试市人民政府信息公开平台" || got["SiteDomain"] != "www.test.gov.cn" || got["SiteIDCode"] != "5100000001" {
			t.Errorf("%s: site tags %v", rel, got)
		}
		if r != nil {
			h := r.H()
			if got["ArticleTitle"] != h.Title || got["PubDate"] != h.Published.In(China).Format("2006-01-02 15:04") ||
				got["ContentSource"] != agencyNameList(h.Agency) || (h.Summary != "" && got["Description"] != h.Summary) ||
				got["Keywords"] != strings.Join(h.Keywords, ",") {
				t.Errorf("%s: article tags %v, want those of %s", rel, got, r.Path)
			}
		}
		if stub && got["ArticleTitle"] != "测试市人民政府关于一段简单测试的通知" {
			t.Errorf("%s: redirect stub tags %v, want the target's", rel, got)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range metaNames {
		if seen[n] == 0 {
			t.Errorf("no page has meta %s", n)
		}
	}
}

// TestMetaOmitsUnknown checks that a page with no column and no record
// leaves out the tags it has no value for instead of writing them empty.
func TestMetaOmitsUnknown(t *testing.T) {
	s := &Site{Name: "站", BaseURL: "https://x.gov.cn/"}
	if err := s.SetBaseURL(s.BaseURL); err != nil {
		t.Fatal(err)
	}
	p := &Page{URL: "/404.html", Site: s}
	var names []string
	for _, m := range p.Meta() {
		names = append(names, m.Name)
		if m.Content == "" {
			t.Errorf("meta %s empty", m.Name)
		}
	}
	if got := strings.Join(names, ","); got != "SiteName,SiteDomain,Url" {
		t.Errorf("tags = %s, want SiteName,SiteDomain,Url", got)
	}
}

// TestSiteMapPage checks the HTML site map lists every column with a list
// and the pages of the column that has none.
func TestSiteMapPage(t *testing.T) {
	out, _, _ := buildSite(t, siteFS(t, "site.txtar"))
	d := readDoc(t, out, "sitemap/index.html")
	var cols []string
	d.Find("main .sitemap > li > h2").Each(func(_ int, h *goquery.Selection) {
		cols = append(cols, strings.TrimSpace(h.Text())+" "+h.Find("a").AttrOr("href", ""))
	})
	got := strings.Join(cols, "\n")
	for _, want := range []string{"政策文件 /policy/", "政策解读 /interpretation/", "公开信息 ", "政府信息公开指南 /guide/",
		"政府信息公开目录 /catalogue/", "订阅 /subscribe/", "搜索 /search"} {
		if !strings.Contains(got+"\n", want+"\n") {
			t.Errorf("site map columns:\n%s\nlack %q", got, want)
		}
	}
	links := d.Find("main .sitemap a").Map(func(_ int, a *goquery.Selection) string { return a.AttrOr("href", "") })
	for _, want := range []string{"/policy/agency/", "/policy/topic/", "/policy/year/", "/policy/validity/", "/page/contact.html"} {
		if !strings.Contains(strings.Join(links, " ")+" ", want+" ") {
			t.Errorf("site map links %v lack %s", links, want)
		}
	}
	if n := d.Find(".footer-links a, .identity a[href='/sitemap/']").Length(); n == 0 {
		t.Errorf("no link to the site map in the footer")
	}
}

// TestSitemapLastmod checks sitemap.xml gives each page its last change: a
// policy page the publication of the interpretation linked to it.
func TestSitemapLastmod(t *testing.T) {
	out, _, _ := buildSite(t, siteFS(t, "site.txtar"))
	b, err := os.ReadFile(filepath.Join(out, "sitemap.xml"))
	if err != nil {
		t.Fatal(err)
	}
	mods := map[string]string{}
	for _, m := range regexp.MustCompile(`<loc>https://www.test.gov.cn(/[^<]*)</loc>(?:<lastmod>([^<]*)</lastmod>)?`).FindAllStringSubmatch(string(b), -1) {
		mods[m[1]] = m[2]
	}
	for u, want := range map[string]string{
		"/policy/mb0000001-2024-00001.html":         "2024-03-05", // published 2024-01-10, amended by b (2024-03-05)
		"/interpretation/mb0000001-2024-00002.html": "2024-03-05",
		"/policy/": "2024-06-01", // old.md, listed there, was repealed on 2024-06-01
	} {
		if mods[u] != want {
			t.Errorf("lastmod of %s = %q, want %s", u, mods[u], want)
		}
	}
	if len(mods) < 10 {
		t.Errorf("sitemap lists %d URLs", len(mods))
	}
}

// TestInterpretationStatus checks that an interpretation of an amended
// document says so, with a link to the amending document, on its page and
// at the top of its feed entry; and that one of a repealed document names
// the repeal date and the replacement.
func TestInterpretationStatus(t *testing.T) {
	out, c, _ := buildSite(t, siteFS(t, "site.txtar"))
	const page = "interpretation/mb0000001-2024-00002.html"
	banner := readDoc(t, out, page).Find("main .banner")
	if !strings.Contains(banner.Text(), "所解读文件已于 2024-03-05 修改") ||
		banner.Find(`a[href="/policy/mb0000002-2024-00001.html"]`).Text() != "测试市发展和改革委员会关于修改预算办法的决定" {
		t.Errorf("%s: banner %q", page, strings.TrimSpace(banner.Text()))
	}
	feed, err := os.ReadFile(filepath.Join(out, "feeds", "all.atom.xml"))
	if err != nil {
		t.Fatal(err)
	}
	a := parseAtom(t, out, "/feeds/all.atom.xml")
	found := false
	for _, e := range a.Entries {
		if strings.HasSuffix(e.ID, ":/"+page) {
			found = true
			if e.Content == nil || !strings.HasPrefix(e.Content.Value, "<p><strong>所解读文件已于 2024-03-05 修改</strong></p>") ||
				!strings.Contains(e.Content.Value, `href="https://www.test.gov.cn/policy/mb0000002-2024-00001.html"`) {
				t.Errorf("feed entry %s content:\n%+v", e.ID, e.Content)
			}
		}
	}
	if !found {
		t.Errorf("all.atom.xml has no entry for %s:\n%s", page, feed)
	}

	// The same interpretation of a repealed document.
	var in *Interpretation
	for _, r := range c.ByKind("interpretation") {
		in = r.Entry.(*Interpretation)
	}
	p := in.Doc.Entry.(*Policy)
	saved := p.Validity
	defer func() { p.Validity = saved }()
	p.Validity.Status, p.Validity.RepealedAt = Repealed, time.Date(2026, 4, 1, 0, 0, 0, 0, China)
	b := &Build{Content: c, Theme: theme(t)}
	ds := in.DocStatus()
	if got := b.DocStatusText(ds); got != "所解读文件已于 2026-04-01 废止" || ds.Label != "rel_replaced_by" {
		t.Errorf("repealed: %q, links labelled %s", got, ds.Label)
	}
	p.Validity.Status = Valid
	if ds := in.DocStatus(); ds != nil {
		t.Errorf("in force: status %+v, want none", ds)
	}
}
