package generator

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
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
	n := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		n++
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range markers {
			if strings.Contains(string(b), m) {
				t.Errorf("%s contains the marker %q", p, m)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
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
