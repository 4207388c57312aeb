package generator

import (
	"bytes"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// ServiceURLs are the site paths the server answers beside the built files
// (search, its API, the OpenSearch description); body links may point at
// them.
var ServiceURLs = []string{"/search", "/api/search", "/opensearch.xml"}

// bodyLink is one link or image in a Markdown body.
type bodyLink struct {
	dest string
	line int
}

var rawLinkRE = regexp.MustCompile(`(?i)\b(?:href|src)\s*=\s*["']?([^"'\s>]+)`)

// bodyLinks returns the links and images of a Markdown body with their
// lines (the body starts at line first), and, when raw HTML is allowed, the
// href and src attributes in it.
func bodyLinks(md *markdown, body []byte, first int, rawHTML bool) []bodyLink {
	lineAt := func(off int) int { return first + bytes.Count(body[:min(off, len(body))], []byte("\n")) }
	doc := md.md.Parser().Parse(text.NewReader(body), parser.WithContext(parser.NewContext()))
	var out []bodyLink
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			out = append(out, bodyLink{string(n.Destination), lineAt(nodeOffset(n))})
		case *ast.Image:
			out = append(out, bodyLink{string(n.Destination), lineAt(nodeOffset(n))})
		case *ast.RawHTML:
			if rawHTML {
				for i := range n.Segments.Len() {
					seg := n.Segments.At(i)
					out = append(out, rawLinks(body, seg.Start, seg.Stop, lineAt)...)
				}
			}
		case *ast.HTMLBlock:
			if rawHTML {
				for i := range n.Lines().Len() {
					seg := n.Lines().At(i)
					out = append(out, rawLinks(body, seg.Start, seg.Stop, lineAt)...)
				}
			}
		}
		return ast.WalkContinue, nil
	})
	return out
}

func rawLinks(body []byte, start, stop int, lineAt func(int) int) []bodyLink {
	var out []bodyLink
	for _, m := range rawLinkRE.FindAllSubmatchIndex(body[start:stop], -1) {
		out = append(out, bodyLink{string(body[start+m[2] : start+m[3]]), lineAt(start + m[0])})
	}
	return out
}

// nodeOffset returns the offset in the source where an inline node's text
// starts, or where its block starts when it has no text.
func nodeOffset(n ast.Node) int {
	off := -1
	_ = ast.Walk(n, func(c ast.Node, entering bool) (ast.WalkStatus, error) {
		if t, ok := c.(*ast.Text); ok && entering {
			off = t.Segment.Start
			return ast.WalkStop, nil
		}
		return ast.WalkContinue, nil
	})
	if off >= 0 {
		return off
	}
	for p := n.Parent(); p != nil; p = p.Parent() {
		if p.Type() == ast.TypeBlock && p.Lines().Len() > 0 {
			return p.Lines().At(0).Start
		}
	}
	return 0
}

// mayLink reports whether a body may hold a link worth parsing for.
func mayLink(body []byte, rawHTML bool) bool {
	return bytes.Contains(body, []byte("](")) || bytes.Contains(body, []byte("]:")) ||
		(rawHTML && (bytes.Contains(body, []byte("href")) || bytes.Contains(body, []byte("src"))))
}

// checkBodyLinks reports every link or image in a published body that
// points at a withheld, withdrawn or scheduled record or one of its
// attachments, or at a page of the site that this build does not publish.
// Links to other sites are not checked here (linkcheck does that).
func (c *Content) checkBodyLinks() {
	raw := c.Site.UnsafeHTML
	var todo []*Record
	for _, r := range c.Published {
		if mayLink(r.Body, raw) {
			todo = append(todo, r)
		}
	}
	if len(todo) == 0 {
		return
	}
	closed := map[string]*Record{}
	for _, r := range c.Records {
		if r.Withheld {
			closed[r.URL] = r
			for _, a := range r.H().Attached {
				closed[a.URL] = r
			}
		}
	}
	known := map[string]bool{"/sitemap.xml": true}
	for _, u := range ServiceURLs {
		known[u] = true
	}
	b := &Build{Content: c, Theme: &Theme{strings: map[string]string{}}}
	for _, o := range b.plan() {
		known[o.URL] = true
		if strings.HasSuffix(o.URL, "/") {
			known[o.URL+"index.html"] = true
		}
	}
	for _, r := range c.Published {
		for _, a := range r.H().Attached {
			known[a.URL] = true
		}
	}
	md := newMarkdown(raw, "")
	self := c.Site.base
	for _, r := range todo {
		base := &url.URL{Path: r.URL}
		for _, l := range bodyLinks(md, r.Body, r.BodyLine, raw) {
			p, ok := sitePath(base, self, l.dest)
			if !ok {
				continue
			}
			pos := Pos{r.Path, l.line}
			switch {
			case closed[p] != nil && closed[p].withdrawn && p == closed[p].URL:
				c.Problems.Warnf(pos, "body", "link to %s (the page of %s) now leads to its withdrawal notice", p, closedAs(closed[p]))
			case closed[p] != nil:
				o := closed[p]
				what := "record"
				if p != o.URL {
					what = "attachment of"
				}
				c.Problems.Errorf(pos, "body", "link to %s %s: %s", p, linkTarget(what, o), "a published page never points at what is not published")
			case !known[p] && !strings.HasPrefix(p, "/static/"):
				c.Problems.Errorf(pos, "body", "link to %s: this build publishes no such page or file", p)
			}
		}
	}
}

func linkTarget(what string, r *Record) string {
	if what == "record" {
		return "(the page of " + closedAs(r) + ")"
	}
	return "(an attachment of " + closedAs(r) + ")"
}

// sitePath resolves a link destination against the page at base and
// returns the site path it names, or false for a link that leaves the site
// (another host, mailto:, a fragment on the same page).
func sitePath(base, self *url.URL, dest string) (string, bool) {
	dest = strings.TrimSpace(dest)
	if dest == "" || strings.HasPrefix(dest, "#") {
		return "", false
	}
	u, err := url.Parse(dest)
	if err != nil {
		return "", false
	}
	if u.Scheme != "" || u.Host != "" {
		if self == nil || (u.Scheme != "http" && u.Scheme != "https") || !strings.EqualFold(u.Host, self.Host) {
			return "", false
		}
		u = &url.URL{Path: u.Path}
	}
	p := base.ResolveReference(&url.URL{Path: u.Path}).Path
	if p == "" {
		p = "/"
	}
	if strings.HasSuffix(u.Path, "/") && !strings.HasSuffix(p, "/") {
		p += "/"
	}
	p = path.Clean(p) + map[bool]string{true: "/", false: ""}[strings.HasSuffix(p, "/") && p != "/"]
	return p, true
}
