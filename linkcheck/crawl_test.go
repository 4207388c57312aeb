package linkcheck

import (
	"context"
	"fmt"
	"mime"
	"net/http"
	"net/http/httptest"
	"path"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

// counter counts the requests a fixture server receives, by "METHOD /path".
type counter struct {
	mu   sync.Mutex
	hits map[string]int
}

func (c *counter) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c.add(r.Method + " " + r.URL.Path)
		h.ServeHTTP(w, r)
	})
}

func (c *counter) add(key string) {
	c.mu.Lock()
	if c.hits == nil {
		c.hits = make(map[string]int)
	}
	c.hits[key]++
	c.mu.Unlock()
}

// count returns the requests whose "METHOD /path" contains s, and the total.
func (c *counter) count(s string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for k, v := range c.hits {
		if strings.Contains(k, s) {
			n += v
		}
	}
	return n
}

func (c *counter) reset() {
	c.mu.Lock()
	clear(c.hits)
	c.mu.Unlock()
}

// fixture is the HTTP fixture: the site under test and an external host,
// both on 127.0.0.1.
type fixture struct {
	site, ext         *httptest.Server
	siteHits, extHits counter
	// searches records the request URIs of /search as sent.
	searches counter
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	fx := &fixture{}
	fx.ext = httptest.NewServer(fx.extHits.wrap(externalHandler()))
	t.Cleanup(fx.ext.Close)

	a, err := txtar.ParseFile("testdata/httpsite.txtar")
	if err != nil {
		t.Fatal(err)
	}
	files := make(map[string][]byte)
	for _, f := range a.Files {
		files["/"+f.Name] = []byte(strings.ReplaceAll(string(f.Data), "{{EXT}}", fx.ext.URL))
	}
	files["/gbk.html"] = gbk(t, `<!DOCTYPE html>
<html><head><meta charset="gbk"><title>通知公告</title></head>
<body><h2 id="第一节">第一节</h2><a href="#第一节">ok</a> <a href="/缺失.html">broken</a></body></html>`)
	fx.site = httptest.NewServer(fx.siteHits.wrap(siteHandler(files, &fx.searches)))
	t.Cleanup(fx.site.Close)
	return fx
}

func siteHandler(files map[string][]byte, searches *counter) http.Handler {
	mux := http.NewServeMux()
	redirect := func(from, to string, code int) {
		mux.HandleFunc(from, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, to, code) })
	}
	redirect("/old", "/older", http.StatusMovedPermanently)
	redirect("/older", "/about.html", http.StatusFound)
	redirect("/temp", "/about.html", http.StatusFound)
	redirect("/loop1", "/loop2", http.StatusFound)
	redirect("/loop2", "/loop1", http.StatusFound)
	mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(w, "User-agent: *\nDisallow: /private/\n\nSitemap: http://%s/sitemap.xml\n", r.Host)
	})
	mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/xml")
		fmt.Fprintf(w, `<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>http://%[1]s/</loc></url>
<url><loc>http://%[1]s/orphan.html</loc></url>
<url><loc>http://%[1]s/sitemap-gone.html</loc></url>
<url><loc>http://%[1]s/private/in-sitemap.html</loc></url>
</urlset>`, r.Host)
	})
	mux.HandleFunc("/files/report.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
		w.Write([]byte("%PDF-1.4"))
	})
	mux.HandleFunc("/files/empty.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/pdf")
	})
	mux.HandleFunc("/files/wrong.pdf", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!DOCTYPE html><html><head><title>下载中心</title></head><body><h1>下载中心</h1></body></html>`))
	})
	for p, ct := range map[string]string{
		"/opensearch.xml":      "application/opensearchdescription+xml; charset=utf-8",
		"/feeds/all.rss.xml":   "application/rss+xml; charset=utf-8",
		"/feeds/all.atom.xml":  "application/atom+xml; charset=utf-8",
		"/feeds/all.feed.json": "application/feed+json; charset=utf-8",
		"/files/data.xml":      "text/html; charset=utf-8",
	} {
		mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", ct)
			w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><x/>`))
		})
	}
	// /list.html is two pages: the query names which, and they link to
	// different places.
	mux.HandleFunc("/list.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		n := r.URL.Query().Get("page")
		fmt.Fprintf(w, `<!DOCTYPE html><html><head><meta charset="utf-8"><title>列表 %s</title></head><body><a href="/item-%s.html">broken</a></body></html>`, n, n)
	})
	// /search refuses a request line with raw non-ASCII bytes, as strict
	// servers do (RFC 3986 wants them percent-encoded).
	mux.HandleFunc("/search", func(w http.ResponseWriter, r *http.Request) {
		searches.add(r.Method + " " + r.RequestURI)
		for i := 0; i < len(r.RequestURI); i++ {
			if r.RequestURI[i] >= 0x80 {
				http.Error(w, "raw non-ASCII in the request line", http.StatusBadRequest)
				return
			}
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>搜索</title></head><body><h1>搜索结果</h1></body></html>`))
	})
	mux.HandleFunc("/files/nohead.docx", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		w.Header().Set("Content-Type", "application/vnd.openxmlformats-officedocument.wordprocessingml.document")
		w.Write([]byte("PK\x03\x04"))
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		if strings.HasSuffix(p, "/") {
			p += "index.html"
		}
		data, ok := files[p]
		if !ok {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusNotFound)
			w.Write([]byte(`<!DOCTYPE html><html><head><title>404</title></head><body>404</body></html>`))
			return
		}
		ct := mime.TypeByExtension(path.Ext(p))
		if strings.HasPrefix(ct, "text/html") {
			ct = "text/html" // let the page's own <meta charset> decide
		}
		w.Header().Set("Content-Type", ct)
		w.Write(data)
	})
	return mux
}

func externalHandler() http.Handler {
	var mu sync.Mutex
	seen := map[string]int{}
	// firstFails answers the first request for a path with code and
	// Retry-After: 1, and the next ones with 200.
	firstFails := func(code int) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			seen[r.URL.Path]++
			n := seen[r.URL.Path]
			mu.Unlock()
			if n == 1 {
				w.Header().Set("Retry-After", "1")
				w.WriteHeader(code)
				return
			}
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("ok"))
		}
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!DOCTYPE html><html><head><title>外部网站</title></head><body><h1>正常页面</h1><p>内容</p></body></html>`))
	})
	mux.HandleFunc("/missing", func(w http.ResponseWriter, r *http.Request) { http.NotFound(w, r) })
	mux.HandleFunc("/ratelimited", firstFails(http.StatusTooManyRequests))
	mux.HandleFunc("/unavailable", firstFails(http.StatusServiceUnavailable))
	mux.HandleFunc("/always429", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/slow", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(5 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/moved", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/ok", http.StatusPermanentRedirect)
	})
	mux.HandleFunc("/head-forbidden", func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodHead {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok"))
	})
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!DOCTYPE html><html><head><title>外部文章</title></head><body><h1 id="sec">第一节</h1><p>正文内容较长的一段文字。</p></body></html>`))
	})
	// Anything else: a "soft" 200 page without any not-found words.
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!DOCTYPE html><html><head><title>欢迎访问</title></head><body><h1>欢迎</h1><p>请从首页进入。</p></body></html>`))
	})
	return mux
}

// crawlWant is every finding the HTTP fixture must produce with External,
// and nothing else. SITE and EXT stand for the two servers.
var crawlWant = []string{
	"SITE/ | SITE/about.html#nobody | fragment | error",
	"SITE/ | SITE/missing.html | broken | error",
	"SITE/ | SITE/zh.html#%E7%AC%AC%E4%B8%89%E7%AB%A0 | fragment | error",
	"SITE/ | SITE/img/missing.png | broken | error",
	"SITE/ | SITE/old | redirect | warning",
	"SITE/ | SITE/loop1 | broken | error",
	"SITE/ | SITE/soft-missing.html | soft-404 | warning",
	"SITE/ | SITE/files/empty.pdf | empty | error",
	"SITE/ | SITE/files/wrong.pdf | content-type | warning",
	"SITE/ | SITE/files/data.xml | content-type | warning",
	"SITE/ | SITE/img/inline-missing.png | broken | error",
	"SITE/ | mailto:bad@@example | syntax | error",
	"SITE/ | tel:call-us | syntax | error",
	"SITE/ | #dup | duplicate-id | warning",
	"SITE/ | EXT/missing | broken | error",
	"SITE/ | EXT/always429 | rate-limited | warning",
	"SITE/ | EXT/slow | broken | error",
	"SITE/ | EXT/moved | redirect | warning",
	"SITE/ | EXT/gone | soft-404 | warning",
	"SITE/ | EXT/page.html#nosec | fragment | error",
	"SITE/style.css | SITE/img/css-missing.png | broken | error",
	"SITE/base/index.html | SITE/base/sub/nope.html | broken | error",
	"SITE/gbk.html | SITE/缺失.html | broken | error",
	"SITE/nocharset.html |  | charset | warning",
	"SITE/refresh.html | SITE/gone-refresh.html | broken | error",
	"SITE/deep/3.html | SITE/deep/missing.html | broken | error",
	"SITE/orphan.html | SITE/img/orphan-missing.png | broken | error",
	"SITE/sitemap.xml | SITE/sitemap-gone.html | broken | error",
	// Reached as /news/, /news/index.html and /news/?from=home: one page.
	"SITE/news/ | SITE/news-missing.html | broken | error",
	// Reached as /article.html?id=7 and ?id=7&from=list: one page.
	"SITE/article.html?id=7 | SITE/article-missing.html | broken | error",
	// Same address without the query, different links: two pages.
	"SITE/list.html?page=1 | SITE/item-1.html | broken | error",
	"SITE/list.html?page=2 | SITE/item-2.html | broken | error",
}

// crawlAliases is the other addresses of the pages the HTTP fixture serves
// under several.
var crawlAliases = map[string][]string{
	"SITE/":                  {"SITE/index.html"},
	"SITE/news/":             {"SITE/news/?from=home", "SITE/news/index.html"},
	"SITE/article.html?id=7": {"SITE/article.html?id=7&from=list"},
}

func without(list []string, drop ...string) []string {
	var out []string
next:
	for _, s := range list {
		for _, d := range drop {
			if strings.Contains(s, d) {
				continue next
			}
		}
		out = append(out, s)
	}
	return out
}

func TestCrawlFixture(t *testing.T) {
	fx := newFixture(t)
	internal := without(crawlWant, "EXT/")
	tests := []struct {
		name      string
		config    func(*Config)
		want      []string
		wantPages int
		check     func(t *testing.T, fx *fixture, rep *Report)
	}{
		{
			name:      "external",
			config:    func(c *Config) { c.External = true },
			want:      crawlWant,
			wantPages: 19,
			check: func(t *testing.T, fx *fixture, rep *Report) {
				exact := map[string]int{
					"/ratelimited":    2, // 429, then after Retry-After 200
					"/unavailable":    2, // 503, then after Retry-After 200
					"/always429":      3, // 429 twice after waits of 1 s; a third would pass RateLimitWait (2.5 s)
					"/slow":           2, // timeout, one retry (TimeoutRetries 1)
					"/head-forbidden": 2, // HEAD 403, GET
					"/missing":        1,
					"/page.html":      1, // one GET serves both fragments
					"probe":           1, // one soft-404 probe per host
				}
				for path, want := range exact {
					if got := fx.extHits.count(path); got != want {
						t.Errorf("external requests for %s = %d, want %d", path, got, want)
					}
				}
				// 22 = the counts above (14) + HEAD and GET for /ok, /gone
				// (soft-404 check of a 200 text/html) + HEAD and GET for the
				// chain /moved -> /ok.
				if n := fx.extHits.count(""); n > 22 {
					t.Errorf("external requests = %d, want at most 22", n)
				}
			},
		},
		{
			name:      "internal only",
			config:    func(*Config) {},
			want:      internal,
			wantPages: 19,
			check: func(t *testing.T, fx *fixture, rep *Report) {
				if n := fx.extHits.count(""); n != 0 {
					t.Errorf("external requests = %d without External, want 0", n)
				}
			},
		},
		{
			name:      "max depth 1",
			config:    func(c *Config) { c.MaxDepth = 1 },
			want:      without(internal, "deep/3.html"),
			wantPages: 15, // start, sitemap pages and the pages linked from them
			check: func(t *testing.T, fx *fixture, rep *Report) {
				if n := fx.siteHits.count("/deep/3.html"); n != 0 {
					t.Errorf("requests for /deep/3.html = %d beyond max depth, want 0", n)
				}
				if n := fx.siteHits.count("/deep/2.html"); n == 0 {
					t.Errorf("/deep/2.html, linked from a page within depth, was not checked")
				}
			},
		},
		{
			name:   "max pages 1",
			config: func(c *Config) { c.MaxPages = 1 },
			want: without(internal, "SITE/style.css |", "SITE/base/", "SITE/gbk.html |", "SITE/nocharset.html |", "SITE/refresh.html |", "SITE/deep/", "SITE/orphan.html |",
				"SITE/news/ |", "SITE/article.html?id=7 |", "SITE/list.html?"),
			wantPages: 1,
			check: func(t *testing.T, fx *fixture, rep *Report) {
				if n := fx.siteHits.count("GET /deep/2.html"); n != 0 {
					t.Errorf("GET /deep/2.html = %d beyond max pages, want 0", n)
				}
			},
		},
		{
			name:   "ignore robots",
			config: func(c *Config) { c.IgnoreRobots = true },
			want: append(slices.Clone(internal),
				"SITE/ | SITE/private/secret.html | broken | error",
				"SITE/sitemap.xml | SITE/private/in-sitemap.html | broken | error",
			),
			wantPages: 19,
			check: func(t *testing.T, fx *fixture, rep *Report) {
				if n := fx.siteHits.count("/robots.txt"); n != 0 {
					t.Errorf("robots.txt requests = %d when ignored, want 0", n)
				}
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fx.siteHits.reset()
			fx.extHits.reset()
			fx.searches.reset()
			cfg := testConfig()
			cfg.Target = fx.site.URL + "/"
			tt.config(&cfg)
			rep, err := Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sorted(tt.want), keys(rep.Findings, fx.site.URL, "SITE", fx.ext.URL, "EXT")); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if rep.Stats.Pages != tt.wantPages {
				t.Errorf("pages crawled = %d, want %d", rep.Stats.Pages, tt.wantPages)
			}
			if !cfg.IgnoreRobots {
				if n := fx.siteHits.count("/private/"); n != 0 {
					t.Errorf("requests under /private/ = %d, want 0 (robots.txt)", n)
				}
			}
			// Every page is fetched once; redirect targets and HEAD+GET
			// pairs add a little. The bound catches a crawler that loops.
			if n := fx.siteHits.count(""); n > 80 {
				t.Errorf("site requests = %d, want at most 80", n)
			}
			if tt.wantPages > 1 {
				// Both spellings of the Chinese query are one target, sent
				// percent-encoded (RFC 3986): the server refuses raw bytes.
				// /search is a dynamic path: checked (HEAD, then GET for the
				// soft-404 rules), not crawled.
				fx.searches.mu.Lock()
				want := map[string]int{
					"HEAD /search?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80": 1,
					"GET /search?q=%E6%94%BF%E5%8A%A1%E5%85%AC%E5%BC%80":  1,
				}
				if diff := cmp.Diff(want, fx.searches.hits); diff != "" {
					t.Errorf("requests for /search (-want +got):\n%s", diff)
				}
				fx.searches.mu.Unlock()
				aliases := map[string][]string{}
				for page, also := range rep.Aliases {
					k := strings.ReplaceAll(page, fx.site.URL, "SITE")
					for _, a := range also {
						aliases[k] = append(aliases[k], strings.ReplaceAll(a, fx.site.URL, "SITE"))
					}
				}
				if diff := cmp.Diff(crawlAliases, aliases); diff != "" {
					t.Errorf("aliases (-want +got):\n%s", diff)
				}
				if rep.Home != fx.site.URL+"/" {
					t.Errorf("home = %s, want %s/", rep.Home, fx.site.URL)
				}
			}
			if got := fx.siteHits.count("GET /about.html"); got > 3 {
				t.Errorf("GET /about.html = %d, want at most 3 (direct, via /old chain, via /temp)", got)
			}
			if rep.Stats.Requests != fx.siteHits.count("")+fx.extHits.count("") {
				t.Errorf("Stats.Requests = %d, servers saw %d", rep.Stats.Requests, fx.siteHits.count("")+fx.extHits.count(""))
			}
			tt.check(t, fx, rep)
		})
	}
}

// TestCrawlRedirectChain checks that a redirect finding carries its chain
// and a loop is reported as broken with the hops seen.
func TestCrawlRedirectChain(t *testing.T) {
	fx := newFixture(t)
	cfg := testConfig()
	cfg.Target = fx.site.URL + "/"
	rep, err := Check(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	for _, f := range rep.Findings {
		if f.Target == fx.site.URL+"/old" || f.Target == fx.site.URL+"/loop1" {
			var hops []string
			for _, h := range f.Redirects {
				hops = append(hops, strings.ReplaceAll(h, fx.site.URL, ""))
			}
			got[strings.TrimPrefix(f.Target, fx.site.URL)+" "+f.Detail] = hops
		}
	}
	want := map[string][]string{
		"/old permanent redirect; link to " + fx.site.URL + "/about.html": {"301 /old", "302 /older", "200 /about.html"},
		"/loop1 redirect loop": {"302 /loop1", "302 /loop2", "… /loop1"},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("redirect findings (-want +got):\n%s", diff)
	}
}
