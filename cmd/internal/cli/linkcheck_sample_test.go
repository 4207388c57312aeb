package cli

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"gongkai/linkcheck"
)

// TestLinkcheckSamplePortal builds the sample portal and serves it as
// `gongkai serve` does (files, search, and the requests service on SQLite)
// on 127.0.0.1, then checks it on disk, crawled over HTTP, and crawled with
// --base-url: each check must find nothing at all, no error and no warning.
func TestLinkcheckSamplePortal(t *testing.T) {
	site := sampleWithRequests(t, "sqlite")
	srv, sf := serveSample(t, site, &testClock{t: time.Date(2026, 11, 20, 9, 30, 0, 0, cst)})
	out := sf.out

	for _, tt := range []struct {
		name, target string
		minPages     int
	}{
		{"disk", out, 200},
		{"crawl", srv.URL + "/", 200},
		// The sample's absolute links (canonical, meta Url) name its public
		// host; with --base-url they are checked on the crawled one.
		{"crawl --base-url", srv.URL + "/", 200},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var lcOut, lcErr bytes.Buffer
			// No politeness interval: the server is this test's own, on loopback.
			args := []string{"--format", "json", "--min-interval", "0", tt.target}
			if strings.HasSuffix(tt.name, "--base-url") {
				args = append(args, "--base-url", "https://www.yunze.gov.cn/")
			}
			code := runLinkcheck(context.Background(), args, &lcOut, &lcErr)
			rep, err := linkcheck.ReadReport(&lcOut)
			if err != nil {
				t.Fatalf("exit %d, %v\n%s", code, err, lcErr.String())
			}
			for _, f := range rep.Findings {
				t.Errorf("%s %s: %s -> %s: %s", f.Severity, f.Kind, f.Page, f.Target, f.Detail)
			}
			if code != 0 || rep.Stats.Errors != 0 || rep.Stats.Warnings != 0 {
				t.Errorf("exit %d, %d errors, %d warnings; want 0, 0, 0\n%s", code, rep.Stats.Errors, rep.Stats.Warnings, lcErr.String())
			}
			if rep.Stats.Pages < tt.minPages {
				t.Errorf("%d pages checked, want at least %d", rep.Stats.Pages, tt.minPages)
			}
			t.Logf("%s: %d pages, %d links, %d targets, %d requests", tt.name, rep.Stats.Pages, rep.Stats.Links, rep.Stats.Targets, rep.Stats.Requests)
		})
	}
}
