package staticsearch

import (
	_ "embed"
	"path/filepath"
	"strings"
	"sync"
)

//go:embed client.js
var clientSource string

// suggestSource is the part of the client loaded only when a search finds
// nothing (did-you-mean, nearest columns, the apply link).
//
//go:embed suggest.js
var suggestSource string

// client is the script as served: client.js without its comment lines and
// indentation (it has no multi-line strings, so lines stand alone), and
// without the spaces around punctuation outside strings (tighten), which
// keeps it under 20 KB compressed without a build step. Line breaks stay:
// the script relies on them to end statements.
var client = sync.OnceValue(func() []byte { return compact(clientSource) })

// suggestClient is suggest.js as served, compacted like the client.
var suggestClient = sync.OnceValue(func() []byte { return compact(suggestSource) })

// compact drops a script's comment lines and indentation and tightens
// each line (see client).
func compact(src string) []byte {
	var b strings.Builder
	for line := range strings.Lines(src) {
		line = strings.TrimLeft(line, " \t")
		if strings.HasPrefix(line, "//") || strings.TrimSpace(line) == "" {
			continue
		}
		b.WriteString(tighten(line))
	}
	return []byte(b.String())
}

// tighten removes the spaces around punctuation in the code of one line,
// leaving its strings ('…', "…", `…`) alone, and drops a comment at its
// end. A line with another slash outside strings that is not a division
// (a regular expression) is left as it is.
func tighten(line string) string {
	var out strings.Builder
	code := 0 // start of the code segment not yet written
	for i := 0; i < len(line); i++ {
		switch c := line[i]; c {
		case '/':
			if i+1 < len(line) && line[i+1] == '/' && (i == 0 || line[i-1] == ' ') {
				// A comment to the end of the line.
				out.WriteString(strings.TrimRight(tightCode(line[code:i]), " "))
				out.WriteByte('\n')
				return out.String()
			}
			if !division(line[:i]) {
				return line
			}
		case '\'', '"', '`':
			j := i + 1
			for j < len(line) && line[j] != c {
				if line[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(line) || (c == '`' && strings.Contains(line[i:j], "${")) {
				return line // unterminated, or a template with code in it
			}
			out.WriteString(tightCode(line[code:i]))
			out.WriteString(line[i : j+1])
			i, code = j, j+1
		}
	}
	out.WriteString(tightCode(line[code:]))
	return out.String()
}

// division reports whether a slash after code is a division (after a
// name, a number or a closing bracket), not the start of a regular
// expression.
func division(code string) bool {
	code = strings.TrimRight(code, " ")
	if code == "" {
		return false
	}
	c := code[len(code)-1]
	if c == ')' || c == ']' {
		return true
	}
	word := code[strings.LastIndexFunc(code, func(r rune) bool {
		return !(r == '_' || r == '$' || r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	})+1:]
	switch word {
	case "", "return", "typeof", "case", "in", "of", "void", "delete", "throw", "new", "yield", "await", "else", "do":
		return false
	}
	return true
}

// tightCode tightens a piece of code, the spaces around + - * % too unless
// that would join two signs into ++ or -- (a + +b), and the space after a
// closing parenthesis (if (a) return) unless a sign follows.
func tightCode(s string) string {
	t := tight.Replace(s)
	if strings.Contains(t, ") ") {
		var b strings.Builder
		for i := range len(t) {
			if t[i] == ' ' && i > 0 && t[i-1] == ')' && i+1 < len(t) && t[i+1] != '+' && t[i+1] != '-' {
				continue
			}
			b.WriteByte(t[i])
		}
		t = b.String()
	}
	u := arith.Replace(t)
	if strings.Count(u, "++") != strings.Count(t, "++") || strings.Count(u, "--") != strings.Count(t, "--") {
		return t
	}
	return u
}

var arith = strings.NewReplacer(" + ", "+", " - ", "-", " * ", "*", " % ", "%")

// tight removes the spaces around punctuation but the arithmetic signs
// (see tightCode).
var tight = strings.NewReplacer(
	") { ", "){", "} else { ", "}else{", "} else {", "}else{", "else { ", "else{", "=> { ", "=>{",
	" === ", "===", " !== ", "!==", " => ", "=>", " && ", "&&", " || ", "||", " <= ", "<=", " >= ", ">=",
	" = ", "=", " += ", "+=", " -= ", "-=", " < ", "<", " > ", ">", " ? ", "?", " : ", ":",
	", ", ",", "; ", ";", ") {", "){", "} else", "}else", "else {", "else{",
	"if (", "if(", "for (", "for(", "while (", "while(", "{ ", "{", " }", "}",
	" >>> ", ">>>", " >> ", ">>", " << ", "<<", " & ", "&", " | ", "|", " ^ ", "^", " ** ", "**", " ?? ", "??",
	" |= ", "|=", " &= ", "&=", " *= ", "*=", ": ", ":",
)

// ClientPath returns the site path of the client script, named by its
// content so that it can be cached for ever (under ChunkDir).
func ClientPath() string {
	return ChunkDir + "/client-" + contentHash(client()) + ".js"
}

// WriteClient writes the client script into the site folder out at
// ClientPath, with its .br and .gz copies when precompress is set.
func WriteClient(out string, precompress bool) error {
	return WriteServed(filepath.Join(out, filepath.FromSlash(ClientPath())), client(), precompress)
}

// Client returns the client script as served.
func Client() []byte { return client() }

// SuggestClient returns the lazily loaded part of the client as served.
func SuggestClient() []byte { return suggestClient() }
