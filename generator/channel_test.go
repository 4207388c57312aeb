package generator

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

func TestFooterChannelsOnEveryPage(t *testing.T) {
	out, _ := svcBuild(t, siteFS(t, "services.txtar"), svcDate)
	want := []string{"/channel/hotline.html", "/channel/mayor-mailbox.html"}
	pages := 0
	err := filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return err
		}
		rel, _ := filepath.Rel(out, p)
		doc := readDoc(t, out, rel)
		if doc.Find("meta[http-equiv=refresh]").Length() > 0 {
			return nil // redirect stubs have no footer
		}
		pages++
		got := doc.Find("footer .footer-channels li > a:first-child").Map(func(_ int, s *goquery.Selection) string { return s.AttrOr("href", "") })
		if !cmp.Equal(got, want) {
			t.Errorf("%s: footer channels = %q, want %q", rel, got, want)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if pages < 20 {
		t.Fatalf("only %d pages checked", pages)
	}
	d := readDoc(t, out, "index.html")
	if got := d.Find(".footer-channels").Text(); !strings.Contains(got, "12345") || !strings.Contains(got, "https://www.test.gov.cn/mailbox/") {
		t.Errorf("footer lacks the numbers and addresses: %q", got)
	}
}

func TestChannelAndHandlingPages(t *testing.T) {
	out, _ := svcBuild(t, siteFS(t, "services.txtar"), svcDate)
	ch := readDoc(t, out, "channel/hotline.html")
	meta := ch.Find(".metadata").Text()
	for _, want := range []string{"电话", "12345", "全天24小时", "自受理之日起60日内办结"} {
		if !strings.Contains(meta, want) {
			t.Errorf("channel metadata lacks %q", want)
		}
	}
	if got := ch.Find(`section[aria-labelledby="proc-h"] ol li`).Length(); got != 4 {
		t.Errorf("handling procedure has %d steps, want 4", got)
	}
	row := ch.Find(`section[aria-labelledby="stat-h"] tbody tr`)
	if got := row.Find("td").Map(func(_ int, s *goquery.Selection) string { return s.Text() }); !cmp.Equal(got, []string{"80", "84", "80", "95.2%"}) {
		t.Errorf("channel statistics row = %q", got)
	}

	h := readDoc(t, out, "handling/mb0000001-2026-00011.html")
	svg := h.Find("figure.bars svg")
	if svg.AttrOr("role", "") != "img" || svg.AttrOr("aria-describedby", "") != "by-field" || h.Find("table#by-field").Length() != 1 {
		t.Errorf("bar chart is not described by the by-field table")
	}
	if got := svg.Find("title").Text(); got != "2026年第二季度按领域受理和按期办结情况" {
		t.Errorf("chart title = %q", got)
	}
	if got := h.Find("table#by-agency tbody th").Map(func(_ int, s *goquery.Selection) string { return s.Text() }); !cmp.Equal(got, []string{"测试市住房和城乡建设局", "测试市市场监督管理局"}) {
		t.Errorf("by-agency rows = %q", got)
	}
	if got := h.Find("table#by-field tfoot td").Map(func(_ int, s *goquery.Selection) string { return s.Text() }); !cmp.Equal(got, []string{"100", "105", "100", "95.2%"}) {
		t.Errorf("totals row = %q", got)
	}
	if got := h.Find("table#by-channel tbody a").AttrOr("href", ""); got != "/channel/hotline.html" {
		t.Errorf("by-channel link = %q", got)
	}
	list := readDoc(t, out, "channel/index.html")
	if got := list.Find(".channel-card").Length(); got != 2 {
		t.Errorf("channel cards = %d", got)
	}
	if got := list.Find(`section[aria-labelledby="periods-h"] tbody a`).AttrOr("href", ""); got != "/handling/mb0000001-2026-00011.html" {
		t.Errorf("statistics link = %q", got)
	}
	if _, err := os.Stat(filepath.Join(out, "handling", "index.html")); err != nil {
		t.Error("no /handling/ list page")
	}
}

func TestHandlingErrors(t *testing.T) {
	c := svcLoad(t, siteFS(t, "services-errors.txtar"), svcDate)
	got := svcProblems(c.Problems, "content/channels/")
	want := []string{
		`content/channels/statistics/q3.md:10: by_field: received adds up to 1190, but totals.received is 1200 (按领域的受理量之和与合计不符)`,
		`content/channels/statistics/q3.md:13: by_agency: on_time adds up to 1190, but totals.on_time is 1150 (按承办单位的按期办结量之和与合计不符)`,
		`content/channels/statistics/q3.md:14: by_agency[0].on_time: 1190 handled on time, more than the 1180 handled`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("statistics problems (-want +got):\n%s", diff)
	}
}

func TestChannelCheck(t *testing.T) {
	base := siteFS(t, "services.txtar")
	const file = "content/channels/channel/hotline.md"
	for _, tc := range []struct {
		name, old, new, want string
	}{
		{"unknown type", "type: 电话", "type: 传真", `content/channels/channel/hotline.md:8: type: want one of 电话, 网站, 信件, 来访, 市长信箱, 局长信箱, got "传真"`},
		{"bad phone", `contact: "12345"`, "contact: 拨打12345", `content/channels/channel/hotline.md:9: contact: want a phone number of digits and dashes, got "拨打12345"`},
		{"visit needs a place", "type: 电话\ncontact: \"12345\"", "type: 来访\ncontact: 测试市人民路1号", `content/channels/channel/hotline.md:1: place: required (接待地点)`},
		{"no progress", "progress: 拨打12345凭工单编号查询办理进度和结果\n", "", `content/channels/channel/hotline.md:1: progress: required (进度和结果查询方式)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := svcLoad(t, svcEdit(t, base, file, tc.old, tc.new), svcDate)
			if diff := cmp.Diff([]string{tc.want}, svcProblems(c.Problems.Errors())); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}
