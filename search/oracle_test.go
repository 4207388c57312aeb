package search

import (
	"strings"
	"unicode/utf8"
)

// oracle answers queries by brute force over the documents, with the
// matching rules spelled out plainly: a term (or each piece of a word that
// mixes Chinese with other writing) matches a document when one of
// its texts (title, summary, body, document number, index number, agencies,
// topic, keywords, URL slug), folded and with white-space runs as single
// spaces, contains the folded term, and no letter or digit run of the text
// is cut at the term's ends. A document number term matches any spelling.
type oracle struct {
	docs  []Doc
	texts [][]string // folded, per document
}

func newOracle(docs []Doc) *oracle {
	o := &oracle{docs: docs}
	for i := range docs {
		segs := docSegments(&docs[i])
		var texts []string
		for _, s := range segs {
			for _, part := range strings.Split(s, string(segSep)) {
				texts = append(texts, collapseSpace(foldString(part)))
			}
		}
		o.texts = append(o.texts, texts)
	}
	return o
}

func collapseSpace(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if isSpace(r) {
			if !space {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return b.String()
}

// containsForm reports whether document i contains form f; document
// numbers match in any spelling when docno is set.
func (o *oracle) containsForm(i int, f string, docno bool) bool {
	if dn, ok := parseDocNo(f); ok && docno {
		for _, s := range o.texts[i] {
			for _, spelled := range docNoSpellings(dn) {
				if containsWord(s, spelled) {
					return true
				}
			}
		}
		return false
	}
	needle := collapseSpace(strings.TrimSpace(foldString(f)))
	for _, s := range o.texts[i] {
		if containsWord(s, needle) {
			return true
		}
	}
	return false
}

// docNoSpellings lists the folded spellings of d the portal accepts.
func docNoSpellings(d docNo) []string {
	y, n := itoa(d.year), itoa(d.num)
	var out []string
	for _, mid := range []string{"[" + y + "]", "(" + y + ")", y + "年", "[" + y + "]第", "(" + y + ")第", y + "年第"} {
		out = append(out, d.code+mid+n+"号", d.code+mid+n)
	}
	return out
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}

// containsWord reports whether s contains needle without cutting a run of
// letters or digits at either end.
func containsWord(s, needle string) bool {
	if needle == "" {
		return false
	}
	first, _ := utf8.DecodeRuneInString(needle)
	last, _ := utf8.DecodeLastRuneInString(needle)
	for off := 0; ; {
		i := strings.Index(s[off:], needle)
		if i < 0 {
			return false
		}
		start, end := off+i, off+i+len(needle)
		ok := true
		if c := classOf(first); (c == classLetter || c == classDigit) && start > 0 {
			if r, _ := utf8.DecodeLastRuneInString(s[:start]); classOf(r) == c {
				ok = false
			}
		}
		if c := classOf(last); (c == classLetter || c == classDigit) && end < len(s) {
			if r, _ := utf8.DecodeRuneInString(s[end:]); classOf(r) == c {
				ok = false
			}
		}
		if ok {
			return true
		}
		_, w := utf8.DecodeRuneInString(s[start:])
		off = start + w
	}
}

// count returns the number of documents matching every positive term and no
// excluded term of q, ignoring filters.
func (o *oracle) count(q Query) int {
	n := 0
	for i := range o.docs {
		if o.matches(i, q) {
			n++
		}
	}
	return n
}

// matches applies the query's analysis (Analyze: words and their forms)
// by brute force: every positive word has a form in the document, no
// excluded word has.
func (o *oracle) matches(i int, q Query) bool {
	for _, w := range Analyze(q.Terms).Words {
		has := false
		for _, f := range w.Forms {
			if hasTokens(f) && o.containsForm(i, f, w.Kind == "docno") {
				has = true
				break
			}
		}
		if has == w.Exclude {
			return false
		}
	}
	return true
}
