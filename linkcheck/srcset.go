package linkcheck

import "strings"

// srcsetCandidate is one image candidate of a srcset attribute.
type srcsetCandidate struct {
	URL         string
	Descriptors []string
	// Offset is the byte offset of URL in the attribute value.
	Offset int
}

func isHTMLSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\r'
}

// parseSrcset splits a srcset attribute value into candidates with the
// algorithm of the HTML standard ("parse a srcset attribute"): a URL ends at
// whitespace, trailing commas belong to the separator, and commas inside
// parentheses in descriptors do not split. Unlike a browser it keeps
// candidates whose descriptors are invalid, since their URLs are still links.
func parseSrcset(s string) []srcsetCandidate {
	var out []srcsetCandidate
	pos := 0
	for {
		// Splitting loop: skip whitespace and commas.
		for pos < len(s) && (isHTMLSpace(s[pos]) || s[pos] == ',') {
			pos++
		}
		if pos >= len(s) {
			return out
		}
		start := pos
		for pos < len(s) && !isHTMLSpace(s[pos]) {
			pos++
		}
		u := s[start:pos]
		var desc []string
		if strings.HasSuffix(u, ",") {
			u = strings.TrimRight(u, ",")
		} else {
			desc, pos = tokenizeDescriptors(s, pos)
		}
		if u != "" {
			out = append(out, srcsetCandidate{URL: u, Descriptors: desc, Offset: start})
		}
	}
}

// tokenizeDescriptors runs the descriptor tokenizer of the srcset algorithm
// from pos and returns the descriptors and the position after them.
func tokenizeDescriptors(s string, pos int) ([]string, int) {
	const (
		inDescriptor = iota
		inParens
		afterDescriptor
	)
	for pos < len(s) && isHTMLSpace(s[pos]) {
		pos++
	}
	var desc []string
	var cur strings.Builder
	state := inDescriptor
	for {
		if pos >= len(s) {
			if cur.Len() > 0 {
				desc = append(desc, cur.String())
			}
			return desc, pos
		}
		c := s[pos]
		switch state {
		case inDescriptor:
			switch {
			case isHTMLSpace(c):
				if cur.Len() > 0 {
					desc = append(desc, cur.String())
					cur.Reset()
					state = afterDescriptor
				}
			case c == ',':
				pos++
				if cur.Len() > 0 {
					desc = append(desc, cur.String())
				}
				return desc, pos
			case c == '(':
				cur.WriteByte(c)
				state = inParens
			default:
				cur.WriteByte(c)
			}
		case inParens:
			cur.WriteByte(c)
			if c == ')' {
				state = inDescriptor
			}
		case afterDescriptor:
			if !isHTMLSpace(c) {
				state = inDescriptor
				continue // reconsume c in the descriptor state
			}
		}
		pos++
	}
}
