package generator

import (
	"bytes"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"gongkai/internal/personname"
)

// Decision types (双公示: 行政许可 and 行政处罚 decisions).
const (
	DecisionLicence = "行政许可"
	DecisionPenalty = "行政处罚"
)

var decisionTypes = []string{DecisionLicence, DecisionPenalty}

// Party types (行政相对人类别).
const (
	PartyLegalPerson = "法人"
	PartyOrg         = "非法人组织"
	PartyBusiness    = "个体工商户"
	PartyPerson      = "自然人"
)

var partyTypes = []string{PartyLegalPerson, PartyOrg, PartyBusiness, PartyPerson}

// Revocation statuses: a decision changed, revoked, or found unlawful or
// void leaves the site (行政处罚法 art. 48: withdrawn within three days, with
// the reason published).
var revocationStatuses = []string{"撤销", "变更", "确认违法", "确认无效"}

// DecisionPublishDays is the rule for publishing a licensing or penalty
// decision: within 7 working days of the decision (国办发〔2018〕118号,
// 行政执法公示制度).
const DecisionPublishDays = 7

// PenaltyDisplayYears is the longest a penalty decision stays on display
// (行政处罚信息 最长公示期限 three years).
const PenaltyDisplayYears = 3

// Decision is one administrative licensing or penalty decision, published
// for 双公示. A natural person is published masked (张某某) and never with an
// identity number: the build refuses either. A decision whose display
// period (公示期限) has ended, or that has been revoked or changed, leaves
// every output in the next build. Example (content/decisions/x.md):
//
//	disclosure: 主动公开
//	index_no: 11519900MB1500608H/2026-00031
//	title: 云泽市某某餐饮管理有限公司行政处罚决定
//	summary: 使用超过保质期的食品原料，罚款并没收违法所得。
//	agencies: [scjgj]                 # 决定机关
//	date_published: 2026-03-12        # 公示日期
//	type: 行政处罚                     # 行政许可 | 行政处罚
//	doc_no: 云市监处罚〔2026〕15号      # 决定书文号
//	party:                            # 当事人
//	  name: 云泽市某某餐饮管理有限公司
//	  type: 法人                       # 法人 | 非法人组织 | 个体工商户 | 自然人
//	  credit_code: 91519900MA6C0A1B2X  # 统一社会信用代码 (not for 自然人)
//	  representative: 王大明           # 法定代表人 (负责人; for 个体工商户 the 经营者, masked)
//	reason: …                         # 事由: 违法事实 / 申请事项
//	basis: …                          # 依据
//	result: …                         # 结果: 处罚内容 / 许可内容
//	fine: 2.5                         # 罚款金额（万元）, optional
//	decided: 2026-03-06               # 决定日期
//	display_until: 2027-03-06         # 公示截止日期 (required for 行政处罚)
//	valid_from: …                     # 许可有效期, 行政许可 only, optional
//	valid_until: …
//	revoked:                          # when changed, revoked, found unlawful or void
//	  status: 撤销
//	  date: 2026-04-01
//	  reason: …
type Decision struct {
	Header       `yaml:",inline"`
	Type         string       `yaml:"type"`          // 行政许可 | 行政处罚
	DocNo        string       `yaml:"doc_no"`        // 决定书文号
	Party        Party        `yaml:"party"`         // 当事人（行政相对人）
	Reason       string       `yaml:"reason"`        // 事由
	Basis        string       `yaml:"basis"`         // 依据
	Result       string       `yaml:"result"`        // 结果
	Fine         float64      `yaml:"fine"`          // 罚款金额（万元）
	Decided      string       `yaml:"decided"`       // 决定日期
	DisplayUntil string       `yaml:"display_until"` // 公示截止日期
	ValidFrom    string       `yaml:"valid_from"`    // 许可有效期自
	ValidUntil   string       `yaml:"valid_until"`   // 许可有效期至
	Revoked      *Revocation  `yaml:"revoked"`       // 撤销、变更、确认违法或者确认无效
	Attachments  []Attachment `yaml:"attachments"`   // 决定书 (redacted)

	DecidedAt      time.Time `yaml:"-"`
	DisplayUntilAt time.Time `yaml:"-"`
	ValidFromAt    time.Time `yaml:"-"`
	ValidUntilAt   time.Time `yaml:"-"`
	// Expired is why the decision left the site in this build ("" while it
	// is on display): its display period ended, or it was revoked.
	Expired string `yaml:"-"`
}

// Party is the person or organisation a decision concerns.
type Party struct {
	Name           string `yaml:"name"`           // 名称或姓名
	Type           string `yaml:"type"`           // 法人 | 非法人组织 | 个体工商户 | 自然人
	CreditCode     string `yaml:"credit_code"`    // 统一社会信用代码
	Representative string `yaml:"representative"` // 法定代表人（负责人、经营者）
}

// Revocation records that a decision was revoked or changed.
type Revocation struct {
	Status string `yaml:"status"` // 撤销 | 变更 | 确认违法 | 确认无效
	Date   string `yaml:"date"`
	Reason string `yaml:"reason"` // 撤回理由, shown where the decision was

	At time.Time `yaml:"-"`
}

// Check validates the decision: its type and number, the party (masked when
// a natural person, with a valid credit code when an organisation), its
// dates, and that no identity number appears anywhere in it. A decision
// past its display period, or revoked, is withheld from every output.
func (d *Decision) Check(c *Checker) {
	c.Required("summary", "内容概述", d.Summary)
	if c.Required("type", "决定类别", d.Type) && !slices.Contains(decisionTypes, d.Type) {
		c.Errorf("type", "want one of %s, got %q", strings.Join(decisionTypes, ", "), d.Type)
	}
	if len(d.Agencies) > 1 {
		c.Errorf("agencies", "a decision has one deciding agency (决定机关), got %d", len(d.Agencies))
	}
	if c.Required("doc_no", "决定书文号", d.DocNo) {
		d.checkDocNo(c)
	}
	d.checkParty(c)
	c.Required("reason", "事由", d.Reason)
	c.Required("basis", "依据", d.Basis)
	c.Required("result", "结果", d.Result)
	if d.Fine < 0 {
		c.Errorf("fine", "want an amount in 万元, got %v", d.Fine)
	}
	if d.Fine != 0 && d.Type == DecisionLicence {
		c.Errorf("fine", "a licensing decision has no fine")
	}
	d.checkDates(c)
	checkAttachments(c, "attachments", d.Attachments)
	d.checkIdentityNumbers(c)
	d.expire(c)
}

// checkDocNo accepts the agency form; decisions often write 第 before the
// number (云市监处罚〔2026〕第15号), which is accepted as written.
func (d *Decision) checkDocNo(c *Checker) {
	v := d.DocNo
	if i := strings.Index(v, "〕第"); i >= 0 {
		v = v[:i] + "〕" + v[i+len("〕第"):]
	}
	c.CheckDocNumber("doc_no", v, DocNoAgency)
}

// businessWords mark a 个体工商户 name as a trade name (字号) rather than the
// operator's own name, which must be masked.
var businessWords = []string{"店", "部", "厂", "行", "馆", "社", "坊", "所", "中心", "公司", "场", "站", "铺", "室", "吧", "园", "屋", "院", "摊", "档", "庄", "堂", "家", "号"}

func (d *Decision) checkParty(c *Checker) {
	p := &d.Party
	if !c.Has("party") {
		c.Errorf("party", "required (当事人): name and type")
		return
	}
	c.Required("party.name", "当事人名称或姓名", p.Name)
	if !c.Required("party.type", "当事人类别", p.Type) {
		return
	}
	if !slices.Contains(partyTypes, p.Type) {
		c.Errorf("party.type", "want one of %s, got %q", strings.Join(partyTypes, ", "), p.Type)
		return
	}
	switch p.Type {
	case PartyPerson:
		if p.Name != "" && !personname.IsMasked(p.Name) {
			c.Errorf("party.name", "a natural person is published masked, as %s (got %q)", personname.Mask(p.Name), p.Name)
		}
		if p.CreditCode != "" {
			c.Errorf("party.credit_code", "a natural person has no credit code to publish, and an identity number is never published; remove the field")
		}
		if p.Representative != "" {
			c.Errorf("party.representative", "a natural person has no representative; remove the field")
		}
	default:
		if c.Required("party.credit_code", "统一社会信用代码", p.CreditCode) {
			switch {
			case validIdentityNumber(p.CreditCode):
				c.Errorf("party.credit_code", "this is an identity card number, which is never published; give the unified social credit code (统一社会信用代码)")
			case !validCreditCode(p.CreditCode):
				c.Errorf("party.credit_code", "%q is not a unified social credit code (18 characters, GB 32100-2015, with a valid check character)", p.CreditCode)
			}
		}
		if p.Type == PartyBusiness {
			if p.Name != "" && looksLikePersonName(p.Name) && !personname.IsMasked(p.Name) {
				c.Errorf("party.name", "a 个体工商户 without a trade name is published by the operator's masked name, as %s (got %q)", personname.Mask(p.Name), p.Name)
			}
			if p.Representative != "" && !personname.IsMasked(p.Representative) {
				c.Errorf("party.representative", "the operator (经营者) of a 个体工商户 is published masked, as %s (got %q)", personname.Mask(p.Representative), p.Representative)
			}
		}
	}
}

// looksLikePersonName reports whether a name is two to four Han characters
// with no word of a trade name in it.
func looksLikePersonName(s string) bool {
	n := utf8.RuneCountInString(s)
	if n < 2 || n > 4 {
		return false
	}
	for _, r := range s {
		if !isHan(r) {
			return false
		}
	}
	for _, w := range businessWords {
		if strings.Contains(s, w) {
			return false
		}
	}
	return true
}

func (d *Decision) checkDates(c *Checker) {
	if c.Required("decided", "决定日期", d.Decided) {
		d.DecidedAt = c.Day("decided", d.Decided)
	}
	if !d.DecidedAt.IsZero() && !d.Published.IsZero() {
		if d.Published.Before(d.DecidedAt) {
			c.Errorf("date_published", "%s is before the decision date %s", d.DatePublished, d.Decided)
		} else if c.Cal != nil && c.Cal.Covers(d.DecidedAt) {
			if n := c.Cal.WorkdaysBetween(d.DecidedAt, d.Published); n > DecisionPublishDays {
				c.Warnf("date_published", "published %d working days after the decision; the rule is within %d (行政执法公示)", n, DecisionPublishDays)
			}
		}
	}
	d.ValidFromAt = c.Day("valid_from", d.ValidFrom)
	d.ValidUntilAt = c.Day("valid_until", d.ValidUntil)
	if (d.ValidFrom != "" || d.ValidUntil != "") && d.Type == DecisionPenalty {
		c.Errorf("valid_from", "a penalty decision has no validity period; it is for 行政许可")
	}
	if !d.ValidFromAt.IsZero() && !d.ValidUntilAt.IsZero() && d.ValidUntilAt.Before(d.ValidFromAt) {
		c.Errorf("valid_until", "%s is before valid_from %s", d.ValidUntil, d.ValidFrom)
	}
	d.DisplayUntilAt = c.Day("display_until", d.DisplayUntil)
	switch {
	case d.Type == DecisionPenalty && d.DisplayUntil == "":
		c.Errorf("display_until", "required for 行政处罚 (公示截止日期): the last day the decision is on display, at most %d years after it", PenaltyDisplayYears)
	case d.DisplayUntilAt.IsZero():
	case !d.DecidedAt.IsZero() && d.DisplayUntilAt.Before(d.DecidedAt):
		c.Errorf("display_until", "%s is before the decision date %s", d.DisplayUntil, d.Decided)
	case d.Type == DecisionPenalty && !d.DecidedAt.IsZero() && d.DisplayUntilAt.After(d.DecidedAt.AddDate(PenaltyDisplayYears, 0, 0)):
		c.Warnf("display_until", "%s is more than %d years after the decision; penalty information is displayed for at most %d years", d.DisplayUntil, PenaltyDisplayYears, PenaltyDisplayYears)
	}
	if r := d.Revoked; r != nil {
		if c.Required("revoked.status", "撤回情形", r.Status) && !slices.Contains(revocationStatuses, r.Status) {
			c.Errorf("revoked.status", "want one of %s, got %q", strings.Join(revocationStatuses, ", "), r.Status)
		}
		if c.Required("revoked.date", "撤回日期", r.Date) {
			r.At = c.Day("revoked.date", r.Date)
		}
		c.Required("revoked.reason", "撤回理由", r.Reason)
		if !r.At.IsZero() && r.At.After(c.Date) {
			c.Errorf("revoked.date", "%s is after the build date %s; record a revocation once it is decided", r.Date, c.Date.Format("2006-01-02"))
		}
	}
}

// Until returns the last day the decision is on display: its display
// period, else for a licence the end of its validity; zero when it has no
// end.
func (d *Decision) Until() time.Time {
	if !d.DisplayUntilAt.IsZero() {
		return d.DisplayUntilAt
	}
	return d.ValidUntilAt
}

// expire withholds the decision when its display period has ended or it
// was revoked: it then leaves every output, and a page published by an
// earlier build becomes a withdrawn notice.
func (d *Decision) expire(c *Checker) {
	day := c.Date.In(China).Format("2006-01-02")
	switch until := d.Until(); {
	case d.Revoked != nil && !d.Revoked.At.IsZero() && !d.Revoked.At.After(c.Date):
		d.Expired = fmt.Sprintf("%s on %s", d.Revoked.Status, d.Revoked.Date)
	case !until.IsZero() && until.Format("2006-01-02") < day:
		d.Expired = "display period ended on " + until.Format("2006-01-02")
	default:
		return
	}
	c.Record().Withheld = true
}

// checkIdentityNumbers refuses any identity card number in the decision's
// fields or body: the build must never publish one.
func (d *Decision) checkIdentityNumbers(c *Checker) {
	for _, f := range []struct{ field, v string }{
		{"title", d.Title}, {"summary", d.Summary}, {"doc_no", d.DocNo}, {"party.name", d.Party.Name},
		{"party.representative", d.Party.Representative}, {"reason", d.Reason}, {"basis", d.Basis},
		{"result", d.Result}, {"revoked.reason", reasonOf(d.Revoked)},
	} {
		for _, n := range identityNumbers(f.v) {
			c.Errorf(f.field, "contains an identity card number (%s); it is never published", maskDigits(n))
		}
	}
	r := c.Record()
	for i, line := range bytes.Split(r.Body, []byte("\n")) {
		for _, n := range identityNumbers(string(line)) {
			c.probs.Errorf(Pos{r.Path, r.BodyLine + i}, "body", "contains an identity card number (%s); it is never published", maskDigits(n))
		}
	}
}

func reasonOf(r *Revocation) string {
	if r == nil {
		return ""
	}
	return r.Reason
}

// maskDigits shows the first six characters of a number and hides the rest,
// so an error message does not repeat what it refuses to publish.
func maskDigits(n string) string {
	if len(n) <= 6 {
		return strings.Repeat("*", len(n))
	}
	return n[:6] + strings.Repeat("*", len(n)-6)
}

// DecidedYear returns the year of the decision, by which lists group.
func (d *Decision) DecidedYear() string {
	if d.DecidedAt.IsZero() {
		return strconv.Itoa(d.Published.In(China).Year())
	}
	return strconv.Itoa(d.DecidedAt.Year())
}

// SearchText returns the decision's number, party, reason, basis and result.
func (d *Decision) SearchText() string {
	return joinText(d.DocNo, d.Type, d.Party.Name, d.Party.CreditCode, d.Party.Representative, d.Reason, d.Basis, d.Result)
}

// DocNumber returns the decision's number (决定书文号).
func (d *Decision) DocNumber() string { return d.DocNo }

const decisionScaffold = `---
disclosure: 主动公开
index_no: "{{.IndexNo}}"
title: "{{.Title}}"
summary: ""               # 内容概述: what was decided, in one sentence
agencies: [{{.Agency}}]   # 决定机关 (one agency code)
date_published: {{.Date}} # 公示日期: within 7 working days of the decision
type: 行政处罚            # 行政许可 | 行政处罚
doc_no: ""                # 决定书文号, e.g. 云市监处罚〔{{slice .Date 0 4}}〕1号
party:                    # 当事人
  name: ""                # a natural person masked: 张某某
  type: 法人              # 法人 | 非法人组织 | 个体工商户 | 自然人
  credit_code: ""         # 统一社会信用代码 (not for 自然人; never an identity number)
  representative: ""      # 法定代表人; the 经营者 of a 个体工商户 masked
reason: ""                # 事由: 违法事实 / 申请事项
basis: ""                 # 依据
result: ""                # 结果: 处罚内容 / 许可内容
# fine: 0                 # 罚款金额（万元）
decided: {{.Date}}        # 决定日期
display_until: ""         # 公示截止日期 (required for 行政处罚, at most 3 years)
# valid_from: ""          # 许可有效期 (行政许可)
# valid_until: ""
# revoked:                # once revoked or changed: the decision leaves the site
#   status: 撤销          # 撤销 | 变更 | 确认违法 | 确认无效
#   date: ""
#   reason: ""
---

`

// TypeCode returns the decision type's code for UI-string keys: licence or
// penalty.
func (d *Decision) TypeCode() string {
	if d.Type == DecisionLicence {
		return "licence"
	}
	return "penalty"
}

// FineText writes the fine in 万元 without trailing zeros.
func (d *Decision) FineText() string { return formatAmount(d.Fine) + "万元" }

// Facet answers type (行政许可 or 行政处罚) besides agency.
func (d *Decision) Facet(name string) []string {
	if name == "type" {
		return []string{d.Type}
	}
	return d.Header.Facet(name)
}

// DateFormed returns the decision date, the catalogue's 生成日期.
func (d *Decision) DateFormed() time.Time {
	if !d.DecidedAt.IsZero() {
		return d.DecidedAt
	}
	return d.Published
}

// FeedEntry shows the decision's number, type, party and result.
func (d *Decision) FeedEntry(b *Build, e *feedEntry) []*feedEntry {
	e.Meta = []feedField{
		{Label: "f_index_no", Value: d.IndexNo},
		{Label: "dec_agency", Value: agencyNameList(d.Agency)},
		{Label: "dec_type", Value: d.Type},
		{Label: "dec_doc_no", Value: d.DocNo},
		{Label: "dec_party", Value: d.Party.Name},
		{Label: "dec_credit_code", Value: d.Party.CreditCode},
		{Label: "dec_result_" + d.TypeCode(), Value: d.Result},
	}
	e.Categories = append(e.Categories, d.Type)
	return nil
}

const decisionFeedPath = "/feeds/decisions"

// decisionFeeds: the decisions on display, once the site has any.
func decisionFeeds(b *Build) []FeedGroup {
	rs := b.ByKind("decision")
	if len(rs) == 0 {
		return nil
	}
	col := b.Theme.T("col_decision")
	f := &Feed{Path: decisionFeedPath, Title: col, Description: b.Theme.T("feed_decisions_desc"), Link: "/decision/", recs: rs}
	return []FeedGroup{{Title: col, Feeds: []*Feed{f}}}
}

// decisionOutputs writes the decision lists: all decisions on display, by
// agency (决定机关), by year of decision and by type.
func decisionOutputs(b *Build) []Output {
	all := b.ByKind("decision")
	const base = "/decision/"
	byAgency, agencyIdx := b.agencyGroups(base)
	var byType []*group
	typeIdx := map[string]*group{}
	for _, t := range decisionTypes {
		g := &group{title: t, url: base + "type/" + map[string]string{DecisionLicence: "licence", DecisionPenalty: "penalty"}[t] + "/"}
		typeIdx[t] = g
		byType = append(byType, g)
	}
	byYear := map[string]*group{}
	var years []*group
	for _, r := range all {
		d := r.Entry.(*Decision)
		for _, a := range d.Agency {
			agencyIdx[a.Code].items = append(agencyIdx[a.Code].items, r)
		}
		if g := typeIdx[d.Type]; g != nil {
			g.items = append(g.items, r)
		}
		y := d.DecidedYear()
		if byYear[y] == nil {
			byYear[y] = &group{title: y, url: base + "year/" + y + "/"}
			years = append(years, byYear[y])
		}
		byYear[y].items = append(byYear[y].items, r)
	}
	slices.SortFunc(years, func(x, y *group) int { return strings.Compare(y.title, x.title) })
	return b.facetedLists(base, b.Theme.T("col_decision"), decisionFeedPath, all, []dimension{
		{"agency", b.Theme.T("by_agency"), byAgency},
		{"year", b.Theme.T("by_year"), years},
		{"type", b.Theme.T("by_type"), byType},
	})
}
