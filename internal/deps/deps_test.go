// Package deps holds the project's dependency policy, in the spirit of
// go/build's deps_test.go: which packages of gongkai each package may import.
package deps

import (
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// policy lists, for each package, the project packages its non-test code may
// import. search and the generator meet only in the CLI; the link checker,
// the publisher and the server import nothing of the project, so they work on
// any folder. The requests service imports nothing of the project either: the
// CLI gives it what it needs from the content as a snapshot.
var policy = map[string][]string{
	"gongkai/generator":            {"gongkai/internal/par", "gongkai/internal/personname", "gongkai/internal/precompress"},
	"gongkai/internal/par":         {},
	"gongkai/internal/precompress": {},
	"gongkai/internal/personname":  {},
	"gongkai/inspect":              {"gongkai/internal/personname"},
	"gongkai/search":               {},
	"gongkai/linkcheck":            {},
	"gongkai/internal/publish":     {},
	"gongkai/internal/server":      {},
	"gongkai/internal/gitlog":      {},
	"gongkai/requests":             {},
	"gongkai/internal/corpus":      {},
	"gongkai/internal/measure":     {},
	"gongkai/themes":               {},
	"gongkai/staticsearch":         {"gongkai/internal/par", "gongkai/internal/precompress", "gongkai/search"},
	"gongkai/cmd/internal/cli":     {"gongkai/generator", "gongkai/inspect", "gongkai/internal/gitlog", "gongkai/internal/par", "gongkai/internal/publish", "gongkai/internal/server", "gongkai/linkcheck", "gongkai/requests", "gongkai/search", "gongkai/staticsearch", "gongkai/themes"},
	"gongkai/cmd/gongkai":          {"gongkai/cmd/internal/cli"},
	"gongkai/bench/corpus2site":    {"gongkai/internal/corpus"},
}

// thirdParty lists the only modules outside the standard library a package
// may use, where the policy is stricter than "whatever go.mod has".
var thirdParty = map[string][]string{
	"gongkai/requests":  {"github.com/jackc/pgx/v5/", "modernc.org/sqlite"},
	"gongkai/linkcheck": {"golang.org/x/net/", "golang.org/x/sync/", "golang.org/x/text/"},
	// search uses OpenCC's dictionaries through generated tables; the
	// library itself is a test dependency (TestOpenCCTables). It writes
	// bleve's segments itself, with bleve's own roaring bitmaps.
	"gongkai/search": {"github.com/blevesearch/", "github.com/RoaringBitmap/roaring/", "golang.org/x/sync/", "golang.org/x/text/"},
	// The static index: the search's analysis, written as files.
	"gongkai/staticsearch": {"golang.org/x/sync/"},
}

func TestDependencyPolicy(t *testing.T) {
	out, err := exec.Command("go", "list", "-f", "{{.ImportPath}} {{join .Imports \" \"}}", "gongkai/...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		pkg, imports := fields[0], fields[1:]
		seen[pkg] = true
		allowed, ok := policy[pkg]
		if !ok {
			if strings.HasPrefix(pkg, "gongkai/cmd/internal/browsertest") || pkg == "gongkai/internal/deps" {
				continue // test-only packages
			}
			t.Errorf("%s has no entry in the dependency policy; add one", pkg)
			continue
		}
		for _, imp := range imports {
			switch {
			case imp == "gongkai" || strings.HasPrefix(imp, "gongkai/"):
				if !slices.Contains(allowed, imp) {
					t.Errorf("%s imports %s, which the policy forbids", pkg, imp)
				}
			case strings.Contains(strings.Split(imp, "/")[0], "."):
				if mods, strict := thirdParty[pkg]; strict && !slices.ContainsFunc(mods, func(m string) bool { return strings.HasPrefix(imp, m) }) {
					t.Errorf("%s imports %s; it may use only the standard library and %v", pkg, imp, mods)
				}
			}
		}
	}
	for pkg := range policy {
		if !seen[pkg] {
			t.Errorf("policy names %s, which go list did not find", pkg)
		}
	}
}
