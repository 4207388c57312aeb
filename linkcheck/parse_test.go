package linkcheck

import (
	"strconv"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/text/encoding/simplifiedchinese"
)

func TestParseSrcset(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string // URL|descriptors
	}{
		{"empty", "", nil},
		{"one", "a.png", []string{"a.png|"}},
		{"density", "a.png 1x, b.png 2x", []string{"a.png|1x", "b.png|2x"}},
		{"no space after comma", "a.png 1x,b.png 2x", []string{"a.png|1x", "b.png|2x"}},
		{"comma inside URL", "img/a,b.png 1x, c.png 2x", []string{"img/a,b.png|1x", "c.png|2x"}},
		{"trailing comma ends URL", "a.png, b.png", []string{"a.png|", "b.png|"}},
		{"many trailing commas", "a.png,,, b.png 2x", []string{"a.png|", "b.png|2x"}},
		{"width descriptors and newlines", "\n  small.jpg 480w,\n  large.jpg 1080w\n", []string{"small.jpg|480w", "large.jpg|1080w"}},
		{"parens keep commas", "a.png foo(1, 2) 2x, b.png", []string{"a.png|foo(1, 2) 2x", "b.png|"}},
		{"data URL with commas", "data:image/png;base64,iVBOR 1x", []string{"data:image/png;base64,iVBOR|1x"}},
		{"leading commas and spaces", " ,, a.png 1x", []string{"a.png|1x"}},
		{"chinese path", "图片/标志.png 1x, 图片/大.png 2x", []string{"图片/标志.png|1x", "图片/大.png|2x"}},
		{"unclosed paren", "a.png foo(1, 2x", []string{"a.png|foo(1, 2x"}},
		{"absolute URL", "https://x.gov.cn/a.png 2x", []string{"https://x.gov.cn/a.png|2x"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, c := range parseSrcset(tt.in) {
				got = append(got, c.URL+"|"+strings.Join(c.Descriptors, " "))
				if tt.in[c.Offset:c.Offset+len(c.URL)] != c.URL {
					t.Errorf("candidate %q: offset %d points at %q", c.URL, c.Offset, tt.in[c.Offset:])
				}
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseSrcset(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func FuzzParseSrcset(f *testing.F) {
	for _, s := range []string{"a.png 1x, b.png 2x", "img/a,b.png 1x", "a.png foo(1, 2) 2x, b", ",,,", "a (", "x,", "\t\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, c := range parseSrcset(s) {
			if c.URL == "" {
				t.Fatalf("parseSrcset(%q): empty URL", s)
			}
			if strings.ContainsAny(c.URL, " \t\n\r\f") {
				t.Fatalf("parseSrcset(%q): URL %q holds whitespace", s, c.URL)
			}
			if strings.HasSuffix(c.URL, ",") {
				t.Fatalf("parseSrcset(%q): URL %q ends with a comma", s, c.URL)
			}
			if c.Offset < 0 || c.Offset+len(c.URL) > len(s) || s[c.Offset:c.Offset+len(c.URL)] != c.URL {
				t.Fatalf("parseSrcset(%q): offset %d does not point at %q", s, c.Offset, c.URL)
			}
		}
	})
}

func TestCSSURLs(t *testing.T) {
	tests := []struct {
		name string
		in   string
		want []string
	}{
		{"unquoted", "a{background:url(img/a.png)}", []string{"img/a.png"}},
		{"quoted with spaces", `a{background:url( "img/a b.png" )}`, []string{"img/a b.png"}},
		{"single quotes", `a{background:url('x.png')}`, []string{"x.png"}},
		{"upper case", `a{background:URL(x.png)}`, []string{"x.png"}},
		{"comment skipped", "/* url(no.png) */ a{b:url(yes.png)}", []string{"yes.png"}},
		{"import string", `@import "print.css"; @import url(screen.css);`, []string{"print.css", "screen.css"}},
		{"string not a url", `a::before{content:"url(no.png)"}`, nil},
		{"escaped quote", `a{b:url("a\"b.png")}`, []string{`a"b.png`}},
		{"data URL kept for classification", `a{b:url(data:image/png;base64,xx)}`, []string{"data:image/png;base64,xx"}},
		{"not a url function", `a{b:myurl(x.png)}`, nil},
		{"empty url", `a{b:url()}`, nil},
		{"unterminated comment", `a{b:url(x.png)} /* url(y.png)`, []string{"x.png"}},
		{"several", `a{background:url(a.png), url(b.png)}`, []string{"a.png", "b.png"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, r := range cssURLs(tt.in) {
				got = append(got, r.URL)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("cssURLs(%q) (-want +got):\n%s", tt.in, diff)
			}
		})
	}
}

func TestRefreshURL(t *testing.T) {
	tests := []struct{ in, want string }{
		{"0; url=/new.html", "/new.html"},
		{"5;URL='new.html'", "new.html"},
		{"3, url = \"a b.html\"", "a b.html"},
		{"0;/direct.html", "/direct.html"},
		{"10", ""},
		{"url=x.html", ""},
		{"", ""},
	}
	for _, tt := range tests {
		if got := refreshURL(tt.in); got != tt.want {
			t.Errorf("refreshURL(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestParseHTML(t *testing.T) {
	doc := `<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>标题</title>
<base href="/sub/">
<link rel="canonical" href="https://x.gov.cn/">
<link rel="preconnect" href="https://cdn.example.com">
<style>
.a { background: url(bg.png) }
</style>
<meta http-equiv="refresh" content="0; url=next.html">
<meta name="Url" content="https://x.gov.cn/index.html">
</head>
<body background="body.gif">
<!-- <a href="commented.html"> -->
<h1>第一 <em>标题</em></h1>
<a
  href="multi-line.html">x</a>
<img src="a.png" srcset="b.png 1x, c,d.png 2x">
<video src="v.mp4" poster="p.jpg"></video>
<form action="/search/"><button formaction="/other/">go</button></form>
<object data="o.swf"></object>
<div id="一" style="background:url('s.png')"></div><p id="一"></p>
<a name="old"></a>
<script src="s.js">var x = "<a href='no.html'>";</script>
<iframe src="f.html"></iframe>
</body></html>`
	p := parseHTML([]byte(doc), parseOptions{text: true})
	var got []string
	for _, l := range p.Links {
		got = append(got, l.Source+" "+l.Raw+" @"+strconv.Itoa(l.Line))
	}
	want := []string{
		"link href https://x.gov.cn/ @4",
		"style url bg.png @7",
		"meta refresh next.html @9",
		"body background body.gif @12",
		"a href multi-line.html @15",
		"img src a.png @17",
		"img srcset b.png @17",
		"img srcset c,d.png @17",
		"video src v.mp4 @18",
		"video poster p.jpg @18",
		"form action /search/ @19",
		"button formaction /other/ @19",
		"object data o.swf @20",
		"div style s.png @21",
		"script src s.js @23",
		"iframe src f.html @24",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("links (-want +got):\n%s", diff)
	}
	if p.Base != "/sub/" || p.Canonical != "https://x.gov.cn/" || p.MetaURL != "https://x.gov.cn/index.html" {
		t.Errorf("base, canonical, meta Url = %q, %q, %q", p.Base, p.Canonical, p.MetaURL)
	}
	if diff := cmp.Diff(map[string]int{"一": 2}, p.IDs); diff != "" {
		t.Errorf("ids (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"一"}, p.duplicateIDs()); diff != "" {
		t.Errorf("duplicate ids (-want +got):\n%s", diff)
	}
	if !p.hasAnchor("old") || p.hasAnchor("missing") {
		t.Errorf("hasAnchor(old), hasAnchor(missing) = %v, %v, want true, false", p.hasAnchor("old"), p.hasAnchor("missing"))
	}
	if p.Title != "标题" || p.Heading != "第一 标题" || p.CharsetProblem != "" {
		t.Errorf("title, heading, charset problem = %q, %q, %q", p.Title, p.Heading, p.CharsetProblem)
	}
}

func TestCharset(t *testing.T) {
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	tests := []struct {
		name        string
		data        []byte
		contentType string
		wantProblem string
		wantID      string
	}{
		{"utf-8 meta", []byte(`<meta charset="utf-8"><p id="第一节">`), "", "", "第一节"},
		{"gbk meta", gbk(`<meta charset="gbk"><p id="第一节">`), "", "", "第一节"},
		{"gb2312 http-equiv", gbk(`<meta http-equiv="Content-Type" content="text/html; charset=gb2312"><p id="第一节">`), "", "", "第一节"},
		{"gbk from header", gbk(`<p id="第一节">`), "text/html; charset=GBK", "", "第一节"},
		{"utf-8 BOM", append([]byte{0xEF, 0xBB, 0xBF}, `<p id="第一节">`...), "", "", "第一节"},
		{"undeclared utf-8", []byte(`<p id="第一节">`), "", "no charset declared", "第一节"},
		{"undeclared gbk", gbk(`<p id="第一节">`), "", "no charset declared, and the page is not valid UTF-8", ""},
		{"declared utf-8 but gbk", gbk(`<meta charset="utf-8"><p id="第一节">`), "", "declared utf-8 but the page is not valid UTF-8", ""},
		{"unknown label", []byte(`<meta charset="klingon"><p id="x">`), "", `unknown charset "klingon"`, "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p := parseHTML(tt.data, parseOptions{contentType: tt.contentType})
			if p.CharsetProblem != tt.wantProblem {
				t.Errorf("charset problem = %q, want %q", p.CharsetProblem, tt.wantProblem)
			}
			if tt.wantID != "" && p.IDs[tt.wantID] != 1 {
				t.Errorf("ids = %v, want %q once", p.IDs, tt.wantID)
			}
		})
	}
}

func TestRobots(t *testing.T) {
	txt := `# comment
User-agent: *
Disallow: /private/
Disallow: /*.pdf$
Allow: /private/open/

User-agent: gongkai-linkcheck
User-agent: otherbot
Disallow: /only-for-us/

User-agent: badbot
Disallow: /

Sitemap: https://x.gov.cn/sitemap.xml
`
	star := parseRobots(txt, "Mozilla/5.0")
	ours := parseRobots(txt, "gongkai-linkcheck/1.0")
	tests := []struct {
		name      string
		r         *robots
		path      string
		wantAllow bool
	}{
		{"star allows root", star, "/", true},
		{"star disallows private", star, "/private/a.html", false},
		{"longer allow wins", star, "/private/open/a.html", true},
		{"dollar anchors", star, "/files/a.pdf", false},
		{"dollar anchors not prefix", star, "/files/a.pdf?x=1", true},
		{"our group replaces star", ours, "/private/a.html", true},
		{"our group", ours, "/only-for-us/x", false},
		{"robots.txt always", star, "/robots.txt", true},
		{"nil allows", nil, "/private/", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := tt.r.allowed(tt.path); got != tt.wantAllow {
				t.Errorf("allowed(%q) = %v, want %v", tt.path, got, tt.wantAllow)
			}
		})
	}
	if diff := cmp.Diff([]string{"https://x.gov.cn/sitemap.xml"}, star.Sitemaps); diff != "" {
		t.Errorf("sitemaps (-want +got):\n%s", diff)
	}
}

func TestParseSitemap(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		want    sitemapDoc
		wantErr bool
	}{
		{"urlset", `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc> https://x.gov.cn/a.html </loc></url><url><loc>https://x.gov.cn/b.html</loc></url></urlset>`,
			sitemapDoc{Locs: []string{"https://x.gov.cn/a.html", "https://x.gov.cn/b.html"}}, false},
		{"index", `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><sitemap><loc>https://x.gov.cn/s1.xml</loc></sitemap></sitemapindex>`,
			sitemapDoc{Sitemaps: []string{"https://x.gov.cn/s1.xml"}}, false},
		{"gbk declared", `<?xml version="1.0" encoding="GBK"?><urlset><url><loc>https://x.gov.cn/a.html</loc></url></urlset>`,
			sitemapDoc{Locs: []string{"https://x.gov.cn/a.html"}}, false},
		{"html is no sitemap", `<html><body></body></html>`, sitemapDoc{}, true},
		{"garbage", `not xml`, sitemapDoc{}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseSitemap([]byte(tt.in))
			if (err != nil) != tt.wantErr {
				t.Fatalf("parseSitemap error = %v, want error %v", err, tt.wantErr)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("parseSitemap (-want +got):\n%s", diff)
			}
		})
	}
}
