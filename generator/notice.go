package generator

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// MinCommentDays is the normal minimum comment window for a major decision
// (《重大行政决策程序暂行条例》 art. 14: 一般不少于30日).
const MinCommentDays = 30

// Notice is a public notice of a draft major decision, with its comment
// window, hearing and outcome (重大行政决策公示与听证). The body holds the
// draft text; its status (upcoming, open, closed, decided) is computed from
// the build date and always shown with the dates. Example:
//
//	disclosure: 主动公开
//	index_no: 11519900MB1500103C/2026-00061
//	title: 关于公开征求《云泽市停车服务收费管理办法（征求意见稿）》意见的公告
//	summary: …
//	agencies: [fgw]
//	date_published: 2026-11-16
//	explanation: |                  # 起草说明 (Markdown)
//	  …
//	draft:                          # 草案文本 files, optional when the body holds the draft
//	  - {name: 征求意见稿, file: notices/tingche-zhengqiu.pdf}
//	comment:
//	  opens: 2026-11-16
//	  closes: 2026-12-15
//	  short_reason: ""              # required when the window is under 30 days
//	  how: |                        # 意见反馈方式 (Markdown)
//	    电子邮件：…
//	hearing:                        # optional
//	  time: 2026-12-20 09:30
//	  place: …
//	  announced: 2026-12-01         # 听证公告日期
//	  selection: …                  # 参加人遴选方式
//	  participants:
//	    - {name: 张某, role: 市民代表}
//	outcome:                        # once decided
//	  decided: 2027-01-10
//	  result: …                     # 决策结果 (Markdown)
//	  document: 云府发〔2027〕2号    # index number of a policy here, or a document number
//	  comments_received: 35
//	  comments_adopted: 12
//	  how_used: …                   # 意见采纳情况 (Markdown)
type Notice struct {
	Header      `yaml:",inline"`
	Explanation string        `yaml:"explanation"` // 起草说明
	Draft       []Attachment  `yaml:"draft"`       // 草案文本
	Comment     CommentWindow `yaml:"comment"`
	Hearing     *Hearing      `yaml:"hearing"`
	Outcome     *Outcome      `yaml:"outcome"`

	Decision *Record `yaml:"-"` // the policy that records the decision, when on this site
}

// CommentWindow is the public comment period of a draft.
type CommentWindow struct {
	Opens       string `yaml:"opens"`        // 征求意见开始日期
	Closes      string `yaml:"closes"`       // 征求意见截止日期
	ShortReason string `yaml:"short_reason"` // 少于30日的理由
	How         string `yaml:"how"`          // 意见反馈方式

	OpensAt  time.Time `yaml:"-"`
	ClosesAt time.Time `yaml:"-"`
}

// Days returns the length of the window in calendar days, both ends counted.
func (w CommentWindow) Days() int {
	if w.OpensAt.IsZero() || w.ClosesAt.IsZero() {
		return 0
	}
	return int(w.ClosesAt.Sub(w.OpensAt).Hours()/24+0.5) + 1
}

// Hearing is a public hearing on a draft (听证会).
type Hearing struct {
	Time         string        `yaml:"time"`         // 听证时间, YYYY-MM-DD HH:MM
	Place        string        `yaml:"place"`        // 听证地点
	Announced    string        `yaml:"announced"`    // 听证公告日期
	Selection    string        `yaml:"selection"`    // 参加人遴选方式
	Participants []Participant `yaml:"participants"` // 听证参加人
	Summary      string        `yaml:"summary"`      // 听证会情况, after it took place

	At          time.Time `yaml:"-"`
	HasTime     bool      `yaml:"-"`
	AnnouncedAt time.Time `yaml:"-"`
}

// Participant is one hearing participant.
type Participant struct {
	Name string `yaml:"name"`
	Role string `yaml:"role"` // 身份或界别
}

// Outcome is the decision taken and how the comments were used.
type Outcome struct {
	Decided  string `yaml:"decided"`           // 决策日期
	Result   string `yaml:"result"`            // 决策结果
	Document string `yaml:"document"`          // 决策文件: index number or document number
	Received int    `yaml:"comments_received"` // 收到意见数
	Adopted  int    `yaml:"comments_adopted"`  // 采纳意见数
	HowUsed  string `yaml:"how_used"`          // 意见采纳情况

	DecidedAt time.Time `yaml:"-"`
}

// Notice statuses, from StatusAt.
const (
	NoticeUpcoming = "upcoming"
	NoticeOpen     = "open"
	NoticeClosed   = "closed"
	NoticeDecided  = "decided"
)

// StatusAt returns the notice's status on day t: upcoming before the window
// opens, open until it closes (the closing day included), decided once the
// outcome's date has come, else closed.
func (n *Notice) StatusAt(t time.Time) string {
	w := n.Comment
	switch {
	case n.Outcome != nil && !n.Outcome.DecidedAt.IsZero() && !n.Outcome.DecidedAt.After(t):
		return NoticeDecided
	case !w.OpensAt.IsZero() && t.Before(w.OpensAt):
		return NoticeUpcoming
	case !w.ClosesAt.IsZero() && !t.After(w.ClosesAt):
		return NoticeOpen
	default:
		return NoticeClosed
	}
}

// Check validates the notice on its own.
func (n *Notice) Check(c *Checker) {
	c.Required("summary", "内容概述", n.Summary)
	c.Required("explanation", "起草说明", n.Explanation)
	if len(n.Draft) == 0 && strings.TrimSpace(string(c.Record().Body)) == "" {
		c.Errorf("draft", "required (草案文本): write the draft below the front matter or attach it in draft")
	}
	checkAttachments(c, "draft", n.Draft)
	w := &n.Comment
	if c.Required("comment.opens", "征求意见开始日期", w.Opens) {
		w.OpensAt = c.Day("comment.opens", w.Opens)
	}
	if c.Required("comment.closes", "征求意见截止日期", w.Closes) {
		w.ClosesAt = c.Day("comment.closes", w.Closes)
	}
	c.Required("comment.how", "意见反馈方式", w.How)
	if !w.OpensAt.IsZero() && !w.ClosesAt.IsZero() {
		switch d := w.Days(); {
		case d < 1:
			c.Errorf("comment.closes", "%s is before comment.opens %s", w.Closes, w.Opens)
		case d < MinCommentDays && strings.TrimSpace(w.ShortReason) == "":
			c.Errorf("comment.short_reason", "required (征求意见期限少于30日的理由): the window %s to %s is %d days, under %d", w.Opens, w.Closes, d, MinCommentDays)
		}
		if !n.Published.IsZero() && n.Published.After(w.OpensAt) {
			c.Warnf("date_published", "published %s, after the comment window opened (%s)", n.DatePublished, w.Opens)
		}
	}
	if h := n.Hearing; h != nil {
		if c.Required("hearing.time", "听证时间", h.Time) {
			h.At, h.HasTime = c.DayTime("hearing.time", h.Time)
		}
		c.Required("hearing.place", "听证地点", h.Place)
		if c.Required("hearing.announced", "听证公告日期", h.Announced) {
			h.AnnouncedAt = c.Day("hearing.announced", h.Announced)
		}
		c.Required("hearing.selection", "参加人遴选方式", h.Selection)
		if requireList(c, "hearing.participants", "听证参加人", len(h.Participants)) {
			for i, p := range h.Participants {
				f := "hearing.participants[" + strconv.Itoa(i) + "]"
				c.Required(f+".name", "参加人姓名", p.Name)
				c.Required(f+".role", "参加人身份", p.Role)
			}
		}
		if !h.AnnouncedAt.IsZero() && !h.At.IsZero() && !h.AnnouncedAt.Before(dayOf(h.At)) {
			c.Errorf("hearing.announced", "%s is not before the hearing (%s); a hearing is announced in advance", h.Announced, h.Time)
		}
	}
	if o := n.Outcome; o != nil {
		if c.Required("outcome.decided", "决策日期", o.Decided) {
			o.DecidedAt = c.Day("outcome.decided", o.Decided)
		}
		c.Required("outcome.result", "决策结果", o.Result)
		c.Required("outcome.how_used", "意见采纳情况", o.HowUsed)
		if !c.Has("outcome.comments_received") {
			c.Errorf("outcome.comments_received", "required (收到意见数)")
		}
		if o.Received < 0 || o.Adopted < 0 {
			c.Errorf("outcome", "comment counts cannot be negative")
		} else if o.Adopted > o.Received {
			c.Errorf("outcome.comments_adopted", "%d adopted, more than the %d received", o.Adopted, o.Received)
		}
		if !o.DecidedAt.IsZero() && !w.ClosesAt.IsZero() && !o.DecidedAt.After(w.ClosesAt) {
			c.Errorf("outcome.decided", "%s is not after the comment window closed (%s)", o.Decided, w.Closes)
		}
		if h := n.Hearing; h != nil && !h.At.IsZero() && !o.DecidedAt.IsZero() && o.DecidedAt.Before(dayOf(h.At)) {
			c.Errorf("outcome.decided", "%s is before the hearing (%s)", o.Decided, h.Time)
		}
	}
}

func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}

// Link resolves the decision document when it is a policy on this site.
func (n *Notice) Link(c *Checker) {
	o := n.Outcome
	if o == nil || o.Document == "" {
		return
	}
	if c.all.byRef["policy\x00"+o.Document] != nil {
		n.Decision = c.Lookup("outcome.document", "policy", o.Document)
	} else if !IsDocNo(o.Document) {
		c.Errorf("outcome.document", "want the index number of a policy on this site or a document number such as 云府发〔2026〕12号, got %q", o.Document)
	}
}

// NoticeRow is a notice with its status on the build date.
type NoticeRow struct {
	Record *Record
	Notice *Notice
	Status string
}

// NoticeIndex is the data of the notices page.
type NoticeIndex struct {
	Date time.Time
	Rows []NoticeRow // open first, then upcoming, closed and decided; newest first within each
}

var noticeStatusOrder = map[string]int{NoticeOpen: 0, NoticeUpcoming: 1, NoticeClosed: 2, NoticeDecided: 3}

func noticeOutputs(b *Build) []Output {
	col := b.Theme.T("svc_col_notice")
	idx := &NoticeIndex{Date: b.Date}
	for _, r := range b.ByKind("notice") {
		n := r.Entry.(*Notice)
		idx.Rows = append(idx.Rows, NoticeRow{Record: r, Notice: n, Status: n.StatusAt(b.Date)})
	}
	slices.SortStableFunc(idx.Rows, func(x, y NoticeRow) int {
		return cmp.Compare(noticeStatusOrder[x.Status], noticeStatusOrder[y.Status])
	})
	p := &Page{Template: "notices.html", Title: col, Column: col, Data: idx, Description: b.Theme.T("svc_notices_description"),
		feeds: b.feedsAt(noticeFeedPath)}
	if all := b.ByKind("notice"); len(all) > 0 {
		p.PubDate = all[0].Date()
	}
	return []Output{{URL: "/notice/", Page: p}}
}

const noticeFeedPath = "/feeds/notices"

// noticeFeeds: notices and hearings for major decisions have a feed once
// the site has any.
func noticeFeeds(b *Build) []FeedGroup {
	rs := b.ByKind("notice")
	if len(rs) == 0 {
		return nil
	}
	col := b.Theme.T("svc_col_notice")
	f := &Feed{Path: noticeFeedPath, Title: col, Description: b.Theme.T("feed_notices_desc"), Link: "/notice/", recs: rs}
	return []FeedGroup{{Title: col, Feeds: []*Feed{f}}}
}

const noticeScaffold = `---
disclosure: 主动公开
index_no: "{{.IndexNo}}"
title: "{{.Title}}"
summary: ""
agencies: [{{.Agency}}]
date_published: {{.Date}}
explanation: |                 # 起草说明
  
comment:
  opens: {{.Date}}
  closes: ""                   # at least 30 days, both ends counted
  short_reason: ""             # required when the window is shorter
  how: |                       # 意见反馈方式
    
# hearing:
#   time: "YYYY-MM-DD HH:MM"
#   place: ""
#   announced: ""
#   selection: ""
#   participants:
#     - {name: "", role: ""}
# outcome:
#   decided: ""
#   result: ""
#   document: ""
#   comments_received: 0
#   comments_adopted: 0
#   how_used: ""
---

（征求意见稿全文）
`
