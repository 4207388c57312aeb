package linkcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/tools/txtar"
)

// basePathSite is a site that lives under /zfxxgk/ of its portal,
// https://www.yunze.gov.cn/zfxxgk/, with links that stay under that path
// and links that leave it. On disk its folder is the content of /zfxxgk/.
const basePathSite = `
-- index.html --
<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>政府信息公开</title>
<link rel="canonical" href="https://www.yunze.gov.cn/zfxxgk/"></head>
<body>
<a href="/zfxxgk/about.html">root-relative under the base path: ok</a>
<a href="about.html">relative: ok</a>
<a href="https://www.yunze.gov.cn/zfxxgk/about.html#team">absolute, public host: ok</a>
<a href="http://www.yunze.gov.cn/zfxxgk/about.html">other scheme: ok</a>
<a href="/zfxxgk">the base path without its slash: ok</a>
<a href="https://www.yunze.gov.cn/zfxxgk/gone.html">under the base path, missing: broken</a>
<a href="/approval/x.html">root-relative, forgets the base path: outside-base</a>
<a href="../policy/">climbs out of the base path: outside-base</a>
<a href="https://www.yunze.gov.cn/">the portal's home page: outside-base</a>
<a href="/zfxxgk-old/a.html">a sibling path that shares the prefix: outside-base</a>
<a href="https://www.gov.cn/">another host: external, skipped</a>
<a href="/zfxxgk/api/search?q=政务">dynamic under the base path: skipped on disk</a>
<a href="/zfxxgk/search?q=x">dynamic under the base path: skipped on disk</a>
</body></html>
-- about.html --
<!DOCTYPE html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>关于</title></head>
<body><p id="team">团队</p><a href="/zfxxgk/">ok</a> <a href="/search?q=x">the search service outside the base path: outside-base</a></body></html>
-- sitemap.xml --
<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<url><loc>https://www.yunze.gov.cn/zfxxgk/</loc></url>
<url><loc>https://www.yunze.gov.cn/zfxxgk/about.html</loc></url>
<url><loc>https://www.yunze.gov.cn/cms/listed-by-mistake.html</loc></url>
</urlset>
`

// basePathWant is what both modes find. Links that leave the base path
// are shown as written: PUB is the public host, HOST the host of the page
// (the public one on disk, the crawled one over HTTP).
var basePathWant = []string{
	"INDEX | GONE | broken | error",
	"INDEX | HOST/approval/x.html | outside-base | error",
	"INDEX | HOST/policy/ | outside-base | error",
	"INDEX | PUB/ | outside-base | error",
	"INDEX | HOST/zfxxgk-old/a.html | outside-base | error",
	"ABOUT | HOST/search?q=x | outside-base | error",
}

func TestBasePath(t *testing.T) {
	a := txtar.Parse([]byte(basePathSite))
	t.Run("disk", func(t *testing.T) {
		dir := t.TempDir()
		for _, f := range a.Files {
			writeFile(t, filepath.Join(dir, f.Name), f.Data)
		}
		for _, baseURL := range []string{"https://www.yunze.gov.cn/zfxxgk/", "https://www.yunze.gov.cn/zfxxgk", ""} {
			cfg := DefaultConfig()
			cfg.Target, cfg.BaseURL = dir, baseURL
			rep, err := Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			r := strings.NewReplacer("INDEX", "/index.html", "ABOUT", "/about.html", "GONE", "/gone.html",
				"HOST", "https://www.yunze.gov.cn", "PUB", "https://www.yunze.gov.cn")
			var want []string
			for _, w := range basePathWant {
				want = append(want, r.Replace(w))
			}
			if diff := cmp.Diff(sorted(want), keys(rep.Findings)); diff != "" {
				t.Errorf("base URL %q: findings (-want +got):\n%s", baseURL, diff)
			}
			if rep.BaseURL != "https://www.yunze.gov.cn/zfxxgk/" {
				t.Errorf("base URL %q: report's base URL = %q", baseURL, rep.BaseURL)
			}
			for _, f := range rep.Findings {
				if f.Kind == KindOutsideBase && f.Detail != "leaves the base path /zfxxgk/: the site lives under https://www.yunze.gov.cn/zfxxgk/" {
					t.Errorf("detail = %q", f.Detail)
				}
			}
		}
	})

	t.Run("crawl", func(t *testing.T) {
		files := map[string][]byte{}
		for _, f := range a.Files {
			files["/zfxxgk/"+f.Name] = f.Data
		}
		var hits counter
		mux := http.NewServeMux()
		mux.HandleFunc("/robots.txt", func(w http.ResponseWriter, r *http.Request) {
			fmt.Fprintf(w, "User-agent: *\nDisallow: /cms/private/\nSitemap: http://%s/sitemap.xml\n", r.Host)
		})
		// The portal's own sitemap, at the root: not this site's.
		mux.HandleFunc("/sitemap.xml", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/xml")
			fmt.Fprintf(w, `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"><url><loc>http://%s/cms/a.html</loc></url></urlset>`, r.Host)
		})
		// The search service, requested like any other page when crawling.
		for _, p := range []string{"/zfxxgk/search", "/zfxxgk/api/search"} {
			mux.HandleFunc(p, func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"total":0}`))
			})
		}
		mux.HandleFunc("/zfxxgk/", func(w http.ResponseWriter, r *http.Request) {
			p := r.URL.Path
			if strings.HasSuffix(p, "/") {
				p += "index.html"
			}
			data, ok := files[p]
			if !ok {
				http.NotFound(w, r)
				return
			}
			if strings.HasSuffix(p, ".xml") {
				w.Header().Set("Content-Type", "application/xml")
			} else {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
			}
			w.Write(data)
		})
		// The rest of the portal answers everything: only the rule can
		// tell that a link left the column.
		mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>云泽市人民政府门户网站</title></head><body></body></html>`))
		})
		srv := httptest.NewServer(hits.wrap(mux))
		defer srv.Close()

		cfg := testConfig()
		cfg.Target, cfg.BaseURL = srv.URL+"/zfxxgk/", "https://www.yunze.gov.cn/zfxxgk/"
		rep, err := Check(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		r := strings.NewReplacer("INDEX", "HOST/zfxxgk/", "ABOUT", "HOST/zfxxgk/about.html", "GONE", "HOST/zfxxgk/gone.html",
			"PUB", "https://www.yunze.gov.cn")
		want := []string{"HOST/zfxxgk/sitemap.xml | https://www.yunze.gov.cn/cms/listed-by-mistake.html | outside-base | error"}
		for _, w := range basePathWant {
			want = append(want, r.Replace(w))
		}
		got := keys(rep.Findings, srv.URL, "HOST")
		if diff := cmp.Diff(sorted(want), got); diff != "" {
			t.Errorf("findings (-want +got):\n%s", diff)
		}
		// Nothing outside the base path is requested but robots.txt, which
		// is the host's; not even the portal's sitemap.
		hits.mu.Lock()
		for k, n := range hits.hits {
			if _, p, _ := strings.Cut(k, " "); p != "/zfxxgk" && !strings.HasPrefix(p, "/zfxxgk/") && p != "/robots.txt" {
				t.Errorf("%d requests for %s, outside the base path", n, k)
			}
		}
		hits.mu.Unlock()
		// The public URLs of the pages (canonical, sitemap) are checked on
		// the crawled host: the home page is one page under both names.
		if rep.Stats.Pages != 2 || rep.Home != srv.URL+"/zfxxgk/" {
			t.Errorf("pages, home = %d, %s; want 2, %s/zfxxgk/", rep.Stats.Pages, rep.Home, srv.URL)
		}
		if rep.BaseURL != "https://www.yunze.gov.cn/zfxxgk/" {
			t.Errorf("report's base URL = %q", rep.BaseURL)
		}

		cfg.Target = srv.URL + "/"
		if _, err := Check(context.Background(), cfg); err == nil || !strings.Contains(err.Error(), "outside the base path /zfxxgk/") {
			t.Errorf("crawl from outside the base path: error %v, want one naming the base path", err)
		}
	})
}

func TestIsDynamic(t *testing.T) {
	sc := &scope{root: mustURL(t, "https://www.yunze.gov.cn/zfxxgk/"), dynamic: []string{"/search", "/api/"}}
	tests := []struct {
		in   string
		want bool
	}{
		{"https://www.yunze.gov.cn/zfxxgk/api/search?q=x", true},
		{"https://www.yunze.gov.cn/zfxxgk/api/", true},
		{"https://www.yunze.gov.cn/zfxxgk/api", true},
		{"https://www.yunze.gov.cn/zfxxgk/apidocs.html", false},
		{"https://www.yunze.gov.cn/zfxxgk/search", true},
		{"https://www.yunze.gov.cn/zfxxgk/search?q=政务公开", true},
		{"https://www.yunze.gov.cn/zfxxgk/search/", true},
		{"https://www.yunze.gov.cn/zfxxgk/searching.html", false},
		{"https://www.yunze.gov.cn/zfxxgk/policy/search.html", false},
	}
	for _, tt := range tests {
		if got := sc.isDynamic(mustURL(t, tt.in)); got != tt.want {
			t.Errorf("isDynamic(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
	// The same paths written with the base path.
	sc.dynamic = []string{"/zfxxgk/search", "/zfxxgk/api/"}
	for _, tt := range tests {
		if got := sc.isDynamic(mustURL(t, tt.in)); got != tt.want {
			t.Errorf("with the base path written: isDynamic(%s) = %v, want %v", tt.in, got, tt.want)
		}
	}
}
