package linkcheck

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestDependencies keeps the package free of the rest of gongkai, so that
// it checks any folder or site, in the spirit of go/build's deps_test.go.
func TestDependencies(t *testing.T) {
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	allowed := []string{"golang.org/x/net/", "golang.org/x/sync/", "golang.org/x/text/"}
	fset := token.NewFileSet()
	for _, e := range entries {
		name := e.Name()
		if !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "gongkai" || strings.HasPrefix(path, "gongkai/") {
				t.Errorf("%s imports %s; linkcheck must import nothing of the project", name, path)
				continue
			}
			if !strings.Contains(strings.Split(path, "/")[0], ".") {
				continue // standard library
			}
			ok := false
			for _, a := range allowed {
				ok = ok || strings.HasPrefix(path, a)
			}
			if !ok {
				t.Errorf("%s imports %s; linkcheck may use only the standard library and %v", name, path, allowed)
			}
		}
	}
}
