package staticsearch

import (
	"bytes"
	"flag"
	"maps"
	"net/url"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"gongkai/internal/corpus"
	"gongkai/search"
)

// Tests and benchmarks on the shared benchmark corpus take its folder:
//
//	go test ./staticsearch -run Corpus -args -corpus /work/corpus/c10k
var corpusDir = flag.String("corpus", "", "benchmark corpus folder holding docs.jsonl; corpus tests skip without it")

// loadCorpus reads docs.jsonl as search's own corpus tests do (IDs
// /policy/ID/, one agency, headings from the "一、" lines).
func loadCorpus(tb testing.TB) []search.Doc {
	tb.Helper()
	if *corpusDir == "" {
		tb.Skip("no -corpus folder given")
	}
	lines, err := corpus.ReadLines(*corpusDir)
	if err != nil {
		tb.Fatal(err)
	}
	docs := make([]search.Doc, 0, len(lines))
	for _, l := range lines {
		docs = append(docs, search.Doc{
			ID: "/policy/" + l.ID + "/", Kind: "policy", Title: l.Title, Body: l.Body,
			DocNo: l.DocNo, Agencies: []string{l.Agency}, Topic: l.Topic, Date: l.Date, Validity: "有效",
			Hash: l.ID, Headings: l.Headings,
		})
	}
	return docs
}

// TestCorpusAgreement runs on the benchmark corpus (only with -corpus): it
// builds the server's index and the static index of the same documents and
// asks both the corpus's planted queries (planted.json: invented compounds
// and the documents that hold them) and BenchmarkQuery's classes. The
// static client's top 10 must equal the server's for at least 95% of the
// queries, and recall@5 of the planted documents must be the same.
//
//	go test ./staticsearch -run CorpusAgreement -args -corpus /work/corpus/c10k
func TestCorpusAgreement(t *testing.T) {
	docs := loadCorpus(t)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Skip("node is not installed")
	}
	planted, err := corpus.Planted(*corpusDir)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	site := *siteDir
	if site == "" {
		site = filepath.Join(dir, "public")
	}
	if _, err := Write(t.Context(), site, "", docs, Options{Precompress: true}); err != nil {
		t.Fatal(err)
	}
	if err := WriteClient(site, true); err != nil {
		t.Fatal(err)
	}
	if _, err := search.Build(t.Context(), filepath.Join(dir, "ix"), "", docs, search.BuildOptions{}); err != nil {
		t.Fatal(err)
	}
	ix, err := search.Open(filepath.Join(dir, "ix"))
	if err != nil {
		t.Fatal(err)
	}
	defer ix.Close()

	type query struct {
		q    string
		want []string
	}
	var queries []query
	for _, q := range slices.Sorted(maps.Keys(planted)) {
		var want []string
		for _, id := range planted[q] {
			want = append(want, "/policy/"+id+"/")
		}
		queries = append(queries, query{q, want})
		// The compound split in two words, and with a word around it.
		r := []rune(q)
		queries = append(queries, query{string(r[:len(r)/2]) + " " + string(r[len(r)/2:]), want}, query{q + " 通知", nil})
	}
	for _, c := range queryClasses(t) {
		for _, q := range c.queries {
			queries = append(queries, query{q, nil})
		}
	}
	var in bytes.Buffer
	for _, q := range queries {
		in.WriteString(url.Values{"q": {q.q}}.Encode() + "\n")
	}
	static := runClient(t, node, site, in.Bytes())
	same, pairs, serverFound, staticFound := 0, 0, 0, 0
	for i, q := range queries {
		resp, err := ix.Search(t.Context(), search.ParseQuery(q.q))
		if err != nil {
			t.Fatal(err)
		}
		var a, b []string
		for _, r := range resp.Results {
			a = append(a, r.ID)
		}
		for _, r := range static[i].Results {
			b = append(b, r.URL)
		}
		if slices.Equal(a, b) {
			same++
		} else {
			t.Logf("%s: top 10 differ\n  server: %v (total %d)\n  static: %v (total %d)", q.q, a, resp.Total, b, static[i].Total)
		}
		for _, u := range q.want {
			pairs++
			if slices.Contains(a[:min(5, len(a))], u) {
				serverFound++
			}
			if slices.Contains(b[:min(5, len(b))], u) {
				staticFound++
			}
		}
	}
	t.Logf("%d documents, %d queries: top 10 the same for %d (%.1f%%); recall@5 of planted documents: server %d/%d, static %d/%d",
		len(docs), len(queries), same, 100*float64(same)/float64(len(queries)), serverFound, pairs, staticFound, pairs)
	if 100*same < 95*len(queries) {
		t.Errorf("top 10 agree for %d of %d queries, want at least 95%%", same, len(queries))
	}
	if serverFound != staticFound {
		t.Errorf("recall@5: server %d/%d, static %d/%d", serverFound, pairs, staticFound, pairs)
	}
}
