package generator

import (
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"
)

func TestNoticeStatusAt(t *testing.T) {
	n := &Notice{
		Comment: CommentWindow{OpensAt: day("2026-11-10"), ClosesAt: day("2026-12-09")},
		Outcome: &Outcome{DecidedAt: day("2027-01-15")},
	}
	for _, tc := range []struct{ date, want string }{
		{"2026-11-09", NoticeUpcoming},
		{"2026-11-10", NoticeOpen},
		{"2026-12-09", NoticeOpen},
		{"2026-12-10", NoticeClosed},
		{"2027-01-14", NoticeClosed},
		{"2027-01-15", NoticeDecided},
	} {
		if got := n.StatusAt(day(tc.date)); got != tc.want {
			t.Errorf("StatusAt(%s) = %s, want %s", tc.date, got, tc.want)
		}
	}
	if got := n.Comment.Days(); got != 30 {
		t.Errorf("Days() = %d, want 30 (both ends counted)", got)
	}
}

func TestNoticePages(t *testing.T) {
	statuses := func(out string) []string {
		d := readDoc(t, out, "notice/index.html")
		return d.Find("ul.notices li").Map(func(_ int, s *goquery.Selection) string {
			return s.Find(".status").Text() + " " + s.Find("time").First().Text()
		})
	}
	out, _ := svcBuild(t, siteFS(t, "services.txtar"), svcDate)
	want := []string{"正在征求意见 2026-11-10", "即将征求意见 2026-12-01", "已作出决策 2026-05-06"}
	if diff := cmp.Diff(want, statuses(out)); diff != "" {
		t.Errorf("statuses on %s (-want +got):\n%s", svcDate.Format("2006-01-02"), diff)
	}
	open := readDoc(t, out, "notice/mb0000001-2026-00021.html")
	box := open.Find(".status-box").Text()
	for _, want := range []string{"正在征求意见", "2026-11-10", "2026-12-09", "共 30 日", "2026-11-27"} {
		if !strings.Contains(box, want) {
			t.Errorf("status box lacks %q: %q", want, box)
		}
	}
	if got := open.Find(`section[aria-labelledby="draft-h"] a`).AttrOr("href", ""); got != "/notices/draft.pdf" {
		t.Errorf("draft link = %q", got)
	}
	if open.Find(`section[aria-labelledby="out-h"]`).Length() != 0 {
		t.Error("an open notice shows an outcome")
	}
	dec := readDoc(t, out, "notice/mb0000001-2026-00023.html")
	if got := dec.Find(`section[aria-labelledby="hear-h"] tbody tr`).Length(); got != 2 {
		t.Errorf("hearing participants = %d, want 2", got)
	}
	if got := dec.Find(`section[aria-labelledby="hear-h"]`).Text(); !strings.Contains(got, "2026-06-20 09:30") || !strings.Contains(got, "自愿报名、随机抽取") {
		t.Errorf("hearing section = %q", got)
	}
	if got := dec.Find(`section[aria-labelledby="out-h"]`).Text(); !strings.Contains(got, "测府发〔2026〕12号") || !strings.Contains(got, "低保家庭") {
		t.Errorf("outcome section = %q", got)
	}
	up := readDoc(t, out, "notice/mb0000001-2026-00022.html")
	if got := up.Find(`section[aria-labelledby="comment-h"]`).Text(); !strings.Contains(got, "上位法修改") {
		t.Errorf("short window without its reason on the page: %q", got)
	}

	// A later build moves the statuses on; the page never claims a window
	// is open without its dates beside it.
	later, _ := svcBuild(t, siteFS(t, "services.txtar"), day("2026-12-15"))
	want = []string{"正在征求意见 2026-12-01", "征求意见已结束 2026-11-10", "已作出决策 2026-05-06"}
	if diff := cmp.Diff(want, statuses(later)); diff != "" {
		t.Errorf("statuses on 2026-12-15 (-want +got):\n%s", diff)
	}
}

func TestNoticeErrors(t *testing.T) {
	c := svcLoad(t, siteFS(t, "services-errors.txtar"), svcDate)
	got := svcProblems(c.Problems, "content/notices/")
	want := []string{
		`content/notices/short.md:9: comment.short_reason: required (征求意见期限少于30日的理由): the window 2026-11-01 to 2026-11-20 is 20 days, under 30`,
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("notice problems (-want +got):\n%s", diff)
	}
	base := siteFS(t, "services.txtar")
	for _, tc := range []struct {
		name, old, new string
		want           []string
	}{
		{"decided before close", "decided: 2026-07-15", "decided: 2026-06-01", []string{
			`content/notices/decided.md:22: outcome.decided: 2026-06-01 is before the hearing (2026-06-20 09:30)`,
			`content/notices/decided.md:22: outcome.decided: 2026-06-01 is not after the comment window closed (2026-06-05)`}},
		{"hearing announced late", "announced: 2026-06-01", "announced: 2026-06-20",
			[]string{`content/notices/decided.md:16: hearing.announced: 2026-06-20 is not before the hearing (2026-06-20 09:30); a hearing is announced in advance`}},
		{"no participants", "  participants:\n    - {name: 王某, role: 居民用户代表}\n    - {name: 李某, role: 企业用户代表}\n", "",
			[]string{`content/notices/decided.md:13: hearing.participants: required (听证参加人)`}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := svcLoad(t, svcEdit(t, base, "content/notices/decided.md", tc.old, tc.new), svcDate)
			if diff := cmp.Diff(tc.want, svcProblems(c.Problems.Errors())); diff != "" {
				t.Errorf("errors (-want +got):\n%s", diff)
			}
		})
	}
}
