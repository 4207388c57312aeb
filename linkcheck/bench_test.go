package linkcheck

import (
	"context"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var siteFlag = flag.String("site", "", "built site folder for BenchmarkCheckDisk; empty generates a 10,000-page site")

// BenchmarkCheckDisk checks a whole site on disk: a folder given with
// -site, or a generated 10,000-page site with the link density of a
// disclosure portal (navigation, a table of contents, about 20 links to
// other documents, attachments, images with srcset, external links).
//
//	go test -run '^$' -bench CheckDisk -benchtime 3x ./linkcheck
//	go test -run '^$' -bench CheckDisk ./linkcheck -args -site public
func BenchmarkCheckDisk(b *testing.B) {
	dir := *siteFlag
	if dir == "" {
		dir = b.TempDir()
		generateSite(b, dir, 10000)
	}
	cfg := DefaultConfig()
	cfg.Target = dir
	var rep *Report
	for b.Loop() {
		var err error
		rep, err = Check(context.Background(), cfg)
		if err != nil {
			b.Fatal(err)
		}
	}
	perRun := b.Elapsed().Seconds() / float64(b.N)
	b.ReportMetric(float64(rep.Stats.Pages), "pages")
	b.ReportMetric(float64(rep.Stats.Links), "links")
	b.ReportMetric(float64(rep.Stats.Pages)/perRun, "pages/s")
	if *siteFlag == "" && len(rep.Findings) != 0 {
		b.Fatalf("generated site has %d findings, want 0; first: %+v", len(rep.Findings), rep.Findings[0])
	}
}

// generateSite writes an n-document site into dir, deterministic (seed 42)
// and free of broken links.
func generateSite(tb testing.TB, dir string, n int) {
	tb.Helper()
	rng := rand.New(rand.NewPCG(42, 42))
	hanzi := []rune("的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处理府研")
	page := func(title, body string) string {
		return `<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + title + ` - 某市人民政府</title>
<link rel="canonical" href="https://www.example.gov.cn/">
<link rel="stylesheet" href="/css/site.css">
<link rel="alternate" type="application/rss+xml" href="/feed.xml">
</head>
<body>
<header><a href="/"><img src="/img/logo.png" srcset="/img/logo.png 1x, /img/logo@2x.png 2x" alt="某市人民政府"></a>
<nav><a href="/">首页</a> <a href="/docs/">政策文件</a> <a href="/topics/">主题分类</a> <a href="/guide.html">公开指南</a>
<a href="/catalog/">公开目录</a> <a href="/annual/">年度报告</a> <a href="/search/">搜索</a> <a href="/about.html#contact">联系我们</a></nav>
</header>
<main id="main">
` + body + `
</main>
<footer><a href="/about.html">关于本站</a> <a href="/sitemap.xml">网站地图</a> <a href="/feed.xml">订阅</a>
<a href="https://www.gov.cn/">中国政府网</a> <a href="mailto:webmaster@example.gov.cn">webmaster@example.gov.cn</a> <a href="tel:010-12345678">010-12345678</a></footer>
</body>
</html>
`
	}
	text := func(k int) string {
		var sb strings.Builder
		for i := 0; i < k; i++ {
			sb.WriteRune(hanzi[rng.IntN(len(hanzi))])
			if i%40 == 39 {
				sb.WriteString("。")
			}
		}
		return sb.String()
	}
	docName := func(i int) string { return fmt.Sprintf("d%06d", i) }
	write := func(rel, s string) {
		name := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(name, []byte(s), 0o644); err != nil {
			tb.Fatal(err)
		}
	}
	for i := 0; i < n; i++ {
		var b strings.Builder
		fmt.Fprintf(&b, "<nav class=\"crumbs\"><a href=\"/\">首页</a> › <a href=\"/docs/\">政策文件</a> › <a href=\"/topics/t%02d.html\">主题</a></nav>\n", i%20)
		fmt.Fprintf(&b, "<h1 id=\"title\">关于%s的通知</h1>\n<ol class=\"toc\">", text(8))
		for s := 1; s <= 5; s++ {
			fmt.Fprintf(&b, "<li><a href=\"#sec-%d\">第%d节</a></li>", s, s)
		}
		b.WriteString("</ol>\n")
		for s := 1; s <= 5; s++ {
			fmt.Fprintf(&b, "<h2 id=\"sec-%d\">第%d节</h2>\n<p>%s", s, s, text(120))
			for k := 0; k < 4; k++ {
				j := rng.IntN(n)
				if k == 0 {
					fmt.Fprintf(&b, " <a href=\"../docs/%s.html#sec-%d\">%s</a>", docName(j), 1+rng.IntN(5), text(6))
				} else {
					fmt.Fprintf(&b, " <a href=\"/docs/%s.html\">%s</a>", docName(j), text(6))
				}
			}
			fmt.Fprintf(&b, "%s</p>\n", text(60))
		}
		if i%3 == 0 {
			fmt.Fprintf(&b, "<p class=\"files\">附件：<a href=\"/files/%s.pdf\">%s.pdf</a> <a href=\"/files/%s-附件2.docx\">附件2</a></p>\n", docName(i), docName(i), docName(i))
			write("files/"+docName(i)+".pdf", "%PDF-1.4 "+text(20))
			write("files/"+docName(i)+"-附件2.docx", "PK "+text(20))
		}
		fmt.Fprintf(&b, "<figure><img src=\"/img/chart.png\" srcset=\"/img/chart.png 1x, /img/chart@2x.png 2x\" alt=\"\"></figure>\n")
		fmt.Fprintf(&b, "<p>相关链接：<a href=\"https://www.gov.cn/zhengce/%d.htm\">国务院文件</a> <a href=\"#top\">返回顶部</a> <a href=\"#main\">正文</a></p>\n", i)
		write("docs/"+docName(i)+".html", page("文件"+docName(i), b.String()))
	}
	var idx strings.Builder
	for i := 0; i < n && i < 50; i++ {
		fmt.Fprintf(&idx, "<li><a href=\"/docs/%s.html\">%s</a></li>\n", docName(i), text(10))
	}
	write("index.html", page("首页", "<ul>"+idx.String()+"</ul>"))
	write("docs/index.html", page("政策文件", "<ul>"+idx.String()+"</ul>"))
	var topics strings.Builder
	for t := 0; t < 20; t++ {
		fmt.Fprintf(&topics, "<li><a href=\"t%02d.html\">主题%d</a></li>", t, t)
		write(fmt.Sprintf("topics/t%02d.html", t), page("主题", "<a href=\"../docs/d000000.html\">文件</a>"))
	}
	write("topics/index.html", page("主题分类", "<ul>"+topics.String()+"</ul>"))
	for _, p := range []string{"guide.html", "catalog/index.html", "annual/index.html", "search/index.html"} {
		write(p, page("页面", "<p>"+text(200)+"</p>"))
	}
	write("about.html", page("关于本站", "<h2 id=\"contact\">联系我们</h2><p>"+text(100)+"</p>"))
	write("css/site.css", "body{font-family:sans-serif}\nheader{background:url(../img/banner.png) no-repeat}\n")
	for _, f := range []string{"img/logo.png", "img/logo@2x.png", "img/chart.png", "img/chart@2x.png", "img/banner.png", "feed.xml", "sitemap.xml"} {
		write(f, "x")
	}
}
