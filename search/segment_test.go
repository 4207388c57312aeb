package search

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/blevesearch/bleve/v2"
	index "github.com/blevesearch/bleve_index_api"
	"github.com/google/go-cmp/cmp"
)

// segmentDocs are documents that exercise what the segment writer encodes:
// long and short Latin and digit words (up to the 64-byte cap, and exactly
// 8 bytes, where packed terms end), Traditional characters, headings left
// out of the body, fields without any token, terms held by one document
// once (bleve's one-hit encoding) or often, and enough documents for terms
// whose postings span several chunks.
func segmentDocs(n int) []Doc {
	rng := rand.New(rand.NewPCG(7, 8))
	words := []string{"abcdefgh", "abcdefghi", "abcdefg", "2024", "20245", "gov", "GOVERNMENT", "ｘｙｚ",
		strings.Repeat("long", 20), "a1b2", "Ünïcode", "x"}
	han := []rune("土地征收管理办法規定個人信息保護法政府資訊公開养老补贴投诉举报的了是")
	text := func(k int) string {
		var b strings.Builder
		for range k {
			switch rng.IntN(6) {
			case 0:
				b.WriteString(" " + words[rng.IntN(len(words))] + " ")
			case 1:
				b.WriteString("，\n")
			default:
				b.WriteRune(han[rng.IntN(len(han))])
			}
		}
		return b.String()
	}
	var docs []Doc
	for i := range n {
		d := Doc{
			ID: fmt.Sprintf("/d/%05d.html", i), Kind: "policy", Title: text(3 + rng.IntN(10)), Body: text(rng.IntN(400)),
			Agencies: []string{"成都市人民政府"}, Hash: fmt.Sprint(i),
		}
		if i%3 == 0 {
			d.DocNo = fmt.Sprintf("成府发〔2024〕%d号", i)
			d.Headings = []string{"一、总则"}
			d.Body = "一、总则\n" + d.Body
		}
		if i%5 == 0 {
			d.Summary = "？！"
			d.Keywords = []string{text(2)}
		}
		if i%7 == 0 {
			d.Title = "——"
		}
		docs = append(docs, d)
	}
	return docs
}

// TestSegmentMatchesBleve builds the same shard twice: with the segment
// writer (as Build does) and with bleve's own offline builder from the
// same analysed fields (as Build did), and compares everything bleve reads
// from them: documents, every field's terms, and every posting's document,
// frequency and norm; and the field lengths written to the table.
func TestSegmentMatchesBleve(t *testing.T) {
	for _, n := range []int{1, 3, 1500} {
		t.Run(fmt.Sprint(n), func(t *testing.T) {
			docs := segmentDocs(n)
			if n == 1 {
				docs[0].Body = ""
			}
			order, err := docOrder(docs)
			if err != nil {
				t.Fatal(err)
			}
			rows := make([]int, len(order))
			for i := range rows {
				rows[i] = i
			}
			tmp := t.TempDir()
			tab := &table{Docs: make([]docRecord, len(docs))}
			mine := filepath.Join(tmp, "mine")
			if err := writeFreshShard(t.Context(), mine, tmp, rows, docs, order, tab, 5); err != nil {
				t.Fatal(err)
			}
			ref := &table{Docs: make([]docRecord, len(docs))}
			theirs := filepath.Join(tmp, "theirs")
			b, err := bleve.NewBuilder(theirs, docMapping{newMapping()}, map[string]any{"buildPathPrefix": tmp, "batchSize": max(2, n/40)})
			if err != nil {
				t.Fatal(err)
			}
			for _, row := range rows {
				d := &docs[order[row]]
				doc := bleveDoc(d, &ref.Docs[row].Lens)
				for _, f := range doc.Fields {
					f.(*gramField).Analyze()
				}
				if err := b.Index(d.ID, doc); err != nil {
					t.Fatal(err)
				}
			}
			if err := b.Close(); err != nil {
				t.Fatal(err)
			}
			for i := range tab.Docs {
				if tab.Docs[i].Lens != ref.Docs[i].Lens {
					t.Errorf("row %d: field lengths %v, bleve's analysis %v", i, tab.Docs[i].Lens, ref.Docs[i].Lens)
				}
			}
			got, want := dumpIndex(t, mine), dumpIndex(t, theirs)
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("segment writer vs bleve's builder (-bleve +writer):\n%s", diff)
			}
			if len(want) < 3 {
				t.Errorf("dump has %d entries: nothing compared", len(want))
			}
		})
	}
}

// dumpIndex lists what bleve reads from the index at dir: the documents,
// and per field and term the postings as "id freq norm".
func dumpIndex(t *testing.T, dir string) []string {
	t.Helper()
	bix, err := bleve.OpenUsing(dir, map[string]any{"read_only": true})
	if err != nil {
		t.Fatal(err)
	}
	defer bix.Close()
	adv, err := bix.Advanced()
	if err != nil {
		t.Fatal(err)
	}
	r, err := adv.Reader()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	n, _ := r.DocCount()
	out := []string{fmt.Sprintf("docs %d", n)}
	ctx := context.Background()
	for _, field := range append([]string{"_id"}, fieldNames[:]...) {
		dict, err := r.FieldDict(field)
		if err != nil {
			t.Fatal(err)
		}
		for {
			e, err := dict.Next()
			if err != nil {
				t.Fatal(err)
			}
			if e == nil {
				break
			}
			tfr, err := r.TermFieldReader(ctx, []byte(e.Term), field, true, true, false)
			if err != nil {
				t.Fatal(err)
			}
			var posts []string
			var d index.TermFieldDoc
			for {
				p, err := tfr.Next(&d)
				if err != nil {
					t.Fatal(err)
				}
				if p == nil {
					break
				}
				id, err := r.ExternalID(p.ID)
				if err != nil {
					t.Fatal(err)
				}
				posts = append(posts, fmt.Sprintf("%s %d %g", id, p.Freq, p.Norm))
			}
			tfr.Close()
			slices.Sort(posts) // bleve's merge may order documents otherwise
			// (e.Count is not compared: zap's dictionary iterator reuses one
			// postings list, and a count read after a one-hit term is wrong.)
			out = append(out, fmt.Sprintf("%s %q: %s", field, e.Term, strings.Join(posts, ", ")))
		}
		dict.Close()
	}
	return slices.Clip(out)
}

// TestRebuildsMatchFresh rebuilds an index again and again, each time
// changing, adding and removing a few documents, and compares every search
// with those on a fresh index of the same documents. Shards get the
// changes as new segments until they reach maxShardSegments, and are then
// written anew.
func TestRebuildsMatchFresh(t *testing.T) {
	docs := segmentDocs(120)
	tmp := t.TempDir()
	opts := BuildOptions{ShardSize: 60} // two shards
	prev := filepath.Join(tmp, "v0")
	if _, err := Build(t.Context(), prev, "", docs, opts); err != nil {
		t.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	queries := []string{"土地", "征收管理", "abcdefgh", "abcdefghi", "2024", "個人信息", "资讯公开", "总则", "成府发〔2024〕3号", "政府 法"}
	for _, d := range docs[:20] {
		r := []rune(d.Body)
		if len(r) > 10 {
			queries = append(queries, string(r[3:7]))
		}
	}
	maxSegs, rewrites := 0, 0
	lastSegs := map[string]int{}
	for round := 1; round <= 2*maxShardSegments+2; round++ {
		// Change 3 documents, remove one and add one.
		for range 3 {
			d := &docs[rng.IntN(len(docs))]
			d.Body += fmt.Sprintf("\n第%d轮修订土地征收。", round)
			d.Hash = fmt.Sprint(d.Hash, "+", round)
		}
		gone := rng.IntN(len(docs))
		docs = append(docs[:gone], docs[gone+1:]...)
		docs = append(docs, Doc{ID: fmt.Sprintf("/new/%03d.html", round), Kind: "notice", Title: fmt.Sprintf("第%d号公告", round),
			Body: "个人信息保护法 abcdefghi 土地征收", Hash: "n"})
		dir := filepath.Join(tmp, fmt.Sprintf("v%d", round))
		st, err := Build(t.Context(), dir, prev, docs, opts)
		if err != nil {
			t.Fatal(err)
		}
		if st.Reused == 0 {
			t.Fatalf("round %d: nothing reused: %+v", round, st)
		}
		fresh := filepath.Join(tmp, fmt.Sprintf("f%d", round))
		if _, err := Build(t.Context(), fresh, "", docs, opts); err != nil {
			t.Fatal(err)
		}
		a, err := Open(dir)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Open(fresh)
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range queries {
			ra, rb := mustSearch(t, a, ParseQuery(q)), mustSearch(t, b, ParseQuery(q))
			ra.Took, rb.Took, ra.TookMS, rb.TookMS = 0, 0, 0, 0
			ja, _ := json.MarshalIndent(ra, "", " ")
			jb, _ := json.MarshalIndent(rb, "", " ")
			if diff := cmp.Diff(string(jb), string(ja)); diff != "" {
				t.Fatalf("round %d: %s: rebuilt vs fresh (-fresh +rebuilt):\n%s", round, q, diff)
			}
		}
		a.Close()
		b.Close()
		for s := range 2 {
			segs, _ := filepath.Glob(filepath.Join(dir, bleveDir, shardName(s), "store", "*.zap"))
			name := shardName(s)
			if len(segs) < lastSegs[name] {
				rewrites++
			}
			lastSegs[name] = len(segs)
			maxSegs = max(maxSegs, len(segs))
		}
		prev = dir
	}
	if maxSegs < 2 || maxSegs > maxShardSegments || rewrites == 0 {
		t.Errorf("at most %d segments in a shard, %d rewrites: want updates as segments, up to %d, then rewrites",
			maxSegs, rewrites, maxShardSegments)
	}
}
