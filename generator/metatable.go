package generator

import (
	"fmt"
	"html/template"
	"strings"
	"time"
)

// MetaField is one label–value pair of a page's bordered metadata table
// (the 信息索引 box gov.cn puts above a document).
type MetaField struct {
	Label string
	Value template.HTML
	Wide  bool // a row of its own, such as an address or a party's name
}

// metaValue turns a template value into HTML: text is escaped, HTML (from
// link, docnoTag) is kept, a time becomes a <time> element; "" and the
// zero time give "".
func metaValue(v any) (template.HTML, error) {
	switch v := v.(type) {
	case nil:
		return "", nil
	case string:
		return template.HTML(template.HTMLEscapeString(strings.TrimSpace(v))), nil //nolint:gosec // escaped
	case template.HTML:
		return v, nil
	case time.Time:
		return timeTag(v), nil
	case fmt.Stringer:
		return template.HTML(template.HTMLEscapeString(v.String())), nil //nolint:gosec // escaped
	}
	return "", fmt.Errorf("meta: value of type %T, want text, HTML or a time", v)
}

// timeTag returns a <time> element with the date of t, or "" for the zero
// time.
func timeTag(t time.Time) template.HTML {
	if t.IsZero() {
		return ""
	}
	d := t.In(China).Format("2006-01-02")
	return template.HTML(`<time datetime="` + d + `">` + d + `</time>`) //nolint:gosec // a formatted date
}

// docnoTag returns s in a span that never wraps (a document number).
func docnoTag(s string) template.HTML {
	if s == "" {
		return ""
	}
	return template.HTML(`<span class="docno">` + template.HTMLEscapeString(s) + `</span>`) //nolint:gosec // escaped
}

// metaRows lays fields out as the rows of the bordered metadata table: two
// pairs a row, a wide field alone, and a field without a partner spanning
// the row, so no cell is empty. Fields without a value are left out.
func metaRows(fs ...MetaField) template.HTML {
	var keep []MetaField
	for _, f := range fs {
		if f.Value != "" {
			keep = append(keep, f)
		}
	}
	var b strings.Builder
	// The column widths: the first row may span the value columns, and a
	// fixed-layout table takes its widths from its first row.
	b.WriteString(`<colgroup><col class="meta-l"><col><col class="meta-l"><col></colgroup>` + "\n")
	cell := func(f MetaField, span bool) {
		b.WriteString(`<th scope="row">` + template.HTMLEscapeString(f.Label) + `</th><td`)
		if span {
			b.WriteString(` colspan="3"`)
		}
		b.WriteString(">" + string(f.Value) + "</td>")
	}
	for i := 0; i < len(keep); i++ {
		b.WriteString("<tr>")
		f := keep[i]
		if !f.Wide && i+1 < len(keep) && !keep[i+1].Wide {
			cell(f, false)
			cell(keep[i+1], false)
			i++
		} else {
			cell(f, true)
		}
		b.WriteString("</tr>\n")
	}
	return template.HTML(b.String()) //nolint:gosec // labels escaped, values escaped by metaValue
}

// metaFuncs are the template functions that build metadata tables:
// {{metaRows (meta "索引号" .IndexNo) (metaWide "地址" .Address) …}}.
func (th *Theme) metaFuncs() template.FuncMap {
	field := func(wide bool) func(string, any) (MetaField, error) {
		return func(label string, v any) (MetaField, error) {
			h, err := metaValue(v)
			return MetaField{Label: label, Value: h, Wide: wide}, err
		}
	}
	return template.FuncMap{
		"meta":     field(false),
		"metaWide": field(true),
		"metaRows": metaRows,
		"timeTag":  timeTag,
		"docnoTag": docnoTag,
		// link returns a link to a site path, a web address or a mail
		// address, a site path through the base path like {{url}}; any
		// other URL (javascript:) gives the text alone.
		"link": func(u, text string) template.HTML {
			if !safeLink(u) {
				return template.HTML(template.HTMLEscapeString(text)) //nolint:gosec // escaped
			}
			return template.HTML(`<a href="` + template.HTMLEscapeString(th.URL(u)) + `">` + template.HTMLEscapeString(text) + `</a>`) //nolint:gosec // escaped
		},
	}
}

// safeLink reports whether u may be a link's target: a site path, an
// http(s) address or a mail address.
func safeLink(u string) bool {
	l := strings.ToLower(u)
	return strings.HasPrefix(l, "/") && !strings.HasPrefix(l, "//") || strings.HasPrefix(l, "https://") ||
		strings.HasPrefix(l, "http://") || strings.HasPrefix(l, "mailto:")
}
