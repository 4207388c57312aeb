package generator

import (
	"strings"
	"time"
)

// Personal data in published decisions (双公示). A natural person is
// published by surname only (张某某, package personname, which the
// inspector's PII-NAME rule uses too), and an identity card number is never
// published: the build refuses a decision that carries one.

func isHan(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3400 && r <= 0x4DBF || r >= 0x20000 && r <= 0x2FA1F
}

// identityNumbers returns the resident identity card numbers (居民身份证号码)
// in s: 18 characters with a valid birth date and check character, written
// whole or grouped 6-8-4 with single spaces or hyphens. (The 15-digit
// numbers of the first generation, replaced by 2013, are not looked for:
// they cannot be told from the 15-digit business registration numbers that
// old decisions quote.) A number counts only as a whole: digits or
// Latin letters touching it rule it out.
func identityNumbers(s string) []string {
	var out []string
	b := []byte(s)
	for i := 0; i < len(b); {
		if !isASCIIDigit(b[i]) || (i > 0 && isWordByte(b[i-1])) {
			i++
			continue
		}
		// Read digit groups joined by one space or hyphen.
		var groups []string
		j := i
		for {
			k := j
			for k < len(b) && isASCIIDigit(b[k]) {
				k++
			}
			if k < len(b) && (b[k] == 'X' || b[k] == 'x') && (k+1 == len(b) || !isWordByte(b[k+1])) {
				groups = append(groups, string(b[j:k])+"X")
				j = k + 1
				break
			}
			groups = append(groups, string(b[j:k]))
			j = k
			if k+1 < len(b) && (b[k] == ' ' || b[k] == '-') && isASCIIDigit(b[k+1]) {
				j = k + 1
				continue
			}
			break
		}
		if j < len(b) && isWordByte(b[j]) {
			i = j
			continue
		}
		all := strings.Join(groups, "")
		grouped := len(groups) == 3 && len(groups[0]) == 6 && len(groups[1]) == 8 && len(groups[2]) == 4
		switch {
		case (len(groups) == 1 || grouped) && validIdentityNumber(all):
			out = append(out, all)
		default:
			for _, g := range groups {
				if validIdentityNumber(g) {
					out = append(out, g)
				}
			}
		}
		i = j
	}
	return out
}

func isASCIIDigit(c byte) bool { return c >= '0' && c <= '9' }

func isWordByte(c byte) bool {
	return isASCIIDigit(c) || c|0x20 >= 'a' && c|0x20 <= 'z' || c == '_'
}

// validIdentityNumber reports whether s is an 18-character identity number
// (GB 11643-1999: region, birth date, sequence, ISO 7064 MOD 11-2 check
// character).
func validIdentityNumber(s string) bool {
	if len(s) != 18 || s[0] < '1' || s[0] > '9' {
		return false
	}
	for i := range 17 {
		if !isASCIIDigit(s[i]) {
			return false
		}
	}
	if !validBirthDate(s[6:14]) {
		return false
	}
	weights := [17]int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, w := range weights {
		sum += int(s[i]-'0') * w
	}
	return s[17] == "10X98765432"[sum%11]
}

func validBirthDate(yyyymmdd string) bool {
	t, err := time.Parse("20060102", yyyymmdd)
	return err == nil && t.Year() >= 1900 && t.Year() < 2100
}

// creditCodeChars are the characters of a unified social credit code
// (统一社会信用代码, GB 32100-2015), in the order of their values.
const creditCodeChars = "0123456789ABCDEFGHJKLMNPQRTUWXY"

// validCreditCode reports whether s is an 18-character unified social
// credit code with a correct check character.
func validCreditCode(s string) bool {
	if len(s) != 18 {
		return false
	}
	weights := [17]int{1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28}
	sum := 0
	for i, w := range weights {
		v := strings.IndexByte(creditCodeChars, s[i])
		if v < 0 {
			return false
		}
		sum += v * w
	}
	check := (31 - sum%31) % 31
	return s[17] == creditCodeChars[check]
}
