package generator

import (
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/renderer"
	"github.com/yuin/goldmark/text"
	"github.com/yuin/goldmark/util"
)

// officialText marks two things of an official document's body that the
// theme lays out the way printed documents are: document numbers
// (云府发〔2022〕3号, 国务院令第711号), which must never be split across
// lines, and the 落款 (the issuing agency and the date under the text),
// which is set flush right. Both are classes on the HTML; the text stays
// exactly as written, so search and feeds see the same words.
type officialText struct{}

// kindDocNo is the inline node around a document number.
var kindDocNo = ast.NewNodeKind("DocNo")

// docNoNode holds the text of one document number.
type docNoNode struct{ ast.BaseInline }

func (n *docNoNode) Kind() ast.NodeKind { return kindDocNo }

func (n *docNoNode) Dump(src []byte, level int) { ast.DumpHelper(n, src, level, nil, nil) }

// docNoTail finds the end of a document number in running text: the year
// in 〔〕 brackets and the serial number (GB/T 9704), or a 令 number. The
// agency code in front is found by docNoStart.
var docNoTail = regexp.MustCompile(`〔\d{4}〕\d{1,5}号|令第\d{1,5}号`)

// notInCode are characters that end an agency code when reading backwards
// from the bracket: words of the sentence around a document number (根据,
// 和, 见 …), never part of a code such as 云府办发 or 国办函.
const notInCode = "和与及或见据依照按的在经由将对是为了以从向于等根并且即称其该此"

// docNoStart returns where the document number whose tail starts at i
// begins: up to ten Han characters before it, stopping at punctuation and
// at the words of notInCode.
func docNoStart(v []byte, i int) int {
	start, n := i, 0
	for start > 0 && n < 10 {
		r, size := utf8.DecodeLastRune(v[:start])
		if !unicode.Is(unicode.Han, r) || strings.ContainsRune(notInCode, r) {
			break
		}
		start -= size
		n++
	}
	return start
}

// signatureDate is the date line of a 落款: 2022年3月21日 or in Chinese
// numerals, 二〇二二年三月二十一日.
var signatureDate = regexp.MustCompile(`^(?:\d{4}年\d{1,2}月\d{1,2}日|[〇○零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日)$`)

// issueNote is the line some documents end with after the date, such as
// （此件公开发布） or （此件主动公开）.
var issueNote = regexp.MustCompile(`^[（(]此件[^）)]{1,10}[）)]$`)

func (officialText) Transform(doc *ast.Document, reader text.Reader, _ parser.Context) {
	src := reader.Source()
	markSignature(doc, src)
	var texts []*ast.Text
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if !entering {
			return ast.WalkContinue, nil
		}
		switch n := n.(type) {
		case *ast.Link, *ast.CodeSpan, *ast.CodeBlock, *ast.FencedCodeBlock, *ast.HTMLBlock, *ast.RawHTML:
			return ast.WalkSkipChildren, nil
		case *ast.Text:
			if strings.Contains(string(n.Segment.Value(src)), "号") {
				texts = append(texts, n)
			}
		}
		return ast.WalkContinue, nil
	})
	for _, t := range texts {
		wrapDocNos(t, src)
	}
}

// wrapDocNos splits the text node t around the document numbers it holds,
// putting each into a docNoNode.
func wrapDocNos(t *ast.Text, src []byte) {
	seg := t.Segment
	v := seg.Value(src)
	ms := docNoTail.FindAllIndex(v, -1)
	if ms == nil {
		return
	}
	prev := 0
	for _, m := range ms {
		m[0] = max(docNoStart(v, m[0]), prev)
		prev = m[1]
	}
	parent := t.Parent()
	var last ast.Node = t
	add := func(n ast.Node) {
		parent.InsertAfter(parent, last, n)
		last = n
	}
	pos := 0
	for _, m := range ms {
		if m[0] > pos {
			add(ast.NewTextSegment(text.NewSegment(seg.Start+pos, seg.Start+m[0])))
		}
		d := &docNoNode{}
		d.AppendChild(d, ast.NewTextSegment(text.NewSegment(seg.Start+m[0], seg.Start+m[1])))
		add(d)
		pos = m[1]
	}
	tail := ast.NewTextSegment(text.NewSegment(seg.Start+pos, seg.Stop))
	tail.SetSoftLineBreak(t.SoftLineBreak())
	tail.SetHardLineBreak(t.HardLineBreak())
	tail.SetRaw(t.IsRaw())
	add(tail)
	parent.RemoveChild(parent, t)
}

// markSignature gives the 落款 at the end of the body the class
// "signature": the date paragraph and the short lines naming the issuing
// agencies right above it (at most four). A closing note such as
// （此件公开发布） after the date gets the class "issue-note".
func markSignature(doc *ast.Document, src []byte) {
	last := doc.LastChild()
	if p, ok := last.(*ast.Paragraph); ok && issueNote.MatchString(blockText(p, src)) {
		p.SetAttributeString("class", []byte("issue-note"))
		last = last.PreviousSibling()
	}
	date, ok := last.(*ast.Paragraph)
	if !ok || !signatureDate.MatchString(lastLine(date, src)) {
		return
	}
	date.SetAttributeString("class", []byte("signature"))
	n := 0
	for prev := date.PreviousSibling(); prev != nil && n < 4; prev = prev.PreviousSibling() {
		p, ok := prev.(*ast.Paragraph)
		if !ok || !signatureLine(blockText(p, src)) {
			break
		}
		p.SetAttributeString("class", []byte("signature"))
		n++
	}
}

// signatureLine reports whether s reads like an agency name in a 落款: a
// short line that is not a sentence.
func signatureLine(s string) bool {
	n := utf8.RuneCountInString(s)
	return n >= 2 && n <= 40 && !strings.ContainsAny(s, "。；：:;，,！？")
}

// blockText returns the text of a block's lines, trimmed.
func blockText(n ast.Node, src []byte) string {
	var b strings.Builder
	lines := n.Lines()
	for i := range lines.Len() {
		seg := lines.At(i)
		b.Write(seg.Value(src))
	}
	return strings.TrimSpace(b.String())
}

// lastLine returns the last line of a block, trimmed.
func lastLine(n ast.Node, src []byte) string {
	lines := n.Lines()
	if lines.Len() == 0 {
		return ""
	}
	seg := lines.At(lines.Len() - 1)
	return strings.TrimSpace(string(seg.Value(src)))
}

// docNoRenderer writes a document number as <span class="docno">.
type docNoRenderer struct{}

func (docNoRenderer) RegisterFuncs(reg renderer.NodeRendererFuncRegisterer) {
	reg.Register(kindDocNo, func(w util.BufWriter, _ []byte, _ ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering {
			_, _ = w.WriteString(`<span class="docno">`)
		} else {
			_, _ = w.WriteString(`</span>`)
		}
		return ast.WalkContinue, nil
	})
}

// officialOptions are the goldmark options that apply officialText.
func officialOptions() ([]parser.Option, []renderer.Option) {
	return []parser.Option{parser.WithASTTransformers(util.Prioritized(officialText{}, 200))},
		[]renderer.Option{renderer.WithNodeRenderers(util.Prioritized(docNoRenderer{}, 500))}
}
