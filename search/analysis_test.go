package search

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// The tables below are the reference a port of the analysis (the static
// client-side search) is compared against.

func TestFold(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"ＡＢＣ１２３", "abc123"},
		{"成委发〔2003〕38号", "成委发[2003]38号"},
		{"政府資訊公開", "政府资讯公开"},
		{"個人信息保護法", "个人信息保护法"},
		{"國務院令第七百一十一號", "国务院令第七百一十一号"},
		{"養老補貼", "养老补贴"},
		{"发展和改革委员会", "发展和改革委员会"}, // Simplified stays
		{"乾坤", "乾坤"},             // a GB 2312 character is Simplified text, never folded
		{"薴", "苎"},               // chains are followed: 薴 → 苧 → 苎
		{"\uF900", "岂"},          // a compatibility ideograph (豈) folds, then to Simplified
	} {
		if got := Fold(tc.in); got != tc.want {
			t.Errorf("Fold(%q) = %q, want %q", tc.in, got, tc.want)
		}
		if got := Fold(Fold(tc.in)); got != Fold(tc.in) {
			t.Errorf("Fold(Fold(%q)) = %q, want %q", tc.in, got, Fold(tc.in))
		}
		if n, m := len([]rune(tc.in)), len([]rune(Fold(tc.in))); n != m {
			t.Errorf("Fold(%q) has %d runes, want %d", tc.in, m, n)
		}
	}
}

func TestT2STable(t *testing.T) {
	rs := []rune(t2sChars)
	for i := 0; i+1 < len(rs); i += 2 {
		if k := rs[i]; (k < t2sLo || k > t2sHi) && k < 0x10000 {
			t.Errorf("Traditional character %U lies in the BMP outside the dense table", k)
		}
		if f := foldRune(rs[i]); foldRune(f) != f {
			t.Errorf("folding %c twice changes it: %c then %c", rs[i], f, foldRune(f))
		}
	}
}

func TestToSimplified(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"政府資訊公開", "政府信息公开"},
		{"網際網路", "互联网"},
		{"軟體", "软件"},
		{"個人信息保護法", "个人信息保护法"},
		{"政府信息公开", "政府信息公开"},
	} {
		if got := ToSimplified(tc.in); got != tc.want {
			t.Errorf("ToSimplified(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestChineseNumbers(t *testing.T) {
	for _, tc := range []struct {
		s string
		n int
	}{
		{"一", 1}, {"十", 10}, {"十五", 15}, {"二十", 20}, {"二十一", 21}, {"一百零五", 105}, {"一百一十", 110},
		{"七百一十一", 711}, {"四百九十二", 492}, {"一千零一十", 1010}, {"二千零二十四", 2024}, {"三万", 30000},
		{"十二万三千四百五十六", 123456},
	} {
		if got, ok := ParseChineseNumber(tc.s); !ok || got != tc.n {
			t.Errorf("ParseChineseNumber(%q) = %d, %v, want %d", tc.s, got, ok, tc.n)
		}
		if got := ChineseNumber(tc.n); got != tc.s {
			t.Errorf("ChineseNumber(%d) = %q, want %q", tc.n, got, tc.s)
		}
	}
	for _, tc := range []struct {
		s string
		n int
	}{{"二〇一九", 2019}, {"二零二四", 2024}, {"两千零二十四", 2024}} {
		if got, ok := ParseChineseNumber(tc.s); !ok || got != tc.n {
			t.Errorf("ParseChineseNumber(%q) = %d, %v, want %d", tc.s, got, ok, tc.n)
		}
	}
	for _, s := range []string{"", "百", "十十", "二三十", "abc", "〇一"} {
		if n, ok := ParseChineseNumber(s); ok {
			t.Errorf("ParseChineseNumber(%q) = %d, true, want false", s, n)
		}
	}
	if got := ChineseDigits("2019"); got != "二〇一九" {
		t.Errorf("ChineseDigits(2019) = %q", got)
	}
}

// TestAnalyze holds the examples: how each query is read.
func TestAnalyze(t *testing.T) {
	order711 := []string{"令第711号", "第711号令", "711号令", "令第七百一十一号", "第七百一十一号令", "七百一十一号令"}
	for _, tc := range []struct {
		q       string
		words   []Word
		dropped []string
		intent  string
	}{
		{q: "怎么投诉", words: []Word{{Text: "投诉", Forms: []string{"投诉", "举报"}}}, dropped: []string{"怎么"}, intent: IntentChannel},
		{q: "汽车尾气检测多少钱", words: []Word{
			{Text: "汽车", Forms: []string{"汽车", "机动车"}},
			{Text: "尾气", Forms: []string{"尾气", "排放"}},
			{Text: "检测", Forms: []string{"检测", "检验"}}}, dropped: []string{"多少钱"}, intent: IntentFee},
		{q: "养老补贴", words: []Word{{Text: "养老", Forms: []string{"养老"}}, {Text: "补贴", Forms: []string{"补贴", "补助", "津贴"}}}},
		{q: "排污许可证怎么办", words: []Word{{Text: "排污许可证", Forms: []string{"排污许可证"}}}, dropped: []string{"怎么办"}, intent: IntentApproval},
		{q: "国务院第711号令", words: []Word{{Text: "国务院", Forms: []string{"国务院"}},
			{Text: "第711号令", Forms: order711, Kind: "order"}}},
		{q: "第711号令", words: []Word{{Text: "第711号令", Forms: order711, Kind: "order"}}},
		{q: "711号令", words: []Word{{Text: "711号令", Forms: order711, Kind: "order"}}},
		{q: "国务院令第七百一十一号", words: []Word{{Text: "国务院", Forms: []string{"国务院"}}, {Text: "令第七百一十一号", Forms: order711, Kind: "order"}}},
		{q: "第20条", words: []Word{{Text: "第20条", Forms: []string{"第20条", "第二十条"}, Kind: "number"}}},
		{q: "第二十条", words: []Word{{Text: "第二十条", Forms: []string{"第20条", "第二十条"}, Kind: "number"}}},
		{q: "条例第二十届", words: []Word{{Text: "条例", Forms: []string{"条例"}}, {Text: "第二十届", Forms: []string{"第20届", "第二十届"}, Kind: "number"}}},
		{q: "2019年4月3日", words: []Word{{Text: "2019年4月3日", Kind: "date",
			Forms: []string{"2019年4月3日", "2019年04月03日", "2019-04-03", "2019/4/3", "2019.4.3", "二〇一九年四月三日"}}}},
		{q: "二〇一九年四月三日", words: []Word{{Text: "二〇一九年四月三日", Kind: "date",
			Forms: []string{"2019年4月3日", "2019年04月03日", "2019-04-03", "2019/4/3", "2019.4.3", "二〇一九年四月三日"}}}},
		{q: "2019年", words: []Word{{Text: "2019年", Forms: []string{"2019年", "二〇一九年"}, Kind: "year"}}},
		{q: "政府資訊公開", words: []Word{{Text: "政府資訊公開", Forms: []string{"政府资讯公开", "政府信息公开", "政务公开"}}}},
		{q: "個人信息保護法", words: []Word{{Text: "個人信息保護法", Forms: []string{"个人信息保护法"}}}},
		{q: "12345热线", words: []Word{{Text: "12345", Forms: []string{"12345"}}, {Text: "热线", Forms: []string{"热线", "电话"}}}},
		{q: "举报人", words: []Word{{Text: "举报人", Forms: []string{"举报人", "投诉人"}}}, intent: IntentChannel},
		{q: "多少钱", words: []Word{{Text: "多少钱", Forms: []string{"多少钱"}}}, intent: IntentFee},
		{q: "成委发〔2003〕38号", words: []Word{{Text: "成委发〔2003〕38号", Forms: []string{"成委发[2003]38号"}, Kind: "docno"}}},
		{q: `"养老补贴" -举报`, words: []Word{{Text: "养老补贴", Forms: []string{"养老补贴"}, Kind: "phrase"},
			{Text: "举报", Forms: []string{"举报"}, Exclude: true}}},
	} {
		an := Analyze(ParseQuery(tc.q).Terms)
		want := Analysis{Words: tc.words, Dropped: tc.dropped, Intent: tc.intent}
		if diff := cmp.Diff(want, an); diff != "" {
			t.Errorf("Analyze(%q) (-want +got):\n%s", tc.q, diff)
		}
	}
}

func TestSynonymsFromSite(t *testing.T) {
	a := NewAnalyzer(append(slices.Clone(DefaultSynonyms), []string{"云泽通", "政务服务平台"}))
	an := a.Analyze(ParseQuery("云泽通怎么申请").Terms)
	if len(an.Words) != 1 || !slices.Equal(an.Words[0].Forms, []string{"云泽通", "政务服务平台"}) || an.Intent != IntentApproval {
		t.Errorf("Analyze(云泽通怎么申请) = %+v", an)
	}
	none := NewAnalyzer(nil)
	if an := none.Analyze(ParseQuery("投诉").Terms); !slices.Equal(an.Words[0].Forms, []string{"投诉"}) {
		t.Errorf("without synonyms, 投诉 reads as %v", an.Words[0].Forms)
	}
}

// TestTermFrequencySaturates: among many short documents that mention a
// word once, the long one that is about it ranks first, whatever the shards.
func TestTermFrequencySaturates(t *testing.T) {
	// Documents of 1,500 characters mention the word once; one of 3,000
	// mentions it twelve times.
	var docs []Doc
	filler := strings.Repeat("本市持续推进各项工作。", 12)
	for i := range 600 {
		docs = append(docs, Doc{ID: fmt.Sprintf("/d/%03d/", i), Kind: "policy", Title: fmt.Sprintf("通知%d", i),
			Body: "会议提到湿地保护。" + strings.Repeat(filler, 11) + strings.Repeat("其他。", i%7)})
	}
	long := Doc{ID: "/d/long/", Kind: "policy", Title: "工作方案",
		Body: strings.Repeat("加强湿地保护。"+strings.Repeat(filler, 2), 12)}
	docs = append(docs, long)
	var orders [][]string
	for _, size := range []int{0, 97} {
		ix := buildIndexWith(t, docs, BuildOptions{ShardSize: size})
		resp, err := ix.Search(t.Context(), ParseQuery("湿地保护"))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Total != len(docs) || resp.Results[0].ID != long.ID {
			t.Errorf("shard size %d: %d results, first %s, want %d, first %s", size, resp.Total, resp.Results[0].ID, len(docs), long.ID)
		}
		var ids []string
		for _, r := range resp.Results {
			ids = append(ids, fmt.Sprintf("%s %.6f", r.ID, r.Score))
		}
		orders = append(orders, ids)
	}
	// Statistics are the whole index's, so the shards change nothing.
	if diff := cmp.Diff(orders[0], orders[1]); diff != "" {
		t.Errorf("scores differ between 1 and 7 shards (-1 +7):\n%s", diff)
	}
}

// TestSnippetKeepsAtomsWhole: a snippet never starts or ends inside a number,
// a Latin word or a document number.
func TestSnippetKeepsAtomsWhole(t *testing.T) {
	for _, tc := range []struct {
		text     string
		at       int // unit where a naive window would cut
		wantFrom int
	}{
		{"老年助餐补贴：70周岁以上老年人", 8, 7},
		{"按期办结率97.7%，全年", 7, 5},
		{"详见Government网站", 5, 2},
		{"依据云府办发〔2023〕15号文件", 11, 0},
		{"依据云府办发〔2023〕15号文件", 14, 0},
		{"没有数字的一段文字", 4, 4},
	} {
		var u unitText
		for _, r := range tc.text {
			u = appendUTF16(u, r)
		}
		if got := snapStart(u, tc.at, 0, u.len()); got != tc.wantFrom {
			t.Errorf("snapStart(%q, %d) = %d, want %d", tc.text, tc.at, got, tc.wantFrom)
		}
	}
	var u unitText
	for _, r := range "依据云府办发〔2023〕15号文件" {
		u = appendUTF16(u, r)
	}
	if got := snapEnd(u, 12, 0, u.len()); got != 15 {
		t.Errorf("snapEnd inside a document number = %d, want 15", got)
	}
	// Through Search: the 70 of 70周岁 is never cut to 0.
	body := strings.Repeat("说明。", 27) + "老年助餐补贴：70周岁以上老年人每餐补贴3元。" + strings.Repeat("其他。", 40)
	ix := buildIndex(t, []Doc{{ID: "/p/1/", Kind: "policy", Title: "助餐办法", Body: body}})
	resp, err := ix.Search(t.Context(), ParseQuery("周岁以上"))
	if err != nil {
		t.Fatal(err)
	}
	if s := string(resp.Results[0].Snippet); strings.Contains(s, "…0周岁") || !strings.Contains(s, "70") {
		t.Errorf("snippet %q cuts 70周岁", s)
	}
}

// TestPartialMatchSaysWhichWords: when no document holds every word, the
// partial matches say which words they hold and highlight them whole.
func TestPartialMatchSaysWhichWords(t *testing.T) {
	ix := buildIndex(t, []Doc{
		{ID: "/f/1/", Kind: "fee", Title: "机动车排放检验费", Body: "在用机动车排放检验收费标准。"},
		{ID: "/p/2/", Kind: "policy", Title: "大气污染防治", Body: "减少机动车尾气排放。"},
	})
	resp, err := ix.Search(t.Context(), ParseQuery("汽车尾气年检"))
	if err != nil {
		t.Fatal(err)
	}
	if !resp.Partial || len(resp.Results) == 0 {
		t.Fatalf("Search(汽车尾气年检): partial %v, %d results", resp.Partial, len(resp.Results))
	}
	for _, r := range resp.Results {
		if !slices.Equal(r.Matched, []string{"汽车", "尾气"}) {
			t.Errorf("%s: matched %v, want [汽车 尾气]", r.ID, r.Matched)
		}
		if strings.Contains(string(r.Snippet), "<mark>机动</mark>") || strings.Contains(string(r.Snippet), "<mark>排</mark>") {
			t.Errorf("%s: snippet %q splits a word", r.ID, r.Snippet)
		}
	}
	found := false
	for _, m := range resp.Messages {
		if m.Code == MsgPartial && strings.Contains(m.Text, "“汽车”、“尾气”") {
			found = true
		}
	}
	if !found {
		t.Errorf("messages %+v do not name the words found", resp.Messages)
	}
}

// TestNoDeadEnds: a search that finds nothing offers another spelling from
// the site's titles, the nearest columns and the request page.
func TestNoDeadEnds(t *testing.T) {
	docs := []Doc{
		{ID: "/fee/1.html", Kind: "fee", Title: "机动车排放检验费", Body: "收费标准。"},
		{ID: "/policy/2.html", Kind: "policy", Title: "云泽市基本养老服务补贴管理办法", Keywords: []string{"养老服务补贴"}, Body: "补贴对象。"},
	}
	dir := t.TempDir() + "/ix"
	st := &Settings{Labels: themeLabels(), ApplyURL: "/page/apply.html",
		Columns: []Column{{Label: "收费目录", URL: "/fee/", Kinds: []string{"fee"}}, {Label: "政策文件", URL: "/policy/", Kinds: []string{"policy"}}}}
	if _, err := Build(t.Context(), dir, "", docs, BuildOptions{Settings: st}); err != nil {
		t.Fatal(err)
	}
	ix, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()
	resp, err := ix.Search(t.Context(), ParseQuery("养老服务补帖"))
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]Message{}
	for _, m := range resp.Messages {
		codes[m.Code] = m
	}
	// A typo finds partial matches, and the right spelling is offered.
	if dm := codes[MsgDidYouMean]; len(dm.Links) == 0 || dm.Links[0].Label != "养老服务补贴" {
		t.Errorf("did you mean: %+v, want 养老服务补贴", dm)
	}
	resp, err = ix.Search(t.Context(), ParseQuery("养老服务补帖 -补贴对象"))
	if err != nil {
		t.Fatal(err)
	}
	codes = map[string]Message{}
	for _, m := range resp.Messages {
		codes[m.Code] = m
	}
	if resp.Total != 0 {
		t.Fatalf("Search(养老服务补帖 -补贴对象) found %d", resp.Total)
	}
	if cm := codes[MsgColumns]; len(cm.Links) == 0 || cm.Links[0].URL != "/policy/" {
		t.Errorf("nearest columns: %+v, want /policy/ first", cm)
	}
	if am := codes[MsgApply]; len(am.Links) != 1 || am.Links[0].URL != "/page/apply.html" {
		t.Errorf("apply link: %+v", am)
	}
	// A question about cost points at the fee column even when nothing
	// matches.
	resp, err = ix.Search(t.Context(), ParseQuery("火星旅行多少钱"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range resp.Messages {
		if m.Code == MsgColumns && (len(m.Links) == 0 || m.Links[0].URL != "/fee/") {
			t.Errorf("nearest columns for a fee question: %+v, want /fee/ first", m)
		}
	}
}
