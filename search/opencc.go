package search

import (
	"strings"
	"unicode/utf8"
)

// Traditional → Simplified folding uses the OpenCC dictionaries in
// opencc_tables.go (generated; see TestOpenCCTables) in two ways:
//
//   - FoldRune maps every Traditional character to its Simplified character,
//     at index and at query time, one rune to one rune (個人信息保護法 =
//     个人信息保护法). Characters of GB 2312 are never folded: they are
//     Simplified text as written (乾 in 乾坤).
//   - ToSimplified converts a query term written in Traditional characters
//     with OpenCC's tw2sp chain, which also replaces Taiwanese vocabulary
//     (資訊 → 信息, 軟體 → 软件); the result is an extra spelling of the term.

// The dense table covers CJK Extension A and the Unified Ideographs; every
// other Traditional character in the dictionary lies outside the Basic
// Multilingual Plane (TestT2STable checks both).
const (
	t2sLo = 0x3400
	t2sHi = 0x9FFF
)

// t2sDense maps rune - t2sLo to its Simplified form (0 for none), t2sWide
// does the same for supplementary-plane characters, and t2sTarget tells
// which runes are the Simplified form of some character.
var t2sDense, t2sWide, t2sTarget = buildT2S(t2sChars)

var tw2sp = func() []convStage {
	var out []convStage
	for _, s := range tw2spStages {
		out = append(out, parseStage(s))
	}
	return out
}()

// buildT2S builds the character tables from pairs of runes, following
// chains (薴 → 苧 → 苎) so that folding twice changes nothing.
func buildT2S(pairs string) (dense []rune, wide map[rune]rune, target []bool) {
	m := map[rune]rune{}
	rs := []rune(pairs)
	for i := 0; i+1 < len(rs); i += 2 {
		m[rs[i]] = rs[i+1]
	}
	dense = make([]rune, t2sHi-t2sLo+1)
	target = make([]bool, t2sHi-t2sLo+1)
	wide = map[rune]rune{}
	for k, v := range m {
		for n := 0; n < 8; n++ {
			next, ok := m[v]
			if !ok || next == v {
				break
			}
			v = next
		}
		if k >= t2sLo && k <= t2sHi {
			dense[k-t2sLo] = v
		} else {
			wide[k] = v
		}
		if v >= t2sLo && v <= t2sHi {
			target[v-t2sLo] = true
		}
	}
	return dense, wide, target
}

// t2sRune folds one CJK character from Traditional to Simplified.
func t2sRune(r rune) rune {
	if r >= t2sLo && r <= t2sHi {
		if s := t2sDense[r-t2sLo]; s != 0 {
			return s
		}
	} else if s, ok := t2sWide[r]; ok {
		return s
	}
	return r
}

// isT2STarget reports whether some Traditional character folds to r, so that
// text holding Traditional characters may match r without containing it.
func isT2STarget(r rune) bool {
	if r >= t2sLo && r <= t2sHi {
		return t2sTarget[r-t2sLo]
	}
	return true
}

// HasTraditional reports whether s holds a character that folds from
// Traditional to Simplified.
func HasTraditional(s string) bool {
	for _, r := range s {
		if r >= 0x3400 && t2sRune(r) != r {
			return true
		}
	}
	return false
}

// convStage is one stage of an OpenCC conversion: phrases replaced by
// longest match from left to right.
type convStage struct {
	m       map[string]string
	maxRune int
}

func parseStage(s string) convStage {
	st := convStage{m: map[string]string{}}
	for line := range strings.SplitSeq(s, "\n") {
		from, to, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		st.m[from] = to
		st.maxRune = max(st.maxRune, utf8.RuneCountInString(from))
	}
	return st
}

func (st convStage) apply(s string) string {
	rs := []rune(s)
	var b strings.Builder
	for i := 0; i < len(rs); {
		n := min(st.maxRune, len(rs)-i)
		for ; n > 0; n-- {
			if to, ok := st.m[string(rs[i:i+n])]; ok {
				b.WriteString(to)
				i += n
				break
			}
		}
		if n == 0 {
			b.WriteRune(rs[i])
			i++
		}
	}
	return b.String()
}

// ToSimplified converts s from Taiwan Traditional to mainland Simplified
// Chinese with OpenCC's tw2sp conversion: characters and vocabulary
// (政府資訊公開 → 政府信息公开, 網際網路 → 互联网). Query analysis applies it
// only to terms that hold Traditional characters: on Simplified text some of
// its rules would change correct words (顯著 → 显着).
func ToSimplified(s string) string {
	for _, st := range tw2sp {
		s = st.apply(s)
	}
	return s
}
