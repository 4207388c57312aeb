package search

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoProjectImports keeps the search package independent: it must not
// import the generator or any other package of the project; the CLI converts
// records into Docs.
func TestNoProjectImports(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		for _, imp := range f.Imports {
			path, _ := strconv.Unquote(imp.Path.Value)
			if path == "gongkai" || strings.HasPrefix(path, "gongkai/") {
				t.Errorf("%s imports %s; package search must not import project packages", name, path)
			}
		}
	}
}
