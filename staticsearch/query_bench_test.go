package staticsearch

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

var siteDir = flag.String("site", "", "write the corpus's static index into `DIR` (kept) instead of a temporary folder")

// queryClass is a kind of query the benchmarks measure on the shared
// corpus, with a few queries (testdata/bench-queries.tsv).
type queryClass struct {
	name    string
	queries []string
}

// queryClasses reads testdata/bench-queries.tsv: class, query and the IDs
// it must find, tab-separated, in class order.
func queryClasses(tb testing.TB) []queryClass {
	tb.Helper()
	b, err := os.ReadFile("testdata/bench-queries.tsv")
	if err != nil {
		tb.Fatal(err)
	}
	var out []queryClass
	for line := range strings.Lines(string(b)) {
		line = strings.TrimRight(line, "\n")
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		if len(out) == 0 || out[len(out)-1].name != f[0] {
			out = append(out, queryClass{name: f[0]})
		}
		out[len(out)-1].queries = append(out[len(out)-1].queries, f[1])
	}
	return out
}

// BenchmarkQuery writes the static index of the corpus and runs the client
// in Node on it for each class of queries, reporting what a query
// transfers: cold (a new page: manifest, table and chunks) and warm (the
// next query on the same page, with what the first fetched still held).
// Bytes are as sent: the chunks as stored (raw deflate), the manifest as
// its .gz copy. The client script (19,354 bytes gzip) is not counted;
// GONGKAI_BREAKDOWN=1 makes testdata/search.mjs report the bytes by kind
// of read (manifest, each table column, postings, documents).
//
//	go test ./staticsearch -run '^$' -bench Query -benchtime 1x -args -corpus /work/corpus/c10k
func BenchmarkQuery(b *testing.B) {
	node, err := exec.LookPath("node")
	if err != nil {
		b.Skip("node is not installed")
	}
	docs := loadCorpus(b)
	site := *siteDir
	if site == "" {
		site = b.TempDir()
	}
	if _, err := Write(b.Context(), site, "", docs, Options{Precompress: true}); err != nil {
		b.Fatal(err)
	}
	if err := WriteClient(site, true); err != nil {
		b.Fatal(err)
	}
	for _, class := range queryClasses(b) {
		b.Run(class.name, func(b *testing.B) {
			for b.Loop() {
				// Each query cold, then each warm after the one before it.
				var in bytes.Buffer
				for i, q := range class.queries {
					in.WriteString("cold " + url.Values{"q": {q}}.Encode() + "\n")
					prev := class.queries[(i+len(class.queries)-1)%len(class.queries)]
					in.WriteString("cold " + url.Values{"q": {prev}}.Encode() + "\n")
					in.WriteString(url.Values{"q": {q}}.Encode() + "\n")
				}
				res := runClient(b, node, site, in.Bytes())
				var cold, warm, coldReq, warmReq, hits []float64
				for i := range class.queries {
					c, w := res[3*i], res[3*i+2]
					cold, coldReq = append(cold, float64(c.ReadBytes)), append(coldReq, float64(c.ReadFiles))
					warm, warmReq = append(warm, float64(w.ReadBytes)), append(warmReq, float64(w.ReadFiles))
					hits = append(hits, float64(c.Total))
				}
				b.ReportMetric(slices.Max(cold)/1000, "cold-max-KB")
				b.ReportMetric(median(cold)/1000, "cold-p50-KB")
				b.ReportMetric(slices.Max(coldReq), "cold-max-req")
				b.ReportMetric(slices.Max(warm)/1000, "warm-max-KB")
				b.ReportMetric(median(warm)/1000, "warm-p50-KB")
				b.ReportMetric(slices.Max(warmReq), "warm-max-req")
				b.ReportMetric(median(hits), "hits-p50")
			}
		})
	}
}

type clientResponse struct {
	Total     int    `json:"total"`
	ReadBytes int    `json:"read_bytes"`
	ReadFiles int    `json:"read_files"`
	Error     string `json:"error"`
	Results   []struct {
		URL string `json:"url"`
	} `json:"results"`
}

// runClient runs testdata/search.mjs on the site folder with the given
// input lines.
func runClient(tb testing.TB, node, site string, in []byte) []clientResponse {
	tb.Helper()
	out := runClientRaw(tb, node, site, in)
	var res []clientResponse
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		var r clientResponse
		if err := dec.Decode(&r); err != nil {
			tb.Fatal(err)
		}
		if r.Error != "" {
			tb.Fatalf("client: %s", r.Error)
		}
		res = append(res, r)
	}
	return res
}

// runClientRaw runs testdata/search.mjs and returns its output: a JSON
// response a line.
func runClientRaw(tb testing.TB, node, site string, in []byte) []byte {
	tb.Helper()
	cmd := exec.Command(node, "testdata/search.mjs", site)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("node: %v\n%s", err, stderr.String())
	}
	return out
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
