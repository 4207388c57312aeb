package generator

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

func day(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02", s, China)
	if err != nil {
		panic(err)
	}
	return t
}

func TestFeeStatusAt(t *testing.T) {
	f := &Fee{History: []FeeChange{
		{Date: "2024-01-01", Action: "保留", At: day("2024-01-01")},
		{Date: "2025-07-01", Action: "调整", At: day("2025-07-01")},
		{Date: "2026-03-01", Action: "减征", At: day("2026-03-01"), UntilAt: day("2026-08-31")},
		{Date: "2027-01-01", Action: "取消", At: day("2027-01-01")},
	}}
	for _, tc := range []struct {
		date, code, since, until string
	}{
		{"2023-12-31", "pending", "", ""},
		{"2024-01-01", "active", "2024-01-01", ""},
		{"2025-06-30", "active", "2024-01-01", ""},
		{"2025-07-01", "active", "2025-07-01", ""},
		{"2026-03-01", "reduced", "2026-03-01", "2026-08-31"},
		{"2026-08-31", "reduced", "2026-03-01", "2026-08-31"},
		{"2026-09-01", "active", "2026-09-01", ""},
		{"2026-12-31", "active", "2026-09-01", ""},
		{"2027-01-01", "cancelled", "2027-01-01", ""},
	} {
		t.Run(tc.date, func(t *testing.T) {
			st := f.StatusAt(day(tc.date))
			fmtDay := func(t time.Time) string {
				if t.IsZero() {
					return ""
				}
				return t.Format("2006-01-02")
			}
			got := []string{st.Code, fmtDay(st.Since), fmtDay(st.Until)}
			if want := []string{tc.code, tc.since, tc.until}; !cmp.Equal(got, want) {
				t.Errorf("StatusAt(%s) = %q, want %q", tc.date, got, want)
			}
		})
	}
	// A reduction with an end date outlasts the next year's catalogue; an
	// exemption without one ends with it.
	g := &Fee{History: []FeeChange{
		{Date: "2024-01-01", Action: "保留", At: day("2024-01-01")},
		{Date: "2025-01-01", Action: "减征", At: day("2025-01-01"), UntilAt: day("2026-12-31")},
		{Date: "2026-01-01", Action: "保留", At: day("2026-01-01")},
		{Date: "2026-06-01", Action: "免征", At: day("2026-06-01")},
		{Date: "2027-01-01", Action: "保留", At: day("2027-01-01")},
	}}
	for _, tc := range []struct{ date, code, since string }{
		{"2026-03-01", "reduced", "2025-01-01"},
		{"2026-07-01", "exempted", "2026-06-01"},
		{"2027-01-01", "active", "2027-01-01"},
	} {
		if st := g.StatusAt(day(tc.date)); st.Code != tc.code || st.Since.Format("2006-01-02") != tc.since {
			t.Errorf("StatusAt(%s) = %s since %s, want %s since %s", tc.date, st.Code, st.Since.Format("2006-01-02"), tc.code, tc.since)
		}
	}
	if got := len(f.Upcoming(day("2026-11-27"))); got != 1 {
		t.Errorf("Upcoming(2026-11-27) has %d changes, want the announced cancellation", got)
	}
}

func TestFeePages(t *testing.T) {
	out, _ := svcBuild(t, siteFS(t, "services.txtar"), svcDate)
	cat := readDoc(t, out, "fee/index.html")
	if got := cat.Find(".catalogue-date").Text(); !strings.Contains(got, "本目录截至 2026-11-27") {
		t.Errorf("catalogue date line = %q, want the build date", got)
	}
	if got := cat.Find("p.msg").Text(); !strings.Contains(got, "有权拒绝缴纳") {
		t.Errorf("catalogue lacks the note that fees outside it may be refused: %q", got)
	}
	titles := func(sel string) []string {
		return cat.Find(sel + " tbody th a").Map(func(_ int, s *goquery.Selection) string { return s.Text() })
	}
	if diff := cmp.Diff([]string{"城市基础设施配套费"}, titles(`section[aria-labelledby="cur-h"]`)); diff != "" {
		t.Errorf("current fees (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"企业登记费"}, titles(`section[aria-labelledby="canc-h"]`)); diff != "" {
		t.Errorf("cancelled fees (-want +got):\n%s", diff)
	}
	if got := cat.Find(`section[aria-labelledby="cur-h"] .status`).Text(); got != "征收" {
		t.Errorf("status after the reduction ended = %q, want 征收", got)
	}
	years := cat.Find("ul.years a").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("href", "") })
	if diff := cmp.Diff([]string{"/fee/year/2027/", "/fee/year/2025/"}, years); diff != "" {
		t.Errorf("year pages (-want +got):\n%s", diff)
	}

	y := readDoc(t, out, "fee/year/2025/index.html")
	if got := y.Find("h1").Text(); got != "2025年调整和取消的行政事业性收费项目" {
		t.Errorf("year page title = %q", got)
	}
	adj := y.Find(`section[aria-labelledby="adj-h"] tbody tr`)
	if adj.Length() != 1 || !strings.Contains(adj.Text(), "测发改价格〔2025〕12号") || !strings.Contains(adj.Text(), "2025-07-01") {
		t.Errorf("adjusted in 2025 = %q", adj.Text())
	}
	can := y.Find(`section[aria-labelledby="can-h"] tbody tr`)
	if can.Length() != 1 || !strings.Contains(can.Text(), "企业登记费") || !strings.Contains(can.Text(), "测财综〔2025〕3号") {
		t.Errorf("cancelled in 2025 = %q", can.Text())
	}

	p := readDoc(t, out, "fee/mb0000002-2024-00002.html")
	hist := p.Find("table.history tbody tr").Map(func(_ int, s *goquery.Selection) string {
		return s.Find("th").Text() + " " + s.Find(".change").Text()
	})
	if diff := cmp.Diff([]string{"2024-01-01 保留", "2025-07-01 调整", "2026-03-01 减征", "2027-01-01 取消"}, hist); diff != "" {
		t.Errorf("history (-want +got):\n%s", diff)
	}
	if got := p.Find(".banner").Text(); !strings.Contains(got, "2027-01-01") || !strings.Contains(got, "已公布，尚未生效") {
		t.Errorf("announced cancellation banner = %q", got)
	}
	if got := p.Find(".metadata").Text(); !strings.Contains(got, "截至 2026-11-27") {
		t.Errorf("status is shown without the date it was computed for: %q", got)
	}
	gone := readDoc(t, out, "fee/mb0000003-2024-00003.html")
	if got := gone.Find(".banner-repealed").Text(); !strings.Contains(got, "2025-04-01") || !strings.Contains(got, "测财综〔2025〕3号") {
		t.Errorf("cancelled banner = %q", got)
	}

	csv, err := os.ReadFile(filepath.Join(out, "fee", "catalogue.csv"))
	if err != nil {
		t.Fatal(err)
	}
	want := "\ufeff索引号,收费项目名称,收费子项,收费标准,执收单位,收费依据,缴费主体,资金管理方式,涉企收费,目录年度,执行状态,状态起始日期,目录日期,URL\n" +
		"MB0000002/2024-00002,城市基础设施配套费,住宅,80 元/平方米,测试市住房和城乡建设局,测财综〔2023〕5号,建设单位,缴入地方国库，纳入一般公共预算管理,是,2026,征收,2026-09-01,2026-11-27,https://www.test.gov.cn/fee/mb0000002-2024-00002.html\n" +
		"MB0000002/2024-00002,城市基础设施配套费,非住宅,100–120 元/平方米,测试市住房和城乡建设局,测财综〔2023〕5号,建设单位,缴入地方国库，纳入一般公共预算管理,是,2026,征收,2026-09-01,2026-11-27,https://www.test.gov.cn/fee/mb0000002-2024-00002.html\n"
	if diff := cmp.Diff(want, string(csv)); diff != "" {
		t.Errorf("catalogue.csv (-want +got):\n%s", diff)
	}

	// On the day the announced cancellation takes effect, the catalogue is empty.
	later, _ := svcBuild(t, siteFS(t, "services.txtar"), day("2027-01-01"))
	if got := readDoc(t, later, "fee/index.html").Find(`section[aria-labelledby="cur-h"] tbody tr`).Length(); got != 0 {
		t.Errorf("current fees on 2027-01-01 = %d, want 0", got)
	}
}

func TestFeeErrors(t *testing.T) {
	c := svcLoad(t, siteFS(t, "services-errors.txtar"), svcDate)
	got := svcProblems(c.Problems, "content/fees/")
	want := []string{
		`content/fees/order.md:1: enterprise_related: required (是否涉企收费): true or false`,
		`content/fees/order.md:16: history[1].date: 2024-01-01 is before the previous change (2025-01-01); list changes oldest first`,
		`content/fees/order.md:18: history[3]: the fee was cancelled on 2025-06-01; no change can follow`,
		`content/fees/order.md:18: history[3].doc_no: write the year in 〔〕 brackets: "测财〔2025〕3号" (got "测财[2025]3号")`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fee problems (-want +got):\n%s", diff)
	}
}
