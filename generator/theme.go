package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"go.yaml.in/yaml/v3"
)

// Theme is a parsed theme: one template set per page template, the UI
// strings and the fingerprinted static files.
//
// Templates link with site paths ("/policy/", {{.URL}}) passed through the
// url function ({{url "/policy/"}}, {{url .URL}}), which puts the site's
// base path in front; asset does the same for static files. A theme is
// bound to one base path (WithBasePath); Render binds it to the site's.
type Theme struct {
	pages   map[string]*template.Template // bound to base, ready to execute
	parsed  map[string]*template.Template // as parsed, never executed: WithBasePath clones these
	strings map[string]string
	static  map[string][]byte // output path ("/static/style.1a2b3c4d.css") → bytes
	assets  map[string]string // logical name ("style.css") → output path
	base    string            // base path, "/" or "/zfxxgk/"
	// uses says, by page template, what it can reach through the View
	// (deps.go).
	uses map[string]viewDep
	// bound holds the theme bound to each base path so far, shared by
	// every theme WithBasePath made from one LoadTheme: binding clones
	// every template, and a build asks for the same base several times.
	bound *boundThemes
}

type boundThemes struct {
	mu sync.Mutex
	m  map[string]*Theme
}

// overlay reads from the site's theme folder first, then the default theme.
type overlay struct {
	site, base fs.FS
}

func (o overlay) Open(name string) (fs.File, error) {
	if o.site != nil {
		f, err := o.site.Open(name)
		if err == nil {
			return f, nil
		}
		// Only a missing override falls back to the default theme; one that
		// cannot be read (a symlink, a pipe) is an error, never skipped.
		if !errors.Is(err, fs.ErrNotExist) {
			return nil, err
		}
	}
	return o.base.Open(name)
}

func (o overlay) ReadDir(name string) ([]fs.DirEntry, error) {
	seen := map[string]fs.DirEntry{}
	for _, f := range []fs.FS{o.base, o.site} {
		if f == nil {
			continue
		}
		es, err := fs.ReadDir(f, name)
		if err != nil {
			continue
		}
		for _, e := range es {
			seen[e.Name()] = e
		}
	}
	out := make([]fs.DirEntry, 0, len(seen))
	for _, e := range seen {
		out = append(out, e)
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// LoadTheme parses the default theme, with files from site (may be nil)
// taking precedence. Template errors name the template file.
func LoadTheme(base, site fs.FS) (*Theme, error) {
	fsys := overlay{site: site, base: base}
	th := &Theme{pages: map[string]*template.Template{}, parsed: map[string]*template.Template{},
		static: map[string][]byte{}, assets: map[string]string{}, base: "/", uses: map[string]viewDep{}, bound: &boundThemes{m: map[string]*Theme{}}}
	data, err := fs.ReadFile(fsys, "i18n/zh-CN.yaml")
	if err != nil {
		return nil, fmt.Errorf("load theme strings: %w", err)
	}
	if err := yaml.Unmarshal(data, &th.strings); err != nil {
		return nil, fmt.Errorf("theme i18n/zh-CN.yaml: %w", err)
	}
	statics, _ := fs.ReadDir(fsys, "static")
	for _, e := range statics {
		if e.IsDir() {
			continue
		}
		b, err := fs.ReadFile(fsys, "static/"+e.Name())
		if err != nil {
			return nil, fmt.Errorf("load theme: %w", err)
		}
		sum := sha256.Sum256(b)
		ext := path.Ext(e.Name())
		out := "/static/" + strings.TrimSuffix(e.Name(), ext) + "." + hex.EncodeToString(sum[:4]) + ext
		th.static[out] = b
		th.assets[e.Name()] = out
	}
	entries, err := fs.ReadDir(fsys, "templates")
	if err != nil {
		return nil, fmt.Errorf("load theme templates: %w", err)
	}
	var partials, pages []string
	for _, e := range entries {
		n := e.Name()
		switch {
		case !strings.HasSuffix(n, ".html"):
		case strings.HasPrefix(n, "_"):
			partials = append(partials, n)
		default:
			pages = append(pages, n)
		}
	}
	base0 := template.New("").Funcs(th.funcs())
	for _, n := range partials {
		if err := parseInto(base0, fsys, n); err != nil {
			return nil, err
		}
	}
	for _, n := range pages {
		t, err := base0.Clone()
		if err != nil {
			return nil, err
		}
		if err := parseInto(t, fsys, n); err != nil {
			return nil, err
		}
		th.parsed[n] = t
		th.uses[n] = viewUses(t)
	}
	return th.WithBasePath("/")
}

// WithBasePath returns the theme with its url, asset and markdown functions
// putting base ("/zfxxgk/") in front of site paths. The themes it returns
// are never changed, so one made for a base is returned again for it.
func (th *Theme) WithBasePath(base string) (*Theme, error) {
	if base == "" {
		base = "/"
	}
	if !strings.HasPrefix(base, "/") || !strings.HasSuffix(base, "/") {
		return nil, fmt.Errorf("theme: base path %q must start and end with /", base)
	}
	if th.bound != nil {
		th.bound.mu.Lock()
		defer th.bound.mu.Unlock()
		if t := th.bound.m[base]; t != nil {
			return t, nil
		}
	}
	nt := *th
	nt.base = base
	nt.pages = make(map[string]*template.Template, len(th.parsed))
	fm := nt.funcs()
	for n, t := range th.parsed {
		c, err := t.Clone()
		if err != nil {
			return nil, fmt.Errorf("theme %s: %w", n, err)
		}
		nt.pages[n] = c.Funcs(fm)
	}
	if th.bound != nil {
		th.bound.m[base] = &nt
	}
	return &nt, nil
}

// BasePath returns the base path the theme is bound to.
func (th *Theme) BasePath() string { return th.base }

// URL puts the theme's base path in front of a site path (see Site.URL).
func (th *Theme) URL(p string) string { return prefixPath(th.base, p) }

func parseInto(t *template.Template, fsys fs.FS, name string) error {
	b, err := fs.ReadFile(fsys, "templates/"+name)
	if err != nil {
		return fmt.Errorf("load theme: %w", err)
	}
	if _, err := t.New(name).Parse(string(b)); err != nil {
		return fmt.Errorf("theme: %w", err)
	}
	return nil
}

// T returns the UI string for key, or the key itself when it is missing.
func (th *Theme) T(key string) string {
	if s, ok := th.strings[key]; ok {
		return s
	}
	return key
}

// Lookup returns the UI string for key and whether the theme has it.
func (th *Theme) Lookup(key string) (string, bool) {
	s, ok := th.strings[key]
	return s, ok
}

// Execute renders the page template name with data.
func (th *Theme) Execute(w io.Writer, name string, data any) error {
	t := th.pages[name]
	if t == nil {
		return fmt.Errorf("theme has no template %q", name)
	}
	return t.ExecuteTemplate(w, name, data)
}

// Asset returns the fingerprinted site path of a static file; templates
// use {{asset "style.css"}}, which adds the base path.
func (th *Theme) Asset(name string) string {
	if p, ok := th.assets[name]; ok {
		return p
	}
	return "/static/" + name
}

func (th *Theme) funcs() template.FuncMap {
	fm := template.FuncMap{
		"T":     th.T,
		"asset": func(name string) string { return th.URL(th.Asset(name)) },
		// hasAsset reports whether the theme has the static file name, such
		// as a site's own site.css loaded after the default stylesheet.
		"hasAsset": func(name string) bool { _, ok := th.assets[name]; return ok },
		"url":      th.URL,
		"date": func(t time.Time) string {
			if t.IsZero() {
				return ""
			}
			return t.In(China).Format("2006-01-02")
		},
		"datetime": func(t time.Time, hasTime bool) string {
			if t.IsZero() {
				return ""
			}
			if hasTime {
				return t.In(China).Format("2006-01-02 15:04")
			}
			return t.In(China).Format("2006-01-02")
		},
		"size": humanSize,
		"add":  func(a, b int) int { return a + b },
		"join": strings.Join,
		"agencyNames": func(as []*Agency) string {
			names := make([]string, len(as))
			for i, a := range as {
				names[i] = a.Name
			}
			return strings.Join(names, "、")
		},
		"pathEscape": func(p string) string {
			u := url.URL{Path: p}
			return u.EscapedPath()
		},
		"validityCode": func(s string) string { return validityCodes[s] },
		"markdown":     th.markdownFunc,
		"demote":       demoteHeadings,
		"wbr":          breakAfter,
	}
	for k, f := range th.metaFuncs() {
		fm[k] = f
	}
	return fm
}

// headingTag matches the opening and closing tags of h1–h5.
var headingTag = regexp.MustCompile(`<(/?)h([1-5])([\s>])`)

// demoteHeadings moves every heading of a rendered body one level down (h2
// becomes h3), for a body shown under a heading of the page's own, such as
// a draft under 草案文本. The HTML comes from the Markdown renderer, whose
// tags are lower case.
func demoteHeadings(h template.HTML) template.HTML {
	return template.HTML(headingTag.ReplaceAllStringFunc(string(h), func(m string) string { //nolint:gosec // only tag names change
		sub := headingTag.FindStringSubmatch(m)
		return "<" + sub[1] + "h" + string(sub[2][0]+1) + sub[3]
	}))
}

// breakAfter escapes s and lets a line break after every sep in it (an
// index number breaks after its slash, not in the middle of its code).
func breakAfter(s, sep string) template.HTML {
	parts := strings.Split(s, sep)
	for i, p := range parts {
		parts[i] = template.HTMLEscapeString(p)
	}
	return template.HTML(strings.Join(parts, template.HTMLEscapeString(sep)+"<wbr>")) //nolint:gosec // every part is escaped
}

// markdownFunc renders a short Markdown text, such as the guide, with raw
// HTML off.
func (th *Theme) markdownFunc(s string) (template.HTML, error) {
	var b bytes.Buffer
	if err := newMarkdown(false, th.base).render([]byte(s), &b, nil); err != nil {
		return "", err
	}
	return template.HTML(b.String()), nil //nolint:gosec // goldmark escapes; raw HTML is off
}

func humanSize(n int64) string {
	switch {
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KB", float64(n)/(1<<10))
	default:
		return fmt.Sprintf("%d B", n)
	}
}
