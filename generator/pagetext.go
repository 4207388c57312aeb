package generator

import (
	"bytes"
	"html"
	"strings"
)

// mainText returns the text of the <main> element of a rendered page, for
// the search index: everything the page shows as its content, including the
// labels of tables (an annual report's row 无正当理由大量反复申请) and the
// values of structured fields. Block elements end lines; inline elements
// join their text to their neighbours', so a phrase across a link or a <mark>
// stays whole. Scripts and styles are left out.
func mainText(page []byte) string {
	start := bytes.Index(page, []byte("<main"))
	if start < 0 {
		return ""
	}
	end := bytes.LastIndex(page, []byte("</main>"))
	if end < start {
		end = len(page)
	}
	src := page[start:end]
	var b strings.Builder
	for len(src) > 0 {
		lt := bytes.IndexByte(src, '<')
		if lt < 0 {
			b.WriteString(html.UnescapeString(string(src)))
			break
		}
		b.WriteString(html.UnescapeString(string(src[:lt])))
		gt := bytes.IndexByte(src[lt:], '>')
		if gt < 0 {
			break
		}
		tag := src[lt+1 : lt+gt]
		src = src[lt+gt+1:]
		name := tagName(tag)
		switch name {
		case "script", "style", "template":
			if i := bytes.Index(src, []byte("</"+name)); i >= 0 {
				src = src[i:]
			}
		case "p", "div", "li", "tr", "td", "th", "h1", "h2", "h3", "h4", "h5", "h6", "section", "dt", "dd", "br",
			"table", "caption", "ul", "ol", "dl", "figure", "figcaption", "header", "footer", "nav", "article",
			"aside", "blockquote", "pre", "hr", "text", "title", "summary", "details", "thead", "tbody", "label":
			b.WriteByte('\n')
		}
	}
	return b.String()
}

// tagName returns the lower-case name of a tag's source ("/p" gives "p").
func tagName(tag []byte) string {
	tag = bytes.TrimPrefix(tag, []byte("/"))
	i := 0
	for i < len(tag) && (tag[i] >= 'a' && tag[i] <= 'z' || tag[i] >= 'A' && tag[i] <= 'Z' || tag[i] >= '0' && tag[i] <= '9') {
		i++
	}
	return strings.ToLower(string(tag[:i]))
}
