package generator

import (
	"bytes"
	"strings"
	"testing"
)

func TestOfficialText(t *testing.T) {
	for _, c := range []struct {
		name, src string
		want      []string // substrings of the HTML, in order
		not       []string
	}{
		{
			name: "document numbers",
			src:  "根据《通知》（发改价格〔2000〕474号）和国务院令第711号，制定本办法。\n",
			want: []string{`（<span class="docno">发改价格〔2000〕474号</span>）和<span class="docno">国务院令第711号</span>，制定本办法。`},
		},
		{
			name: "number across a soft line break keeps the break",
			src:  "见云府发〔2022〕3号\n和云府办发〔2023〕12号。\n",
			want: []string{`见<span class="docno">云府发〔2022〕3号</span>` + "\n" + `和<span class="docno">云府办发〔2023〕12号</span>。`},
		},
		{
			name: "not inside links or code",
			src:  "[云府发〔2022〕3号](/policy/x.html) `云府发〔2022〕4号`\n",
			want: []string{`<a href="/policy/x.html">云府发〔2022〕3号</a>`, `<code>云府发〔2022〕4号</code>`},
			not:  []string{"docno"},
		},
		{
			name: "signature",
			src:  "本办法自2022年6月1日起施行。\n\n云泽市财政局\n\n2022年5月10日\n",
			want: []string{"<p>本办法自2022年6月1日起施行。</p>", `<p class="signature">云泽市财政局</p>`, `<p class="signature">2022年5月10日</p>`},
		},
		{
			name: "joint signature, date in Chinese numerals, closing note",
			src:  "特此通知。\n\n云泽市财政局\n\n云泽市教育局\n\n二〇二二年五月十日\n\n（此件公开发布）\n",
			want: []string{"<p>特此通知。</p>", `<p class="signature">云泽市财政局</p>`, `<p class="signature">云泽市教育局</p>`,
				`<p class="signature">二〇二二年五月十日</p>`, `<p class="issue-note">（此件公开发布）</p>`},
		},
		{
			name: "no date at the end, no signature",
			src:  "云泽市财政局\n\n请各单位遵照执行。\n",
			not:  []string{"signature"},
		},
		{
			name: "a sentence above the date is not signed",
			src:  "本办法由市财政局负责解释。\n\n2022年5月10日\n",
			want: []string{"<p>本办法由市财政局负责解释。</p>", `<p class="signature">2022年5月10日</p>`},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			var b bytes.Buffer
			var txt strings.Builder
			if err := newMarkdown(false, "/").render([]byte(c.src), &b, &txt); err != nil {
				t.Fatal(err)
			}
			got := b.String()
			rest := got
			for _, w := range c.want {
				i := strings.Index(rest, w)
				if i < 0 {
					t.Fatalf("render(%q) = %q, want it to contain %q (in order)", c.src, got, w)
				}
				rest = rest[i+len(w):]
			}
			for _, n := range c.not {
				if strings.Contains(got, n) {
					t.Errorf("render(%q) = %q, want no %q", c.src, got, n)
				}
			}
			// The plain text (search, feeds) is the text as written.
			flat := strings.NewReplacer("\n", "", " ", "", "[", "", "](/policy/x.html)", "", "`", "").Replace(c.src)
			if g := strings.NewReplacer("\n", "", " ", "").Replace(txt.String()); g != flat {
				t.Errorf("plain text = %q, want %q", g, flat)
			}
		})
	}
}
