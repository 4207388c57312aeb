package requests

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// backend is one database the suite runs against.
type backend struct {
	name string
	open func(t testing.TB) *Store
}

// backends returns SQLite and PostgreSQL. PostgreSQL needs a server: its
// DSN in GONGKAI_TEST_POSTGRES (.ci/postgres.sh starts one); without it the
// PostgreSQL half skips with a message, or fails when
// GONGKAI_REQUIRE_POSTGRES=1.
func backends() []backend {
	return []backend{
		{DriverSQLite, func(t testing.TB) *Store {
			return openTestStore(t, StoreOptions{Driver: DriverSQLite, Source: filepath.Join(t.TempDir(), "requests.db")})
		}},
		{DriverPostgres, func(t testing.TB) *Store {
			return openTestStore(t, StoreOptions{Driver: DriverPostgres, Source: PostgresTestDSN(t)})
		}},
	}
}

// forEachBackend runs fn as a subtest on each database.
func forEachBackend(t *testing.T, fn func(t *testing.T, b backend)) {
	for _, b := range backends() {
		t.Run(b.name, func(t *testing.T) { fn(t, b) })
	}
}

// PostgresTestDSN returns the DSN of a fresh schema on the test server,
// dropped when the test ends.
func PostgresTestDSN(t testing.TB) string {
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
	schema := "gk_test_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err != nil {
			return
		}
		defer db.Close()
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
	})
	sep := "?"
	if strings.Contains(base, "?") {
		sep = "&"
	}
	return base + sep + "search_path=" + schema
}

func openTestStore(t testing.TB, o StoreOptions) *Store {
	t.Helper()
	s, err := OpenStore(context.Background(), o)
	if err != nil {
		t.Fatalf("OpenStore(%s): %v", o.Driver, err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.UseKey(context.Background(), testSealer(t)); err != nil {
		t.Fatal(err)
	}
	return s
}

var testKey = strings.Repeat("5a", 32)

func testSealer(t testing.TB) *Sealer {
	k, err := ParseKey(testKey)
	if err != nil {
		t.Fatal(err)
	}
	s, err := NewSealer(k)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// testSnapshot is a small site: two agencies, a notice whose window is open
// in October 2026 and one that closed in September, and the 2026 calendar.
func testSnapshot() *Snapshot {
	s := &Snapshot{
		Settings: Settings{Driver: DriverSQLite, Path: "x.db", KeyEnv: "K", RetentionDays: 365, SubmissionsPerHour: 10, LookupsPerHour: 60},
		Agencies: []Option{{"fgw", "云泽市发展和改革委员会"}, {"czj", "云泽市财政局"}},
		Notices: []NoticeInfo{
			{ID: "open-notice", Title: "关于公开征求意见的公告", URL: "/notice/open-notice.html", Agency: "云泽市发展和改革委员会", Opens: "2026-09-20", Closes: "2026-10-31"},
			{ID: "old-notice", Title: "已截止的公告", URL: "/notice/old-notice.html", Agency: "云泽市财政局", Opens: "2026-08-01", Closes: "2026-09-15"},
		},
		Calendar: CalendarData{Years: []int{2026}, Workdays: []string{"2026-01-04", "2026-02-14", "2026-02-28", "2026-05-09", "2026-09-20", "2026-10-10"}},
	}
	for _, r := range [][2]string{{"2026-01-01", "2026-01-03"}, {"2026-02-15", "2026-02-23"}, {"2026-04-04", "2026-04-06"},
		{"2026-05-01", "2026-05-05"}, {"2026-06-19", "2026-06-21"}, {"2026-09-25", "2026-09-27"}, {"2026-10-01", "2026-10-07"}} {
		a, _ := time.Parse(time.DateOnly, r[0])
		b, _ := time.Parse(time.DateOnly, r[1])
		for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
			s.Calendar.Holidays = append(s.Calendar.Holidays, d.Format(time.DateOnly))
		}
	}
	return s
}

func day(s string) time.Time {
	t, err := time.ParseInLocation(time.DateOnly, s, China)
	if err != nil {
		panic(err)
	}
	return t
}

// clock is a settable clock for the service.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	c.t = t
	c.mu.Unlock()
}

// jsonRender renders a view as JSON, so tests read exactly what the
// templates would get; the theme's templates are tested through the CLI.
func jsonRender(w io.Writer, r *http.Request, v *View) error { return json.NewEncoder(w).Encode(v) }

// env is a running service over real HTTP on 127.0.0.1.
type env struct {
	t     testing.TB
	store *Store
	snap  *Snapshot
	clock *clock
	srv   *httptest.Server
	svc   *Service
}

type envOptions struct {
	submissionsPerHour, lookupsPerHour int
	store                              *Store
}

func newEnv(t testing.TB, b backend, o envOptions) *env {
	t.Helper()
	e := &env{t: t, snap: testSnapshot(), clock: &clock{t: time.Date(2026, 9, 30, 10, 0, 0, 0, China)}}
	e.store = o.store
	if e.store == nil {
		e.store = b.open(t)
	}
	if o.submissionsPerHour == 0 {
		o.submissionsPerHour = 1_000_000
	}
	if o.lookupsPerHour == 0 {
		o.lookupsPerHour = 1_000_000
	}
	svc, err := NewService(ServiceOptions{Store: e.store, Sealer: testSealer(t), Site: func() (*Snapshot, error) { return e.snap, nil },
		Render: jsonRender, Now: e.clock.Now, SubmissionsPerHour: o.submissionsPerHour, LookupsPerHour: o.lookupsPerHour})
	if err != nil {
		t.Fatal(err)
	}
	e.svc = svc
	mux := http.NewServeMux()
	for _, p := range Patterns {
		mux.Handle(p, svc)
	}
	e.srv = httptest.NewServer(mux)
	t.Cleanup(e.srv.Close)
	return e
}

// browser is an HTTP client with its own cookies, like one person's browser.
type browser struct {
	e *env
	c *http.Client
}

func (e *env) browser() *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{e: e, c: &http.Client{Jar: jar, Timeout: 30 * time.Second}}
}

// page is a decoded response.
type page struct {
	Code int
	View struct {
		Page     string
		TitleKey string
		Status   int
		Data     json.RawMessage
	}
	Raw string
}

func (p *page) data(v any) {
	if err := json.Unmarshal(p.View.Data, v); err != nil {
		panic(err)
	}
}

func (b *browser) do(req *http.Request) *page {
	b.e.t.Helper()
	resp, err := b.c.Do(req)
	if err != nil {
		b.e.t.Fatalf("%s %s: %v", req.Method, req.URL.Path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	p := &page{Code: resp.StatusCode, Raw: string(body)}
	if strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") && len(body) > 0 {
		if err := json.Unmarshal(body, &p.View); err != nil {
			b.e.t.Fatalf("%s %s: body is not a view: %v\n%s", req.Method, req.URL.Path, err, body)
		}
	}
	return p
}

func (b *browser) get(path string) *page {
	req, _ := http.NewRequest(http.MethodGet, b.e.srv.URL+path, nil)
	return b.do(req)
}

func (b *browser) post(path string, form url.Values) *page {
	req, _ := http.NewRequest(http.MethodPost, b.e.srv.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.do(req)
}

// token loads a form and returns its token.
func (b *browser) token(path string) string {
	b.e.t.Helper()
	p := b.get(path)
	var f struct{ Token string }
	p.data(&f)
	if p.Code != 200 || f.Token == "" {
		b.e.t.Fatalf("GET %s = %d, token %q", path, p.Code, f.Token)
	}
	return f.Token
}

// validApplication is a complete application from a natural person.
func validApplication() url.Values {
	return url.Values{
		"applicant_type": {"natural"}, "name": {"张三"}, "id_type": {"resident_id"}, "id_number": {"11010519491231002X"},
		"phone": {"13800138000"}, "email": {"zhangsan@example.com"}, "address": {"云泽市云湖区政通路1号"}, "postcode": {"519900"},
		"agency": {"fgw"}, "description": {"2025年云泽市停车服务收费标准调整的成本监审报告"}, "format": {"electronic"}, "delivery": {"email"},
	}
}

// submit loads the form and submits v; it returns the response.
func (b *browser) submit(v url.Values) *page {
	v = cloneValues(v)
	v.Set("token", b.token("/apply/"))
	return b.post("/apply/", v)
}

func cloneValues(v url.Values) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// receiptOf decodes a receipt page.
func receiptOf(t *testing.T, p *page) ReceiptView {
	t.Helper()
	if p.Code != 200 || p.View.Page != "receipt" {
		t.Fatalf("want a receipt, got %d %s: %s", p.Code, p.View.Page, p.Raw)
	}
	var r ReceiptView
	p.data(&r)
	return r
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
