package cli

import (
	"bufio"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	_ "github.com/jackc/pgx/v5/stdlib"
	_ "modernc.org/sqlite"

	"gongkai/generator"
	"gongkai/requests"
	"gongkai/themes"
)

// The open notice of the sample (comment window 16 November to 15
// December 2026) and a closed one.
const (
	openNotice   = "11519900mb1500103c-2026-00501"
	closedNotice = "11519900mb1500406f-2026-00502"
)

// sampleWithRequests copies the sample portal into a temporary site folder
// with the requests service on the given database; dsnEnv names the
// variable holding PostgreSQL's DSN.
func sampleWithRequests(t testing.TB, driver string) string {
	t.Helper()
	site := t.TempDir()
	if err := os.CopyFS(filepath.Join(site, "content"), os.DirFS("../../../content")); err != nil {
		t.Fatal(err)
	}
	yml := filepath.Join(site, "content/site.yaml")
	data, _ := os.ReadFile(yml)
	s := string(data)
	switch driver {
	case "off":
		i := strings.Index(s, "\nrequests:\n")
		j := strings.Index(s, "\n# 主题分类")
		s = s[:i+1] + s[j+1:]
	case "postgres":
		t.Setenv("GONGKAI_TEST_REQUESTS_DSN", postgresDSN(t))
		s = strings.Replace(s, "database: {driver: sqlite, path: private/requests.db}", "database: {driver: postgres, dsn_env: GONGKAI_TEST_REQUESTS_DSN}", 1)
	}
	if err := os.WriteFile(yml, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
	return site
}

// postgresDSN returns a fresh schema on the test server (see
// requests/helpers_test.go): skipped without one, a failure when
// GONGKAI_REQUIRE_POSTGRES=1.
func postgresDSN(t testing.TB) string {
	base := os.Getenv("GONGKAI_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("GONGKAI_REQUIRE_POSTGRES") == "1" {
			t.Fatal("PostgreSQL required (GONGKAI_REQUIRE_POSTGRES=1) but GONGKAI_TEST_POSTGRES is not set")
		}
		t.Skip("PostgreSQL: GONGKAI_TEST_POSTGRES is not set; `. .ci/postgres.sh` starts a throwaway server")
	}
	db, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	b := make([]byte, 6)
	rand.Read(b)
	schema := "gk_cli_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if db, err := sql.Open("pgx", base); err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *testClock) now() time.Time  { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *testClock) set(t time.Time) { c.mu.Lock(); c.t = t; c.mu.Unlock() }

var cst = time.FixedZone("CST", 8*3600)

// serveSample builds the site and serves it with the service, as `serve`
// does, on a real HTTP server on 127.0.0.1.
func serveSample(t *testing.T, site string, clock *testClock) (*httptest.Server, siteFlags) {
	t.Helper()
	sf := siteFlags{source: site, out: filepath.Join(site, "public"), date: "2026-11-20"}
	if code, _, stderr := run(t, "build", "-source", site, "-out", sf.out, "-date", sf.date); code != 0 {
		t.Fatalf("build: exit %d\n%s", code, stderr)
	}
	log := slog.New(slog.DiscardHandler)
	h, files, err := siteHandler(sf, true, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { files.Close() })
	h, closer, err := withRequests(context.Background(), sf, h, io.Discard, log, clock.now)
	if err != nil {
		t.Fatal(err)
	}
	if closer != nil {
		t.Cleanup(func() { closer.Close() })
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, sf
}

type webClient struct {
	t   *testing.T
	srv *httptest.Server
	c   *http.Client
}

func newWebClient(t *testing.T, srv *httptest.Server) *webClient {
	jar, _ := cookiejar.New(nil)
	return &webClient{t: t, srv: srv, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

func (w *webClient) doc(method, path string, form url.Values) (int, *goquery.Document) {
	w.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, w.srv.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := w.c.Do(req)
	if err != nil {
		w.t.Fatal(err)
	}
	defer resp.Body.Close()
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		w.t.Fatalf("%s %s: content type %q", method, path, ct)
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") {
		w.t.Errorf("%s %s: CSP %q", method, path, csp)
	}
	d, err := goquery.NewDocumentFromReader(resp.Body)
	if err != nil {
		w.t.Fatal(err)
	}
	return resp.StatusCode, d
}

// submitForm loads the form, fills it like a person with JavaScript off
// (every field of the page's form, the hidden token included) and posts it.
func (w *webClient) submitForm(path string, values map[string]string) (int, *goquery.Document) {
	w.t.Helper()
	code, d := w.doc(http.MethodGet, path, nil)
	if code != 200 {
		w.t.Fatalf("GET %s: %d", path, code)
	}
	form := url.Values{}
	d.Find("form.req-form input[type=hidden]").Each(func(_ int, s *goquery.Selection) {
		form.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	d.Find("form.req-form input[name=website]").Each(func(_ int, s *goquery.Selection) { form.Set("website", "") })
	for k, v := range values {
		form.Set(k, v)
	}
	return w.doc(http.MethodPost, path, form)
}

var person = map[string]string{
	"applicant_type": "natural", "name": "=HYPERLINK(\"x\")张三", "id_type": "resident_id", "id_number": "11010519491231002X",
	"phone": "13800138000", "email": "zhangsan@example.com", "agency": "fgw",
	"description": "2025年停车服务收费标准调整的成本监审报告", "format": "electronic", "delivery": "email",
}

// TestRequestsSample runs the sample portal with the service on SQLite and
// PostgreSQL through real HTTP and the real theme, then the staff commands:
// the form, a refused form with its messages, the receipt, the status page,
// a comment, correction, extension, reply, close, statistics that a report
// includes, check comparing the report, export and purge.
func TestRequestsSample(t *testing.T) {
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			site := sampleWithRequests(t, driver)
			clock := &testClock{t: time.Date(2025, 11, 20, 9, 30, 0, 0, cst)} // a Thursday
			srv, sf := serveSample(t, site, clock)
			w := newWebClient(t, srv)

			code, d := w.doc(http.MethodGet, "/apply/", nil)
			if code != 200 || d.Find("select#f-agency option").Length() != 14 || d.Find("input#f-website").Length() != 1 ||
				d.Find(`nav.site-nav a[aria-current="page"][href="/apply/"]`).Length() != 1 || d.Find("h1").Text() != "在线提交政府信息公开申请" {
				t.Fatalf("GET /apply/: %d, %d agency options; page:\n%s", code, d.Find("select#f-agency option").Length(), d.Find("main").Text())
			}
			if d.Find(`a[href="/forms/zhengfu-xinxi-gongkai-shenqingbiao.docx"]`).Length() != 1 {
				t.Error("the form page does not offer the application form for download")
			}

			bad := map[string]string{}
			for k, v := range person {
				bad[k] = v
			}
			bad["id_number"] = "110105194912310021"
			bad["email"] = ""
			code, d = w.submitForm("/apply/", bad)
			if code != http.StatusUnprocessableEntity {
				t.Fatalf("invalid form: %d", code)
			}
			if msg := d.Find("#e-id_number").Text(); !strings.Contains(msg, "校验码") {
				t.Errorf("message next to id_number: %q", msg)
			}
			if d.Find(`#f-id_number[aria-invalid="true"][aria-describedby~="e-id_number"]`).Length() != 1 ||
				d.Find(`.error-summary a[href="#f-email"]`).Length() != 1 {
				t.Error("the invalid fields are not marked for assistive technology or not in the summary")
			}
			if v := d.Find("#f-name").AttrOr("value", ""); v != person["name"] {
				t.Errorf("the form lost the typed name: %q", v)
			}

			code, d = w.submitForm("/apply/", person)
			caseNo := strings.TrimSpace(d.Find(".receipt dd").Eq(1).Text())
			tracking := d.Find("#tracking-code").Text()
			if code != 200 || !regexp.MustCompile(`^[0-7][0-9A-Z]{4}(-[0-9A-Z]{5}){3}-[0-9A-Z]{6}$`).MatchString(tracking) || caseNo != "2025-000001" {
				t.Fatalf("receipt: %d code %q case %q\n%s", code, tracking, caseNo, d.Find("main").Text())
			}
			if got := d.Find(".receipt dd time").Eq(1).Text() + " " + d.Find(".receipt dd time").Eq(2).Text(); got != "2025-11-20 2025-12-18" {
				t.Errorf("received and deadline: %s, want 2025-11-20 2025-12-18", got)
			}
			if strings.Contains(d.Text(), "11010519491231002X") {
				t.Error("the receipt shows the identity number")
			}
			status := func() *goquery.Document {
				code, d := w.doc(http.MethodPost, "/apply/status", url.Values{"code": {tracking}})
				if code != 200 {
					t.Fatalf("status: %d", code)
				}
				if txt := d.Find("main").Text(); strings.Contains(txt, "张三") || strings.Contains(txt, "13800138000") {
					t.Error("the status page shows personal data")
				}
				return d
			}
			if s := status().Find(".stage").Text(); s != "已收到，正在办理" {
				t.Errorf("stage %q", s)
			}

			// Staff steps from the command line.
			req := func(args ...string) string {
				t.Helper()
				code, out, stderr := run(t, append(append([]string{"requests"}, args...), "-out", sf.out)...)
				if code != 0 {
					t.Fatalf("gongkai requests %v: exit %d\n%s%s", args, code, out, stderr)
				}
				return out
			}
			if out := req("list", "-stage", "open"); !strings.Contains(out, caseNo) || !strings.Contains(out, "2025-12-18") {
				t.Errorf("list:\n%s", out)
			}
			if out := req("correct", caseNo, "-note", "请写明文件名称", "-date", "2025-11-25"); !strings.Contains(out, "correction until 2025-12-16") {
				t.Errorf("correct:\n%s", out)
			}
			if s := status().Find(".stage").Text(); s != "待补正" {
				t.Errorf("stage during correction %q", s)
			}
			if out := req("correct", caseNo, "-received", "-date", "2025-12-01"); !strings.Contains(out, "reply due 2025-12-29") {
				t.Errorf("correction received:\n%s", out)
			}
			if out := req("extend", caseNo, "-note", "需要调取档案", "-date", "2025-12-20"); !strings.Contains(out, "reply due 2026-01-27") {
				t.Errorf("extend:\n%s", out)
			}
			if code, _, stderr := run(t, "requests", "extend", caseNo, "-note", "again", "-out", sf.out, "-date", "2025-12-22"); code != 1 || !strings.Contains(stderr, "only once") {
				t.Errorf("second extension: exit %d %s", code, stderr)
			}
			req("reply", caseNo, "-type", "disclosed", "-date", "2025-12-26")
			if s := status().Find(".status-result dd").Text(); !strings.Contains(s, "予以公开") {
				t.Errorf("status after reply: %q", s)
			}
			req("close", caseNo, "-date", "2025-12-30")
			show := req("show", caseNo)
			for _, want := range []string{"11010519491231002X", "2025-11-25  correction, correction due 2025-12-16", "2025-12-01  corrected → reply due 2025-12-29",
				"2025-12-20  extended, 20 working days → reply due 2026-01-27", "note: 需要调取档案", "disclosed 予以公开"} {
				if !strings.Contains(show, want) {
					t.Errorf("show lacks %q:\n%s", want, show)
				}
			}
			// A second applicant, a business, left open over the year end.
			biz := map[string]string{"applicant_type": "business", "name": "云泽市某某科技有限公司", "id_type": "uscc", "id_number": "91350100M000100Y43",
				"contact_person": "李四", "phone": "0899-62001234", "agency": "czj", "description": "2025年财政专项资金分配明细", "format": "paper", "delivery": "pickup"}
			if code, d := w.submitForm("/apply/", biz); code != 200 {
				t.Fatalf("business application: %d %s", code, d.Find("main").Text())
			}

			// A comment on the open notice, in November 2026.
			clock.set(time.Date(2026, 11, 20, 10, 0, 0, 0, cst))
			page, _ := os.ReadFile(filepath.Join(sf.out, "notice", openNotice+".html"))
			if !strings.Contains(string(page), `href="/notice/`+openNotice+`/comment"`) {
				t.Error("the open notice's page does not link to the comment form")
			}
			page, _ = os.ReadFile(filepath.Join(sf.out, "notice", closedNotice+".html"))
			if strings.Contains(string(page), "/comment") {
				t.Error("a closed notice links to the comment form")
			}
			code, d = w.submitForm("/notice/"+openNotice+"/comment", map[string]string{"comment": "建议夜间免费停车。", "commenter": "赵六"})
			if code != 200 || !strings.Contains(d.Find(".receipt").Text(), "感谢您的意见") {
				t.Fatalf("comment: %d %s", code, d.Find("main").Text())
			}
			if code, d = w.doc(http.MethodGet, "/notice/"+closedNotice+"/comment", nil); code != 200 || !strings.Contains(d.Text(), "意见征集已经结束") || d.Find("form.req-form").Length() != 0 {
				t.Errorf("closed notice: %d", code)
			}
			if out := req("list", "-comments"); !strings.Contains(out, "建议夜间免费停车") {
				t.Errorf("comments:\n%s", out)
			}

			// Table 3 for 2025 as YAML, included in the 2025 report.
			stats := req("stats", "-year", "2025")
			for _, want := range []string{"  new: [1, 1, 0, 0, 0, 0, 2]", "  disclosed: [1, 0, 0, 0, 0, 0, 1]", "  total: [1, 0, 0, 0, 0, 0, 1]",
				"  carried_forward: [0, 1, 0, 0, 0, 0, 1]", "  withheld:\n    state_secret: [0, 0, 0, 0, 0, 0, 0]"} {
				if !strings.Contains(stats, want) {
					t.Errorf("stats lacks %q:\n%s", want, stats)
				}
			}
			// check compares the published report with the database once the
			// database covers the whole year.
			backdate(t, driver, site)
			report := filepath.Join(site, "content/reports/2025-szf.md")
			code, _, stderr := run(t, "check", "-source", site, "-out", sf.out, "-date", "2026-11-20")
			if code != 0 || !strings.Contains(stderr, "content/reports/2025-szf.md:") || !strings.Contains(stderr, "applications.new: warning: the report says [186 42 3 5 9 2 247], the requests database counts [1 1 0 0 0 0 2]") {
				t.Errorf("check with a disagreeing report: exit %d\n%s", code, stderr)
			}
			src, _ := os.ReadFile(report)
			i, j := strings.Index(string(src), "applications:\n"), strings.Index(string(src), "review:\n")
			os.WriteFile(report, []byte(string(src[:i])+stats+string(src[j:])), 0o644)
			// The departments' 2025 reports, which this test leaves alone,
			// still disagree with its database; the government's agrees now.
			if code, _, stderr := run(t, "check", "-source", site, "-out", sf.out, "-date", "2026-11-20"); code != 0 || strings.Contains(stderr, "2025-szf.md") {
				t.Errorf("check with the included statistics: exit %d\n%s", code, stderr)
			}

			// Export: personal data for staff, formulas neutralised.
			csvOut := req("export")
			if !strings.Contains(csvOut, `'=HYPERLINK`) || !strings.Contains(csvOut, "11010519491231002X") {
				t.Errorf("export:\n%s", csvOut)
			}
			// Purge after the retention period: personal data gone, the
			// counts stay.
			if out := req("purge", "-date", "2029-01-05"); !strings.Contains(out, "purged personal data of 1 cases") {
				t.Errorf("purge: %s", out)
			}
			if show := req("show", caseNo); strings.Contains(show, "11010519491231002X") || !strings.Contains(show, "purged on 2029-01-05") {
				t.Errorf("after purge:\n%s", show)
			}
			if again := req("stats", "-year", "2025"); again != stats {
				t.Errorf("purge changed the statistics:\n%s", again)
			}
			// Nothing personal in any public output.
			filepath.WalkDir(site, func(p string, d fs.DirEntry, err error) error {
				if err != nil || d.IsDir() || strings.Contains(p, "/private/") {
					return nil
				}
				b, _ := os.ReadFile(p)
				if strings.Contains(string(b), "11010519491231002X") || strings.Contains(string(b), "13800138000") {
					t.Errorf("%s holds personal data", p)
				}
				return nil
			})
		})
	}
}

// backdate makes the database look as if it began before 2025, so check
// compares the 2025 report with it.
func backdate(t *testing.T, driver, site string) {
	t.Helper()
	var db *sql.DB
	var err error
	if driver == "postgres" {
		db, err = sql.Open("pgx", os.Getenv("GONGKAI_TEST_REQUESTS_DSN"))
	} else {
		db, err = sql.Open("sqlite", filepath.Join(site, "private/requests.db"))
	}
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE meta SET value = '2024-12-01' WHERE name = 'created_on'"); err != nil {
		t.Fatal(err)
	}
}

// TestRequestsOff builds the sample without the service: /apply/ is a
// static page with the postal and in-person routes and the form to
// download, and no page links to the service.
func TestRequestsOff(t *testing.T) {
	site := sampleWithRequests(t, "off")
	out := filepath.Join(site, "public")
	if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2026-11-20"); code != 0 {
		t.Fatalf("build: %d\n%s", code, stderr)
	}
	page, err := os.ReadFile(filepath.Join(out, "apply/index.html"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"信函申请", "当面申请", `href="/forms/zhengfu-xinxi-gongkai-shenqingbiao.docx"`, "政通路1号"} {
		if !strings.Contains(string(page), want) {
			t.Errorf("/apply/ lacks %q", want)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "forms/zhengfu-xinxi-gongkai-shenqingbiao.docx")); err != nil {
		t.Error("the application form was not copied")
	}
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".html") {
			b, _ := os.ReadFile(p)
			if strings.Contains(string(b), "/apply/status") || strings.Contains(string(b), "/comment\"") {
				t.Errorf("%s links to the service", p)
			}
		}
		return nil
	})
	if _, err := os.Stat(filepath.Join(out+".search", "requests.json")); err == nil {
		t.Error("a build without the service wrote its snapshot")
	}
	// serve answers /apply/ with the static page.
	sf := siteFlags{source: site, out: out}
	h, files, _ := siteHandler(sf, true, slog.New(slog.DiscardHandler))
	defer files.Close()
	h, closer, err := withRequests(context.Background(), sf, h, io.Discard, slog.New(slog.DiscardHandler), time.Now)
	if err != nil || closer != nil {
		t.Fatalf("withRequests without the service: %v %v", closer, err)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/apply/", nil))
	if rec.Code != 200 || !strings.Contains(rec.Body.String(), "信函申请") || strings.Contains(rec.Body.String(), "name=\"token\"") {
		t.Errorf("/apply/ without the service: %d", rec.Code)
	}
}

// TestRequestsConfigErrors: the database must stay outside the folders a
// build replaces, and the settings are checked with their line.
func TestRequestsConfigErrors(t *testing.T) {
	for _, tc := range []struct{ from, to, want string }{
		{"path: private/requests.db", "path: public/requests.db", "requests.database.path: "},
		{"driver: sqlite", "driver: mysql", `requests.database.driver: want sqlite or postgres, got "mysql"`},
		{"key_file: private/requests.key", "key_file: \"\"", "requests.key_file: give exactly one of key_file and key_env"},
	} {
		site := sampleWithRequests(t, "sqlite")
		yml := filepath.Join(site, "content/site.yaml")
		b, _ := os.ReadFile(yml)
		os.WriteFile(yml, []byte(strings.Replace(string(b), tc.from, tc.to, 1)), 0o644)
		code, _, stderr := run(t, "check", "-source", site, "-out", filepath.Join(site, "public"), "-date", "2026-11-20")
		if code != 1 || !regexp.MustCompile(`content/site\.yaml:\d+: `+regexp.QuoteMeta(tc.want)).MatchString(stderr) {
			t.Errorf("%s: exit %d, want an error %q\n%s", tc.to, code, tc.want, stderr)
		}
	}
}

// TestRequestsThemeRenders renders every service page template with empty
// data, so a broken theme fails here and not on a citizen's screen.
func TestRequestsThemeRenders(t *testing.T) {
	th, err := generator.LoadTheme(themes.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	day := time.Date(2026, 11, 20, 0, 0, 0, 0, cst)
	for name, data := range map[string]any{
		"req-apply.html":   &requests.ApplyForm{},
		"req-receipt.html": &requests.ReceiptView{},
		"req-status.html": &requests.StatusView{Found: &requests.StatusInfo{Stage: requests.StageCorrection, CorrectionUntil: day,
			Steps: []requests.StepInfo{{Kind: requests.EvReceived, On: day, Deadline: day}, {Kind: requests.EvCorrection, On: day, Until: day}}}},
		"req-comment.html":      &requests.CommentForm{State: "open"},
		"req-comment-done.html": &requests.CommentDone{},
		"req-message.html":      &requests.Message{Key: "req_msg_not_found"},
	} {
		if err := th.Execute(io.Discard, name, data); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// TestRequestsSurviveKill runs the real binary, submits applications from
// several clients, kills the server with SIGKILL in the middle, restarts
// it, and looks up every receipt that was sent: none may be lost.
func TestRequestsSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "gongkai")
	if out, err := exec.Command("go", "build", "-o", bin, "gongkai/cmd/gongkai").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, driver := range []string{"sqlite", "postgres"} {
		t.Run(driver, func(t *testing.T) {
			site := sampleWithRequests(t, driver)
			// Many clients share 127.0.0.1 here: lift the per-address limit.
			yml := filepath.Join(site, "content/site.yaml")
			b, _ := os.ReadFile(yml)
			os.WriteFile(yml, []byte(strings.Replace(string(b), "{submissions_per_hour: 10, lookups_per_hour: 60}", "{submissions_per_hour: 100000, lookups_per_hour: 100000}", 1)), 0o644)
			out := filepath.Join(site, "public")
			if b, err := exec.Command(bin, "build", "-source", site, "-out", out, "-date", "2026-11-20").CombinedOutput(); err != nil {
				t.Fatalf("build: %v\n%s", err, b)
			}
			start := func() (*exec.Cmd, string) {
				cmd := exec.Command(bin, "serve", "-no-build", "-source", site, "-out", out, "-addr", "127.0.0.1:0")
				cmd.Env = os.Environ()
				stdout, _ := cmd.StdoutPipe()
				cmd.Stderr = os.Stderr
				if err := cmd.Start(); err != nil {
					t.Fatal(err)
				}
				sc := bufio.NewScanner(stdout)
				re := regexp.MustCompile(`at (http://127\.0\.0\.1:\d+)/`)
				for sc.Scan() {
					if m := re.FindStringSubmatch(sc.Text()); m != nil {
						go io.Copy(io.Discard, stdout)
						return cmd, m[1]
					}
				}
				cmd.Process.Kill()
				cmd.Wait()
				t.Fatal("the server did not say where it listens")
				return nil, ""
			}
			cmd, base := start()
			var mu sync.Mutex
			var receipts []string
			var sent atomic.Int64
			stop := make(chan struct{})
			var wg sync.WaitGroup
			for range 8 {
				wg.Go(func() {
					jar, _ := cookiejar.New(nil)
					c := &http.Client{Jar: jar, Timeout: 10 * time.Second}
					for {
						select {
						case <-stop:
							return
						default:
						}
						code, ok := submitOnce(c, base)
						if !ok {
							return // the server is gone
						}
						sent.Add(1)
						mu.Lock()
						receipts = append(receipts, code)
						mu.Unlock()
					}
				})
			}
			deadline := time.Now().Add(20 * time.Second)
			for sent.Load() < 60 && time.Now().Before(deadline) {
				time.Sleep(10 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			close(stop)
			wg.Wait()
			if len(receipts) < 60 {
				t.Fatalf("only %d receipts before the kill", len(receipts))
			}
			cmd, base = start()
			defer func() { cmd.Process.Kill(); cmd.Wait() }()
			lost := 0
			for _, code := range receipts {
				resp, err := http.PostForm(base+"/apply/status", url.Values{"code": {code}})
				if err != nil {
					t.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					t.Errorf("receipt %s: status lookup %d", code, resp.StatusCode)
					lost++
				}
			}
			t.Logf("%s: %d receipts sent before SIGKILL, %d lost after restart", driver, len(receipts), lost)
			if lost > 0 {
				t.Errorf("%d of %d receipted applications were lost", lost, len(receipts))
			}
		})
	}
}

var tokenRE = regexp.MustCompile(`name="token" value="([^"]+)"`)
var codeRE = regexp.MustCompile(`id="tracking-code">([^<]+)<`)

// submitOnce loads the form and submits an application; ok is false when
// the server did not answer with a complete receipt.
func submitOnce(c *http.Client, base string) (string, bool) {
	resp, err := c.Get(base + "/apply/")
	if err != nil {
		return "", false
	}
	b, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := tokenRE.FindSubmatch(b)
	if err != nil || m == nil {
		return "", false
	}
	form := url.Values{"token": {string(m[1])}}
	for k, v := range person {
		form.Set(k, v)
	}
	resp, err = c.PostForm(base+"/apply/", form)
	if err != nil {
		return "", false
	}
	b, err = io.ReadAll(resp.Body)
	resp.Body.Close()
	m = codeRE.FindSubmatch(b)
	if err != nil || resp.StatusCode != 200 || m == nil || !strings.Contains(string(b), "</html>") {
		return "", false
	}
	return string(m[1]), true
}
