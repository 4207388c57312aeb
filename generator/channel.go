package generator

import (
	"cmp"
	"fmt"
	"html/template"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Channel is a complaint and report channel (投诉举报渠道). 《信访工作条例》
// art. 18 asks every organ to publish its channels with reception times and
// places, how to check progress, and the handling procedure; every page
// footer lists the published channels. Channels live in
// content/channels/channel/. Example:
//
//	disclosure: 主动公开
//	title: 12345政务服务便民热线
//	slug: hotline-12345
//	summary: 受理企业和群众的咨询、投诉、举报、求助和建议。
//	agencies: [zwfwj]
//	date_published: 2024-01-02
//	type: 电话                  # 电话 | 网站 | 信件 | 来访 | 市长信箱 | 局长信箱
//	contact: "12345"            # number, web address or postal address
//	hours: 全天24小时
//	place: ""                   # 接待地点 (required for 来访)
//	progress: 拨打12345凭工单编号查询，或登录…查询  # 进度和结果查询方式
//	procedure: [登记受理, 转办交办, 承办单位办理, 答复回访]  # 办理程序
//	time_limit: 自受理之日起60日内办结  # 办理时限, optional
//	weight: 1                   # order in lists and the footer
type Channel struct {
	Header    `yaml:",inline"`
	Type      string   `yaml:"type"`       // 渠道类型
	Contact   string   `yaml:"contact"`    // 号码或地址
	Hours     string   `yaml:"hours"`      // 受理时间
	Place     string   `yaml:"place"`      // 接待地点
	Progress  string   `yaml:"progress"`   // 进度和结果查询方式
	Procedure []string `yaml:"procedure"`  // 办理程序
	TimeLimit string   `yaml:"time_limit"` // 办理时限
	Weight    int      `yaml:"weight"`

	Stats []ChannelPeriod `yaml:"-"` // this channel's rows in the statistics, newest first
}

// ChannelPeriod is one channel's counts in one statistics record.
type ChannelPeriod struct {
	Record *Record // the statistics record
	Counts Counts
}

var channelTypes = map[string]string{"电话": "phone", "网站": "web", "信件": "mail", "来访": "visit", "市长信箱": "mailbox", "局长信箱": "mailbox"}
var channelTypeOrder = []string{"电话", "网站", "信件", "来访", "市长信箱", "局长信箱"}

var phoneRE = regexp.MustCompile(`^[0-9][0-9-]{2,19}$`)

// TypeCode returns phone, web, mail, visit or mailbox.
func (ch *Channel) TypeCode() string { return channelTypes[ch.Type] }

// IsURL reports whether Contact is a web address.
func (ch *Channel) IsURL() bool {
	return strings.HasPrefix(ch.Contact, "https://") || strings.HasPrefix(ch.Contact, "http://")
}

// Check validates the channel on its own.
func (ch *Channel) Check(c *Checker) {
	c.Required("summary", "内容概述", ch.Summary)
	if c.Required("type", "渠道类型", ch.Type) && channelTypes[ch.Type] == "" {
		c.Errorf("type", "want one of %s, got %q", strings.Join(channelTypeOrder, ", "), ch.Type)
	}
	if c.Required("contact", "号码或地址", ch.Contact) {
		switch ch.TypeCode() {
		case "phone":
			if !phoneRE.MatchString(ch.Contact) {
				c.Errorf("contact", "want a phone number of digits and dashes, got %q", ch.Contact)
			}
		case "web", "mailbox":
			if u, err := url.Parse(ch.Contact); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
				c.Errorf("contact", "want an absolute http(s) address for %s, got %q", ch.Type, ch.Contact)
			}
		}
	}
	c.Required("hours", "受理时间", ch.Hours)
	if ch.TypeCode() == "visit" {
		c.Required("place", "接待地点", ch.Place)
	}
	c.Required("progress", "进度和结果查询方式", ch.Progress)
	if requireList(c, "procedure", "办理程序", len(ch.Procedure)) {
		for i, s := range ch.Procedure {
			c.Required("procedure["+strconv.Itoa(i)+"]", "办理程序", s)
		}
	}
}

// Channels returns the published complaint channels in display order
// (weight, then title); every page footer lists them.
func (b *Build) Channels() []*Record {
	rs := slices.Clone(b.ByKind("channel"))
	slices.SortFunc(rs, func(x, y *Record) int {
		return cmp.Or(cmp.Compare(x.Entry.(*Channel).Weight, y.Entry.(*Channel).Weight), cmp.Compare(x.Title(), y.Title()), cmp.Compare(x.Key, y.Key))
	})
	return rs
}

// Handling is a periodic record of how complaints and reports were handled
// (投诉举报办理情况): totals and the same numbers by channel, field and agency.
// Every breakdown must add up to the totals. Records live in
// content/channels/statistics/. Example:
//
//	disclosure: 主动公开
//	index_no: 11519900MB1500709J/2026-00031
//	title: 2026年第三季度投诉举报受理办理情况
//	summary: …
//	agencies: [zwfwj]
//	date_published: 2026-10-15
//	period: {name: 2026年第三季度, from: 2026-07-01, to: 2026-09-30}
//	carried_over: 40            # 上期结转, optional
//	totals: {received: 1200, handled: 1180, on_time: 1150}
//	by_channel:                 # optional
//	  - {channel: hotline-12345, received: 900, handled: 890, on_time: 870}
//	by_field:                   # 按领域
//	  - {field: 城乡建设, received: 300, handled: 295, on_time: 290}
//	by_agency:                  # 按承办单位
//	  - {agency: zjj, received: 300, handled: 295, on_time: 290}
type Handling struct {
	Header      `yaml:",inline"`
	Period      Period       `yaml:"period"`
	CarriedOver int          `yaml:"carried_over"` // 上期结转
	Totals      Counts       `yaml:"totals"`
	ByChannel   []ChannelRow `yaml:"by_channel"`
	ByField     []FieldRow   `yaml:"by_field"`
	ByAgency    []AgencyRow  `yaml:"by_agency"`
}

// Period is a statistics period.
type Period struct {
	Name string `yaml:"name"` // 2026年第三季度
	From string `yaml:"from"`
	To   string `yaml:"to"`

	FromAt time.Time `yaml:"-"`
	ToAt   time.Time `yaml:"-"`
}

// Counts are the three handling numbers.
type Counts struct {
	Received int `yaml:"received"` // 受理
	Handled  int `yaml:"handled"`  // 办结
	OnTime   int `yaml:"on_time"`  // 按期办结
}

// OnTimeRate returns on-time handling as a percentage of handled, "97.5%".
func (n Counts) OnTimeRate() string {
	if n.Handled == 0 {
		return "—"
	}
	return strconv.FormatFloat(float64(n.OnTime)*100/float64(n.Handled), 'f', 1, 64) + "%"
}

// ChannelRow counts one channel.
type ChannelRow struct {
	Channel string `yaml:"channel"` // slug or index number of a channel record
	Counts  `yaml:",inline"`

	Rec *Record `yaml:"-"`
}

// FieldRow counts one field (领域).
type FieldRow struct {
	Field  string `yaml:"field"`
	Counts `yaml:",inline"`
}

// AgencyRow counts one handling agency (承办单位).
type AgencyRow struct {
	Agency string `yaml:"agency"`
	Counts `yaml:",inline"`

	Ref *Agency `yaml:"-"`
}

// StatRow is one row of a statistics table, whatever its breakdown.
type StatRow struct {
	Label string
	URL   string
	Counts
}

// FieldRows returns the breakdown by field as table rows.
func (h *Handling) FieldRows() []StatRow {
	out := make([]StatRow, len(h.ByField))
	for i, r := range h.ByField {
		out[i] = StatRow{Label: r.Field, Counts: r.Counts}
	}
	return out
}

// AgencyRows returns the breakdown by agency as table rows.
func (h *Handling) AgencyRows() []StatRow {
	out := make([]StatRow, len(h.ByAgency))
	for i, r := range h.ByAgency {
		out[i] = StatRow{Label: r.Agency, Counts: r.Counts}
		if r.Ref != nil {
			out[i].Label = r.Ref.Name
		}
	}
	return out
}

// ChannelRows returns the breakdown by channel as table rows.
func (h *Handling) ChannelRows() []StatRow {
	out := make([]StatRow, len(h.ByChannel))
	for i, r := range h.ByChannel {
		out[i] = StatRow{Label: r.Channel, Counts: r.Counts}
		if r.Rec != nil {
			out[i].Label, out[i].URL = r.Rec.Title(), r.Rec.URL
		}
	}
	return out
}

// Check validates the record on its own, including that every breakdown adds
// up to the totals.
func (h *Handling) Check(c *Checker) {
	c.Required("summary", "内容概述", h.Summary)
	p := &h.Period
	c.Required("period.name", "统计期间名称", p.Name)
	if c.Required("period.from", "统计起始日期", p.From) {
		p.FromAt = c.Day("period.from", p.From)
	}
	if c.Required("period.to", "统计截止日期", p.To) {
		p.ToAt = c.Day("period.to", p.To)
	}
	if !p.FromAt.IsZero() && !p.ToAt.IsZero() && p.ToAt.Before(p.FromAt) {
		c.Errorf("period.to", "%s is before period.from %s", p.To, p.From)
	}
	if !p.ToAt.IsZero() && !h.Published.IsZero() && !h.Published.After(p.ToAt) {
		c.Warnf("date_published", "published %s, before the period ends (%s)", h.DatePublished, p.To)
	}
	for _, f := range []string{"totals.received", "totals.handled", "totals.on_time"} {
		if !c.Has(f) {
			c.Errorf(f, "required (%s)", countLabels[f[len("totals."):]])
		}
	}
	if h.CarriedOver < 0 {
		c.Errorf("carried_over", "want zero or more, got %d", h.CarriedOver)
	}
	checkCounts(c, "totals", h.Totals, h.CarriedOver)
	type part struct {
		field, label string
		rows         []Counts
	}
	var parts []part
	add := func(field, label string, n int, get func(i int) Counts) {
		rows := make([]Counts, n)
		for i := range n {
			rows[i] = get(i)
		}
		parts = append(parts, part{field, label, rows})
	}
	add("by_channel", "按渠道", len(h.ByChannel), func(i int) Counts { return h.ByChannel[i].Counts })
	add("by_field", "按领域", len(h.ByField), func(i int) Counts { return h.ByField[i].Counts })
	add("by_agency", "按承办单位", len(h.ByAgency), func(i int) Counts { return h.ByAgency[i].Counts })
	for _, pt := range parts {
		if len(pt.rows) == 0 {
			if pt.field != "by_channel" {
				c.Errorf(pt.field, "required (%s统计)", pt.label)
			}
			continue
		}
		var sum Counts
		for i, r := range pt.rows {
			checkCounts(c, pt.field+"["+strconv.Itoa(i)+"]", r, -1)
			sum.Received += r.Received
			sum.Handled += r.Handled
			sum.OnTime += r.OnTime
		}
		for _, x := range []struct {
			name      string
			sum, want int
		}{{"received", sum.Received, h.Totals.Received}, {"handled", sum.Handled, h.Totals.Handled}, {"on_time", sum.OnTime, h.Totals.OnTime}} {
			if x.sum != x.want {
				c.Errorf(pt.field, "%s adds up to %d, but totals.%s is %d (%s的%s之和与合计不符)", x.name, x.sum, x.name, x.want, pt.label, countLabels[x.name])
			}
		}
	}
	for i := range h.ByField {
		c.Required("by_field["+strconv.Itoa(i)+"].field", "领域", h.ByField[i].Field)
	}
	for i := range h.ByAgency {
		r := &h.ByAgency[i]
		f := "by_agency[" + strconv.Itoa(i) + "].agency"
		if c.Required(f, "承办单位", r.Agency) {
			if r.Ref = c.Site.Agency(r.Agency); r.Ref == nil {
				c.Errorf(f, "unknown agency code %q (declared in content/site.yaml)", r.Agency)
			}
		}
	}
	for i := range h.ByChannel {
		c.Required("by_channel["+strconv.Itoa(i)+"].channel", "渠道", h.ByChannel[i].Channel)
	}
}

var countLabels = map[string]string{"received": "受理量", "handled": "办结量", "on_time": "按期办结量"}

// checkCounts checks one row: no negative numbers, on time ≤ handled, and
// handled ≤ received (plus what was carried over, for the totals).
func checkCounts(c *Checker, field string, n Counts, carried int) {
	if n.Received < 0 || n.Handled < 0 || n.OnTime < 0 {
		c.Errorf(field, "counts cannot be negative")
		return
	}
	if n.OnTime > n.Handled {
		c.Errorf(field+".on_time", "%d handled on time, more than the %d handled", n.OnTime, n.Handled)
	}
	if carried >= 0 && n.Handled > n.Received+carried {
		c.Errorf(field+".handled", "%d handled, more than the %d received plus %d carried over", n.Handled, n.Received, carried)
	}
}

// Link resolves the channel rows and adds this period to each channel's page.
func (h *Handling) Link(c *Checker) {
	for i := range h.ByChannel {
		r := &h.ByChannel[i]
		if r.Channel == "" {
			continue
		}
		r.Rec = c.Lookup("by_channel["+strconv.Itoa(i)+"].channel", "channel", r.Channel)
		if r.Rec == nil || c.Record().Withheld {
			continue
		}
		ch := r.Rec.Entry.(*Channel)
		c.all.mu.Lock()
		ch.Stats = append(ch.Stats, ChannelPeriod{Record: c.Record(), Counts: r.Counts})
		slices.SortFunc(ch.Stats, func(a, b ChannelPeriod) int {
			return cmp.Or(b.Record.Entry.(*Handling).Period.ToAt.Compare(a.Record.Entry.(*Handling).Period.ToAt), cmp.Compare(a.Record.Key, b.Record.Key))
		})
		c.all.mu.Unlock()
	}
}

// HandlingChart draws a statistics record's breakdown by field as a bar chart
// of received and on-time counts (used by handling.html; the table with id
// "by-field" holds the same numbers).
func (b *Build) HandlingChart(r *Record) template.HTML {
	h, ok := r.Entry.(*Handling)
	if !ok {
		return ""
	}
	rows := make([]BarRow, len(h.ByField))
	for i, f := range h.ByField {
		rows[i] = BarRow{Label: f.Field, Values: []int{f.Received, f.OnTime}}
	}
	return BarChart("chart-field", fmt.Sprintf(b.Theme.T("svc_chart_title"), h.Period.Name), "by-field",
		[]string{b.Theme.T("svc_received"), b.Theme.T("svc_on_time")}, rows)
}

// ChannelIndex is the data of the channels page.
type ChannelIndex struct {
	Channels []*Record
	Periods  []*Record // statistics, newest period first
}

func channelOutputs(b *Build) []Output {
	col := b.Theme.T("svc_col_channel")
	idx := &ChannelIndex{Channels: b.Channels(), Periods: handlingByPeriod(b)}
	p := &Page{Template: "channels.html", Title: col, Column: col, Data: idx, Description: b.Theme.T("svc_channels_description")}
	if len(idx.Channels) > 0 {
		p.PubDate = b.ByKind("channel")[0].Date()
	}
	return []Output{{URL: "/channel/", Page: p}}
}

func handlingByPeriod(b *Build) []*Record {
	rs := slices.Clone(b.ByKind("handling"))
	slices.SortFunc(rs, func(x, y *Record) int {
		return cmp.Or(y.Entry.(*Handling).Period.ToAt.Compare(x.Entry.(*Handling).Period.ToAt), cmp.Compare(x.Key, y.Key))
	})
	return rs
}

func handlingOutputs(b *Build) []Output {
	col := b.Theme.T("svc_col_handling")
	return b.paginate("/handling/", col, col, handlingByPeriod(b), nil, []Crumb{{b.Theme.T("svc_col_channel"), "/channel/"}}, nil)
}

const channelScaffold = `---
disclosure: 主动公开
title: "{{.Title}}"            # 渠道名称
slug: ""                       # URL: /channel/SLUG/
summary: ""
agencies: [{{.Agency}}]
date_published: {{.Date}}
type: 电话                     # 电话 | 网站 | 信件 | 来访 | 市长信箱 | 局长信箱
contact: ""                    # number, web address or postal address
hours: ""                      # 受理时间
place: ""                      # 接待地点 (required for 来访)
progress: ""                   # 进度和结果查询方式
procedure: [登记受理, 转送交办, 办理答复, 回访评价]  # 办理程序
time_limit: 自受理之日起60日内办结
weight: 10
---

`

const handlingScaffold = `---
disclosure: 主动公开
index_no: "{{.IndexNo}}"
title: "{{.Title}}"
summary: ""
agencies: [{{.Agency}}]
date_published: {{.Date}}
period: {name: "", from: "", to: ""}
carried_over: 0
totals: {received: 0, handled: 0, on_time: 0}   # every breakdown must add up to these
by_channel:
  - {channel: "", received: 0, handled: 0, on_time: 0}
by_field:
  - {field: "", received: 0, handled: 0, on_time: 0}
by_agency:
  - {agency: {{.Agency}}, received: 0, handled: 0, on_time: 0}
---

`

// StatTable is one breakdown of a statistics record as a table.
type StatTable struct {
	ID       string // element id; the bar chart refers to "by-field"
	TitleKey string // UI-string keys of the caption and the first column
	HeadKey  string
	Rows     []StatRow
	Total    Counts
}

// Tables returns the record's breakdowns: by field, by agency and, when
// given, by channel.
func (h *Handling) Tables() []StatTable {
	ts := []StatTable{
		{ID: "by-field", TitleKey: "svc_by_field", HeadKey: "svc_field", Rows: h.FieldRows(), Total: h.Totals},
		{ID: "by-agency", TitleKey: "svc_by_agency", HeadKey: "svc_agency", Rows: h.AgencyRows(), Total: h.Totals},
	}
	if len(h.ByChannel) > 0 {
		ts = append(ts, StatTable{ID: "by-channel", TitleKey: "svc_by_channel", HeadKey: "svc_channel", Rows: h.ChannelRows(), Total: h.Totals})
	}
	return ts
}
