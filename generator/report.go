package generator

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Report is the annual government-information-disclosure report
// (政府信息公开工作年度报告) in the fixed national format of
// 国办公开办函〔2021〕30号: six sections, of which 2, 3 and 4 are tables whose
// numbers editors enter here. Check verifies that every row and column adds
// up; Link compares the numbers that can be counted from the content
// (normative documents, licensing items, fees) and warns on a mismatch.
// Example (content/reports/2025-szf.md):
//
//	disclosure: 主动公开
//	index_no: 11519900MB1500001A/2026-00005
//	title: 云泽市人民政府2025年政府信息公开工作年度报告
//	summary: …
//	agencies: [szf]
//	date_published: 2026-03-20
//	year: 2025
//	level: 政府                   # 政府 (due 31 March) | 部门 (due 31 January)
//	scope: []                     # agencies the counts cover; default: all for 政府, the report's agencies for 部门
//	sections:
//	  overview: …                 # 一、总体情况 (Markdown)
//	  problems: …                 # 五、存在的主要问题及改进情况
//	  other: …                    # 六、其他需要报告的事项
//	proactive:                    # 二、主动公开政府信息情况
//	  rules: {issued: 0, repealed: 0, in_force: 3}       # 规章
//	  normative: {issued: 5, repealed: 1, in_force: 40}  # 行政规范性文件
//	  licensing: 3560             # 行政许可 本年处理决定数量
//	  penalties: 812              # 行政处罚
//	  enforcement: 35             # 行政强制
//	  fee_amount: 2350.6          # 行政事业性收费 本年收费金额（万元）
//	  licensing_items: 12         # optional: 行政许可事项数, checked against the guides
//	  fee_items: 15               # optional: 收费项目数, checked against the fee catalogue
//	applications:                 # 三、收到和处理政府信息公开申请情况
//	  # each row: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
//	  new: [120, 20, 2, 3, 5, 1, 151]
//	  carried_over: [...]
//	  disclosed: [...]            # （一）予以公开
//	  partly_disclosed: [...]     # （二）部分公开
//	  withheld: {state_secret, law_forbids, security, third_party, internal, process, enforcement_files, query}
//	  unable: {not_held, needs_creation, unclear}
//	  not_processed: {complaint, duplicate, publication, excessive, confirm}
//	  other: {no_correction, no_fee, other}
//	  total: [...]                # （七）总计
//	  carried_forward: [...]      # 四、结转下年度继续办理
//	review:                       # 四、行政复议和行政诉讼: 结果维持, 结果纠正, 其他结果, 尚未审结, 总计
//	  reconsideration: [3, 1, 0, 0, 4]
//	  litigation_direct: [1, 0, 0, 1, 2]
//	  litigation_after: [0, 0, 0, 0, 0]
type Report struct {
	Header       `yaml:",inline"`
	Year         int            `yaml:"year"`  // 报告年度
	Level        string         `yaml:"level"` // 政府 | 部门
	Scope        []string       `yaml:"scope"` // agencies counted from the content
	Sections     ReportSections `yaml:"sections"`
	Proactive    ProactiveTable `yaml:"proactive"`
	Applications Applications   `yaml:"applications"`
	Review       Review         `yaml:"review"`

	ScopeAgencies []*Agency `yaml:"-"`
}

// ReportSections holds the report's text; sections 2–4 may have an
// introduction before their table.
type ReportSections struct {
	Overview     string `yaml:"overview"`     // 一、总体情况
	Proactive    string `yaml:"proactive"`    // 二 (introduction)
	Applications string `yaml:"applications"` // 三 (introduction)
	Review       string `yaml:"review"`       // 四 (introduction)
	Problems     string `yaml:"problems"`     // 五、存在的主要问题及改进情况
	Other        string `yaml:"other"`        // 六、其他需要报告的事项
}

// ProactiveTable is table 2: proactive disclosure (第二十条第（一）（五）（六）（八）项).
type ProactiveTable struct {
	Rules       DocCounts `yaml:"rules"`       // 规章
	Normative   DocCounts `yaml:"normative"`   // 行政规范性文件
	Licensing   int       `yaml:"licensing"`   // 行政许可 本年处理决定数量
	Penalties   int       `yaml:"penalties"`   // 行政处罚
	Enforcement int       `yaml:"enforcement"` // 行政强制
	FeeAmount   float64   `yaml:"fee_amount"`  // 行政事业性收费 本年收费金额（万元）

	LicensingItems *int `yaml:"licensing_items"` // 公布的行政许可事项数, optional
	FeeItems       *int `yaml:"fee_items"`       // 收费目录中的收费项目数, optional
}

// FeeAmountText formats the fee amount without trailing zeros.
func (p ProactiveTable) FeeAmountText() string { return formatAmount(p.FeeAmount) }

// DocCounts are the documents issued, repealed and in force in a year.
type DocCounts struct {
	Issued   int `yaml:"issued"`   // 本年制发件数
	Repealed int `yaml:"repealed"` // 本年废止件数
	InForce  int `yaml:"in_force"` // 现行有效件数
}

// AppRow is one row of table 3: 自然人, 商业企业, 科研机构, 社会公益组织,
// 法律服务机构, 其他, 总计.
type AppRow []int

// AppColumns is the number of columns of table 3.
const AppColumns = 7

var appColumnNames = []string{"自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计"}

// Applications is table 3: requests received and how they were answered.
type Applications struct {
	New             AppRow `yaml:"new"`              // 一、本年新收政府信息公开申请数量
	CarriedOver     AppRow `yaml:"carried_over"`     // 二、上年结转政府信息公开申请数量
	Disclosed       AppRow `yaml:"disclosed"`        // （一）予以公开
	PartlyDisclosed AppRow `yaml:"partly_disclosed"` // （二）部分公开
	Withheld        struct {
		StateSecret      AppRow `yaml:"state_secret"`      // 1.属于国家秘密
		LawForbids       AppRow `yaml:"law_forbids"`       // 2.其他法律行政法规禁止公开
		Security         AppRow `yaml:"security"`          // 3.危及"三安全一稳定"
		ThirdParty       AppRow `yaml:"third_party"`       // 4.保护第三方合法权益
		Internal         AppRow `yaml:"internal"`          // 5.属于三类内部事务信息
		Process          AppRow `yaml:"process"`           // 6.属于四类过程性信息
		EnforcementFiles AppRow `yaml:"enforcement_files"` // 7.属于行政执法案卷
		Query            AppRow `yaml:"query"`             // 8.属于行政查询事项
	} `yaml:"withheld"` // （三）不予公开
	Unable struct {
		NotHeld       AppRow `yaml:"not_held"`       // 1.本机关不掌握相关政府信息
		NeedsCreation AppRow `yaml:"needs_creation"` // 2.没有现成信息需要另行制作
		Unclear       AppRow `yaml:"unclear"`        // 3.补正后申请内容仍不明确
	} `yaml:"unable"` // （四）无法提供
	NotProcessed struct {
		Complaint   AppRow `yaml:"complaint"`   // 1.信访举报投诉类申请
		Duplicate   AppRow `yaml:"duplicate"`   // 2.重复申请
		Publication AppRow `yaml:"publication"` // 3.要求提供公开出版物
		Excessive   AppRow `yaml:"excessive"`   // 4.无正当理由大量反复申请
		Confirm     AppRow `yaml:"confirm"`     // 5.要求行政机关确认或重新出具已获取信息
	} `yaml:"not_processed"` // （五）不予处理
	Other struct {
		NoCorrection AppRow `yaml:"no_correction"` // 1.申请人无正当理由逾期不补正…
		NoFee        AppRow `yaml:"no_fee"`        // 2.申请人逾期未按收费通知要求缴纳费用…
		Other        AppRow `yaml:"other"`         // 3.其他
	} `yaml:"other"` // （六）其他处理
	Total          AppRow `yaml:"total"`           // （七）总计
	CarriedForward AppRow `yaml:"carried_forward"` // 四、结转下年度继续办理
}

// ReportRow is one row of table 3 as the page shows it.
type ReportRow struct {
	Field string // YAML path, e.g. applications.withheld.state_secret
	Key   string // UI-string key of the label
	Name  string // the label in the national format, for error messages
	Group string // UI-string key of the group heading above, when the row starts a group
	Depth int    // 0: 一/二/四; 1: （一）…; 2: 1. …
	Cells AppRow
	Total bool
}

// appRowDef defines the fixed rows of table 3 in order.
type appRowDef struct {
	field, key, name, group string
	depth                   int
	get                     func(a *Applications) *AppRow
	result                  bool // one of （一）…（六）, summed into （七）总计
}

var appRowDefs = []appRowDef{
	{"new", "svc_rpt_new", "一、本年新收政府信息公开申请数量", "", 0, func(a *Applications) *AppRow { return &a.New }, false},
	{"carried_over", "svc_rpt_carried_over", "二、上年结转政府信息公开申请数量", "", 0, func(a *Applications) *AppRow { return &a.CarriedOver }, false},
	{"disclosed", "svc_rpt_disclosed", "（一）予以公开", "svc_rpt_results", 1, func(a *Applications) *AppRow { return &a.Disclosed }, true},
	{"partly_disclosed", "svc_rpt_partly", "（二）部分公开", "", 1, func(a *Applications) *AppRow { return &a.PartlyDisclosed }, true},
	{"withheld.state_secret", "svc_rpt_w_secret", "（三）不予公开 1.属于国家秘密", "svc_rpt_withheld", 2, func(a *Applications) *AppRow { return &a.Withheld.StateSecret }, true},
	{"withheld.law_forbids", "svc_rpt_w_law", "（三）不予公开 2.其他法律行政法规禁止公开", "", 2, func(a *Applications) *AppRow { return &a.Withheld.LawForbids }, true},
	{"withheld.security", "svc_rpt_w_security", "（三）不予公开 3.危及“三安全一稳定”", "", 2, func(a *Applications) *AppRow { return &a.Withheld.Security }, true},
	{"withheld.third_party", "svc_rpt_w_third", "（三）不予公开 4.保护第三方合法权益", "", 2, func(a *Applications) *AppRow { return &a.Withheld.ThirdParty }, true},
	{"withheld.internal", "svc_rpt_w_internal", "（三）不予公开 5.属于三类内部事务信息", "", 2, func(a *Applications) *AppRow { return &a.Withheld.Internal }, true},
	{"withheld.process", "svc_rpt_w_process", "（三）不予公开 6.属于四类过程性信息", "", 2, func(a *Applications) *AppRow { return &a.Withheld.Process }, true},
	{"withheld.enforcement_files", "svc_rpt_w_enforcement", "（三）不予公开 7.属于行政执法案卷", "", 2, func(a *Applications) *AppRow { return &a.Withheld.EnforcementFiles }, true},
	{"withheld.query", "svc_rpt_w_query", "（三）不予公开 8.属于行政查询事项", "", 2, func(a *Applications) *AppRow { return &a.Withheld.Query }, true},
	{"unable.not_held", "svc_rpt_u_not_held", "（四）无法提供 1.本机关不掌握相关政府信息", "svc_rpt_unable", 2, func(a *Applications) *AppRow { return &a.Unable.NotHeld }, true},
	{"unable.needs_creation", "svc_rpt_u_creation", "（四）无法提供 2.没有现成信息需要另行制作", "", 2, func(a *Applications) *AppRow { return &a.Unable.NeedsCreation }, true},
	{"unable.unclear", "svc_rpt_u_unclear", "（四）无法提供 3.补正后申请内容仍不明确", "", 2, func(a *Applications) *AppRow { return &a.Unable.Unclear }, true},
	{"not_processed.complaint", "svc_rpt_n_complaint", "（五）不予处理 1.信访举报投诉类申请", "svc_rpt_not_processed", 2, func(a *Applications) *AppRow { return &a.NotProcessed.Complaint }, true},
	{"not_processed.duplicate", "svc_rpt_n_duplicate", "（五）不予处理 2.重复申请", "", 2, func(a *Applications) *AppRow { return &a.NotProcessed.Duplicate }, true},
	{"not_processed.publication", "svc_rpt_n_publication", "（五）不予处理 3.要求提供公开出版物", "", 2, func(a *Applications) *AppRow { return &a.NotProcessed.Publication }, true},
	{"not_processed.excessive", "svc_rpt_n_excessive", "（五）不予处理 4.无正当理由大量反复申请", "", 2, func(a *Applications) *AppRow { return &a.NotProcessed.Excessive }, true},
	{"not_processed.confirm", "svc_rpt_n_confirm", "（五）不予处理 5.要求行政机关确认或重新出具已获取信息", "", 2, func(a *Applications) *AppRow { return &a.NotProcessed.Confirm }, true},
	{"other.no_correction", "svc_rpt_o_correction", "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "svc_rpt_other", 2, func(a *Applications) *AppRow { return &a.Other.NoCorrection }, true},
	{"other.no_fee", "svc_rpt_o_fee", "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "", 2, func(a *Applications) *AppRow { return &a.Other.NoFee }, true},
	{"other.other", "svc_rpt_o_other", "（六）其他处理 3.其他", "", 2, func(a *Applications) *AppRow { return &a.Other.Other }, true},
	{"total", "svc_rpt_total", "（七）总计", "", 1, func(a *Applications) *AppRow { return &a.Total }, false},
	{"carried_forward", "svc_rpt_carried_forward", "四、结转下年度继续办理", "", 0, func(a *Applications) *AppRow { return &a.CarriedForward }, false},
}

// Rows returns table 3's rows in the fixed order.
func (a *Applications) Rows() []ReportRow {
	out := make([]ReportRow, len(appRowDefs))
	for i, d := range appRowDefs {
		out[i] = ReportRow{Field: "applications." + d.field, Key: d.key, Name: d.name, Group: d.group, Depth: d.depth,
			Cells: *d.get(a), Total: d.field == "total"}
	}
	return out
}

// ReviewRow is one group of table 4: 结果维持, 结果纠正, 其他结果, 尚未审结, 总计.
type ReviewRow []int

// Review is table 4: administrative reconsideration and litigation.
type Review struct {
	Reconsideration  ReviewRow `yaml:"reconsideration"`   // 行政复议
	LitigationDirect ReviewRow `yaml:"litigation_direct"` // 行政诉讼：未经复议直接起诉
	LitigationAfter  ReviewRow `yaml:"litigation_after"`  // 行政诉讼：复议后起诉
}

// Cells returns table 4's fifteen numbers in the order of its columns.
func (r Review) Cells() []int {
	return slices.Concat([]int(r.Reconsideration), []int(r.LitigationDirect), []int(r.LitigationAfter))
}

var reviewColumnNames = []string{"结果维持", "结果纠正", "其他结果", "尚未审结", "总计"}

// Report levels and their legal deadlines (条例第四十九条).
const (
	LevelGovernment = "政府"
	LevelDepartment = "部门"
)

// Deadline returns the last day to publish the report for year y: 31 January
// for departments, 31 March for governments, of the next year.
func Deadline(level string, y int) time.Time {
	if level == LevelDepartment {
		return time.Date(y+1, time.January, 31, 0, 0, 0, 0, China)
	}
	return time.Date(y+1, time.March, 31, 0, 0, 0, 0, China)
}

// Check validates the report on its own: required sections, and that every
// row and column of tables 3 and 4 adds up.
func (r *Report) Check(c *Checker) {
	c.Required("summary", "内容概述", r.Summary)
	if r.Year == 0 {
		c.Errorf("year", "required (报告年度)")
	} else if r.Year < 2008 || r.Year >= c.Date.Year()+1 {
		c.Errorf("year", "%d is not a past year", r.Year)
	}
	if c.Required("level", "报告主体类型", r.Level) && r.Level != LevelGovernment && r.Level != LevelDepartment {
		c.Errorf("level", "want %s or %s, got %q", LevelGovernment, LevelDepartment, r.Level)
	}
	if r.Year > 0 && !r.Published.IsZero() {
		if dl := Deadline(r.Level, r.Year); r.Published.After(dl.AddDate(0, 0, 1).Add(-time.Second)) {
			c.Warnf("date_published", "published %s, after the legal deadline %s (条例第四十九条)", r.DatePublished, dl.Format("2006-01-02"))
		}
		if r.Published.Year() <= r.Year {
			c.Errorf("date_published", "%s is within the report's own year %d", r.DatePublished, r.Year)
		}
	}
	for i, code := range r.Scope {
		a := c.Site.Agency(code)
		if a == nil {
			c.Errorf("scope["+strconv.Itoa(i)+"]", "unknown agency code %q (declared in content/site.yaml)", code)
			continue
		}
		r.ScopeAgencies = append(r.ScopeAgencies, a)
	}
	if len(r.Scope) == 0 {
		if r.Level == LevelGovernment {
			for i := range c.Site.Agencies {
				r.ScopeAgencies = append(r.ScopeAgencies, &c.Site.Agencies[i])
			}
		} else {
			r.ScopeAgencies = r.Agency
		}
	}
	c.Required("sections.overview", "一、总体情况", r.Sections.Overview)
	c.Required("sections.problems", "五、存在的主要问题及改进情况", r.Sections.Problems)
	c.Required("sections.other", "六、其他需要报告的事项", r.Sections.Other)

	// Table 2: every cell is required; zero is written as 0.
	for _, f := range []struct{ field, name string }{
		{"rules.issued", "规章 本年制发件数"}, {"rules.repealed", "规章 本年废止件数"}, {"rules.in_force", "规章 现行有效件数"},
		{"normative.issued", "行政规范性文件 本年制发件数"}, {"normative.repealed", "行政规范性文件 本年废止件数"},
		{"normative.in_force", "行政规范性文件 现行有效件数"}, {"licensing", "行政许可 本年处理决定数量"},
		{"penalties", "行政处罚 本年处理决定数量"}, {"enforcement", "行政强制 本年处理决定数量"},
		{"fee_amount", "行政事业性收费 本年收费金额"},
	} {
		if !c.Has("proactive." + f.field) {
			c.Errorf("proactive."+f.field, "required (%s)", f.name)
		}
	}
	p := r.Proactive
	if slices.ContainsFunc([]int{p.Rules.Issued, p.Rules.Repealed, p.Rules.InForce, p.Normative.Issued, p.Normative.Repealed,
		p.Normative.InForce, p.Licensing, p.Penalties, p.Enforcement}, func(n int) bool { return n < 0 }) || p.FeeAmount < 0 {
		c.Errorf("proactive", "counts cannot be negative")
	}

	// Table 3.
	a := &r.Applications
	complete := true
	for _, d := range appRowDefs {
		f := "applications." + d.field
		row := *d.get(a)
		switch {
		case len(row) == 0:
			c.Errorf(f, "required (%s)", d.name)
			complete = false
			continue
		case len(row) != AppColumns:
			c.Errorf(f, "want %d numbers (%s), got %d", AppColumns, strings.Join(appColumnNames, ", "), len(row))
			complete = false
			continue
		}
		if slices.ContainsFunc(row, func(n int) bool { return n < 0 }) {
			c.Errorf(f, "counts cannot be negative")
		}
		if sum := sumInts(row[:AppColumns-1]); sum != row[AppColumns-1] {
			c.Errorf(f, "总计 is %d, but the row adds up to %d", row[AppColumns-1], sum)
		}
	}
	if complete {
		for col := range AppColumns {
			results := 0
			for _, d := range appRowDefs {
				if d.result {
					results += (*d.get(a))[col]
				}
			}
			if t := a.Total[col]; t != results {
				c.Errorf("applications.total", "column %s: （七）总计 is %d, but （一） to （六） add up to %d", appColumnNames[col], t, results)
			}
			in := a.New[col] + a.CarriedOver[col]
			out := a.Total[col] + a.CarriedForward[col]
			if in != out {
				c.Errorf("applications.carried_forward", "column %s: 一 + 二 = %d, but 三（七） + 四 = %d (第一项加第二项之和应等于第三项加第四项之和)", appColumnNames[col], in, out)
			}
		}
	}

	// Table 4.
	for _, g := range []struct {
		field, name string
		row         ReviewRow
	}{
		{"review.reconsideration", "行政复议", r.Review.Reconsideration},
		{"review.litigation_direct", "行政诉讼（未经复议直接起诉）", r.Review.LitigationDirect},
		{"review.litigation_after", "行政诉讼（复议后起诉）", r.Review.LitigationAfter},
	} {
		switch {
		case len(g.row) == 0:
			c.Errorf(g.field, "required (%s)", g.name)
		case len(g.row) != len(reviewColumnNames):
			c.Errorf(g.field, "want %d numbers (%s), got %d", len(reviewColumnNames), strings.Join(reviewColumnNames, ", "), len(g.row))
		case slices.ContainsFunc(g.row, func(n int) bool { return n < 0 }):
			c.Errorf(g.field, "counts cannot be negative")
		default:
			if sum := sumInts(g.row[:4]); sum != g.row[4] {
				c.Errorf(g.field, "总计 is %d, but 结果维持, 结果纠正, 其他结果 and 尚未审结 add up to %d", g.row[4], sum)
			}
		}
	}
}

func sumInts(xs []int) int {
	n := 0
	for _, x := range xs {
		n += x
	}
	return n
}

// Link compares the numbers that the content can count with the ones
// entered. A report missing after its deadline is the inspector's
// REPORT-MISSING rule (package inspect), which also covers agencies that
// never had one.
func (r *Report) Link(c *Checker) {
	if r.Year == 0 {
		return
	}
	inScope := func(as []*Agency) bool {
		return slices.ContainsFunc(as, func(a *Agency) bool { return slices.Contains(r.ScopeAgencies, a) })
	}
	start := time.Date(r.Year, time.January, 1, 0, 0, 0, 0, China)
	end := time.Date(r.Year, time.December, 31, 23, 59, 59, 0, China)
	within := func(t time.Time) bool { return !t.IsZero() && !t.Before(start) && !t.After(end) }
	var issued, repealed, inForce, licensing, fees int
	feeAmount, feeGiven := 0.0, false
	for _, rec := range c.all.Records {
		if rec.Withheld {
			continue
		}
		switch e := rec.Entry.(type) {
		case *Policy:
			if !e.Normative || !inScope(e.Agency) {
				continue
			}
			v := e.Validity
			if within(e.Written) {
				issued++
			}
			if within(v.RepealedAt) || (v.Status == Expired && within(v.ExpiresAt)) {
				repealed++
			}
			ended := (!v.RepealedAt.IsZero() && !v.RepealedAt.After(end)) || (!v.ExpiresAt.IsZero() && !v.ExpiresAt.After(end))
			if !e.Written.IsZero() && !e.Written.After(end) && !ended {
				inForce++
			}
		case *Approval:
			if e.Category == "行政许可" && e.Dept != nil && inScope([]*Agency{e.Dept}) && !e.Published.After(end) {
				licensing++
			}
		case *Fee:
			if e.Dept == nil || !inScope([]*Agency{e.Dept}) {
				continue
			}
			if st := e.StatusAt(dayOf(end)); st.Code != "pending" && st.Code != "cancelled" {
				fees++
			}
			if amt, ok := e.IncomeIn(r.Year); ok {
				feeAmount += amt
				feeGiven = true
			}
		}
	}
	p := r.Proactive
	mismatch := func(field string, entered, counted int, what string) {
		if entered != counted {
			c.Warnf(field, "the report says %d, the content counts %d %s", entered, counted, what)
		}
	}
	mismatch("proactive.normative.issued", p.Normative.Issued, issued, fmt.Sprintf("normative documents written in %d", r.Year))
	mismatch("proactive.normative.repealed", p.Normative.Repealed, repealed, fmt.Sprintf("normative documents repealed or expired in %d", r.Year))
	mismatch("proactive.normative.in_force", p.Normative.InForce, inForce, fmt.Sprintf("normative documents in force on %d-12-31", r.Year))
	if p.LicensingItems != nil {
		mismatch("proactive.licensing_items", *p.LicensingItems, licensing, fmt.Sprintf("licensing items (行政许可) published by %d-12-31", r.Year))
	}
	if p.FeeItems != nil {
		mismatch("proactive.fee_items", *p.FeeItems, fees, fmt.Sprintf("fee items in force on %d-12-31", r.Year))
	}
	if feeGiven && math.Abs(feeAmount-p.FeeAmount) > 0.005 {
		c.Warnf("proactive.fee_amount", "the report says %s 万元, the fee records' income for %d adds up to %s 万元", formatAmount(p.FeeAmount), r.Year, formatAmount(math.Round(feeAmount*100)/100))
	}
}

// ReportIndex is the data of the reports page.
type ReportIndex struct {
	Rows []*Record // newest year first
}

func reportOutputs(b *Build) []Output {
	col := b.Theme.T("svc_col_report")
	rs := slices.Clone(b.ByKind("report"))
	slices.SortFunc(rs, func(x, y *Record) int {
		rx, ry := x.Entry.(*Report), y.Entry.(*Report)
		return cmp.Or(cmp.Compare(ry.Year, rx.Year), cmp.Compare(deptOrder(b.Site, firstAgency(rx.Agency)), deptOrder(b.Site, firstAgency(ry.Agency))), cmp.Compare(x.Key, y.Key))
	})
	p := &Page{Template: "reports.html", Title: col, Column: col, Data: &ReportIndex{Rows: rs}, Description: b.Theme.T("svc_reports_description")}
	if len(rs) > 0 {
		p.PubDate = b.ByKind("report")[0].Date()
	}
	outs := []Output{{URL: "/report/", Page: p}}
	for _, r := range rs {
		rep := r.Entry.(*Report)
		for _, t := range rep.CSVFiles() {
			outs = append(outs, Output{URL: t.URL, NoSitemap: true, Write: func(w io.Writer) error {
				return writeReportCSV(w, b.Theme, rep, t.ID)
			}})
		}
	}
	return outs
}

// ReportCSV is one table of an annual report as a CSV file of its own.
type ReportCSV struct {
	ID      string // the table's id on the page: t2-1, t2-5, t2-6, t2-8, t3, t4
	Section string // UI-string key of the report section
	Caption string // UI-string key of the table caption within it, or ""
	URL     string // site path: /report/KEY-t3.csv
}

// reportTables lists the report's tables in page order.
var reportTables = []ReportCSV{
	{ID: "t2-1", Section: "svc_rpt_s2", Caption: "svc_rpt_art20_1"},
	{ID: "t2-5", Section: "svc_rpt_s2", Caption: "svc_rpt_art20_5"},
	{ID: "t2-6", Section: "svc_rpt_s2", Caption: "svc_rpt_art20_6"},
	{ID: "t2-8", Section: "svc_rpt_s2", Caption: "svc_rpt_art20_8"},
	{ID: "t3", Section: "svc_rpt_s3"},
	{ID: "t4", Section: "svc_rpt_s4"},
}

// CSVFile returns the CSV file of the report's table id.
func (r *Report) CSVFile(id string) ReportCSV {
	for _, t := range r.CSVFiles() {
		if t.ID == id {
			return t
		}
	}
	return ReportCSV{}
}

// CSVFiles returns the report's tables, one rectangular CSV file each
// (a header row and rows of the same width), so spreadsheets and
// programs read each table as it is.
func (r *Report) CSVFiles() []ReportCSV {
	out := slices.Clone(reportTables)
	for i := range out {
		out[i].URL = strings.TrimSuffix(r.Record.URL, ".html") + "-" + out[i].ID + ".csv"
	}
	return out
}

func firstAgency(as []*Agency) *Agency {
	if len(as) == 0 {
		return nil
	}
	return as[0]
}

// writeReportCSV writes the report's table id (see reportTables) as one
// rectangular CSV table: a header row, then rows of the same width.
func writeReportCSV(w io.Writer, th *Theme, r *Report, id string) error {
	T := th.T
	cw := newCSV(w)
	p := r.Proactive
	it := strconv.Itoa
	switch id {
	case "t2-1":
		cw.Write([]string{T("svc_rpt_item"), T("svc_rpt_issued"), T("svc_rpt_repealed"), T("svc_rpt_in_force")})
		cw.Write([]string{T("svc_rpt_rules"), it(p.Rules.Issued), it(p.Rules.Repealed), it(p.Rules.InForce)})
		cw.Write([]string{T("svc_rpt_normative"), it(p.Normative.Issued), it(p.Normative.Repealed), it(p.Normative.InForce)})
	case "t2-5":
		cw.Write([]string{T("svc_rpt_item"), T("svc_rpt_decisions")})
		cw.Write([]string{T("svc_rpt_licensing"), it(p.Licensing)})
	case "t2-6":
		cw.Write([]string{T("svc_rpt_item"), T("svc_rpt_decisions")})
		cw.Write([]string{T("svc_rpt_penalties"), it(p.Penalties)})
		cw.Write([]string{T("svc_rpt_enforcement"), it(p.Enforcement)})
	case "t2-8":
		cw.Write([]string{T("svc_rpt_item"), T("svc_rpt_fee_amount")})
		cw.Write([]string{T("svc_rpt_fees"), p.FeeAmountText()})
	case "t3":
		head := []string{T("svc_rpt_item")}
		for _, k := range []string{"svc_rpt_c_natural", "svc_rpt_c_business", "svc_rpt_c_research", "svc_rpt_c_social", "svc_rpt_c_legal", "svc_rpt_c_other", "svc_rpt_c_total"} {
			head = append(head, T(k))
		}
		cw.Write(head)
		for _, row := range r.Applications.Rows() {
			line := []string{T(row.Key)}
			if row.Depth == 2 {
				// Sub-rows carry their group's name, so each CSV line stands alone.
				line[0] = T(groupOf(row.Key)) + " " + T(row.Key)
			}
			for _, n := range row.Cells {
				line = append(line, it(n))
			}
			cw.Write(line)
		}
	case "t4":
		var head []string
		for _, g := range []string{T("svc_rpt_reconsideration"), T("svc_rpt_litigation") + "（" + T("svc_rpt_litigation_direct") + "）",
			T("svc_rpt_litigation") + "（" + T("svc_rpt_litigation_after") + "）"} {
			for _, k := range []string{"svc_rpt_upheld", "svc_rpt_corrected", "svc_rpt_other_result", "svc_rpt_pending", "svc_rpt_c_total"} {
				head = append(head, g+" "+T(k))
			}
		}
		cw.Write(head)
		var cells []string
		for _, n := range r.Review.Cells() {
			cells = append(cells, it(n))
		}
		cw.Write(cells)
	default:
		return fmt.Errorf("report %s: no table %q", r.IndexNo, id)
	}
	cw.Flush()
	return cw.Error()
}

// groupOf returns the group heading key of a depth-2 row key.
func groupOf(key string) string {
	group := ""
	for _, d := range appRowDefs {
		if d.group != "" {
			group = d.group
		}
		if d.key == key {
			return group
		}
	}
	return ""
}

// GroupKey returns the UI-string key of the heading of the group a row
// belongs to, so a sub-row's header can name its group for screen readers.
func (row ReportRow) GroupKey() string { return groupOf(row.Key) }

const reportScaffold = `---
disclosure: 主动公开
index_no: "{{.IndexNo}}"
title: "{{.Title}}"
summary: ""
agencies: [{{.Agency}}]
date_published: {{.Date}}
year:                         # 报告年度: the year reported on, e.g. the year before date_published
level: 部门                   # 政府 (due 31 March) | 部门 (due 31 January)
sections:
  overview: |                 # 一、总体情况
    
  problems: |                 # 五、存在的主要问题及改进情况
    
  other: |                    # 六、其他需要报告的事项
    
proactive:                    # 二、主动公开政府信息情况
  rules: {issued: 0, repealed: 0, in_force: 0}
  normative: {issued: 0, repealed: 0, in_force: 0}
  licensing: 0
  penalties: 0
  enforcement: 0
  fee_amount: 0
applications:                 # 三: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计
  new: [0, 0, 0, 0, 0, 0, 0]
  carried_over: [0, 0, 0, 0, 0, 0, 0]
  disclosed: [0, 0, 0, 0, 0, 0, 0]
  partly_disclosed: [0, 0, 0, 0, 0, 0, 0]
  withheld:
    state_secret: [0, 0, 0, 0, 0, 0, 0]
    law_forbids: [0, 0, 0, 0, 0, 0, 0]
    security: [0, 0, 0, 0, 0, 0, 0]
    third_party: [0, 0, 0, 0, 0, 0, 0]
    internal: [0, 0, 0, 0, 0, 0, 0]
    process: [0, 0, 0, 0, 0, 0, 0]
    enforcement_files: [0, 0, 0, 0, 0, 0, 0]
    query: [0, 0, 0, 0, 0, 0, 0]
  unable:
    not_held: [0, 0, 0, 0, 0, 0, 0]
    needs_creation: [0, 0, 0, 0, 0, 0, 0]
    unclear: [0, 0, 0, 0, 0, 0, 0]
  not_processed:
    complaint: [0, 0, 0, 0, 0, 0, 0]
    duplicate: [0, 0, 0, 0, 0, 0, 0]
    publication: [0, 0, 0, 0, 0, 0, 0]
    excessive: [0, 0, 0, 0, 0, 0, 0]
    confirm: [0, 0, 0, 0, 0, 0, 0]
  other:
    no_correction: [0, 0, 0, 0, 0, 0, 0]
    no_fee: [0, 0, 0, 0, 0, 0, 0]
    other: [0, 0, 0, 0, 0, 0, 0]
  total: [0, 0, 0, 0, 0, 0, 0]
  carried_forward: [0, 0, 0, 0, 0, 0, 0]
review:                       # 四: 结果维持, 结果纠正, 其他结果, 尚未审结, 总计
  reconsideration: [0, 0, 0, 0, 0]
  litigation_direct: [0, 0, 0, 0, 0]
  litigation_after: [0, 0, 0, 0, 0]
---

`

// ReportGroup is a run of table 3's rows under one heading (Key, a UI-string
// key; empty for the rows that stand alone).
type ReportGroup struct {
	Key  string
	Rows []ReportRow
}

// Groups returns table 3's rows grouped under their headings, one <tbody>
// each on the page.
func (a *Applications) Groups() []ReportGroup {
	var gs []ReportGroup
	for _, row := range a.Rows() {
		if len(gs) == 0 || row.Group != "" || row.Total {
			gs = append(gs, ReportGroup{Key: row.Group})
		}
		gs[len(gs)-1].Rows = append(gs[len(gs)-1].Rows, row)
	}
	return gs
}

// DeadlineDate returns the legal deadline for publishing this report.
func (r *Report) DeadlineDate() time.Time { return Deadline(r.Level, r.Year) }

// LicensingItemsN returns licensing_items, or 0 when it is not given.
func (p ProactiveTable) LicensingItemsN() int { return derefInt(p.LicensingItems) }

// FeeItemsN returns fee_items, or 0 when it is not given.
func (p ProactiveTable) FeeItemsN() int { return derefInt(p.FeeItems) }

func derefInt(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}
