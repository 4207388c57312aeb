package search

import (
	"slices"
	"strconv"

	"github.com/blevesearch/bleve/v2/search/query"
)

// cterm is a query term compiled for the index.
type cterm struct {
	Term
	folded   string
	squeezed string // folded, without white space
	pat      pattern
	dn       *docNo  // set when the term is a document number
	code     pattern // the pattern of dn.code
	bigrams  []string
	words    []string
	unis     []string
	// exact reports that the index alone decides a match: the term is one
	// bigram or one word, so no text check is needed.
	exact bool
	// parts are the pieces a mixed-script word is matched by (see
	// compileTerms); nil for other terms.
	parts []*cterm
}

// compileTerms compiles the query's terms. typed are the positive terms as
// typed; pos are what documents must match: the typed terms, except that a
// word mixing Chinese with Latin letters or digits is split where the script
// changes (12345热线 must match 12345政务服务便民热线). neg are the excluded
// terms, matched as typed.
func compileTerms(terms []Term) (typed, pos, neg []*cterm) {
	for _, t := range terms {
		c := compileTerm(t)
		if len(c.bigrams)+len(c.words)+len(c.unis) == 0 {
			continue
		}
		if t.Exclude {
			neg = append(neg, c)
			continue
		}
		typed = append(typed, c)
		parts := splitMixed(t)
		if len(parts) < 2 {
			pos = append(pos, c)
			continue
		}
		for _, p := range parts {
			c.parts = append(c.parts, compileTerm(Term{Text: p}))
		}
		pos = append(pos, c.parts...)
	}
	return typed, pos, neg
}

// splitMixed returns the pieces of an unquoted word where it changes between
// Chinese and other writing, or nil when it does not (or is a phrase or a
// document number, which stay whole).
func splitMixed(t Term) []string {
	if t.Phrase || t.Exclude {
		return nil
	}
	if _, ok := parseDocNo(t.Text); ok {
		return nil
	}
	var parts []string
	rs := []rune(t.Text)
	for i := 0; i < len(rs); {
		cjk := isCJK(foldRune(rs[i]))
		j := i
		for j < len(rs) && isCJK(foldRune(rs[j])) == cjk {
			j++
		}
		if p := trimWord(string(rs[i:j])); hasTokens(p) {
			parts = append(parts, p)
		}
		i = j
	}
	if len(parts) < 2 {
		return nil
	}
	return parts
}

func compileTerm(t Term) *cterm {
	c := &cterm{Term: t, folded: foldString(t.Text)}
	c.squeezed = squeeze(c.folded)
	c.pat = newPattern(c.folded)
	if dn, ok := parseDocNo(t.Text); ok {
		c.dn = &dn
		c.code = newPattern(dn.code)
		c.bigrams, c.words, c.unis = termGrams(dn.code)
		c.words = appendUnique(c.words, strconv.Itoa(dn.year), strconv.Itoa(dn.num))
		return c
	}
	c.bigrams, c.words, c.unis = termGrams(c.folded)
	if len(c.bigrams)+len(c.words) == 1 && len(c.unis) == 0 {
		c.exact = string(c.pat.runes) == slices.Concat(c.bigrams, c.words)[0]
	}
	return c
}

// indexed reports whether the index can find candidates for c: it has a
// bigram or a word. Terms of lone characters are found in the stored text.
func (c *cterm) indexed() bool { return len(c.bigrams)+len(c.words) > 0 }

// termGrams returns the index tokens of folded text s: CJK bigrams, words,
// and the CJK characters that stand alone (runs of one), each once.
func termGrams(s string) (bigrams, words, unis []string) {
	scan(s, func(kind tokenKind, term []byte) {
		if kind == tokBigram {
			bigrams = appendUnique(bigrams, string(term))
		} else {
			words = appendUnique(words, string(term))
		}
	})
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if !isCJK(rs[i]) {
			continue
		}
		j := i
		for j < len(rs) && isCJK(rs[j]) {
			j++
		}
		if j-i == 1 {
			unis = appendUnique(unis, string(rs[i]))
		}
		i = j - 1
	}
	return bigrams, words, unis
}

func appendUnique(list []string, vals ...string) []string {
	for _, v := range vals {
		found := false
		for _, x := range list {
			if x == v {
				found = true
				break
			}
		}
		if !found {
			list = append(list, v)
		}
	}
	return list
}

func termQuery(field, term string, boost float64) query.Query {
	q := query.NewTermQuery(term)
	q.SetField(field)
	q.SetBoost(boost)
	return q
}

// query returns the bleve query for the documents that may contain c: every
// bigram and word of c in one field (the title, summary, body or metadata).
// Candidates are checked against the text unless c is exact. It must only be
// called when c.indexed().
func (c *cterm) query() query.Query {
	grams := slices.Concat(c.bigrams, c.words)
	perField := make([]query.Query, 0, len(textFields))
	for _, f := range textFields {
		conj := make([]query.Query, len(grams))
		for i, g := range grams {
			conj[i] = termQuery(f.name, g, f.boost)
		}
		if len(conj) == 1 {
			perField = append(perField, conj[0])
		} else {
			perField = append(perField, query.NewConjunctionQuery(conj))
		}
	}
	return query.NewDisjunctionQuery(perField)
}

// andQuery returns the query for documents that may contain every indexed
// term, or nil when no term is indexed.
func andQuery(pos []*cterm) query.Query {
	var qs []query.Query
	for _, t := range pos {
		if t.indexed() {
			qs = append(qs, t.query())
		}
	}
	switch len(qs) {
	case 0:
		return nil
	case 1:
		return qs[0]
	}
	return query.NewConjunctionQuery(qs)
}

// relaxedQuery returns the query used when no document contains every term:
// documents containing most of the terms' bigrams and words, wherever they
// are. It returns nil when that could find nothing new.
func relaxedQuery(pos []*cterm) query.Query {
	var grams []query.Query
	for _, t := range pos {
		for _, g := range slices.Concat(t.bigrams, t.words) {
			perField := make([]query.Query, 0, len(textFields))
			for _, f := range textFields {
				perField = append(perField, termQuery(f.name, g, f.boost))
			}
			grams = append(grams, query.NewDisjunctionQuery(perField))
		}
	}
	if len(grams) < 2 {
		return nil
	}
	d := query.NewDisjunctionQuery(grams)
	d.SetMin(float64(len(grams) - len(grams)/3))
	return d
}
