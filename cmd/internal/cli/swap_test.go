package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"gongkai/internal/server"
)

var (
	swapBuilds   = flag.Int("swap.builds", 20, "TestSwapUnderLoad: number of builds")
	swapRequests = flag.Int("swap.requests", 20000, "TestSwapUnderLoad: least number of requests")
)

// TestSwapUnderLoad serves a site the way `gongkai serve` does while 20
// builds swap new generations in, with clients requesting pages, an
// attachment, a feed and the search page and API the whole time: every
// answer must be 200. It logs the count of every other status, which is the
// measure of the swap's gap (go test -run TestSwapUnderLoad -v).
func TestSwapUnderLoad(t *testing.T) {
	if testing.Short() {
		t.Skip("load test; run without -short")
	}
	const clients = 8
	builds, minRequests := int64(*swapBuilds), int64(*swapRequests)
	site := writeSite(t, tinySite)
	out := filepath.Join(site, "public")
	date := time.Date(2024, 12, 1, 0, 0, 0, 0, time.UTC)
	if err := BuildSite(context.Background(), site, out, date, io.Discard, io.Discard); err != nil {
		t.Fatal(err)
	}
	h, closer, err := SiteHandler(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := server.New(ln.Addr().String(), h)
	ctx, stop := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- server.Run(ctx, srv, ln) }()
	defer func() {
		stop()
		<-served
	}()

	paths := []string{"/", "/policy/mb0000001-2024-00001.html", "/policy/", "/catalogue/", "/attachments/form.csv",
		"/feeds/all.atom.xml", "/sitemap.xml", "/page/contact.html", "/search?q=%E6%B5%8B%E8%AF%95", "/api/search?q=%E6%B5%8B%E8%AF%95"}
	base := "http://" + ln.Addr().String()
	var total atomic.Int64
	var mu sync.Mutex
	bad := map[string]int{}
	var done atomic.Bool
	var wg sync.WaitGroup
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}, Timeout: 30 * time.Second}
	for i := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := i; !done.Load() || total.Load() < minRequests; n++ {
				p := paths[n%len(paths)]
				resp, err := client.Get(base + p)
				key := ""
				if err != nil {
					key = "error: " + err.Error()
				} else {
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						key = fmt.Sprintf("%d %s", resp.StatusCode, p)
					}
				}
				total.Add(1)
				if key != "" {
					mu.Lock()
					bad[key]++
					mu.Unlock()
				}
			}
		}()
	}
	contact := filepath.Join(site, "content/pages/contact.md")
	src, _ := os.ReadFile(contact)
	for i := range int(builds) {
		// Each build changes a page, so every generation differs.
		os.WriteFile(contact, []byte(strings.Replace(string(src), "电话", fmt.Sprintf("第%d版电话", i+1), 1)), 0o644)
		if err := BuildSite(context.Background(), site, out, date, io.Discard, io.Discard); err != nil {
			t.Fatalf("build %d: %v", i+1, err)
		}
	}
	done.Store(true)
	wg.Wait()
	var lines []string
	statuses := map[string]int{}
	for k, n := range bad {
		lines = append(lines, fmt.Sprintf("%6d × %s", n, k))
		statuses[strings.Fields(k)[0]] += n
	}
	sort.Strings(lines)
	t.Logf("%d requests during %d builds; not 200: %v", total.Load(), builds, statuses)
	if len(bad) > 0 {
		t.Errorf("answers other than 200 while builds were swapped in:\n%s", strings.Join(lines, "\n"))
	}
	if total.Load() < minRequests {
		t.Errorf("only %d requests", total.Load())
	}
	if b, _ := os.ReadFile(filepath.Join(out, "page/contact.html")); !strings.Contains(string(b), fmt.Sprintf("第%d版电话", builds)) {
		t.Error("the last build is not the one served")
	}
}
