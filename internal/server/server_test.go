package server

import (
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func site(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, s := range files {
		full := filepath.Join(dir, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func get(t *testing.T, srv *httptest.Server, path string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestFiles(t *testing.T) {
	root := t.TempDir()
	pub := filepath.Join(root, "public")
	os.Rename(site(t, map[string]string{
		"index.html":            "<h1>首页</h1>",
		"404.html":              "<h1>页面不存在</h1>",
		"policy/a/index.html":   "policy a",
		"static/style.abc.css":  "body{}",
		".git/config":           "secret",
		"empty/readme.txt":      "x",
		"feeds/all.rss.xml":     "<rss/>",
		"attachments/form.xlsx": "PK",
		"subscribe/feeds.opml":  "<opml/>",
	}), pub)
	os.WriteFile(filepath.Join(root, "outside.txt"), []byte("outside"), 0o644)
	os.Symlink(filepath.Join(root, "outside.txt"), filepath.Join(pub, "escape.txt"))
	h, files := Handler(Options{Dir: pub})
	defer files.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	for _, tc := range []struct {
		path, wantType string
		wantCode       int
		wantBody       string
	}{
		{"/", "text/html; charset=utf-8", 200, "首页"},
		{"/policy/a/", "text/html; charset=utf-8", 200, "policy a"},
		{"/static/style.abc.css", "text/css; charset=utf-8", 200, "body{}"},
		{"/feeds/all.rss.xml", "application/rss+xml; charset=utf-8", 200, "<rss/>"},
		{"/subscribe/feeds.opml", "text/x-opml; charset=utf-8", 200, "<opml/>"},
		{"/attachments/form.xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", 200, "PK"},
		{"/nope/", "text/html; charset=utf-8", 404, "页面不存在"},
		{"/.git/config", "text/html; charset=utf-8", 404, "页面不存在"},
		{"/empty/", "text/html; charset=utf-8", 404, "页面不存在"}, // no listing
		{"/escape.txt", "text/html; charset=utf-8", 404, "页面不存在"},
	} {
		resp, body := get(t, srv, tc.path)
		if resp.StatusCode != tc.wantCode || resp.Header.Get("Content-Type") != tc.wantType || !strings.Contains(body, tc.wantBody) {
			t.Errorf("GET %s = %d %q %q, want %d %q containing %q", tc.path, resp.StatusCode, resp.Header.Get("Content-Type"), body, tc.wantCode, tc.wantType, tc.wantBody)
		}
		for _, hname := range []string{"Content-Security-Policy", "X-Content-Type-Options", "Referrer-Policy"} {
			if resp.Header.Get(hname) == "" {
				t.Errorf("GET %s lacks %s", tc.path, hname)
			}
		}
	}
	if resp, _ := get(t, srv, "/policy/a"); resp.StatusCode != 301 || resp.Header.Get("Location") != "/policy/a/" {
		t.Errorf("GET /policy/a = %d → %q, want 301 → /policy/a/", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := get(t, srv, "/static/style.abc.css"); !strings.Contains(resp.Header.Get("Cache-Control"), "immutable") {
		t.Errorf("fingerprinted asset Cache-Control = %q", resp.Header.Get("Cache-Control"))
	}
	resp, _ := get(t, srv, "/policy/a/")
	etag := resp.Header.Get("ETag")
	if etag == "" || resp.Header.Get("Last-Modified") == "" {
		t.Fatalf("no ETag/Last-Modified: %v", resp.Header)
	}
	if resp, _ := get(t, srv, "/policy/a/", "If-None-Match", etag); resp.StatusCode != 304 {
		t.Errorf("conditional GET with ETag = %d, want 304", resp.StatusCode)
	}
	if resp, _ := get(t, srv, "/policy/a/", "If-Modified-Since", resp.Header.Get("Last-Modified")); resp.StatusCode != 304 {
		t.Errorf("conditional GET with If-Modified-Since = %d, want 304", resp.StatusCode)
	}
}

// TestPicksUpSwap replaces the folder the way a build does (rename) and
// checks that the running handler serves the new one.
func TestPicksUpSwap(t *testing.T) {
	root := t.TempDir()
	pub := filepath.Join(root, "public")
	os.Rename(site(t, map[string]string{"index.html": "old build"}), pub)
	h, files := Handler(Options{Dir: pub})
	defer files.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	if _, body := get(t, srv, "/"); body != "old build" {
		t.Fatalf("body = %q", body)
	}
	next := site(t, map[string]string{"index.html": "new build"})
	os.Rename(pub, pub+".old")
	os.Rename(next, pub)
	os.RemoveAll(pub + ".old")
	if _, body := get(t, srv, "/"); body != "new build" {
		t.Errorf("after swap body = %q, want new build", body)
	}
}

// TestRequestKeepsItsGeneration holds a generation the way an in-flight
// request does, swaps a new build in, and checks that the held generation
// still serves its files until released, and is closed after.
func TestRequestKeepsItsGeneration(t *testing.T) {
	root := t.TempDir()
	pub := filepath.Join(root, "public")
	os.Rename(site(t, map[string]string{"index.html": "gen1"}), pub)
	files := &Files{Dir: pub}
	defer files.Close()
	g1, release1, err := files.acquire()
	if err != nil {
		t.Fatal(err)
	}
	next := site(t, map[string]string{"index.html": "gen2"})
	os.Rename(pub, pub+".old")
	os.Rename(next, pub)
	g2, release2, err := files.acquire()
	if err != nil {
		t.Fatal(err)
	}
	defer release2()
	if g1 == g2 {
		t.Fatal("a swapped-in build did not start a new generation")
	}
	for _, tc := range []struct {
		g    *generation
		want string
	}{{g1, "gen1"}, {g2, "gen2"}} {
		f, err := tc.g.root.Open("index.html")
		if err != nil {
			t.Fatalf("generation %s: %v", tc.want, err)
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if string(b) != tc.want {
			t.Errorf("generation %s serves %q", tc.want, b)
		}
	}
	release1()
	release1() // a second release is a no-op
	if _, err := g1.root.Stat("index.html"); err == nil {
		t.Error("the replaced generation is still open after its last request")
	}
	if _, err := g2.root.Stat("index.html"); err != nil {
		t.Errorf("the current generation was closed: %v", err)
	}
}

// TestGone answers a withdrawn page 410 with the build's notice, and every
// other page as before.
func TestGone(t *testing.T) {
	root := t.TempDir()
	pub, gone := filepath.Join(root, "public"), filepath.Join(root, "public.search", "gone")
	os.Rename(site(t, map[string]string{
		"index.html":    "home",
		"404.html":      "not found",
		"policy/x.html": "<h1>本信息已撤回</h1>",
	}), pub)
	os.MkdirAll(filepath.Join(gone, "policy"), 0o755)
	os.WriteFile(filepath.Join(gone, "policy", "x.html"), nil, 0o644)
	os.WriteFile(filepath.Join(gone, "policy", "missing.html"), nil, 0o644)
	h, files := Handler(Options{Dir: pub, Gone: gone})
	defer files.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, tc := range []struct {
		path     string
		wantCode int
		wantBody string
	}{
		{"/policy/x.html", 410, "本信息已撤回"},
		{"/policy/missing.html", 410, "410 gone"},
		{"/", 200, "home"},
		{"/policy/y.html", 404, "not found"},
	} {
		resp, body := get(t, srv, tc.path)
		if resp.StatusCode != tc.wantCode || !strings.Contains(body, tc.wantBody) {
			t.Errorf("GET %s = %d %q, want %d with %q", tc.path, resp.StatusCode, body, tc.wantCode, tc.wantBody)
		}
	}
}
