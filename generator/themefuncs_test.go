package generator

import (
	"html/template"
	"testing"
)

func TestDemoteHeadings(t *testing.T) {
	for _, c := range []struct {
		name string
		in   template.HTML
		want template.HTML
	}{
		{"h2 and h3", `<h2 id="a">调整方案</h2><p>x</p><h3>一</h3>`, `<h3 id="a">调整方案</h3><p>x</p><h4>一</h4>`},
		{"h5 becomes h6", `<h5>五</h5>`, `<h6>五</h6>`},
		{"h6 stays", `<h6>六</h6>`, `<h6>六</h6>`},
		{"not a heading", `<hr><header>x</header><p>h2</p>`, `<hr><header>x</header><p>h2</p>`},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := demoteHeadings(c.in); got != c.want {
				t.Errorf("demoteHeadings(%q) = %q, want %q", c.in, got, c.want)
			}
		})
	}
}

func TestBreakAfter(t *testing.T) {
	for _, c := range []struct {
		name, s, sep string
		want         template.HTML
	}{
		{"index number", "11519900MB1500001A/2022-00011", "/", "11519900MB1500001A/<wbr>2022-00011"},
		{"no separator", "ABC", "/", "ABC"},
		{"escaped", "<a>/&", "/", "&lt;a&gt;/<wbr>&amp;"},
	} {
		t.Run(c.name, func(t *testing.T) {
			if got := breakAfter(c.s, c.sep); got != c.want {
				t.Errorf("breakAfter(%q, %q) = %q, want %q", c.s, c.sep, got, c.want)
			}
		})
	}
}
