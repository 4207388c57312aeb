package generator

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/atom"
	jsonfeed "github.com/mmcdole/gofeed/json"
	"github.com/mmcdole/gofeed/rss"
)

const feedTestBase = "https://www.test.gov.cn"

// feedBases lists the feeds of feeds.txtar with the number of entries each
// must hold.
var feedBases = map[string]int{
	"/feeds/all":      11, // 8 records + 3 validity changes; the plain page is not a catalogue record
	"/feeds/releases": 3,
	// The directory's categories that no kind-wide feed covers (issue 12).
	"/feeds/directory/fagui":                8, // 法规文件: the documents with their validity changes and the interpretation
	"/feeds/directory/fagui-qita":           7, // 其他文件: the fixture's documents have no doc_type
	"/feeds/directory/fagui-jiedu":          1,
	"/feeds/directory/qita":                 3, // its 新闻发布 child takes every release
	"/feeds/releases/fgw":                   2,
	"/feeds/releases/czj":                   1,
	"/feeds/releases/gov":                   1,
	"/feeds/policies":                       7, // 4 documents + amended, repealed, expired
	"/feeds/policies/agency/gov":            2,
	"/feeds/policies/agency/fgw":            5,
	"/feeds/policies/agency/czj":            2,
	"/feeds/policies/topic/caizheng":        5, // its own and its child's documents
	"/feeds/policies/topic/caizheng-yusuan": 4,
	"/feeds/policies/topic/jiaoyu":          2,
}

func readFeedOut(t testing.TB, out, sitePath string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(strings.TrimPrefix(sitePath, "/"))))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// feedFiles lists every file under out/feeds as site paths, sorted.
func feedFiles(t testing.TB, out string) []string {
	t.Helper()
	var ps []string
	err := filepath.WalkDir(filepath.Join(out, "feeds"), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(out, p)
		ps = append(ps, "/"+filepath.ToSlash(rel))
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(ps)
	return ps
}

func parseAtom(t testing.TB, out, p string) *atom.Feed {
	t.Helper()
	f, err := (&atom.Parser{}).Parse(bytes.NewReader(readFeedOut(t, out, p)))
	if err != nil {
		t.Fatalf("parse %s: %v", p, err)
	}
	return f
}

func parseRSS(t testing.TB, out, p string) *rss.Feed {
	t.Helper()
	f, err := (&rss.Parser{}).Parse(bytes.NewReader(readFeedOut(t, out, p)))
	if err != nil {
		t.Fatalf("parse %s: %v", p, err)
	}
	return f
}

func parseJSONFeed(t testing.TB, out, p string) *jsonfeed.Feed {
	t.Helper()
	f, err := (&jsonfeed.Parser{}).Parse(bytes.NewReader(readFeedOut(t, out, p)))
	if err != nil {
		t.Fatalf("parse %s: %v", p, err)
	}
	return f
}

func atomEntries(f *atom.Feed) map[string]*atom.Entry {
	m := map[string]*atom.Entry{}
	for _, e := range f.Entries {
		m[e.ID] = e
	}
	return m
}

func TestFeedFiles(t *testing.T) {
	out := buildFeedSite(t, siteFS(t, "feeds.txtar"), buildDate, "")
	var want []string
	for base := range feedBases {
		for _, ff := range FeedFormats {
			want = append(want, base+ff.Suffix)
		}
	}
	slices.Sort(want)
	if diff := cmp.Diff(want, feedFiles(t, out)); diff != "" {
		t.Errorf("feed files (-want +got):\n%s", diff)
	}
}

// TestFeedsParse parses every feed in every format with gofeed's parsers
// and checks the elements each format requires.
func TestFeedsParse(t *testing.T) {
	out := buildFeedSite(t, siteFS(t, "feeds.txtar"), buildDate, "")
	for base, n := range feedBases {
		t.Run(base, func(t *testing.T) {
			var ids [3][]string
			// RSS 2.0: channel title, link, description; item guid with
			// isPermaLink, pubDate with +0800, link.
			r := parseRSS(t, out, base+".rss.xml")
			if r.Version != "2.0" || r.Title == "" || r.Description == "" || !strings.HasPrefix(r.Link, feedTestBase+"/") {
				t.Errorf("rss channel: version %q, title %q, description %q, link %q", r.Version, r.Title, r.Description, r.Link)
			}
			if self := r.Extensions["atom"]["link"]; len(self) != 1 || self[0].Attrs["href"] != feedTestBase+base+".rss.xml" || self[0].Attrs["rel"] != "self" {
				t.Errorf("rss atom:link self = %+v", self)
			}
			for _, it := range r.Items {
				if it.GUID == nil || it.GUID.IsPermalink != "false" || !strings.HasPrefix(it.GUID.Value, "tag:www.test.gov.cn,") {
					t.Errorf("rss item %q: guid %+v, want a tag: URI with isPermaLink=false", it.Title, it.GUID)
					continue
				}
				if it.PubDateParsed == nil || !strings.HasSuffix(it.PubDate, " +0800") {
					t.Errorf("rss item %s: pubDate %q, want RFC 1123 with +0800", it.GUID.Value, it.PubDate)
				}
				// Either author or dc:creator names the item, never both, never neither.
				hasCreator := it.DublinCoreExt != nil && len(it.DublinCoreExt.Creator) > 0
				if (it.Author != "") == hasCreator {
					t.Errorf("rss item %s: author %q and dc:creator %v: want exactly one of them", it.GUID.Value, it.Author, hasCreator)
				}
				if it.Title == "" || it.Description == "" || it.Content == "" || !strings.HasPrefix(it.Link, feedTestBase+"/") {
					t.Errorf("rss item %s: title %q, description %q, content %d bytes, link %q", it.GUID.Value, it.Title, it.Description, len(it.Content), it.Link)
				}
				ids[0] = append(ids[0], it.GUID.Value)
			}
			// Atom 1.0: feed id, title, updated, link rel=self; entry id,
			// title, updated, link.
			a := parseAtom(t, out, base+".atom.xml")
			if a.ID == "" || a.Title == "" || !strings.HasSuffix(a.Updated, "+08:00") || a.UpdatedParsed == nil {
				t.Errorf("atom feed: id %q, title %q, updated %q", a.ID, a.Title, a.Updated)
			}
			if !atomHasLink(a.Links, "self", feedTestBase+base+".atom.xml") {
				t.Errorf("atom feed links %+v lack rel=self", a.Links)
			}
			for _, e := range a.Entries {
				if e.ID == "" || e.Title == "" || e.UpdatedParsed == nil || !strings.HasSuffix(e.Updated, "+08:00") ||
					!strings.HasSuffix(e.Published, "+08:00") || e.Content == nil || e.Content.Type != "html" || len(e.Authors) == 0 {
					t.Errorf("atom entry %q: title %q, updated %q, published %q, content %+v, authors %d", e.ID, e.Title, e.Updated, e.Published, e.Content, len(e.Authors))
				}
				if len(e.Links) == 0 || e.Links[0].Rel != "alternate" || !strings.HasPrefix(e.Links[0].Href, feedTestBase+"/") {
					t.Errorf("atom entry %s: links %+v, want an alternate link first", e.ID, e.Links)
				}
				ids[1] = append(ids[1], e.ID)
			}
			// JSON Feed 1.1: version, title, items with ids.
			j := parseJSONFeed(t, out, base+".feed.json")
			if j.Version != "https://jsonfeed.org/version/1.1" || j.Title == "" || j.FeedURL != feedTestBase+base+".feed.json" || j.Language != "zh-CN" {
				t.Errorf("json feed: version %q, title %q, feed_url %q, language %q", j.Version, j.Title, j.FeedURL, j.Language)
			}
			for _, it := range j.Items {
				if it.ID == "" || it.Title == "" || it.ContentHTML == "" || !strings.HasSuffix(it.DatePublished, "+08:00") || !strings.HasSuffix(it.DateModified, "+08:00") {
					t.Errorf("json item %q: title %q, content %d bytes, dates %q %q", it.ID, it.Title, len(it.ContentHTML), it.DatePublished, it.DateModified)
				}
				ids[2] = append(ids[2], it.ID)
			}
			if len(ids[0]) != n {
				t.Errorf("%d entries, want %d", len(ids[0]), n)
			}
			if diff := cmp.Diff(ids[0], ids[1]); diff != "" {
				t.Errorf("atom ids differ from rss guids (-rss +atom):\n%s", diff)
			}
			if diff := cmp.Diff(ids[0], ids[2]); diff != "" {
				t.Errorf("json ids differ from rss guids (-rss +json):\n%s", diff)
			}
			// The universal parser detects each format.
			for _, ff := range FeedFormats {
				f, err := gofeed.NewParser().Parse(bytes.NewReader(readFeedOut(t, out, base+ff.Suffix)))
				if err != nil || len(f.Items) != n {
					t.Errorf("gofeed.Parse(%s) = %v items, %v", base+ff.Suffix, gofeedItems(f), err)
				}
			}
		})
	}
}

func gofeedItems(f *gofeed.Feed) int {
	if f == nil {
		return -1
	}
	return len(f.Items)
}

func atomHasLink(ls []*atom.Link, rel, href string) bool {
	return slices.ContainsFunc(ls, func(l *atom.Link) bool { return l.Rel == rel && l.Href == href })
}

// TestFeedEntryContent checks one release entry in detail in all three
// formats: escaping, summary, authors, categories, enclosures and content.
func TestFeedEntryContent(t *testing.T) {
	out := buildFeedSite(t, siteFS(t, "feeds.txtar"), buildDate, "")
	const id = "tag:www.test.gov.cn,2024:/release/mb0000003-2024-00801.html"
	const title = "预算管理办法修订新闻发布会 <b>&amp; 答记者问</b>" // plain text, to be shown as typed
	const link = feedTestBase + "/release/mb0000003-2024-00801.html"

	e := atomEntries(parseAtom(t, out, "/feeds/releases.atom.xml"))[id]
	if e == nil {
		t.Fatalf("releases.atom.xml has no entry %s", id)
	}
	if e.Title != title || e.Summary != "介绍预算管理办法的修订 & 主要变化。" {
		t.Errorf("atom title %q, summary %q", e.Title, e.Summary)
	}
	if e.Published != "2024-03-06T15:30:00+08:00" || e.Updated != e.Published {
		t.Errorf("atom published %q, updated %q; want 2024-03-06T15:30:00+08:00 for both in a first build", e.Published, e.Updated)
	}
	var authors, cats, encl []string
	for _, a := range e.Authors {
		authors = append(authors, a.Name+" <"+a.Email+">")
	}
	for _, c := range e.Categories {
		cats = append(cats, c.Term)
	}
	for _, l := range e.Links {
		encl = append(encl, l.Rel+" "+l.Type+" "+l.Length+" "+l.Href)
	}
	if diff := cmp.Diff([]string{"测试市财政局 <>", "测试市发展和改革委员会 <fgw@test.gov.cn>"}, authors); diff != "" {
		t.Errorf("atom authors (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"新闻发布"}, cats); diff != "" {
		t.Errorf("atom categories (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{
		"alternate text/html  " + link,
		"enclosure application/pdf 21 " + feedTestBase + "/releases/media/slides.pdf",
		"enclosure image/png 40 " + feedTestBase + "/releases/media/photo.png",
	}, encl); diff != "" {
		t.Errorf("atom links (-want +got):\n%s", diff)
	}
	content := e.Content.Value
	for _, want := range []string{
		"<dt>发布人</dt><dd>林晓梅（新闻发言人、副局长，测试市财政局）</dd>",
		"<dt>发布时间</dt><dd>2024-03-06 15:30</dd>",
		"<table>", "<td>审核时限</td>",
		`<a href="` + feedTestBase + `/interpretation/mb0000001-2023-00002.html">解读</a>`, // a site link in the body, made absolute
		`<h3>相关文件</h3>`, `<a href="` + feedTestBase + `/policy/mb0000001-2023-00001.html">测试市预算管理办法（测府发〔2023〕1号）</a>`,
		`<a href="` + feedTestBase + `/releases/media/slides.pdf">发布会演示文稿</a>（PDF，21 B）`,
	} {
		if !strings.Contains(content, want) {
			t.Errorf("atom content lacks %s:\n%s", want, content)
		}
	}

	var it *rss.Item
	for _, x := range parseRSS(t, out, "/feeds/releases.rss.xml").Items {
		if x.GUID.Value == id {
			it = x
		}
	}
	if it == nil {
		t.Fatalf("releases.rss.xml has no item %s", id)
	}
	var rcats []string
	for _, c := range it.Categories {
		rcats = append(rcats, c.Value)
	}
	if it.Title != title || it.Link != link || it.PubDate != "Wed, 06 Mar 2024 15:30:00 +0800" ||
		it.Author != "" || it.Content != content || !slices.Equal(rcats, []string{"新闻发布"}) {
		t.Errorf("rss item: title %q, link %q, pubDate %q, author %q, categories %q, same content as atom: %v",
			it.Title, it.Link, it.PubDate, it.Author, rcats, it.Content == content)
	}
	// Two agencies: both are named in dc:creator and none in author.
	if got := it.DublinCoreExt.Creator; !slices.Equal(got, []string{"测试市财政局", "测试市发展和改革委员会"}) {
		t.Errorf("rss dc:creator = %q", got)
	}
	if len(it.Enclosures) != 1 || it.Enclosures[0].Type != "application/pdf" || it.Enclosures[0].Length != "21" ||
		it.Enclosures[0].URL != feedTestBase+"/releases/media/slides.pdf" {
		t.Errorf("rss enclosures = %+v, want the first attachment only", it.Enclosures)
	}
	if it.Description != "介绍预算管理办法的修订 &amp; 主要变化。" {
		t.Errorf("rss description = %q, want the summary escaped as HTML", it.Description)
	}

	var ji *jsonfeed.Item
	for _, x := range parseJSONFeed(t, out, "/feeds/releases.feed.json").Items {
		if x.ID == id {
			ji = x
		}
	}
	if ji == nil {
		t.Fatalf("releases.feed.json has no item %s", id)
	}
	if ji.Title != title || ji.URL != link || ji.ContentHTML != content || ji.DatePublished != "2024-03-06T15:30:00+08:00" ||
		len(ji.Authors) != 2 || !slices.Equal(ji.Tags, []string{"新闻发布"}) {
		t.Errorf("json item: title %q, url %q, date %q, authors %d, tags %q, same content as atom: %v",
			ji.Title, ji.URL, ji.DatePublished, len(ji.Authors), ji.Tags, ji.ContentHTML == content)
	}
	if ji.Attachments == nil || len(*ji.Attachments) != 2 || (*ji.Attachments)[1].MimeType != "image/png" || (*ji.Attachments)[1].SizeInBytes != 40 {
		t.Errorf("json attachments = %+v", ji.Attachments)
	}
}

// TestValidityChangeEntries checks that an amendment, a repeal and an expiry
// are entries of their own, dated with the change, newest first.
func TestValidityChangeEntries(t *testing.T) {
	out := buildFeedSite(t, siteFS(t, "feeds.txtar"), buildDate, "")
	f := parseAtom(t, out, "/feeds/policies.atom.xml")
	type row struct{ ID, Title, Published string }
	var got []row
	for _, e := range f.Entries {
		got = append(got, row{e.ID, e.Title, e.Published})
	}
	want := []row{
		{"tag:www.test.gov.cn,2023:/policy/mb0000002-2023-00002.html#repealed-2024-06-01", "【废止】测试市教育收费暂行办法", "2024-06-01T00:00:00+08:00"},
		{"tag:www.test.gov.cn,2023:/policy/mb0000001-2023-00001.html#amended-2024-03-05", "【已修改】测试市预算管理办法", "2024-03-05T09:30:00+08:00"},
		{"tag:www.test.gov.cn,2024:/policy/mb0000002-2024-00001.html", "关于修改《测试市预算管理办法》的决定", "2024-03-05T09:30:00+08:00"},
		{"tag:www.test.gov.cn,2023:/policy/mb0000003-2023-00003.html#expired-2023-12-31", "【失效】测试市2023年消费券发放方案", "2023-12-31T00:00:00+08:00"},
		{"tag:www.test.gov.cn,2023:/policy/mb0000001-2023-00001.html", "测试市预算管理办法", "2023-11-06T00:00:00+08:00"},
		{"tag:www.test.gov.cn,2023:/policy/mb0000003-2023-00003.html", "测试市2023年消费券发放方案", "2023-04-04T00:00:00+08:00"},
		{"tag:www.test.gov.cn,2023:/policy/mb0000002-2023-00002.html", "测试市教育收费暂行办法", "2023-03-03T00:00:00+08:00"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("policies.atom.xml entries (-want +got):\n%s", diff)
	}
	rep := f.Entries[0]
	for _, want := range []string{"本文件已于 2024-06-01 废止", "<dt>决定文件</dt><dd>测府发〔2024〕9号</dd>",
		`<h3>替代文件</h3>`, `href="` + feedTestBase + `/policy/mb0000002-2024-00001.html"`} {
		if !strings.Contains(rep.Content.Value, want) {
			t.Errorf("repeal entry content lacks %s:\n%s", want, rep.Content.Value)
		}
	}
	if rep.Links[0].Href != feedTestBase+"/policy/mb0000002-2023-00002.html" {
		t.Errorf("repeal entry links to %s, want the repealed document's page", rep.Links[0].Href)
	}
	cats := []string{}
	for _, c := range rep.Categories {
		cats = append(cats, c.Term)
	}
	if diff := cmp.Diff([]string{"政策文件", "废止", "教育"}, cats); diff != "" {
		t.Errorf("repeal entry categories (-want +got):\n%s", diff)
	}
	// A repeal announced for a day after the build is not an entry yet.
	early := buildFeedSite(t, siteFS(t, "feeds.txtar"), time.Date(2024, 5, 1, 0, 0, 0, 0, China), "")
	for id := range atomEntries(parseAtom(t, early, "/feeds/policies.atom.xml")) {
		if strings.Contains(id, "#repealed-") {
			t.Errorf("build of 2024-05-01 has the repeal of 2024-06-01 as entry %s", id)
		}
	}
}

// TestFeedsControlChars plants control characters in a release's title,
// summary and transcript: the build succeeds, and every
// feed is well-formed XML (or JSON) without them.
func TestFeedsControlChars(t *testing.T) {
	fsys := siteFS(t, "feeds.txtar")
	r3 := string(fsys["content/releases/r3.md"].Data)
	r3 = strings.Replace(r3, "title: 测试市2024年政务公开工作新闻发布会", `title: "测试市\x01\x08 2024年\x1b政务公开\x7f工作\u0085新闻发布会\uFFFE"`, 1)
	r3 = strings.Replace(r3, "summary: 介绍政务公开工作安排。", `summary: "介绍\x0b政务公开\x0c工作安排。"`, 1)
	// NUL and invalid UTF-8 in a body are content errors (TestBinaryBody);
	// other control characters are dropped from the feeds.
	r3 += "正文含\x0b垂直制表、\x1f单元分隔\x7f删除符和]]>结束标记。\n"
	// With raw HTML allowed, "]]>" reaches RSS's CDATA section as is.
	r3 += "\n<div class=\"raw\">原样]]>HTML</div>\n"
	fsys["content/releases/r3.md"] = &fstest.MapFile{Data: []byte(r3)}
	fsys["content/site.yaml"] = &fstest.MapFile{Data: append(fsys["content/site.yaml"].Data, "unsafe_html: true\n"...)}
	out := buildFeedSite(t, fsys, buildDate, "")
	const id = "tag:www.test.gov.cn,2024:/release/mb0000001-2024-00801.html"
	for _, p := range feedFiles(t, out) {
		data := readFeedOut(t, out, p)
		for i, c := range data {
			if c < 0x20 && c != '\n' && c != '\r' && c != '\t' {
				t.Errorf("%s: control character %#x at byte %d", p, c, i)
				break
			}
		}
		if strings.HasSuffix(p, ".xml") {
			d := xml.NewDecoder(bytes.NewReader(data))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if err != nil {
					t.Errorf("%s is not well-formed XML: %v", p, err)
					break
				}
			}
		} else if !json.Valid(data) {
			t.Errorf("%s is not valid JSON", p)
		}
	}
	e := atomEntries(parseAtom(t, out, "/feeds/releases.atom.xml"))[id]
	if e == nil {
		t.Fatalf("no entry %s", id)
	}
	if want := "测试市 2024年政务公开工作新闻发布会"; e.Title != want {
		t.Errorf("sanitised title = %q, want %q", e.Title, want)
	}
	if want := "介绍政务公开工作安排。"; e.Summary != want {
		t.Errorf("sanitised summary = %q, want %q", e.Summary, want)
	}
	if !strings.Contains(e.Content.Value, "垂直制表") || !strings.Contains(e.Content.Value, "]]&gt;结束标记") {
		t.Errorf("content lost its text around the control characters:\n%s", e.Content.Value)
	}
	var it *rss.Item
	for _, x := range parseRSS(t, out, "/feeds/releases.rss.xml").Items {
		if x.GUID.Value == id {
			it = x
		}
	}
	if it == nil || !strings.Contains(it.Content, "]]&gt;结束标记") || !strings.Contains(it.Content, "原样]]>HTML</div>") {
		t.Errorf("rss content:encoded (CDATA) lost the text after ]]>: %+v", it)
	}
}

// TestFeedsRename renames a release and rebuilds on top of the previous
// output at a later date: ids stay, the renamed entry's updated date moves
// to the build date, every other entry keeps its own.
func TestFeedsRename(t *testing.T) {
	fsys := siteFS(t, "feeds.txtar")
	out1 := buildFeedSite(t, fsys, buildDate, "")

	renamed := maps.Clone(fsys)
	r1 := string(fsys["content/releases/r1.md"].Data)
	renamed["content/releases/r1.md"] = &fstest.MapFile{Data: []byte(strings.Replace(r1,
		"title: 测试市2023年经济运行情况新闻发布会", "title: 测试市2023年前三季度经济运行情况新闻发布会", 1))}
	// A release that is new in the second build, published before it.
	renamed["content/releases/r4.md"] = &fstest.MapFile{Data: []byte(strings.NewReplacer(
		"MB0000002/2023-00801", "MB0000002/2024-00809", "2023-10-20 10:00", "2024-12-20 09:00").Replace(r1))}
	later := time.Date(2025, 1, 15, 0, 0, 0, 0, China)
	out2 := buildFeedSite(t, renamed, later, out1)

	const id = "tag:www.test.gov.cn,2023:/release/mb0000002-2023-00801.html"
	const newID = "tag:www.test.gov.cn,2024:/release/mb0000002-2024-00809.html"
	for _, p := range []string{"/feeds/all.atom.xml", "/feeds/releases.atom.xml", "/feeds/releases/fgw.atom.xml"} {
		a, b := atomEntries(parseAtom(t, out1, p)), atomEntries(parseAtom(t, out2, p))
		e1, e2 := a[id], b[id]
		if e1 == nil || e2 == nil {
			t.Fatalf("%s: entry %s missing before (%v) or after (%v) the rename", p, id, e1 != nil, e2 != nil)
		}
		if e2.Title != "测试市2023年前三季度经济运行情况新闻发布会" {
			t.Errorf("%s: title after rename = %q", p, e2.Title)
		}
		if e1.Updated != "2023-10-20T10:00:00+08:00" || e2.Updated != "2025-01-15T00:00:00+08:00" {
			t.Errorf("%s: updated %q → %q, want 2023-10-20T10:00:00+08:00 → 2025-01-15T00:00:00+08:00", p, e1.Updated, e2.Updated)
		}
		if e2.Published != e1.Published {
			t.Errorf("%s: published changed %q → %q", p, e1.Published, e2.Published)
		}
		for oid, o := range a {
			if oid == id {
				continue
			}
			if n := b[oid]; n == nil || n.Updated != o.Updated {
				t.Errorf("%s: unchanged entry %s: updated %q → %v", p, oid, o.Updated, n)
			}
		}
		if p == "/feeds/releases/fgw.atom.xml" {
			n := b[newID]
			if n == nil || n.Updated != "2025-01-15T00:00:00+08:00" || n.Published != "2024-12-20T09:00:00+08:00" {
				t.Errorf("%s: new entry %+v, want updated at the build date and its own published date", p, n)
			}
		}
	}
	rssIDs := func(out string) []string {
		var ids []string
		for _, it := range parseRSS(t, out, "/feeds/releases/fgw.rss.xml").Items {
			ids = append(ids, it.GUID.Value)
		}
		slices.Sort(ids)
		return ids
	}
	if diff := cmp.Diff([]string{id, newID, "tag:www.test.gov.cn,2024:/release/mb0000003-2024-00801.html"}, rssIDs(out2)); diff != "" {
		t.Errorf("rss guids after the rename (-want +got):\n%s", diff)
	}
	for _, it := range parseJSONFeed(t, out2, "/feeds/releases.feed.json").Items {
		if it.ID == id && it.DateModified != "2025-01-15T00:00:00+08:00" {
			t.Errorf("json date_modified = %q, want 2025-01-15T00:00:00+08:00", it.DateModified)
		}
	}

	// A third build, later again and with nothing changed, keeps every
	// updated date, so the feeds are byte for byte those of the second.
	out3 := buildFeedSite(t, renamed, later.AddDate(0, 0, 10), out2)
	for _, p := range feedFiles(t, out2) {
		if !bytes.Equal(readFeedOut(t, out2, p), readFeedOut(t, out3, p)) {
			t.Errorf("%s changed in a rebuild without content changes", p)
		}
	}
}

func TestFeedsWithheld(t *testing.T) {
	out := buildFeedSite(t, siteFS(t, "feeds.txtar"), buildDate, "")
	n := assertNoBytes(t, out, leakMarker, "mb0000001-2024-00899", "MB0000001/2024-00899", "mb0000001-2024-00009", "secret.mp3")
	if feeds := len(feedFiles(t, out)); feeds < 3*len(feedBases) || n < 60 {
		t.Fatalf("only %d files (%d under feeds/) checked; the test would prove nothing", n, feeds)
	}
}

func TestFeedsDeterministic(t *testing.T) {
	fsys := siteFS(t, "feeds.txtar")
	a := buildFeedSite(t, fsys, buildDate, "")
	b := buildFeedSite(t, fsys, buildDate, "")
	// Rebuilt later on top of the first, with the same content: same feeds.
	c := buildFeedSite(t, fsys, buildDate.AddDate(0, 2, 0), a)
	files := append(feedFiles(t, a), "/subscribe/index.html")
	for _, other := range []string{b, c} {
		if diff := cmp.Diff(feedFiles(t, a), feedFiles(t, other)); diff != "" {
			t.Errorf("feed files differ (-first +other):\n%s", diff)
		}
		for _, p := range files {
			if !bytes.Equal(readFeedOut(t, a, p), readFeedOut(t, other, p)) {
				t.Errorf("%s differs between builds of the same content", p)
			}
		}
	}
}

func TestFeedLimit(t *testing.T) {
	fsys := siteFS(t, "feeds.txtar")
	for i := range 60 {
		day := time.Date(2024, 1, 1, 10, 0, 0, 0, China).AddDate(0, 0, i*3)
		fsys[fmt.Sprintf("content/releases/gen-%02d.md", i)] = &fstest.MapFile{Data: fmt.Appendf(nil, `---
disclosure: 主动公开
index_no: MB0000003/2024-%05d
title: 第%d次新闻发布会
summary: 概述。
agencies: [czj]
date_published: %s
place: 发布厅
spokesperson: {name: 林晓梅, post: 新闻发言人, agency: czj}
---

实录。
`, 900+i, i, day.Format("2006-01-02 15:04"))}
	}
	out := buildFeedSite(t, fsys, buildDate, "")
	for _, p := range []string{"/feeds/releases.atom.xml", "/feeds/releases/czj.atom.xml", "/feeds/all.atom.xml"} {
		f := parseAtom(t, out, p)
		if len(f.Entries) != FeedLimit {
			t.Errorf("%s has %d entries, want %d", p, len(f.Entries), FeedLimit)
			continue
		}
		if f.Entries[0].Title != "第59次新闻发布会" {
			t.Errorf("%s starts with %q, want the newest release", p, f.Entries[0].Title)
		}
		for i := 1; i < len(f.Entries); i++ {
			if f.Entries[i].UpdatedParsed.After(*f.Entries[i-1].UpdatedParsed) {
				t.Errorf("%s: entry %d is newer than entry %d", p, i, i-1)
			}
		}
		if f.Updated != f.Entries[0].Updated {
			t.Errorf("%s: feed updated %q, want the newest entry's %q", p, f.Updated, f.Entries[0].Updated)
		}
	}
	// The oldest releases stay reachable through the paginated list.
	if _, err := os.Stat(filepath.Join(out, "release/page/4.html")); err != nil {
		t.Error("the release list has no 4th page for 63 releases")
	}
}

func feedHrefs(d *goquery.Document) []string {
	var got []string
	d.Find(`head link[rel="alternate"]`).Each(func(_ int, s *goquery.Selection) {
		got = append(got, s.AttrOr("type", "")+" "+s.AttrOr("href", ""))
	})
	return got
}

func TestFeedAutodiscovery(t *testing.T) {
	out := buildFeedSite(t, siteFS(t, "feeds.txtar"), buildDate, "")
	links := func(bases ...string) []string {
		var out []string
		for _, b := range bases {
			for _, ff := range FeedFormats {
				out = append(out, ff.Type+" "+b+ff.Suffix)
			}
		}
		return out
	}
	tests := []struct {
		page string
		want []string
	}{
		{"index.html", links("/feeds/all", "/feeds/policies", "/feeds/releases")},
		{"release/index.html", links("/feeds/releases")},
		{"release/year/2023/index.html", links("/feeds/releases")},
		{"release/agency/fgw/index.html", links("/feeds/releases/fgw")},
		{"release/mb0000003-2024-00801.html", links("/feeds/releases", "/feeds/releases/fgw", "/feeds/releases/czj")},
		{"policy/index.html", links("/feeds/policies")},
		{"policy/agency/fgw/index.html", links("/feeds/policies/agency/fgw")},
		{"policy/topic/caizheng/index.html", links("/feeds/policies/topic/caizheng")},
		{"policy/validity/repealed/index.html", links("/feeds/policies")},
		{"policy/mb0000001-2023-00001.html", links("/feeds/policies", "/feeds/policies/agency/gov", "/feeds/policies/topic/caizheng", "/feeds/policies/topic/caizheng-yusuan", "/feeds/directory/fagui-qita")},
		{"interpretation/mb0000001-2023-00002.html", links("/feeds/directory/fagui-jiedu")},
		{"catalogue/index.html", links("/feeds/all")},
		{"subscribe/index.html", links("/feeds/all")},
		{"page/contact.html", nil},
		{"guide/index.html", nil},
	}
	for _, tt := range tests {
		if diff := cmp.Diff(tt.want, feedHrefs(readDoc(t, out, tt.page))); diff != "" {
			t.Errorf("%s feed links (-want +got):\n%s", tt.page, diff)
		}
	}
	// Every page announces only feeds that exist.
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		for _, l := range feedHrefs(readDoc(t, out, rel)) {
			_, href, _ := strings.Cut(l, " ")
			if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(href))); err != nil {
				t.Errorf("%s announces %s, which does not exist", rel, href)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestSubscribePage(t *testing.T) {
	out := buildFeedSite(t, siteFS(t, "feeds.txtar"), buildDate, "")
	d := readDoc(t, out, "subscribe/index.html")
	var listed []string
	d.Find(".feed-formats a").Each(func(_ int, s *goquery.Selection) {
		href := s.AttrOr("href", "")
		listed = append(listed, href)
		if label := strings.TrimSpace(s.Contents().First().Text()); !slices.Contains([]string{"RSS", "Atom", "JSON"}, label) {
			t.Errorf("feed link %s reads %q, want RSS, Atom or JSON", href, label)
		}
		if s.Find(".sr-only").Length() == 0 {
			t.Errorf("feed link %s has no hidden feed name: screen readers would hear 54 identical links", href)
		}
	})
	slices.Sort(listed)
	want := feedFiles(t, out)
	if diff := cmp.Diff(want, listed); diff != "" {
		t.Errorf("feeds on the subscribe page (-on disk +listed):\n%s", diff)
	}
	d.Find(".feed-list a.feed-title").Each(func(_ int, s *goquery.Selection) {
		href := s.AttrOr("href", "")
		if _, err := os.Stat(filepath.Join(out, filepath.FromSlash(href), "index.html")); err != nil {
			t.Errorf("feed's list page %s does not exist", href)
		}
	})
	if a := d.Find(`.feed-opml a[href="/subscribe/feeds.opml"]`); a.Length() != 1 || a.AttrOr("type", "") != OPMLType {
		t.Errorf("subscribe page has %d links to the OPML file (type %q), want one of type %s", a.Length(), a.AttrOr("type", ""), OPMLType)
	}
	if d.Find(".feed-help ol li").Length() != 3 || !strings.Contains(d.Find(".feed-help").Text(), "最新的 50 条") {
		t.Error("subscribe page lacks the three steps and the 50-entry note for newcomers")
	}
	// Headings go h1 → h2 → h3 without skipping a level.
	last := 0
	d.Find("main h1, main h2, main h3").Each(func(_ int, s *goquery.Selection) {
		level := int(goquery.NodeName(s)[1] - '0')
		if level > last+1 {
			t.Errorf("heading %q (h%d) follows h%d", s.Text(), level, last)
		}
		last = level
	})
}

func TestXMLSafe(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "政务公开 <b>&", "政务公开 <b>&"},
		{"tab newline return kept", "a\tb\nc\rd", "a\tb\nc\rd"},
		{"C0 dropped", "a\x00b\x01c\x08d\x0be\x0cf\x1fg", "abcdefg"},
		{"DEL and C1 dropped", "a\x7fb\u0085c\u009fd", "abcd"},
		{"noncharacters dropped", "a\uFFFEb\uFFFFc\uFFFDd", "abc\uFFFDd"},
		{"invalid UTF-8 replaced", "a\xffb", "a\uFFFDb"},
		{"astral kept", "𠀀𝄞", "𠀀𝄞"},
	}
	for _, tt := range tests {
		if got := xmlSafe(tt.in); got != tt.want {
			t.Errorf("%s: xmlSafe(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

func TestFeedStateErrors(t *testing.T) {
	fsys := siteFS(t, "feeds.txtar")
	good := buildFeedSite(t, fsys, buildDate, "")
	var st feedState
	if err := json.Unmarshal(readFeedOut(t, stateOf(good), "/"+feedStateFile), &st); err != nil {
		t.Fatal(err)
	}
	const id = "tag:www.test.gov.cn,2023:/release/mb0000002-2023-00801.html"
	e, ok := st.Entries[id]
	if !ok || len(st.Entries) != feedBases["/feeds/all"] {
		t.Fatalf("state has %d entries (entry %s: %v), want one per entry of the all feed", len(st.Entries), id, ok)
	}
	e.Updated = "yesterday"
	st.Entries[id] = e
	badDate, _ := json.Marshal(st)
	tests := []struct {
		name, state, want string
	}{
		{"not JSON", "{not json", "read previous feed state"},
		{"other version", `{"version": 9, "entries": {}}`, "version 9, want 2"},
		{"unreadable date of an unchanged entry", string(badDate), "read previous feed state: entry " + id},
	}
	c, err := Load(context.Background(), fsys, buildDate)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			prev := t.TempDir()
			if err := os.MkdirAll(filepath.Join(prev, "feeds"), 0o755); err != nil {
				t.Fatal(err)
			}
			os.WriteFile(filepath.Join(prev, ManifestFile), nil, 0o644)
			if err := os.WriteFile(filepath.Join(prev, "feeds", "state.json"), []byte(tt.state), 0o644); err != nil {
				t.Fatal(err)
			}
			ps, err := ReadState(prev, "")
			if err == nil {
				_, err = Render(context.Background(), c, Options{Out: t.TempDir(), Theme: theme(t), Previous: ps})
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error = %v, want one containing %q", err, tt.want)
			}
		})
	}
	if s, err := ReadState(filepath.Join(t.TempDir(), "missing"), ""); s != nil || err != nil {
		t.Errorf("ReadState(missing folder) = %v, %v; want nil, nil: a first build has no state", s, err)
	}
	if s, err := ReadState("", ""); s != nil || err != nil {
		t.Errorf("ReadState(\"\") = %v, %v; want nil, nil", s, err)
	}
}

// BenchmarkFeeds generates every feed (three formats each) and the feed
// state for the records of the benchmark corpus: 10,000 policies with
// /tmp/corpus10k, so the site-wide, agency and topic feeds each pick their
// newest 50 entries out of all of them.
//
//	go test -run '^$' -bench Feeds -benchtime 5x ./generator -args -corpus /tmp/corpus10k
func BenchmarkFeeds(b *testing.B) {
	c, n := corpusContent(b)
	th := theme(b)
	// generate writes every feed output once and returns the bytes written.
	generate := func(prev *State) (files int, size int64, state []byte) {
		bd := &Build{Content: c, Theme: th, Previous: prev}
		// As Render does: the bodies a feed shows are converted once.
		bd.bodies = newBodies(newMarkdown(c.Site.UnsafeHTML, c.Site.BasePath()), c.Published, nil, nil, nil)
		outs := bd.feedOutputs()
		if err := bd.feeds.prepare(); err != nil {
			b.Fatal(err)
		}
		bd.feeds.needBodies()
		var buf bytes.Buffer
		for _, o := range outs {
			if o.Write == nil {
				continue
			}
			buf.Reset()
			if err := o.Write(&buf); err != nil {
				b.Fatal(err)
			}
			files++
			size += int64(buf.Len())
		}
		buf.Reset()
		if err := bd.feeds.writeState(&buf); err != nil {
			b.Fatal(err)
		}
		return files, size, bytes.Clone(buf.Bytes())
	}
	_, _, state := generate(nil)
	dir := b.TempDir()
	if err := writeState(dir, nil, nil, nil, state); err != nil {
		b.Fatal(err)
	}
	prev, err := ReadState(dir, "")
	if err != nil {
		b.Fatal(err)
	}
	for _, bc := range []struct {
		name string
		prev *State
	}{{"first", nil}, {"previous", prev}} {
		b.Run(bc.name, func(b *testing.B) {
			var files int
			var size int64
			for b.Loop() {
				files, size, _ = generate(bc.prev)
			}
			b.ReportMetric(float64(n), "records")
			b.ReportMetric(float64(files), "files")
			b.ReportMetric(float64(size)/1e6, "MB")
		})
	}
}

func TestAbsolutize(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"root-relative link", `<a href="/zfxxgk/policy/x.html">x</a>`, `<a href="https://h.cn/zfxxgk/policy/x.html">x</a>`},
		{"image", `<img src="/a.png" alt="">`, `<img src="https://h.cn/a.png" alt="">`},
		{"protocol-relative kept", `<a href="//cdn.cn/x">x</a>`, `<a href="//cdn.cn/x">x</a>`},
		{"absolute kept", `<a href="https://o.cn/">o</a><a href="mailto:a@b.cn">m</a>`, `<a href="https://o.cn/">o</a><a href="mailto:a@b.cn">m</a>`},
		{"relative resolved against the page", `<a href="x.pdf">x</a><a href="../y/">y</a>`, `<a href="https://h.cn/zfxxgk/policy/x.pdf">x</a><a href="https://h.cn/zfxxgk/y/">y</a>`},
		{"footnote", `<sup id="fnref:1"><a href="#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>`, `<sup id="fnref:1"><a href="https://h.cn/zfxxgk/policy/p.html#fn:1" class="footnote-ref" role="doc-noteref">1</a></sup>`},
		{"other attribute kept", `<td data-x="/y">`, `<td data-x="/y">`},
		{"text kept", `<p>a ="/b"</p>`, `<p>a ="/b"</p>`},
		{"several", `<a href="/a/">a</a> <a href="/b/">b</a>`, `<a href="https://h.cn/a/">a</a> <a href="https://h.cn/b/">b</a>`},
		{"at the end", `<a href="/`, `<a href="https://h.cn/`},
	}
	for _, tt := range tests {
		var w strings.Builder
		absolutize(&w, tt.in, "https://h.cn", "https://h.cn/zfxxgk/policy/p.html")
		if got := w.String(); got != tt.want {
			t.Errorf("%s: absolutize(%q) = %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// TestNoticeFeed checks that notices and hearings get a feed of their own in
// every format, announced on the notice pages and listed on /subscribe/.
func TestNoticeFeed(t *testing.T) {
	out, c := svcBuild(t, siteFS(t, "services.txtar"), svcDate)
	notices := c.ByKind("notice")
	if len(notices) == 0 {
		t.Fatal("the services site has no published notice")
	}
	var want []string
	for _, r := range notices {
		want = append(want, c.Site.AbsURL(r.URL))
	}
	slices.Sort(want)
	for _, suffix := range []string{".rss.xml", ".atom.xml", ".feed.json"} {
		f, err := gofeed.NewParser().Parse(bytes.NewReader(readFeedOut(t, out, "/feeds/notices"+suffix)))
		if err != nil {
			t.Fatalf("parse /feeds/notices%s: %v", suffix, err)
		}
		var got []string
		for _, it := range f.Items {
			got = append(got, it.Link)
		}
		slices.Sort(got)
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("/feeds/notices%s items (-want +got):\n%s", suffix, diff)
		}
	}
	page := readDoc(t, out, strings.TrimPrefix(notices[0].URL, "/"))
	if page.Find(`link[rel="alternate"][href="/feeds/notices.atom.xml"]`).Length() != 1 {
		t.Errorf("%s does not announce the notices feed", notices[0].URL)
	}
	if readDoc(t, out, "subscribe/index.html").Find(`a[href$="/feeds/notices.rss.xml"]`).Length() == 0 {
		t.Error("/subscribe/ does not list the notices feed")
	}
}

// TestFeedStateWarm: the feed state a build wrote and kept in a Warm is
// what the next build reads, without decoding the file, and equal to what
// the file decodes to; a file replaced since is decoded again.
func TestFeedStateWarm(t *testing.T) {
	dir := t.TempDir()
	set := &feedSet{state: feedState{Version: feedStateVersion, Entries: map[string]feedStateEntry{
		"tag:example.gov.cn,2024:/policy/a.html":    {Hash: "ab12", Updated: "2024-05-01T10:00:00+08:00"},
		"tag:example.gov.cn,2025:/notice/<b>&.html": {Hash: "cd34", Updated: "2025-01-02T00:00:00+08:00"},
	}}}
	var buf bytes.Buffer
	if err := set.writeState(&buf); err != nil {
		t.Fatal(err)
	}
	if err := writeState(dir, []string{"/"}, nil, nil, buf.Bytes()); err != nil {
		t.Fatal(err)
	}
	w := NewWarm()
	set.keepFeedState(w, dir)
	cold, err := ReadState(dir, "")
	if err != nil {
		t.Fatal(err)
	}
	warm, err := ReadStateWarm(dir, "", w)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(warm.feeds, cold.feeds) || !reflect.DeepEqual(*warm.feeds, set.state) {
		t.Fatalf("kept feed state %+v, the file decodes to %+v", warm.feeds, cold.feeds)
	}
	if _, packs := w.hits(); packs != 1 {
		t.Errorf("warm pack hits = %d, want 1 (the state taken from the Warm)", packs)
	}
	// Replaced by another build's file: read from the file.
	p := filepath.Join(dir, filepath.FromSlash(feedStateFile))
	other := bytes.Replace(buf.Bytes(), []byte("ab12"), []byte("ef56"), 1)
	if err := os.Remove(p); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, other, 0o644); err != nil {
		t.Fatal(err)
	}
	again, err := ReadStateWarm(dir, "", w)
	if err != nil {
		t.Fatal(err)
	}
	if got := again.feeds.Entries["tag:example.gov.cn,2024:/policy/a.html"].Hash; got != "ef56" {
		t.Errorf("after the file was replaced, hash = %q, want the file's ef56", got)
	}
}

// TestFeedStateIn: the feed state records, for the entry of a record's own
// body, what its hash was computed from (In). A build whose entry has the
// same In takes the hash from the state instead of hashing the body again
// (a hash planted in the state is carried over); an entry whose In
// differs is hashed afresh, and a changed hash moves its updated date to
// the build's; an entry that is not a record's own body has no In.
func TestFeedStateIn(t *testing.T) {
	fsys := siteFS(t, "feeds.txtar")
	good := buildFeedSite(t, fsys, buildDate, "")
	p := filepath.Join(stateOf(good), filepath.FromSlash(feedStateFile))
	var st feedState
	if err := json.Unmarshal(readFeedOut(t, stateOf(good), "/"+feedStateFile), &st); err != nil {
		t.Fatal(err)
	}
	const id = "tag:www.test.gov.cn,2023:/release/mb0000002-2023-00801.html"
	e, ok := st.Entries[id]
	if !ok || len(e.In) != 32 {
		t.Fatalf("entry %s: %+v, want one with its In", id, e)
	}
	// A record's own entry has an In; a further entry (a validity
	// change, whose id has a fragment) has none.
	fragments := 0
	for x, v := range st.Entries {
		if own := !strings.Contains(x, "#"); own != (len(v.In) == 32) {
			t.Errorf("entry %s: In %q", x, v.In)
		}
		if strings.Contains(x, "#") {
			fragments++
		}
	}
	if fragments == 0 {
		t.Error("no validity-change entry in the test site's feeds")
	}
	write := func(s feedState) {
		t.Helper()
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	later := buildDate.AddDate(0, 1, 0)
	after := func() feedStateEntry {
		t.Helper()
		var s feedState
		out := buildFeedSite(t, fsys, later, good)
		if err := json.Unmarshal(readFeedOut(t, stateOf(out), "/"+feedStateFile), &s); err != nil {
			t.Fatal(err)
		}
		return s.Entries[id]
	}

	planted := e
	planted.Hash = "planted"
	st.Entries[id] = planted
	write(st)
	if got := after(); got.Hash != "planted" || got.Updated != e.Updated || got.In != e.In {
		t.Errorf("same In: %+v, want the state's hash and date %+v", got, planted)
	}

	planted.In = strings.Repeat("0", 32)
	st.Entries[id] = planted
	write(st)
	if got := after(); got.Hash != e.Hash || got.In != e.In || got.Updated != later.In(China).Format(time.RFC3339) {
		t.Errorf("other In: %+v, want hash %s hashed again, updated at the build date", got, e.Hash)
	}
}
