package generator

import (
	"bytes"
	"encoding/csv"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

const reportFile = "content/reports/2025.md"

func TestReportTablesGolden(t *testing.T) {
	out, _ := svcBuild(t, siteFS(t, "services.txtar"), svcDate)
	d := readDoc(t, out, "report/mb0000001-2026-00005.html")
	var b strings.Builder
	d.Find("table.rpt").Each(func(_ int, s *goquery.Selection) {
		h, err := goquery.OuterHtml(s)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString(h + "\n")
	})
	golden(t, "report-tables.html", []byte(b.String()))
	// One rectangular table per CSV file, in page order.
	var all strings.Builder
	for _, id := range []string{"t2-1", "t2-5", "t2-6", "t2-8", "t3", "t4"} {
		name := "mb0000001-2026-00005-" + id + ".csv"
		data, err := os.ReadFile(filepath.Join(out, "report", name))
		if err != nil {
			t.Fatal(err)
		}
		r := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff"))))
		rows, err := r.ReadAll() // FieldsPerRecord 0: every row as wide as the first
		if err != nil || len(rows) < 2 {
			t.Errorf("%s: %d rows, %v; want a header and rows of one width", name, len(rows), err)
		}
		if d.Find("table#"+id).Length() != 1 {
			t.Errorf("%s: the page has no table %s", name, id)
		}
		if d.Find(`.rpt-csv-link a[href="/report/`+name+`"]`).Length() != 1 {
			t.Errorf("the report page does not link %s", name)
		}
		all.WriteString("== " + name + "\n")
		all.Write(data)
	}
	golden(t, "report-csv.txt", []byte(all.String()))
	if _, err := os.Stat(filepath.Join(out, "report", "mb0000001-2026-00005.csv")); err == nil {
		t.Errorf("the combined CSV of several tables is still written")
	}

	var h2 []string
	d.Find("article > section > h2").Each(func(_ int, s *goquery.Selection) { h2 = append(h2, s.Text()) })
	want := []string{"文件信息", "一、总体情况", "二、主动公开政府信息情况", "三、收到和处理政府信息公开申请情况",
		"四、政府信息公开行政复议、行政诉讼情况", "五、存在的主要问题及改进情况", "六、其他需要报告的事项"}
	if diff := cmp.Diff(want, h2); diff != "" {
		t.Errorf("sections (-want +got):\n%s", diff)
	}
	if got := d.Find("table#t3 tbody th[scope=row]").Length(); got != 25 {
		t.Errorf("table 3 has %d rows, want the 25 fixed rows", got)
	}
	if got := d.Find("table#t4 tbody td").Length(); got != 15 {
		t.Errorf("table 4 has %d cells, want 15", got)
	}
	list := readDoc(t, out, "report/index.html")
	if got := list.Find("tbody tr td").First().Text(); got != "2025" {
		t.Errorf("reports list first year = %q", got)
	}
	if got := list.Find(`a[href$="#rpt-csv"]`).AttrOr("href", ""); got != "/report/mb0000001-2026-00005.html#rpt-csv" {
		t.Errorf("CSV link = %q", got)
	}
}

func TestReportErrors(t *testing.T) {
	c := svcLoad(t, siteFS(t, "services-errors.txtar"), svcDate)
	got := svcProblems(c.Problems, "content/reports/")
	want := []string{
		`content/reports/bad.md:7: date_published: warning: published 2026-02-10, after the legal deadline 2026-01-31 (条例第四十九条)`,
		`content/reports/bad.md:19: applications.new: 总计 is 6, but the row adds up to 5`,
		`content/reports/bad.md:26: applications.other.other: want 7 numbers (自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计), got 6`,
		`content/reports/bad.md:29: review.litigation_after: required (行政诉讼（复议后起诉）)`,
		`content/reports/bad.md:30: review.reconsideration: 总计 is 2, but 结果维持, 结果纠正, 其他结果 and 尚未审结 add up to 1`,
		`content/reports/bad.md:31: review.litigation_direct: want 5 numbers (结果维持, 结果纠正, 其他结果, 尚未审结, 总计), got 4`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("report problems (-want +got):\n%s", diff)
	}
}

func TestReportColumnChecks(t *testing.T) {
	base := siteFS(t, "services.txtar")
	for _, tc := range []struct {
		name, old, new string
		want           []string
	}{
		{"result column", "disclosed: [5, 2, 0, 1, 0, 0, 8]", "disclosed: [6, 2, 0, 1, 0, 0, 9]", []string{
			"content/reports/2025.md:51: applications.total: column 总计: （七）总计 is 14, but （一） to （六） add up to 15",
			"content/reports/2025.md:51: applications.total: column 自然人: （七）总计 is 10, but （一） to （六） add up to 11",
		}},
		{"balance", "carried_forward: [1, 0, 0, 0, 1, 0, 2]", "carried_forward: [1, 0, 0, 0, 0, 0, 1]", []string{
			"content/reports/2025.md:52: applications.carried_forward: column 总计: 一 + 二 = 16, but 三（七） + 四 = 15 (第一项加第二项之和应等于第三项加第四项之和)",
			"content/reports/2025.md:52: applications.carried_forward: column 法律服务机构: 一 + 二 = 1, but 三（七） + 四 = 0 (第一项加第二项之和应等于第三项加第四项之和)",
		}},
		{"missing row", "    query: [0, 0, 0, 0, 0, 0, 0]\n", "", []string{
			"content/reports/2025.md:28: applications.withheld.query: required (（三）不予公开 8.属于行政查询事项)",
		}},
		{"missing table 2 cell", "  penalties: 81\n", "", []string{
			"content/reports/2025.md:14: proactive.penalties: required (行政处罚 本年处理决定数量)",
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := svcLoad(t, svcEdit(t, base, reportFile, tc.old, tc.new), svcDate)
			if diff := cmp.Diff(tc.want, svcProblems(c.Problems.Errors())); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReportCountsFromContent(t *testing.T) {
	base := siteFS(t, "services.txtar")
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"normative issued", "normative: {issued: 1, repealed: 1, in_force: 1}", "normative: {issued: 4, repealed: 1, in_force: 1}",
			"content/reports/2025.md:16: proactive.normative.issued: warning: the report says 4, the content counts 1 normative documents written in 2025"},
		{"normative repealed", "normative: {issued: 1, repealed: 1, in_force: 1}", "normative: {issued: 1, repealed: 0, in_force: 1}",
			"content/reports/2025.md:16: proactive.normative.repealed: warning: the report says 0, the content counts 1 normative documents repealed or expired in 2025"},
		{"normative in force", "normative: {issued: 1, repealed: 1, in_force: 1}", "normative: {issued: 1, repealed: 1, in_force: 30}",
			"content/reports/2025.md:16: proactive.normative.in_force: warning: the report says 30, the content counts 1 normative documents in force on 2025-12-31"},
		{"licensing items", "licensing_items: 2", "licensing_items: 12",
			"content/reports/2025.md:21: proactive.licensing_items: warning: the report says 12, the content counts 2 licensing items (行政许可) published by 2025-12-31"},
		{"fee items", "fee_items: 1", "fee_items: 2",
			"content/reports/2025.md:22: proactive.fee_items: warning: the report says 2, the content counts 1 fee items in force on 2025-12-31"},
		{"fee amount", "fee_amount: 1220.5", "fee_amount: 1300",
			"content/reports/2025.md:20: proactive.fee_amount: warning: the report says 1300 万元, the fee records' income for 2025 adds up to 1220.5 万元"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := svcLoad(t, svcEdit(t, base, reportFile, tc.old, tc.new), svcDate)
			got := svcProblems(c.Problems, reportFile)
			if diff := cmp.Diff([]string{tc.want}, got); diff != "" {
				t.Errorf("problems (-want +got):\n%s", diff)
			}
		})
	}
}

func TestReportDeadline(t *testing.T) {
	if got := Deadline(LevelDepartment, 2025).Format("2006-01-02"); got != "2026-01-31" {
		t.Errorf("Deadline(部门, 2025) = %s", got)
	}
	if got := Deadline(LevelGovernment, 2025).Format("2006-01-02"); got != "2026-03-31" {
		t.Errorf("Deadline(政府, 2025) = %s", got)
	}
}

// TestServicesWithheldNeverLeaks checks every output byte for the marker of
// the withheld approval item and its form's name.
func TestServicesWithheldNeverLeaks(t *testing.T) {
	out, c := svcBuild(t, siteFS(t, "services.txtar"), svcDate)
	if len(c.Withheld) != 1 {
		t.Fatalf("withheld = %d, want 1", len(c.Withheld))
	}
	n := assertNoBytes(t, out, "LEAKMARKER-svc", "mb0000003-2025-00009")
	if n < 40 {
		t.Fatalf("only %d files written", n)
	}
}

func TestServicesDeterministic(t *testing.T) {
	a, _ := svcBuild(t, siteFS(t, "services.txtar"), svcDate)
	b, _ := svcBuild(t, siteFS(t, "services.txtar"), svcDate)
	n := 0
	err := filepath.WalkDir(a, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(a, p)
		x, _ := os.ReadFile(p)
		y, err := os.ReadFile(filepath.Join(b, rel))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two builds", rel)
		}
		n++
		return nil
	})
	if err != nil || n == 0 {
		t.Fatalf("walk: %v, %d files", err, n)
	}
}
