package search

import (
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// FoldRune maps r to the form used for matching, at index and at query time.
// It maps one rune to one rune, so positions in folded text equal positions
// in the original, which lets snippets highlight the original text.
//
// Full-width ASCII folds to ASCII (ＡＢＣ１２３ = abc123, （ = (), the
// ideographic space to a space, the brackets used in document numbers
// (〔〕【】〖〗﹝﹞) to [ and ], letters to lower case, CJK compatibility
// ideographs and Kangxi radicals to the unified ideographs they stand for,
// and Traditional characters to Simplified ones (OpenCC's TSCharacters, first
// candidate: 資 → 资, 開 → 开). Vocabulary that differs between regions
// (資訊 for 信息) is not a character matter: see ToSimplified.
func FoldRune(r rune) rune { return foldRune(r) }

// Fold returns s with every rune folded by FoldRune.
func Fold(s string) string { return foldString(s) }

func foldRune(r rune) rune {
	if r < utf8.RuneSelf {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}
	switch {
	case r >= t2sLo && r <= t2sHi: // the common case in Chinese text
		if s := t2sDense[r-t2sLo]; s != 0 {
			return s
		}
		return r
	case r >= 0xFF01 && r <= 0xFF5E:
		r = r - 0xFF01 + 0x21
		if 'A' <= r && r <= 'Z' {
			r += 'a' - 'A'
		}
		return r
	case r == 0x3000:
		return ' '
	case r == '〔' || r == '【' || r == '〖' || r == '﹝':
		return '['
	case r == '〕' || r == '】' || r == '〗' || r == '﹞':
		return ']'
	case r >= 0xF900 && r <= 0xFAFF, r >= 0x2F00 && r <= 0x2FDF, r >= 0x2F800 && r <= 0x2FA1F:
		var buf [utf8.UTFMax]byte
		n := utf8.EncodeRune(buf[:], r)
		f := norm.NFKC.Bytes(buf[:n])
		if fr, size := utf8.DecodeRune(f); size == len(f) && fr != utf8.RuneError {
			return t2sRune(fr)
		}
		return r
	case r >= 0x20000:
		if s, ok := t2sWide[r]; ok {
			return s
		}
		return r
	}
	if unicode.IsUpper(r) {
		if l := unicode.ToLower(r); l != r {
			return l
		}
	}
	return r
}

// foldString returns s with every rune folded by foldRune.
func foldString(s string) string {
	changed := false
	for _, r := range s {
		if foldRune(r) != r {
			changed = true
			break
		}
	}
	if !changed {
		return s
	}
	out := make([]rune, 0, len(s))
	for _, r := range s {
		out = append(out, foldRune(r))
	}
	return string(out)
}

// Fold classes record which kinds of runes in a text fold to something else.
// A document whose text has none of the classes a pattern needs can be
// searched for the folded pattern without folding the text.
const (
	foldUpperASCII = 1 << iota // A-Z
	foldWideAlnum              // full-width digits and letters
	foldWidePunct              // other full-width ASCII, the ideographic space, 〔〕【】
	foldIdeograph              // compatibility ideographs and radicals
	foldOtherCase              // upper-case letters outside ASCII
	foldSpace                  // runs of white space other than single ASCII spaces
	foldTrad                   // Traditional characters
)

// foldClass reports which fold class r belongs to, or 0 when foldRune(r) == r.
func foldClass(r rune) uint8 {
	if foldRune(r) == r {
		return 0
	}
	switch {
	case r < utf8.RuneSelf:
		return foldUpperASCII
	case r >= 0xFF10 && r <= 0xFF19, r >= 0xFF21 && r <= 0xFF3A, r >= 0xFF41 && r <= 0xFF5A:
		return foldWideAlnum
	case r >= 0xFF01 && r <= 0xFF5E, r == 0x3000, r == '〔', r == '【', r == '〖', r == '﹝',
		r == '〕', r == '】', r == '〗', r == '﹞':
		return foldWidePunct
	case r >= 0xF900 && r <= 0xFAFF, r >= 0x2F00 && r <= 0x2FDF, r >= 0x2F800 && r <= 0x2FA1F:
		return foldIdeograph
	case isCJK(r):
		return foldTrad
	}
	return foldOtherCase
}

// needClasses reports which fold classes could produce the runes of the folded
// pattern p: if a text has none of them, the text contains p exactly when its
// raw form does.
func needClasses(p []rune) uint8 {
	var need uint8
	for _, r := range p {
		switch {
		case r == ' ':
			need |= foldWidePunct | foldSpace
		case 'a' <= r && r <= 'z':
			need |= foldUpperASCII | foldWideAlnum
		case '0' <= r && r <= '9':
			need |= foldWideAlnum
		case r < utf8.RuneSelf:
			need |= foldWidePunct
		case isCJK(r):
			need |= foldIdeograph
			if isT2STarget(r) {
				need |= foldTrad
			}
		case unicode.IsLower(r):
			need |= foldOtherCase
		}
	}
	return need
}

// runeClass is the tokenizer's view of a folded rune.
type runeClass uint8

const (
	classSep    runeClass = iota // separators: punctuation, symbols, white space
	classCJK                     // Han, kana and Hangul: indexed as bigrams
	classLetter                  // other letters: indexed as words
	classDigit                   // digits: indexed as numbers
)

func classOf(r rune) runeClass {
	switch {
	case r < utf8.RuneSelf:
		switch {
		case 'a' <= r && r <= 'z', 'A' <= r && r <= 'Z':
			return classLetter
		case '0' <= r && r <= '9':
			return classDigit
		}
		return classSep
	case isCJK(r):
		return classCJK
	case unicode.IsLetter(r) || unicode.Is(unicode.Mn, r):
		return classLetter
	case unicode.IsDigit(r):
		return classDigit
	}
	return classSep
}

// isCJK reports whether r is written without spaces between words (Han, kana,
// Hangul), so that it is indexed as overlapping bigrams.
func isCJK(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF:
		return true
	case r < 0x1100:
		return false
	}
	return r == 0x3005 || r == 0x3007 || // 々 〇
		unicode.Is(unicode.Han, r) || unicode.Is(unicode.Hiragana, r) ||
		unicode.Is(unicode.Katakana, r) || unicode.Is(unicode.Hangul, r)
}
