package linkcheck

import "strings"

// cssRef is one url() or @import reference in a stylesheet.
type cssRef struct {
	URL    string
	Offset int
}

// cssURLs returns the url() and @import "…" references of a stylesheet or
// style attribute, skipping comments. It understands quoted and unquoted
// url() arguments and ignores data: URLs later, in classification.
func cssURLs(s string) []cssRef {
	var out []cssRef
	i := 0
	for i < len(s) {
		c := s[i]
		switch {
		case c == '/' && strings.HasPrefix(s[i:], "/*"):
			end := strings.Index(s[i+2:], "*/")
			if end < 0 {
				return out
			}
			i += 2 + end + 2
		case c == '"' || c == '\'':
			// A string outside url() and @import is not a link; skip it whole
			// so that "url(" inside it is not taken for one.
			_, j := cssString(s, i)
			i = j
		case (c == 'u' || c == 'U') && hasPrefixFold(s[i:], "url(") && (i == 0 || !isCSSNameByte(s[i-1])):
			ref, j, ok := cssURLArg(s, i+4)
			if ok {
				out = append(out, ref)
			}
			i = j
		case c == '@' && hasPrefixFold(s[i:], "@import"):
			j := i + len("@import")
			for j < len(s) && isHTMLSpace(s[j]) {
				j++
			}
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				v, k := cssString(s, j)
				out = append(out, cssRef{URL: strings.TrimSpace(v), Offset: j + 1})
				i = k
			} else {
				i = j
			}
		default:
			i++
		}
	}
	return out
}

// cssURLArg reads the argument of url( starting at i, just after the
// parenthesis, and returns the position after the closing one.
func cssURLArg(s string, i int) (cssRef, int, bool) {
	for i < len(s) && isHTMLSpace(s[i]) {
		i++
	}
	if i >= len(s) {
		return cssRef{}, i, false
	}
	if s[i] == '"' || s[i] == '\'' {
		start := i + 1
		v, j := cssString(s, i)
		for j < len(s) && s[j] != ')' {
			j++
		}
		if j < len(s) {
			j++
		}
		return cssRef{URL: strings.TrimSpace(v), Offset: start}, j, true
	}
	start := i
	for i < len(s) && s[i] != ')' {
		i++
	}
	v := strings.TrimSpace(s[start:i])
	if i < len(s) {
		i++
	}
	return cssRef{URL: v, Offset: start}, i, v != ""
}

// cssString reads the string whose quote is at s[i], handling backslash
// escapes of the quote, and returns its value and the position after it.
func cssString(s string, i int) (string, int) {
	q := s[i]
	var b strings.Builder
	j := i + 1
	for j < len(s) {
		c := s[j]
		switch {
		case c == '\\' && j+1 < len(s):
			if s[j+1] != '\n' {
				b.WriteByte(s[j+1])
			}
			j += 2
			continue
		case c == q:
			return b.String(), j + 1
		case c == '\n':
			return b.String(), j // unterminated: CSS ends the string at the line
		}
		b.WriteByte(c)
		j++
	}
	return b.String(), j
}

func isCSSNameByte(c byte) bool {
	return c == '-' || c == '_' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= 0x80
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}
