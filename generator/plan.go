package generator

import (
	"slices"
	"strconv"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// PlannedURLs returns every page URL a build of c would publish, without
// rendering anything (used by check to compare with the previous manifest).
func PlannedURLs(c *Content) []string {
	th := &Theme{strings: map[string]string{}}
	b := &Build{Content: c, Theme: th}
	var out []string
	for _, o := range b.plan() {
		if o.Page != nil && !o.NoSitemap {
			out = append(out, o.URL)
		}
	}
	return out
}

// OutputURLs returns the site path of every file a build of c would write
// from content: pages, lists, CSV files, feeds, redirect pages and
// attachments, sorted (theme assets and the search service's paths are not
// included). The inspector resolves internal links against it.
func OutputURLs(c *Content) []string {
	th := &Theme{strings: map[string]string{}}
	b := &Build{Content: c, Theme: th}
	var out []string
	for _, o := range b.plan() {
		out = append(out, o.URL)
	}
	for _, a := range b.attachments() {
		out = append(out, a.URL)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// HeadingIDs returns the ids the record page gives to the headings and
// footnotes of a Markdown body, the anchors a link may point at.
func HeadingIDs(body []byte) []string {
	ids := &headingIDs{seen: map[string]int{}}
	ctx := parser.NewContext(parser.WithIDs(ids))
	md := newMarkdown(false, "")
	doc := md.md.Parser().Parse(text.NewReader(body), parser.WithContext(ctx))
	var out []string
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		if h, ok := n.(*ast.Heading); ok {
			if id, ok := h.AttributeString("id"); ok {
				if b, ok := id.([]byte); ok {
					out = append(out, string(b))
				}
			}
		}
		if fn, ok := n.(*east.Footnote); ok {
			out = append(out, "fn:"+strconv.Itoa(fn.Index), "fnref:"+strconv.Itoa(fn.Index))
		}
		return ast.WalkContinue, nil
	})
	return out
}
