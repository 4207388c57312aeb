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
)

// Approval is an approval item with its service guide (审批事项 / 办事指南).
// Every element that 《行政许可法》 art. 30 asks to publish is a required
// field, so a guide that lacks one fails `gongkai check` with the element's
// Chinese name. Example (content/approvals/jianzhu-shigong.md):
//
//	disclosure: 主动公开
//	index_no: 11519900MB1500406F/2025-00101
//	title: 建筑工程施工许可           # 事项名称
//	summary: 在本市行政区域内从事建筑工程施工的，开工前申请领取施工许可证。
//	agencies: [zjj]                   # 发布机构
//	date_published: 2025-03-01
//	code: 11519900MB1500406F400011300100001 # 事项编码
//	category: 行政许可                # 事项类型
//	department: zjj                   # 实施机关
//	legal_basis:
//	  setup:                          # 设定依据
//	    - {law: 《中华人民共和国建筑法》, article: 第七条, text: "建筑工程开工前，……"}
//	  implementing:                   # 实施依据
//	    - {law: 《建筑工程施工许可管理办法》, article: 第二条, text: "……"}
//	conditions: [已经办理用地批准手续, …] # 受理条件, numbered on the page
//	quantity_limit: 无数量限制        # 数量限制
//	procedure:                        # 办理流程 (drawn as a flow chart)
//	  - {name: 受理, actor: 综合受理窗口, time_limit: 即办, detail: 核对材料是否齐全}
//	  - {name: 审查, actor: 审批科, time_limit: 3}
//	time_limit: {statutory: 7, promised: 3}  # 工作日数, or 即办
//	materials:                        # 申请材料
//	  - {name: 建筑工程施工许可申请表, form: [原件], copies: 1, requirements: 加盖公章, source: 申请人自备}
//	forms:                            # 申请表格及示范文本 (files under content/)
//	  - {name: 建筑工程施工许可申请表, file: forms/jianzhu-shigong-shenqingbiao.docx}
//	fees: {free: true, basis: 《中华人民共和国行政许可法》第五十八条}  # or fees: {items: [fee index numbers]}
//	result: {name: 建筑工程施工许可证, type: 证照, delivery: 窗口领取或免费邮寄}
//	place: {address: 云泽市政务服务中心2楼, window: 12号窗口, hours: 工作日9:00—17:00}
//	online: {url: https://zwfw.yunze.gov.cn/item/jzsg}  # or {none: true, reason: …}
//	consult_phone: 0899-62004567
//	complaint_channels: [hotline-12345] # slugs or index numbers of channel records
type Approval struct {
	Header     `yaml:",inline"`
	Code       string        `yaml:"code"`           // 事项编码
	Category   string        `yaml:"category"`       // 事项类型
	Department string        `yaml:"department"`     // 实施机关 (agency code)
	Basis      LegalBasis    `yaml:"legal_basis"`    // 设定依据和实施依据
	Conditions []string      `yaml:"conditions"`     // 受理条件
	Quantity   string        `yaml:"quantity_limit"` // 数量限制
	Steps      []Step        `yaml:"procedure"`      // 办理流程
	TimeLimit  TimeLimits    `yaml:"time_limit"`     // 办理时限
	Materials  []Material    `yaml:"materials"`      // 申请材料
	Forms      []Attachment  `yaml:"forms"`          // 申请表格及示范文本
	Fees       FeeTerms      `yaml:"fees"`           // 收费标准及依据
	Result     ApprovalOut   `yaml:"result"`         // 审批结果
	Place      ServicePlace  `yaml:"place"`          // 办理地点和时间
	Online     OnlineService `yaml:"online"`         // 网上办理
	Phone      string        `yaml:"consult_phone"`  // 咨询电话
	Complaint  []string      `yaml:"complaint_channels"`

	Dept     *Agency   `yaml:"-"`
	Channels []*Record `yaml:"-"` // resolved complaint_channels
}

// LegalBasis holds the provisions that set up and implement an item.
type LegalBasis struct {
	Setup        []Provision `yaml:"setup"`        // 设定依据
	Implementing []Provision `yaml:"implementing"` // 实施依据
}

// Provision is one article of a law or regulation, quoted.
type Provision struct {
	Law     string `yaml:"law"`     // 《中华人民共和国行政许可法》
	Article string `yaml:"article"` // 第二十九条
	Text    string `yaml:"text"`    // 条文内容
}

// Step is one step of an item's procedure.
type Step struct {
	Name      string `yaml:"name"`       // 环节名称
	Actor     string `yaml:"actor"`      // 办理人员或岗位
	TimeLimit string `yaml:"time_limit"` // working days, or 即办
	Detail    string `yaml:"detail"`     // 办理内容和标准

	Limit Limit `yaml:"-"`
}

// TimeLimits are an item's statutory and promised limits (法定办结时限,
// 承诺办结时限), each a number of working days or 即办 (on the spot).
type TimeLimits struct {
	Statutory string `yaml:"statutory"`
	Promised  string `yaml:"promised"`
	Note      string `yaml:"note"` // e.g. 不含现场勘验时间

	StatutoryLimit Limit `yaml:"-"`
	PromisedLimit  Limit `yaml:"-"`
}

// Limit is a parsed time limit: Days working days, or on the spot.
type Limit struct {
	Days   int
	OnSpot bool
	Valid  bool
}

// OnTheSpot is how content writes an on-the-spot time limit (即办件).
const OnTheSpot = "即办"

func (l Limit) String() string {
	if l.OnSpot {
		return "on the spot (即办)"
	}
	return strconv.Itoa(l.Days) + " working days"
}

// parseLimit reads "20" or "即办" in field.
func parseLimit(c *Checker, field, label, v string) Limit {
	v = strings.TrimSpace(v)
	if !c.Required(field, label, v) {
		return Limit{}
	}
	if v == OnTheSpot {
		return Limit{OnSpot: true, Valid: true}
	}
	n, err := strconv.Atoi(v)
	if err != nil || n <= 0 {
		c.Errorf(field, "want a number of working days or %s, got %q", OnTheSpot, v)
		return Limit{}
	}
	return Limit{Days: n, Valid: true}
}

// Material is one application material (申请材料).
type Material struct {
	Name         string   `yaml:"name"`         // 材料名称
	Form         []string `yaml:"form"`         // 原件, 复印件, 电子件
	Copies       int      `yaml:"copies"`       // 份数
	Requirements string   `yaml:"requirements"` // 材料要求
	Source       string   `yaml:"source"`       // 来源渠道: 申请人自备, 政府部门核发, …
	Note         string   `yaml:"note"`
}

var materialForms = []string{"原件", "复印件", "电子件"}

// FeeTerms says whether an item is charged: Free, or the fee records in Items.
type FeeTerms struct {
	Free  bool     `yaml:"free"`  // 不收费
	Items []string `yaml:"items"` // index numbers of fee records
	Basis string   `yaml:"basis"` // why it is free, e.g. 《行政许可法》第五十八条

	Recs []*Record `yaml:"-"`
}

// ApprovalOut is the result of an item (审批结果) and how it is delivered.
type ApprovalOut struct {
	Name     string `yaml:"name"`     // 结果名称, e.g. 建筑工程施工许可证
	Type     string `yaml:"type"`     // 证照, 批准文书, 其他
	Delivery string `yaml:"delivery"` // 送达方式
}

var resultTypes = []string{"证照", "批准文书", "其他"}

// ServicePlace is where and when an item is handled.
type ServicePlace struct {
	Address string `yaml:"address"` // 办理地点
	Window  string `yaml:"window"`  // 办理窗口
	Hours   string `yaml:"hours"`   // 办理时间
}

// OnlineService is the online application entry, or an explicit none.
type OnlineService struct {
	URL    string `yaml:"url"`    // 网上办理入口
	None   bool   `yaml:"none"`   // 不支持网上办理
	Reason string `yaml:"reason"` // why not
}

var approvalCategories = []string{"行政许可", "行政确认", "行政给付", "行政奖励", "行政裁决", "其他行政权力", "公共服务"}

var itemCodeRE = regexp.MustCompile(`^[0-9A-Za-z-]{6,40}$`)

// catchAllRE finds catch-all clauses (兜底条款) such as 其他材料 or
// 法律法规规定的其他条件, which the rules forbid in guides.
var catchAllRE = regexp.MustCompile(`其他(相关|必要|需要的)?(材料|条件|资料|情形)|规定的其他|认为需要的`)

// Check validates the guide on its own.
func (a *Approval) Check(c *Checker) {
	c.Required("summary", "内容概述", a.Summary)
	if c.Required("code", "事项编码", a.Code) && !itemCodeRE.MatchString(a.Code) {
		c.Errorf("code", "want letters, digits and dashes (6 to 40), got %q", a.Code)
	}
	if c.Required("category", "事项类型", a.Category) && !slices.Contains(approvalCategories, a.Category) {
		c.Errorf("category", "want one of %s, got %q", strings.Join(approvalCategories, ", "), a.Category)
	}
	if c.Required("department", "实施机关", a.Department) {
		if a.Dept = c.Site.Agency(a.Department); a.Dept == nil {
			c.Errorf("department", "unknown agency code %q (declared in content/site.yaml)", a.Department)
		}
	}
	checkProvisions(c, "legal_basis.setup", "设定依据", a.Basis.Setup)
	checkProvisions(c, "legal_basis.implementing", "实施依据", a.Basis.Implementing)
	if requireList(c, "conditions", "受理条件", len(a.Conditions)) {
		for i, s := range a.Conditions {
			f := "conditions[" + strconv.Itoa(i) + "]"
			if c.Required(f, "受理条件", s) && catchAllRE.MatchString(s) {
				c.Warnf(f, "catch-all condition %q: list every condition explicitly (兜底条款)", s)
			}
		}
	}
	c.Required("quantity_limit", "数量限制", a.Quantity)

	t := &a.TimeLimit
	t.StatutoryLimit = parseLimit(c, "time_limit.statutory", "法定办结时限", t.Statutory)
	t.PromisedLimit = parseLimit(c, "time_limit.promised", "承诺办结时限", t.Promised)
	st, pr := t.StatutoryLimit, t.PromisedLimit
	if st.Valid && pr.Valid && pr.Days > st.Days {
		c.Errorf("time_limit.promised", "promised limit of %s exceeds the statutory limit of %s (承诺办结时限不得超过法定办结时限)", pr, st)
	}
	if requireList(c, "procedure", "办理流程", len(a.Steps)) {
		sum, ok := 0, true
		for i := range a.Steps {
			s := &a.Steps[i]
			f := "procedure[" + strconv.Itoa(i) + "]"
			c.Required(f+".name", "环节名称", s.Name)
			c.Required(f+".actor", "办理人员", s.Actor)
			s.Limit = parseLimit(c, f+".time_limit", "环节时限", s.TimeLimit)
			ok = ok && s.Limit.Valid
			sum += s.Limit.Days
		}
		if ok && pr.Valid && sum > pr.Days {
			c.Errorf("procedure", "the steps take %s in all, more than the promised limit of %s (各环节时限之和超过承诺办结时限)", Limit{Days: sum, Valid: true}, pr)
		}
	}
	if requireList(c, "materials", "申请材料", len(a.Materials)) {
		for i, m := range a.Materials {
			f := "materials[" + strconv.Itoa(i) + "]"
			if c.Required(f+".name", "材料名称", m.Name) && catchAllRE.MatchString(m.Name) {
				c.Warnf(f+".name", "catch-all material %q: list every material explicitly (兜底条款)", m.Name)
			}
			if requireList(c, f+".form", "材料形式", len(m.Form)) {
				for j, v := range m.Form {
					if !slices.Contains(materialForms, v) {
						c.Errorf(fmt.Sprintf("%s.form[%d]", f, j), "want one of %s, got %q", strings.Join(materialForms, ", "), v)
					}
				}
			}
			if m.Copies <= 0 {
				c.Errorf(f+".copies", "required (材料份数): a number of at least 1")
			}
			c.Required(f+".requirements", "材料要求", m.Requirements)
			c.Required(f+".source", "来源渠道", m.Source)
		}
	}
	if requireList(c, "forms", "申请表格及示范文本", len(a.Forms)) {
		checkAttachments(c, "forms", a.Forms)
	}
	switch {
	case a.Fees.Free && len(a.Fees.Items) > 0:
		c.Errorf("fees.free", "contradicts fees.items: an item is either free or lists its fees")
	case !a.Fees.Free && len(a.Fees.Items) == 0:
		c.Errorf("fees", "required (收费标准及依据): list the fee records in fees.items, or write fees.free: true")
	}
	c.Required("result.name", "审批结果名称", a.Result.Name)
	if c.Required("result.type", "审批结果类型", a.Result.Type) && !slices.Contains(resultTypes, a.Result.Type) {
		c.Errorf("result.type", "want one of %s, got %q", strings.Join(resultTypes, ", "), a.Result.Type)
	}
	c.Required("result.delivery", "结果送达方式", a.Result.Delivery)
	c.Required("place.address", "办理地点", a.Place.Address)
	c.Required("place.hours", "办理时间", a.Place.Hours)
	o := a.Online
	switch {
	case o.None && o.URL != "":
		c.Errorf("online.none", "contradicts online.url")
	case o.None:
		c.Required("online.reason", "不支持网上办理的原因", o.Reason)
	case o.URL == "":
		c.Errorf("online", "required (网上办理): give online.url, or write online.none: true with online.reason")
	default:
		if u, err := url.Parse(o.URL); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			c.Errorf("online.url", "want an absolute http(s) URL, got %q", o.URL)
		}
	}
	c.Required("consult_phone", "咨询电话", a.Phone)
	requireList(c, "complaint_channels", "监督投诉渠道", len(a.Complaint))
}

// requireList reports an error when a list element is empty.
func requireList(c *Checker, field, label string, n int) bool {
	if n == 0 {
		c.Errorf(field, "required (%s)", label)
		return false
	}
	return true
}

func checkProvisions(c *Checker, field, label string, ps []Provision) {
	if !requireList(c, field, label, len(ps)) {
		return
	}
	for i, p := range ps {
		f := field + "[" + strconv.Itoa(i) + "]"
		c.Required(f+".law", label+"：法律法规名称", p.Law)
		c.Required(f+".article", label+"：条款", p.Article)
		c.Required(f+".text", label+"：条文内容", p.Text)
	}
}

// Link resolves the item's fees and complaint channels.
func (a *Approval) Link(c *Checker) {
	for i, ref := range a.Fees.Items {
		f := "fees.items[" + strconv.Itoa(i) + "]"
		r := c.Lookup(f, "fee", ref)
		if r == nil {
			continue
		}
		if fee := r.Entry.(*Fee); fee.StatusAt(c.Date).Code == "cancelled" {
			c.Warnf(f, "fee %q was cancelled on %s; remove it from this guide", ref, fee.StatusAt(c.Date).Since.Format("2006-01-02"))
		}
		a.Fees.Recs = append(a.Fees.Recs, r)
	}
	for i, ref := range a.Complaint {
		if r := c.Lookup("complaint_channels["+strconv.Itoa(i)+"]", "channel", ref); r != nil {
			a.Channels = append(a.Channels, r)
		}
	}
}

// flow returns the procedure as flow-chart steps, with labels from th.
func (a *Approval) flow(th *Theme) []FlowStep {
	steps := make([]FlowStep, len(a.Steps))
	for i, s := range a.Steps {
		steps[i] = FlowStep{
			Title:  s.Name,
			Lines:  []string{th.T("svc_actor") + "：" + s.Actor, th.T("svc_time_limit") + "：" + limitText(th, s.Limit)},
			Detail: s.Detail,
		}
	}
	return steps
}

func limitText(th *Theme, l Limit) string {
	if l.OnSpot {
		return th.T("svc_on_the_spot")
	}
	return fmt.Sprintf(th.T("svc_n_workdays"), l.Days)
}

// ApprovalFlow draws an approval item's procedure as an inline SVG flow
// chart with its text alternative (used by approval.html).
func (b *Build) ApprovalFlow(r *Record) template.HTML {
	a, ok := r.Entry.(*Approval)
	if !ok {
		return ""
	}
	return FlowChart("flow", fmt.Sprintf(b.Theme.T("svc_flow_title"), a.Title), b.Theme.T("svc_flow_start"), b.Theme.T("svc_flow_end"), a.flow(b.Theme))
}

// ApprovalGroup is one department's part of the approval catalogue.
type ApprovalGroup struct {
	Agency *Agency
	Items  []*Record
}

func approvalOutputs(b *Build) []Output {
	col := b.Theme.T("svc_col_approval")
	byDept := map[string][]*Record{}
	for _, r := range b.ByKind("approval") {
		if a := r.Entry.(*Approval); a.Dept != nil {
			byDept[a.Dept.Code] = append(byDept[a.Dept.Code], r)
		}
	}
	var groups []ApprovalGroup
	for i := range b.Site.Agencies {
		ag := &b.Site.Agencies[i]
		items := byDept[ag.Code]
		if len(items) == 0 {
			continue
		}
		slices.SortFunc(items, func(x, y *Record) int {
			return cmp.Or(cmp.Compare(x.Entry.(*Approval).Code, y.Entry.(*Approval).Code), cmp.Compare(x.Key, y.Key))
		})
		groups = append(groups, ApprovalGroup{Agency: ag, Items: items})
	}
	p := &Page{Template: "approvals.html", Title: col, Column: col, Data: groups,
		Description: b.Theme.T("svc_approvals_description")}
	if all := b.ByKind("approval"); len(all) > 0 {
		p.PubDate = all[0].Date()
	}
	return []Output{{URL: "/approval/", Page: p}}
}

const approvalScaffold = `---
disclosure: 主动公开
index_no: "{{.IndexNo}}"
title: "{{.Title}}"          # 事项名称
summary: ""                  # 内容概述
agencies: [{{.Agency}}]      # 发布机构
date_published: {{.Date}}
code: ""                     # 事项编码
category: 行政许可           # 行政许可 | 行政确认 | 行政给付 | 行政奖励 | 行政裁决 | 其他行政权力 | 公共服务
department: {{.Agency}}      # 实施机关 (agency code)
legal_basis:
  setup:                     # 设定依据
    - {law: "", article: "", text: ""}
  implementing:              # 实施依据
    - {law: "", article: "", text: ""}
conditions:                  # 受理条件: every condition, no catch-all clause
  - ""
quantity_limit: 无数量限制   # 数量限制
procedure:                   # 办理流程: each step with its actor and limit (working days or 即办)
  - {name: 受理, actor: "", time_limit: 即办, detail: ""}
  - {name: 审查, actor: "", time_limit: 1, detail: ""}
  - {name: 决定, actor: "", time_limit: 1, detail: ""}
time_limit:
  statutory: 20              # 法定办结时限: working days or 即办
  promised: 5                # 承诺办结时限: not above the statutory limit
materials:                   # 申请材料
  - {name: "", form: [原件], copies: 1, requirements: "", source: 申请人自备}
forms:                       # 申请表格及示范文本: files under content/forms/
  - {name: "", file: forms/x.docx}
fees: {free: true, basis: 《中华人民共和国行政许可法》第五十八条}  # or fees: {items: [fee index numbers]}
result: {name: "", type: 证照, delivery: 窗口领取}  # type: 证照 | 批准文书 | 其他
place: {address: "", window: "", hours: ""}
online: {url: ""}            # or online: {none: true, reason: ""}
consult_phone: ""
complaint_channels: []       # slugs of channel records
---

`

// Facet answers category (事项类型: 行政许可, 公共服务, …) besides agency,
// for the directory's serve:.
func (a *Approval) Facet(name string) []string {
	if name == "category" {
		return []string{a.Category}
	}
	return a.Header.Facet(name)
}
