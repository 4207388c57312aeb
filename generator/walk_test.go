package generator

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"testing"
)

// TestWalkSideBySide: content/'s top folders walked side by side give
// what one walk gives: the entries in name order (hidden folders listed and
// skipped), the irregular entries, the records by kind and their stamps.
func TestWalkSideBySide(t *testing.T) {
	root := t.TempDir()
	write := func(p string) {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	k := Kinds()
	for _, p := range []string{
		"content/site.yaml", "content/.editor", "content/.git/HEAD",
		"content/" + k[0].Dir + "/2024/a.md", "content/" + k[0].Dir + "/b.md", "content/" + k[0].Dir + "/.c.md",
		"content/" + k[1].Dir + "/z.md", "content/" + k[1].Dir + "/files/x.pdf", "content/zz/other.md",
	} {
		write(p)
	}
	if err := os.Symlink("/etc/passwd", filepath.Join(root, "content", k[1].Dir, "link.md")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/etc", filepath.Join(root, "content", "aa-link")); err != nil {
		t.Fatal(err)
	}
	d, err := OpenSiteDir(root)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	c := &Content{Kinds: k, fsys: d, warm: NewWarm(), folders: newFolders(d)}
	defer c.folders.close()
	if err := c.walk(context.Background(), true); err != nil {
		t.Fatal(err)
	}
	one := c.newWalkAcc(true)
	if err := fs.WalkDir(d, "content", c.visit(context.Background(), one)); err != nil {
		t.Fatal(err)
	}
	if len(c.walked) < 12 || !reflect.DeepEqual(c.walked, one.walked) {
		t.Errorf("walked:\n%v\none walk:\n%v", c.walked, one.walked)
	}
	if len(c.irregular) != 2 || !reflect.DeepEqual(c.irregular, one.irregular) {
		t.Errorf("irregular %v, one walk %v", c.irregular, one.irregular)
	}
	if len(c.mdStamps) != 3 || !reflect.DeepEqual(c.mdStamps, one.stamps) {
		t.Errorf("stamps %v, one walk %v", c.mdStamps, one.stamps)
	}
	var paths []string
	for _, ps := range one.byKind {
		paths = append(paths, slices.Sorted(slices.Values(ps))...)
	}
	if len(c.mdPaths) != 3 || !reflect.DeepEqual(c.mdPaths, paths) {
		t.Errorf("records %v, one walk %v", c.mdPaths, paths)
	}
}
