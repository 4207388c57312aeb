package linkcheck

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// TestCache checks that successful external results are reused within the
// maximum age, that errors are always asked again, and that stale entries
// are asked again.
func TestCache(t *testing.T) {
	var hits counter
	mux := http.NewServeMux()
	mux.HandleFunc("/ok", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.Write([]byte("ok"))
	})
	mux.HandleFunc("/page.html", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!DOCTYPE html><title>页</title><h1 id="sec">节</h1>`))
	})
	mux.HandleFunc("/missing", http.NotFound)
	srv := httptest.NewServer(hits.wrap(mux))
	defer srv.Close()

	dir := t.TempDir()
	site := filepath.Join(dir, "site")
	writeFile(t, filepath.Join(site, "index.html"), []byte(`<!DOCTYPE html><meta charset="utf-8">
<a href="`+srv.URL+`/ok">ok</a> <a href="`+srv.URL+`/missing">broken</a>
<a href="`+srv.URL+`/page.html#sec">ok</a> <a href="`+srv.URL+`/page.html#nosec">fragment</a>`))
	cacheFile := filepath.Join(dir, "cache.json")
	clock := time.Date(2026, 3, 1, 9, 0, 0, 0, time.FixedZone("CST", 8*3600))
	want := []string{
		"/index.html | EXT/missing | broken | error",
		"/index.html | EXT/page.html#nosec | fragment | error",
	}
	steps := []struct {
		name       string
		advance    time.Duration
		wantCached int
		wantHits   map[string]int
	}{
		{"first run asks everything", 0, 0, map[string]int{"/ok": 1, "/missing": 1, "/page.html": 1}},
		{"second run asks only the error", time.Hour, 2, map[string]int{"/ok": 0, "/missing": 1, "/page.html": 0}},
		{"stale entries are asked again", 25 * time.Hour, 0, map[string]int{"/ok": 1, "/missing": 1, "/page.html": 1}},
	}
	for _, st := range steps {
		t.Run(st.name, func(t *testing.T) {
			hits.reset()
			clock = clock.Add(st.advance)
			cfg := testConfig()
			cfg.Target, cfg.External, cfg.CacheFile = site, true, cacheFile
			cfg.Now = func() time.Time { return clock }
			rep, err := Check(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(want, keys(rep.Findings, srv.URL, "EXT")); diff != "" {
				t.Errorf("findings (-want +got):\n%s", diff)
			}
			if rep.Stats.Cached != st.wantCached {
				t.Errorf("cached = %d, want %d", rep.Stats.Cached, st.wantCached)
			}
			got := map[string]int{}
			for p := range st.wantHits {
				got[p] = hits.count(p)
			}
			if diff := cmp.Diff(st.wantHits, got); diff != "" {
				t.Errorf("requests (-want +got):\n%s", diff)
			}
		})
	}
	data, err := os.ReadFile(cacheFile)
	if err != nil {
		t.Fatal(err)
	}
	c, err := openCache(cacheFile, 24*time.Hour)
	if err != nil {
		t.Fatalf("cache file does not read back: %v\n%s", err, data)
	}
	if _, ok := c.entries[srv.URL+"/missing"]; ok {
		t.Errorf("cache holds the 404 result: errors must never be cached")
	}
}

// TestSince runs the checker on two versions of a site and compares the
// reports through their JSON form, as --since does.
func TestSince(t *testing.T) {
	dir := t.TempDir()
	page := func(links string) []byte {
		return []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"></head><body>` + links + `</body></html>`)
	}
	writeFile(t, filepath.Join(dir, "index.html"), page(`<a href="a.html">a</a> <a href="b.html">b</a>`))
	writeFile(t, filepath.Join(dir, "b.html"), page(`<a href="c.html">c</a>`))
	cfg := DefaultConfig()
	cfg.Target = dir
	first, err := Check(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	prevFile := filepath.Join(t.TempDir(), "prev.json")
	f, err := os.Create(prevFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := Write(f, first, "json"); err != nil {
		t.Fatal(err)
	}
	f.Close()

	// Fix a.html, break d.html; c.html stays broken.
	writeFile(t, filepath.Join(dir, "a.html"), page(`<a href="d.html">d</a>`))
	second, err := Check(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	f, err = os.Open(prevFile)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	prev, err := ReadReport(f)
	if err != nil {
		t.Fatal(err)
	}
	Compare(prev, second, "prev.json")
	if diff := cmp.Diff([]string{"/a.html | /d.html | broken | error"}, keys(second.Since.New)); diff != "" {
		t.Errorf("new (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"/index.html | /a.html | broken | error"}, keys(second.Since.Fixed)); diff != "" {
		t.Errorf("fixed (-want +got):\n%s", diff)
	}
}

func TestReadReportRejects(t *testing.T) {
	for _, in := range []string{"", "{}", "[1,2]", "not json"} {
		if _, err := ReadReport(strings.NewReader(in)); err == nil {
			t.Errorf("ReadReport(%q) succeeded, want an error", in)
		}
	}
}
