package search

import (
	"bytes"
	"unicode"
	"unicode/utf16"
)

// pattern is a folded string to find in stored text. A space in it stands for
// a run of one or more white-space characters.
type pattern struct {
	runes []rune
	units []byte // UTF-16LE of runes
	need  uint8  // fold classes that could produce runes

	// The anchor is the longest run of CJK characters in runes: text that
	// has no compatibility ideographs can be searched for it raw, and only
	// its occurrences checked for the whole pattern.
	anchorStart, anchorEnd int    // rune range in runes
	anchor                 []byte // UTF-16LE of the anchor
	anchorNeed             uint8

	left, right runeClass // class of the first and last rune when a letter or digit
}

func newPattern(folded string) pattern {
	var p pattern
	space := false
	for _, r := range folded {
		if isSpace(r) {
			space = len(p.runes) > 0
			continue
		}
		if space {
			p.runes = append(p.runes, ' ')
			space = false
		}
		p.runes = append(p.runes, r)
	}
	for _, r := range p.runes {
		p.units = appendUTF16(p.units, r)
	}
	p.need = needClasses(p.runes)
	if n := len(p.runes); n > 0 {
		if c := classOf(p.runes[0]); c == classLetter || c == classDigit {
			p.left = c
		}
		if c := classOf(p.runes[n-1]); c == classLetter || c == classDigit {
			p.right = c
		}
	}
	for i := 0; i < len(p.runes); {
		if !isCJK(p.runes[i]) {
			i++
			continue
		}
		j := i
		for j < len(p.runes) && isCJK(p.runes[j]) {
			j++
		}
		if j-i > p.anchorEnd-p.anchorStart {
			p.anchorStart, p.anchorEnd = i, j
		}
		i = j
	}
	if p.anchorEnd > p.anchorStart {
		for _, r := range p.runes[p.anchorStart:p.anchorEnd] {
			p.anchor = appendUTF16(p.anchor, r)
		}
		p.anchorNeed = needClasses(p.runes[p.anchorStart:p.anchorEnd])
	}
	return p
}

// indexUnits returns the unit offset of the first occurrence of the
// UTF-16LE bytes pat in t[from:to], or -1.
func indexUnits(t unitText, pat []byte, from, to int) int {
	hay := t[2*from : 2*to]
	off := 0
	for {
		i := bytes.Index(hay[off:], pat)
		if i < 0 {
			return -1
		}
		if (off+i)%2 == 0 {
			return from + (off+i)/2
		}
		off += i + 1
	}
}

func appendUTF16(b []byte, r rune) []byte {
	if r >= 0x10000 {
		r1, r2 := utf16.EncodeRune(r)
		return append(b, byte(r1), byte(r1>>8), byte(r2), byte(r2>>8))
	}
	return append(b, byte(r), byte(r>>8))
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\n' || r == '\t' || r == '\r' || r > 0x7f && unicode.IsSpace(r)
}

// unitText is stored text: UTF-16LE bytes.
type unitText []byte

func (t unitText) len() int { return len(t) / 2 }

func (t unitText) unit(i int) uint16 { return uint16(t[2*i]) | uint16(t[2*i+1])<<8 }

// runeAt decodes the rune at unit i and returns it with its width in units.
func (t unitText) runeAt(i, end int) (rune, int) {
	u := t.unit(i)
	if utf16.IsSurrogate(rune(u)) && i+1 < end {
		if r := utf16.DecodeRune(rune(u), rune(t.unit(i+1))); r != unicode.ReplacementChar {
			return r, 2
		}
	}
	return rune(u), 1
}

// find returns the unit range of the first match of p in t[from:to], or
// -1, -1. A letter or digit at either end of p must end a word in t: "2024"
// does not match inside "20245", as the index holds whole words.
func (p *pattern) find(t unitText, mask uint8, from, to int) (int, int) {
	for from < to {
		s, e := p.findRaw(t, mask, from, to)
		if s < 0 || p.wordEdges(t, s, e) {
			return s, e
		}
		from = s + 1
	}
	return -1, -1
}

// wordEdges reports whether a match at [s, e) does not cut a word of t.
func (p *pattern) wordEdges(t unitText, s, e int) bool {
	if p.left != classSep && s > 0 {
		if r, _ := t.runeBefore(s, 0); classOf(foldRune(r)) == p.left {
			return false
		}
	}
	if p.right != classSep && e < t.len() {
		if r, _ := t.runeAt(e, t.len()); classOf(foldRune(r)) == p.right {
			return false
		}
	}
	return true
}

// findRaw is find without the word-edge rule. mask holds the fold classes
// present in t: when none could produce p's runes, the raw bytes are searched
// directly.
func (p *pattern) findRaw(t unitText, mask uint8, from, to int) (int, int) {
	if len(p.runes) == 0 || from >= to {
		return -1, -1
	}
	if mask&p.need == 0 {
		s := indexUnits(t, p.units, from, to)
		if s < 0 {
			return -1, -1
		}
		return s, s + len(p.units)/2
	}
	if p.anchor != nil && mask&p.anchorNeed == 0 {
		for pos := from; pos < to; {
			a := indexUnits(t, p.anchor, pos, to)
			if a < 0 {
				return -1, -1
			}
			ae := a + len(p.anchor)/2
			if s := p.matchBefore(t, from, a); s >= 0 {
				if e := p.matchRunes(p.runes[p.anchorEnd:], t, ae, to); e >= 0 {
					return s, e
				}
			}
			pos = a + 1
		}
		return -1, -1
	}
	for i := from; i < to; {
		r, w := t.runeAt(i, to)
		if first := p.runes[0]; foldRune(r) == first || first == ' ' && isSpace(r) {
			if end := p.matchAt(t, i, to); end >= 0 {
				return i, end
			}
		}
		i += w
	}
	return -1, -1
}

// matchAt returns the end of a match of p starting at unit i, or -1.
func (p *pattern) matchAt(t unitText, i, to int) int {
	return p.matchRunes(p.runes, t, i, to)
}

// matchBefore matches the runes before the anchor backwards from unit a
// (where the anchor was found) and returns where the match starts, or -1.
func (p *pattern) matchBefore(t unitText, from, a int) int {
	i := a
	for k := p.anchorStart - 1; k >= 0; k-- {
		if i <= from {
			return -1
		}
		r, w := t.runeBefore(i, from)
		if pr := p.runes[k]; pr == ' ' {
			if !isSpace(r) {
				return -1
			}
			for i > from {
				if r, w = t.runeBefore(i, from); !isSpace(r) {
					break
				}
				i -= w
			}
			continue
		} else if foldRune(r) != pr {
			return -1
		}
		i -= w
	}
	return i
}

// runeBefore decodes the rune that ends at unit i.
func (t unitText) runeBefore(i, from int) (rune, int) {
	u := t.unit(i - 1)
	if u >= 0xDC00 && u < 0xE000 && i-2 >= from {
		if r := utf16.DecodeRune(rune(t.unit(i-2)), rune(u)); r != unicode.ReplacementChar {
			return r, 2
		}
	}
	return rune(u), 1
}

// matchRunes returns the end of a match of runes starting at unit i, or -1.
func (p *pattern) matchRunes(runes []rune, t unitText, i, to int) int {
	for _, pr := range runes {
		if i >= to {
			return -1
		}
		r, w := t.runeAt(i, to)
		if pr == ' ' {
			if !isSpace(r) {
				return -1
			}
			for i < to {
				if r, w = t.runeAt(i, to); !isSpace(r) {
					break
				}
				i += w
			}
			continue
		}
		if foldRune(r) != pr {
			return -1
		}
		i += w
	}
	return i
}

// findDocNo returns the unit range of the first spelling of d in t[from:to],
// or -1, -1. code is the pattern of d.code.
func findDocNo(d docNo, code *pattern, t unitText, mask uint8, from, to int) (int, int) {
	for from < to {
		s, e := code.find(t, mask, from, to)
		if s < 0 {
			return -1, -1
		}
		if year, num, end := parseDocNoTail(t, e, to); end >= 0 && year == d.year && num == d.num {
			return s, end
		}
		from = s + 1
	}
	return -1, -1
}
