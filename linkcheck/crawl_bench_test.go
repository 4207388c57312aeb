package linkcheck

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"
)

// BenchmarkCrawl crawls a generated 1,000-page site over loopback, with the
// configuration the command starts from except two settings that only make
// sense for a test: no politeness interval between requests (loopback) and
// a 2 s timeout instead of 15 s, so that a timed-out attempt costs 2 s.
// Three sites: "clean", where every link works; "slow+limited", where 4
// pages and 1 attachment never answer and 5 attachments answer 429
// (Retry-After: 1) twice before 200; and "slow+limited+dead-host", which
// adds 10 links (External) to a second loopback host where every request
// times out.
//
//	go test -run '^$' -bench Crawl -benchtime 1x ./linkcheck
//
// The benchmark uses only Config fields that existed before the retry
// budgets were split, so the same file measures the older code.
func BenchmarkCrawl(b *testing.B) {
	for _, sc := range []struct {
		name        string
		slow, limit bool
		dead        bool
	}{
		{"clean", false, false, false},
		{"slow+limited", true, true, false},
		{"slow+limited+dead-host", true, true, true},
	} {
		b.Run(sc.name, func(b *testing.B) {
			dead := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				select {
				case <-time.After(time.Minute):
				case <-r.Context().Done():
				}
			}))
			defer dead.Close()
			bs := newBenchSite(1000, sc.slow, sc.limit, sc.dead, dead.URL)
			srv := httptest.NewServer(bs)
			defer srv.Close()
			cfg := DefaultConfig()
			cfg.Target = srv.URL + "/"
			cfg.MinInterval = 0
			cfg.Timeout = 2 * time.Second
			cfg.External = sc.dead
			var rep *Report
			for b.Loop() {
				bs.reset()
				var err error
				if rep, err = Check(context.Background(), cfg); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(rep.Stats.Pages), "pages")
			b.ReportMetric(float64(rep.Stats.Requests), "requests")
			b.ReportMetric(float64(rep.Stats.Errors), "errors")
			b.ReportMetric(float64(rep.Stats.Warnings), "warnings")
			b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/crawl")
		})
	}
}

// benchSite serves a generated site from memory: n documents under /docs/,
// an index, a sitemap listing every document, attachments for one document
// in three, and, when asked, slow and rate-limited URLs.
type benchSite struct {
	files map[string]string

	mu   sync.Mutex
	hits map[string]int // requests per rate-limited path
}

func (s *benchSite) reset() {
	s.mu.Lock()
	clear(s.hits)
	s.mu.Unlock()
}

func newBenchSite(n int, slow, limit, dead bool, deadURL string) *benchSite {
	rng := rand.New(rand.NewPCG(7, 7))
	s := &benchSite{files: make(map[string]string), hits: make(map[string]int)}
	layout := func(title, body string) string {
		return `<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>` + title + ` - 某市人民政府</title>
<link rel="stylesheet" href="/css/site.css"></head>
<body><nav><a href="/">首页</a> <a href="/docs/">政策文件</a> <a href="/about.html">关于</a> <a href="/about.html#contact">联系我们</a></nav>
<main id="main">` + body + `</main>
<footer><a href="/about.html">关于本站</a> <a href="mailto:webmaster@example.gov.cn">webmaster@example.gov.cn</a></footer>
</body></html>
`
	}
	doc := func(i int) string { return fmt.Sprintf("/docs/d%04d.html", i) }
	for i := range n {
		var b strings.Builder
		fmt.Fprintf(&b, "<h1 id=\"title\">文件 d%04d</h1>\n", i)
		for k := 1; k <= 3; k++ {
			fmt.Fprintf(&b, "<h2 id=\"sec-%d\">第%d节</h2><p>正文内容，第%d节。", k, k, k)
			for range 6 {
				j := rng.IntN(n)
				fmt.Fprintf(&b, " <a href=\"%s#sec-%d\">相关文件 d%04d</a>", doc(j), 1+rng.IntN(3), j)
			}
			b.WriteString("</p>\n")
		}
		if i%3 == 0 {
			fmt.Fprintf(&b, "<p><a href=\"/files/f%04d.pdf\">附件</a></p>\n", i)
			s.files[fmt.Sprintf("/files/f%04d.pdf", i)] = "%PDF-1.4 附件"
		}
		if slow && i%250 == 100 {
			fmt.Fprintf(&b, "<p><a href=\"/slow/s%d.html\">慢页面</a></p>\n", i/250)
		}
		if slow && i == 900 {
			b.WriteString("<p><a href=\"/slow/report.pdf\">慢附件</a></p>\n")
		}
		if limit && i%200 == 50 {
			fmt.Fprintf(&b, "<p><a href=\"/limited/l%d.pdf\">限流附件</a></p>\n", i/200)
		}
		if dead && i%100 == 10 {
			fmt.Fprintf(&b, "<p><a href=\"%s/dead/%d.html\">外部链接</a></p>\n", deadURL, i/100)
		}
		s.files[doc(i)] = layout(fmt.Sprintf("文件 d%04d", i), b.String())
	}
	var idx strings.Builder
	for i := range min(n, 50) {
		fmt.Fprintf(&idx, "<li><a href=\"%s\">文件 d%04d</a></li>\n", doc(i), i)
	}
	s.files["/index.html"] = layout("首页", "<ul>"+idx.String()+"</ul>")
	s.files["/docs/index.html"] = layout("政策文件", "<ul>"+idx.String()+"</ul>")
	s.files["/about.html"] = layout("关于", `<h2 id="contact">联系我们</h2>`)
	s.files["/css/site.css"] = "body{font-family:sans-serif}\n"
	var sm strings.Builder
	sm.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for i := range n {
		fmt.Fprintf(&sm, "<url><loc>SITE%s</loc></url>\n", doc(i))
	}
	sm.WriteString("</urlset>\n")
	s.files["/sitemap.xml"] = sm.String()
	return s
}

func (s *benchSite) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p := r.URL.Path
	switch {
	case strings.HasPrefix(p, "/slow/"):
		select {
		case <-time.After(time.Minute):
		case <-r.Context().Done():
		}
		return
	case strings.HasPrefix(p, "/limited/"):
		s.mu.Lock()
		s.hits[p]++
		n := s.hits[p]
		s.mu.Unlock()
		if n <= 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.4 限流附件"))
		return
	}
	if strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	body, ok := s.files[p]
	if !ok {
		http.NotFound(w, r)
		return
	}
	switch {
	case strings.HasSuffix(p, ".html"):
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
	case strings.HasSuffix(p, ".css"):
		w.Header().Set("Content-Type", "text/css; charset=utf-8")
	case strings.HasSuffix(p, ".pdf"):
		w.Header().Set("Content-Type", "application/pdf")
	case strings.HasSuffix(p, ".xml"):
		w.Header().Set("Content-Type", "application/xml")
		body = strings.ReplaceAll(body, "SITE", "http://"+r.Host)
	}
	w.Write([]byte(body))
}
