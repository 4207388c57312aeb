package cli

import (
	"context"
	"io"
	"maps"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestRecycledGenerationLeavesNothing builds the sample three times: a
// record carrying a marker is published by the first two builds and
// withheld before the third, whose staging folder is the first build's
// generation, recycled. Stray files are planted in that generation too. The
// third build must keep most files in place, yet nothing of the marker
// record and none of the planted files reaches the live site, which holds
// exactly the files of a -full build of the same state, and the site that
// was live during the build, which shares files with the recycled one, is
// unchanged. A build whose
// previous record is missing must not keep anything of the recycled folder.
func TestRecycledGenerationLeavesNothing(t *testing.T) {
	const marker = "RECYCLE-WITHHELD-MARKER-71f3"
	site, p, s, sf := markedPolicySite(t, marker)
	out := sf.out
	other := filepath.Join(site, "content/policies/2022-daqi-gongjian.md")
	if _, err := os.Stat(other); err != nil {
		t.Fatal(err)
	}
	appendFile(t, other, "\n第二次构建的修改。\n")
	if sum := mustBuild(t, sf, "second build"); sum.incremental.Kept != 0 {
		t.Fatalf("the second build kept %d files; there was no generation to recycle", sum.incremental.Kept)
	}
	retired := func() string {
		t.Helper()
		olds, _ := filepath.Glob(out + ".old-*")
		if len(olds) != 1 {
			t.Fatalf("retired generations %q, want one", olds)
		}
		return olds[0]
	}
	old := retired()
	if got := filesWith(t, old, marker); len(got) < 5 {
		t.Fatalf("the retired generation holds the marker in %v only", got)
	}
	planted := []string{"stray-" + marker + ".html", "policy/stray.html", "zz-only-planted/deep/x.html",
		"static/search/stray.bin", "search/stray.json", "index.html.br.stray"}
	plant := func(dir string) {
		for _, f := range planted {
			writeFile(t, filepath.Join(dir, f), "<p>"+marker+"</p>")
		}
		if err := os.MkdirAll(filepath.Join(dir, "zz-empty/folder"), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	plant(old)

	writeFile(t, p, strings.Replace(s, "disclosure: 主动公开", "disclosure: 依申请公开", 1))
	ref := filepath.Join(t.TempDir(), "public")
	copyTree(t, out, ref)
	copyTree(t, out+".search", ref+".search")
	live := snapshot(t, out)
	sum := mustBuild(t, sf, "third build, recycling the first")
	if sum.incremental.Kept < 100 {
		t.Fatalf("the third build kept %d files of the recycled generation; it did not recycle", sum.incremental.Kept)
	}
	if sum.incremental.Swept < 3 {
		t.Errorf("the sweep removed %d files; the planted ones and the withheld record's page should have gone", sum.incremental.Swept)
	}
	t.Logf("third build: %+v", sum.incremental)
	assertNoMarker(t, out, marker)
	// The recycled files were hard links shared with the site that was
	// live during the build (retired now): not one of them was changed.
	if got := snapshot(t, retired()); !maps.Equal(got, live) {
		t.Error("the site that was live during the recycling build changed")
	}
	for _, f := range append(planted, "zz-empty", "zz-only-planted") {
		if _, err := os.Lstat(filepath.Join(out, f)); err == nil {
			t.Errorf("%s of the recycled generation is live", f)
		}
	}
	full := sf
	full.out, full.full = ref, true
	mustBuild(t, full, "full build of the same state")
	compareTrees(t, "recycled build", out, ref)

	// Without the previous build's record nothing of the recycled folder
	// is kept.
	plant(retired())
	if err := os.Remove(filepath.Join(out+".search", "recycle.gob")); err != nil {
		t.Fatal(err)
	}
	appendFile(t, other, "\n第四次构建的修改。\n")
	copyTree(t, out, ref+"2")
	copyTree(t, out+".search", ref+"2.search")
	sum = mustBuild(t, sf, "fourth build, without a record")
	if sum.incremental.Kept != 0 {
		t.Errorf("the build without a record kept %d files of the recycled folder", sum.incremental.Kept)
	}
	assertNoMarker(t, out, marker)
	full.out = ref + "2"
	if _, code := build(context.Background(), full, io.Discard, io.Discard); code != 0 {
		t.Fatalf("full build: exit %d", code)
	}
	compareTrees(t, "build without a record", out, ref+"2")
}
