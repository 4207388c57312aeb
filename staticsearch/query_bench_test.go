package staticsearch

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/url"
	"os/exec"
	"slices"
	"testing"
)

var siteDir = flag.String("site", "", "write the corpus's static index into `DIR` (kept) instead of a temporary folder")

// queryClasses are the kinds of query BenchmarkQuery measures on the
// shared corpus (its vocabulary: bin/gencorpus.py), a few queries each.
var queryClasses = []struct {
	name    string
	queries []string
}{
	{"two-term", []string{"土地征收 营商环境", "最低生活保障 社会组织", "国土空间规划 档案管理", "电力保障 城镇燃气", "高校毕业生 跨境电商", "不动产登记 园区建设"}},
	{"invented-compound", []string{"雁栖湖湿地生态补偿试点", "蜀道驿站数字孪生平台", "锦官城非遗工坊", "蓉易办掌上通", "鹤鸣山云端农场", "龟背竹苗圃碳汇林"}},
	{"doc-number", []string{"成环发〔2019〕42号", "成商务发[2018]124号", "泸市监发(2024)25号"}},
	{"phrase", []string{`"不动产登记试点"`, `"电子证照"`, `"营商环境有序推进"`}},
	{"one-character", []string{"税", "碳", "桥"}},
}

// BenchmarkQuery writes the static index of the corpus and runs the client
// in Node on it for each class of queries, reporting what a query
// transfers: cold (a new page: manifest, table and chunks) and warm (the
// next query on the same page, with what the first fetched still held).
// Bytes are of the files as stored (raw deflate, no further HTTP
// compression).
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
	if _, err := Write(b.Context(), site, "", docs, Options{}); err != nil {
		b.Fatal(err)
	}
	if err := WriteClient(site); err != nil {
		b.Fatal(err)
	}
	for _, class := range queryClasses {
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
	cmd := exec.Command(node, "testdata/search.mjs", site)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		tb.Fatalf("node: %v\n%s", err, stderr.String())
	}
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

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	return s[len(s)/2]
}
