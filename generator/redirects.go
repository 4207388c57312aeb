package generator

import (
	"errors"
	"io/fs"
	"strconv"
	"strings"
)

// Redirect maps a moved URL to its new home (content/redirects.yaml).
type Redirect struct {
	From string `yaml:"from"`
	To   string `yaml:"to"`
}

const redirectsFile = "content/redirects.yaml"

type redirectsYAML struct {
	Redirects []Redirect `yaml:"redirects"`
}

func loadRedirects(fsys fs.FS, probs *Problems) []Redirect {
	data, err := fs.ReadFile(fsys, redirectsFile)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		probs.Errorf(Pos{redirectsFile, 0}, "", "cannot read: %v", err)
		return nil
	}
	var ry redirectsYAML
	lines, ok := decodeStrict(redirectsFile, data, 1, &ry, probs)
	if !ok {
		return nil
	}
	var out []Redirect
	seen := map[string]bool{}
	for i, r := range ry.Redirects {
		f := "redirects[" + strconv.Itoa(i) + "]"
		pos := Pos{redirectsFile, lines.line(f, 1)}
		if !strings.HasPrefix(r.From, "/") || !(strings.HasSuffix(r.From, "/") || strings.HasSuffix(r.From, ".html")) || strings.Contains(r.From, "..") {
			probs.Errorf(pos, f+".from", "want a site path ending in / or .html, such as /old/path/, got %q", r.From)
			continue
		}
		if r.To == "" {
			probs.Errorf(pos, f+".to", "required")
			continue
		}
		if seen[r.From] {
			probs.Errorf(pos, f+".from", "duplicate redirect for %s", r.From)
			continue
		}
		seen[r.From] = true
		out = append(out, r)
	}
	return out
}
