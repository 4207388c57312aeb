package linkcheck

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// buildDiskSite writes testdata/disksite.txtar into a temporary folder, with
// a GBK page, a page that is not valid UTF-8 and an empty folder.
func buildDiskSite(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	extractTxtar(t, "testdata/disksite.txtar", dir)
	writeFile(t, filepath.Join(dir, "gbk.html"), gbk(t, `<!DOCTYPE html>
<html><head><meta charset="gbk"><title>通知公告</title></head>
<body><h2 id="第一节">第一节</h2><a href="#第一节">ok</a>
<a href="附件/缺失.pdf">broken</a></body></html>`))
	writeFile(t, filepath.Join(dir, "bad-utf8.html"), []byte("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>\xff\xfe</title></head><body></body></html>"))
	if err := os.Mkdir(filepath.Join(dir, "empty-dir"), 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// diskWant is every finding the disk fixture must produce, and nothing else.
var diskWant = []string{
	"/index.html | /missing.html | broken | error",
	"/index.html | /gone.html | broken | error",
	"/index.html | /about.html#nobody | fragment | error",
	"/index.html | /index.html#%E7%AC%AC%E4%B8%89%E7%AB%A0 | fragment | error",
	"/index.html | /index.html#第四章 | fragment | error",
	"/index.html | #dup | duplicate-id | warning",
	"/index.html | /img/missing.png | broken | error",
	"/index.html | /img/srcset-missing.png | broken | error",
	"/index.html | /img/narrow-missing.webp | broken | error",
	"/index.html | /img/poster-missing.jpg | broken | error",
	"/index.html | /img/inline-missing.png | broken | error",
	"/index.html | /files/empty.pdf | empty | error",
	"/index.html | /files/通知.doc | broken | error",
	"/index.html | /empty-dir/ | broken | error",
	"/index.html | /etc/passwd | broken | error",
	"/index.html | mailto:office@@example | syntax | error",
	"/index.html | tel:call-us | syntax | error",
	"/index.html | file:///C:/docs/a.doc | broken | error",
	"/index.html | /gbk.html#第二节 | fragment | error",
	"/news/index.html | /sub/nope.html | broken | error",
	"/refresh.html | /gone-refresh.html | broken | error",
	"/nocharset.html |  | charset | warning",
	"/css/site.css | /img/bg-missing.png | broken | error",
	"/css/site.css | /css/print.css | broken | error",
	"/gbk.html | /附件/缺失.pdf | broken | error",
	"/bad-utf8.html |  | charset | warning",
	// Soft-404s by the rules used over HTTP: title and first heading.
	"/index.html | /not-found.html | soft-404 | warning",
	"/index.html | /withdrawn.html | soft-404 | warning",
	// Near the dynamic paths /api/ and /search, but not under them.
	"/index.html | /apidocs.html | broken | error",
	"/index.html | /searching.html | broken | error",
}

func TestDiskFixture(t *testing.T) {
	dir := buildDiskSite(t)
	withoutFragments := func() []string {
		var out []string
		for _, k := range diskWant {
			if !strings.Contains(k, "| fragment |") {
				out = append(out, k)
			}
		}
		return out
	}
	tests := []struct {
		name   string
		config func(*Config)
		want   []string
	}{
		{"defaults", func(*Config) {}, diskWant},
		{"fragments off", func(c *Config) { c.IgnoreFragments = true }, withoutFragments()},
		{"soft-404 off", func(c *Config) { c.IgnoreSoftNotFound = true }, without(diskWant, "| soft-404 |")},
		{"no dynamic paths", func(c *Config) { c.Dynamic = nil }, append(slices.Clone(diskWant),
			"/index.html | /api | broken | error",
			"/index.html | /api/search?q=x | broken | error",
			// /search is search/index.html on disk, as a server answers it.
		)},
		{"exclude", func(c *Config) { c.Exclude = []string{`/img/`} }, func() []string {
			var out []string
			for _, k := range diskWant {
				if !strings.Contains(k, "| /img/") {
					out = append(out, k)
				}
			}
			return out
		}()},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := DefaultConfig()
			cfg.Target = dir
			tt.config(&cfg)
			rep, err := Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sorted(tt.want), keys(rep.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if rep.BaseURL != "https://www.example.gov.cn/" || rep.Home != "/index.html" || rep.Mode != "disk" {
				t.Errorf("base URL, home, mode = %q, %q, %q", rep.BaseURL, rep.Home, rep.Mode)
			}
			if rep.Stats.Pages != 13 || rep.Stats.Requests != 0 {
				t.Errorf("pages, requests = %d, %d, want 13, 0", rep.Stats.Pages, rep.Stats.Requests)
			}
			if !rep.Broken() {
				t.Errorf("Broken() = false, want true")
			}
		})
	}
}

func TestDiskFindingDetails(t *testing.T) {
	cfg := DefaultConfig()
	cfg.Target = buildDiskSite(t)
	rep, err := Check(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	get := func(page, target string) Finding {
		for _, f := range rep.Findings {
			if f.Page == page && f.Target == target {
				return f
			}
		}
		t.Fatalf("no finding %s -> %s", page, target)
		return Finding{}
	}
	tests := []struct {
		page, target string
		want         Finding
	}{
		{"/index.html", "/missing.html", Finding{Line: 12, Source: "a href", Raw: "missing.html", Detail: "no file missing.html"}},
		{"/index.html", "/img/srcset-missing.png", Finding{Line: 30, Source: "img srcset", Raw: "img/srcset-missing.png", Detail: "no file img/srcset-missing.png"}},
		{"/index.html", "/index.html#%E7%AC%AC%E4%B8%89%E7%AB%A0", Finding{Line: 21, Source: "a href", Raw: "#%E7%AC%AC%E4%B8%89%E7%AB%A0", Detail: `no element with id or name "第三章" in index.html`}},
		{"/index.html", "/empty-dir/", Finding{Line: 41, Source: "a href", Raw: "empty-dir/", Detail: "folder empty-dir/ has no index.html"}},
		{"/css/site.css", "/img/bg-missing.png", Finding{Line: 3, Source: "css url", Raw: "../img/bg-missing.png", Detail: "no file img/bg-missing.png"}},
		{"/bad-utf8.html", "", Finding{Detail: "declared utf-8 but the page is not valid UTF-8"}},
	}
	for _, tt := range tests {
		f := get(tt.page, tt.target)
		got := Finding{Line: f.Line, Source: f.Source, Raw: f.Raw, Detail: f.Detail}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%s -> %s (-want +got):\n%s", tt.page, tt.target, diff)
		}
	}
}

// TestDiskBaseURL checks where the base URL comes from and that links to
// it are resolved on disk, while other absolute links stay external.
func TestDiskBaseURL(t *testing.T) {
	const body = `<a href="https://www.example.gov.cn/sub/a.html">a</a> <a href="https://www.example.gov.cn/sub/gone.html">gone</a> <a href="/sub/a.html">root-relative</a>`
	tests := []struct {
		name     string
		head     string
		baseURL  string
		wantBase string
		want     []string
	}{
		{"flag with path", "", "https://www.example.gov.cn/sub/", "https://www.example.gov.cn/sub/", []string{
			"/index.html | /gone.html | broken | error",
		}},
		{"flag wins over canonical", `<link rel="canonical" href="https://other.example.org/">`, "https://www.example.gov.cn/sub", "https://www.example.gov.cn/sub/", []string{
			"/index.html | /gone.html | broken | error",
		}},
		{"meta Url", `<meta name="Url" content="https://www.example.gov.cn/sub/index.html">`, "", "https://www.example.gov.cn/sub/", []string{
			"/index.html | /gone.html | broken | error",
		}},
		{"none: absolute links are external, root-relative ones are on disk", "", "", "", []string{
			"/index.html | /sub/a.html | broken | error",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			writeFile(t, filepath.Join(dir, "index.html"), []byte(`<!DOCTYPE html><html><head><meta charset="utf-8">`+tt.head+`</head><body>`+body+`</body></html>`))
			writeFile(t, filepath.Join(dir, "a.html"), []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body></body></html>`))
			cfg := DefaultConfig()
			cfg.Target, cfg.BaseURL = dir, tt.baseURL
			rep, err := Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(sorted(tt.want), keys(rep.Findings)); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if rep.BaseURL != tt.wantBase {
				t.Errorf("base URL = %q, want %q", rep.BaseURL, tt.wantBase)
			}
		})
	}
}

// TestDiskExternal checks that external links are left alone without
// External and checked over HTTP, once per target, with it.
func TestDiskExternal(t *testing.T) {
	var mu sync.Mutex
	hits := map[string]int{}
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("fine"))
	})
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write([]byte(`<!DOCTYPE html><html><head><title>外部页面</title></head><body><h1 id="sec">节</h1></body></html>`))
	})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		hits[r.Method+" "+r.URL.Path]++
		mu.Unlock()
		mux.ServeHTTP(w, r)
	}))
	defer srv.Close()

	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "index.html"), []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>
<a href="`+srv.URL+`/ok">ok</a> <a href="`+srv.URL+`/ok">twice</a>
<a href="`+srv.URL+`/missing">404</a>
<a href="`+srv.URL+`/page.html#sec">ok</a> <a href="`+srv.URL+`/page.html#nosec">fragment</a>
</body></html>`))
	for _, external := range []bool{false, true} {
		clear(hits)
		cfg := testConfig()
		cfg.Target, cfg.External = dir, external
		rep, err := Check(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		var want []string
		wantHits := map[string]int{}
		if external {
			want = []string{
				"/index.html | /missing | broken | error",
				"/index.html | /page.html#nosec | fragment | error",
			}
			wantHits = map[string]int{"HEAD /ok": 1, "HEAD /missing": 1, "GET /page.html": 1}
		}
		if diff := cmp.Diff(sorted(want), keys(rep.Findings, srv.URL, "")); diff != "" {
			t.Errorf("external=%v: findings (-want +got):\n%s", external, diff)
		}
		mu.Lock()
		// The soft-404 probe is one GET of a random path; count it apart.
		probes := 0
		for k, n := range hits {
			if strings.HasPrefix(k, "GET /gongkai-linkcheck-probe-") {
				probes += n
				delete(hits, k)
			}
		}
		if diff := cmp.Diff(wantHits, hits); diff != "" {
			t.Errorf("external=%v: requests (-want +got):\n%s", external, diff)
		}
		mu.Unlock()
		if probes > 1 {
			t.Errorf("external=%v: %d soft-404 probes, want at most 1", external, probes)
		}
	}
}
