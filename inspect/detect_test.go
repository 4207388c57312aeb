package inspect

import (
	"archive/zip"
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
	"unicode/utf8"

	"github.com/google/go-cmp/cmp"
)

// Property tests for the personal-data detectors: valid numbers are found
// wherever they sit in text, near-misses (a wrong check digit, a digit
// short, part of a longer number, glued to letters) never are.

var fillers = []string{"", "联系人：", "身份证号", "电话", "。", "，", "（", "）", " ", "\n", "附件：", "编号为", "申请人张某某，"}

func randomText(r *rand.Rand) string { return fillers[r.IntN(len(fillers))] }

// randomID returns a valid 18-character 居民身份证号码.
func randomID(r *rand.Rand) string {
	var codes []string
	for c := range provinces {
		codes = append(codes, c)
	}
	slices.Sort(codes)
	birth := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, r.IntN(90*365))
	d17 := fmt.Sprintf("%s%04d%s%03d", codes[r.IntN(len(codes))], r.IntN(10000), birth.Format("20060102"), r.IntN(1000))
	return d17 + string(idCheckDigit(d17))
}

func randomMobile(r *rand.Rand) string {
	return fmt.Sprintf("1%d%09d", 3+r.IntN(7), r.IntN(1_000_000_000))
}

// randomCard returns a Luhn-valid card number of 16 to 19 digits.
func randomCard(r *rand.Rand) string {
	for {
		n := 16 + r.IntN(4)
		b := []byte{"3456"[r.IntN(4)]}
		for len(b) < n-1 {
			b = append(b, byte('0'+r.IntN(10)))
		}
		for c := byte('0'); c <= '9'; c++ {
			if s := string(append(b, c)); luhn(s) && !(len(s) == 18 && validID(s)) {
				return s
			}
		}
	}
}

func matchRules(ms []piiMatch) []string {
	var out []string
	for _, m := range ms {
		out = append(out, m.Rule+" "+m.Value)
	}
	return out
}

func TestPersonalDataFound(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 3000 {
		var value, rule, written string
		switch r.IntN(3) {
		case 0:
			value, rule = randomID(r), "PII-ID"
			written = value
			if r.IntN(4) == 0 {
				written = value[:6] + " " + value[6:14] + " " + value[14:]
			}
		case 1:
			value, rule = randomMobile(r), "PII-MOBILE"
			written = value
			switch r.IntN(4) {
			case 0:
				written = value[:3] + "-" + value[3:7] + "-" + value[7:]
			case 1:
				written = "+86 " + value[:3] + " " + value[3:7] + " " + value[7:]
			}
		case 2:
			value, rule = randomCard(r), "PII-BANKCARD"
			written = value
			if r.IntN(3) == 0 {
				var groups []string
				for i := 0; i < len(value); i += 4 {
					groups = append(groups, value[i:min(i+4, len(value))])
				}
				written = strings.Join(groups, " ")
			}
		}
		text := randomText(r) + written + randomText(r)
		got := matchRules(findPersonalData(text))
		if want := []string{rule + " " + value}; !slices.Equal(got, want) {
			t.Fatalf("findPersonalData(%q) = %v, want %v", text, got, want)
		}
	}
}

func TestPersonalDataNearMisses(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for range 3000 {
		var near string
		switch r.IntN(9) {
		case 0: // a wrong check digit
			id := randomID(r)
			c := id[17]
			for c == id[17] {
				c = "0123456789X"[r.IntN(11)]
			}
			near = id[:17] + string(c)
		case 1: // 17 digits
			near = randomID(r)[:17]
		case 2: // part of a longer number
			near = randomID(r) + fmt.Sprint(r.IntN(10))
		case 3:
			near = fmt.Sprint(1+r.IntN(9)) + randomMobile(r)
		case 4: // a mobile number a digit short, or with a second digit 0–2
			m := randomMobile(r)
			if r.IntN(2) == 0 {
				near = m[:10]
			} else {
				near = "1" + fmt.Sprint(r.IntN(3)) + m[2:]
			}
		case 5: // a card failing Luhn
			c := randomCard(r)
			last := (c[len(c)-1]-'0'+1+byte(r.IntN(9)))%10 + '0'
			near = c[:len(c)-1] + string(last)
		case 6: // a card inside a longer number
			near = randomCard(r) + "0000"
		case 7: // glued to letters, like an index number or a code
			near = "MB" + randomMobile(r) + "A"
		case 8: // masked
			m := randomMobile(r)
			near = m[:3] + "****" + m[7:]
		}
		text := randomText(r) + near + randomText(r)
		if got := findPersonalData(text); len(got) > 0 {
			// A longer number may still hold a valid number by chance only
			// when it is itself one (a 19-digit card, say); anything else
			// is a false positive.
			if !(len(got) == 1 && got[0].Rule == "PII-BANKCARD" && strings.Contains(near, got[0].Value) && len(got[0].Value) == len(near)) {
				t.Fatalf("findPersonalData(%q) = %v, want nothing", text, matchRules(got))
			}
		}
	}
}

func TestPersonalDataExamples(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"电话：0899-62000001", nil},
		{"索引号：11519900MB1500001A/2026-00701", nil},
		{"热线12345，传真0899-62000119", nil},
		{"金额 3000000000000000.5 元", nil},
		{"（2026年11月27日）", nil},
		{"身份证110101199003074258，手机13812345678", []string{"PII-ID 110101199003074258", "PII-MOBILE 13812345678"}},
		{"110101199003074258 13812345678", []string{"PII-ID 110101199003074258", "PII-MOBILE 13812345678"}},
		{"11010119900307425X", nil}, // wrong check character
		{"身份证号11010519491231002X。", []string{"PII-ID 11010519491231002X"}},
	} {
		if got := matchRules(findPersonalData(tc.text)); !slices.Equal(got, tc.want) {
			t.Errorf("findPersonalData(%q) = %v, want %v", tc.text, got, tc.want)
		}
	}
}

func FuzzFindPersonalData(f *testing.F) {
	f.Add("身份证110101199003074258，手机13812345678")
	f.Add("6222 0212 3456 7894 +86 139 1234 5678")
	f.Fuzz(func(t *testing.T, s string) {
		for _, m := range findPersonalData(s) {
			if m.Start < 0 || m.Start >= len(s) || !strings.Contains(m.Shown, "*") {
				t.Fatalf("bad match %+v in %q", m, s)
			}
		}
	})
}

func TestIsUnmaskedName(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want bool
	}{
		{"张三", true}, {"王小明", true}, {"欧阳修文", true}, {"买买提·艾力", true}, {"张三（男，1980年生）", true},
		{"张某", false}, {"张某某", false}, {"张*", false}, {"王**", false}, {"李××", false}, {"欧阳某", false},
		{"云泽市某某商贸有限公司", false}, {"云泽市东城区老张面馆", false}, {"个体工商户", false}, {"", false},
		{"本机关", false}, {"abc", false}, {"张", false}, {"张三丰李四", false},
	} {
		if got := IsUnmaskedName(tc.in); got != tc.want {
			t.Errorf("IsUnmaskedName(%q) = %v, want %v", tc.in, got, tc.want)
		}
	}
	// Property: any surname with one or two given-name characters is found,
	// and the same name masked is not.
	r := rand.New(rand.NewPCG(5, 6))
	given := []rune("伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英")
	var sn []rune
	for s := range surnames {
		sn = append(sn, s)
	}
	slices.Sort(sn)
	for range 2000 {
		name := string(sn[r.IntN(len(sn))])
		for range 1 + r.IntN(2) {
			name += string(given[r.IntN(len(given))])
		}
		if !IsUnmaskedName(name) {
			t.Fatalf("IsUnmaskedName(%q) = false", name)
		}
		first, _ := utf8.DecodeRuneInString(name)
		for _, masked := range []string{string(first) + "某", string(first) + "某某", string(first) + "**", string(first) + "×"} {
			if IsUnmaskedName(masked) {
				t.Fatalf("IsUnmaskedName(%q) = true", masked)
			}
		}
	}
}

func TestTypoList(t *testing.T) {
	es, err := parseTypos(typosFile)
	if err != nil {
		t.Fatal(err)
	}
	if len(es) < 200 {
		t.Errorf("the built-in list has %d entries, want at least 200", len(es))
	}
	seen := map[string]bool{}
	var rights []string
	for _, e := range es {
		switch {
		case seen[e.wrong]:
			t.Errorf("%q is listed twice", e.wrong)
		case e.wrong == e.right:
			t.Errorf("%q → itself", e.wrong)
		case strings.Contains(e.right, e.wrong):
			t.Errorf("the right form %q contains the wrong one %q", e.right, e.wrong)
		}
		seen[e.wrong] = true
		rights = append(rights, e.right)
	}
	wl := newWordList(DefaultConfig())
	// Property: the right forms, in any order, never trip the list.
	text := strings.Join(rights, "。")
	for _, h := range wl.find(text) {
		t.Errorf("the right forms trip %q → %q", h.e.wrong, h.e.right)
	}
	// Property: each wrong form is found in plain context.
	for _, e := range es {
		ctx := "我们要" + e.wrong + "。"
		if e.special == "date" {
			ctx = e.wrong + "2025年底。"
		}
		hits := wl.find(ctx)
		if len(hits) != 1 || hits[0].e.wrong != e.wrong {
			t.Errorf("%q in %q: found %d hits", e.wrong, ctx, len(hits))
		}
	}
	// Contexts that are correct.
	for _, ok := range []string{"按排放量收费", "按排名先后", "截止日期为12月15日", "截止时间", "既使企业受益，又使群众满意", "做为民服务的实事", "一座落成的大桥", "尤其它们", "完成份额", "全部份数", "教授理论", "平安祥和"} {
		if hits := wl.find(ok); len(hits) > 0 {
			t.Errorf("%q trips %q", ok, hits[0].e.wrong)
		}
	}
}

func TestColumnRefs(t *testing.T) {
	for _, tc := range []struct {
		text string
		want []string
	}{
		{"请登录本平台“政民互动—意见征集”栏目提交", []string{"政民互动—意见征集"}},
		{"本平台'政民互动—意见征集'栏目", []string{"政民互动—意见征集"}},
		{"在云泽市人民政府信息公开平台“通知公告”专栏公布", []string{"通知公告"}},
		{"在中国政府网“国务院政策文件库”栏目查询", nil},
		{"可在本网站的政策解读栏目查看", []string{"政策解读"}},
		{"本平台相关栏目", nil},
		{"本站公布的信息可在政策文件栏目查看", nil},
		{"没有栏目字样的普通文本", nil},
	} {
		var got []string
		for _, r := range findColumnRefs(tc.text, "云泽市人民政府信息公开平台") {
			got = append(got, r.name)
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("findColumnRefs(%q) = %q, want %q", tc.text, got, tc.want)
		}
	}
}

// zipFile builds a zip archive in memory.
func zipFile(t *testing.T, files map[string]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := zip.NewWriter(&b)
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		f, err := w.Create(n)
		if err != nil {
			t.Fatal(err)
		}
		f.Write([]byte(files[n]))
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAttachments plants personal data in every readable attachment format
// and checks where it is reported; a PDF is listed as not scanned.
func TestAttachments(t *testing.T) {
	docx := zipFile(t, map[string]string{
		"word/document.xml": `<?xml version="1.0"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>` +
			`<w:p><w:r><w:t>申请表</w:t></w:r></w:p><w:p><w:r><w:t>联系电话：138</w:t></w:r><w:r><w:t>12345678</w:t></w:r></w:p></w:body></w:document>`,
		"word/footer1.xml": `<w:ftr xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:p><w:r><w:t>统筹按排</w:t></w:r></w:p></w:ftr>`,
	})
	xlsx := zipFile(t, map[string]string{
		"xl/workbook.xml":            `<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="名单" sheetId="1" r:id="rId1"/></sheets></workbook>`,
		"xl/_rels/workbook.xml.rels": `<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Target="worksheets/sheet1.xml" Type="x"/></Relationships>`,
		"xl/sharedStrings.xml":       `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>姓名</t></si><si><t>110101199003074258</t></si></sst>`,
		"xl/worksheets/sheet1.xml": `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
			`<row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="3"><c r="B3" t="s"><v>1</v></c><c r="C3"><v>13912345678</v></c></row></sheetData></worksheet>`,
	})
	fsys := fstest.MapFS{
		"content/a/list.csv":  {Data: []byte("\ufeff序号,电话\n1,0899-62000001\n2,13812345678\n")},
		"content/a/page.html": {Data: []byte("<html><body>\n<p>正文</p>\n<script>var x = '13812345678';</script>\n<p>身份证&#58;110101199003074258</p></body></html>")},
		"content/a/form.docx": {Data: docx},
		"content/a/list.xlsx": {Data: xlsx},
		"content/a/scan.pdf":  {Data: []byte("%PDF-1.4")},
		"content/a/bad.docx":  {Data: []byte("not a zip")},
	}
	f := newFixture()
	f.Files = fsys
	for _, p := range []string{"list.csv", "page.html", "form.docx", "list.xlsx", "scan.pdf", "bad.docx"} {
		f.policy.Attachments = append(f.policy.Attachments, Attachment{Name: p, Path: "content/a/" + p, Line: 9})
	}
	// A second record with the same attachment does not report it twice.
	f.interp.Attachments = []Attachment{{Name: "list.csv", Path: "content/a/list.csv", Line: 9}}
	rep, err := Run(t.Context(), f.Site)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, fd := range rep.Findings {
		got = append(got, fd.Where()+" "+fd.Rule)
	}
	want := []string{
		"content/a/form.docx:footer1 para 1 WORD-TYPO",
		"content/a/form.docx:para 2 PII-MOBILE",
		"content/a/list.csv:3 PII-MOBILE",
		"content/a/list.xlsx:名单!B3 PII-ID",
		"content/a/list.xlsx:名单!C3 PII-MOBILE",
		"content/a/page.html:4 PII-ID",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"content/a/bad.docx: not a .docx (zip) file: zip: not a valid zip file", "content/a/scan.pdf"}, rep.Unscanned); diff != "" {
		t.Errorf("unscanned (-want +got):\n%s", diff)
	}
	if rep.Stats.Attachments != 4 {
		t.Errorf("attachments read = %d, want 4", rep.Stats.Attachments)
	}
}
