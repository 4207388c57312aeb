package staticsearch

import (
	"bytes"
	"encoding/json"
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
	// files, whether analysed afresh or taken from the previous cache.
	sameTree(t, filepath.Join(dir, "fresh.state"), filepath.Join(dir, "two.state"))

	// The same documents in the same rows, two bodies edited: only they
	// are analysed, only the packs their changed terms fall in are
	// written, and the index and the cache are those of a fresh write.
	edited := append([]search.Doc(nil), changed...)
	edited[20].Body, edited[20].Hash = edited[20].Body+"新增一句关于高龄津贴的说明。", "h20'"
	edited[201].Title, edited[201].Hash = "第二百零一号通知（修订）", "h201'"
	write("fresh3", "", "", edited, salt)
	st = write("three", "two", "two.state", edited, salt)
	if want := 3; st.Analysed != want { // 20, 201 and the hashless 7
		t.Errorf("same-rows rebuild analysed %d documents, want %d", st.Analysed, want)
	}
	if st.Reused == 0 || st.Reused >= st.Files {
		t.Errorf("same-rows rebuild reused %d of %d files, want some and not all", st.Reused, st.Files)
	}
	sameTree(t, filepath.Join(dir, "fresh3"), filepath.Join(dir, "three"))
	sameTree(t, filepath.Join(dir, "fresh3.state"), filepath.Join(dir, "three.state"))
	// Unchanged again: nothing but the hashless document is analysed.
	if st := write("four", "three", "three.state", edited, salt); st.Analysed != 1 {
		t.Errorf("unchanged rebuild analysed %d documents, want 1", st.Analysed)
	}
	sameTree(t, filepath.Join(dir, "fresh3"), filepath.Join(dir, "four"))
	sameTree(t, filepath.Join(dir, "fresh3.state"), filepath.Join(dir, "four.state"))

	// The packs of postings and documents a same-rows rebuild replaces
	// keep the deflated bytes of their unchanged buckets and rows from the
	// previous build's pack; a previous pack missing, cut short or with
	// another count of entries is not used, and the index is still that
	// of a fresh write.
	for _, how := range []string{"missing", "truncated", "count"} {
		prev := filepath.Join(dir, "badprev")
		if err := os.CopyFS(prev, os.DirFS(filepath.Join(dir, "two"))); err != nil {
			t.Fatal(err)
		}
		damaged := 0
		for _, fam := range []string{"p", "u", "d"} {
			files, _ := filepath.Glob(filepath.Join(prev, ChunkDir, fam, "*.bin"))
			for _, f := range files {
				rel, _ := filepath.Rel(prev, f)
				if _, err := os.Stat(filepath.Join(dir, "three", rel)); err == nil {
					continue // kept whole: linked, not read
				}
				damagePack(t, f, how)
				damaged++
			}
		}
		if damaged == 0 {
			t.Fatal("the same-rows rebuild replaced no pack")
		}
		write("badprev3", "badprev", "two.state", edited, salt)
		sameTree(t, filepath.Join(dir, "fresh3"), filepath.Join(dir, "badprev3"))
		os.RemoveAll(prev)
		os.RemoveAll(filepath.Join(dir, "badprev3"))
		os.RemoveAll(filepath.Join(dir, "badprev3.state"))
	}

	cacheDir := filepath.Join(dir, "two.state", CacheDir)
	cache := filepath.Join(cacheDir, CacheIndex)
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

	// A damaged or missing group or forward file, found only once the
	// analysis has begun: the index is the same, and every document is
	// analysed again, except when the rebuild keeps the previous build's
	// damaged files without reading them (the same rows, and the files
	// not of a changed document's packs).
	for _, prefix := range []string{"g-", "f-"} {
		for _, how := range []string{"flipped", "missing"} {
			for _, c := range []struct {
				docs  []search.Doc
				fresh string
			}{{edited, "fresh3"}, {changed, "fresh"}} {
				state := filepath.Join(dir, "four.state")
				if err := os.CopyFS(filepath.Join(dir, "bad.state"), os.DirFS(state)); err != nil {
					t.Fatal(err)
				}
				files, _ := filepath.Glob(filepath.Join(dir, "bad.state", CacheDir, prefix+"*"))
				if len(files) == 0 {
					t.Fatalf("no %s files in the cache", prefix)
				}
				for _, f := range files {
					data, err := os.ReadFile(f)
					if err != nil {
						t.Fatal(err)
					}
					os.Remove(f)
					if how == "flipped" {
						data[len(data)/2] ^= 0x10
						os.WriteFile(f, data, 0o644)
					}
				}
				// The previous build's chunks, which the first try may
				// have linked before it found the damage, are not written
				// through the links by the second: their times stay.
				old := time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC)
				chunks, _ := filepath.Glob(filepath.Join(dir, "four", ChunkDir, "*", "*.bin"))
				for _, f := range chunks {
					os.Chtimes(f, old, old)
				}
				st := write("bad", "four", "bad.state", c.docs, salt)
				if st.Analysed != len(c.docs) && (how == "missing" || c.fresh != "fresh3" || st.Analysed != 1) {
					t.Errorf("%s %s files: analysed %d of %d documents, want all", how, prefix, st.Analysed, len(c.docs))
				}
				for _, f := range chunks {
					if fi, err := os.Stat(f); err != nil || !fi.ModTime().Equal(old) {
						t.Errorf("%s %s files: the previous build's %s was written", how, prefix, f)
						break
					}
				}
				sameTree(t, filepath.Join(dir, c.fresh), filepath.Join(dir, "bad"))
				os.RemoveAll(filepath.Join(dir, "bad"))
				os.RemoveAll(filepath.Join(dir, "bad.state"))
			}
		}
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

// TestWriteAnalysisCacheSmall: a site of a few documents (fewer buckets
// than a pack holds) takes an added document's neighbours from the cache
// too, and the index is that of a fresh write.
func TestWriteAnalysisCacheSmall(t *testing.T) {
	docs := make([]search.Doc, 5)
	for i := range docs {
		docs[i] = search.Doc{ID: fmt.Sprintf("/n/%d/", i), Kind: "notice", Title: fmt.Sprintf("第%d号公告", i), Body: "公告正文。", Hash: fmt.Sprint(i)}
	}
	dir := t.TempDir()
	opts := func(name, prev string) Options {
		o := Options{State: filepath.Join(dir, name+".state"), Salt: []byte("s")}
		if prev != "" {
			o.PrevState = filepath.Join(dir, prev+".state")
		}
		return o
	}
	if _, err := Write(t.Context(), filepath.Join(dir, "one"), "", docs, opts("one", "")); err != nil {
		t.Fatal(err)
	}
	more := append(docs, search.Doc{ID: "/n/9/", Kind: "notice", Title: "新增公告", Body: "新的正文。", Hash: "9"})
	st, err := Write(t.Context(), filepath.Join(dir, "two"), filepath.Join(dir, "one"), more, opts("two", "one"))
	if err != nil {
		t.Fatal(err)
	}
	if st.Analysed != 1 {
		t.Errorf("analysed %d documents, want 1", st.Analysed)
	}
	if _, err := Write(t.Context(), filepath.Join(dir, "fresh"), "", more, opts("fresh", "")); err != nil {
		t.Fatal(err)
	}
	sameTree(t, filepath.Join(dir, "fresh"), filepath.Join(dir, "two"))
	sameTree(t, filepath.Join(dir, "fresh.state"), filepath.Join(dir, "two.state"))
}

// TestWriteVocabReuse: a rebuild links the previous build's did-you-mean
// vocabulary when the documents' IDs, titles and metadata are the same (a
// body, summary or date edit, on the same rows or not), and writes it
// afresh when any of them changed or a previous pack is missing or
// damaged; the index and the cache are byte for byte a fresh write's
// either way.
func TestWriteVocabReuse(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	// Enough documents for the pairs to take two packs.
	docs := make([]search.Doc, 2100)
	for i := range docs {
		docs[i] = search.Doc{ID: fmt.Sprintf("/policy/%04d/", i), Kind: "policy", Title: fmt.Sprintf("第%d号关于%s的通知", i, []string{"养老服务", "高龄津贴", "社会救助", "残疾人补贴"}[i%4]),
			Body: fmt.Sprintf("关于做好第%d批养老服务补贴发放工作的通知。", i), DocNo: fmt.Sprintf("云民发〔2024〕%d号", i),
			Agencies: []string{[]string{"云泽市民政局", "云泽市财政局"}[i%2]}, Topic: "社会保障/养老", Keywords: []string{"养老", fmt.Sprint("批次", i%3)},
			Date: time.Date(2020+i%5, 1+time.Month(i%12), 1+i%28, 9, 30, 0, 0, cst), Hash: fmt.Sprint("h", i)}
	}
	salt := []byte("program 1")
	dir := t.TempDir()
	write := func(name, prev string, docs []search.Doc) Stats {
		t.Helper()
		out := filepath.Join(dir, name)
		opts := Options{State: out + ".state", Salt: salt}
		if prev != "" {
			opts.PrevState = filepath.Join(dir, prev+".state")
			prev = filepath.Join(dir, prev)
		}
		st, err := Write(t.Context(), out, prev, docs, opts)
		if err != nil {
			t.Fatal(err)
		}
		return st
	}
	vocabPacks := func(site string) []string {
		t.Helper()
		data, err := os.ReadFile(filepath.Join(dir, site, ManifestPath))
		if err != nil {
			t.Fatal(err)
		}
		var man manifest
		if err := json.Unmarshal(data, &man); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, bs := range []bucketSet{man.Vocab.Pairs, man.Vocab.Rows} {
			for _, g := range bs.Groups {
				out = append(out, filepath.Join(ChunkDir, bs.Dir, g+".bin"))
			}
		}
		return out
	}
	if st := write("one", "", docs); st.VocabReused {
		t.Fatal("a first build reused a vocabulary")
	}
	if n := len(vocabPacks("one")); n != 3 {
		t.Fatalf("the vocabulary has %d packs, want 3 (two of pairs, one of rows)", n)
	}

	edit := func(f func(d []search.Doc) []search.Doc) []search.Doc {
		return f(append([]search.Doc(nil), docs...))
	}
	for _, c := range []struct {
		name  string
		docs  []search.Doc
		reuse bool
	}{
		{"body", edit(func(d []search.Doc) []search.Doc {
			d[20].Body, d[20].Hash = d[20].Body+"新增一句关于高龄津贴的说明。", "h20'"
			return d
		}), true},
		{"summary and headings", edit(func(d []search.Doc) []search.Doc {
			d[21].Summary, d[21].Headings, d[21].Hash = "摘要", []string{"一、总体要求"}, "h21'"
			return d
		}), true},
		{"date, other rows", edit(func(d []search.Doc) []search.Doc {
			d[22].Date, d[22].Hash = d[22].Date.AddDate(1, 0, 0), "h22'"
			return d
		}), true},
		{"unchanged", edit(func(d []search.Doc) []search.Doc { return d }), true},
		{"title", edit(func(d []search.Doc) []search.Doc {
			d[23].Title, d[23].Hash = "关于调整最低生活保障标准的通知", "h23'"
			return d
		}), false},
		{"keyword", edit(func(d []search.Doc) []search.Doc {
			d[24].Keywords, d[24].Hash = []string{"养老", "低保"}, "h24'"
			return d
		}), false},
		{"keywords regrouped", edit(func(d []search.Doc) []search.Doc {
			d[24].Keywords, d[24].Hash = []string{"养老批次", "0"}, "h24'"
			return d
		}), false},
		{"document number", edit(func(d []search.Doc) []search.Doc {
			d[25].DocNo, d[25].Hash = "云民发〔2025〕1号", "h25'"
			return d
		}), false},
		{"agency", edit(func(d []search.Doc) []search.Doc {
			d[26].Agencies, d[26].Hash = []string{"云泽市人民政府"}, "h26'"
			return d
		}), false},
		{"topic", edit(func(d []search.Doc) []search.Doc {
			d[27].Topic, d[27].Hash = "社会保障/救助", "h27'"
			return d
		}), false},
		{"added", edit(func(d []search.Doc) []search.Doc {
			return append(d, search.Doc{ID: "/policy/0150a/", Kind: "policy", Title: "新增的通知", Body: "新增文件的正文。", Hash: "new"})
		}), false},
		{"removed", edit(func(d []search.Doc) []search.Doc { return append(d[:100], d[101:]...) }), false},
		{"renamed", edit(func(d []search.Doc) []search.Doc {
			d[28].ID = "/policy/0028b/"
			return d
		}), false},
	} {
		t.Run(c.name, func(t *testing.T) {
			write("fresh", "", c.docs)
			st := write("two", "one", c.docs)
			if st.VocabReused != c.reuse {
				t.Errorf("VocabReused = %t, want %t", st.VocabReused, c.reuse)
			}
			// A reused vocabulary's packs are the previous build's files
			// (a recomputed one may link some too: those it writes the
			// same).
			for _, p := range vocabPacks("two") {
				a, errA := os.Stat(filepath.Join(dir, "one", p))
				b, errB := os.Stat(filepath.Join(dir, "two", p))
				if errB != nil {
					t.Fatal(errB)
				}
				if c.reuse && (errA != nil || !os.SameFile(a, b)) {
					t.Errorf("%s is not linked from the previous build", p)
				}
			}
			sameTree(t, filepath.Join(dir, "fresh"), filepath.Join(dir, "two"))
			sameTree(t, filepath.Join(dir, "fresh.state"), filepath.Join(dir, "two.state"))
			for _, name := range []string{"fresh", "fresh.state", "two", "two.state"} {
				os.RemoveAll(filepath.Join(dir, name))
			}
		})
	}

	// A previous vocabulary pack missing, cut short, with another count
	// of entries or its last entry's end past the file's: the vocabulary
	// is written afresh, and is a fresh write's.
	body := edit(func(d []search.Doc) []search.Doc {
		d[20].Body, d[20].Hash = d[20].Body+"新增一句。", "h20'"
		return d
	})
	write("fresh", "", body)
	packs := vocabPacks("one")
	for i, how := range []string{"missing", "truncated", "count", "end", "directory"} {
		t.Run(how, func(t *testing.T) {
			prev := filepath.Join(dir, "bad")
			if err := os.CopyFS(prev, os.DirFS(filepath.Join(dir, "one"))); err != nil {
				t.Fatal(err)
			}
			if err := os.CopyFS(prev+".state", os.DirFS(filepath.Join(dir, "one.state"))); err != nil {
				t.Fatal(err)
			}
			damagePack(t, filepath.Join(prev, packs[i%len(packs)]), how)
			if st := write("two", "bad", body); st.VocabReused {
				t.Errorf("a %s previous pack: the vocabulary was reused", how)
			}
			sameTree(t, filepath.Join(dir, "fresh"), filepath.Join(dir, "two"))
			sameTree(t, filepath.Join(dir, "fresh.state"), filepath.Join(dir, "two.state"))
			for _, name := range []string{"bad", "bad.state", "two", "two.state"} {
				os.RemoveAll(filepath.Join(dir, name))
			}
		})
	}
}

// damagePack damages the pack file f as how says: "missing" (removed),
// "truncated" (its last third cut), "count" (its entry count wrong), "end"
// (its last entry's end wrong) or "directory" (a folder in its place).
func damagePack(t *testing.T, f, how string) {
	t.Helper()
	data, err := os.ReadFile(f)
	if err != nil {
		t.Fatal(err)
	}
	switch how {
	case "missing":
		err = os.Remove(f)
	case "truncated":
		err = os.WriteFile(f, data[:len(data)-len(data)/3], 0o644)
	case "count":
		data[0]++
		err = os.WriteFile(f, data, 0o644)
	case "end":
		data[4*int(data[0])]++
		err = os.WriteFile(f, data, 0o644)
	case "directory":
		if err = os.Remove(f); err == nil {
			err = os.Mkdir(f, 0o755)
		}
	default:
		t.Fatalf("unknown damage %q", how)
	}
	if err != nil {
		t.Fatal(err)
	}
}
