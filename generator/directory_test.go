package generator

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// testFacets are the facets the directory may name, per kind.
func testFacets(kind string) ([]string, bool) {
	switch kind {
	case "policy":
		return []string{"agency", "doc_type", "topic"}, true
	case "decision":
		return []string{"agency", "type"}, true
	case "agency", "interpretation", "approval", "fee", "notice", "release", "channel", "handling", "report", "info", "page":
		return []string{"agency"}, true
	}
	return nil, false
}

func TestDefaultDirectory(t *testing.T) {
	var probs Problems
	d := defaultDirectory(testFacets, &probs)
	d.checkCoverage(Pos{"content/site.yaml", 1}, &probs)
	if len(probs) > 0 {
		t.Fatalf("default directory has problems:\n%v", probs)
	}
	if !d.Default {
		t.Error("Default = false")
	}
	var top []string
	for _, c := range d.Roots {
		top = append(top, c.Name)
	}
	want := []string{"机构职能", "法规文件", "规划信息", "统计信息", "行政许可和政务服务", "行政处罚和行政强制", "财政预算决算",
		"行政事业性收费", "政府集中采购", "重大建设项目", "民生保障", "突发公共事件应对", "监督检查", "公务员招考", "其他法定公开信息", "市县重点领域信息"}
	if !slices.Equal(top, want) {
		t.Errorf("top-level categories = %q\nwant %q", top, want)
	}
	// Art. 20 items in order: the first category of each item comes after
	// the previous item's, except 机构职能, which practice puts first.
	g := d.Find("fagui/guizhang")
	if g == nil || g.Kind != "policy" || g.Match["doc_type"] != "规章" || g.Title() != "法规文件：规章" || g.URL() != "/directory/fagui/guizhang/" {
		t.Errorf("fagui/guizhang = %+v", g)
	}
	if d.Find("qita/xinfang/banli") == nil || d.Find("qita/xinfang/banli").Depth != 2 {
		t.Error("qita/xinfang/banli missing or at the wrong depth")
	}
}

func TestBasisText(t *testing.T) {
	for in, want := range map[string]string{"20.1": "第二十条第（一）项", "20.10": "第二十条第（十）项", "20.14": "第二十条第（十四）项", "21": "第二十一条", "x": "x"} {
		if got := basisText(in); got != want {
			t.Errorf("basisText(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestResolveDirectoryErrors(t *testing.T) {
	nodes := []CategoryNode{
		{Code: "a", Name: "甲", Serve: map[string]string{"kind": "policy", "doc_type": "规章", "colour": "red"}},
		{Code: "a", Name: "乙"},
		{Code: "B", Name: ""},
		{Code: "c", Name: "丙", Basis: "20.99", Serve: map[string]string{"kind": "nosuch"}},
		{Code: "d", Name: "丁", Empty: &EmptyStatement{Date: "2026-13-01"}},
		{Code: "year", Name: "年份"},
	}
	var probs Problems
	resolveDirectory(nodes, "directory", func(f string) Pos { return Pos{"content/site.yaml", 1} }, testFacets, &probs)
	var got []string
	for _, p := range probs {
		got = append(got, p.Field+": "+p.Msg)
	}
	for _, want := range []string{
		`directory[0].serve.colour: kind policy has no facet "colour"`,
		`directory[1].code: duplicate code "a"`,
		`directory[2].code: want lower-case letters`,
		`directory[2].name: required`,
		`directory[3].basis: want an item of 条例 art. 20 or 21`,
		`directory[3].serve.kind: unknown kind "nosuch"`,
		`directory[4].empty.reason: required`,
		`directory[4].empty.date: want a date`,
		`directory[5].code: "year" is reserved for the filtered lists of a category`,
	} {
		if !slices.ContainsFunc(got, func(g string) bool { return strings.HasPrefix(g, want) }) {
			t.Errorf("no problem %q in:\n%s", want, strings.Join(got, "\n"))
		}
	}
	var cov Problems
	(&Directory{}).checkCoverage(Pos{"content/site.yaml", 3}, &cov)
	if len(cov) != requiredBasis || !strings.Contains(cov[2].Msg, "第二十条第（三）项") {
		t.Errorf("coverage of an empty directory: %d warnings, want %d naming each item:\n%v", len(cov), requiredBasis, cov)
	}
}

func TestDirectoryAssign(t *testing.T) {
	var probs Problems
	d := defaultDirectory(testFacets, &probs)
	day := func(s string) time.Time { t, _ := time.ParseInLocation("2006-01-02", s, China); return t }
	kind := map[string]*Kind{}
	rec := func(k, key, date string) *Record {
		if kind[k] == nil {
			kind[k] = &Kind{Name: k}
		}
		return &Record{Kind: kind[k], Key: key, Entry: &PlainPage{Header: Header{Published: day(date)}}}
	}
	rule := rec("policy", "rule", "2026-01-02")
	normative := rec("policy", "norm", "2026-01-03")
	plan := rec("info", "plan", "2026-01-04")
	penalty := rec("decision", "pen", "2026-01-05")
	stray := rec("info", "stray", "2026-01-06")
	facets := map[*Record]map[string][]string{
		rule: {"doc_type": {"规章"}}, normative: {"doc_type": {"规范性文件"}}, penalty: {"type": {"行政处罚"}},
	}
	cats := map[*Record]string{plan: "guihua", stray: "nosuch"}
	primary := d.assign([]*Record{rule, normative, plan, penalty, stray},
		func(r *Record, name string) []string { return facets[r][name] },
		func(r *Record) string { return cats[r] })
	for r, want := range map[*Record]string{rule: "fagui/guizhang", normative: "fagui/guifanxing", plan: "guihua", penalty: "zhifa/chufa"} {
		if c := primary[r]; c == nil || c.Key != want {
			t.Errorf("primary[%s] = %v, want %s", r.Key, c, want)
		}
	}
	if primary[stray] != nil {
		t.Errorf("a record naming no category got %v", primary[stray])
	}
	if f := d.Find("fagui"); len(f.Records) != 2 || f.Records[0] != normative || len(f.Own) != 0 {
		t.Errorf("fagui records = %d (own %d), want the two policies newest first", len(f.Records), len(f.Own))
	}
	d.Find("tongji").Empty = &EmptyStatement{Statement: DefaultEmptyStatement, Reason: "x", Date: "2026-01-01"}
	d.Find("guihua").Empty = &EmptyStatement{Statement: DefaultEmptyStatement, Reason: "x", Date: "2026-01-01"}
	d.Find("minsheng").Empty = &EmptyStatement{Statement: DefaultEmptyStatement, Reason: "x", Date: "2026-01-01"}
	var empty Problems
	d.checkEmpty(&empty)
	msgs := ""
	for _, p := range empty {
		msgs += p.Msg + "\n"
	}
	for _, want := range []string{"category jigou (机构职能) has no published records", "category guihua (规划信息) has 1 published records but says 本机关无此类信息"} {
		if !strings.Contains(msgs, want) {
			t.Errorf("no warning %q in:\n%s", want, msgs)
		}
	}
	for _, not := range []string{"category tongji ", "category minsheng/jiaoyu ", "category fagui/guizhang "} {
		if strings.Contains(msgs, not) {
			t.Errorf("unexpected warning about %q in:\n%s", not, msgs)
		}
	}
}
