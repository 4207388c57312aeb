package staticsearch

import (
	"bufio"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

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
	f, err := os.Open(filepath.Join(*corpusDir, "docs.jsonl"))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	cst := time.FixedZone("CST", 8*3600)
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<26)
	var docs []search.Doc
	for sc.Scan() {
		var l struct {
			ID, Title, Date, Agency, DocNo, Topic, Body string
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			tb.Fatal(err)
		}
		d, err := time.ParseInLocation("2006-01-02", l.Date, cst)
		if err != nil {
			tb.Fatal(err)
		}
		var heads []string
		for line := range strings.Lines(l.Body) {
			line = strings.TrimSpace(line)
			if i := strings.Index(line, "、"); i > 0 && i <= 9 && strings.Trim(line[:i], "一二三四五六七八九十") == "" && utf8.RuneCountInString(line) < 40 {
				heads = append(heads, line)
			}
		}
		docs = append(docs, search.Doc{
			ID: "/policy/" + l.ID + "/", Kind: "policy", Title: l.Title, Body: l.Body,
			DocNo: l.DocNo, Agencies: []string{l.Agency}, Topic: l.Topic, Date: d, Validity: "有效",
			Hash: l.ID, Headings: heads,
		})
	}
	if err := sc.Err(); err != nil {
		tb.Fatal(err)
	}
	return docs
}
