package inspect

import (
	_ "embed"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"
)

//go:embed typos.txt
var typosFile string

// wordEntry is one wrong form the wording rules look for.
type wordEntry struct {
	wrong, right string
	rule         string // WORD-TYPO, WORD-SENSITIVE or WORD-FORM
	notAfter     string // runes that, right after the match, cancel it
	notBefore    string // runes that, right before the match, cancel it
	special      string // "date" or "clause"
}

// Typo is one entry of the built-in list of misspellings.
type Typo struct {
	Wrong, Right string
}

// Typos returns the built-in list of misspellings, in file order.
func Typos() []Typo {
	es, _ := parseTypos(typosFile)
	out := make([]Typo, len(es))
	for i, e := range es {
		out[i] = Typo{e.wrong, e.right}
	}
	return out
}

func parseTypos(src string) ([]wordEntry, error) {
	var out []wordEntry
	for n, ln := range strings.Split(src, "\n") {
		ln = strings.TrimSpace(ln)
		if ln == "" || strings.HasPrefix(ln, "#") {
			continue
		}
		f := strings.Fields(ln)
		if len(f) < 2 {
			return nil, fmt.Errorf("typos.txt:%d: want 错误写法 规范写法, got %q", n+1, ln)
		}
		e := wordEntry{wrong: f[0], right: f[1], rule: "WORD-TYPO"}
		for _, opt := range f[2:] {
			switch {
			case strings.HasPrefix(opt, "after!="):
				e.notAfter = strings.TrimPrefix(opt, "after!=")
			case strings.HasPrefix(opt, "before!="):
				e.notBefore = strings.TrimPrefix(opt, "before!=")
			case opt == "rule=date" || opt == "rule=clause":
				e.special = strings.TrimPrefix(opt, "rule=")
			default:
				return nil, fmt.Errorf("typos.txt:%d: unknown option %q", n+1, opt)
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// wordList finds every entry in a text in one pass: entries are indexed by
// their first rune.
type wordList struct {
	byFirst map[rune][]*wordEntry
	first   []bool // byFirst has the rune, for runes below 0x10000
}

func newWordList(cfg *Config) *wordList {
	builtin, err := parseTypos(typosFile)
	if err != nil {
		panic(err) // the embedded list is tested
	}
	var es []*wordEntry
	for i := range builtin {
		if !slices.Contains(cfg.TypoIgnore, builtin[i].wrong) {
			es = append(es, &builtin[i])
		}
	}
	for _, w := range cfg.SensitiveWords {
		es = append(es, &wordEntry{wrong: w, rule: "WORD-SENSITIVE"})
	}
	for _, sf := range cfg.StandardForms {
		for _, v := range sf.Variants {
			es = append(es, &wordEntry{wrong: v, right: sf.Form, rule: "WORD-FORM"})
		}
	}
	wl := &wordList{byFirst: map[rune][]*wordEntry{}, first: make([]bool, 0x10000)}
	for _, e := range es {
		r, _ := utf8.DecodeRuneInString(e.wrong)
		wl.byFirst[r] = append(wl.byFirst[r], e)
		if r < 0x10000 {
			wl.first[r] = true
		}
	}
	// Longest first, so 度过难关 wins over a shorter entry at the same place.
	for _, l := range wl.byFirst {
		slices.SortStableFunc(l, func(a, b *wordEntry) int { return len(b.wrong) - len(a.wrong) })
	}
	return wl
}

// wordHit is one match of the word list.
type wordHit struct {
	e     *wordEntry
	start int
}

// find returns the entries matched in text.
func (wl *wordList) find(text string) []wordHit {
	var out []wordHit
	for i := 0; i < len(text); {
		c := text[i]
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(text[i:])
		if (r < 0x10000 && !wl.first[r]) || (r >= 0x10000 && wl.byFirst[r] == nil) {
			i += size
			continue
		}
		matched := false
		for _, e := range wl.byFirst[r] {
			if strings.HasPrefix(text[i:], e.wrong) && e.applies(text, i) {
				out = append(out, wordHit{e, i})
				i += len(e.wrong)
				matched = true
				break
			}
		}
		if !matched {
			i += size
		}
	}
	return out
}

// dateAfter lists what, after 截止, makes it a point in time (截至).
var dateAfter = []string{"今年", "今日", "今天", "目前", "本月", "本年", "本季度", "年底", "年末", "上年", "去年", "上月", "当前", "发稿", "二〇", "二零", "报告期末"}

// applies reports whether the entry matched at i counts, given its context.
func (e *wordEntry) applies(text string, i int) bool {
	after := text[i+len(e.wrong):]
	if e.notAfter != "" && after != "" {
		r, _ := utf8.DecodeRuneInString(after)
		if strings.ContainsRune(e.notAfter, r) {
			return false
		}
	}
	if e.notBefore != "" && i > 0 {
		r, _ := utf8.DecodeLastRuneInString(text[:i])
		if strings.ContainsRune(e.notBefore, r) {
			return false
		}
	}
	switch e.special {
	case "date":
		after = strings.TrimLeft(after, " \u3000")
		if after == "" {
			return false
		}
		if r, _ := utf8.DecodeRuneInString(after); (r >= '0' && r <= '9') || (r >= '０' && r <= '９') {
			return true
		}
		for _, d := range dateAfter {
			if strings.HasPrefix(after, d) {
				return true
			}
		}
		return false
	case "clause":
		// 既使……又使…… is 既 + 使: a second 又, or 也使/还使/同时使,
		// later in the sentence shows it.
		cl := clause(after)
		if strings.Contains(cl, "又") {
			return false
		}
		for _, w := range []string{"也使", "也让", "还使", "还让", "更使", "更让", "同时使", "同时让"} {
			if strings.Contains(cl, w) {
				return false
			}
		}
		return true
	}
	return true
}

func clause(s string) string {
	if i := strings.IndexAny(s, "。；！？\n"); i >= 0 {
		return s[:i]
	}
	return s
}
