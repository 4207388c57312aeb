package cli

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The browser tests and the sample portal use this build date.
const sampleDate = "2026-11-27"

// copySample copies the repository's content/ into a fresh site folder.
func copySample(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	err := os.CopyFS(filepath.Join(dir, "content"), os.DirFS("../../../content"))
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// inspectionLines runs check and returns the inspection's lines (stdout
// without the summary and ok lines).
func inspectionLines(t *testing.T, args ...string) (code int, lines []string, stderr string) {
	t.Helper()
	code, stdout, stderr := run(t, append([]string{"check"}, args...)...)
	for _, l := range strings.Split(strings.TrimSpace(stdout), "\n") {
		if l != "" && !strings.HasPrefix(l, "inspection at ") && !strings.HasPrefix(l, "ok: ") {
			lines = append(lines, l)
		}
	}
	return code, lines, stderr
}

// TestInspectSample: the sample portal passes every rule at its build date.
func TestInspectSample(t *testing.T) {
	site := "../../.."
	code, lines, stderr := inspectionLines(t, "-source", site, "-out", filepath.Join(t.TempDir(), "public"), "-date", sampleDate)
	if code != 0 || len(lines) > 0 {
		t.Fatalf("check -date %s: exit %d\n%s\n%s", sampleDate, code, strings.Join(lines, "\n"), stderr)
	}
	_, stdout, _ := run(t, "check", "-source", site, "-out", filepath.Join(t.TempDir(), "public"), "-date", sampleDate)
	if !strings.Contains(stdout, "inspection at 2026-11-27: 0 errors, 0 warnings (20 rules,") {
		t.Errorf("summary:\n%s", stdout)
	}
}

// TestInspectSampleYearLater: a year after its build date the sample trips
// the freshness rules of every column that must change (and wants the next
// annual reports).
func TestInspectSampleYearLater(t *testing.T) {
	code, lines, _ := inspectionLines(t, "-source", "../../..", "-out", filepath.Join(t.TempDir(), "public"), "-date", "2027-11-27")
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	var fresh []string
	reports := 0
	for _, l := range lines {
		switch {
		case strings.Contains(l, ": FRESH-"):
			fresh = append(fresh, l)
		case strings.Contains(l, ": REPORT-MISSING: no 2026 annual report"):
			reports++
		default:
			t.Errorf("unexpected finding: %s", l)
		}
	}
	want := []string{
		"column 决策公示: FRESH-COLUMN: the newest record, content/notices/2026-tingche-shoufei.md, was published 2026-11-16, more than 6 months before 2027-11-27 (栏目不更新)",
		"column 政策文件: FRESH-COLUMN: the newest record, content/policies/2026-shehui-jiuzhu.md, was published 2026-07-14, more than 6 months before 2027-11-27 (栏目不更新)",
		"column 政策解读: FRESH-COLUMN: the newest record, content/interpretations/2026-shehui-jiuzhu-jiedu.md, was published 2026-07-15, more than 6 months before 2027-11-27 (栏目不更新)",
		"column 新闻发布: FRESH-COLUMN: the newest record, content/releases/2026-11-szfb-shehui-jiuzhu.md, was published 2026-11-20, more than 2 weeks before 2027-11-27 (栏目不更新)",
		// Every penalty decision's display period has ended by then: the
		// directory's category is blank until new decisions are published.
		"column 行政处罚和行政强制：行政处罚决定: FRESH-EMPTY: has no published record (空白栏目)",
		"column 首页: FRESH-HOME: the newest record, content/releases/2026-11-szfb-shehui-jiuzhu.md, was published 2026-11-20, more than 2 weeks before 2027-11-27 (首页不更新)",
		fmt.Sprintf("content/site.yaml:%d: FRESH-COLUMN: 政府信息公开指南 was last updated 2026-01-05, more than 1 year before 2027-11-27 (栏目不更新)", lineOf(t, "../../../content/site.yaml", "guide_updated:")),
	}
	if diff := cmp.Diff(want, fresh); diff != "" {
		t.Errorf("freshness findings (-want +got):\n%s", diff)
	}
	if reports != 11 {
		t.Errorf("%d REPORT-MISSING findings, want 11 (every agency)", reports)
	}
}

// lineOf returns the line of the first line of a file holding s.
func lineOf(t *testing.T, file, s string) int {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), s)
	if i < 0 {
		t.Fatalf("%s does not hold %q", file, s)
	}
	return strings.Count(string(b[:i]), "\n") + 1
}

func edit(t *testing.T, file, old, new string) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), old) {
		t.Fatalf("%s does not hold %q", file, old)
	}
	if err := os.WriteFile(file, []byte(strings.Replace(string(b), old, new, 1)), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendTo(t *testing.T, file, text string) (firstLine int) {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, append(b, text...), 0o644); err != nil {
		t.Fatal(err)
	}
	return strings.Count(string(b), "\n") + 1
}

// TestInspectPlanted plants one problem per rule family in a copy of the
// sample and checks the exact lines, through the adapter from the
// generator's content.
func TestInspectPlanted(t *testing.T) {
	site := copySample(t)
	p := func(rel string) string { return filepath.Join(site, rel) }

	policy := "content/policies/2026-shehui-jiuzhu.md"
	at := appendTo(t, p(policy), "\n经办人身份证号码110101199003074258，联系电话13812345678。\n统筹按排救助资金，具体见[第二条](/policy/11519900mb1500002b-2026-00009.html#第二条说明)。\n详见本平台“社会救助公示”专栏。\n")
	csv := "content/attachments/2026/xiaofei-huodong-anpai.csv"
	csvLine := appendTo(t, p(csv), "联系人,13912345678\n")
	interp := "content/interpretations/2026-shehui-jiuzhu-jiedu.md"
	edit(t, p(interp), "date_published: 2026-07-15", "date_published: 2026-07-13")
	release := "content/releases/2026-03-czj-yusuan-zhixing.md"
	edit(t, p(release), "documents: [11519900MB1500204D/2025-00004]", "documents: [11519900MB1500002B/2026-00009]")
	edit(t, p("content/site.yaml"), "\nfooter:\n", "  - {title: 政民互动, url: /hudong/}\n\nfooter:\n")
	edit(t, p("content/site.yaml"), "\ninspection:\n", "\ninspection:\n  rules: {WORD-TYPO: error, NO-SUCH-RULE: error}\n  standard_forms:\n    - {form: 云泽市民政局, variants: [云泽民政局]}\n")
	edit(t, p("content/site.yaml"), `site_id_code: "5199000001"`, `site_id_code: "51990"`)
	edit(t, p("content/releases/2026-11-szfb-shehui-jiuzhu.md"), "**许文华：** 各位记者", "**许文华：** 云泽民政局各位记者")

	yaml := p("content/site.yaml")
	code, got, stderr := inspectionLines(t, "-source", site, "-out", p("public"), "-date", sampleDate)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	want := []string{
		fmt.Sprintf("%s:%d: PII-MOBILE: 手机号码 139****5678 is personal data; remove or mask it, or allow-list the exact value with a reason in inspection.allow", csv, csvLine),
		fmt.Sprintf("%s:%d: DATE-ORDER: date_published (2026-07-13) is before date_published of the document it explains, %s (2026-07-14)", interp, lineOf(t, p(interp), "date_published:"), policy),
		fmt.Sprintf("%s:%d: PII-ID: 居民身份证号码 110101********4258 is personal data; remove or mask it, or allow-list the exact value with a reason in inspection.allow", policy, at+1),
		fmt.Sprintf("%s:%d: PII-MOBILE: 手机号码 138****5678 is personal data; remove or mask it, or allow-list the exact value with a reason in inspection.allow", policy, at+1),
		fmt.Sprintf("%s:%d: LINK-ANCHOR: link to /policy/11519900mb1500002b-2026-00009.html#%%E7%%AC%%AC%%E4%%BA%%8C%%E6%%9D%%A1%%E8%%AF%%B4%%E6%%98%%8E: the page has no element with id \"第二条说明\"", policy, at+2),
		fmt.Sprintf(`%s:%d: WORD-TYPO: "按排" → "安排"`, policy, at+2),
		fmt.Sprintf(`%s:%d: REF-COLUMN: refers to the column "社会救助公示" of this site, which does not exist`, policy, at+3),
		fmt.Sprintf("%s:%d: DATE-ORDER: date_published (2026-03-10) is before date_written of the document it presents, %s (2026-07-07)", release, lineOf(t, p(release), "documents:"), policy),
		fmt.Sprintf(`content/releases/2026-11-szfb-shehui-jiuzhu.md:%d: WORD-FORM: "云泽民政局" → "云泽市民政局" (规范表述)`, lineOf(t, p("content/releases/2026-11-szfb-shehui-jiuzhu.md"), "云泽民政局")),
		fmt.Sprintf(`content/site.yaml:%d: IDENTITY: 网站标识码 (site_id_code): want the 10-character 网站标识码 (ten digits, or bm and eight digits), got "51990"`, lineOf(t, yaml, "site_id_code:")),
		fmt.Sprintf("content/site.yaml:%d: FRESH-NAV: navigation entry 政民互动 leads to /hudong/, which no build writes", lineOf(t, yaml, "{title: 政民互动")),
		fmt.Sprintf(`content/site.yaml:%d: CONFIG: inspection.rules: unknown rule "NO-SUCH-RULE"`, lineOf(t, yaml, "  rules: {WORD-TYPO")),
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s\nstderr:\n%s", diff, stderr)
	}
}

// TestCheckReportFiles writes the JSON and HTML reports of the planted
// sample and checks that they carry the findings, the content problems and
// the sources.
func TestCheckReportFiles(t *testing.T) {
	site := copySample(t)
	appendTo(t, filepath.Join(site, "content/policies/2026-shehui-jiuzhu.md"), "\n联系电话13812345678。\n")
	dir := t.TempDir()
	jsonFile, htmlFile := filepath.Join(dir, "r.json"), filepath.Join(dir, "r.html")
	if code, stdout, stderr := run(t, "check", "-source", site, "-out", filepath.Join(dir, "public"), "-date", sampleDate, "-format", "json", "-o", jsonFile); code != 1 || !strings.Contains(stdout, "1 errors, 2 warnings") {
		t.Fatalf("check -format json: exit %d\n%s\n%s", code, stdout, stderr)
	}
	b, err := os.ReadFile(jsonFile)
	if err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Findings []struct{ Rule, Severity, Path, Loc, Message string }
		Rules    []struct {
			ID     string
			Source string
			Count  int
		}
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	rules := map[string]int{}
	for _, f := range rep.Findings {
		rules[f.Rule+" "+f.Severity]++
	}
	if diff := cmp.Diff(map[string]int{"PII-MOBILE error": 1, "CONTENT warning": 2}, rules); diff != "" {
		t.Errorf("JSON findings (-want +got):\n%s", diff)
	}
	if len(rep.Rules) != 23 || rep.Rules[0].Source == "" {
		t.Errorf("JSON rules: %d, first %+v", len(rep.Rules), rep.Rules[0])
	}
	if code, _, stderr := run(t, "check", "-source", site, "-out", filepath.Join(dir, "public"), "-date", sampleDate, "-format", "html", "-o", htmlFile); code != 1 {
		t.Fatalf("check -format html: exit %d\n%s", code, stderr)
	}
	h, err := os.ReadFile(htmlFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"云泽市人民政府信息公开平台 网站检查报告", "泄露手机号码（1 项）", "138****5678", "条例》第十五条", "content/policies/2022-fangxun-yuan.md:7"} {
		if !strings.Contains(string(h), s) {
			t.Errorf("HTML report lacks %q", s)
		}
	}
	if strings.Contains(string(h), "13812345678") {
		t.Errorf("the HTML report repeats the personal data it flags")
	}
}

// TestCheckExternal runs check --external against a server on 127.0.0.1:
// the broken link is reported at the record's line, the good one is not.
func TestCheckExternal(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/ok":
			fmt.Fprint(w, "<!DOCTYPE html><title>ok</title><p>fine</p>")
		case "/robots.txt":
			http.NotFound(w, r)
		default:
			http.Error(w, "gone", http.StatusNotFound)
		}
	}))
	defer srv.Close()
	// The tiny site has no other external links: the test reaches
	// 127.0.0.1 only.
	site := writeSite(t, tinySite)
	policy := "content/policies/a.md"
	at := appendTo(t, filepath.Join(site, policy), fmt.Sprintf("\n参见[说明](%s/ok)。\n参见[旧文件](%s/gone)。\n", srv.URL, srv.URL))
	code, got, stderr := inspectionLines(t, "-source", site, "-out", filepath.Join(site, "public"), "-date", "2024-12-01", "-external")
	if code != 1 {
		t.Errorf("exit %d, want 1\n%s", code, stderr)
	}
	var ext []string
	for _, l := range got {
		if strings.Contains(l, "LINK-EXTERNAL") {
			ext = append(ext, l)
		}
	}
	if len(ext) != 1 || !strings.HasPrefix(ext[0], fmt.Sprintf("%s:%d: LINK-EXTERNAL: %s/gone: broken (HTTP 404)", policy, at+2, srv.URL)) {
		t.Errorf("external findings:\n%s\nall:\n%s", strings.Join(ext, "\n"), strings.Join(got, "\n"))
	}
}
