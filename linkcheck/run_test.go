package linkcheck

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

func TestProgressLine(t *testing.T) {
	var buf bytes.Buffer
	cfg := DefaultConfig()
	cfg.Target = buildDiskSite(t)
	cfg.Progress = &buf
	if _, err := Check(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	out := buf.String()
	if !strings.HasPrefix(out, "\rlinkcheck: 13 pages scanned, ") || !strings.Contains(out, "broken so far") || !strings.HasSuffix(out, "\n") {
		t.Errorf("progress output = %q, want a redrawn line with the final counts and a newline", out)
	}
}

// TestCheckErrors checks the failures that stop a check, as opposed to
// findings.
func TestCheckErrors(t *testing.T) {
	robots := func(status int, body string) *httptest.Server {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/robots.txt" {
				w.WriteHeader(status)
				fmt.Fprint(w, body)
				return
			}
			fmt.Fprint(w, "<!DOCTYPE html><title>ok</title>")
		}))
		t.Cleanup(srv.Close)
		return srv
	}
	broken := robots(http.StatusInternalServerError, "")
	closed := robots(http.StatusOK, "User-agent: *\nDisallow: /\n")
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	tests := []struct {
		name    string
		ctx     context.Context
		config  func(*Config)
		wantErr string
	}{
		{"missing folder", context.Background(), func(c *Config) { c.Target = filepath.Join(t.TempDir(), "nope") }, "open site"},
		{"bad exclude", context.Background(), func(c *Config) { c.Target = t.TempDir(); c.Exclude = []string{"("} }, "exclude"},
		{"bad base URL", context.Background(), func(c *Config) { c.Target = t.TempDir(); c.BaseURL = "example.gov.cn" }, "base URL"},
		{"robots.txt unavailable", context.Background(), func(c *Config) { c.Target = broken.URL + "/" }, "HTTP 500"},
		{"start disallowed", context.Background(), func(c *Config) { c.Target = closed.URL + "/" }, "disallows"},
		{"cancelled disk", cancelled, func(c *Config) { c.Target = buildDiskSite(t) }, "context canceled"},
		{"cancelled crawl", cancelled, func(c *Config) { c.Target = broken.URL + "/" }, "context canceled"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := testConfig()
			tt.config(&cfg)
			rep, err := Check(tt.ctx, cfg)
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("Check error = %v, want one containing %q", err, tt.wantErr)
			}
			if rep != nil {
				t.Errorf("Check returned a report with its error")
			}
		})
	}
	// Ignoring robots.txt crawls anyway.
	cfg := testConfig()
	cfg.Target, cfg.IgnoreRobots = closed.URL+"/", true
	rep, err := Check(context.Background(), cfg)
	if err != nil || rep.Stats.Pages != 1 {
		t.Errorf("Check with IgnoreRobots = %v pages, error %v; want 1 page", rep, err)
	}
}
