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
	return pageURLs(b.plan())
}

func pageURLs(outs []Output) []string {
	var out []string
	for _, o := range outs {
		if o.Page != nil && !o.NoSitemap {
			out = append(out, o.URL)
		}
	}
	return out
}

// plannedBuild is a build's plan made ahead of its render (PlanBuild),
// kept until Render takes it.
type plannedBuild struct {
	theme    *Theme // as given to PlanBuild, before WithBasePath
	previous *State
	preview  bool
	b        *Build
	outs     []Output
}

// PlanBuild is PlannedURLs for the build that follows with theme, the
// previous build's state and the preview setting (Options.Theme,
// Options.Previous, Options.Preview): the plan is made as Render makes it
// and kept, so that a Render of c with the same options takes it instead
// of planning again. c must not change in between.
func PlanBuild(c *Content, theme *Theme, previous *State, preview bool) ([]string, error) {
	b, err := newBuild(c, theme, previous, preview)
	if err != nil {
		return nil, err
	}
	outs := b.plan()
	c.planned = &plannedBuild{theme: theme, previous: previous, preview: preview, b: b, outs: outs}
	return pageURLs(outs), nil
}

func newBuild(c *Content, theme *Theme, previous *State, preview bool) (*Build, error) {
	th, err := theme.WithBasePath(c.Site.BasePath())
	if err != nil {
		return nil, err
	}
	return &Build{Content: c, Theme: th, Previous: previous, preview: preview}, nil
}

// takePlan returns the build of opts and its outputs: the plan PlanBuild
// kept when it was made with the same options, else a new one. A plan is
// taken once.
func (c *Content) takePlan(opts Options) (*Build, []Output, error) {
	p := c.planned
	c.planned = nil
	if p != nil && p.theme == opts.Theme && p.previous == opts.Previous && p.preview == opts.Preview {
		return p.b, p.outs, nil
	}
	b, err := newBuild(c, opts.Theme, opts.Previous, opts.Preview)
	if err != nil {
		return nil, nil, err
	}
	return b, b.plan(), nil
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
