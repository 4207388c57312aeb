package generator

import (
	"strings"
	"testing"
)

// TestSyntaxErrorLines: a YAML syntax error in the front matter is
// reported at the line that holds the mistake, not one early.
func TestSyntaxErrorLines(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		line       int // within the front matter, 1-based
	}{
		{"missing colon", "title: x\nsummary: y\ndoc_no z\ntopic: t\n", 3},
		{"unclosed bracket", "title: x\nkeywords: [a, b\ntopic: t\n", 2},
		{"unclosed brace", "title: x\nvalidity: {status: 有效\ntopic: t\n", 2},
		{"unclosed quote", "title: x\nsummary: \"y\ntopic: t\n", 2},
		{"bad list indentation", "title: x\nkeywords:\n  - a\n - b\ntopic: t\n", 4},
		{"list item at the top", "title: x\nsummary: y\n- z\n", 3},
		{"tab indentation", "title: x\nsummary: y\n\ttopic: t\n", 3},
		{"tab after a nested value", "title: x\nvalidity:\n  status: 有效\n\teffective: 2024-01-01\n", 4},
		{"key in a value", "title: x\nsummary: a: b\n", 2},
		{"over-indented key", "title: x\n  summary: y\ntopic: t\n", 2},
		{"bad token", "title: x\nsummary: @y\n", 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var probs Problems
			var p Policy
			// The front matter starts on line 2 of the file, after "---".
			decodeStrict("content/policies/x.md", []byte(tc.yaml), 2, &p, &probs)
			if len(probs) != 1 || probs[0].Field != "yaml" {
				t.Fatalf("problems = %v, want one YAML syntax error", probs)
			}
			if got, want := probs[0].Pos.Line, tc.line+1; got != want {
				line := strings.Split(tc.yaml, "\n")[tc.line-1]
				t.Errorf("%s reported at file line %d, want %d (%q)", probs[0].Error(), got, want, line)
			}
		})
	}
}
