package inspect

import (
	"strings"
	"time"
)

// piiMatch is a piece of personal data found in a text.
type piiMatch struct {
	Rule  string // PII-ID, PII-MOBILE or PII-BANKCARD
	Start int    // byte offset in the text
	Value string // digits (and a final X) as the allow list compares them
	Shown string // masked, for the report: a report must not leak what it finds
	What  string // 居民身份证号码, 手机号码, 银行卡号
}

type digitGroup struct {
	start, end int // bytes; end includes a final X
	digits     string
}

func isDigit(b byte) bool  { return b >= '0' && b <= '9' }
func isLetter(b byte) bool { return b|0x20 >= 'a' && b|0x20 <= 'z' }

// findPersonalData returns the identity card numbers, mobile numbers and
// bank card numbers in text. A number counts only as a whole: digits or
// Latin letters touching it (a longer number, an index number such as
// MB1500001A) rule it out, and so does a failed check digit or Luhn check.
// Groups separated by single spaces or hyphens are read in the ways people
// write these numbers: 3-4-4 for a mobile, 6-8-4 for an identity card,
// 4-4-4-4(-n) for a card.
func findPersonalData(text string) []piiMatch {
	var out []piiMatch
	n := len(text)
	for i := 0; i < n; {
		if !isDigit(text[i]) {
			i++
			continue
		}
		var groups []digitGroup
		j := i
		for {
			k := j
			for k < n && isDigit(text[k]) {
				k++
			}
			g := digitGroup{start: j, end: k, digits: text[j:k]}
			if k < n && (text[k] == 'X' || text[k] == 'x') && (k+1 == n || !isLetter(text[k+1]) && !isDigit(text[k+1])) {
				g.end, g.digits = k+1, text[j:k]+"X"
				k++
				groups = append(groups, g)
				j = k
				break
			}
			groups = append(groups, g)
			j = k
			if k+1 < n && (text[k] == ' ' || text[k] == '-') && isDigit(text[k+1]) {
				j = k + 1
				continue
			}
			break
		}
		start, end := i, j
		i = j
		// A letter, a dot or a slash touching the chain makes it a code,
		// a decimal or part of a path, not a number of its own.
		if start > 0 && (isLetter(text[start-1]) || text[start-1] == '.' || text[start-1] == '/' || text[start-1] == '_') {
			continue
		}
		if end < n && (isLetter(text[end]) || text[end] == '_' || (text[end] == '.' && end+1 < n && isDigit(text[end+1]))) {
			continue
		}
		out = append(out, matchGroups(groups)...)
	}
	return out
}

// matchGroups reads a chain of digit groups as the numbers it may hold.
func matchGroups(gs []digitGroup) []piiMatch {
	var out []piiMatch
	lens := make([]int, len(gs))
	all := ""
	for i, g := range gs {
		lens[i] = len(g.digits)
		all += g.digits
	}
	whole := func(pattern ...int) bool {
		if len(pattern) != len(lens) {
			return false
		}
		for i := range pattern {
			if pattern[i] != lens[i] {
				return false
			}
		}
		return true
	}
	// Grouped forms use the whole chain.
	switch {
	case whole(6, 8, 4) && validID(all):
		return []piiMatch{idMatch(gs[0].start, all)}
	case whole(3, 4, 4) && validMobile(all):
		return []piiMatch{mobileMatch(gs[0].start, all)}
	case whole(2, 3, 4, 4) && gs[0].digits == "86" && validMobile(all[2:]):
		return []piiMatch{mobileMatch(gs[0].start, all[2:])}
	case whole(2, 11) && gs[0].digits == "86" && validMobile(all[2:]):
		return []piiMatch{mobileMatch(gs[0].start, all[2:])}
	case len(gs) >= 4 && len(gs) <= 5 && lens[0] == 4 && lens[1] == 4 && lens[2] == 4 && lens[3] == 4 &&
		(len(gs) == 4 || lens[4] <= 3) && validCard(all):
		return []piiMatch{cardMatch(gs[0].start, all)}
	}
	// Otherwise each group stands alone.
	for _, g := range gs {
		d := g.digits
		switch {
		case len(d) == 18 && validID(d):
			out = append(out, idMatch(g.start, d))
		case len(d) == 11 && validMobile(d):
			out = append(out, mobileMatch(g.start, d))
		case len(d) == 13 && strings.HasPrefix(d, "86") && validMobile(d[2:]):
			out = append(out, mobileMatch(g.start, d[2:]))
		case len(d) >= 16 && len(d) <= 19 && validCard(d):
			out = append(out, cardMatch(g.start, d))
		}
	}
	return out
}

func idMatch(at int, d string) piiMatch {
	return piiMatch{Rule: "PII-ID", Start: at, Value: d, Shown: d[:6] + "********" + d[14:], What: "居民身份证号码"}
}

func mobileMatch(at int, d string) piiMatch {
	return piiMatch{Rule: "PII-MOBILE", Start: at, Value: d, Shown: d[:3] + "****" + d[7:], What: "手机号码"}
}

func cardMatch(at int, d string) piiMatch {
	return piiMatch{Rule: "PII-BANKCARD", Start: at, Value: d, Shown: d[:4] + " **** " + d[len(d)-4:], What: "银行卡号"}
}

// provinces are the first two digits of 居民身份证号码 (GB/T 2260 province
// codes, and 81–83 of residence permits for Hong Kong, Macao and Taiwan).
var provinces = map[string]bool{
	"11": true, "12": true, "13": true, "14": true, "15": true,
	"21": true, "22": true, "23": true,
	"31": true, "32": true, "33": true, "34": true, "35": true, "36": true, "37": true,
	"41": true, "42": true, "43": true, "44": true, "45": true, "46": true,
	"50": true, "51": true, "52": true, "53": true, "54": true,
	"61": true, "62": true, "63": true, "64": true, "65": true,
	"71": true, "81": true, "82": true, "83": true,
}

var idWeights = [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}

// idCheckDigit returns the check character of the first 17 digits
// (GB 11643-1999, ISO 7064 MOD 11-2).
func idCheckDigit(d17 string) byte {
	sum := 0
	for i := range 17 {
		sum += int(d17[i]-'0') * idWeights[i]
	}
	return "10X98765432"[sum%11]
}

// validID reports whether d is a well-formed 18-character 居民身份证号码:
// a province code, a real birth date from 1900 on, and its check digit.
func validID(d string) bool {
	if len(d) != 18 {
		return false
	}
	for i := range 17 {
		if !isDigit(d[i]) {
			return false
		}
	}
	if !provinces[d[:2]] {
		return false
	}
	t, err := time.Parse("20060102", d[6:14])
	if err != nil || t.Year() < 1900 || t.Year() > 2099 {
		return false
	}
	return idCheckDigit(d[:17]) == d[17]
}

// validMobile reports whether d is a mainland mobile number: 11 digits,
// 1 then 3–9.
func validMobile(d string) bool {
	if len(d) != 11 || d[0] != '1' || d[1] < '3' || d[1] > '9' {
		return false
	}
	for i := range len(d) {
		if !isDigit(d[i]) {
			return false
		}
	}
	return true
}

// luhn reports whether the digits d pass the Luhn check.
func luhn(d string) bool {
	sum := 0
	double := false
	for i := len(d) - 1; i >= 0; i-- {
		if !isDigit(d[i]) {
			return false
		}
		v := int(d[i] - '0')
		if double {
			if v *= 2; v > 9 {
				v -= 9
			}
		}
		sum += v
		double = !double
	}
	return sum%10 == 0
}

// validCard reports whether d is a plausible bank card number: 16–19
// digits, an issuer digit 3–6 (UnionPay 62, Visa 4, Mastercard 5, JCB and
// American Express 3) and the Luhn check. An identity card number is not a
// card.
func validCard(d string) bool {
	if len(d) < 16 || len(d) > 19 || d[0] < '3' || d[0] > '6' {
		return false
	}
	return luhn(d) && !(len(d) == 18 && validID(d))
}
