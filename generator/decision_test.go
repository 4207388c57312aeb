package generator

import (
	"os"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// checkEntry decodes front matter into e and runs its own checks as of
// date, the way Load does for one file, and returns the record and the
// problems found.
func checkEntry(t *testing.T, path, src string, e Entry, date time.Time) (*Record, Problems) {
	t.Helper()
	s, err := splitFrontMatter(path, []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	var probs Problems
	r := &Record{Path: path, Entry: e, Body: s.body, BodyLine: s.bodyLine}
	lines, _ := decodeStrict(path, s.front, s.frontAt, e, &probs)
	r.lines = lines
	e.Head().Record = r
	var calProbs Problems
	cal := loadCalendar(os.DirFS(".."), &calProbs)
	if len(calProbs) > 0 {
		t.Fatalf("calendar: %v", calProbs)
	}
	c := &Checker{Site: &Site{}, Cal: cal, Date: date, rec: r, probs: &probs, all: &Content{fsys: fstest.MapFS{}}}
	h := e.Head()
	h.Published, h.HasTime = c.DayTime("date_published", h.DatePublished)
	r.Withheld = h.Disclosure != Proactive
	e.Check(c)
	return r, probs
}

const penaltySrc = `---
disclosure: 主动公开
index_no: 11519900MB1500608H/2026-01101
title: 云泽市湖畔餐饮管理有限公司行政处罚决定
summary: 使用超过保质期的食品原料。
agencies: [scjgj]
date_published: 2026-09-11
type: 行政处罚
doc_no: 云市监处罚〔2026〕15号
party:
  name: 云泽市湖畔餐饮管理有限公司
  type: 法人
  credit_code: 91519900MA6C0A1B2X
  representative: 韩立新
reason: 使用超过保质期的淡奶油加工甜品。
basis: 《中华人民共和国食品安全法》第一百二十四条。
result: 罚款人民币5万元。
fine: 5
decided: 2026-09-08
display_until: 2027-09-08
---

处罚决定正文。
`

var decisionDate = time.Date(2026, 11, 27, 0, 0, 0, 0, China)

func TestDecisionValid(t *testing.T) {
	r, probs := checkEntry(t, "content/decisions/x.md", penaltySrc, &Decision{}, decisionDate)
	if len(probs) > 0 {
		t.Fatalf("a valid penalty decision has problems:\n%v", probs)
	}
	if r.Withheld {
		t.Error("a decision within its display period is withheld")
	}
	d := r.Entry.(*Decision)
	if d.DecidedYear() != "2026" || d.Until().Format("2006-01-02") != "2027-09-08" {
		t.Errorf("DecidedYear = %s, Until = %v", d.DecidedYear(), d.Until())
	}
}

func TestDecisionProblems(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		want           string // the problem, as "path:line: field: message" without the path
	}{
		{"unmasked natural person", "  name: 云泽市湖畔餐饮管理有限公司\n  type: 法人\n  credit_code: 91519900MA6C0A1B2X\n  representative: 韩立新\n",
			"  name: 张三丰\n  type: 自然人\n", `:11: party.name: a natural person is published masked, as 张某某 (got "张三丰")`},
		{"credit code for a natural person", "  name: 云泽市湖畔餐饮管理有限公司\n  type: 法人\n  credit_code: 91519900MA6C0A1B2X\n  representative: 韩立新\n",
			"  name: 张某某\n  type: 自然人\n  credit_code: 519900198506123416\n", `:13: party.credit_code: a natural person has no credit code to publish`},
		{"identity number as credit code", "credit_code: 91519900MA6C0A1B2X", "credit_code: 519900198506123416",
			`:13: party.credit_code: this is an identity card number, which is never published`},
		{"bad credit code", "credit_code: 91519900MA6C0A1B2X", "credit_code: 91519900MA6C0A1B2Y",
			`:13: party.credit_code: "91519900MA6C0A1B2Y" is not a unified social credit code`},
		{"identity number in the reason", "reason: 使用超过保质期的淡奶油加工甜品。", "reason: 当事人韩立新（身份证号519900198506123416）使用过期原料。",
			`:15: reason: contains an identity card number (519900************); it is never published`},
		{"identity number in the body", "处罚决定正文。", "处罚决定正文。\n\n当事人身份证号码：519900 19850612 3416。",
			`:25: body: contains an identity card number (519900************)`},
		{"unmasked operator of a 个体工商户", "  name: 云泽市湖畔餐饮管理有限公司\n  type: 法人\n  credit_code: 91519900MA6C0A1B2X\n  representative: 韩立新\n",
			"  name: 老王烧烤店\n  type: 个体工商户\n  credit_code: 92519900MA6C2D3E4L\n  representative: 王大明\n", `:14: party.representative: the operator (经营者) of a 个体工商户 is published masked, as 王某某`},
		{"个体工商户 under the operator's name", "  name: 云泽市湖畔餐饮管理有限公司\n  type: 法人\n  credit_code: 91519900MA6C0A1B2X\n  representative: 韩立新\n",
			"  name: 王大明\n  type: 个体工商户\n  credit_code: 92519900MA6C2D3E4L\n", `:11: party.name: a 个体工商户 without a trade name is published by the operator's masked name, as 王某某`},
		{"penalty without a display period", "display_until: 2027-09-08\n", "", `:1: display_until: required for 行政处罚`},
		{"display period too long", "display_until: 2027-09-08", "display_until: 2030-09-08", `:20: display_until: warning: 2030-09-08 is more than 3 years after the decision`},
		{"unknown type", "type: 行政处罚", "type: 行政强制", `:8: type: want one of 行政许可, 行政处罚, got "行政强制"`},
		{"two agencies", "agencies: [scjgj]", "agencies: [scjgj, sthjj]", `:6: agencies: a decision has one deciding agency`},
		{"number with 第 is accepted", "doc_no: 云市监处罚〔2026〕15号", "doc_no: 云市监处罚〔2026〕第15号", ""},
		{"bad number", "doc_no: 云市监处罚〔2026〕15号", "doc_no: 云市监处罚[2026]15号", `:9: doc_no: write the year in 〔〕 brackets`},
		{"published before decided", "decided: 2026-09-08", "decided: 2026-09-12", `:7: date_published: 2026-09-11 is before the decision date 2026-09-12`},
		{"published late", "date_published: 2026-09-11", "date_published: 2026-10-20", `:7: date_published: warning: published 26 working days after the decision; the rule is within 7`},
		{"fine on a licence", "type: 行政处罚", "type: 行政许可", `:18: fine: a licensing decision has no fine`},
		{"revoked in the future", "display_until: 2027-09-08\n", "display_until: 2027-09-08\nrevoked: {status: 撤销, date: 2026-12-20, reason: 复议撤销}\n",
			`:21: revoked.date: 2026-12-20 is after the build date 2026-11-27`},
		{"revocation without a reason", "display_until: 2027-09-08\n", "display_until: 2027-09-08\nrevoked: {status: 撤回, date: 2026-10-20}\n",
			`:21: revoked.status: want one of 撤销, 变更, 确认违法, 确认无效, got "撤回"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if !strings.Contains(penaltySrc, tc.from) {
				t.Fatalf("the example has no %q", tc.from)
			}
			src := strings.Replace(penaltySrc, tc.from, tc.to, 1)
			_, probs := checkEntry(t, "content/decisions/x.md", src, &Decision{}, decisionDate)
			if tc.want == "" {
				if len(probs) > 0 {
					t.Fatalf("unexpected problems:\n%v", probs)
				}
				return
			}
			var got []string
			for _, p := range probs {
				got = append(got, strings.TrimPrefix(p.Error(), "content/decisions/x.md"))
			}
			found := false
			for _, g := range got {
				found = found || strings.HasPrefix(g, tc.want)
			}
			if !found {
				t.Errorf("want a problem starting %q, got:\n%s", tc.want, strings.Join(got, "\n"))
			}
		})
	}
}

func TestDecisionExpiry(t *testing.T) {
	for _, tc := range []struct {
		name, from, to string
		date           time.Time
		withheld       bool
		why            string
	}{
		{"on display", "", "", decisionDate, false, ""},
		{"last day of display", "", "", time.Date(2027, 9, 8, 0, 0, 0, 0, China), false, ""},
		{"display period over", "", "", time.Date(2027, 9, 9, 0, 0, 0, 0, China), true, "display period ended on 2027-09-08"},
		{"revoked", "display_until: 2027-09-08\n", "display_until: 2027-09-08\nrevoked: {status: 撤销, date: 2026-10-15, reason: 行政复议决定撤销}\n",
			decisionDate, true, "撤销 on 2026-10-15"},
		{"changed", "display_until: 2027-09-08\n", "display_until: 2027-09-08\nrevoked: {status: 变更, date: 2026-11-27, reason: 复议变更罚款数额}\n",
			decisionDate, true, "变更 on 2026-11-27"},
		{"licence shown while valid", "type: 行政处罚\n", "type: 行政许可\n", time.Date(2030, 1, 1, 0, 0, 0, 0, China), true, "display period ended on 2027-09-08"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(penaltySrc, tc.from, tc.to, 1)
			if tc.to == "type: 行政许可\n" {
				src = strings.Replace(src, "fine: 5\n", "", 1)
			}
			r, _ := checkEntry(t, "content/decisions/x.md", src, &Decision{}, tc.date)
			d := r.Entry.(*Decision)
			if r.Withheld != tc.withheld || d.Expired != tc.why {
				t.Errorf("Withheld = %v, Expired = %q; want %v, %q", r.Withheld, d.Expired, tc.withheld, tc.why)
			}
		})
	}
	// A licence without a display period stays while it is valid, and
	// without either it stays.
	src := strings.NewReplacer("type: 行政处罚", "type: 行政许可", "fine: 5\n", "", "display_until: 2027-09-08\n", "valid_from: 2026-09-08\nvalid_until: 2028-09-07\n").Replace(penaltySrc)
	for date, want := range map[time.Time]bool{decisionDate: false, time.Date(2028, 9, 8, 0, 0, 0, 0, China): true} {
		r, probs := checkEntry(t, "content/decisions/x.md", src, &Decision{}, date)
		if len(probs) > 0 {
			t.Fatalf("licence: %v", probs)
		}
		if r.Withheld != want {
			t.Errorf("licence valid until 2028-09-07 on %s: Withheld = %v, want %v", date.Format("2006-01-02"), r.Withheld, want)
		}
	}
}
