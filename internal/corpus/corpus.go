// Package corpus converts the benchmark corpus (Markdown files with title,
// date, agency, docno and topic front matter, as written by the shared
// gencorpus.py) into a gongkai site, adding the required fields
// deterministically so build figures compare with other tools' on the same
// documents.
package corpus

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

type meta struct {
	Title  string `yaml:"title"`
	Date   string `yaml:"date"`
	Agency string `yaml:"agency"`
	DocNo  string `yaml:"docno"`
	Topic  string `yaml:"topic"`
}

type doc struct {
	name string
	meta
	body []byte
}

// Convert reads corpusDir/content/docs/*.md and writes a gongkai site into
// siteDir (content/site.yaml, content/data/calendar.yaml and
// content/policies/*.md). It returns the number of documents.
func Convert(corpusDir, siteDir string) (int, error) {
	src := filepath.Join(corpusDir, "content", "docs")
	entries, err := os.ReadDir(src)
	if err != nil {
		return 0, fmt.Errorf("convert corpus: %w", err)
	}
	var docs []doc
	agencies := map[string]bool{}
	topics := map[string]bool{}
	for _, e := range entries {
		if !strings.HasSuffix(e.Name(), ".md") {
			continue
		}
		data, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			return 0, err
		}
		rest, ok := bytes.CutPrefix(data, []byte("---\n"))
		fm, body, ok2 := bytes.Cut(rest, []byte("\n---\n"))
		if !ok || !ok2 {
			return 0, fmt.Errorf("convert corpus: %s has no front matter", e.Name())
		}
		var m meta
		if err := yaml.Unmarshal(fm, &m); err != nil {
			return 0, fmt.Errorf("convert corpus: %s: %w", e.Name(), err)
		}
		docs = append(docs, doc{strings.TrimSuffix(e.Name(), ".md"), m, body})
		agencies[m.Agency] = true
		topics[m.Topic] = true
	}
	agencyNames := sortedKeys(agencies)
	topicNames := sortedKeys(topics)
	agencyCode := map[string]int{}
	for i, a := range agencyNames {
		agencyCode[a] = i
	}
	topicCode := map[string]int{}
	for i, t := range topicNames {
		topicCode[t] = i
	}
	if err := os.MkdirAll(filepath.Join(siteDir, "content", "policies"), 0o755); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Join(siteDir, "content", "data"), 0o755); err != nil {
		return 0, err
	}
	var site bytes.Buffer
	// A fictional official identity, so the site passes a production build.
	site.WriteString("name: 基准测试门户\nbase_url: https://bench.example.gov.cn/\nsite_id_code: \"0000000000\"\nguide: 基准测试用指南。\n" +
		"identity: {sponsor: 基准测试主办单位, operator: 基准测试承办单位, icp: 测ICP备00000000号, police_record: 测公网安备00000000000000号, badge: identity/badge.svg, phone: 000-00000000}\n" +
		"agencies:\n")
	for i, a := range agencyNames {
		fmt.Fprintf(&site, "  - {code: a%03d, name: %q, org_code: AG%07d}\n", i, a, i)
	}
	site.WriteString("topics:\n")
	for i, t := range topicNames {
		fmt.Fprintf(&site, "  - {code: t%02d, name: %q}\n", i, t)
	}
	site.WriteString("nav:\n  - {title: 首页, url: /}\n  - {title: 政策文件, url: /policy/}\n")
	if err := os.WriteFile(filepath.Join(siteDir, "content", "site.yaml"), site.Bytes(), 0o644); err != nil {
		return 0, err
	}
	if err := os.MkdirAll(filepath.Join(siteDir, "content", "identity"), 0o755); err != nil {
		return 0, err
	}
	badge := `<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><title>基准测试标识</title></svg>` + "\n"
	if err := os.WriteFile(filepath.Join(siteDir, "content", "identity", "badge.svg"), []byte(badge), 0o644); err != nil {
		return 0, err
	}
	// The corpus spans 2015–2024; the calendar covers it (weekends only), so
	// the 20-working-day rule is checked without warnings.
	cal := "years: [2015, 2016, 2017, 2018, 2019, 2020, 2021, 2022, 2023, 2024]\n"
	if err := os.WriteFile(filepath.Join(siteDir, "content", "data", "calendar.yaml"), []byte(cal), 0o644); err != nil {
		return 0, err
	}
	serial := map[string]int{}
	for _, d := range docs {
		org := fmt.Sprintf("AG%07d", agencyCode[d.Agency])
		year := d.Date[:4]
		serial[org+year]++
		var b bytes.Buffer
		w := bufio.NewWriter(&b)
		fmt.Fprintf(w, "---\ndisclosure: 主动公开\nindex_no: %s/%s-%05d\ntitle: %q\nsummary: %q\nagencies: [a%03d]\n",
			org, year, serial[org+year], d.Title, summary(d.body), agencyCode[d.Agency])
		fmt.Fprintf(w, "doc_no: %q\ndate_written: %s\ndate_published: %s\ntopic: %q\nnormative: true\nvalidity:\n  status: 有效\n  effective: %s\n---\n",
			d.DocNo, d.Date, d.Date, d.Topic, d.Date)
		w.Write(d.body)
		w.Flush()
		if err := os.WriteFile(filepath.Join(siteDir, "content", "policies", d.name+".md"), b.Bytes(), 0o644); err != nil {
			return 0, err
		}
	}
	return len(docs), nil
}

// summary takes the first sentence of the preamble as the 内容概述.
func summary(body []byte) string {
	for _, line := range strings.Split(string(body), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasSuffix(line, "：") || strings.HasPrefix(line, "#") {
			continue
		}
		if i := strings.Index(line, "。"); i > 0 {
			line = line[:i+len("。")]
		}
		if r := []rune(line); len(r) > 120 {
			line = string(r[:120])
		}
		return line
	}
	return "见正文。"
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
