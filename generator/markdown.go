package generator

import (
	"bytes"
	"strconv"
	"strings"
	"unicode"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer/html"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// markdown renders record bodies: GFM tables, footnotes, heading ids that
// keep Chinese characters, raw HTML off unless the site allows it, document
// numbers and the 落款 marked for the theme (officialText). Links
// and images written as site paths ("/policy/x.html") get the site's base
// path in front.
type markdown struct {
	md goldmark.Markdown
}

func newMarkdown(unsafe bool, base string) *markdown {
	offParse, offRender := officialOptions()
	popts := append([]parser.Option{parser.WithAutoHeadingID()}, offParse...)
	if base != "" && base != "/" {
		popts = append(popts, parser.WithASTTransformers(util.Prioritized(basePathLinks(base), 100)))
	}
	rend := offRender
	if unsafe {
		rend = append(rend, html.WithUnsafe())
	}
	ropts := []goldmark.Option{
		goldmark.WithExtensions(extension.Table, extension.Footnote, extension.Strikethrough),
		goldmark.WithParserOptions(popts...),
		goldmark.WithRendererOptions(rend...),
	}
	return &markdown{md: goldmark.New(ropts...)}
}

// render converts src to HTML and, when textOut is not nil, appends the
// plain text of the document to it (for the search index).
func (m *markdown) render(src []byte, buf *bytes.Buffer, textOut *strings.Builder) error {
	return m.renderText(src, buf, textOut, nil)
}

// renderText is render that also appends the text of each heading to
// headings when it is not nil.
func (m *markdown) renderText(src []byte, buf *bytes.Buffer, textOut *strings.Builder, headings *[]string) error {
	ctx := parser.NewContext(parser.WithIDs(&headingIDs{seen: map[string]int{}}))
	doc := m.md.Parser().Parse(text.NewReader(src), parser.WithContext(ctx))
	if err := m.md.Renderer().Render(buf, src, doc); err != nil {
		return err
	}
	if textOut != nil {
		plainText(doc, src, textOut)
	}
	if headings != nil {
		_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
			if h, ok := n.(*ast.Heading); ok && entering {
				var hb strings.Builder
				plainText(h, src, &hb)
				if t := strings.TrimSpace(hb.String()); t != "" {
					*headings = append(*headings, t)
				}
				return ast.WalkSkipChildren, nil
			}
			return ast.WalkContinue, nil
		})
	}
	return nil
}

// basePathLinks puts base in front of every link and image destination
// that is a site path.
type basePathLinks string

func (b basePathLinks) Transform(doc *ast.Document, _ text.Reader, _ parser.Context) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link:
			n.Destination = []byte(prefixPath(string(b), string(n.Destination)))
		case *ast.Image:
			n.Destination = []byte(prefixPath(string(b), string(n.Destination)))
		}
		return ast.WalkContinue, nil
	})
}

func plainText(doc ast.Node, src []byte, out *strings.Builder) {
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		switch n := n.(type) {
		case *ast.Text:
			if entering {
				out.Write(n.Segment.Value(src))
				if n.SoftLineBreak() || n.HardLineBreak() {
					out.WriteByte(' ')
				}
			}
		case *ast.String:
			if entering {
				out.Write(n.Value)
			}
		case *ast.CodeBlock, *ast.FencedCodeBlock:
			if entering {
				lines := n.Lines()
				for i := range lines.Len() {
					seg := lines.At(i)
					out.Write(seg.Value(src))
				}
			}
		default:
			if !entering && n.Type() == ast.TypeBlock {
				out.WriteByte('\n')
			}
		}
		return ast.WalkContinue, nil
	})
}

// headingIDs makes heading ids from the heading text, keeping letters of any
// script (so 一、总体要求 becomes "一总体要求") and numbering repeats.
type headingIDs struct {
	seen map[string]int
}

func (h *headingIDs) Generate(value []byte, _ ast.NodeKind) []byte {
	var b strings.Builder
	dash := false
	for _, r := range string(value) {
		switch {
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(unicode.ToLower(r))
		case r == ' ' || r == '-' || r == '_':
			dash = true
		}
	}
	id := b.String()
	if id == "" {
		id = "section"
	}
	if n, ok := h.seen[id]; ok {
		h.seen[id] = n + 1
		id = id + "-" + strconv.Itoa(n+1)
	}
	h.seen[id] = 0
	return []byte(id)
}

func (h *headingIDs) Put(value []byte) { h.seen[string(value)] = 0 }
