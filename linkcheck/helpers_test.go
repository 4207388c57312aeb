package linkcheck

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/tools/txtar"
)

// extractTxtar writes the files of the txtar archive at name into dir.
func extractTxtar(t testing.TB, name, dir string) {
	t.Helper()
	a, err := txtar.ParseFile(name)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range a.Files {
		writeFile(t, filepath.Join(dir, filepath.FromSlash(f.Name)), f.Data)
	}
}

func writeFile(t testing.TB, name string, data []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(name), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// gbk encodes s in GBK.
func gbk(t testing.TB, s string) []byte {
	t.Helper()
	b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// keys returns "page | target | kind | severity" for each finding, sorted,
// after replacing old/new pairs in pages and targets (an httptest server's
// URL by a short name).
func keys(fs []Finding, oldnew ...string) []string {
	r := strings.NewReplacer(oldnew...)
	var out []string
	for _, f := range fs {
		out = append(out, r.Replace(f.Page)+" | "+r.Replace(f.Target)+" | "+string(f.Kind)+" | "+string(f.Severity))
	}
	slices.Sort(out)
	return out
}

func sorted(s []string) []string {
	s = slices.Clone(s)
	slices.Sort(s)
	return s
}

// testConfig is DefaultConfig with waits short enough for tests.
func testConfig() Config {
	cfg := DefaultConfig()
	cfg.Timeout = 300 * time.Millisecond
	cfg.MinInterval = 0
	cfg.MaxRetries = 1
	cfg.RetryBackoff = 10 * time.Millisecond
	cfg.MaxRetryWait = 2 * time.Second
	cfg.RateLimitWait = 2500 * time.Millisecond
	return cfg
}
