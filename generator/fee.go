package generator

import (
	"cmp"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Fee is an administrative fee item (行政事业性收费) with its dated history
// of changes. The catalogue page lists the items in force on the build date;
// a page per year lists the fees adjusted (调整) and cancelled (取消) that
// year. History is oldest first: 保留 and 调整 make the fee active, 取消 ends
// it (nothing may follow), and 暂停, 免征 or 减征 last until their until date
// or, without one, until the next 保留 or 调整. Changes dated after the build
// date are shown as announced.
// Example (content/fees/lajichuli.md):
//
//	disclosure: 主动公开
//	index_no: 11519900MB1500406F/2024-00201
//	title: 城镇垃圾处理费              # 收费项目名称
//	summary: 向城镇产生生活垃圾的单位和个人收取的垃圾处理费。
//	agencies: [zjj]
//	date_published: 2024-01-05
//	department: zjj                    # 执收单位
//	sub_items:                         # 收费子项及标准
//	  - {name: 居民生活垃圾, amount: 12, currency: 元, unit: 户·月}
//	basis:                             # 收费依据
//	  - {doc_no: 计价格〔2002〕872号, title: 关于实行城市生活垃圾处理收费制度…的通知}
//	payer: 产生生活垃圾的单位和个人      # 缴费主体
//	fund_management: 缴入地方国库，纳入一般公共预算管理 # 资金管理方式
//	enterprise_related: true           # 涉企收费
//	catalogue_year: 2026               # 目录年度
//	history:                           # 变更记录, oldest first
//	  - {date: 2024-01-01, action: 保留, doc_no: 云财税〔2023〕30号}
//	  - {date: 2025-07-01, action: 调整, doc_no: 云发改价格〔2025〕41号, note: 由每户每月10元调整为12元}
//	income:                            # 年度收费金额 (万元), optional
//	  - {year: 2025, amount: 1520.4}
type Fee struct {
	Header            `yaml:",inline"`
	Department        string        `yaml:"department"`         // 执收单位 (agency code)
	SubItems          []FeeStandard `yaml:"sub_items"`          // 收费子项及标准
	Basis             []DocRef      `yaml:"basis"`              // 收费依据
	Payer             string        `yaml:"payer"`              // 缴费主体
	FundManagement    string        `yaml:"fund_management"`    // 资金管理方式
	EnterpriseRelated bool          `yaml:"enterprise_related"` // 涉企收费
	CatalogueYear     int           `yaml:"catalogue_year"`     // 目录年度
	History           []FeeChange   `yaml:"history"`            // 变更记录
	Income            []FeeIncome   `yaml:"income"`             // 年度收费金额

	Dept *Agency `yaml:"-"`
}

// FeeStandard is one sub-item with its standard: Amount (up to AmountMax
// when it is a range) Currency per Unit, e.g. 12 元/户·月.
type FeeStandard struct {
	Name      string  `yaml:"name"`       // 子项名称
	Amount    float64 `yaml:"amount"`     // 金额
	AmountMax float64 `yaml:"amount_max"` // upper bound of a range, optional
	Currency  string  `yaml:"currency"`   // default 元
	Unit      string  `yaml:"unit"`       // 计费单位: 件, 平方米, 户·月
	Note      string  `yaml:"note"`
}

// Text returns the standard as "12 元/户·月" or "3–5 元/平方米".
func (s FeeStandard) Text() string {
	a := formatAmount(s.Amount)
	if s.AmountMax > 0 {
		a += "–" + formatAmount(s.AmountMax)
	}
	return a + " " + s.Currency + "/" + s.Unit
}

func formatAmount(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// DocRef names a document by its number and title.
type DocRef struct {
	DocNo string `yaml:"doc_no"` // 文号
	Title string `yaml:"title"`  // 文件名称
}

// FeeChange is one dated change of a fee: kept, adjusted, cancelled,
// suspended, exempted or reduced, with the document that decided it.
type FeeChange struct {
	Date     string `yaml:"date"`      // 生效日期
	Action   string `yaml:"action"`    // 保留 | 调整 | 取消 | 暂停 | 免征 | 减征
	DocNo    string `yaml:"doc_no"`    // 决定文件文号
	DocTitle string `yaml:"doc_title"` // 决定文件名称
	Until    string `yaml:"until"`     // end of a suspension, exemption or reduction
	Note     string `yaml:"note"`

	At      time.Time `yaml:"-"`
	UntilAt time.Time `yaml:"-"`
}

// Code returns the action's English code: kept, adjusted, cancelled,
// suspended, exempted or reduced.
func (ch FeeChange) Code() string { return feeActions[ch.Action] }

// FeeIncome is the amount collected in a year, in 万元.
type FeeIncome struct {
	Year   int     `yaml:"year"`
	Amount float64 `yaml:"amount"`
}

var feeActions = map[string]string{"保留": "kept", "调整": "adjusted", "取消": "cancelled", "暂停": "suspended", "免征": "exempted", "减征": "reduced"}

// feeActionOrder lists the actions in the order error messages name them.
var feeActionOrder = []string{"保留", "调整", "取消", "暂停", "免征", "减征"}

// FeeStatus is a fee's state on a date.
type FeeStatus struct {
	// Code is active, reduced, exempted, suspended, cancelled or pending (not
	// yet in force).
	Code   string
	Since  time.Time  // date of the change that set it
	Until  time.Time  // end of a temporary reduction, exemption or suspension
	Change *FeeChange // the change in force, nil when pending
}

// StatusAt returns the fee's status on day t. 保留 and 调整 make it active,
// 取消 ends it; a reduction, exemption or suspension lasts until its until
// date, or, without one, until the next 保留 or 调整.
func (f *Fee) StatusAt(t time.Time) FeeStatus {
	var base, temp *FeeChange
	for i := range f.History {
		ch := &f.History[i]
		if ch.At.IsZero() || ch.At.After(t) {
			continue
		}
		switch ch.Code() {
		case "kept", "adjusted":
			base = ch
			if temp != nil && temp.UntilAt.IsZero() {
				temp = nil
			}
		case "cancelled":
			base, temp = ch, nil
		case "suspended", "exempted", "reduced":
			temp = ch
		}
	}
	if base != nil && base.Code() == "cancelled" {
		return FeeStatus{Code: "cancelled", Since: base.At, Change: base}
	}
	if temp != nil {
		if temp.UntilAt.IsZero() || !temp.UntilAt.Before(t) {
			return FeeStatus{Code: temp.Code(), Since: temp.At, Until: temp.UntilAt, Change: temp}
		}
		// The temporary measure has ended: the fee is collected again.
		st := FeeStatus{Code: "active", Since: temp.UntilAt.AddDate(0, 0, 1), Change: base}
		if base != nil && base.At.After(st.Since) {
			st.Since = base.At
		}
		return st
	}
	if base == nil {
		return FeeStatus{Code: "pending"}
	}
	return FeeStatus{Code: "active", Since: base.At, Change: base}
}

// Upcoming returns changes dated after t, such as an announced cancellation.
func (f *Fee) Upcoming(t time.Time) []FeeChange {
	var out []FeeChange
	for _, ch := range f.History {
		if ch.At.After(t) {
			out = append(out, ch)
		}
	}
	return out
}

// IncomeIn returns the amount collected in year y and whether it is given.
func (f *Fee) IncomeIn(y int) (float64, bool) {
	for _, in := range f.Income {
		if in.Year == y {
			return in.Amount, true
		}
	}
	return 0, false
}

// Check validates the fee on its own.
func (f *Fee) Check(c *Checker) {
	c.Required("summary", "内容概述", f.Summary)
	if c.Required("department", "执收单位", f.Department) {
		if f.Dept = c.Site.Agency(f.Department); f.Dept == nil {
			c.Errorf("department", "unknown agency code %q (declared in content/site.yaml)", f.Department)
		}
	}
	if requireList(c, "sub_items", "收费子项及标准", len(f.SubItems)) {
		for i := range f.SubItems {
			s := &f.SubItems[i]
			p := "sub_items[" + strconv.Itoa(i) + "]"
			c.Required(p+".name", "子项名称", s.Name)
			if !c.Has(p + ".amount") {
				c.Errorf(p+".amount", "required (收费标准金额)")
			} else if s.Amount < 0 {
				c.Errorf(p+".amount", "want zero or more, got %s", formatAmount(s.Amount))
			}
			if s.AmountMax != 0 && s.AmountMax <= s.Amount {
				c.Errorf(p+".amount_max", "%s is not above amount %s", formatAmount(s.AmountMax), formatAmount(s.Amount))
			}
			if s.Currency == "" {
				s.Currency = "元"
			}
			c.Required(p+".unit", "计费单位", s.Unit)
		}
	}
	if requireList(c, "basis", "收费依据", len(f.Basis)) {
		for i, d := range f.Basis {
			p := "basis[" + strconv.Itoa(i) + "]"
			if c.Required(p+".doc_no", "收费依据文号", d.DocNo) {
				c.CheckDocNumber(p+".doc_no", d.DocNo, DocNoAgency|DocNoDecree)
			}
		}
	}
	c.Required("payer", "缴费主体", f.Payer)
	c.Required("fund_management", "资金管理方式", f.FundManagement)
	if !c.Has("enterprise_related") {
		c.Errorf("enterprise_related", "required (是否涉企收费): true or false")
	}
	if !c.Has("catalogue_year") {
		c.Errorf("catalogue_year", "required (目录年度)")
	} else if f.CatalogueYear < 1990 || f.CatalogueYear > c.Date.Year()+1 {
		c.Errorf("catalogue_year", "%d is not a plausible catalogue year", f.CatalogueYear)
	}
	if requireList(c, "history", "变更记录", len(f.History)) {
		var prev *FeeChange
		for i := range f.History {
			ch := &f.History[i]
			p := "history[" + strconv.Itoa(i) + "]"
			if c.Required(p+".date", "生效日期", ch.Date) {
				ch.At = c.Day(p+".date", ch.Date)
			}
			if c.Required(p+".action", "变更类型", ch.Action) && feeActions[ch.Action] == "" {
				c.Errorf(p+".action", "want one of %s, got %q", strings.Join(feeActionOrder, ", "), ch.Action)
			}
			if c.Required(p+".doc_no", "决定文件", ch.DocNo) {
				c.CheckDocNumber(p+".doc_no", ch.DocNo, DocNoAgency|DocNoDecree)
			}
			ch.UntilAt = c.Day(p+".until", ch.Until)
			if ch.Until != "" {
				switch ch.Code() {
				case "suspended", "exempted", "reduced":
					if !ch.UntilAt.IsZero() && !ch.At.IsZero() && !ch.UntilAt.After(ch.At) {
						c.Errorf(p+".until", "%s is not after date %s", ch.Until, ch.Date)
					}
				default:
					c.Errorf(p+".until", "only 暂停, 免征 and 减征 have an end date")
				}
			}
			if prev != nil && !prev.At.IsZero() && !ch.At.IsZero() {
				if ch.At.Before(prev.At) {
					c.Errorf(p+".date", "%s is before the previous change (%s); list changes oldest first", ch.Date, prev.Date)
				}
				if prev.Code() == "cancelled" {
					c.Errorf(p, "the fee was cancelled on %s; no change can follow", prev.Date)
				}
			}
			prev = ch
		}
	}
	for i, in := range f.Income {
		p := "income[" + strconv.Itoa(i) + "]"
		if in.Year < 1990 || in.Year > c.Date.Year() {
			c.Errorf(p+".year", "%d is not a past year", in.Year)
		}
		if in.Amount < 0 {
			c.Errorf(p+".amount", "want zero or more, got %s", formatAmount(in.Amount))
		}
	}
}

// FeeRow is one fee in a catalogue or yearly list, with its status on the
// build date.
type FeeRow struct {
	Record *Record
	Fee    *Fee
	Status FeeStatus
	Change *FeeChange // the change listed (yearly pages)
}

// FeeCatalogue is the data of the fee catalogue page.
type FeeCatalogue struct {
	Date      time.Time // the catalogue's date: the build date
	Updated   time.Time // newest change in force on that date
	Current   []FeeRow  // active, reduced, exempted or suspended
	Cancelled []FeeRow
	Pending   []FeeRow // announced, not yet in force
	Years     []int    // years with adjusted or cancelled fees, newest first
}

// FeeYear is the data of a yearly page: the fees adjusted or cancelled in Year.
type FeeYear struct {
	Year      int
	Adjusted  []FeeRow
	Cancelled []FeeRow
	Years     []int
}

func feeOutputs(b *Build) []Output {
	col := b.Theme.T("svc_col_fee")
	all := slices.Clone(b.ByKind("fee"))
	slices.SortFunc(all, func(x, y *Record) int {
		fx, fy := x.Entry.(*Fee), y.Entry.(*Fee)
		return cmp.Or(cmp.Compare(deptOrder(b.Site, fx.Dept), deptOrder(b.Site, fy.Dept)), cmp.Compare(x.H().IndexNo, y.H().IndexNo), cmp.Compare(x.Key, y.Key))
	})
	cat := &FeeCatalogue{Date: b.Date}
	years := map[int]*FeeYear{}
	for _, r := range all {
		f := r.Entry.(*Fee)
		st := f.StatusAt(b.Date)
		row := FeeRow{Record: r, Fee: f, Status: st}
		switch st.Code {
		case "pending":
			cat.Pending = append(cat.Pending, row)
		case "cancelled":
			cat.Cancelled = append(cat.Cancelled, row)
		default:
			cat.Current = append(cat.Current, row)
		}
		for i := range f.History {
			ch := &f.History[i]
			if !ch.At.After(b.Date) && ch.At.After(cat.Updated) {
				cat.Updated = ch.At
			}
			code := ch.Code()
			if code != "adjusted" && code != "cancelled" {
				continue
			}
			y := years[ch.At.Year()]
			if y == nil {
				y = &FeeYear{Year: ch.At.Year()}
				years[ch.At.Year()] = y
			}
			yr := FeeRow{Record: r, Fee: f, Status: st, Change: ch}
			if code == "adjusted" {
				y.Adjusted = append(y.Adjusted, yr)
			} else {
				y.Cancelled = append(y.Cancelled, yr)
			}
		}
	}
	for y := range years {
		cat.Years = append(cat.Years, y)
	}
	slices.SortFunc(cat.Years, func(a, b int) int { return cmp.Compare(b, a) })
	p := &Page{Template: "fees.html", Title: col, Column: col, Data: cat, Description: b.Theme.T("svc_fees_description"),
		PubDate: cat.Updated}
	outs := []Output{{URL: "/fee/", Page: p}}
	byDate := func(a, c FeeRow) int {
		return cmp.Or(a.Change.At.Compare(c.Change.At), cmp.Compare(a.Record.H().IndexNo, c.Record.H().IndexNo))
	}
	for _, y := range cat.Years {
		fy := years[y]
		fy.Years = cat.Years
		slices.SortFunc(fy.Adjusted, byDate)
		slices.SortFunc(fy.Cancelled, byDate)
		t := fmt.Sprintf(b.Theme.T("svc_fee_year_title"), y)
		outs = append(outs, Output{URL: "/fee/year/" + strconv.Itoa(y) + "/", Page: &Page{Template: "fee-year.html", Title: t,
			Column: col, Data: fy, Crumbs: []Crumb{{col, "/fee/"}}, Description: t}})
	}
	byYear := Facet{Title: b.Theme.T("by_year"), Total: len(cat.Years)}
	for _, y := range cat.Years {
		byYear.Links = append(byYear.Links, FacetLink{Title: fmt.Sprintf(b.Theme.T("svc_fee_year_title"), y), URL: "/fee/year/" + strconv.Itoa(y) + "/",
			Count: len(years[y].Adjusted) + len(years[y].Cancelled)})
	}
	outs = append(outs, Output{URL: "/fee/year/", Page: &Page{Template: "browse.html", Title: col + "：" + b.Theme.T("by_year"),
		Column: col, Data: byYear, Crumbs: []Crumb{{col, "/fee/"}}}})
	outs = append(outs, Output{URL: "/fee/catalogue.csv", NoSitemap: true, Write: func(w io.Writer) error {
		return writeFeeCSV(w, b, cat)
	}})
	return outs
}

// deptOrder returns a's position in site.yaml, so lists follow its order.
func deptOrder(s *Site, a *Agency) int {
	for i := range s.Agencies {
		if &s.Agencies[i] == a {
			return i
		}
	}
	return len(s.Agencies)
}

// writeFeeCSV writes the current catalogue, one row per sub-item.
func writeFeeCSV(w io.Writer, b *Build, cat *FeeCatalogue) error {
	cw := newCSV(w)
	T := b.Theme.T
	cw.Write([]string{T("f_index_no"), T("svc_fee_name"), T("svc_fee_sub_item"), T("svc_fee_standard"), T("svc_fee_department"),
		T("svc_fee_basis"), T("svc_fee_payer"), T("svc_fee_fund"), T("svc_fee_enterprise"), T("svc_fee_catalogue_year"),
		T("svc_fee_status"), T("svc_fee_status_since"), T("svc_fee_catalogue_date"), "URL"})
	for _, row := range cat.Current {
		f := row.Fee
		var basis []string
		for _, d := range f.Basis {
			basis = append(basis, d.DocNo)
		}
		ent := T("svc_no")
		if f.EnterpriseRelated {
			ent = T("svc_yes")
		}
		dept := ""
		if f.Dept != nil {
			dept = f.Dept.Name
		}
		for _, s := range f.SubItems {
			cw.Write([]string{f.IndexNo, f.Title, s.Name, s.Text(), dept, strings.Join(basis, "；"), f.Payer, f.FundManagement, ent,
				strconv.Itoa(f.CatalogueYear), T("svc_fee_st_" + row.Status.Code), row.Status.Since.Format("2006-01-02"),
				cat.Date.Format("2006-01-02"), b.Site.AbsURL(row.Record.URL)})
		}
	}
	cw.Flush()
	return cw.Error()
}

const feeScaffold = `---
disclosure: 主动公开
index_no: "{{.IndexNo}}"
title: "{{.Title}}"            # 收费项目名称
summary: ""
agencies: [{{.Agency}}]
date_published: {{.Date}}
department: {{.Agency}}        # 执收单位 (agency code)
sub_items:                     # 收费子项及标准
  - {name: "", amount: 0, currency: 元, unit: 件}
basis:                         # 收费依据 (document numbers)
  - {doc_no: "", title: ""}
payer: ""                      # 缴费主体
fund_management: 缴入地方国库，纳入一般公共预算管理
enterprise_related: false      # 涉企收费
catalogue_year: {{slice .Date 0 4}}
history:                       # oldest first; action: 保留 | 调整 | 取消 | 暂停 | 免征 | 减征
  - {date: {{.Date}}, action: 保留, doc_no: "", doc_title: ""}
# income:                      # 年度收费金额（万元）, compared with the annual report
#   - {year: 2025, amount: 0}
---

`

// FeeChangeTable is one table of a yearly page.
type FeeChangeTable struct {
	LabelKey string // UI-string key naming the table
	Rows     []FeeRow
}

// Table returns the adjusted or cancelled fees of the year as a table.
func (y *FeeYear) Table(code string) FeeChangeTable {
	if code == "cancelled" {
		return FeeChangeTable{LabelKey: "svc_fee_cancelled", Rows: y.Cancelled}
	}
	return FeeChangeTable{LabelKey: "svc_fee_adjusted", Rows: y.Adjusted}
}
