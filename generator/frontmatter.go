package generator

import (
	"bytes"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// source is one content file split into its front matter and body.
type source struct {
	path     string // site-relative, e.g. "content/policies/x.md"
	front    []byte
	frontAt  int // line number of the first front-matter line
	body     []byte
	bodyLine int // line number of the first body line
}

var errNoFrontMatter = errors.New("missing front matter: the file must start with a line \"---\"")

// splitFrontMatter separates YAML front matter delimited by "---" lines from
// the Markdown body, keeping line numbers for both.
func splitFrontMatter(path string, src []byte) (source, error) {
	s := source{path: path}
	src = bytes.TrimPrefix(src, []byte("\ufeff"))
	first, rest, ok := bytes.Cut(src, []byte("\n"))
	if !ok || strings.TrimRight(string(first), " \r") != "---" {
		return s, errNoFrontMatter
	}
	line := 2
	start := rest
	off := 0
	for {
		l, after, found := bytes.Cut(rest, []byte("\n"))
		if strings.TrimRight(string(l), " \r") == "---" {
			s.front = start[:off]
			s.frontAt = 2
			s.body = after
			s.bodyLine = line + 1
			return s, nil
		}
		if !found {
			return s, errors.New("front matter is not closed: add a line \"---\" after it")
		}
		off += len(l) + 1
		line++
		rest = after
	}
}

// fieldLines maps dotted field paths ("validity.status", "attachments[1].file")
// to the line where each appears, so validators can report positions.
type fieldLines map[string]int

func collectLines(n *yaml.Node, prefix string, base int, out fieldLines) {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			collectLines(c, prefix, base, out)
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			out[p] = k.Line + base
			collectLines(v, p, base, out)
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			p := fmt.Sprintf("%s[%d]", prefix, i)
			out[p] = c.Line + base
			collectLines(c, p, base, out)
		}
	}
}

// line returns the line of field, or of its nearest enclosing field, or def.
func (fl fieldLines) line(field string, def int) int {
	for f := field; f != ""; {
		if l, ok := fl[f]; ok {
			return l
		}
		i := strings.LastIndexAny(f, ".[")
		if i < 0 {
			break
		}
		f = f[:i]
	}
	return def
}

var yamlLineRE = regexp.MustCompile(`^(?:yaml: )?line (\d+): (.*)$`)

// syntaxErrorLine corrects the line n (1-based, within data) that the YAML
// parser gives for the syntax error msg, so that it names the offending
// line. The parser counts lines from 0 for the errors of its parsing stage
// ("did not find expected key", "did not find expected ',' or ']'"), one
// line early; and for a tab in an indentation it names the line where the
// value before it began, so the first line from n on that is indented with
// a tab is the one.
func syntaxErrorLine(data []byte, n int, msg string) int {
	switch {
	case strings.HasPrefix(msg, "did not find expected"):
		return n + 1
	case strings.Contains(msg, "tab character"):
		for i, l := range strings.Split(string(data), "\n") {
			if i+1 >= n && strings.Contains(l[:len(l)-len(strings.TrimLeft(l, " \t"))], "\t") {
				return i + 1
			}
		}
	}
	return n
}

// decodeStrict decodes YAML into v, reporting syntax errors, unknown keys and
// type mismatches with their lines. It returns the field line map.
func decodeStrict(path string, data []byte, firstLine int, v any, probs *Problems) (fieldLines, bool) {
	base := firstLine - 1
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		line, msg := firstLine, err.Error()
		if m := yamlLineRE.FindStringSubmatch(msg); m != nil {
			n, _ := strconv.Atoi(m[1])
			line, msg = syntaxErrorLine(data, n, m[2])+base, m[2]
		}
		probs.Errorf(Pos{path, line}, "yaml", "syntax error: %s", strings.TrimPrefix(msg, "yaml: "))
		return nil, false
	}
	lines := fieldLines{}
	collectLines(&doc, "", base, lines)
	if len(doc.Content) == 0 {
		return lines, true // empty front matter; required-field checks report the rest
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		probs.Errorf(Pos{path, root.Line + base}, "yaml", "front matter must be a mapping of keys to values")
		return lines, false
	}
	ok := checkKeys(path, root, reflect.TypeOf(v), "", base, probs)
	if err := root.Decode(v); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			for _, e := range te.Errors {
				line, msg := firstLine, e
				if m := yamlLineRE.FindStringSubmatch(e); m != nil {
					n, _ := strconv.Atoi(m[1])
					line, msg = n+base, m[2]
				}
				probs.Errorf(Pos{path, line}, keyAtLine(lines, line), "%s", humanTypeError(msg))
			}
		} else {
			probs.Errorf(Pos{path, firstLine}, "yaml", "%v", err)
		}
		ok = false
	}
	return lines, ok
}

func keyAtLine(lines fieldLines, line int) string {
	best := ""
	for k, l := range lines {
		if l == line && (best == "" || len(k) > len(best) || (len(k) == len(best) && k < best)) {
			best = k
		}
	}
	return best
}

var typeErrRE = regexp.MustCompile("cannot unmarshal !!(\\w+) `(.*)` into (.*)$")

func humanTypeError(msg string) string {
	m := typeErrRE.FindStringSubmatch(msg)
	if m == nil {
		return msg
	}
	want := m[3]
	switch {
	case strings.HasPrefix(want, "[]"):
		want = "a list"
	case want == "int" || want == "float64":
		want = "a number"
	case want == "bool":
		want = "true or false"
	case want == "string":
		want = "text"
	default:
		want = "a mapping of keys to values"
	}
	return fmt.Sprintf("got %q, want %s", m[2], want)
}

// checkKeys reports mapping keys that t (a struct, possibly behind pointers,
// slices or maps) does not declare through its yaml tags.
func checkKeys(path string, n *yaml.Node, t reflect.Type, prefix string, base int, probs *Problems) bool {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == yamlNodeType {
		return true // kept undecoded; its reader checks its keys
	}
	ok := true
	switch t.Kind() {
	case reflect.Struct:
		if n.Kind != yaml.MappingNode {
			return true // the decoder reports the type mismatch
		}
		fields := yamlFields(t)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			p := k.Value
			if prefix != "" {
				p = prefix + "." + k.Value
			}
			ft, known := fields[k.Value]
			if !known {
				probs.Errorf(Pos{path, k.Line + base}, p, "unknown key%s", suggest(k.Value, fields))
				ok = false
				continue
			}
			if !checkKeys(path, v, ft, p, base, probs) {
				ok = false
			}
		}
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			return true
		}
		for i, c := range n.Content {
			if !checkKeys(path, c, t.Elem(), fmt.Sprintf("%s[%d]", prefix, i), base, probs) {
				ok = false
			}
		}
	}
	return ok
}

var yamlNodeType = reflect.TypeFor[yaml.Node]()

// yamlFields returns the yaml keys of struct t, following inline fields.
func yamlFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("yaml")
		if tag == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if strings.Contains(opts, "inline") {
			ft := f.Type
			for ft.Kind() == reflect.Pointer {
				ft = ft.Elem()
			}
			for k, v := range yamlFields(ft) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = strings.ToLower(f.Name)
		}
		out[name] = f.Type
	}
	return out
}

// suggest proposes the closest known key for a typo.
func suggest(key string, fields map[string]reflect.Type) string {
	best, bestD := "", 3
	for k := range fields {
		if d := editDistance(key, k); d < bestD || (d == bestD && best != "" && k < best) {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			c := 1
			if ra[i-1] == rb[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}
