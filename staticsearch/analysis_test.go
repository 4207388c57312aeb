package staticsearch

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"gongkai/search"
)

// analysisInputs are the queries of search's TestAnalyze, TestFold and
// TestToSimplified, and the examples.
var analysisInputs = []string{
	"怎么投诉", "汽车尾气检测多少钱", "养老补贴", "排污许可证怎么办", "国务院第711号令", "第711号令", "711号令",
	"国务院令第七百一十一号", "第20条", "第二十条", "条例第二十届", "2019年4月3日", "二〇一九年四月三日", "2019年",
	"政府資訊公開", "個人信息保護法", "12345热线", "举报人", "多少钱", "成委发〔2003〕38号", "ＡＢＣ１２３",
	"國務院令第七百一十一號", "養老補貼", "发展和改革委员会", "乾坤", "薴", "\uF900", "網際網路", "軟體", "政府信息公开",
	"老年助餐补贴：70周岁以上老年人", "按期办结率97.7%，全年", "详见Government网站", "依据云府办发〔2023〕15号文件",
	"没有数字的一段文字", "2019-04-03", "2019/4/3", "2019.4.3", "2019年4月", "令第711号", "第七百一十一号令",
	`"土地征收 补偿"`, `“征收 补偿”`, "「住房 公积金」", "『a b』", "-废止", `-"征收 补偿"`, "agency:成都市人民政府",
	`agency:"成都市 人民政府"`, "机关：云泽市人民政府 办法", "税收，", "foo:bar", "- 税", `"未闭合`, "！！！", "成委发[2003]38号",
	"成委发（2003）38号", "成委发2003年38号", "成委发〔2003〕第38号", "为什么要办", "请问低保怎么申请吗", "Ｇｏｖ ＧＯＶ gov",
	"year:2024 kind:policy 通知", "第十五条 第一百零五号", "两千零二十四年", "十二万三千四百五十六号令",
}

// randomInputs returns n seeded random strings over runes that exercise
// the analysis: CJK, Traditional and compatibility characters, numerals,
// the words of units and numbers, digits, letters, full-width forms,
// brackets, quotes, filters and white space.
func randomInputs(n int) []string {
	alphabet := []rune("的是在投诉举报补贴尾气汽车检测多少钱怎么办理如何申请吗呢资訊開國務院令第号年月日条款届一二三十百千万〇两零0123456789" +
		"abcXYZ Ａ１（）〔〕【】[]()\"“”「」『』-－:：, ，。、 \u3000\t成委发府办政資訊個保護乾薴\uF900\u2F00")
	rng := rand.New(rand.NewPCG(16, 42))
	words := []string{"agency:", "kind:", "年份:", "类别:", "多少钱", "怎么办", "2019年4月3日", "国务院令第711号", "云府办发〔2023〕15号", "\"", "-"}
	out := make([]string, n)
	for i := range out {
		var b strings.Builder
		for k := rng.IntN(14); k >= 0; k-- {
			if rng.IntN(6) == 0 {
				b.WriteString(words[rng.IntN(len(words))])
			} else {
				b.WriteRune(alphabet[rng.IntN(len(alphabet))])
			}
		}
		out[i] = b.String()
	}
	return out
}

type vecTerm struct {
	Text    string `json:"text"`
	Phrase  bool   `json:"phrase"`
	Exclude bool   `json:"exclude"`
}

type vecNotice struct {
	Code string   `json:"code"`
	Args []string `json:"args"`
}

type vector struct {
	Raw        string        `json:"raw"`
	Terms      []vecTerm     `json:"terms"`
	Filters    [6]string     `json:"filters"`
	Notices    []vecNotice   `json:"notices"`
	String     string        `json:"string"`
	Words      []search.Word `json:"words"`
	Dropped    []string      `json:"dropped"`
	Intent     string        `json:"intent"`
	Fold       string        `json:"fold"`
	Trad       bool          `json:"trad"`
	Simplified string        `json:"simplified"`
	DocNo      string        `json:"docno"`
}

// TestAnalysisAgrees runs the client's port of the query analysis (parsing,
// words, forms, synonyms, intents, numerals, dates, order and document
// numbers, folding, Traditional → Simplified) on the inputs of search's
// analysis tests, the relevance set's queries and 600 random strings, and
// compares every answer with search's own functions, so that a change on
// either side that the other lacks fails here.
func TestAnalysisAgrees(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("GONGKAI_REQUIRE_BROWSER") == "1" {
			t.Fatal("node is not installed: the client's analysis cannot be compared (GONGKAI_REQUIRE_BROWSER=1)")
		}
		t.Skip("node is not installed: the client's analysis cannot be compared; skipping (set GONGKAI_REQUIRE_BROWSER=1 to fail instead)")
	}
	// Read the client here so that go test's cache notices a change to it.
	for _, f := range []string{"client.js", "testdata/analysis.test.mjs", "testdata/served.mjs"} {
		if _, err := os.ReadFile(f); err != nil {
			t.Fatal(err)
		}
	}
	inputs := append([]string{}, analysisInputs...)
	var set []struct {
		Q string `yaml:"q"`
	}
	b, err := os.ReadFile("../search/testdata/relevance.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &set); err != nil {
		t.Fatal(err)
	}
	for _, q := range set {
		inputs = append(inputs, q.Q)
	}
	inputs = append(inputs, randomInputs(600)...)
	var vecs struct {
		Queries []vector `json:"queries"`
		Numbers [][2]any `json:"numbers"`
		Parsed  [][2]any `json:"parsed"`
	}
	for _, raw := range inputs {
		q, an := search.AnalysisOf(raw, search.DefaultSynonyms)
		v := vector{Raw: raw, String: q.String(), Words: an.Words, Dropped: an.Dropped, Intent: an.Intent, Fold: search.Fold(raw),
			Trad: search.HasTraditional(raw), Terms: []vecTerm{}, Notices: []vecNotice{}}
		v.Filters = [6]string{q.Filters.Kind, q.Filters.Agency, q.Filters.Topic, q.Filters.Year, q.Filters.Validity, q.Filters.Category}
		for _, tm := range q.Terms {
			v.Terms = append(v.Terms, vecTerm{tm.Text, tm.Phrase, tm.Exclude})
		}
		for _, n := range q.Notices {
			v.Notices = append(v.Notices, vecNotice{n.Code, n.NoticeArgs()})
		}
		if v.Trad {
			v.Simplified = search.ToSimplified(raw)
		}
		v.DocNo, _ = search.DocNoKey(raw)
		if v.Words == nil {
			v.Words = []search.Word{}
		}
		vecs.Queries = append(vecs.Queries, v)
	}
	for n := range 3000 {
		vecs.Numbers = append(vecs.Numbers, [2]any{n * 37, search.ChineseNumber(n * 37)})
	}
	for _, s := range []string{"七百一十一", "二十", "十五", "一百零五", "两千零二十四", "二〇一九", "十二万三千四百五十六", "二三十", "十百", "百", "〇一", "一二三四五六七八九〇", "万", "十万"} {
		n, ok := search.ParseChineseNumber(s)
		if !ok {
			n = -1
		}
		vecs.Parsed = append(vecs.Parsed, [2]any{s, n})
	}
	dir := t.TempDir()
	vf := filepath.Join(dir, "vectors.json")
	data, err := json.Marshal(vecs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(vf, data, 0o644); err != nil {
		t.Fatal(err)
	}
	site := filepath.Join(dir, "public")
	doc := search.Doc{ID: "/a.html", Kind: "page", Title: "测试", Body: "正文", Date: time.Date(2024, 1, 2, 0, 0, 0, 0, time.UTC)}
	if _, err := Write(context.Background(), site, "", []search.Doc{doc}, Options{}); err != nil {
		t.Fatal(err)
	}
	if err := WriteClient(site, true); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "testdata/analysis.test.mjs")
	cmd.Env = append(os.Environ(), "GONGKAI_VECTORS="+vf, "GONGKAI_SITE="+site)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test testdata/analysis.test.mjs: %v\n%s", err, out)
	}
	t.Logf("%d queries, %d numbers compared", len(vecs.Queries), len(vecs.Numbers))
}

// TestClientSize keeps the served client within the 20 KB
// compressed (20,000 bytes of gzip at best compression).
func TestClientSize(t *testing.T) {
	var b bytes.Buffer
	w, _ := gzip.NewWriterLevel(&b, gzip.BestCompression)
	w.Write(Client())
	w.Close()
	t.Logf("client: %d bytes, %d compressed", len(Client()), b.Len())
	if b.Len() > 20000 {
		t.Errorf("client is %d bytes compressed, want at most 20,000", b.Len())
	}
	// The part loaded only when a search finds no document holding every
	// word (suggest.js: partial matches, did-you-mean, no dead ends) has a
	// budget of its own: 4,000 bytes compressed.
	b.Reset()
	w, _ = gzip.NewWriterLevel(&b, gzip.BestCompression)
	w.Write(SuggestClient())
	w.Close()
	t.Logf("suggest: %d bytes, %d compressed", len(SuggestClient()), b.Len())
	if b.Len() > 4000 {
		t.Errorf("suggest.js is %d bytes compressed, want at most 4,000", b.Len())
	}
}
