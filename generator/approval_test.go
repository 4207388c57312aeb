package generator

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

// svcDate is the build date of the service-disclosure tests: the sample
// notices are open, upcoming and decided on it.
var svcDate = time.Date(2026, 11, 27, 0, 0, 0, 0, China)

// svcLoad loads fsys as of date and fails on a cancelled context only.
func svcLoad(t testing.TB, fsys fstest.MapFS, date time.Time) *Content {
	t.Helper()
	c, err := Load(context.Background(), fsys, date)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// svcBuild loads and renders fsys as of date into a temporary folder; content
// errors fail the test.
func svcBuild(t testing.TB, fsys fstest.MapFS, date time.Time) (string, *Content) {
	t.Helper()
	out, c, _ := renderSite(t, fsys, date, "")
	return out, c
}

// svcProblems formats problems one per line, as `gongkai check` prints them,
// keeping those whose line starts with prefix (all of them when it is "").
func svcProblems(ps Problems, prefix ...string) []string {
	var out []string
	for _, p := range ps {
		if line := p.Error(); len(prefix) == 0 || strings.HasPrefix(line, prefix[0]) {
			out = append(out, line)
		}
	}
	return out
}

// edit returns a copy of fsys with old replaced by new in file name; it fails
// when old does not occur, so a test never edits nothing.
func svcEdit(t testing.TB, fsys fstest.MapFS, name, old, new string) fstest.MapFS {
	t.Helper()
	f := fsys[name]
	if f == nil || !strings.Contains(string(f.Data), old) {
		t.Fatalf("%s does not contain %q", name, old)
	}
	m := fstest.MapFS{}
	for k, v := range fsys {
		m[k] = v
	}
	m[name] = &fstest.MapFile{Data: []byte(strings.Replace(string(f.Data), old, new, 1)), Mode: 0o644}
	return m
}

func TestServicesSiteWarnings(t *testing.T) {
	c := svcLoad(t, siteFS(t, "services.txtar"), svcDate)
	want := []string{
		`content/approvals/kaiye.md:18: conditions[1]: warning: catch-all condition "法律法规规定的其他条件": list every condition explicitly (兜底条款)`,
		`content/approvals/kaiye.md:26: materials[1].name: warning: catch-all material "其他材料": list every material explicitly (兜底条款)`,
	}
	// The fixture keeps the default directory without records for most of
	// its categories; those warnings are directory_test.go's.
	probs := slices.DeleteFunc(slices.Clone(c.Problems), func(p Problem) bool { return p.Field == "directory" })
	if diff := cmp.Diff(want, svcProblems(probs)); diff != "" {
		t.Errorf("problems (-want +got):\n%s", diff)
	}
}

func TestApprovalPage(t *testing.T) {
	out, _ := svcBuild(t, siteFS(t, "services.txtar"), svcDate)
	d := readDoc(t, out, "approval/mb0000002-2025-00001.html")
	var h2 []string
	d.Find("article h2").Each(func(_ int, s *goquery.Selection) { h2 = append(h2, s.Text()) })
	wantH2 := []string{"文件信息", "设定和实施依据", "受理条件", "办理流程", "办理时限", "申请材料", "申请表格及示范文本", "收费", "办理结果", "办理地点和时间", "咨询和监督投诉"}
	if diff := cmp.Diff(wantH2, h2); diff != "" {
		t.Errorf("section headings (-want +got):\n%s", diff)
	}
	meta := d.Find(".metadata").Text()
	for _, want := range []string{"MB00000024000113001", "行政许可", "测试市住房和城乡建设局", "7 个工作日", "3 个工作日", "收费", "可网上办理"} {
		if !strings.Contains(meta, want) {
			t.Errorf("metadata lacks %q", want)
		}
	}
	svg := d.Find("figure.flow svg")
	if role, _ := svg.Attr("role"); role != "img" {
		t.Errorf("flow chart role = %q, want img", role)
	}
	title := svg.Find("title")
	if id, _ := title.Attr("id"); svg.AttrOr("aria-labelledby", "") != id || id == "" {
		t.Errorf("aria-labelledby = %q, title id = %q", svg.AttrOr("aria-labelledby", ""), id)
	}
	if got := title.Text(); got != "建筑工程施工许可办理流程图" {
		t.Errorf("flow chart title = %q", got)
	}
	steps := d.Find("ol#flow-steps li")
	if steps.Length() != 3 || !strings.Contains(steps.Eq(1).Text(), "审批科经办人") || !strings.Contains(steps.Eq(1).Text(), "2 个工作日") {
		t.Errorf("text alternative = %q, want 3 steps with actor and limit", steps.Text())
	}
	if got := svg.Find("rect").Length(); got != 5 {
		t.Errorf("flow chart has %d shapes, want start + 3 steps + end", got)
	}
	if got := d.Find(`table.svc-table tbody tr`).First().Find("th").Text(); got != "建筑工程施工许可申请表" {
		t.Errorf("first material = %q", got)
	}
	form := d.Find(`ul.forms a`)
	if href, _ := form.Attr("href"); href != "/forms/shigong.docx" {
		t.Errorf("form href = %q", href)
	}
	if got := d.Find("ul.forms .meta").Text(); !strings.Contains(got, "DOCX") || !strings.Contains(got, " B") {
		t.Errorf("form meta = %q, want format and size", got)
	}
	if _, err := os.Stat(filepath.Join(out, "forms", "shigong.docx")); err != nil {
		t.Errorf("form file not copied: %v", err)
	}
	if href := d.Find(`section[aria-labelledby="fee-h"] a`).AttrOr("href", ""); href != "/fee/mb0000002-2024-00002.html" {
		t.Errorf("fee link = %q", href)
	}
	if href := d.Find(`section[aria-labelledby="contact-h"] dd a`).AttrOr("href", ""); href != "/channel/hotline.html" {
		t.Errorf("complaint channel link = %q", href)
	}

	k := readDoc(t, out, "approval/mb0000003-2025-00001.html")
	if got := k.Find(`section[aria-labelledby="fee-h"]`).Text(); !strings.Contains(got, "不收费") || !strings.Contains(got, "第五十八条") {
		t.Errorf("free item fee section = %q", got)
	}
	if got := k.Find("ol#flow-steps").Text(); strings.Count(got, "即办") != 2 {
		t.Errorf("on-the-spot steps = %q, want 即办 twice", got)
	}

	cat := readDoc(t, out, "approval/index.html")
	if got := cat.Find("main section h2").Map(func(_ int, s *goquery.Selection) string { return s.Text() }); !cmp.Equal(got, []string{"测试市住房和城乡建设局", "测试市市场监督管理局"}) {
		t.Errorf("catalogue departments = %q", got)
	}
	row := cat.Find(`section[aria-labelledby="dept-scj"] tbody tr`)
	if row.Length() != 1 {
		t.Fatalf("市场监管 rows = %d, want 1 (the withheld item is left out)", row.Length())
	}
	cells := row.Find("td").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	if diff := cmp.Diff([]string{"MB00000034000113002", "承诺：即办法定：10 个工作日", "不收费", "不支持网上办理"}, cells); diff != "" {
		t.Errorf("catalogue row (-want +got):\n%s", diff)
	}
}

func TestApprovalErrors(t *testing.T) {
	c := svcLoad(t, siteFS(t, "services-errors.txtar"), svcDate)
	got := svcProblems(c.Problems, "content/approvals/")
	want := []string{
		`content/approvals/catchall.md:12: conditions[1]: warning: catch-all condition "其他相关条件": list every condition explicitly (兜底条款)`,
		`content/approvals/nolimit.md:1: time_limit.promised: required (承诺办结时限)`,
		`content/approvals/nolimit.md:1: time_limit.statutory: required (法定办结时限)`,
		`content/approvals/nolimit.md:12: fees: required (收费标准及依据): list the fee records in fees.items, or write fees.free: true`,
		`content/approvals/nolimit.md:13: online: required (网上办理): give online.url, or write online.none: true with online.reason`,
		`content/approvals/nolimit.md:14: consult_phone: required (咨询电话)`,
		`content/approvals/over.md:14: time_limit.promised: promised limit of 30 working days exceeds the statutory limit of 20 working days (承诺办结时限不得超过法定办结时限)`,
		`content/approvals/over.md:17: procedure[0].time_limit: want a number of working days or 即办, got "三天"`,
		`content/approvals/steps.md:13: procedure: the steps take 6 working days in all, more than the promised limit of 5 working days (各环节时限之和超过承诺办结时限)`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("approval problems (-want +got):\n%s", diff)
	}
}

func TestParseLimit(t *testing.T) {
	for _, tc := range []struct {
		name, in string
		want     Limit
		err      string
	}{
		{"days", "20", Limit{Days: 20, Valid: true}, ""},
		{"spaces", " 5 ", Limit{Days: 5, Valid: true}, ""},
		{"on the spot", "即办", Limit{OnSpot: true, Valid: true}, ""},
		{"blank", "", Limit{}, "x.md:1: f: required (时限)"},
		{"zero", "0", Limit{}, `x.md:1: f: want a number of working days or 即办, got "0"`},
		{"words", "二十日", Limit{}, `x.md:1: f: want a number of working days or 即办, got "二十日"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var probs Problems
			c := &Checker{rec: &Record{Path: "x.md", lines: fieldLines{}}, probs: &probs}
			if got := parseLimit(c, "f", "时限", tc.in); got != tc.want {
				t.Errorf("parseLimit(%q) = %+v, want %+v", tc.in, got, tc.want)
			}
			var errs string
			if len(probs) > 0 {
				errs = probs[0].Error()
			}
			if errs != tc.err {
				t.Errorf("parseLimit(%q) problem = %q, want %q", tc.in, errs, tc.err)
			}
		})
	}
}

// TestServiceScaffolds fills each service kind's scaffold, loads the result
// and checks that it decodes (no YAML or unknown-key errors) and that what
// remains are the blanks an editor must fill in.
func TestServiceScaffolds(t *testing.T) {
	base := siteFS(t, "services.txtar")
	for _, name := range []string{"approval", "fee", "channel", "handling", "notice", "report"} {
		t.Run(name, func(t *testing.T) {
			var k *Kind
			for _, kk := range Kinds() {
				if kk.Name == name {
					k = kk
				}
			}
			if k == nil {
				t.Fatalf("no kind %s in Kinds()", name)
			}
			text, err := Scaffold(k, ScaffoldData{Title: "新记录", IndexNo: "MB0000001/2026-09999", Agency: "gov", Date: "2026-11-27"})
			if err != nil {
				t.Fatal(err)
			}
			fsys := fstest.MapFS{}
			for p, f := range base {
				fsys[p] = f
			}
			p := "content/" + k.Dir + "/new.md"
			fsys[p] = &fstest.MapFile{Data: text, Mode: 0o644}
			c := svcLoad(t, fsys, svcDate)
			n := 0
			for _, pr := range c.Problems {
				if pr.Pos.Path != p {
					continue
				}
				n++
				if pr.Field == "yaml" || strings.Contains(pr.Msg, "unknown key") || strings.Contains(pr.Msg, "want a ") && strings.Contains(pr.Msg, "got \"\"") {
					t.Errorf("scaffold does not decode cleanly: %s", pr.Error())
				}
			}
			if name != "channel" && n == 0 {
				t.Errorf("a blank scaffold passed check; it should ask for its required fields")
			}
		})
	}
}

func FuzzParseLimit(f *testing.F) {
	for _, s := range []string{"20", "即办", "", "0", "-3", "二十", "99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var probs Problems
		c := &Checker{rec: &Record{Path: "x.md", lines: fieldLines{}}, probs: &probs}
		l := parseLimit(c, "f", "时限", s)
		switch {
		case l.Valid && len(probs) > 0:
			t.Errorf("parseLimit(%q) is valid but reported %v", s, probs)
		case !l.Valid && len(probs) != 1:
			t.Errorf("parseLimit(%q) is invalid and reported %d problems, want 1", s, len(probs))
		case l.Valid && !l.OnSpot && l.Days <= 0:
			t.Errorf("parseLimit(%q) = %+v: a valid limit of zero days", s, l)
		}
	})
}
