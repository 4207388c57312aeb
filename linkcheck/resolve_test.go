package linkcheck

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

func mustURL(t testing.TB, s string) *url.URL {
	t.Helper()
	u, err := url.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func TestResolveLink(t *testing.T) {
	base := mustURL(t, "https://www.example.gov.cn/news/index.html")
	tests := []struct {
		name     string
		raw      string
		wantKind targetKind
		wantURL  string
		wantFrag string
	}{
		{"relative", "a.html", targetHTTP, "https://www.example.gov.cn/news/a.html", ""},
		{"parent", "../about.html#team", targetHTTP, "https://www.example.gov.cn/about.html", "team"},
		{"root relative", "/files/x.pdf?v=2", targetHTTP, "https://www.example.gov.cn/files/x.pdf?v=2", ""},
		{"escape clamps", "../../../etc/passwd", targetHTTP, "https://www.example.gov.cn/etc/passwd", ""},
		{"chinese path", "附件/通知.pdf", targetHTTP, "https://www.example.gov.cn/news/%E9%99%84%E4%BB%B6/%E9%80%9A%E7%9F%A5.pdf", ""},
		{"chinese fragment", "#第一章", targetHTTP, "https://www.example.gov.cn/news/index.html", "第一章"},
		{"encoded fragment kept as written", "#%E7%AC%AC", targetHTTP, "https://www.example.gov.cn/news/index.html", "%E7%AC%AC"},
		{"whitespace and newlines", "  a\n.html\t ", targetHTTP, "https://www.example.gov.cn/news/a.html", ""},
		{"backslashes", `..\files\a.doc`, targetHTTP, "https://www.example.gov.cn/files/a.doc", ""},
		{"bare percent", "100%.html", targetHTTP, "https://www.example.gov.cn/news/100%25.html", ""},
		{"default port and case", "HTTPS://WWW.Example.gov.cn:443/a", targetHTTP, "https://www.example.gov.cn/a", ""},
		{"protocol relative", "//cdn.example.com/x.js", targetHTTP, "https://cdn.example.com/x.js", ""},
		{"empty", "", targetSkip, "", ""},
		{"javascript", "javascript:void(0)", targetSkip, "", ""},
		{"data", "data:image/png;base64,xx", targetSkip, "", ""},
		{"ftp", "ftp://x/y", targetSkip, "", ""},
		{"mailto", "mailto:a@b.cn", targetMail, "", ""},
		{"tel", "tel:12345", targetTel, "", ""},
		{"file", "file:///C:/a.doc", targetInvalid, "", ""},
		{"bad host", "http://[::1", targetInvalid, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := resolveLink(base, tt.raw)
			if got.Kind != tt.wantKind {
				t.Fatalf("resolveLink(%q).Kind = %v, want %v (problem %q)", tt.raw, got.Kind, tt.wantKind, got.Problem)
			}
			if got.Kind != targetHTTP {
				return
			}
			if got.URL.String() != tt.wantURL || got.Fragment != tt.wantFrag {
				t.Errorf("resolveLink(%q) = %s #%s, want %s #%s", tt.raw, got.URL, got.Fragment, tt.wantURL, tt.wantFrag)
			}
		})
	}
}

func TestDiskPath(t *testing.T) {
	tests := []struct {
		site, u, want string
	}{
		{"https://x.gov.cn/", "https://x.gov.cn/", "index.html"},
		{"https://x.gov.cn/", "https://x.gov.cn/a/b.html", "a/b.html"},
		{"https://x.gov.cn/", "https://x.gov.cn/news/", "news/index.html"},
		{"https://x.gov.cn/", "https://x.gov.cn/news", "news"},
		{"https://x.gov.cn/", "https://x.gov.cn/%E9%99%84%E4%BB%B6.pdf", "附件.pdf"},
		{"https://x.gov.cn/sub/", "https://x.gov.cn/sub/a.html", "a.html"},
		{"https://x.gov.cn/sub/", "https://x.gov.cn/sub", "index.html"},
		{"https://x.gov.cn/", "https://x.gov.cn/a/%2E%2E/%2E%2E/b", "b"},
	}
	for _, tt := range tests {
		if got := diskPath(mustURL(t, tt.u), mustURL(t, tt.site)); got != tt.want {
			t.Errorf("diskPath(%s, %s) = %q, want %q", tt.u, tt.site, got, tt.want)
		}
	}
}

func TestHasAnchor(t *testing.T) {
	p := &page{
		IDs:   map[string]int{"第一章": 1, "team": 1, "%E7%AC%AC%E5%9B%9B": 1, "a b": 1},
		Names: map[string]struct{}{"legacy": {}},
	}
	tests := []struct {
		frag string
		want bool
	}{
		{"", true},
		{"top", true},
		{"TOP", true},
		{"team", true},
		{"Team", false},
		{"第一章", true},
		{"%E7%AC%AC%E4%B8%80%E7%AB%A0", true}, // 第一章 encoded
		{"%E7%AC%AC%E4%BA%8C%E7%AB%A0", false},
		{"%E7%AC%AC%E5%9B%9B", true}, // an id written encoded, matched as written
		{"a%20b", true},
		{"legacy", true},
		{"%zz", false},
		{"missing", false},
	}
	for _, tt := range tests {
		if got := p.hasAnchor(tt.frag); got != tt.want {
			t.Errorf("hasAnchor(%q) = %v, want %v", tt.frag, got, tt.want)
		}
	}
}

func TestCheckMailtoTel(t *testing.T) {
	tests := []struct {
		link string
		ok   bool
	}{
		{"mailto:office@example.gov.cn", true},
		{"mailto:office@example.gov.cn?subject=%E4%BF%A1%E8%AE%BF", true},
		{"mailto:a@x.gov.cn,b@y.gov.cn", true},
		{"mailto:?to=a@x.gov.cn", true},
		{"mailto:%E5%BC%A0%E4%B8%89@example.gov.cn", true},
		{"mailto:张三@example.gov.cn", true},
		{"mailto:", false},
		{"mailto:office@@example.gov.cn", false},
		{"mailto:office", false},
		{"mailto:office@localhost", false},
		{"mailto:a b@x.cn", false},
		{"tel:+86-10-12345678", true},
		{"tel:010-12345678", true},
		{"tel:(010) 1234 5678", true},
		{"tel:12345;ext=12", true},
		{"tel:12345%20678", true},
		{"tel:call-us", false},
		{"tel:", false},
		{"tel:12", false},
		{"tel:1+2345", false},
	}
	for _, tt := range tests {
		tg := resolveLink(mustURL(t, "https://x.gov.cn/"), tt.link)
		if (tg.Problem == "") != tt.ok {
			t.Errorf("resolveLink(%q).Problem = %q, want ok %v", tt.link, tg.Problem, tt.ok)
		}
	}
}

func TestEncodeQuery(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"q=x&page=2", "q=x&page=2"},
		{"q=政务公开", "q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80"},
		{"q=%e6%94%bf", "q=%E6%94%BF"},
		{"q=a b", "q=a%20b"},
		{"q=100%", "q=100%25"},
		{"q=%zz", "q=%25zz"},
		{"a[]=1&b={x}|y", "a%5B%5D=1&b=%7Bx%7D%7Cy"},
		{"u=/a/b?c:d@e!$'()*+,;=~", "u=/a/b?c:d@e!$'()*+,;=~"},
		{`q="<x>"\^` + "`", "q=%22%3Cx%3E%22%5C%5E%60"},
	}
	for _, tt := range tests {
		if got := encodeQuery(tt.in); got != tt.want {
			t.Errorf("encodeQuery(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestIRI(t *testing.T) {
	tests := []struct{ in, want string }{
		{"http://h/a.html", "http://h/a.html"},
		{"http://h/%E9%99%84%E4%BB%B6.pdf?x=%E9%99%84", "http://h/附件.pdf?x=附"},
		{"http://h/search?q=%E6%94%BF%E5%8A%A1&x=%26", "http://h/search?q=政务&x=%26"},
		{"http://h/a%20b/%2F", "http://h/a%20b/%2F"},
		{"http://h/%E9%99", "http://h/%E9%99"},
	}
	for _, tt := range tests {
		if got := iri(mustURL(t, tt.in)); got != tt.want {
			t.Errorf("iri(%s) = %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestNotFoundWords(t *testing.T) {
	tests := []struct{ in, want string }{
		{"404 Not Found", "not found"},
		{"页面不存在 - 某市人民政府", "页面不存在"},
		{"抱歉，您访问的页面找不到了", "页面找不到"},
		{"错误 404", "404"},
		{"关于印发国办发〔2019〕404号文件的通知", ""},
		{"第1404次会议", ""},
		{"某市人民政府门户网站", ""},
	}
	for _, tt := range tests {
		if got := notFoundWords(tt.in); got != tt.want {
			t.Errorf("notFoundWords(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	tests := []struct {
		in     string
		want   time.Duration
		wantOK bool
	}{
		{"1", time.Second, true},
		{" 120 ", 2 * time.Minute, true},
		{"-5", 0, true},
		{now.Add(30 * time.Second).Format(http.TimeFormat), 30 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"", 0, false},
		{"soon", 0, false},
	}
	for _, tt := range tests {
		got, ok := retryAfter(tt.in, now)
		if got != tt.want || ok != tt.wantOK {
			t.Errorf("retryAfter(%q) = %v, %v, want %v, %v", tt.in, got, ok, tt.want, tt.wantOK)
		}
	}
}

func TestImplausibleType(t *testing.T) {
	tests := []struct {
		path, ct string
		ok       bool
	}{
		{"/a.pdf", "application/pdf", true},
		{"/a.pdf", "application/octet-stream", true},
		{"/a.pdf", "", true},
		{"/a.pdf", "text/html; charset=utf-8", false},
		{"/a.DOCX", "application/vnd.openxmlformats-officedocument.wordprocessingml.document", true},
		{"/a.png", "image/jpeg", false},
		{"/a.html", "text/plain", true},
		{"/a", "text/html", true},
	}
	for _, tt := range tests {
		got := implausibleType(&url.URL{Path: tt.path}, tt.ct)
		if (got == "") != tt.ok {
			t.Errorf("implausibleType(%s, %q) = %q, want ok %v", tt.path, tt.ct, got, tt.ok)
		}
	}
}

// FuzzResolve resolves arbitrary links against a page and checks that
// resolution never panics, that a resolved link maps to a disk path that
// stays inside the site folder, and that fragment matching never panics.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"a.html", "../../x#y", "#第一章", "%zz", `..\a`, "//h/p", "mailto:a@b", "tel:1", "http://[::1", "#%E7%AC%AC", "/%2e%2e/%2e%2e/etc"} {
		f.Add(s, "dup")
	}
	site := mustURL(f, "https://www.example.gov.cn/sub/")
	base := mustURL(f, "https://www.example.gov.cn/sub/news/index.html")
	f.Fuzz(func(t *testing.T, raw, id string) {
		tg := resolveLink(base, raw)
		p := &page{IDs: map[string]int{id: 1}}
		_ = p.hasAnchor(tg.Fragment)
		if tg.Kind != targetHTTP {
			return
		}
		if tg.URL.Fragment != "" || tg.URL.Scheme != "http" && tg.URL.Scheme != "https" {
			t.Fatalf("resolveLink(%q) = %s: fragment or scheme left", raw, tg.URL)
		}
		_ = iri(tg.URL)
		_ = siteDisplay(tg.URL, site, tg.Fragment, tg.HasFragment)
		// The query as sent is RFC 3986: ASCII, every '%' an escape,
		// unchanged by encoding again and by a round trip through url.Parse.
		q := tg.URL.RawQuery
		if encodeQuery(q) != q {
			t.Fatalf("resolveLink(%q): query %q is not stable under encodeQuery (%q)", raw, q, encodeQuery(q))
		}
		for i := 0; i < len(q); i++ {
			if !queryByte(q[i]) || q[i] == '%' && (i+2 >= len(q) || !isHex(q[i+1]) || !isHex(q[i+2])) {
				t.Fatalf("resolveLink(%q): query %q holds %q at %d", raw, q, q[i], i)
			}
		}
		if u, err := url.Parse(tg.URL.String()); err != nil || u.RawQuery != q {
			t.Fatalf("resolveLink(%q) = %s does not parse back to its query: %v", raw, tg.URL, err)
		}
		if !sameSite(tg.URL, site) {
			return
		}
		rel := diskPath(tg.URL, site)
		for _, elem := range strings.Split(rel, "/") {
			if elem == "" || elem == "." || elem == ".." {
				t.Fatalf("diskPath(%s) = %q: not a path inside the site", tg.URL, rel)
			}
		}
	})
}
