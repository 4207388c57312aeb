package linkcheck

import (
	"bytes"
	"hash/fnv"
	"mime"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html"
	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
)

// link is one URL found in a page or stylesheet.
type link struct {
	Raw    string
	Source string // "a href", "img srcset", "css url", …
	Line   int
}

// page is what the checker keeps of a parsed HTML page or stylesheet.
type page struct {
	Links []link
	// IDs counts the id attributes; Names holds the names of <a name>.
	IDs   map[string]int
	Names map[string]struct{}
	// Base is the first <base href>, as written.
	Base string
	// Canonical and MetaURL are the page's own public URL if it declares it.
	Canonical string
	MetaURL   string
	// CharsetProblem describes a missing, unknown or violated charset.
	CharsetProblem string
	// Title and Heading (the first <h1>) and a fingerprint of the visible
	// text serve soft-404 detection.
	Title    string
	Heading  string
	TextLen  int
	TextHash uint64
	// NotFound is why the page says it is missing (saysNotFound), set on
	// disk once per page.
	NotFound string
}

// hasAnchor reports whether fragment frag (as written, without '#') names
// an element of p: an id anywhere or a name on <a>, matched as written and
// percent-decoded. The empty fragment and "top" always succeed, as in
// browsers.
func (p *page) hasAnchor(frag string) bool {
	if frag == "" || strings.EqualFold(frag, "top") {
		return true
	}
	if p.anchor(frag) {
		return true
	}
	if dec, ok := unescapeFragment(frag); ok && dec != frag {
		return strings.EqualFold(dec, "top") || p.anchor(dec)
	}
	return false
}

func (p *page) anchor(s string) bool {
	if p.IDs[s] > 0 {
		return true
	}
	_, ok := p.Names[s]
	return ok
}

// duplicateIDs returns the ids that occur more than once.
func (p *page) duplicateIDs() []string {
	var d []string
	for id, n := range p.IDs {
		if n > 1 {
			d = append(d, id)
		}
	}
	return d
}

// charsetInfo is the encoding of a document and how it was learnt.
type charsetInfo struct {
	enc      encoding.Encoding // nil means UTF-8
	label    string
	declared bool
	unknown  bool
}

// detectCharset finds the encoding of an HTML document as a browser would:
// byte order mark, then the Content-Type header, then a <meta> in the first
// 1024 bytes. Undeclared documents are taken as UTF-8, which is what a
// Chinese site without a declaration almost always means.
func detectCharset(data []byte, contentType string) charsetInfo {
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		return charsetInfo{label: "utf-8", declared: true}
	case bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		return lookupCharset("utf-16be")
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}):
		return lookupCharset("utf-16le")
	}
	if _, params, err := mime.ParseMediaType(contentType); err == nil {
		if cs := params["charset"]; cs != "" {
			return lookupCharset(cs)
		}
	}
	if label := prescanCharset(data); label != "" {
		return lookupCharset(label)
	}
	return charsetInfo{label: "utf-8"}
}

func lookupCharset(label string) charsetInfo {
	enc, name := charset.Lookup(label)
	if enc == nil {
		return charsetInfo{label: strings.TrimSpace(label), declared: true, unknown: true}
	}
	if name == "utf-8" {
		enc = nil
	}
	return charsetInfo{enc: enc, label: name, declared: true}
}

// prescanCharset returns the charset declared by a <meta> in the first 1024
// bytes of data, or "".
func prescanCharset(data []byte) string {
	if len(data) > 1024 {
		data = data[:1024]
	}
	z := html.NewTokenizer(bytes.NewReader(data))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return ""
		case html.StartTagToken, html.SelfClosingTagToken:
			name, more := z.TagName()
			if string(name) != "meta" {
				continue
			}
			var cs, equiv, content string
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				switch string(k) {
				case "charset":
					cs = string(v)
				case "http-equiv":
					equiv = string(v)
				case "content":
					content = string(v)
				}
			}
			if cs != "" {
				return cs
			}
			if strings.EqualFold(equiv, "content-type") {
				if _, params, err := mime.ParseMediaType(content); err == nil && params["charset"] != "" {
					return params["charset"]
				}
			}
		}
	}
}

// decodeHTML returns data as UTF-8 and a description of any charset problem.
func decodeHTML(data []byte, contentType string) ([]byte, string) {
	cs := detectCharset(data, contentType)
	switch {
	case cs.unknown:
		return data, "unknown charset " + quote(cs.label)
	case cs.enc == nil:
		data = bytes.TrimPrefix(data, []byte{0xEF, 0xBB, 0xBF})
		if !utf8.Valid(data) {
			if !cs.declared {
				return data, "no charset declared, and the page is not valid UTF-8"
			}
			return data, "declared utf-8 but the page is not valid UTF-8"
		}
		if !cs.declared {
			return data, "no charset declared"
		}
		return data, ""
	}
	out, err := cs.enc.NewDecoder().Bytes(data)
	if err != nil {
		return data, "cannot decode as " + cs.label + ": " + err.Error()
	}
	return out, ""
}

// linkAttrs lists, per element, the attributes that hold a URL.
var linkAttrs = map[string][]string{
	"a":      {"href"},
	"area":   {"href"},
	"link":   {"href"},
	"img":    {"src", "srcset"},
	"source": {"src", "srcset"},
	"script": {"src"},
	"iframe": {"src"},
	"frame":  {"src"},
	"embed":  {"src"},
	"audio":  {"src"},
	"video":  {"src", "poster"},
	"track":  {"src"},
	"input":  {"src", "formaction"},
	"button": {"formaction"},
	"object": {"data"},
	"form":   {"action"},
	"body":   {"background"},
	"table":  {"background"},
	"td":     {"background"},
	"th":     {"background"},
}

// parseOptions says what parseHTML must collect besides links, anchors,
// the title and the first heading.
type parseOptions struct {
	contentType string
	text        bool // a fingerprint of the visible text, for soft-404 probes
}

// parseHTML tokenizes an HTML document once and collects its links with
// their lines, its ids and names, its base, canonical URL and charset.
func parseHTML(data []byte, opt parseOptions) *page {
	data, problem := decodeHTML(data, opt.contentType)
	p := &page{CharsetProblem: problem}
	z := html.NewTokenizer(bytes.NewReader(data))
	line := 1
	var (
		inTitle, inHeading, inStyle, headingDone bool
		skipText                                 int // depth inside script/style/noscript/template
		title, heading                           strings.Builder
		textHash                                 = fnv.New64a()
	)
	type attr struct{ key, val string }
	var attrs []attr
	for {
		tt := z.Next()
		raw := z.Raw()
		start := line
		line += bytes.Count(raw, []byte{'\n'})
		switch tt {
		case html.ErrorToken:
			p.Title = collapseSpace(title.String())
			p.Heading = collapseSpace(heading.String())
			p.TextHash = textHash.Sum64()
			return p
		case html.TextToken:
			switch {
			case inStyle:
				text := string(z.Text())
				for _, r := range cssURLs(text) {
					p.Links = append(p.Links, link{Raw: r.URL, Source: "style url", Line: start + strings.Count(text[:r.Offset], "\n")})
				}
			case inTitle:
				title.Write(z.Text())
			case skipText == 0 && (inHeading || opt.text):
				text := z.Text()
				if inHeading {
					heading.Write(text)
				}
				if !opt.text {
					break
				}
				for _, f := range bytes.Fields(text) {
					p.TextLen += utf8.RuneCount(f) + 1
					textHash.Write(f)
					textHash.Write([]byte{' '})
				}
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			switch string(name) {
			case "title":
				inTitle = false
			case "h1":
				if inHeading {
					inHeading, headingDone = false, true
				}
			case "style":
				inStyle = false
				skipText = max(skipText-1, 0)
			case "script", "noscript", "template":
				skipText = max(skipText-1, 0)
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			nameB, more := z.TagName()
			name := string(nameB)
			attrs = attrs[:0]
			for more {
				var k, v []byte
				k, v, more = z.TagAttr()
				attrs = append(attrs, attr{string(k), string(v)})
			}
			get := func(key string) (string, bool) {
				for _, a := range attrs {
					if a.key == key {
						return a.val, true
					}
				}
				return "", false
			}
			selfClosing := tt == html.SelfClosingTagToken
			switch name {
			case "title":
				inTitle = !selfClosing
			case "h1":
				inHeading = !headingDone && !selfClosing
			case "style":
				if !selfClosing {
					inStyle = true
					skipText++
				}
			case "script", "noscript", "template":
				if !selfClosing {
					skipText++
				}
			case "base":
				if v, ok := get("href"); ok && p.Base == "" {
					p.Base = v
				}
			case "meta":
				p.meta(get, start)
			}
			for _, a := range attrs {
				switch a.key {
				case "id":
					if a.val != "" {
						if p.IDs == nil {
							p.IDs = make(map[string]int)
						}
						p.IDs[a.val]++
					}
				case "name":
					if name == "a" && a.val != "" {
						if p.Names == nil {
							p.Names = make(map[string]struct{})
						}
						p.Names[a.val] = struct{}{}
					}
				case "style":
					for _, r := range cssURLs(a.val) {
						p.Links = append(p.Links, link{Raw: r.URL, Source: name + " style", Line: start})
					}
				}
			}
			if name == "link" {
				rel, _ := get("rel")
				rel = strings.ToLower(rel)
				if strings.Contains(rel, "preconnect") || strings.Contains(rel, "dns-prefetch") {
					continue
				}
				if strings.Contains(rel, "canonical") {
					p.Canonical, _ = get("href")
				}
			}
			for _, key := range linkAttrs[name] {
				v, ok := get(key)
				if !ok {
					continue
				}
				src := name + " " + key
				if key == "srcset" {
					for _, c := range parseSrcset(v) {
						p.Links = append(p.Links, link{Raw: c.URL, Source: src, Line: start})
					}
					continue
				}
				p.Links = append(p.Links, link{Raw: v, Source: src, Line: start})
			}
		}
	}
}

// meta handles a <meta> element: refresh targets become links, and
// name="Url" gives the page's public URL.
func (p *page) meta(get func(string) (string, bool), line int) {
	equiv, _ := get("http-equiv")
	content, _ := get("content")
	if strings.EqualFold(equiv, "refresh") {
		if u := refreshURL(content); u != "" {
			p.Links = append(p.Links, link{Raw: u, Source: "meta refresh", Line: line})
		}
		return
	}
	if name, _ := get("name"); strings.EqualFold(name, "url") && p.MetaURL == "" {
		p.MetaURL = strings.TrimSpace(content)
	}
}

// refreshURL extracts the URL from a <meta http-equiv="refresh"> content
// value such as "5; url='/new.html'", following the HTML standard's steps.
func refreshURL(content string) string {
	s := strings.TrimLeft(content, " \t\n\f\r")
	i := 0
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '.') {
		i++
	}
	if i == 0 {
		return ""
	}
	s = strings.TrimLeft(s[i:], " \t\n\f\r")
	if s == "" || (s[0] != ';' && s[0] != ',') {
		return ""
	}
	s = strings.TrimLeft(s[1:], " \t\n\f\r")
	if hasPrefixFold(s, "url") {
		rest := strings.TrimLeft(s[3:], " \t\n\f\r")
		if strings.HasPrefix(rest, "=") {
			s = strings.TrimLeft(rest[1:], " \t\n\f\r")
		}
	}
	if s != "" && (s[0] == '\'' || s[0] == '"') {
		q := s[0]
		s = s[1:]
		if j := strings.IndexByte(s, q); j >= 0 {
			s = s[:j]
		}
	}
	return strings.TrimSpace(s)
}

// parseCSS collects the url() and @import references of a stylesheet.
func parseCSS(data []byte) *page {
	text := string(data)
	p := &page{}
	for _, r := range cssURLs(text) {
		p.Links = append(p.Links, link{Raw: r.URL, Source: "css url", Line: 1 + strings.Count(text[:r.Offset], "\n")})
	}
	return p
}

func collapseSpace(s string) string { return strings.Join(strings.Fields(s), " ") }

func quote(s string) string { return "\"" + s + "\"" }
