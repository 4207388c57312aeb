package search

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestDocNoTailsHoldEveryMatch: whenever a document-number query finds its
// number in a document's stored text (findDocNo, as the server and the
// static client check it), DocNoTails of the document lists the number's
// year and serial number. Texts are built at random from pieces of
// document numbers in their spellings, dates, spaces and CJK text; the
// queries are every number written in them and some written nowhere.
func TestDocNoTailsHoldEveryMatch(t *testing.T) {
	codes := []string{"成环发", "环发", "川府办", "ＡＢ", "ab", "國辦發", "国办发"}
	opens := []string{"〔", "[", "(", "（", "【", "［", "", " "}
	closes := []string{"〕", "]", ")", "）", "】", "］", "年", " 年"}
	years := []string{"2019", "２０１９", "2020", "0042", "201", "20190"}
	mids := []string{"", "第", " ", "　"}
	nums := []string{"42", "４２", "7", "042", "123456789", "1234567890", "3"}
	ends := []string{"号", "號", "", "月", "日", "，", "\u001f"}
	fillers := []string{"根据", "关于", "。", "\n", " ", "2019年3月5日", "x", "〔2019〕", "42号", "发"}
	rng := rand.New(rand.NewPCG(1, 2))
	pick := func(s []string) string { return s[rng.IntN(len(s))] }
	var queries []string
	for _, c := range codes {
		for _, y := range []string{"2019", "2020", "0042"} {
			for _, n := range []string{"42", "7", "3", "123456789"} {
				queries = append(queries, c+"〔"+y+"〕"+n+"号")
			}
		}
	}
	checked, found := 0, 0
	for range 1000 {
		var b strings.Builder
		for range 1 + rng.IntN(6) {
			if rng.IntN(3) == 0 {
				b.WriteString(pick(fillers))
				continue
			}
			b.WriteString(pick(codes) + pick(opens) + pick(years) + pick(closes) + pick(mids) + pick(nums) + pick(ends))
		}
		d := &Doc{ID: "/p/x.html", Title: pick(fillers) + pick(codes), Body: b.String(), DocNo: pick(codes) + "〔2019〕42号"}
		tails := DocNoTails(d)
		txt, _, mask := appendText(nil, docSegments(d)) // as the index stores it
		for _, q := range queries {
			dn, ok := parseDocNo(q)
			if !ok {
				t.Fatalf("%q is not a document number", q)
			}
			code := newPattern(dn.code)
			checked++
			if s, _ := findDocNo(dn, &code, txt, mask, 0, txt.len()); s < 0 {
				continue
			}
			found++
			if !slices.Contains(tails, DocNoTail(dn.year, dn.num)) {
				t.Fatalf("text %q holds %s, but its tails %q do not list %s", d.Body, q, tails, DocNoTail(dn.year, dn.num))
			}
		}
	}
	if found < 1000 {
		t.Fatalf("only %d of %d query/text pairs matched: the texts test too little", found, checked)
	}
	t.Logf("%d of %d query/text pairs matched, each listed", found, checked)
}

func TestDocNoTails(t *testing.T) {
	d := &Doc{Title: "关于印发方案的通知", Body: "根据成环发〔2019〕42号和川府办[2020] 第7 号，于2021年3月5日起施行。见12019〕8号。", DocNo: "成环发（2019）42号"}
	got := DocNoTails(d)
	want := []string{"[2019]42", "[2020]7", "[2021]3"}
	if !slices.Equal(got, want) {
		t.Errorf("DocNoTails = %q, want %q", got, want)
	}
}

func BenchmarkDocNoTails(b *testing.B) {
	body := strings.Repeat("为全力开展农产品质量安全目标，根据《协调农业农村的管理办法》（成环发〔2019〕42号）等有关规定，结合我市实际，于2021年3月5日起施行。", 40)
	d := &Doc{ID: "/p/x.html", Title: "关于印发方案的通知", Body: body, DocNo: "成环发〔2019〕42号"}
	b.SetBytes(int64(len(body)))
	for b.Loop() {
		DocNoTails(d)
	}
}
