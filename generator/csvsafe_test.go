package generator

import (
	"bytes"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func TestCSVCell(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"政策文件", "政策文件"},
		{`=HYPERLINK("http://x.cn","点击")`, `'=HYPERLINK("http://x.cn","点击")`},
		{"+86 0899 62000110", "'+86 0899 62000110"},
		{"-1+2", "'-1+2"},
		{"@SUM(A1:A2)", "'@SUM(A1:A2)"},
		{"\t=1+1", "'\t=1+1"},
		{"\r=1+1", "'\r=1+1"},
		{"-3", "-3"},
		{"+1.5", "+1.5"},
		{"1220.5", "1220.5"},
		{"a=b", "a=b"},
		{"https://www.x.gov.cn/a", "https://www.x.gov.cn/a"},
	} {
		if got := csvCell(tc.in); got != tc.want {
			t.Errorf("csvCell(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// TestCSVFormulaInjection gives a published record a title and summary
// that spreadsheets would run as formulas and checks that the catalogue
// CSV neutralises them.
func TestCSVFormulaInjection(t *testing.T) {
	fsys := siteFS(t, "site.txtar")
	f := fsys["content/policies/a.md"]
	evil := `=HYPERLINK("https://evil.example/","点击查看")`
	src := strings.Replace(string(f.Data), "title: 测试市人民政府关于一段简单测试的通知", "title: '"+evil+"'", 1)
	src = strings.Replace(src, "summary: 规定测试事项。", "summary: '@SUM(1+1)'", 1)
	fsys["content/policies/a.md"] = &fstest.MapFile{Data: []byte(src), Mode: 0o644}
	out, _, _ := buildSite(t, fsys)
	data, err := os.ReadFile(filepath.Join(out, "catalogue.csv"))
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(data, []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, row := range rows {
		for _, cell := range row {
			if cell != "" && strings.ContainsRune("=+-@\t\r", rune(cell[0])) && !csvNumberRE.MatchString(cell) {
				t.Errorf("catalogue.csv cell %q would run as a formula", cell)
			}
			found = found || cell == "'"+evil
		}
	}
	if !found {
		t.Errorf("catalogue.csv lacks the neutralised title %q", "'"+evil)
	}
}
