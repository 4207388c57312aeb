package generator

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
)

// FuzzFrontMatter feeds arbitrary files through the front-matter splitter and
// the strict decoder: a broken file must give problems with positions, never
// a panic.
func FuzzFrontMatter(f *testing.F) {
	for _, s := range []string{
		"---\ntitle: x\n---\nbody",
		"---\nvalidity:\n  status: 有效\n  replaces: [a, b]\n---\n",
		"---\ntitle: [\n---\n",
		"---\n- a\n- b\n---\n",
		"no front matter",
		"---\nattachments:\n  - {name: a, file: b.pdf, size: 3}\n---\n",
		"\ufeff---\r\ntitle: x\r\n---\r\n",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		src, err := splitFrontMatter("content/policies/f.md", data)
		if err != nil {
			return
		}
		var probs Problems
		var p Policy
		lines, _ := decodeStrict(src.path, src.front, src.frontAt, &p, &probs)
		for _, pr := range probs {
			if pr.Pos.Path != "content/policies/f.md" || pr.Pos.Line < 1 {
				t.Errorf("problem without a position: %v", pr)
			}
			if !strings.HasPrefix(pr.Error(), "content/policies/f.md:") {
				t.Errorf("problem %q does not start with file:line", pr.Error())
			}
		}
		for k, l := range lines {
			if l < src.frontAt {
				t.Errorf("field %s at line %d, before the front matter starts (%d)", k, l, src.frontAt)
			}
		}
	})
}

func FuzzDocNo(f *testing.F) {
	for _, s := range []string{"云府发〔2024〕12号", "云府发[2024]12号", "云府发(2024)12号", "云府发2024年12号", "〔〕号", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		var probs Problems
		c := &Checker{rec: &Record{Path: "p.md", lines: fieldLines{}}, probs: &probs}
		d := c.CheckDocNumber("doc_no", s, DocNoAgency|DocNoDecree)
		if (d.Form == 0) == (len(probs) == 0) {
			t.Errorf("CheckDocNumber(%q) = %+v with %d problems: want a number or a problem", s, d, len(probs))
		}
	})
}

func FuzzURLKey(f *testing.F) {
	for _, s := range []string{"MB0000001/2024-00012", "../../etc/passwd", "中文", "a b", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		k := urlKey(s)
		if strings.Contains(k, "..") || strings.ContainsAny(k, "/\\ ") || strings.HasPrefix(k, "-") {
			t.Errorf("urlKey(%q) = %q escapes or is not clean", s, k)
		}
	})
}

func TestDocNoShapes(t *testing.T) {
	for _, tc := range []struct {
		in      string
		year    int
		problem string
	}{
		{"云府发〔2024〕12号", 2024, ""},
		{"云府办发〔2023〕1号", 2023, ""},
		{"云府发[2024]12号", 0, `write the year in 〔〕 brackets: "云府发〔2024〕12号"`},
		{"云府发（2024）12号", 0, `write the year in 〔〕 brackets: "云府发〔2024〕12号"`},
		{"云府发2024年12号", 0, `write the year in 〔〕 brackets: "云府发〔2024〕12号"`},
		{"第12号", 0, "want 机关代字〔年〕号"},
	} {
		var probs Problems
		c := &Checker{rec: &Record{Path: "p.md", lines: fieldLines{}}, probs: &probs}
		y := c.CheckDocNumber("doc_no", tc.in, DocNoAgency).Year
		if y != tc.year {
			t.Errorf("CheckDocNumber(%q) = %d, want %d", tc.in, y, tc.year)
		}
		got := ""
		if len(probs) > 0 {
			got = probs[0].Msg
		}
		if (tc.problem == "") != (got == "") || !strings.Contains(got, tc.problem) {
			t.Errorf("CheckDocNumber(%q) problem = %q, want one containing %q", tc.in, got, tc.problem)
		}
	}
}

func TestSitemapSplits(t *testing.T) {
	b := &Build{Content: &Content{Site: &Site{BaseURL: "https://x.gov.cn/"}}}
	urls := make([]string, sitemapMax*2+5)
	for i := range urls {
		urls[i] = fmt.Sprintf("/policy/%06d/", i)
	}
	files := b.sitemaps(urls, nil)
	if len(files) != 4 {
		t.Fatalf("got %d sitemap files, want an index and 3 parts", len(files))
	}
	idx := files["/sitemap.xml"]
	if !bytes.Contains(idx, []byte("<sitemapindex")) || bytes.Count(idx, []byte("<sitemap>")) != 3 {
		t.Errorf("sitemap.xml is not an index of 3 parts:\n%s", idx)
	}
	total := 0
	for i := 1; i <= 3; i++ {
		total += bytes.Count(files[fmt.Sprintf("/sitemap-%d.xml", i)], []byte("<url>"))
	}
	if total != len(urls) {
		t.Errorf("parts list %d URLs, want %d", total, len(urls))
	}
	small := b.sitemaps(urls[:3], nil)
	if len(small) != 1 || !bytes.Contains(small["/sitemap.xml"], []byte("<urlset")) {
		t.Errorf("small site: want one urlset")
	}
}
