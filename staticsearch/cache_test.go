package staticsearch

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"testing"
	"time"

	"gongkai/search"
)

// TestWriteAnalysisCache writes an index, then the index of changed
// documents (two bodies edited, one removed, one added, one category
// changed under the same hash, one without a hash) once with the first
// build's analysis cache and once afresh: the two are byte for byte the
// same, and only the changed, new and hashless documents were analysed.
// A damaged, truncated, foreign (other salt) or missing cache gives the
// same index with every document analysed.
func TestWriteAnalysisCache(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	docs := make([]search.Doc, 300)
	for i := range docs {
		docs[i] = search.Doc{ID: fmt.Sprintf("/policy/%04d/", i), Kind: "policy", Title: fmt.Sprintf("第%d号通知", i),
			Body:     fmt.Sprintf("关于做好第%d批养老服务补贴发放工作的通知。Pension subsidy batch %d.", i, i%7),
			Agencies: []string{"云泽市民政局"}, Category: "法规文件/规章", Keywords: []string{"养老", fmt.Sprint("批次", i%3)},
			Headings: []string{"一、总体要求"}, Date: time.Date(2020+i%5, 1+time.Month(i%12), 1+i%28, 9, 30, 0, 0, cst),
			Hash: fmt.Sprint("h", i)}
	}
	docs[7].Hash = ""
	salt := []byte("program 1")
	dir := t.TempDir()
	write := func(name, prev, prevState string, docs []search.Doc, salt []byte) Stats {
		t.Helper()
		out := filepath.Join(dir, name)
		if prev != "" {
			prev = filepath.Join(dir, prev)
		}
		if prevState != "" {
			prevState = filepath.Join(dir, prevState)
		}
		st, err := Write(t.Context(), out, prev, docs, Options{State: out + ".state", PrevState: prevState, Salt: salt})
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	if st := write("one", "", "", docs, salt); st.Analysed != len(docs) {
		t.Fatalf("first build analysed %d of %d documents", st.Analysed, len(docs))
	}

	changed := append([]search.Doc(nil), docs...)
	changed[5].Body, changed[5].Hash = "关于做好新一批高龄津贴发放工作的通知。", "h5'"
	changed[250].Title, changed[250].Hash = "第二百五十号公告", "h250'"
	changed[9].Category = "法规文件/规范性文件" // a facet, not in the hash
	changed = append(changed[:100], changed[101:]...)
	changed = append(changed, search.Doc{ID: "/policy/0150a/", Kind: "policy", Title: "新增的通知", Body: "新增文件的正文。", Hash: "new"})

	write("fresh", "", "", changed, salt)
	st := write("two", "one", "one.state", changed, salt)
	if want := 4; st.Analysed != want { // 5, 250, the new one and the hashless 7
		t.Errorf("rebuild analysed %d documents, want %d", st.Analysed, want)
	}
	sameTree(t, filepath.Join(dir, "fresh"), filepath.Join(dir, "two"))
	// The cache itself is reproducible: the same documents give the same
	// file, whether analysed afresh or taken from the previous cache.
	a, errA := os.ReadFile(filepath.Join(dir, "fresh.state", CacheFile))
	b, errB := os.ReadFile(filepath.Join(dir, "two.state", CacheFile))
	if errA != nil || errB != nil || !bytes.Equal(a, b) {
		t.Errorf("analysis caches of the same documents differ (%d and %d bytes; %v, %v)", len(a), len(b), errA, errB)
	}

	cache := filepath.Join(dir, "two.state", CacheFile)
	good, err := os.ReadFile(cache)
	if err != nil {
		t.Fatal(err)
	}
	flipped := bytes.Clone(good)
	flipped[len(flipped)/2] ^= 0x40
	for i, c := range []struct {
		name string
		data []byte
		salt []byte
	}{
		{"flipped byte", flipped, salt},
		{"truncated", good[:len(good)/3], salt},
		{"empty", nil, salt},
		{"another salt", good, []byte("program 2")},
		{"missing", nil, salt},
	} {
		if c.name == "missing" {
			os.Remove(cache)
		} else if err := os.WriteFile(cache, c.data, 0o644); err != nil {
			t.Fatal(err)
		}
		name := fmt.Sprint("bad", i)
		if st := write(name, "two", "two.state", changed, c.salt); st.Analysed != len(changed) {
			t.Errorf("%s cache: analysed %d of %d documents, want all", c.name, st.Analysed, len(changed))
		}
		sameTree(t, filepath.Join(dir, "fresh"), filepath.Join(dir, name))
	}
}

// sameTree fails unless folders a and b hold the same files with the same
// bytes.
func sameTree(t *testing.T, a, b string) {
	t.Helper()
	files := func(root string) map[string][]byte {
		m := map[string][]byte{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			m[rel] = data
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	fa, fb := files(a), files(b)
	if len(fa) == 0 || len(fa) != len(fb) {
		t.Errorf("%s holds %d files, %s %d", a, len(fa), b, len(fb))
	}
	for name, data := range fa {
		if other, ok := fb[name]; !ok || !bytes.Equal(data, other) {
			t.Errorf("%s differs between %s and %s (present: %t)", name, a, b, ok)
		}
	}
}
