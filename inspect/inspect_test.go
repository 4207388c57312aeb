package inspect

import (
	"context"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"go.yaml.in/yaml/v3"
)

var china = time.FixedZone("CST", 8*3600)

func date(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, china)
	if err != nil {
		panic(err)
	}
	return t
}

// weekdays is a calendar without holidays.
type weekdays struct{}

func (weekdays) Covers(time.Time) bool { return true }
func (weekdays) WorkdaysBetween(from, to time.Time) int {
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			n++
		}
	}
	return n
}

// fixture is a small site that passes every rule on 2026-11-27; each test
// case breaks one thing.
type fixture struct {
	*Site
	release, policy, interp, govReport, deptReport *Record
	news, policies, interps, reports               *Column
}

func newFixture() *fixture {
	f := &fixture{}
	f.news = &Column{ID: "release", Name: "新闻发布", URL: "/release/", Class: ClassNews}
	f.policies = &Column{ID: "policy", Name: "政策文件", URL: "/policy/", Class: ClassPolicy}
	f.interps = &Column{ID: "interpretation", Name: "政策解读", URL: "/interpretation/", Class: ClassPolicy}
	f.reports = &Column{ID: "report", Name: "年度报告", URL: "/report/", Class: ClassInfo}
	rec := func(col *Column, path, url, pub string, agencies ...string) *Record {
		r := &Record{Path: path, URL: url, Column: col, Published: date(pub), DateLine: 5, Agencies: agencies,
			Texts: []Text{{Line: 2, Text: "title: 标题\n"}, {Line: 8, Text: "正文第一行。\n正文第二行。\n"}}}
		col.Records = append(col.Records, r)
		return r
	}
	f.release = rec(f.news, "content/releases/r1.md", "/release/r1.html", "2026-11-20", "dept")
	f.policy = rec(f.policies, "content/policies/p1.md", "/policy/p1.html", "2026-10-09", "gov")
	f.policy.Normative, f.policy.InForce = true, true
	f.interp = rec(f.interps, "content/interpretations/i1.md", "/interpretation/i1.html", "2026-10-12", "gov")
	f.interp.Interprets = f.policy
	f.policy.Interpretations = []*Record{f.interp}
	f.govReport = rec(f.reports, "content/reports/2025-gov.md", "/report/2025-gov.html", "2026-03-20", "gov")
	f.govReport.Report = &AnnualReport{Year: 2025, Level: LevelGovernment}
	f.deptReport = rec(f.reports, "content/reports/2025-dept.md", "/report/2025-dept.html", "2026-01-20", "dept")
	f.deptReport.Report = &AnnualReport{Year: 2025, Level: LevelDepartment}
	f.Site = &Site{
		Name: "测试市人民政府信息公开平台", Date: date("2026-11-27"), ConfigPath: "content/site.yaml", Config: DefaultConfig(),
		Columns:  []*Column{f.news, f.policies, f.interps, f.reports},
		Records:  []*Record{f.release, f.policy, f.interp, f.govReport, f.deptReport},
		Agencies: []*Agency{{Code: "gov", Name: "测试市人民政府", Line: 10}, {Code: "dept", Name: "测试市财政局", Line: 15}},
		Nav:      []*NavEntry{{Title: "新闻发布", URL: "/release/", Line: 20}, {Title: "政策文件", URL: "/policy/", Line: 21}},
		Pages:    []*Page{{Name: "政府信息公开指南", URL: "/guide/", Date: date("2026-01-05"), Path: "content/site.yaml", Line: 30}},
		Identity: []IdentityField{{Key: "site_id_code", Label: "网站标识码", Value: "1234567890", Line: 3}},
		Workdays: weekdays{},
		URLs:     map[string]bool{},
		BaseURL:  "https://www.example.gov.cn/",
		Anchors: func(u string) []string {
			if u == "/policy/p1.html" {
				return []string{"一总体要求"}
			}
			return nil
		},
		ThemeAnchors: []string{"main"},
	}
	for _, u := range []string{"/", "/release/", "/policy/", "/interpretation/", "/report/", "/guide/", "/release/r1.html",
		"/policy/p1.html", "/interpretation/i1.html", "/report/2025-gov.html", "/report/2025-dept.html"} {
		f.URLs[u] = true
	}
	return f
}

func findings(t *testing.T, s *Site) []string {
	t.Helper()
	rep, err := Run(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.String())
	}
	return out
}

func body(r *Record, text string) { r.Texts[1].Text = text }

func config(t *testing.T, src string) *Config {
	t.Helper()
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	c, probs := ParseConfig(&n, "content/site.yaml")
	if len(probs) > 0 {
		t.Fatalf("config: %v", probs)
	}
	return c
}

func TestFixturePasses(t *testing.T) {
	if got := findings(t, newFixture().Site); len(got) > 0 {
		t.Errorf("the fixture should pass every rule:\n%s", strings.Join(got, "\n"))
	}
}

// TestRules trips each rule with the fixture and checks the exact lines.
func TestRules(t *testing.T) {
	for _, tc := range []struct {
		name    string
		breakIt func(t *testing.T, f *fixture)
		want    []string
	}{
		{"FRESH-HOME and FRESH-COLUMN: news older than 2 weeks", func(t *testing.T, f *fixture) {
			f.release.Published = date("2026-11-01")
		}, []string{
			"column 新闻发布: FRESH-COLUMN: the newest record, content/releases/r1.md, was published 2026-11-01, more than 2 weeks before 2026-11-27 (栏目不更新)",
			"column 首页: FRESH-HOME: the newest record, content/releases/r1.md, was published 2026-11-01, more than 2 weeks before 2026-11-27 (首页不更新)",
		}},
		{"FRESH-COLUMN: policies older than 6 months", func(t *testing.T, f *fixture) {
			f.policy.Published, f.interp.Published = date("2026-05-20"), date("2026-05-21")
		}, []string{
			"column 政策文件: FRESH-COLUMN: the newest record, content/policies/p1.md, was published 2026-05-20, more than 6 months before 2026-11-27 (栏目不更新)",
			"column 政策解读: FRESH-COLUMN: the newest record, content/interpretations/i1.md, was published 2026-05-21, more than 6 months before 2026-11-27 (栏目不更新)",
		}},
		{"FRESH-COLUMN: a configured age", func(t *testing.T, f *fixture) {
			f.Config = config(t, "columns:\n  - {column: 年度报告, max_age: 6m}\n")
		}, []string{
			"column 年度报告: FRESH-COLUMN: the newest record, content/reports/2025-gov.md, was published 2026-03-20, more than 6 months before 2026-11-27 (栏目不更新)",
		}},
		{"FRESH-COLUMN: the guide older than a year", func(t *testing.T, f *fixture) {
			f.Pages[0].Date = date("2025-11-01")
		}, []string{
			"content/site.yaml:30: FRESH-COLUMN: 政府信息公开指南 was last updated 2025-11-01, more than 1 year before 2026-11-27 (栏目不更新)",
		}},
		{"FRESH-EMPTY: a column without records", func(t *testing.T, f *fixture) {
			f.Columns = append(f.Columns, &Column{ID: "notice", Name: "决策公示", URL: "/notice/", Class: ClassNotice})
		}, []string{
			"column 决策公示: FRESH-EMPTY: has no published record (空白栏目)",
		}},
		{"FRESH-EMPTY: blamed on the navigation entry", func(t *testing.T, f *fixture) {
			f.Columns = append(f.Columns, &Column{ID: "notice", Name: "决策公示", URL: "/notice/", Class: ClassNotice})
			f.Nav = append(f.Nav, &NavEntry{Title: "公示", URL: "/notice/", Line: 22})
			f.URLs["/notice/"] = true
		}, []string{
			"content/site.yaml:22: FRESH-EMPTY: navigation entry 公示 leads to column 决策公示, which has no published record (空白栏目)",
		}},
		{"scheduled records are not published", func(t *testing.T, f *fixture) {
			f.release.Published, f.release.Scheduled = date("2026-12-01"), true
		}, []string{
			"column 首页: FRESH-HOME: the newest record, content/interpretations/i1.md, was published 2026-10-12, more than 2 weeks before 2026-11-27 (首页不更新)",
			"content/site.yaml:20: FRESH-EMPTY: navigation entry 新闻发布 leads to column 新闻发布, which has no published record yet (空白栏目); 1 record scheduled",
		}},
		{"FRESH-NAV", func(t *testing.T, f *fixture) {
			f.Nav = append(f.Nav, &NavEntry{Title: "政民互动", URL: "/hudong/", Line: 23},
				&NavEntry{Title: "中国政府网", URL: "https://www.gov.cn/", Line: 24},
				&NavEntry{Title: "首页", URL: "https://www.example.gov.cn/guide/", Line: 25})
		}, []string{
			"content/site.yaml:23: FRESH-NAV: navigation entry 政民互动 leads to /hudong/, which no build writes",
		}},
		{"FRESH-UNDATED", func(t *testing.T, f *fixture) {
			f.Pages[0].Date = time.Time{}
		}, []string{
			"content/site.yaml:30: FRESH-UNDATED: 政府信息公开指南 (/guide/) shows no date; inspectors count an undated page as never updated",
		}},
		{"DATE-ORDER", func(t *testing.T, f *fixture) {
			f.interp.Published = date("2026-10-08")
			f.interp.Dates = []DateOrder{{Before: f.policy.Published, After: f.interp.Published, BeforeName: "date_published of the document it explains, content/policies/p1.md", AfterName: "date_published", Line: 5}}
		}, []string{
			"content/interpretations/i1.md:5: DATE-ORDER: date_published (2026-10-08) is before date_published of the document it explains, content/policies/p1.md (2026-10-09)",
		}},
		{"DATE-ORDER: not for a scheduled record", func(t *testing.T, f *fixture) {
			f.release.Published, f.release.Scheduled = date("2026-11-20"), true
			f.release.Dates = []DateOrder{{Before: date("2026-11-25"), After: f.release.Published, BeforeName: "a", AfterName: "b", Line: 5}}
			f.Nav = f.Nav[1:]
		}, []string{
			"column 新闻发布: FRESH-EMPTY: has no published record yet (空白栏目); 1 record scheduled",
			"column 首页: FRESH-HOME: the newest record, content/interpretations/i1.md, was published 2026-10-12, more than 2 weeks before 2026-11-27 (首页不更新)",
		}},
		{"INTERP-MISSING", func(t *testing.T, f *fixture) {
			f.policy.Interpretations = nil
		}, []string{
			"content/policies/p1.md:5: INTERP-MISSING: 规范性文件 published 2026-10-09 has no published interpretation (解读)",
		}},
		{"INTERP-MISSING: the interpretation is scheduled", func(t *testing.T, f *fixture) {
			f.interp.Published, f.interp.Scheduled = date("2026-12-02"), true
		}, []string{
			"column 政策解读: FRESH-EMPTY: has no published record yet (空白栏目); 1 record scheduled",
			"content/policies/p1.md:5: INTERP-MISSING: 规范性文件 published 2026-10-09 has no published interpretation (解读); content/interpretations/i1.md is scheduled for 2026-12-02",
		}},
		{"INTERP-MISSING: not for a repealed document", func(t *testing.T, f *fixture) {
			f.policy.Interpretations, f.policy.InForce = nil, false
		}, nil},
		{"INTERP-LATE", func(t *testing.T, f *fixture) {
			f.interp.Published = date("2026-10-15") // Thursday: 4 working days after Friday 10-09
		}, []string{
			"content/interpretations/i1.md:5: INTERP-LATE: published 4 working days after the document it explains, content/policies/p1.md (2026-10-09); the limit is 3",
		}},
		{"INTERP-LATE: a site's own limit", func(t *testing.T, f *fixture) {
			f.Config = config(t, "interpretation_days: 0\n")
		}, []string{
			"content/interpretations/i1.md:5: INTERP-LATE: published 1 working days after the document it explains, content/policies/p1.md (2026-10-09); the limit is 0",
		}},
		{"REPORT-MISSING: a department after 31 January", func(t *testing.T, f *fixture) {
			f.Records = f.Records[:4]
		}, []string{
			"content/site.yaml:15: REPORT-MISSING: no 2025 annual report (部门) from 测试市财政局, due 2026-01-31 (条例第四十九条)",
		}},
		{"REPORT-MISSING: an agency that never had one", func(t *testing.T, f *fixture) {
			f.Agencies = append(f.Agencies, &Agency{Code: "new", Name: "测试市新设局", Line: 17})
		}, []string{
			"content/site.yaml:17: REPORT-MISSING: no 2025 annual report (部门) from 测试市新设局, due 2026-01-31 (条例第四十九条)",
		}},
		{"REPORT-MISSING: exempt agencies", func(t *testing.T, f *fixture) {
			f.Agencies = append(f.Agencies, &Agency{Code: "new", Name: "测试市新设局", Line: 17})
			f.Config = config(t, "reports:\n  exempt: [{agency: new, reason: 2026年新设立}]\n")
		}, nil},
		{"REPORT-MISSING: before the deadline the year before counts", func(t *testing.T, f *fixture) {
			f.Date = date("2026-01-31")
			f.Records = f.Records[:3]
			f.release.Published, f.policy.Published, f.interp.Published = date("2026-01-30"), date("2026-01-26"), date("2026-01-27")
			f.Pages[0].Date = date("2026-01-05")
		}, []string{
			"content/site.yaml:10: REPORT-MISSING: no 2024 annual report (政府) from 测试市人民政府, due 2025-03-31 (条例第四十九条)",
			"content/site.yaml:15: REPORT-MISSING: no 2024 annual report (部门) from 测试市财政局, due 2025-01-31 (条例第四十九条)",
		}},
		{"PII-ID, PII-MOBILE, PII-BANKCARD", func(t *testing.T, f *fixture) {
			body(f.policy, "联系人身份证号：110101199003074258。\n手机：13812345678，或 +86 139 1234 5678。\n收款账号：6222 0212 3456 7894\n")
		}, []string{
			"content/policies/p1.md:8: PII-ID: 居民身份证号码 110101********4258 is personal data; remove or mask it, or allow-list the exact value with a reason in inspection.allow",
			"content/policies/p1.md:9: PII-MOBILE: 手机号码 138****5678 is personal data; remove or mask it, or allow-list the exact value with a reason in inspection.allow",
			"content/policies/p1.md:9: PII-MOBILE: 手机号码 139****5678 is personal data; remove or mask it, or allow-list the exact value with a reason in inspection.allow",
			"content/policies/p1.md:10: PII-BANKCARD: 银行卡号 6222 **** 7894 is personal data; remove or mask it, or allow-list the exact value with a reason in inspection.allow",
		}},
		{"PII: the allow list", func(t *testing.T, f *fixture) {
			f.Config = config(t, "allow:\n  - {value: 138-1234-5678, reason: 公开的服务电话}\n")
			body(f.policy, "咨询电话：13812345678。\n")
		}, nil},
		{"PII-NAME", func(t *testing.T, f *fixture) {
			f.policy.Parties = []Text{{Line: 12, Text: "张三丰"}, {Line: 13, Text: "李某"}, {Line: 14, Text: "云泽市某某商贸有限公司"}}
		}, []string{
			"content/policies/p1.md:12: PII-NAME: party name 张** names a natural person in full; write 张某某",
		}},
		{"WORD-TYPO", func(t *testing.T, f *fixture) {
			body(f.policy, "统筹按排资金。\n截止2025年底，既使困难也要完成。\n截止日期不变，既使企业受益，又使群众满意。\n")
		}, []string{
			`content/policies/p1.md:8: WORD-TYPO: warning: "按排" → "安排"`,
			`content/policies/p1.md:9: WORD-TYPO: warning: "截止" → "截至"`,
			`content/policies/p1.md:9: WORD-TYPO: warning: "既使" → "即使"`,
		}},
		{"WORD-TYPO as an error, and off", func(t *testing.T, f *fixture) {
			f.Config = config(t, "rules: {WORD-TYPO: error, PII-MOBILE: 'off'}\n")
			body(f.policy, "统筹按排资金，电话13812345678。\n")
		}, []string{
			`content/policies/p1.md:8: WORD-TYPO: "按排" → "安排"`,
		}},
		{"WORD-SENSITIVE and WORD-FORM", func(t *testing.T, f *fixture) {
			f.Config = config(t, "sensitive_words: [内部绝密]\nstandard_forms:\n  - {form: 测试市发展和改革委员会, variants: [测试市发改委]}\n")
			body(f.policy, "本件内部绝密。\n由测试市发改委负责。\n")
		}, []string{
			`content/policies/p1.md:8: WORD-SENSITIVE: "内部绝密" is on the site's list of words never to publish`,
			`content/policies/p1.md:9: WORD-FORM: "测试市发改委" → "测试市发展和改革委员会" (规范表述)`,
		}},
		{"REF-COLUMN", func(t *testing.T, f *fixture) {
			body(f.policy, "请在本平台“政民互动—意见征集”栏目提交。\n见本平台“新闻发布”栏目和本网站的政策文件栏目。\n见中国政府网“国务院政策文件库”栏目。\n也可在本站的互动交流专栏留言。\n")
		}, []string{
			`content/policies/p1.md:8: REF-COLUMN: refers to the column "政民互动—意见征集" of this site, which does not exist`,
			`content/policies/p1.md:11: REF-COLUMN: refers to the column "互动交流" of this site, which does not exist`,
		}},
		{"IDENTITY", func(t *testing.T, f *fixture) {
			f.Identity = []IdentityField{
				{Key: "site_id_code", Label: "网站标识码", Value: "123", Line: 3, Problem: "want 10 letters and digits"},
				{Key: "icp", Label: "ICP备案号", Line: 0},
			}
		}, []string{
			"content/site.yaml: IDENTITY: ICP备案号 (icp) is required in the footer and page metadata",
			"content/site.yaml:3: IDENTITY: 网站标识码 (site_id_code): want 10 letters and digits",
		}},
		{"LINK-INTERNAL and LINK-ANCHOR", func(t *testing.T, f *fixture) {
			f.release.Links = []Link{
				{URL: "/policy/p1.html#一总体要求", Line: 9},
				{URL: "/policy/p1.html#%E4%B8%80%E6%80%BB%E4%BD%93%E8%A6%81%E6%B1%82", Line: 10},
				{URL: "/policy/p1.html#二", Line: 11},
				{URL: "/policy/gone.html", Line: 12},
				{URL: "../policy/", Line: 13},
				{URL: "https://www.example.gov.cn/policy/missing.html", Line: 14},
				{URL: "https://www.gov.cn/x.html", Line: 15},
				{URL: "#main", Line: 16},
				{URL: "/search?q=1", Line: 17},
				{URL: "mailto:a@example.gov.cn", Line: 18},
				{URL: "/notice/n1/comment", Line: 19},
			}
			f.Dynamic = func(p string) bool { return strings.HasSuffix(p, "/comment") }
		}, []string{
			"content/releases/r1.md:11: LINK-ANCHOR: link to /policy/p1.html#%E4%BA%8C: the page has no element with id \"二\"",
			"content/releases/r1.md:12: LINK-INTERNAL: link to /policy/gone.html: no build writes that page",
			"content/releases/r1.md:14: LINK-INTERNAL: link to /policy/missing.html: no build writes that page",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture()
			tc.breakIt(t, f)
			got := findings(t, f.Site)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	src := `rules:
  NOPE: error
  PII-ID: loud
home_max_age: 2 weeks
columns:
  - {column: 新闻发布}
allow:
  - {value: "13812345678"}
standard_forms:
  - {form: 测试市财政局, variants: [财政局]}
colour: red
`
	var n yaml.Node
	if err := yaml.Unmarshal([]byte(src), &n); err != nil {
		t.Fatal(err)
	}
	_, probs := ParseConfig(&n, "content/site.yaml")
	var got []string
	for _, p := range probs {
		got = append(got, p.String())
	}
	want := []string{
		`content/site.yaml:2: CONFIG: inspection.rules: unknown rule "NOPE"`,
		`content/site.yaml:3: CONFIG: inspection.rules.PII-ID: want error, warning or off, got "loud"`,
		`content/site.yaml:4: CONFIG: inspection.home_max_age: want an age such as 14d, 2w, 6m, 1y or off, got "2 weeks"`,
		`content/site.yaml:6: CONFIG: inspection.columns[0]: want column and max_age`,
		`content/site.yaml:8: CONFIG: inspection.allow[0]: a reason is required (why this value may be published)`,
		`content/site.yaml:10: CONFIG: inspection.standard_forms[0]: variant "财政局" is part of the form itself`,
		`content/site.yaml:11: CONFIG: inspection.colour: unknown key (want one of allow, columns, guide_max_age, home_max_age, interpretation_days, names, reports, rules, sensitive_words, standard_forms, typo_ignore)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("config problems (-want +got):\n%s", diff)
	}
}

func TestReportFormats(t *testing.T) {
	f := newFixture()
	f.policy.Interpretations = nil
	body(f.release, "统筹按排资金。\n")
	rep, err := Run(context.Background(), f.Site)
	if err != nil {
		t.Fatal(err)
	}
	var text, js, html strings.Builder
	for _, w := range []struct {
		b      *strings.Builder
		format string
	}{{&text, "text"}, {&js, "json"}, {&html, "html"}} {
		if err := rep.Write(w.b, w.format); err != nil {
			t.Fatal(err)
		}
	}
	wantText := `content/policies/p1.md:5: INTERP-MISSING: 规范性文件 published 2026-10-09 has no published interpretation (解读)
content/releases/r1.md:8: WORD-TYPO: warning: "按排" → "安排"
inspection at 2026-11-27: 1 errors, 1 warnings (20 rules, 5 records, 0 attachments read)
`
	if diff := cmp.Diff(wantText, text.String()); diff != "" {
		t.Errorf("text (-want +got):\n%s", diff)
	}
	for _, s := range []string{`"rule": "INTERP-MISSING"`, `"severity": "error"`, `"path": "content/policies/p1.md"`, `"loc": "5"`} {
		if !strings.Contains(js.String(), s) {
			t.Errorf("JSON lacks %s:\n%s", s, js.String())
		}
	}
	for _, s := range []string{`<section id="INTERP-MISSING">`, "规范性文件未解读（1 项）", "国办发〔2016〕80号", "<code>content/policies/p1.md:5</code>", "错别字（1 项）", "外部链接不可用（未运行）"} {
		if !strings.Contains(html.String(), s) {
			t.Errorf("HTML lacks %s", s)
		}
	}
	if strings.Contains(html.String(), "<script") || strings.Contains(html.String(), "<link") || strings.Contains(html.String(), "src=") {
		t.Errorf("the HTML report must be self-contained")
	}
}

// TestRulesDocumented keeps docs/inspection.md in step with the rules.
func TestRulesDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/inspection.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range Rules() {
		if !strings.Contains(string(b), "| `"+r.ID+"` |") {
			t.Errorf("docs/inspection.md has no row for %s", r.ID)
		}
		if r.Source == "" || r.Title == "" || r.Check == "" {
			t.Errorf("rule %s lacks a title, check or source", r.ID)
		}
	}
	if n := len(Typos()); !strings.Contains(string(b), strconv.Itoa(n)+" built-in") {
		t.Errorf("docs/inspection.md does not give the size of the built-in list (%d)", n)
	}
}
