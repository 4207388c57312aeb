package linkcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// budgetServer answers each path in its own way and counts the requests.
func budgetServer(t *testing.T) (*httptest.Server, *counter) {
	t.Helper()
	var (
		hits counter
		mu   sync.Mutex
		seen = map[string]int{}
	)
	ok := func(w http.ResponseWriter) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok"))
	}
	mux := http.NewServeMux()
	mux.HandleFunc("/ok/", func(w http.ResponseWriter, r *http.Request) { ok(w) })
	mux.HandleFunc("/timeout/", func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(10 * time.Second):
		case <-r.Context().Done():
		}
	})
	mux.HandleFunc("/429-twice", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.URL.Path]++
		n := seen[r.URL.Path]
		mu.Unlock()
		if n <= 2 {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
			return
		}
		ok(w)
	})
	mux.HandleFunc("/429-long", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	mux.HandleFunc("/500", func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	})
	srv := httptest.NewServer(hits.wrap(mux))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// externalSite writes a one-page site linking to each path of srv.
func externalSite(t *testing.T, srv *httptest.Server, paths ...string) string {
	t.Helper()
	dir := t.TempDir()
	var b strings.Builder
	for _, p := range paths {
		fmt.Fprintf(&b, "<a href=\"%s%s\">x</a>\n", srv.URL, p)
	}
	writeFile(t, filepath.Join(dir, "index.html"), []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>t</title></head><body>`+b.String()+`</body></html>`))
	return dir
}

// TestRetryBudgets checks that errors, timeouts and rate limits each have
// a budget of their own.
func TestRetryBudgets(t *testing.T) {
	tests := []struct {
		name         string
		path         string
		config       func(*Config)
		wantRequests int
		want         []string // "kind | detail"
	}{
		{"timeouts are retried once by default, whatever the error retries", "/timeout/a", func(c *Config) { c.MaxRetries = 5 },
			2, []string{"broken | timeout after 300ms"}},
		{"no timeout retries", "/timeout/a", func(c *Config) { c.TimeoutRetries = 0 },
			1, []string{"broken | timeout after 300ms"}},
		{"429 is retried with no error retries left", "/429-twice", func(c *Config) { c.MaxRetries = 0 },
			3, nil},
		{"429 asking for more than the longest wait", "/429-long", func(*Config) {},
			1, []string{"rate-limited | still HTTP 429 after retrying; not verified"}},
		{"429 waits past the rate-limit budget", "/429-twice", func(c *Config) { c.RateLimitWait = 1500 * time.Millisecond },
			2, []string{"rate-limited | still HTTP 429 after retrying; not verified"}},
		{"5xx is retried within the error retries", "/500", func(c *Config) { c.MaxRetries = 2 },
			3, []string{"broken | HTTP 500 Internal Server Error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv, hits := budgetServer(t)
			cfg := testConfig()
			cfg.Target, cfg.External = externalSite(t, srv, tt.path), true
			tt.config(&cfg)
			rep, err := Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range rep.Findings {
				got = append(got, string(f.Kind)+" | "+f.Detail)
			}
			if diff := cmp.Diff(tt.want, got); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if n := hits.count(tt.path); n != tt.wantRequests {
				t.Errorf("requests for %s = %d, want %d", tt.path, n, tt.wantRequests)
			}
		})
	}
}

// TestCircuitBreaker checks that an external host that times out on
// several URLs in a row is not asked again, while the site being crawled
// is never cut off.
func TestCircuitBreaker(t *testing.T) {
	var paths []string
	for i := range 6 {
		paths = append(paths, fmt.Sprintf("/timeout/%d", i))
	}
	t.Run("external host", func(t *testing.T) {
		for _, limit := range []int{0, 3} {
			srv, hits := budgetServer(t)
			cfg := testConfig()
			cfg.Target, cfg.External, cfg.HostTimeouts = externalSite(t, srv, paths...), true, limit
			rep, err := Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			notSent := 0
			var got []string
			for _, f := range rep.Findings {
				got = append(got, strings.TrimPrefix(f.Target, srv.URL)+" | "+string(f.Kind))
				if strings.HasPrefix(f.Detail, "not requested: "+strings.TrimPrefix(srv.URL, "http://")+" timed out on 3 different URLs in a row (circuit breaker)") {
					notSent++
				}
			}
			want := []string{"/timeout/0 | broken", "/timeout/1 | broken", "/timeout/2 | broken", "/timeout/3 | broken", "/timeout/4 | broken", "/timeout/5 | broken"}
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("host timeouts %d: findings (-want +got):\n%s", limit, diff)
			}
			n := hits.count("/timeout/")
			switch limit {
			case 0:
				if n != 12 || notSent != 0 {
					t.Errorf("breaker off: %d requests, %d links not requested; want 12 (6 links, 2 attempts each), 0", n, notSent)
				}
			default:
				// Three URLs must time out to open the breaker; two more
				// attempts may be in flight (2 per host) or be retries of
				// the first two.
				if n < 3 || n > 6 || notSent == 0 {
					t.Errorf("breaker at 3: %d requests, %d links not requested; want 3 to 6, at least 1", n, notSent)
				}
			}
			if rep.Stats.Requests != hits.count("") {
				t.Errorf("Stats.Requests = %d, the server saw %d", rep.Stats.Requests, hits.count(""))
			}
		}
	})

	t.Run("host that answers in between", func(t *testing.T) {
		// One request at a time, in link order: never three timeouts in a
		// row, so every link is requested.
		srv, hits := budgetServer(t)
		cfg := testConfig()
		cfg.Concurrency, cfg.HostConcurrency, cfg.External = 1, 1, true
		cfg.Target = externalSite(t, srv, "/timeout/0", "/timeout/1", "/ok/a", "/timeout/2", "/timeout/3", "/ok/b", "/timeout/4")
		rep, err := Check(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 5 {
			t.Errorf("%d findings, want 5 (the slow links):\n%v", len(rep.Findings), keys(rep.Findings, srv.URL, ""))
		}
		for _, f := range rep.Findings {
			if f.Detail != "timeout after 300ms" {
				t.Errorf("%s: %s; want a timeout", f.Target, f.Detail)
			}
		}
		if n := hits.count("/timeout/"); n != 10 {
			t.Errorf("requests for the slow links = %d, want 10 (5 links, 2 attempts each)", n)
		}
	})

	t.Run("crawled site", func(t *testing.T) {
		srv, hits := budgetServer(t)
		page := `<!DOCTYPE html><html><head><meta charset="utf-8"><title>首页</title></head><body>`
		for _, p := range paths {
			page += `<a href="` + p + `.html">slow</a> `
		}
		for i := range 4 {
			page += fmt.Sprintf(`<a href="/ok/%d.html">ok</a> `, i)
		}
		site := http.NewServeMux()
		site.HandleFunc("/{$}", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(page + `</body></html>`))
		})
		site.Handle("/", srv.Config.Handler)
		own := httptest.NewServer(site)
		defer own.Close()
		cfg := testConfig()
		cfg.Target, cfg.HostTimeouts = own.URL+"/", 1
		rep, err := Check(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		if len(rep.Findings) != 6 {
			t.Errorf("%d findings, want 6 (the slow pages):\n%v", len(rep.Findings), keys(rep.Findings, own.URL, ""))
		}
		for _, f := range rep.Findings {
			if f.Detail != "timeout after 300ms" {
				t.Errorf("%s: %s; want a timeout, each URL requested", f.Target, f.Detail)
			}
		}
		if n := hits.count("/timeout/"); n != 12 {
			t.Errorf("requests for the slow pages = %d, want 12 (6 pages, 2 attempts each)", n)
		}
		if n := hits.count("/ok/"); n != 4 {
			t.Errorf("requests for the other pages = %d, want 4", n)
		}
	})
}

// TestBreakerCountFixed checks that a request still in flight when the
// breaker trips, and timing out after, does not change the message of
// the links held back: CI once saw the fourth timeout land between two
// of them.
func TestBreakerCountFixed(t *testing.T) {
	var g hostGate
	for i := range 4 {
		if err := g.tripped("h"); (err != nil) != (i == 3) {
			t.Fatalf("before timeout %d: tripped = %v", i, err)
		}
		g.timeout(fmt.Sprintf("/t/%d", i), 3)
	}
	err := g.tripped("h")
	if err == nil || err.Error() != "not requested: h timed out on 3 different URLs in a row (circuit breaker)" {
		t.Errorf("after a fourth timeout: %v", err)
	}
	g.answered()
	if err := g.tripped("h"); err != nil {
		t.Errorf("after an answer: %v", err)
	}
}
