package generator

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The charts are drawn at build time as inline SVG. They use currentColor for
// every stroke, fill and text, so they follow the page's colours: black on
// white in print, the theme's colours in high-contrast mode. The SVG has a
// fixed 320-unit width that CSS scales down, so at 360 px its text is as
// large as the drawing units (14 units ≈ 14 px).

const (
	svgWidth  = 320
	svgMargin = 8
)

// FlowStep is one step of a flow chart.
type FlowStep struct {
	Title  string   // e.g. "受理"
	Lines  []string // short lines drawn in the box, e.g. "办理人：窗口人员"
	Detail string   // longer text, shown only in the text alternative
}

// FlowChart draws steps top to bottom between a start and an end terminal,
// and returns it in a <figure> with an ordered list of the same steps as the
// text alternative. id must be unique on the page; title names the chart.
// A vertical flow stays readable at 360 px, where a horizontal one would not.
func FlowChart(id, title, start, end string, steps []FlowStep) template.HTML {
	const (
		boxX      = svgMargin
		boxW      = svgWidth - 2*svgMargin
		pad       = 12
		titleSize = 15
		lineSize  = 13
		titleLH   = 20
		lineLH    = 18
		gap       = 30 // vertical space for an arrow between shapes
		termW     = 176
		termH     = 36
	)
	var shapes, texts strings.Builder
	y := svgMargin
	cx := svgWidth / 2
	arrow := func(from, to int) {
		fmt.Fprintf(&shapes, `<line x1="%d" y1="%d" x2="%d" y2="%d"/>`+"\n", cx, from, cx, to-6)
		fmt.Fprintf(&texts, `<polygon points="%d,%d %d,%d %d,%d"/>`+"\n", cx-5, to-7, cx+5, to-7, cx, to)
	}
	terminal := func(label string) {
		fmt.Fprintf(&shapes, `<rect x="%d" y="%d" width="%d" height="%d" rx="18"/>`+"\n", cx-termW/2, y, termW, termH)
		for i, l := range wrapText(label, termW-2*pad, lineSize) {
			if i > 0 {
				break // terminals hold one short line
			}
			fmt.Fprintf(&texts, `<text x="%d" y="%d" text-anchor="middle" font-size="%d">%s</text>`+"\n", cx, y+termH/2+5, lineSize, xmlEscape(l))
		}
		y += termH
	}
	terminal(start)
	for i, s := range steps {
		arrow(y, y+gap)
		y += gap
		head := wrapText(strconv.Itoa(i+1)+". "+s.Title, boxW-2*pad, titleSize)
		var body []string
		for _, l := range s.Lines {
			body = append(body, wrapText(l, boxW-2*pad, lineSize)...)
		}
		h := pad + len(head)*titleLH + len(body)*lineLH + pad/2
		fmt.Fprintf(&shapes, `<rect x="%d" y="%d" width="%d" height="%d" rx="4"/>`+"\n", boxX, y, boxW, h)
		ty := y + pad + titleSize - 2
		for _, l := range head {
			fmt.Fprintf(&texts, `<text x="%d" y="%d" font-size="%d" font-weight="bold">%s</text>`+"\n", boxX+pad, ty, titleSize, xmlEscape(l))
			ty += titleLH
		}
		ty += lineSize - titleSize
		for _, l := range body {
			fmt.Fprintf(&texts, `<text x="%d" y="%d" font-size="%d">%s</text>`+"\n", boxX+pad, ty+2, lineSize, xmlEscape(l))
			ty += lineLH
		}
		y += h
	}
	arrow(y, y+gap)
	y += gap
	terminal(end)
	y += svgMargin

	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart flow" id="%s">`+"\n", xmlEscape(id))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" aria-labelledby="%[1]s-title" aria-describedby="%[1]s-steps" viewBox="0 0 %[2]d %[3]d" width="%[2]d" height="%[3]d" font-family="sans-serif">`+"\n",
		xmlEscape(id), svgWidth, y)
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`+"\n", xmlEscape(id), xmlEscape(title))
	b.WriteString(`<g fill="none" stroke="currentColor" stroke-width="1.5">` + "\n")
	b.WriteString(shapes.String())
	b.WriteString("</g>\n" + `<g fill="currentColor">` + "\n")
	b.WriteString(texts.String())
	b.WriteString("</g>\n</svg>\n")
	fmt.Fprintf(&b, `<ol class="flow-steps" id="%s-steps">`+"\n", xmlEscape(id))
	for _, s := range steps {
		b.WriteString("<li><strong>" + xmlEscape(s.Title) + "</strong>")
		for _, l := range s.Lines {
			b.WriteString("<br>" + xmlEscape(l))
		}
		if s.Detail != "" {
			b.WriteString("<br>" + xmlEscape(s.Detail))
		}
		b.WriteString("</li>\n")
	}
	b.WriteString("</ol>\n</figure>")
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

// BarRow is one category of a bar chart with a value per series.
type BarRow struct {
	Label  string
	Values []int
}

// BarChart draws horizontal bars, one group per row and one bar per series,
// with each value written beside its bar. Series 0 is solid, series 1
// outlined, further series hatched, so print and high contrast keep them
// apart without colour. describedBy names the element (a data table) that
// holds the same numbers as text.
func BarChart(id, title, describedBy string, series []string, rows []BarRow) template.HTML {
	const (
		labelSize = 13
		barH      = 12
		barGap    = 3
		rowGap    = 12
		valueRoom = 56
		left      = svgMargin
	)
	maxV := 0
	for _, r := range rows {
		for _, v := range r.Values {
			maxV = max(maxV, v)
		}
	}
	scale := func(v int) int {
		if maxV == 0 || v <= 0 {
			return 0
		}
		return max(1, v*(svgWidth-left-svgMargin-valueRoom)/maxV)
	}
	var body strings.Builder
	y := svgMargin
	// Legend.
	x := left
	for i, s := range series {
		fmt.Fprintf(&body, `<rect x="%d" y="%d" width="14" height="%d"%s/>`+"\n", x, y, barH, barStyle(i, id))
		fmt.Fprintf(&body, `<text x="%d" y="%d" font-size="%d">%s</text>`+"\n", x+20, y+barH-1, labelSize, xmlEscape(s))
		x += 20 + textWidth(s, labelSize) + 16
	}
	y += barH + rowGap + 4
	for _, r := range rows {
		for i, l := range wrapText(r.Label, svgWidth-2*svgMargin, labelSize) {
			if i > 0 {
				y += labelSize + 4
			}
			fmt.Fprintf(&body, `<text x="%d" y="%d" font-size="%d" font-weight="bold">%s</text>`+"\n", left, y+labelSize-2, labelSize, xmlEscape(l))
		}
		y += labelSize + 4
		for i, v := range r.Values {
			w := scale(v)
			if w > 0 {
				fmt.Fprintf(&body, `<rect x="%d" y="%d" width="%d" height="%d"%s/>`+"\n", left, y, w, barH, barStyle(i, id))
			}
			fmt.Fprintf(&body, `<text x="%d" y="%d" font-size="%d">%d</text>`+"\n", left+w+4, y+barH-1, labelSize-1, v)
			y += barH + barGap
		}
		y += rowGap
	}
	y += svgMargin - rowGap
	var b strings.Builder
	fmt.Fprintf(&b, `<figure class="chart bars" id="%s">`+"\n", xmlEscape(id))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" class="chart-svg" role="img" aria-labelledby="%[1]s-title"%[4]s viewBox="0 0 %[2]d %[3]d" width="%[2]d" height="%[3]d" font-family="sans-serif">`+"\n",
		xmlEscape(id), svgWidth, y, describedAttr(describedBy))
	fmt.Fprintf(&b, `<title id="%s-title">%s</title>`+"\n", xmlEscape(id), xmlEscape(title))
	b.WriteString(`<defs><pattern id="` + xmlEscape(id) + `-hatch" width="4" height="4" patternUnits="userSpaceOnUse"><path d="M0,4 L4,0" stroke="currentColor" stroke-width="1"/></pattern></defs>` + "\n")
	b.WriteString(`<g fill="currentColor" stroke="currentColor" stroke-width="0">` + "\n")
	b.WriteString(body.String())
	b.WriteString("</g>\n</svg>\n</figure>")
	return template.HTML(b.String()) //nolint:gosec // every text is escaped above
}

func describedAttr(id string) string {
	if id == "" {
		return ""
	}
	return ` aria-describedby="` + xmlEscape(id) + `"`
}

func barStyle(i int, id string) string {
	switch i {
	case 0:
		return ""
	case 1:
		return ` fill="none" stroke-width="1.5"`
	default:
		return ` fill="url(#` + xmlEscape(id) + `-hatch)" stroke-width="1"`
	}
}

func xmlEscape(s string) string { return html.EscapeString(s) }

// textWidth estimates the drawn width of s at font size px: CJK and other
// wide characters take a full em, the rest about 0.6 em.
func textWidth(s string, px int) int {
	w := 0.0
	for _, r := range s {
		w += runeEm(r)
	}
	return int(w*float64(px) + 0.5)
}

func runeEm(r rune) float64 {
	if r >= 0x2E80 || (r >= 0x1100 && r <= 0x115F) {
		return 1
	}
	return 0.6
}

// wrapText breaks s into lines no wider than width at font size px. Chinese
// text may break between any two characters; Latin words stay whole when
// they fit on a line.
func wrapText(s string, width, px int) []string {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return nil
	}
	limit := float64(width) / float64(px)
	var lines []string
	var cur strings.Builder
	w := 0.0
	flush := func() {
		lines = append(lines, strings.TrimSpace(cur.String()))
		cur.Reset()
		w = 0
	}
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r < 0x2E80 && r != ' ' {
			// A Latin word or number: keep it together when it fits.
			j := i
			ww := 0.0
			for j < len(s) {
				r2, n2 := utf8.DecodeRuneInString(s[j:])
				if r2 >= 0x2E80 || r2 == ' ' {
					break
				}
				ww += runeEm(r2)
				j += n2
			}
			if w+ww > limit && w > 0 && ww <= limit {
				flush()
			}
			for _, r2 := range s[i:j] {
				if w+runeEm(r2) > limit && w > 0 {
					flush()
				}
				cur.WriteRune(r2)
				w += runeEm(r2)
			}
			i = j
			continue
		}
		if r == ' ' && w == 0 {
			i += n
			continue
		}
		if w+runeEm(r) > limit && w > 0 {
			flush()
			if r == ' ' {
				i += n
				continue
			}
		}
		cur.WriteRune(r)
		w += runeEm(r)
		i += n
	}
	if cur.Len() > 0 {
		flush()
	}
	return lines
}
