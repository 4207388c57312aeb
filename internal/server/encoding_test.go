package server

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestPrecompressedNegotiation serves a page with .br and .gz copies and
// checks each Accept-Encoding: the right copy and Content-Encoding, the
// original's Content-Type, Vary: Accept-Encoding on every answer, an ETag
// per encoding, and conditional GETs that only match their own encoding.
func TestPrecompressedNegotiation(t *testing.T) {
	const page, br, gz = "<h1>政策文件</h1>", "BROTLI-BYTES", "GZIP-BYTES"
	dir := site(t, map[string]string{
		"policy/index.html":    page,
		"policy/index.html.br": br,
		"policy/index.html.gz": gz,
		"feeds/all.rss.xml":    "<rss/>",
		"feeds/all.rss.xml.gz": "GZ-ONLY",
		"plain.html":           "<p>no copies</p>",
		"404.html":             "<h1>页面不存在</h1>",
		"404.html.br":          "BR-404",
	})
	h, files := Handler(Options{Dir: dir})
	defer files.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()

	etags := map[string]string{}
	for _, tc := range []struct {
		path, accept, wantEnc, wantBody, wantType string
		wantCode                                  int
	}{
		{"/policy/", "br", "br", br, "text/html; charset=utf-8", 200},
		{"/policy/", "gzip, deflate, br, zstd", "br", br, "text/html; charset=utf-8", 200},
		{"/policy/", "gzip", "gzip", gz, "text/html; charset=utf-8", 200},
		{"/policy/", "br;q=0.5, gzip;q=0.8", "gzip", gz, "text/html; charset=utf-8", 200},
		{"/policy/", "br;q=0, gzip", "gzip", gz, "text/html; charset=utf-8", 200},
		{"/policy/", "*", "br", br, "text/html; charset=utf-8", 200},
		{"/policy/", "*;q=0, gzip", "gzip", gz, "text/html; charset=utf-8", 200},
		{"/policy/", "identity", "", page, "text/html; charset=utf-8", 200},
		{"/policy/", "deflate", "", page, "text/html; charset=utf-8", 200},
		{"/policy/", "br;q=0, gzip;q=0", "", page, "text/html; charset=utf-8", 200},
		{"/policy/", "", "", page, "text/html; charset=utf-8", 200},
		{"/feeds/all.rss.xml", "br, gzip", "gzip", "GZ-ONLY", "application/rss+xml; charset=utf-8", 200},
		{"/feeds/all.rss.xml", "br", "", "<rss/>", "application/rss+xml; charset=utf-8", 200},
		{"/plain.html", "br, gzip", "", "<p>no copies</p>", "text/html; charset=utf-8", 200},
		{"/missing/", "br", "br", "BR-404", "text/html; charset=utf-8", 404},
	} {
		resp, body := get(t, srv, tc.path, "Accept-Encoding", tc.accept)
		where := "GET " + tc.path + " (Accept-Encoding: " + tc.accept + ")"
		if resp.StatusCode != tc.wantCode || resp.Header.Get("Content-Encoding") != tc.wantEnc || body != tc.wantBody ||
			resp.Header.Get("Content-Type") != tc.wantType {
			t.Errorf("%s = %d, Content-Encoding %q, Content-Type %q, body %q; want %d, %q, %q, %q", where, resp.StatusCode,
				resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Type"), body, tc.wantCode, tc.wantEnc, tc.wantType, tc.wantBody)
		}
		vary := slices.Contains(resp.Header.Values("Vary"), "Accept-Encoding")
		if wantVary := tc.path != "/plain.html"; vary != wantVary {
			t.Errorf("%s: Vary %q; want Accept-Encoding %v", where, resp.Header.Values("Vary"), wantVary)
		}
		if tc.path == "/policy/" {
			tag := resp.Header.Get("ETag")
			if prev, ok := etags[tc.wantEnc]; ok && prev != tag {
				t.Errorf("%s: ETag %s, earlier %s for the same encoding", where, tag, prev)
			}
			etags[tc.wantEnc] = tag
		}
	}
	if len(etags) != 3 || etags["br"] == etags["gzip"] || etags["br"] == etags[""] || etags["gzip"] == etags[""] {
		t.Fatalf("ETags per encoding = %v; want three different ones", etags)
	}
	// A cached copy revalidates only against its own encoding.
	for enc, tag := range etags {
		accept := enc
		if enc == "" {
			accept = "identity"
		}
		if resp, _ := get(t, srv, "/policy/", "Accept-Encoding", accept, "If-None-Match", tag); resp.StatusCode != http.StatusNotModified {
			t.Errorf("If-None-Match %s with Accept-Encoding %s = %d, want 304", tag, accept, resp.StatusCode)
		}
	}
	if resp, _ := get(t, srv, "/policy/", "Accept-Encoding", "gzip", "If-None-Match", etags["br"]); resp.StatusCode != http.StatusOK {
		t.Errorf("gzip request revalidating the br ETag = %d, want 200 with the gzip copy", resp.StatusCode)
	}
	// A compressed copy is sent whole; ranges are served from the original.
	if resp, body := get(t, srv, "/policy/", "Accept-Encoding", "br", "Range", "bytes=0-3"); resp.StatusCode != 200 || body != br {
		t.Errorf("Range with br = %d %q, want 200 and the whole copy", resp.StatusCode, body)
	}
	if resp, body := get(t, srv, "/policy/", "Accept-Encoding", "identity", "Range", "bytes=0-3"); resp.StatusCode != 206 || body != page[:4] {
		t.Errorf("Range with identity = %d %q, want 206 and 4 bytes", resp.StatusCode, body)
	}
	// HEAD answers like GET without a body.
	req, _ := http.NewRequest(http.MethodHead, srv.URL+"/policy/", nil)
	req.Header.Set("Accept-Encoding", "br")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.Header.Get("Content-Encoding") != "br" || resp.Header.Get("Content-Length") != "12" {
		t.Errorf("HEAD br: Content-Encoding %q, Content-Length %q", resp.Header.Get("Content-Encoding"), resp.Header.Get("Content-Length"))
	}
}

func TestAcceptQ(t *testing.T) {
	for _, tc := range []struct {
		header, coding string
		want           float64
	}{
		{"", "br", 0},
		{"", "identity", 1},
		{"br", "br", 1},
		{"BR", "br", 1},
		{"gzip;q=0.5", "gzip", 0.5},
		{"gzip; q=0.5 , br;q=0.9", "br", 0.9},
		{"*;q=0.3", "br", 0.3},
		{"*;q=0.3, br;q=0", "br", 0},
		{"identity;q=0", "identity", 0},
		{"gzip;q=2", "gzip", 0},
		{"gzip;q=abc", "gzip", 0},
	} {
		if got := acceptQ(tc.header, tc.coding); got != tc.want {
			t.Errorf("acceptQ(%q, %q) = %v, want %v", tc.header, tc.coding, got, tc.want)
		}
	}
}

func TestUnderPrefix(t *testing.T) {
	dir := site(t, map[string]string{"index.html": "home", "policy/index.html": "policies", "404.html": "not found"})
	for _, redirectRoot := range []bool{false, true} {
		h, files := Handler(Options{Dir: dir, Prefix: "/zfxxgk/", RedirectRoot: redirectRoot})
		srv := httptest.NewServer(h)
		for _, tc := range []struct {
			path     string
			code     int
			body, to string
		}{
			{"/zfxxgk/", 200, "home", ""},
			{"/zfxxgk/policy/", 200, "policies", ""},
			{"/zfxxgk/policy", 301, "", "/zfxxgk/policy/"},
			{"/zfxxgk", 302, "", "/zfxxgk/"},
			{"/zfxxgk/nope/", 404, "not found", ""},
			{"/policy/", 404, "404 page not found", ""},
			{"/zfxxgkx/", 404, "404 page not found", ""},
		} {
			resp, body := get(t, srv, tc.path)
			if resp.StatusCode != tc.code || !strings.Contains(body, tc.body) || resp.Header.Get("Location") != tc.to {
				t.Errorf("GET %s = %d %q → %q, want %d %q → %q", tc.path, resp.StatusCode, body, resp.Header.Get("Location"), tc.code, tc.body, tc.to)
			}
			if resp.Header.Get("Content-Security-Policy") == "" {
				t.Errorf("GET %s lacks the security headers", tc.path)
			}
		}
		resp, _ := get(t, srv, "/")
		if redirectRoot && (resp.StatusCode != 302 || resp.Header.Get("Location") != "/zfxxgk/") {
			t.Errorf("preview: GET / = %d → %q, want 302 → /zfxxgk/", resp.StatusCode, resp.Header.Get("Location"))
		}
		if !redirectRoot && resp.StatusCode != 404 {
			t.Errorf("production: GET / = %d, want 404 (the rest of the host is the portal's)", resp.StatusCode)
		}
		srv.Close()
		files.Close()
	}
}

func TestCORS(t *testing.T) {
	api := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet {
			w.WriteHeader(http.StatusMethodNotAllowed)
			return
		}
		w.Write([]byte(`{"total":0}`))
	})
	const allowed = "https://www.yunze.gov.cn"
	h := CORS([]string{allowed}, api)
	do := func(method string, hdr ...string) *http.Response {
		req := httptest.NewRequest(method, "/api/search?q=x", nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		return w.Result()
	}
	if r := do("GET", "Origin", allowed); r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != allowed || !slices.Contains(r.Header.Values("Vary"), "Origin") {
		t.Errorf("GET from an allowed origin: %d, ACAO %q, Vary %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"), r.Header.Values("Vary"))
	}
	if r := do("GET", "Origin", "https://evil.example"); r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("GET from another origin: %d, ACAO %q; want the answer without CORS headers", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
	}
	if r := do("GET"); r.StatusCode != 200 || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("same-origin GET: %d, ACAO %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
	}
	r := do("OPTIONS", "Origin", allowed, "Access-Control-Request-Method", "GET")
	if r.StatusCode != 204 || r.Header.Get("Access-Control-Allow-Origin") != allowed || r.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD" ||
		r.Header.Get("Access-Control-Max-Age") == "" || !slices.Contains(r.Header.Values("Vary"), "Access-Control-Request-Method") {
		t.Errorf("preflight from an allowed origin: %d %v", r.StatusCode, r.Header)
	}
	if r := do("OPTIONS", "Origin", allowed, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "accept-language"); r.StatusCode != 204 || r.Header.Get("Access-Control-Allow-Headers") != "accept-language" {
		t.Errorf("preflight with a safelisted header: %d, Allow-Headers %q", r.StatusCode, r.Header.Get("Access-Control-Allow-Headers"))
	}
	for _, hdr := range [][]string{
		{"Origin", "https://evil.example", "Access-Control-Request-Method", "GET"},
		{"Origin", allowed, "Access-Control-Request-Method", "POST"},
		{"Origin", allowed, "Access-Control-Request-Method", "GET", "Access-Control-Request-Headers", "x-token"},
	} {
		if r := do("OPTIONS", hdr...); r.StatusCode != 403 || r.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Errorf("preflight %v: %d, ACAO %q; want 403 without CORS headers", hdr, r.StatusCode, r.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	// No origins configured: no CORS at all, preflights go to the API (405).
	none := CORS(nil, api)
	req := httptest.NewRequest("OPTIONS", "/api/search", nil)
	req.Header.Set("Origin", allowed)
	req.Header.Set("Access-Control-Request-Method", "GET")
	w := httptest.NewRecorder()
	none.ServeHTTP(w, req)
	if w.Code != 405 || w.Header().Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("no allow-list: preflight = %d, ACAO %q", w.Code, w.Header().Get("Access-Control-Allow-Origin"))
	}
}
