package search

import "strconv"

// docNo is a parsed document number (发文字号) such as 成委发〔2003〕38号:
// an agency code, a year and a serial number.
type docNo struct {
	code string // folded, e.g. "成委发"
	year int
	num  int
}

// key returns the canonical spelling used to compare document numbers:
// 成委发〔2003〕38号, 成委发[2003]38号, 成委发(2003)38号 and 成委发2003年38号
// all give "成委发[2003]38号".
func (d docNo) key() string {
	y := strconv.Itoa(d.year)
	for len(y) < 4 {
		y = "0" + y
	}
	return d.code + "[" + y + "]" + strconv.Itoa(d.num) + "号"
}

// parseDocNo parses a document number in any common spelling: the year in
// 〔〕, [], (), 【】 or their full-width forms, or followed by 年; an optional
// 第 before the serial number; 号 optional at the end. White space is
// ignored.
func parseDocNo(s string) (docNo, bool) {
	rs := []rune(squeeze(foldString(s)))
	i := 0
	for i < len(rs) && (isCJK(rs[i]) || classOf(rs[i]) == classLetter) {
		i++
	}
	if i == 0 || i == len(rs) {
		return docNo{}, false
	}
	var rest unitText
	for _, r := range rs[i:] {
		rest = appendUTF16(rest, r)
	}
	year, num, end := parseDocNoTail(rest, 0, rest.len())
	if end != rest.len() {
		return docNo{}, false
	}
	return docNo{code: string(rs[:i]), year: year, num: num}, true
}

// parseDocNoTail parses the part of a document number after the agency code
// ("〔2003〕38号", "2003年第38号") at unit i of t, folding runes and skipping
// white space. It returns the year, the number and the end of the match, or
// end -1.
func parseDocNoTail(t unitText, i, to int) (year, num, end int) {
	r, ok := rune(0), false
	next := func() {
		for i < to {
			var w int
			r, w = t.runeAt(i, to)
			i += w
			if !isSpace(r) {
				r, ok = foldRune(r), true
				return
			}
		}
		ok = false
	}
	next()
	open := ok && (r == '[' || r == '(')
	if open {
		next()
	}
	for k := 0; k < 4; k++ {
		if !ok || r < '0' || r > '9' {
			return 0, 0, -1
		}
		year = year*10 + int(r-'0')
		next()
	}
	switch {
	case ok && (r == ']' || r == ')'):
	case ok && r == '年' && !open:
	default:
		return 0, 0, -1
	}
	next()
	if ok && r == '第' {
		next()
	}
	n := 0
	for ok && r >= '0' && r <= '9' {
		if n++; n > 9 {
			return 0, 0, -1
		}
		num = num*10 + int(r-'0')
		end = i
		next()
	}
	if n == 0 {
		return 0, 0, -1
	}
	if ok && r == '号' {
		end = i
	}
	return year, num, end
}
