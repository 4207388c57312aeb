package generator

import (
	"strings"
	"testing"
)

const agencySrc = `---
disclosure: 主动公开
name: 云泽市发展和改革委员会
org_code: 11519900MB1500103C
date_published: 2026-01-08
address: 云泽市云湖区政通路1号
hours: 工作日 上午9:00—12:00
phone: 0899-62001234
email: fgw@yunze.gov.cn
website: https://fgw.yunze.gov.cn/
leaders:
  - {name: 周建国, post: 主任, duties: 主持全面工作。}
departments:
  - {name: 办公室, duties: 机关日常运转。}
---

负责全市经济社会发展的综合研究和宏观调控。
`

func TestAgencyProfile(t *testing.T) {
	a := &AgencyProfile{}
	r, probs := checkEntry(t, "content/agencies/fgw.md", agencySrc, a, decisionDate)
	if len(probs) > 0 {
		t.Fatalf("problems:\n%v", probs)
	}
	a.Derive(r)
	if a.Title != a.Name || a.Slug != "fgw" || len(a.Agencies) != 1 || a.Agencies[0] != "fgw" {
		t.Errorf("fill: title %q, slug %q, agencies %v", a.Title, a.Slug, a.Agencies)
	}
	ag := a.agency(r)
	if ag.Code != "fgw" || ag.Phone != "0899-62001234" || ag.OrgCode != "11519900MB1500103C" {
		t.Errorf("agency = %+v", ag)
	}
	for _, tc := range []struct{ name, from, to, want string }{
		{"no phone", "phone: 0899-62001234\n", "", "phone: required (联系电话)"},
		{"no address", "address: 云泽市云湖区政通路1号\n", "", "address: required (办公地址)"},
		{"no leaders", "leaders:\n  - {name: 周建国, post: 主任, duties: 主持全面工作。}\n", "", "leaders: required (负责人)"},
		{"leader without post", "post: 主任, ", "", "leaders[0].post: required (职务)"},
		{"no departments", "departments:\n  - {name: 办公室, duties: 机关日常运转。}\n", "", "departments: warning: no internal departments"},
		{"no functions", "负责全市经济社会发展的综合研究和宏观调控。\n", "", "the agency's functions (职能) are required"},
		{"bad website", "https://fgw.yunze.gov.cn/", "fgw.yunze.gov.cn", "website: want an absolute http(s) URL"},
		{"code differs", "name: 云泽", "code: czj\nname: 云泽", `code: "czj" differs from the file name "fgw"`},
		{"title given", "name: 云泽", "title: 发改委\nname: 云泽", "title: an agency's title is its name"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(agencySrc, tc.from, tc.to, 1)
			_, probs := checkEntry(t, "content/agencies/fgw.md", src, &AgencyProfile{}, decisionDate)
			if !strings.Contains(probText(probs), tc.want) {
				t.Errorf("want a problem containing %q, got:\n%v", tc.want, probs)
			}
		})
	}
}

const infoSrc = `---
disclosure: 主动公开
index_no: 11519900MB1500204D/2026-01111
title: 云泽市2026年市级预算
summary: 2026年市级预算。
agencies: [czj]
date_published: 2026-02-10
category: caizheng
doc_no: 无
deadline: 2026-03-10
valid_until: 2026-12-31
---

正文。
`

func TestInfo(t *testing.T) {
	var dprobs Problems
	d := defaultDirectory(testFacets, &dprobs)
	in := &Info{}
	_, probs := checkEntry(t, "content/info/x.md", infoSrc, in, decisionDate)
	if len(probs) > 0 {
		t.Fatalf("problems:\n%v", probs)
	}
	if in.DocNumber() != "" {
		t.Errorf("DocNumber() = %q for 无", in.DocNumber())
	}
	if !in.Closed(decisionDate) || in.Lapsed(decisionDate) {
		t.Errorf("on 2026-11-27: Closed = %v (deadline 03-10), Lapsed = %v (valid until 12-31)", in.Closed(decisionDate), in.Lapsed(decisionDate))
	}
	for _, tc := range []struct{ name, category, want string }{
		{"known", "caizheng", ""},
		{"nested", "minsheng/jiaoyu", ""},
		{"unknown", "caizhen", `unknown category "caizhen"`},
		{"served by a kind", "fagui/guizhang", "is served by policy records, not info records"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := strings.Replace(infoSrc, "category: caizheng", "category: "+tc.category, 1)
			in := &Info{}
			r, probs := checkEntry(t, "content/info/x.md", src, in, decisionDate)
			c := &Checker{Date: decisionDate, rec: r, probs: &probs}
			in.checkCategory(c, d)
			switch {
			case tc.want == "" && len(probs) > 0:
				t.Errorf("problems:\n%v", probs)
			case tc.want == "" && (in.Cat == nil || in.Cat.Key != tc.category):
				t.Errorf("Cat = %v, want %s", in.Cat, tc.category)
			case tc.want != "" && !strings.Contains(probText(probs), tc.want):
				t.Errorf("want a problem containing %q, got:\n%v", tc.want, probs)
			}
		})
	}
	for from, want := range map[string]string{
		"doc_no: 无":            "",
		"doc_no: 国务院令第711号":    "",
		"doc_no: 云财[2026]3号":   "doc_no: write the year in 〔〕 brackets",
		"deadline: 2026-03-10": "",
		"deadline: 2026-01-10": "deadline: 2026-01-10 is before date_published",
	} {
		src := strings.Replace(infoSrc, "deadline: 2026-03-10", from, 1)
		if strings.HasPrefix(from, "doc_no") {
			src = strings.Replace(infoSrc, "doc_no: 无", from, 1)
		}
		_, probs := checkEntry(t, "content/info/x.md", src, &Info{}, decisionDate)
		if (want == "") != (len(probs) == 0) || !strings.Contains(probText(probs), want) {
			t.Errorf("%s: want %q, got %v", from, want, probs)
		}
	}
}

// probText joins problems one per line, as check prints them.
func probText(ps Problems) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Error())
		b.WriteByte('\n')
	}
	return b.String()
}
