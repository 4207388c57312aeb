package staticsearch

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"gongkai/search"
)

// wordDocs returns documents whose titles and bodies are made of a few
// subject words, some of them split (园区…建设), so that rows are
// candidates of words they do not hold. Title i holds nouns[i%len(nouns)],
// except that 跨境电商 is in titles 1 and 2 only and 城镇燃气 in 3, 4 and 5
// only.
func wordDocs(n int) []search.Doc {
	nouns := []string{"园区建设", "营商环境", "土地征收", "档案管理", "社会组织", "最低生活保障"}
	verbs := []string{"加快", "推进", "规范", "深化", "做好"}
	rng := rand.New(rand.NewPCG(7, 11))
	docs := make([]search.Doc, n)
	for i := range docs {
		noun := nouns[i%len(nouns)]
		switch i {
		case 1, 2:
			noun = "跨境电商"
		case 3, 4, 5:
			noun = "城镇燃气"
		}
		var b strings.Builder
		for range 6 + rng.IntN(10) {
			switch rng.IntN(4) {
			case 0:
				w := []rune(nouns[rng.IntN(len(nouns))])
				fmt.Fprintf(&b, "%s，%s。", string(w[:3]), string(w[1:])) // the pairs, not the word
			case 1:
				b.WriteString("跨境电商与城镇燃气，园区建设营商环境。")
			default:
				fmt.Fprintf(&b, "%s%s工作。", verbs[rng.IntN(len(verbs))], nouns[rng.IntN(len(nouns))])
			}
		}
		docs[i] = search.Doc{ID: fmt.Sprintf("/policy/%03d/", i), Kind: "policy",
			Title: fmt.Sprintf("云泽市人民政府关于%s%s的通知", verbs[i%len(verbs)], noun), Body: b.String(),
			Summary: map[bool]string{true: "园区建设专项", false: ""}[i%4 == 0], Hash: fmt.Sprint("h", i)}
	}
	return docs
}

// readTerms returns every term of the postings of the index in out, with
// its entries (row<<32 | field<<24 | value), and the documents' IDs by row.
func readTerms(t *testing.T, out string) (map[string][]uint64, []string) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(ManifestPath)))
	if err != nil {
		t.Fatal(err)
	}
	var man manifest
	if err := json.Unmarshal(data, &man); err != nil {
		t.Fatal(err)
	}
	terms := map[string][]uint64{}
	for _, g := range man.Postings.Groups {
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(ChunkDir), man.Postings.Dir, g+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		buckets, err := ReadPack(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, b := range buckets {
			d := dec{b: b}
			for k := d.uint(); k > 0; k-- {
				term := d.str()
				for nf := d.uint(); nf > 0; nf-- {
					f, n := d.uint(), int(d.uint())
					rows := make([]uint64, n)
					row := int64(-1)
					for i := range rows {
						row += int64(d.uint())
						rows[i] = uint64(row)
					}
					for i := range rows {
						terms[term] = append(terms[term], rows[i]<<32|f<<24|d.uint())
					}
				}
			}
			if d.err || len(d.b) != 0 {
				t.Fatalf("damaged bucket in %s", g)
			}
		}
	}
	var ids []string
	for _, blk := range man.Blocks {
		data, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(ChunkDir), "d", blk+".bin"))
		if err != nil {
			t.Fatal(err)
		}
		cards, _, err := ReadDocs(data)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cards {
			var f struct {
				ID string `json:"id"`
			}
			if err := json.Unmarshal(c, &f); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, f.ID)
		}
	}
	for _, l := range terms {
		slices.Sort(l)
	}
	return terms, ids
}

// TestWordEntries checks the word index of a written index against what
// the client would make of the pairs and the texts: every vocabulary word
// has a term, whose entries are, per row and field, the rows holding all of
// its pairs there with their least frequency, and whose bits say whether
// the row's folded text and its squeezed folded title hold the word.
func TestWordEntries(t *testing.T) {
	docs := wordDocs(40)
	out := t.TempDir()
	if _, err := Write(t.Context(), out, "", docs, Options{}); err != nil {
		t.Fatal(err)
	}
	terms, ids := readTerms(t, out)
	byID := map[string]*search.Doc{}
	for i := range docs {
		byID[docs[i].ID] = &docs[i]
	}
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	vocab := wordVocab(docs, order)
	for _, w := range []string{"园区建设", "最低生活保障", "云泽市人民政府"} {
		if !slices.Contains(vocab, w) {
			t.Errorf("vocabulary %v lacks %s", vocab, w)
		}
	}
	if !slices.Contains(vocab, "城镇燃气") || slices.Contains(vocab, "跨境电商") || slices.Contains(vocab, "人民政府") {
		t.Errorf("vocabulary %v: want 城镇燃气 (three titles), not 跨境电商 (two) nor 人民政府 (not closed)", vocab)
	}
	holders, candidates := 0, 0
	for _, w := range vocab {
		rs := []rune(w)
		var pairs []string
		for k := 0; k+1 < len(rs); k++ {
			if p := string(rs[k : k+2]); !slices.Contains(pairs, p) {
				pairs = append(pairs, p)
			}
		}
		var want []uint64
		for row, id := range ids {
			d := byID[id]
			holds := false
			for _, seg := range search.DocText(d) {
				holds = holds || strings.Contains(search.Fold(seg), w)
			}
			title := strings.Contains(strings.Map(func(r rune) rune {
				if unicode.IsSpace(r) {
					return -1
				}
				return r
			}, search.Fold(d.Title)), w)
			cand := false
			for f := range search.NumFields {
				least := uint64(0)
				for k, p := range pairs {
					var fr uint64
					for _, x := range terms[p] {
						if int(x>>32) == row && int(x>>24&0xff) == f {
							fr = x & 0xffffff
						}
					}
					if fr == 0 {
						least = 0
						break
					}
					if k == 0 || fr < least {
						least = fr
					}
				}
				if least > 0 {
					cand = true
					want = append(want, uint64(row)<<32|wordEntry(f, uint32(least), holds, title))
				}
			}
			if cand {
				candidates++
				if holds {
					holders++
				}
			}
		}
		if got := terms[w]; !slices.Equal(got, want) {
			t.Errorf("%s: entries\n got %x\nwant %x", w, got, want)
		}
	}
	if holders == 0 || holders == candidates {
		t.Errorf("%d of %d candidates hold their word: the documents should have both", holders, candidates)
	}
	// Phrases: per pair of words, the rows whose text holds them side by
	// side.
	phrases := 0
	for term := range terms {
		a, b, ok := strings.Cut(term, " ")
		if !isWordTerm(term) || !ok {
			if isWordTerm(term) && !slices.Contains(vocab, term) {
				t.Errorf("word term %s is not in the vocabulary", term)
			}
			continue
		}
		if !slices.Contains(vocab, a) || !slices.Contains(vocab, b) {
			t.Errorf("phrase term %s: a word not in the vocabulary", term)
		}
		phrases++
	}
	for _, a := range vocab {
		for _, b := range vocab {
			if utf8.RuneCountInString(a) < phraseMin || utf8.RuneCountInString(b) < phraseMin {
				if terms[a+" "+b] != nil {
					t.Errorf("phrase %s %s: a word under %d characters", a, b, phraseMin)
				}
				continue
			}
			var want []uint64
			for row, id := range ids {
				holds := false
				for _, seg := range search.DocText(byID[id]) {
					holds = holds || strings.Contains(search.Fold(seg), a+b)
				}
				if holds {
					want = append(want, uint64(row)<<32|phraseEntry)
				}
			}
			if got := terms[a+" "+b]; !slices.Equal(got, want) {
				t.Errorf("phrase %s %s: rows\n got %x\nwant %x", a, b, got, want)
			}
		}
	}
	if phrases == 0 {
		t.Error("no phrase terms")
	}
}

// TestWordsIncremental checks that rebuilds give a fresh write's index and
// cache: a body edit (the same vocabulary: the postings are patched, the
// edited row's old words and phrases made of its old pairs and its old text,
// or, without the previous build's documents, everything analysed again);
// title edits by which the vocabulary gains a word (跨境电商, now in three
// titles) and loses one (城镇燃气, in two); a document gone.
func TestWordsIncremental(t *testing.T) {
	docs := wordDocs(40)
	dir := t.TempDir()
	write := func(name, prev string, withPrevOut bool, docs []search.Doc) Stats {
		t.Helper()
		out := filepath.Join(dir, name)
		opts := Options{State: out + ".state", Salt: []byte("s")}
		var prevOut string
		if prev != "" {
			opts.PrevState = filepath.Join(dir, prev+".state")
			if withPrevOut {
				prevOut = filepath.Join(dir, prev)
			}
		}
		st, err := Write(t.Context(), out, prevOut, docs, opts)
		if err != nil {
			t.Fatal(err)
		}
		if prev != "" {
			sameTree(t, filepath.Join(dir, "fresh-"+name), out)
			sameTree(t, filepath.Join(dir, "fresh-"+name+".state"), out+".state")
		}
		return st
	}
	fresh := func(name string, docs []search.Doc) { write("fresh-"+name, "", false, docs) }
	write("one", "", false, docs)

	body := slices.Clone(docs)
	body[9].Body, body[9].Hash = body[9].Body+"加快园区建设营商环境。", "h9'"
	body[12].Body, body[12].Hash = "跨境电商园区建设。", "h12'"
	fresh("two", body)
	if st := write("two", "one", true, body); !st.Patched || st.Analysed != 2 {
		t.Errorf("body edits: patched %t, %d analysed; want patched, 2", st.Patched, st.Analysed)
	}
	fresh("two-notext", body)
	if st := write("two-notext", "one", false, body); st.Patched {
		t.Error("without the previous documents, the postings were patched")
	}

	titles := slices.Clone(body)
	titles[7].Title, titles[7].Hash = "云泽市人民政府关于推进跨境电商的通知", "h7'"
	titles[4].Title, titles[4].Hash = "云泽市人民政府关于做好档案管理的通知", "h4'"
	order := make([]int, len(docs))
	for i := range order {
		order[i] = i
	}
	added, dropped := vocabDiff(wordVocab(body, order), wordVocab(titles, order))
	if !slices.Contains(added, "跨境电商") || !slices.Contains(dropped, "城镇燃气") {
		t.Fatalf("the edits add %v and drop %v; want 跨境电商 added and 城镇燃气 dropped", added, dropped)
	}
	fresh("three", titles)
	if st := write("three", "two", true, titles); st.Patched || st.Analysed != 2 {
		t.Errorf("title edits: patched %t, %d analysed; want not patched (another vocabulary), 2", st.Patched, st.Analysed)
	}

	// Back again, and a document gone: the rows move.
	gone := slices.Delete(slices.Clone(body), 20, 21)
	fresh("four", gone)
	write("four", "three", true, gone)
}
