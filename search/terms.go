package search

import (
	"slices"
	"strconv"
)

// cterm is one form of a word, compiled for the index.
type cterm struct {
	folded   string
	squeezed string // folded, without white space
	pat      pattern
	dn       *docNo  // set when the form is a document number
	code     pattern // the pattern of dn.code
	bigrams  []string
	words    []string
	unis     []string
	// exact reports that the index alone decides a match: the form is one
	// bigram or one word, so no text check is needed.
	exact bool
}

// cword is a word of the query compiled for the index: a document holds it
// when it holds any of its forms.
type cword struct {
	Word
	alts   []*cterm
	folded string // the word as written, folded and without white space
}

func compileWord(w Word) *cword {
	c := &cword{Word: w, folded: squeeze(Fold(w.Text))}
	for _, f := range w.Forms {
		t := compileForm(f, w.Kind == "docno")
		if len(t.bigrams)+len(t.words)+len(t.unis) == 0 {
			continue
		}
		c.alts = append(c.alts, t)
	}
	return c
}

// indexed reports whether every form of w can be looked up in the index;
// otherwise documents must be scanned for it.
func (w *cword) indexed() bool {
	for _, t := range w.alts {
		if !t.indexed() {
			return false
		}
	}
	return len(w.alts) > 0
}

func compileForm(f string, docno bool) *cterm {
	c := &cterm{folded: Fold(f)}
	c.squeezed = squeeze(c.folded)
	c.pat = newPattern(c.folded)
	if dn, ok := parseDocNo(f); ok && docno {
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
