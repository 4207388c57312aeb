package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"

	"gongkai/staticsearch"
)

const brotliModule = "/usr/lib/nginx/modules/ngx_http_brotli_static_module.so"

// nginxExample runs docs/nginx-zfxxgk.conf in a real nginx on 127.0.0.1,
// over the sample portal built under /zfxxgk/ (out, served by h): pages
// come as br, gzip or identity with Vary, the search page through the
// proxy, missing pages get the site's 404 page and a withdrawn page its
// notice with 410; the static search's packs are read in ranges, and with
// the service stopped the search page is the static search's. It skips when nginx or the brotli_static module is
// missing, unless GONGKAI_REQUIRE_NGINX=1.
func nginxExample(t *testing.T, out string, h http.Handler) {
	bin, err := exec.LookPath("nginx")
	if err != nil {
		bin = "/usr/sbin/nginx"
	}
	if _, err := os.Stat(bin); err != nil {
		nginxSkip(t, "no nginx (apt-get install -y nginx libnginx-mod-http-brotli-static)")
	}
	if _, err := os.Stat(brotliModule); err != nil {
		nginxSkip(t, "no brotli_static module at "+brotliModule+" (apt-get install -y libnginx-mod-http-brotli-static)")
	}
	example, err := os.ReadFile("../../../docs/nginx-zfxxgk.conf")
	if err != nil {
		t.Fatal(err)
	}
	// A withdrawn page: its mark, and the page (its notice) in place.
	if err := os.MkdirAll(filepath.Join(out+".search", "gone", "page"), 0o755); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(filepath.Join(out+".search", "gone", "page", "withdrawn-test.html"), nil, 0o644)
	os.WriteFile(filepath.Join(out, "page", "withdrawn-test.html"), []byte("<p>本信息已撤回</p>"), 0o644)

	search := httptest.NewServer(h)
	defer search.Close()
	port := freePort(t)
	conf := string(example)
	for old, repl := range map[string]string{
		"/srv/gongkai/public":          out,
		"listen 443 ssl;":              "listen 127.0.0.1:" + port + ";",
		"http://127.0.0.1:1313":        search.URL,
		"server_name www.yunze.gov.cn": "server_name 127.0.0.1",
	} {
		if !strings.Contains(conf, old) {
			t.Fatalf("the example no longer has %q", old)
		}
		conf = strings.ReplaceAll(conf, old, repl)
	}
	dir := t.TempDir()
	user := ""
	if os.Geteuid() == 0 {
		user = "user root;\n" // the test's folders are private to it
	}
	full := fmt.Sprintf(`%sload_module %s;
worker_processes 1;
pid %[3]s/nginx.pid;
error_log %[3]s/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log off;
    client_body_temp_path %[3]s/body;
    proxy_temp_path %[3]s/proxy;
    fastcgi_temp_path %[3]s/fastcgi;
    uwsgi_temp_path %[3]s/uwsgi;
    scgi_temp_path %[3]s/scgi;
%s
}
`, user, brotliModule, dir, conf)
	cfg := filepath.Join(dir, "nginx.conf")
	if err := os.WriteFile(cfg, []byte(full), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command(bin, "-t", "-p", dir, "-c", cfg).CombinedOutput(); err != nil {
		t.Fatalf("nginx -t: %v\n%s", err, out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "-p", dir, "-c", cfg, "-g", "daemon off;")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatal(err)
	}
	defer func() {
		cancel()
		cmd.Wait()
	}()
	base := "http://127.0.0.1:" + port
	waitUp(t, base+"/zfxxgk/", &stderr)

	get := func(path, accept string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", base+path, nil)
		req.Header.Set("Accept-Encoding", accept)
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	page, err := os.ReadFile(filepath.Join(out, "policy", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, enc := range []string{"br", "gzip", "identity"} {
		resp, body := get("/zfxxgk/policy/", enc)
		got, err := decode(resp.Header.Get("Content-Encoding"), body)
		want := map[string]string{"br": "br", "gzip": "gzip", "identity": ""}[enc]
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != want || err != nil || !bytes.Equal(got, page) {
			t.Errorf("nginx GET /zfxxgk/policy/ (%s) = %d, Content-Encoding %q, %d bytes decoded (%v); want %q and policy/index.html",
				enc, resp.StatusCode, resp.Header.Get("Content-Encoding"), len(got), err, want)
		}
		if enc != "identity" && !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("nginx GET /zfxxgk/policy/ (%s): Vary %q", enc, resp.Header.Get("Vary"))
		}
	}
	css := ""
	for _, e := range mustReadDir(t, filepath.Join(out, "static")) {
		if strings.HasPrefix(e, "style.") && strings.HasSuffix(e, ".css") {
			css = e
		}
	}
	if resp, _ := get("/zfxxgk/static/"+css, "br"); resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("Cache-Control") == "" {
		t.Errorf("nginx static %s: %d, Content-Encoding %q, Cache-Control %q", css, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Cache-Control"))
	}
	// The static search: the manifest revalidated every time, its chunks
	// and client (content-named, under static/) cached for ever.
	resp, body := get("/zfxxgk/search/index.json", "gzip")
	var man struct {
		Table struct {
			Facets string `json:"facets"`
		} `json:"table"`
		Blocks []string `json:"blocks"`
	}
	plain, err := decode(resp.Header.Get("Content-Encoding"), body)
	if err == nil {
		err = json.Unmarshal(plain, &man)
	}
	if resp.StatusCode != 200 || err != nil || man.Table.Facets == "" || resp.Header.Get("Cache-Control") != "no-cache" || resp.Header.Get("Content-Encoding") != "gzip" {
		t.Errorf("nginx static search manifest: %d, Cache-Control %q, Content-Encoding %q, %v", resp.StatusCode,
			resp.Header.Get("Cache-Control"), resp.Header.Get("Content-Encoding"), err)
	}
	for _, p := range []string{"static/search/" + man.Table.Facets, staticsearch.ClientPath()} {
		if resp, _ := get("/zfxxgk/"+p, "gzip"); resp.StatusCode != 200 || !strings.Contains(resp.Header.Get("Cache-Control"), "max-age=315360000") {
			t.Errorf("nginx static search %s: %d, Cache-Control %q", p, resp.StatusCode, resp.Header.Get("Cache-Control"))
		}
	}
	// The documents' packs are read in ranges.
	if len(man.Blocks) == 0 {
		t.Fatal("nginx static search manifest: no blocks")
	}
	req, _ := http.NewRequest("GET", base+"/zfxxgk/static/search/d/"+man.Blocks[0]+".bin", nil)
	req.Header.Set("Range", "bytes=4-11")
	if resp, err := http.DefaultTransport.RoundTrip(req); err != nil {
		t.Fatal(err)
	} else {
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusPartialContent || len(b) != 8 {
			t.Errorf("nginx range of a static search pack: %d, %d bytes, want 206 and 8", resp.StatusCode, len(b))
		}
	}
	resp, body = get("/zfxxgk/search?q="+url.QueryEscape("补贴"), "identity")
	if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`action="/zfxxgk/search"`)) || !bytes.Contains(body, []byte("<mark>补贴</mark>")) {
		t.Errorf("nginx → search: %d\n%.300s", resp.StatusCode, body)
	}
	if bytes.Contains(body, []byte(`id="gk-search"`)) {
		t.Errorf("nginx → search: the static search page while the service is up")
	}
	if resp, body := get("/zfxxgk/subscribe/feeds.opml", "identity"); resp.StatusCode != 200 ||
		resp.Header.Get("Content-Type") != "text/x-opml; charset=utf-8" || !bytes.Contains(body, []byte("<opml")) {
		t.Errorf("nginx OPML file: %d, Content-Type %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	resp, body = get("/zfxxgk/no-such-page/", "identity")
	if resp.StatusCode != 404 || !bytes.Contains(body, []byte("页面不存在")) {
		t.Errorf("nginx missing page: %d\n%.300s", resp.StatusCode, body)
	}
	resp, body = get("/zfxxgk/page/withdrawn-test.html", "identity")
	if resp.StatusCode != 410 || !bytes.Contains(body, []byte("本信息已撤回")) {
		t.Errorf("nginx withdrawn page: %d\n%.300s", resp.StatusCode, body)
	}

	// The search service stops: the results page is the static search's,
	// the API answers 502.
	search.Close()
	resp, body = get("/zfxxgk/search?q="+url.QueryEscape("补贴"), "identity")
	static, err := os.ReadFile(filepath.Join(out, "search", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 || !bytes.Equal(body, static) || !bytes.Contains(body, []byte(`id="gk-search"`)) ||
		!strings.Contains(resp.Header.Get("Content-Security-Policy"), "script-src 'self'") || resp.Header.Get("Cache-Control") != "no-cache" {
		t.Errorf("nginx → search, service down: %d, Content-Security-Policy %q, Cache-Control %q, want 200 and search/index.html\n%.300s",
			resp.StatusCode, resp.Header.Get("Content-Security-Policy"), resp.Header.Get("Cache-Control"), body)
	}
	if resp, _ := get("/zfxxgk/api/search?q="+url.QueryEscape("补贴"), "identity"); resp.StatusCode != http.StatusBadGateway {
		t.Errorf("nginx → api/search, service down: %d, want 502", resp.StatusCode)
	}
}

func nginxSkip(t *testing.T, reason string) {
	t.Helper()
	if os.Getenv("GONGKAI_REQUIRE_NGINX") == "1" {
		t.Fatal(reason + " (GONGKAI_REQUIRE_NGINX=1)")
	}
	t.Skip(reason)
}

func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	_, port, _ := net.SplitHostPort(ln.Addr().String())
	return port
}

func waitUp(t *testing.T, u string, stderr *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if resp, err := http.Get(u); err == nil {
			resp.Body.Close()
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("nginx did not answer %s\n%s", u, stderr.String())
}

func decode(enc string, b []byte) ([]byte, error) {
	switch enc {
	case "br":
		return io.ReadAll(brotli.NewReader(bytes.NewReader(b)))
	case "gzip":
		zr, err := gzip.NewReader(bytes.NewReader(b))
		if err != nil {
			return nil, err
		}
		return io.ReadAll(zr)
	}
	return b, nil
}

func mustReadDir(t *testing.T, dir string) []string {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range es {
		out = append(out, e.Name())
	}
	return out
}
