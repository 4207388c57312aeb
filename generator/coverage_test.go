package generator

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// Planted markers of the kinds of issue 12: a decision past its display
// period, a revoked one, a withheld info record with its attachment and a
// withheld agency profile.
const (
	expiredMarker = "DECISION-EXPIRED-MARK-9d2e"
	revokedMarker = "DECISION-REVOKED-MARK-41c7"
	infoMarker    = "INFO-WITHHELD-MARK-b83a"
	agencyMarker  = "AGENCY-WITHHELD-MARK-0f5d"
)

func decisionFile(title, marker, extra string) string {
	return `---
disclosure: 主动公开
index_no: MB0000002/2024-0` + title + `
title: ` + marker + ` 测试市某某公司行政处罚决定
summary: ` + marker + ` 超标排放，罚款。
agencies: [fgw]
date_published: 2024-05-10
type: 行政处罚
doc_no: 测发改罚〔2024〕` + strings.TrimLeft(title, "0") + `号
party:
  name: 测试市某某有限公司` + marker + `
  type: 法人
  credit_code: 91519900MA6C7R5N1F
  representative: 王大明
reason: ` + marker + ` 违法事实。
basis: 《中华人民共和国价格法》第四十二条。
result: 罚款人民币1万元。
fine: 1
decided: 2024-05-06
display_until: 2024-09-30
` + extra + `---

` + marker + ` 决定书正文。
`
}

// coverageSite is feeds.txtar with an agency profile of each kind of
// disclosure, decisions and info records.
func coverageSite(t *testing.T, revoked bool) fstest.MapFS {
	fsys := siteFS(t, "feeds.txtar")
	add := func(name, data string) { fsys[name] = &fstest.MapFile{Data: []byte(data), Mode: 0o644} }
	profile := func(code, name, disclosure, marker string) string {
		return `---
disclosure: ` + disclosure + `
name: ` + name + `
org_code: ` + map[string]string{"gov": "MB0000001", "czj": "MB0000003"}[code] + `
type: 市政府工作部门
date_published: 2024-01-10
address: 测试市人民路` + marker + `号
hours: 工作日 9:00—17:00
phone: 028-1111` + marker + `
leaders:
  - {name: 张三, post: 主任}
departments:
  - {name: 办公室, duties: 日常运转。}
---

` + marker + ` 主要职责。
`
	}
	add("content/agencies/gov.md", profile("gov", "测试市人民政府办公室", "主动公开", "2222"))
	add("content/agencies/czj.md", profile("czj", "测试市财政局", "不予公开", agencyMarker))
	add("content/decisions/shown.md", decisionFile("0101", "公示中", "display_until_placeholder: x\n"))
	fsys["content/decisions/shown.md"].Data = []byte(strings.Replace(string(fsys["content/decisions/shown.md"].Data), "display_until: 2024-09-30\ndisplay_until_placeholder: x\n", "display_until: 2027-05-06\n", 1))
	add("content/decisions/expired.md", decisionFile("0102", expiredMarker, ""))
	rev := ""
	if revoked {
		rev = "revoked:\n  status: 撤销\n  date: 2024-11-20\n  reason: 行政复议决定撤销。\n"
	}
	add("content/decisions/revoked.md", strings.Replace(decisionFile("0103", revokedMarker, rev), "display_until: 2024-09-30", "display_until: 2027-05-06", 1))
	info := func(no, disclosure, marker, category, attachment string) string {
		s := `---
disclosure: ` + disclosure + `
index_no: MB0000003/2024-0` + no + `
title: ` + marker + ` 2024年预算
summary: ` + marker + ` 预算。
agencies: [czj]
date_published: 2024-03-01
category: ` + category + `
`
		if attachment != "" {
			s += "attachments:\n  - {name: 预算表, file: " + attachment + "}\n"
		}
		return s + "---\n\n" + marker + " 正文。\n"
	}
	add("content/info/yusuan.md", info("0201", "主动公开", "公开", "caizheng", ""))
	add("content/info/cao.md", info("0202", "依申请公开", infoMarker, "caizheng", "attachments/cao.csv"))
	add("content/attachments/cao.csv", "a,b\n"+infoMarker+",1\n")
	return fsys
}

// assertNoMarkers fails when any file under out, or any text collected for
// the search index, holds one of markers.
func assertNoMarkers(t *testing.T, out string, texts []string, markers ...string) {
	t.Helper()
	n := assertNoBytes(t, out, markers...)
	if n < 50 {
		t.Fatalf("only %d files checked; the test would prove nothing", n)
	}
	for _, s := range texts {
		for _, m := range markers {
			if strings.Contains(s, m) {
				t.Errorf("search text contains the marker %q", m)
			}
		}
	}
}

// TestCoverageKindsWithheld builds a site where a decision was on display
// and then its display period ended and another was revoked: the next build
// leaves both out of every output (page, lists, feeds, sitemap, catalogue,
// search text, attachment), as it does a withheld info record with its
// attachment and a withheld agency profile, whose contacts the site then
// does not take either.
func TestCoverageKindsWithheld(t *testing.T) {
	first := time.Date(2024, 6, 1, 0, 0, 0, 0, China)
	prev, _, _ := renderSite(t, coverageSite(t, false), first, "")
	for _, p := range []string{"decision/mb0000002-2024-00102.html", "decision/mb0000002-2024-00103.html"} {
		if _, err := os.Stat(filepath.Join(prev, p)); err != nil {
			t.Fatalf("the first build did not publish %s: %v", p, err)
		}
	}
	ps, err := ReadState(stateOf(prev), "")
	if err != nil {
		t.Fatal(err)
	}
	c, err := LoadAfter(context.Background(), coverageSite(t, true), buildDate, ps)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Problems.Err(); err != nil {
		t.Fatalf("content errors:\n%v", err)
	}
	out := filepath.Join(t.TempDir(), "public")
	res, err := Render(context.Background(), c, Options{Out: out, State: stateOf(out), Theme: theme(t), CollectText: true, Previous: ps})
	if err != nil {
		t.Fatal(err)
	}
	withheld := map[string]bool{}
	for _, r := range c.Withheld {
		withheld[r.Path] = true
	}
	for _, p := range []string{"content/decisions/expired.md", "content/decisions/revoked.md", "content/info/cao.md", "content/agencies/czj.md"} {
		if !withheld[p] {
			t.Errorf("%s is not withheld", p)
		}
	}
	assertNoMarkers(t, out, res.Texts, expiredMarker, revokedMarker, infoMarker, agencyMarker)
	// The decision still on display, the published info record and agency
	// profile are there, so the test would see a leak.
	for _, p := range []string{"decision/mb0000002-2024-00101.html", "info/mb0000003-2024-00201.html", "agency/gov.html", "agency/index.html", "directory/caizheng/index.html"} {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("missing %s: %v", p, err)
		}
	}
	// The pages the first build published are withdrawn notices now.
	for _, w := range c.Withdrawn {
		if strings.Contains(w.Reason, expiredMarker) || strings.Contains(w.Reason, revokedMarker) {
			t.Errorf("withdrawn notice %s names the decision", w.URL)
		}
	}
	if len(c.Withdrawn) < 2 {
		t.Errorf("withdrawn = %+v, want the expired and the revoked decision's pages", c.Withdrawn)
	}
	// The withheld profile's contacts are not the site's.
	if a := c.Site.Agency("czj"); a.URL() != "" || strings.Contains(a.Phone, agencyMarker) {
		t.Errorf("agency czj from a withheld profile: url %q, phone %q", a.URL(), a.Phone)
	}
	if a := c.Site.Agency("gov"); a.URL() != "/agency/gov.html" || a.Phone != "028-11112222" {
		t.Errorf("agency gov: url %q, phone %q; want its profile's", a.URL(), a.Phone)
	}
}

// customDirectory is a site's own tree: 规章 and the other policies, a
// budget category served by info records, and an empty category with its
// dated statement.
const customDirectory = `directory:
  - code: wenjian
    name: 政策文件
    basis: "20.1"
    serve: {kind: policy}
  - code: caizheng
    name: 财政预算决算
    basis: "20.7"
    description: 预算、决算和“三公”经费。
  - code: zhengshou
    name: 土地征收
    basis: "21"
    empty:
      reason: 本年度未作出征收决定。
      date: 2024-11-02
application_form: {name: 测试市政府信息公开申请表, file: forms/shenqingbiao.docx}
`

func customDirectorySite(t *testing.T) fstest.MapFS {
	fsys := coverageSite(t, false)
	fsys["content/site.yaml"].Data = []byte(strings.Replace(string(fsys["content/site.yaml"].Data), "guide: |", customDirectory+"guide: |", 1))
	fsys["content/forms/shenqingbiao.docx"] = &fstest.MapFile{Data: []byte("PK\x03\x04 form"), Mode: 0o644}
	return fsys
}

// TestDirectoryOutputs: a site's own directory replaces the default tree;
// the coverage check names the items of art. 20 it leaves out; the
// directory page, each category's page, the catalogue CSV and the guide
// follow the tree, and the guide lists only the site's categories, the
// empty one with its dated statement, and links the application form.
func TestDirectoryOutputs(t *testing.T) {
	fsys := customDirectorySite(t)
	c, err := Load(context.Background(), fsys, buildDate)
	if err != nil {
		t.Fatal(err)
	}
	var coverage []string
	for _, p := range c.Problems {
		if p.Field == DirectoryField {
			coverage = append(coverage, p.Error())
		}
	}
	if len(coverage) != 12 || !strings.Contains(strings.Join(coverage, "\n"), "content/site.yaml:30: directory: warning: no category serves 条例第二十条第（二）项 (机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名); give one category basis: 20.2") {
		t.Errorf("coverage warnings (want one per missing item of art. 20 (一)–(十四), 12):\n%s", strings.Join(coverage, "\n"))
	}
	out, _, _ := renderSite(t, fsys, buildDate, "")

	dir := readDoc(t, out, "directory/index.html")
	if got := dir.Find("table.directory tbody tr").Length(); got != 3 {
		t.Errorf("directory page rows = %d, want 3", got)
	}
	if txt := dir.Find("table.directory").Text(); !strings.Contains(txt, "本机关无此类信息（2024-11-02）") || !strings.Contains(txt, "《政府信息公开条例》第二十条第（七）项") {
		t.Errorf("directory table:\n%s", txt)
	}
	budget := readDoc(t, out, "directory/caizheng/index.html")
	if h := budget.Find("h1").Text(); h != "财政预算决算" {
		t.Errorf("category heading %q", h)
	}
	if n := budget.Find("ul.items li").Length(); n != 1 || !strings.Contains(budget.Find("ul.items").Text(), "2024年预算") {
		t.Errorf("budget category lists %d records:\n%s", n, budget.Find("ul.items").Text())
	}
	empty := readDoc(t, out, "directory/zhengshou/index.html")
	if txt := empty.Find(".status-box").Text(); !strings.Contains(txt, "本机关无此类信息") || !strings.Contains(txt, "本年度未作出征收决定。") || !strings.Contains(txt, "2024-11-02") {
		t.Errorf("empty category statement:\n%s", txt)
	}

	guide := readDoc(t, out, "guide/index.html")
	var cats []string
	guide.Find(".guide-categories li").Each(func(_ int, s *goquery.Selection) { cats = append(cats, strings.TrimSpace(s.Text())) })
	want := []string{"政策文件（《政府信息公开条例》第二十条第（一）项）（4）", "财政预算决算（《政府信息公开条例》第二十条第（七）项）（1）",
		"土地征收（《政府信息公开条例》第二十一条）：本机关无此类信息（2024-11-02）"}
	if diff := cmp.Diff(want, cats); diff != "" {
		t.Errorf("guide categories (-want +got):\n%s", diff)
	}
	if href, _ := guide.Find(".guide-forms a[download]").Attr("href"); href != "/forms/shenqingbiao.docx" {
		t.Errorf("guide form link %q", href)
	}
	if _, err := os.Stat(filepath.Join(out, "forms/shenqingbiao.docx")); err != nil {
		t.Errorf("the form is not published: %v", err)
	}

	csvData, err := os.ReadFile(filepath.Join(out, "catalogue.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(csvData, []byte("\xef\xbb\xbf")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	var order []string
	for _, r := range rows[1:] {
		order = append(order, r[len(r)-1])
	}
	// Tree order: 政策文件 first, then 财政预算决算, then what no category
	// takes (releases, decisions, interpretations).
	first := map[string]int{}
	for i, cat := range order {
		if _, ok := first[cat]; !ok {
			first[cat] = i
		}
	}
	if !(first["政策文件"] < first["财政预算决算"] && first["财政预算决算"] < first[""]) {
		t.Errorf("catalogue.csv is not in tree order: %q", order)
	}
}

// TestInfoCategoryChecks: an info record names a category of the directory
// that info records serve.
func TestInfoCategoryChecks(t *testing.T) {
	for _, tc := range []struct{ category, want string }{
		{"nosuch", `content/info/yusuan.md:8: category: unknown category "nosuch"; categories are the keys of the directory in content/site.yaml, such as caizheng, zhengshou`},
		{"wenjian", "content/info/yusuan.md:8: category: category wenjian (政策文件) is served by policy records, not info records"},
	} {
		fsys := customDirectorySite(t)
		fsys["content/info/yusuan.md"].Data = []byte(strings.Replace(string(fsys["content/info/yusuan.md"].Data), "category: caizheng", "category: "+tc.category, 1))
		c, err := Load(context.Background(), fsys, buildDate)
		if err != nil {
			t.Fatal(err)
		}
		if got := c.Problems.Errors(); len(got) != 1 || got[0].Error() != tc.want {
			t.Errorf("category %s: errors %v, want %q", tc.category, got, tc.want)
		}
	}
}

// TestDecisionAndAgencyLists: decisions on display are listed by agency,
// year and type and carried by their feed; agency profiles are listed by
// type, and each agency's page lists what it published; the footer and the
// guide take the office's contacts from its profile.
func TestDecisionAndAgencyLists(t *testing.T) {
	out, _, _ := renderSite(t, coverageSite(t, false), buildDate, "")
	for _, tc := range []struct{ page, want string }{
		{"decision/index.html", "公示中 测试市某某公司行政处罚决定"},
		{"decision/agency/fgw/index.html", "公示中 测试市某某公司行政处罚决定"},
		{"decision/year/2024/index.html", "公示中 测试市某某公司行政处罚决定"},
		{"decision/type/penalty/index.html", "公示中 测试市某某公司行政处罚决定"},
		{"agency/index.html", "测试市人民政府办公室"},
	} {
		if txt := readDoc(t, out, tc.page).Find("main").Text(); !strings.Contains(txt, tc.want) {
			t.Errorf("%s lacks %q", tc.page, tc.want)
		}
	}
	feed := parseJSONFeed(t, out, "/feeds/decisions.feed.json")
	// The decision on display and the one not yet revoked in this build.
	if len(feed.Items) != 2 {
		t.Errorf("decision feed items: %d, want 2", len(feed.Items))
	}
	for _, it := range feed.Items {
		if strings.Contains(it.Title, expiredMarker) {
			t.Errorf("the decision feed carries the expired decision %q", it.Title)
		}
	}
	ag := readDoc(t, out, "agency/gov.html")
	if n := ag.Find(`section[aria-labelledby="pub-h"] li`).Length(); n == 0 {
		t.Error("the agency page lists nothing the agency published")
	}
	if txt := ag.Find(".metadata").Text(); !strings.Contains(txt, "028-11112222") || !strings.Contains(txt, "测试市人民路2222号") {
		t.Errorf("agency metadata:\n%s", txt)
	}
	if txt := readDoc(t, out, "guide/index.html").Find(".office").Text(); !strings.Contains(txt, "028-11112222") {
		t.Errorf("the guide's office contacts do not come from the profile:\n%s", txt)
	}
}
