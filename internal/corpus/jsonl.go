package corpus

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Line is one document of a corpus folder's docs.jsonl, the form the
// search benchmarks and corpus tests read.
type Line struct {
	ID, Title, Agency, DocNo, Topic, Body string
	// Date is the document's date at midnight, China Standard Time.
	Date time.Time
	// Headings are the body's section headings (see Headings).
	Headings []string
}

var cst = time.FixedZone("CST", 8*60*60)

// ReadLines reads dir/docs.jsonl.
func ReadLines(dir string) ([]Line, error) {
	name := filepath.Join(dir, "docs.jsonl")
	f, err := os.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(nil, 1<<26)
	var out []Line
	for n := 1; sc.Scan(); n++ {
		var l struct {
			ID     string `json:"id"`
			Title  string `json:"title"`
			Date   string `json:"date"`
			Agency string `json:"agency"`
			DocNo  string `json:"docno"`
			Topic  string `json:"topic"`
			Body   string `json:"body"`
		}
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", name, n, err)
		}
		d, err := time.ParseInLocation("2006-01-02", l.Date, cst)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: date: %w", name, n, err)
		}
		out = append(out, Line{ID: l.ID, Title: l.Title, Agency: l.Agency, DocNo: l.DocNo, Topic: l.Topic, Body: l.Body,
			Date: d, Headings: Headings(l.Body)})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	return out, nil
}

// Planted reads dir/planted.json: each invented phrase the generator
// planted, and the IDs of the documents that hold it.
func Planted(dir string) (map[string][]string, error) {
	name := filepath.Join(dir, "planted.json")
	b, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	var planted map[string][]string
	if err := json.Unmarshal(b, &planted); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	return planted, nil
}

// Headings returns the section headings of a corpus body: the generator
// writes them as "## 一、…" lines, and docs.jsonl drops the "## ".
func Headings(body string) []string {
	var out []string
	for line := range strings.Lines(body) {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, "、"); i > 0 && i <= 3*3 && strings.Trim(line[:i], "一二三四五六七八九十") == "" && utf8.RuneCountInString(line) < 40 {
			out = append(out, line)
		}
	}
	return out
}
