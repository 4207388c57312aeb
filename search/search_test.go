package search

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

func day(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, shanghai) }

// buildIndex builds docs into a temporary directory and opens the index.
func buildIndex(t testing.TB, docs []Doc) *Index {
	t.Helper()
	return buildIndexWith(t, docs, BuildOptions{})
}

func buildIndexWith(t testing.TB, docs []Doc, opts BuildOptions) *Index {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "ix")
	if _, err := Build(context.Background(), dir, "", docs, opts); err != nil {
		t.Fatalf("Build: %v", err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { ix.Close() })
	return ix
}

func mustSearch(t testing.TB, ix *Index, q Query) *Response {
	t.Helper()
	resp, err := ix.Search(context.Background(), q)
	if err != nil {
		t.Fatalf("Search(%q): %v", q.String(), err)
	}
	return resp
}

func ids(resp *Response) []string {
	out := []string{}
	for _, r := range resp.Results {
		out = append(out, r.ID)
	}
	return out
}

// sampleDocs is a small portal: policies of several validities, an
// interpretation, a service guide and a page.
func sampleDocs() []Doc {
	return []Doc{
		{ID: "/policy/cwf-2003-38.html", Kind: "policy", Title: "成都市土地征收管理办法", DocNo: "成委发〔2003〕38号",
			IndexNo: "11510100MB1234567X/2003-00038", Agencies: []string{"中共成都市委", "成都市人民政府"},
			Topic: "城乡建设/土地管理", Validity: "有效", Date: day(2003, 5, 20), Hash: "a",
			Summary: "规范土地征收程序，保障被征地农民合法权益。",
			Body:    "第一条　为了规范土地征收工作，保障被征地农民的合法权益，制定本办法。\n第二条　本办法适用于本市行政区域内的土地征收。"},
		{ID: "/policy/crf-2024-12.html", Kind: "policy", Title: "成都市人民政府关于实施一段简单措施的通知", DocNo: "蓉府发〔2024〕12号",
			Agencies: []string{"成都市人民政府"}, Topic: "综合政务/政务公开", Validity: "有效", Date: day(2024, 3, 1), Hash: "b",
			Body: "这是一段简单的文字。ＡＢＣ１２３的测试。依据成委发(2003)38号文件执行。"},
		{ID: "/policy/old-1.html", Kind: "policy", Title: "关于征收管理的旧规定", DocNo: "成府发〔1999〕7号",
			Agencies: []string{"成都市人民政府"}, Topic: "城乡建设/土地管理", Validity: "废止", Date: day(1999, 1, 5), Hash: "c",
			Body: "土地的征收按照下列规定办理。征收土地应当公告。"},
		{ID: "/interpretation/jd-1.html", Kind: "interpretation", Title: "《成都市土地征收管理办法》政策解读",
			Agencies: []string{"成都市规划和自然资源局"}, Topic: "城乡建设/土地管理", Date: day(2003, 6, 1), Hash: "d",
			Body: "一、起草背景。土地征收管理办法的出台，规范了征收程序。"},
		{ID: "/approval/tdz.html", Kind: "approval", Title: "建设用地规划许可证核发", Agencies: []string{"成都市规划和自然资源局"},
			Topic: "城乡建设", Date: time.Date(2023, 12, 31, 20, 0, 0, 0, time.UTC), Hash: "e",
			Body: "办理时限：20个工作日。收费标准：不收费。咨询电话：028-12345678。", Keywords: []string{"规划许可"}},
		{ID: "/page/guide.html", Kind: "page", Title: "政府信息公开指南", Date: day(2024, 1, 2), Hash: "f",
			Body: "本指南说明申请公开政府信息的方式。办公地址：成都市高新区。Open Government Data开放数据。"},
	}
}

func TestSubstringsFindDocument(t *testing.T) {
	docs := sampleDocs()
	ix := buildIndex(t, docs)
	o := newOracle(docs)
	// Every substring of two or more CJK characters of every text finds the
	// document, and the total is exactly the number of documents containing it.
	for _, d := range docs {
		for _, text := range []string{d.Title, d.Body} {
			for _, run := range cjkRuns(text) {
				for i := 0; i < len(run); i++ {
					for j := i + 2; j <= len(run); j++ {
						q := ParseQuery(string(run[i:j]))
						resp := mustSearch(t, ix, QueryWithSize(q, MaxPageSize))
						if !slices.Contains(ids(resp), d.ID) {
							t.Errorf("Search(%q) = %v, want it to contain %s", string(run[i:j]), ids(resp), d.ID)
						}
						if want := o.count(q); resp.Total != want {
							t.Errorf("Search(%q).Total = %d, want %d", string(run[i:j]), resp.Total, want)
						}
					}
				}
			}
		}
	}
}

// QueryWithSize returns q with the given page size.
func QueryWithSize(q Query, n int) Query {
	q.PageSize = n
	return q
}

func cjkRuns(s string) [][]rune {
	var runs [][]rune
	var cur []rune
	for _, r := range s {
		if isCJK(foldRune(r)) {
			cur = append(cur, r)
			continue
		}
		if len(cur) > 0 {
			runs = append(runs, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		runs = append(runs, cur)
	}
	return runs
}

func TestSearchCases(t *testing.T) {
	ix := buildIndex(t, sampleDocs())
	tests := []struct {
		name  string
		query string
		want  []string // result IDs in order
	}{
		{"two characters inside a word", "段简", []string{"/policy/crf-2024-12.html"}},
		{"single character", "旧", []string{"/policy/old-1.html"}},
		{"single character counted in text", "许", []string{"/approval/tdz.html"}},
		{"full-width query finds half-width text", "ｏｐｅｎ　ｇｏｖｅｒｎｍｅｎｔ", []string{"/page/guide.html"}},
		{"half-width query finds full-width text", "abc123", []string{"/policy/crf-2024-12.html"}},
		{"mixed Chinese and digits", "１２３的测试", []string{"/policy/crf-2024-12.html"}},
		{"mixed Latin and Chinese", "Data开放", []string{"/page/guide.html"}},
		{"digits must be whole numbers", "2345", nil},
		{"phone number", "028-12345678", []string{"/approval/tdz.html"}},
		{"quoted phrase", `"征收土地应当"`, []string{"/policy/old-1.html"}},
		{"quoted phrase ignores spaces between Chinese", `"征收 土地"`, []string{"/policy/old-1.html"}},
		{"quoted Latin phrase", `"government data"`, []string{"/page/guide.html"}},
		{"quoted Latin phrase keeps word order", `"data government"`, nil},
		{"exclusion", "征收 -旧规定 -解读", []string{"/policy/cwf-2003-38.html"}},
		{"exclusion of a single character", "土地征收 -解", []string{"/policy/cwf-2003-38.html"}},
		{"exclusion only lists the rest, newest first", "-征收 -土地 -规划 -许可", []string{"/policy/crf-2024-12.html", "/page/guide.html"}},
		{"keyword", "规划许可", []string{"/approval/tdz.html"}},
		{"agency name", "规划和自然资源局", []string{"/approval/tdz.html", "/interpretation/jd-1.html"}},
		{"index number", "11510100MB1234567X/2003-00038", []string{"/policy/cwf-2003-38.html"}},
		{"url slug", "crf-2024-12", []string{"/policy/crf-2024-12.html"}},
		{"document number in brackets", "成委发〔2003〕38号", []string{"/policy/cwf-2003-38.html", "/policy/crf-2024-12.html"}},
		{"document number with square brackets", "成委发[2003]38号", []string{"/policy/cwf-2003-38.html", "/policy/crf-2024-12.html"}},
		{"document number with full-width square brackets", "成委发［2003］38号", []string{"/policy/cwf-2003-38.html", "/policy/crf-2024-12.html"}},
		{"document number with parentheses", "成委发(2003)38号", []string{"/policy/cwf-2003-38.html", "/policy/crf-2024-12.html"}},
		{"document number with year character", "成委发2003年38号", []string{"/policy/cwf-2003-38.html", "/policy/crf-2024-12.html"}},
		{"document number with 第", "成委发〔2003〕第38号", []string{"/policy/cwf-2003-38.html", "/policy/crf-2024-12.html"}},
		{"document number of another number", "成委发〔2003〕3号", nil},
		{"document number by agency code", "成委发", []string{"/policy/cwf-2003-38.html", "/policy/crf-2024-12.html"}},
		{"document number by year and number", "成委发 2003 38", []string{"/policy/cwf-2003-38.html", "/policy/crf-2024-12.html"}},
		{"no match", "火星殖民", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := mustSearch(t, ix, ParseQuery(tt.query))
			got := ids(resp)
			if resp.Partial {
				got = []string{"(partial)"}
			}
			if diff := cmp.Diff(tt.want, got, cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("Search(%q) IDs (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestRanking(t *testing.T) {
	filler := strings.Repeat("各部门要认真贯彻落实。", 20)
	docs := []Doc{
		// Exact title match, short.
		{ID: "/a/title-exact/", Kind: "policy", Title: "耕地保护办法", Body: filler + "本办法自发布之日起施行。", Validity: "有效", Date: day(2020, 1, 1)},
		// The phrase many times in the body.
		{ID: "/a/body-many/", Kind: "policy", Title: "关于加强管理的通知", Body: strings.Repeat("耕地保护办法的要求。", 8), Validity: "有效", Date: day(2021, 1, 1)},
		// The words apart, many times.
		{ID: "/a/apart/", Kind: "policy", Title: "耕地和森林", Body: strings.Repeat("耕地面积保持稳定，保护森林，按办法执行。", 10), Validity: "有效", Date: day(2022, 1, 1)},
		// The same text in force, amended and repealed.
		{ID: "/b/repealed/", Kind: "policy", Title: "养老服务补贴规定", Body: "发放养老服务补贴。", Validity: "废止", Date: day(2023, 1, 1)},
		{ID: "/b/in-force/", Kind: "policy", Title: "养老服务补贴规定", Body: "发放养老服务补贴。", Validity: "有效", Date: day(2019, 1, 1)},
		{ID: "/b/amended/", Kind: "policy", Title: "养老服务补贴规定", Body: "发放养老服务补贴。", Validity: "已修改", Date: day(2024, 1, 1)},
		// Titles holding the query: the one it makes up most of first, and
		// documents no longer in force after those in force.
		{ID: "/d/release/", Kind: "release", Title: "《河道保洁管理办法》新闻发布会", Body: strings.Repeat("河道保洁管理办法发布。", 6), Date: day(2024, 2, 1)},
		{ID: "/d/policy/", Kind: "policy", Title: "某市河道保洁管理办法", Body: "规范河道保洁。", Validity: "有效", Date: day(2024, 1, 1)},
		{ID: "/d/expired/", Kind: "policy", Title: "河道保洁管理办法", Body: strings.Repeat("河道保洁管理办法。", 6), Validity: "失效", Date: day(2015, 1, 1)},
		// A word mixing digits and Chinese: whole first, then the pieces apart.
		{ID: "/e/apart/", Kind: "channel", Title: "12345政务服务便民热线", Body: "拨打12345。", Date: day(2020, 1, 1)},
		{ID: "/e/whole/", Kind: "notice", Title: "通知", Body: "请拨打12345热线咨询。", Date: day(2020, 1, 1)},
		// Document numbers: the document itself, and one that cites it.
		{ID: "/c/cites/", Kind: "policy", Title: "关于执行川府发〔2019〕5号文件的通知", Body: strings.Repeat("按照川府发〔2019〕5号执行。", 5), Date: day(2020, 1, 1)},
		{ID: "/c/itself/", Kind: "policy", Title: "四川省某某办法", DocNo: "川府发〔2019〕5号", Body: filler, Date: day(2019, 1, 1)},
	}
	ix := buildIndex(t, docs)
	tests := []struct {
		name  string
		query string
		want  []string // expected leading result IDs
	}{
		{"exact title first", "耕地保护办法", []string{"/a/title-exact/", "/a/body-many/"}},
		{"whole phrase above words apart", "耕地 保护", []string{"/a/title-exact/", "/a/body-many/", "/a/apart/"}},
		{"in force above amended above repealed on a tie", "养老服务补贴", []string{"/b/in-force/", "/b/amended/", "/b/repealed/"}},
		{"document number first", "川府发[2019]5号", []string{"/c/itself/", "/c/cites/"}},
		{"exact title, then titles the query makes up more of, expired last", "河道保洁管理办法",
			[]string{"/d/expired/", "/d/policy/", "/d/release/"}},
		{"title holding the query, in force before expired", "河道保洁管理",
			[]string{"/d/policy/", "/d/release/", "/d/expired/"}},
		{"mixed word: in the title in pieces, then whole", "12345热线", []string{"/e/apart/", "/e/whole/"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := mustSearch(t, ix, ParseQuery(tt.query))
			got := ids(resp)
			if len(got) > len(tt.want) {
				got = got[:len(tt.want)]
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("Search(%q) leading IDs (-want +got):\n%s", tt.query, diff)
			}
		})
	}
}

func TestPartialMatches(t *testing.T) {
	ix := buildIndex(t, []Doc{
		{ID: "/x/1/", Title: "公共服务", Body: "本市提升公共文化服务水平。"},
		{ID: "/x/2/", Title: "其他", Body: "一段文字很简单。"},
	})
	// No document holds 公共服务 in one piece, but one holds 公共 and 服务.
	resp := mustSearch(t, ix, ParseQuery("公共服务水平"))
	if !resp.Partial || !slices.Equal(ids(resp), []string{"/x/1/"}) {
		t.Errorf("Search(公共服务水平) = %v (partial %v), want [/x/1/] as a partial match", ids(resp), resp.Partial)
	}
	if !hasMessage(resp, MsgPartial) {
		t.Errorf("Search(公共服务水平).Messages = %v, want %s", resp.Messages, MsgPartial)
	}
	// Characters that only occur apart are not a match for a two-character query.
	resp = mustSearch(t, ix, ParseQuery("段简"))
	if resp.Total != 0 {
		t.Errorf("Search(段简) = %v, want none", ids(resp))
	}
	// A quoted phrase never falls back.
	resp = mustSearch(t, ix, ParseQuery(`"公共服务水平"`))
	if resp.Total != 0 || resp.Partial {
		t.Errorf(`Search("公共服务水平") = %v (partial %v), want none`, ids(resp), resp.Partial)
	}
}

func hasMessage(resp *Response, code string) bool {
	return slices.ContainsFunc(resp.Messages, func(m Message) bool { return m.Code == code })
}

func TestOnlyGivenDocumentsAreIndexed(t *testing.T) {
	const marker = "绝密标记甲乙丙"
	published := sampleDocs()
	withheld := Doc{ID: "/policy/withheld.html", Kind: "policy", Title: "内部文件", Body: "含有" + marker + "的内容。", Hash: "w"}
	all := append(slices.Clone(published), withheld)

	// The same marker is findable when the record is passed, which shows the
	// search below would find it if it had been indexed.
	if resp := mustSearch(t, buildIndex(t, all), ParseQuery(marker)); resp.Total != 1 {
		t.Fatalf("with the record: Search(%s).Total = %d, want 1", marker, resp.Total)
	}

	dir := filepath.Join(t.TempDir(), "ix")
	if _, err := Build(t.Context(), dir, "", published, BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	for _, q := range []string{marker, "绝密", "标记甲", "内部文件", "withheld"} {
		if resp := mustSearch(t, ix, ParseQuery(q)); resp.Total != 0 {
			t.Errorf("Search(%s) = %v, want nothing from the withheld record", q, ids(resp))
		}
	}
	// No file of the index holds any trace of the record.
	var utf16le []byte
	for _, u := range utf16.Encode([]rune("绝密")) {
		utf16le = append(utf16le, byte(u), byte(u>>8))
	}
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, needle := range [][]byte{[]byte("绝密"), utf16le, []byte("/policy/withheld.html")} {
			if bytes.Contains(b, needle) {
				t.Errorf("%s contains %q of the withheld record", path, needle)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestFacetsAndFilters(t *testing.T) {
	ix := buildIndex(t, sampleDocs())
	facetCounts := func(resp *Response) map[string]map[string]int {
		out := map[string]map[string]int{}
		for _, f := range resp.Facets {
			out[f.Name] = map[string]int{}
			for _, v := range f.Values {
				out[f.Name][v.Value] = v.Count
			}
		}
		return out
	}
	t.Run("counts", func(t *testing.T) {
		resp := mustSearch(t, ix, ParseQuery("成都市"))
		want := map[string]map[string]int{
			"kind":     {"policy": 3, "interpretation": 1, "approval": 1, "page": 1},
			"agency":   {"成都市人民政府": 3, "中共成都市委": 1, "成都市规划和自然资源局": 2},
			"topic":    {"城乡建设": 4, "综合政务": 1},
			"year":     {"1999": 1, "2003": 2, "2024": 3},
			"validity": {"有效": 2, "废止": 1},
		}
		if resp.Total != 6 {
			t.Fatalf("Search(成都市).Total = %d, want 6", resp.Total)
		}
		if diff := cmp.Diff(want, facetCounts(resp)); diff != "" {
			t.Errorf("facet counts (-want +got):\n%s", diff)
		}
	})
	t.Run("filter keeps counts of other values of its facet", func(t *testing.T) {
		q := ParseQuery("成都市")
		q.Filters.Kind = "policy"
		resp := mustSearch(t, ix, q)
		if resp.Total != 3 {
			t.Fatalf("Total = %d, want 3", resp.Total)
		}
		got := facetCounts(resp)
		if diff := cmp.Diff(map[string]int{"policy": 3, "interpretation": 1, "approval": 1, "page": 1}, got["kind"]); diff != "" {
			t.Errorf("kind counts with kind=policy (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(map[string]int{"1999": 1, "2003": 1, "2024": 1}, got["year"]); diff != "" {
			t.Errorf("year counts with kind=policy (-want +got):\n%s", diff)
		}
	})
	t.Run("topic filter selects sub-topics", func(t *testing.T) {
		q := ParseQuery("")
		q.Filters.Topic = "城乡建设"
		resp := mustSearch(t, ix, q)
		if resp.Total != 4 {
			t.Errorf("topic=城乡建设: Total = %d, want 4", resp.Total)
		}
		got := facetCounts(resp)["topic"]
		if diff := cmp.Diff(map[string]int{"城乡建设": 4, "综合政务": 1, "城乡建设/土地管理": 3}, got); diff != "" {
			t.Errorf("topic counts (-want +got):\n%s", diff)
		}
	})
	t.Run("year comes from the date in Shanghai", func(t *testing.T) {
		q := ParseQuery("year:2024 许可证")
		resp := mustSearch(t, ix, q)
		if !slices.Equal(ids(resp), []string{"/approval/tdz.html"}) {
			t.Errorf("year:2024 许可证 = %v, want [/approval/tdz.html] (dated 2023-12-31T20:00Z, 2024-01-01 in Shanghai)", ids(resp))
		}
	})
	t.Run("unknown filter value", func(t *testing.T) {
		q := ParseQuery("征收")
		q.Filters.Agency = "火星管理局"
		resp := mustSearch(t, ix, q)
		if resp.Total != 0 || !hasMessage(resp, MsgUnknownFilter) {
			t.Errorf("agency=火星管理局: Total = %d, messages %v; want 0 and %s", resp.Total, resp.Messages, MsgUnknownFilter)
		}
	})
	t.Run("no results suggests removing filters", func(t *testing.T) {
		q := ParseQuery("征收")
		q.Filters.Kind = "page"
		q.Filters.Year = "2024"
		resp := mustSearch(t, ix, q)
		if resp.Total != 0 {
			t.Fatalf("Total = %d, want 0", resp.Total)
		}
		var links []string
		for _, m := range resp.Messages {
			if m.Code == MsgNoResults {
				for _, l := range m.Links {
					links = append(links, l.URL)
				}
			}
		}
		want := []string{
			"/search?q=%E5%BE%81%E6%94%B6&year=2024",
			"/search?kind=page&q=%E5%BE%81%E6%94%B6",
			"/search?q=%E5%BE%81%E6%94%B6",
		}
		if diff := cmp.Diff(want, links); diff != "" {
			t.Errorf("no-results links (-want +got):\n%s", diff)
		}
	})
}

func TestPaging(t *testing.T) {
	var docs []Doc
	for i := range 25 {
		docs = append(docs, Doc{ID: fmt.Sprintf("/n/%02d/", i), Kind: "notice", Title: fmt.Sprintf("公告第%d期", i),
			Body: "公示内容。", Date: day(2024, 1, 1).AddDate(0, 0, i)})
	}
	ix := buildIndex(t, docs)
	tests := []struct {
		name      string
		page      int
		wantPage  int
		wantFirst string
		prev      bool
		next      bool
		message   bool
	}{
		{"first page", 1, 1, "/n/24/", false, true, false},
		{"middle page", 2, 2, "/n/14/", true, true, false},
		{"last page", 3, 3, "/n/04/", true, false, false},
		{"past the end shows the last page", 9, 3, "/n/04/", true, false, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			q := ParseQuery("公示")
			q.Sort = SortDate
			q.Page = tt.page
			resp := mustSearch(t, ix, q)
			if resp.Page != tt.wantPage || resp.Pages != 3 || resp.Total != 25 {
				t.Errorf("page %d: Page/Pages/Total = %d/%d/%d, want %d/3/25", tt.page, resp.Page, resp.Pages, resp.Total, tt.wantPage)
			}
			if resp.Results[0].ID != tt.wantFirst {
				t.Errorf("page %d: first result %s, want %s", tt.page, resp.Results[0].ID, tt.wantFirst)
			}
			if (resp.PrevURL != "") != tt.prev || (resp.NextURL != "") != tt.next {
				t.Errorf("page %d: prev %q next %q", tt.page, resp.PrevURL, resp.NextURL)
			}
			if hasMessage(resp, MsgPageRange) != tt.message {
				t.Errorf("page %d: messages %v", tt.page, resp.Messages)
			}
		})
	}
}

func TestSnippetHighlighting(t *testing.T) {
	ix := buildIndex(t, []Doc{{ID: "/s/1/", Title: "关于<b>标签</b>的说明", Summary: "摘要",
		Body: strings.Repeat("无关的开头文字。", 30) + "这里说明<script>alert(1)</script>标签的处理办法。" + strings.Repeat("无关的结尾。", 30)}})
	resp := mustSearch(t, ix, ParseQuery("标签 处理"))
	if resp.Total != 1 {
		t.Fatalf("Total = %d, want 1", resp.Total)
	}
	r := resp.Results[0]
	if want := "关于&lt;b&gt;<mark>标签</mark>&lt;/b&gt;的说明"; string(r.TitleHTML) != want {
		t.Errorf("TitleHTML = %s, want %s", r.TitleHTML, want)
	}
	s := string(r.Snippet)
	for _, want := range []string{"alert(1)&lt;/script&gt;<mark>标签</mark>的<mark>处理</mark>办法", "…"} {
		if !strings.Contains(s, want) {
			t.Errorf("Snippet = %s, want it to contain %s", s, want)
		}
	}
	if strings.Contains(s, "<script") || strings.Contains(s, "</script") {
		t.Errorf("Snippet = %s, not escaped", s)
	}
}

func TestEmptyIndex(t *testing.T) {
	ix := buildIndex(t, nil)
	resp := mustSearch(t, ix, ParseQuery("税收"))
	if resp.Total != 0 || !hasMessage(resp, MsgNoResults) {
		t.Errorf("empty index: Total %d, messages %v", resp.Total, resp.Messages)
	}
}

func TestBuildErrors(t *testing.T) {
	tmp := t.TempDir()
	existing := filepath.Join(tmp, "existing")
	if err := os.Mkdir(existing, 0o755); err != nil {
		t.Fatal(err)
	}
	canceled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name string
		ctx  context.Context
		dir  string
		docs []Doc
		want string
	}{
		{"directory exists", context.Background(), existing, nil, "index directory already exists"},
		{"duplicate ID", context.Background(), filepath.Join(tmp, "dup"), []Doc{{ID: "/a/"}, {ID: "/a/"}}, `duplicate document ID "/a/"`},
		{"empty ID", context.Background(), filepath.Join(tmp, "empty"), []Doc{{ID: "/a/"}, {Title: "x"}}, "document 1 has an empty ID"},
		{"canceled", canceled, filepath.Join(tmp, "canceled"), sampleDocs(), "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Build(tt.ctx, tt.dir, "", tt.docs, BuildOptions{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Build = %v, want error containing %q", err, tt.want)
			}
			if tt.name != "directory exists" {
				if _, err := os.Stat(tt.dir); !errors.Is(err, fs.ErrNotExist) {
					t.Errorf("Build left %s behind (stat: %v)", tt.dir, err)
				}
			}
		})
	}
	// Nothing but the existing directory is left in tmp: no temporary folders.
	entries, _ := os.ReadDir(tmp)
	if len(entries) != 1 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("left in %s: %v, want only existing", tmp, names)
	}
}

func TestIncrementalBuild(t *testing.T) {
	for _, shardSize := range []int{0, 1} {
		t.Run(fmt.Sprintf("shard size %d", shardSize), func(t *testing.T) {
			testIncrementalBuild(t, BuildOptions{ShardSize: shardSize})
		})
	}
}

func testIncrementalBuild(t *testing.T, opts BuildOptions) {
	tmp := t.TempDir()
	v1 := []Doc{
		{ID: "/d/same/", Title: "不变的文件", Body: "内容甲。", Hash: "1"},
		{ID: "/d/changed/", Title: "修改的文件", Body: "旧内容乙。", Hash: "1"},
		{ID: "/d/removed/", Title: "删除的文件", Body: "内容丙。", Hash: "1"},
	}
	v2 := []Doc{
		{ID: "/d/same/", Title: "不变的文件", Body: "内容甲。", Hash: "1"},
		{ID: "/d/changed/", Title: "修改的文件", Body: "新内容丁。", Hash: "2"},
		{ID: "/d/added/", Title: "新增的文件", Body: "内容戊。", Hash: "1"},
	}
	dir1, dir2 := filepath.Join(tmp, "v1"), filepath.Join(tmp, "v2")
	st1, err := Build(t.Context(), dir1, "", v1, opts)
	if err != nil {
		t.Fatal(err)
	}
	st, err := Build(t.Context(), dir2, dir1, v2, opts)
	if err != nil {
		t.Fatal(err)
	}
	st.Duration = 0
	if diff := cmp.Diff(BuildStats{Docs: 3, Shards: st1.Shards, Added: 1, Updated: 1, Deleted: 1, Reused: 1}, st); diff != "" {
		t.Errorf("incremental BuildStats (-want +got):\n%s", diff)
	}
	check := func(dir string, want map[string][]string) {
		t.Helper()
		ix, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		defer ix.Close()
		for q, w := range want {
			if got := ids(mustSearch(t, ix, ParseQuery(q))); !slices.Equal(got, w) {
				t.Errorf("%s: Search(%s) = %v, want %v", filepath.Base(dir), q, got, w)
			}
		}
	}
	check(dir2, map[string][]string{
		"内容甲": {"/d/same/"}, "新内容丁": {"/d/changed/"}, "内容戊": {"/d/added/"},
		"旧内容乙": {}, "内容丙": {}, "删除的文件": {},
	})
	// The previous index is untouched.
	check(dir1, map[string][]string{"旧内容乙": {"/d/changed/"}, "内容丙": {"/d/removed/"}, "内容戊": {}})

	// A previous index of another format version is ignored: all is rebuilt.
	if err := os.WriteFile(filepath.Join(dir1, metaFile), []byte(`{"format":"gongkai-search","version":0}`), 0o644); err != nil {
		t.Fatal(err)
	}
	st, err = Build(t.Context(), filepath.Join(tmp, "v3"), dir1, v2, opts)
	if err != nil {
		t.Fatal(err)
	}
	if st.Added != 3 || st.Reused != 0 {
		t.Errorf("with an incompatible previous index: %+v, want all added", st)
	}
	// A missing previous index is fine too.
	if _, err := Build(t.Context(), filepath.Join(tmp, "v4"), filepath.Join(tmp, "none"), v2, opts); err != nil {
		t.Errorf("Build with a missing previous index: %v", err)
	}
}

func TestTopHits(t *testing.T) {
	rng := newRand(7)
	for _, n := range []int{0, 1, 5, 40, 1000} {
		for _, k := range []int{0, 1, 3, 10, 2000} {
			for _, order := range []string{SortRelevance, SortDate} {
				hits := make([]hit, n)
				for i := range hits {
					hits[i] = hit{row: int32(i), tier: uint8(rng.IntN(4)), validity: uint8(rng.IntN(3)),
						skey: int64(rng.IntN(20)), date: int64(rng.IntN(50))}
				}
				want := slices.Clone(hits)
				slices.SortFunc(want, hitOrder(order))
				want = want[:min(k, n)]
				if got := topHits(hits, k, hitOrder(order)); !slices.Equal(got, want) {
					t.Errorf("topHits(n=%d, k=%d, %s) differs from sorting", n, k, order)
				}
			}
		}
	}
}
