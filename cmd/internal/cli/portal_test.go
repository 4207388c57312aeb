package cli

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/andybalholm/brotli"
)

// TestProductionBuildNeedsIdentity removes each required identity field
// from the tiny site in turn: `gongkai build` fails with the field's exact
// position and leaves public/ alone, `gongkai build -preview` builds with
// a warning instead.
func TestProductionBuildNeedsIdentity(t *testing.T) {
	for _, tc := range []struct {
		name, line, repl, want string
	}{
		{"site code", `site_id_code: "5100000001"`, ``, `content/site.yaml:1: site_id_code: required (网站标识码) for a production build; ` + "`gongkai build --preview`" + ` builds without it`},
		{"site code shape", `site_id_code: "5100000001"`, `site_id_code: "51000"`, `content/site.yaml:3: site_id_code: want the 10-character 网站标识码 (ten digits, or bm and eight digits), got "51000"`},
		{"sponsor", `  sponsor: 测试市人民政府办公室`, ``, `content/site.yaml:5: identity.sponsor: required (主办单位)`},
		{"operator", `  operator: 测试市大数据中心`, ``, `content/site.yaml:5: identity.operator: required (承办单位)`},
		{"icp", `  icp: 测ICP备00000000号-1`, ``, `content/site.yaml:5: identity.icp: required (ICP备案号)`},
		{"icp shape", `  icp: 测ICP备00000000号-1`, `  icp: ICP 12345`, `content/site.yaml:8: identity.icp: want an ICP filing number such as 京ICP备05070218号-1, got "ICP 12345"`},
		{"police record", `  police_record: 测公网安备00000000000001号`, ``, `content/site.yaml:5: identity.police_record: required (公安机关备案号)`},
		{"police record shape", `  police_record: 测公网安备00000000000001号`, `  police_record: 测公网安备123号`, `content/site.yaml:9: identity.police_record: want a public-security filing number`},
		{"badge", `  badge: identity/badge.svg`, ``, `content/site.yaml:5: identity.badge: required (党政机关网站标识)`},
		{"badge file", `  badge: identity/badge.svg`, `  badge: identity/missing.png`, `content/site.yaml:10: identity.badge: cannot read content/identity/missing.png`},
		{"badge outside content", `  badge: identity/badge.svg`, `  badge: ../secret.png`, `content/site.yaml:10: identity.badge: want a path under content/`},
		{"contact", "  phone: 028-00000000\n  email: gk@test.gov.cn", ``, `content/site.yaml:5: identity.phone: required (联系方式: phone or email)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := writeSite(t, tinySite)
			p := filepath.Join(site, "content/site.yaml")
			src, _ := os.ReadFile(p)
			if !bytes.Contains(src, []byte(tc.line+"\n")) {
				t.Fatalf("tiny site has no line %q", tc.line)
			}
			repl := tc.repl
			if repl != "" {
				repl += "\n"
			}
			os.WriteFile(p, bytes.Replace(src, []byte(tc.line+"\n"), []byte(repl), 1), 0o644)
			out := filepath.Join(site, "public")
			code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01")
			if code != 1 || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "public/ was not changed") {
				t.Errorf("production build: exit %d, want 1 with %q:\n%s", code, tc.want, stderr)
			}
			if _, err := os.Stat(out); err == nil {
				t.Errorf("a failed build wrote %s", out)
			}
			code, stdout, stderr := run(t, "build", "-preview", "-source", site, "-out", out, "-date", "2024-12-01")
			if code != 0 || !strings.Contains(stderr, "warning: ") || !strings.Contains(stdout, "built ") {
				t.Errorf("preview build: exit %d, want 0 with a warning:\n%s\n%s", code, stdout, stderr)
			}
			// check reports the same problem once, as the inspection's
			// IDENTITY rule: "path:line: IDENTITY: 标签 (field): message".
			loc, rest, _ := strings.Cut(tc.want, ": ")
			field, msg, _ := strings.Cut(rest, ": ")
			code, stdout, stderr = run(t, "check", "-source", site, "-out", filepath.Join(site, "other"))
			if code != 1 || !strings.Contains(stdout, loc+": IDENTITY: ") || !strings.Contains(stdout, "("+field+"): "+msg) {
				t.Errorf("check: exit %d, want 1 with IDENTITY at %s for %s: %q:\n%s", code, loc, field, msg, stdout)
			}
			if strings.Contains(stderr, tc.want) {
				t.Errorf("check reports the identity problem twice, as a content problem too:\n%s", stderr)
			}
		})
	}
}

// TestServeBuild serves a real build: pages come as br, gzip or identity by
// Accept-Encoding with an ETag per encoding, under the base path when the
// build has one, and /api/search answers CORS for the origins site.yaml
// allows and no others.
func TestServeBuild(t *testing.T) {
	site := writeSite(t, tinySite)
	p := filepath.Join(site, "content/site.yaml")
	src, _ := os.ReadFile(p)
	os.WriteFile(p, append(src, []byte("api:\n  cors_origins: [https://www.test.gov.cn]\n")...), 0o644)
	out := filepath.Join(site, "public")
	if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01", "-base-url", "https://www.test.gov.cn/zfxxgk/"); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	page, err := os.ReadFile(filepath.Join(out, "policy", "index.html"))
	if err != nil {
		t.Fatal(err)
	}
	srv := serveOut(t, out)
	get := func(path string, hdr ...string) (*http.Response, []byte) {
		t.Helper()
		req, _ := http.NewRequest("GET", srv.URL+path, nil)
		for i := 0; i+1 < len(hdr); i += 2 {
			req.Header.Set(hdr[i], hdr[i+1])
		}
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, b
	}
	etags := map[string]bool{}
	for _, enc := range []string{"br", "gzip", "identity"} {
		resp, body := get("/zfxxgk/policy/", "Accept-Encoding", enc)
		got := body
		switch enc {
		case "br":
			got, err = io.ReadAll(brotli.NewReader(bytes.NewReader(body)))
		case "gzip":
			var zr *gzip.Reader
			if zr, err = gzip.NewReader(bytes.NewReader(body)); err == nil {
				got, err = io.ReadAll(zr)
			}
		}
		wantEnc := enc
		if enc == "identity" {
			wantEnc = ""
		}
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != wantEnc || err != nil || !bytes.Equal(got, page) ||
			resp.Header.Get("Vary") != "Accept-Encoding" || resp.Header.Get("Content-Type") != "text/html; charset=utf-8" {
			t.Errorf("GET /zfxxgk/policy/ (%s) = %d, Content-Encoding %q, Vary %q, decoded %d bytes (%v), want the %d bytes of policy/index.html",
				enc, resp.StatusCode, resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"), len(got), err, len(page))
		}
		etags[resp.Header.Get("ETag")] = true
		if r, _ := get("/zfxxgk/policy/", "Accept-Encoding", enc, "If-None-Match", resp.Header.Get("ETag")); r.StatusCode != 304 {
			t.Errorf("revalidating the %s copy = %d, want 304", enc, r.StatusCode)
		}
	}
	if len(etags) != 3 {
		t.Errorf("ETags %v, want one per encoding", etags)
	}
	if resp, _ := get("/"); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/zfxxgk/" {
		t.Errorf("GET / = %d → %q, want a redirect to the base path", resp.StatusCode, resp.Header.Get("Location"))
	}
	if resp, _ := get("/policy/"); resp.StatusCode != 404 {
		t.Errorf("GET /policy/ (outside the base path) = %d, want 404", resp.StatusCode)
	}
	resp, _ := get("/zfxxgk/api/search?q=预算", "Origin", "https://www.test.gov.cn")
	if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "https://www.test.gov.cn" {
		t.Errorf("API from the allowed origin: %d, ACAO %q", resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
	}
	resp, _ = get("/zfxxgk/api/search?q=预算", "Origin", "https://elsewhere.example")
	if resp.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("API from another origin: ACAO %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	req, _ := http.NewRequest("OPTIONS", srv.URL+"/zfxxgk/api/search", nil)
	req.Header.Set("Origin", "https://www.test.gov.cn")
	req.Header.Set("Access-Control-Request-Method", "GET")
	presp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	presp.Body.Close()
	if presp.StatusCode != 204 || presp.Header.Get("Access-Control-Allow-Methods") != "GET, HEAD" {
		t.Errorf("preflight: %d %v", presp.StatusCode, presp.Header)
	}
}
