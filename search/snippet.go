package search

import (
	"html/template"
	"slices"
	"strings"
	"unicode/utf16"
)

// Snippet sizes, in UTF-16 units (one unit per Chinese character).
const (
	snippetWidth   = 110
	snippetLead    = 24 // context kept before the first hit
	maxSnippetHits = 64
)

// highlighter finds the query's terms in stored text for highlighting.
type highlighter struct {
	pats   []*pattern
	docnos []*cterm
}

func (m *matcher) highlighter() *highlighter {
	h := &highlighter{}
	for _, w := range m.pos {
		h.add(w)
	}
	return h
}

// add highlights every form of w.
func (h *highlighter) add(w *cword) {
	for _, t := range w.alts {
		if t.dn != nil {
			h.docnos = append(h.docnos, t)
		} else {
			h.pats = append(h.pats, &t.pat)
		}
	}
}

// span is a highlighted range [s, e) tagged with the term that produced it.
type span struct{ s, e, term int }

// spans returns up to limit hits in t[from:to], sorted by start.
func (h *highlighter) spans(t unitText, mask uint8, from, to, limit int) []span {
	var out []span
	for i, p := range h.pats {
		for pos, n := from, 0; pos < to && n < limit; n++ {
			s, e := p.find(t, mask, pos, to)
			if s < 0 {
				break
			}
			out = append(out, span{s, e, i})
			pos = max(e, s+1)
		}
	}
	for i, c := range h.docnos {
		for pos, n := from, 0; pos < to && n < limit; n++ {
			s, e := findDocNo(*c.dn, &c.code, t, mask, pos, to)
			if s < 0 {
				break
			}
			out = append(out, span{s, e, len(h.pats) + i})
			pos = max(e, s+1)
		}
	}
	slices.SortFunc(out, func(a, b span) int { return a.s - b.s })
	return out
}

// render returns t[from:to] as escaped HTML with hits in <mark>.
func (h *highlighter) render(t unitText, mask uint8, from, to int, ellipsis bool) template.HTML {
	return renderSpans(t, from, to, h.spans(t, mask, from, to, maxSnippetHits), ellipsis)
}

// snippet returns a passage of the document around its best hits: the body
// window holding the most distinct terms, else the summary, else the start
// of the body.
func (ix *Index) snippet(row int, h *highlighter) template.HTML {
	r := &ix.docs[row]
	t := unitText(ix.docText(row))
	for _, seg := range []int{segBody, segSummary, segMeta} {
		from, to := ix.segBounds(row, seg)
		sp := h.spans(t, r.FoldMask, from, to, maxSnippetHits)
		if len(sp) == 0 {
			continue
		}
		if seg == segMeta {
			break
		}
		ws := snapStart(t, bestWindow(sp, from, to), from, to)
		we := snapEnd(t, min(to, ws+snippetWidth), ws, to)
		return renderSpans(t, ws, we, sp, true)
	}
	from, to := ix.segBounds(row, segSummary)
	if from == to {
		from, to = ix.segBounds(row, segBody)
	}
	return renderSpans(t, from, snapEnd(t, min(to, from+snippetWidth), from, to), nil, true)
}

// maxSnap bounds how far a snippet's edge moves to keep a number, a word or
// a document number whole.
const maxSnap = 24

// atom returns the unit range of the number, Latin word or document number
// that covers the boundary between units i-1 and i of t[from:to], or i, i
// when the boundary cuts nothing. A number keeps its decimal point and
// thousands separators (97.7, 5,230).
func atom(t unitText, i, from, to int) (int, int) {
	if i <= from || i >= to {
		return i, i
	}
	// A document number: 云府办发〔2023〕15号 around the boundary.
	for p := max(from, i-maxSnap); p < i; p++ {
		r, _ := t.runeAt(p, to)
		if f := foldRune(r); f != '[' && f != '(' {
			continue
		}
		if _, _, end := parseDocNoTail(t, p, to); end > i {
			s := p
			for s > from && s > p-8 {
				r, w := t.runeBefore(s, from)
				if !isCJK(foldRune(r)) {
					break
				}
				s -= w
			}
			return s, end
		}
	}
	class := func(j int) runeClass {
		r, _ := t.runeAt(j, to)
		return classOf(foldRune(r))
	}
	inNumber := func(j int) bool { // j is a digit, or a . or , between digits
		if c := class(j); c == classDigit {
			return true
		}
		r, _ := t.runeAt(j, to)
		return (r == '.' || r == ',') && j > from && j+1 < to && class(j-1) == classDigit && class(j+1) == classDigit
	}
	switch {
	case inNumber(i-1) && inNumber(i):
		s, e := i, i
		for s > from && inNumber(s-1) {
			s--
		}
		for e < to && inNumber(e) {
			e++
		}
		return s, e
	case class(i-1) == classLetter && class(i) == classLetter:
		s, e := i, i
		for s > from && class(s-1) == classLetter {
			s--
		}
		for e < to && class(e) == classLetter {
			e++
		}
		return s, e
	}
	return i, i
}

// snapStart moves a snippet's start to the start of the atom it cuts, or,
// when that is too far back, past its end.
func snapStart(t unitText, i, from, to int) int {
	s, e := atom(t, i, from, to)
	switch {
	case s == e:
		return i
	case i-s <= maxSnap:
		return s
	}
	return e
}

// snapEnd moves a snippet's end to the end of the atom it cuts, or, when
// that is too far, back to its start.
func snapEnd(t unitText, i, from, to int) int {
	s, e := atom(t, i, from, to)
	switch {
	case s == e:
		return i
	case e-i <= maxSnap:
		return e
	}
	return max(from, s)
}

// bestWindow returns the start of the window of snippetWidth units that
// holds the most distinct terms (then the most hits), beginning a little
// before its first hit.
func bestWindow(sp []span, from, to int) int {
	best, bestTerms, bestHits := from, -1, -1
	for i, a := range sp {
		start := max(from, a.s-snippetLead)
		if to-start < snippetWidth {
			start = max(from, to-snippetWidth)
		}
		seen := map[int]bool{}
		n := 0
		for _, b := range sp[i:] {
			if b.e > start+snippetWidth {
				break
			}
			seen[b.term] = true
			n++
		}
		if len(seen) > bestTerms || len(seen) == bestTerms && n > bestHits {
			best, bestTerms, bestHits = start, len(seen), n
		}
	}
	return best
}

// renderSpans escapes t[from:to], wraps the parts covered by spans in
// <mark>, folds runs of white space into one space, and adds "…" where the
// text was cut when ellipsis is set.
func renderSpans(t unitText, from, to int, sp []span, ellipsis bool) template.HTML {
	if from > 0 && from < to && utf16.IsSurrogate(rune(t.unit(from))) && t.unit(from) >= 0xDC00 {
		from++ // do not start inside a surrogate pair
	}
	if to > from && to < t.len() && t.unit(to-1) >= 0xD800 && t.unit(to-1) < 0xDC00 {
		to--
	}
	marked := make([]bool, max(0, to-from))
	for _, s := range sp {
		for i := max(s.s, from); i < min(s.e, to); i++ {
			marked[i-from] = true
		}
	}
	var b, run strings.Builder
	inMark, space := false, false
	flush := func() {
		b.WriteString(template.HTMLEscapeString(run.String()))
		run.Reset()
	}
	if ellipsis && from > 0 && t.unit(from-1) != uint16(segSep) {
		b.WriteString("…")
	}
	for i := from; i < to; {
		r, w := t.runeAt(i, to)
		m := marked[i-from]
		if m != inMark {
			flush()
			if m {
				b.WriteString("<mark>")
			} else {
				b.WriteString("</mark>")
			}
			inMark = m
		}
		if isSpace(r) || r == segSep {
			if !space {
				run.WriteByte(' ')
			}
			space = true
		} else {
			run.WriteRune(r)
			space = false
		}
		i += w
	}
	flush()
	if inMark {
		b.WriteString("</mark>")
	}
	if ellipsis && to < t.len() && t.unit(to) != uint16(segSep) {
		b.WriteString("…")
	}
	return template.HTML(strings.TrimSpace(b.String()))
}
