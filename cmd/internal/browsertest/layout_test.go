package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-rod/rod/lib/input"
	"github.com/go-rod/rod/lib/proto"
)

// tablesJS finds every table cell of the main content that lies outside
// the viewport and says why it is not reachable. A cell may only lie
// outside when its table scrolls inside a region that a keyboard can
// reach (tabindex 0), that itself ends inside the viewport and shows
// scroll cues (the edge shadows of .table-wrap, a background gradient, and
// the hint under it);
// scrolled to its end, the row's header cell (th scope=row) must still be
// on screen. site.js says under such a region that it scrolls. It returns
// the problems and the number of cells looked at.
const tablesJS = `() => {
	const vw = document.documentElement.clientWidth, bad = [];
	let cells = 0, scrolled = 0;
	const text = el => (el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 20);
	for (const table of document.querySelectorAll("main table")) {
		const wrap = table.closest(".table-wrap");
		const scrolls = wrap && wrap.scrollWidth > wrap.clientWidth + 1;
		const where = (table.caption ? text(table.caption) : (wrap && wrap.getAttribute("aria-label")) || table.className || "table");
		for (const cell of table.querySelectorAll("td, th")) {
			const r = cell.getBoundingClientRect();
			if (r.width === 0 || r.height === 0 || (cell.closest("thead") && getComputedStyle(cell.closest("thead")).position === "absolute")) continue;
			cells++;
			if (r.left >= -1 && r.right <= vw + 1) continue;
			if (!scrolls) { bad.push(where + ": cell “" + text(cell) + "” reaches " + Math.round(r.right) + "px, past the viewport, and its table does not scroll"); break; }
		}
		if (!scrolls) continue;
		scrolled++;
		const cs = getComputedStyle(wrap), wr = wrap.getBoundingClientRect();
		if (!/auto|scroll/.test(cs.overflowX)) bad.push(where + ": overflow-x " + cs.overflowX);
		if (wrap.tabIndex < 0) bad.push(where + ": the scrolling region cannot be reached with the keyboard");
		if (!cs.backgroundImage.includes("gradient")) bad.push(where + ": no scroll cue (edge shadow) on the scrolling region");
		const hint = wrap.nextElementSibling;
		if (!hint || hint.className !== "scroll-hint" || !hint.checkVisibility() || !hint.textContent.trim()) bad.push(where + ": no visible hint under the scrolling region that it scrolls");
		if (wr.right > vw + 1) bad.push(where + ": the scrolling region itself ends at " + Math.round(wr.right) + "px, past the viewport");
		wrap.scrollLeft = wrap.scrollWidth;
		for (const th of table.querySelectorAll("tbody th[scope=row]")) {
			const r = th.getBoundingClientRect();
			if (r.width > 0 && (r.left < wr.left - 1 || r.left > wr.right)) {
				bad.push(where + ": scrolled to the end, the row header “" + text(th) + "” is off screen (left " + Math.round(r.left) + "px)");
				break;
			}
		}
		wrap.scrollLeft = 0;
	}
	return {bad, cells, scrolled};
}`

// tablesReachable fails when a table cell is off screen without a way to
// get to it that a reader can see (see tablesJS).
func (tb *tab) tablesReachable(where string) {
	tb.t.Helper()
	var r struct {
		Bad             []string
		Cells, Scrolled int
	}
	tb.eval(&r, tablesJS)
	for _, b := range r.Bad {
		tb.t.Errorf("%s at %d px: %s", where, tb.width, b)
	}
	if r.Cells > 0 {
		tb.t.Logf("%s at %d px: %d table cells, %d tables scroll sideways", where, tb.width, r.Cells, r.Scrolled)
	}
}

// docNosWhole fails when a document number (.docno, marked by the
// generator in bodies and by the theme in metadata) is split across lines:
// an inline box broken over two lines has two client rectangles. It
// returns how many it saw.
func (tb *tab) docNosWhole(where string) int {
	tb.t.Helper()
	var r struct {
		N     int
		Split []string
	}
	tb.eval(&r, `() => {
		const seen = [...document.querySelectorAll(".docno")].filter(e => e.getClientRects().length > 0);
		return {n: seen.length, split: seen.filter(e => e.getClientRects().length > 1).map(e => e.textContent)};
	}`)
	for _, s := range r.Split {
		tb.t.Errorf("%s at %d px: document number %q is split across lines", where, tb.width, s)
	}
	return r.N
}

// TestPolicyLayout checks the policy page's official layout: the title is
// centred; the metadata is a bordered table whose labels line up; the
// body's document numbers are marked; the 落款 is flush right; and on a
// wide screen the interpretations sit beside the text, on a phone above
// it.
func TestPolicyLayout(t *testing.T) {
	browser(t)
	p := policyWithInterpretation(t)
	for _, w := range []int{1280, 360} {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			tb := openTab(t, tabOptions{width: w})
			tb.open(p, 200)
			var r struct {
				TitleAlign  string
				MetaBorder  string
				LabelLefts  []float64
				ValueLefts  []float64
				SideLeft    float64
				SideTop     float64
				BodyTop     float64
				BodyRight   float64
				MainRight   float64
				Signatures  []string
				SignAligned bool
			}
			tb.eval(&r, `() => {
				const q = s => document.querySelector(s), rect = el => el.getBoundingClientRect();
				const rows = [...document.querySelectorAll("main .meta-table th")];
				const side = q("main .doc-side"), body = q("main .body"), main = q("main");
				const sig = [...document.querySelectorAll("main .body p.signature")];
				return {
					titleAlign: getComputedStyle(q("main h1")).textAlign,
					metaBorder: getComputedStyle(q("main .meta-table td")).borderLeftStyle + " " + getComputedStyle(q("main .meta-table td")).borderBottomStyle,
					labelLefts: rows.filter(th => th.cellIndex === 0).map(th => Math.round(rect(th).left)),
					valueLefts: rows.filter(th => th.cellIndex === 0).map(th => Math.round(rect(th.nextElementSibling).left)),
					sideLeft: side ? rect(side).left : -1, sideTop: side ? rect(side).top : -1,
					bodyTop: rect(body).top, bodyRight: rect(body).right, mainRight: rect(main).right,
					signatures: sig.map(p => p.textContent),
					signAligned: sig.every(p => getComputedStyle(p).textAlign === "right"),
				};
			}`)
			if r.TitleAlign != "center" {
				t.Errorf("%s: title text-align %s, want center", p, r.TitleAlign)
			}
			if !strings.Contains(r.MetaBorder, "solid") {
				t.Errorf("%s: metadata cells have border %q, want a bordered table", p, r.MetaBorder)
			}
			if len(r.LabelLefts) < 6 {
				t.Fatalf("%s: %d metadata rows, want the full table", p, len(r.LabelLefts))
			}
			for i := range r.LabelLefts {
				if r.LabelLefts[i] != r.LabelLefts[0] || r.ValueLefts[i] != r.ValueLefts[0] {
					t.Errorf("%s: metadata row %d starts its label at %gpx and value at %gpx, row 1 at %gpx and %gpx: want them aligned",
						p, i+1, r.LabelLefts[i], r.ValueLefts[i], r.LabelLefts[0], r.ValueLefts[0])
				}
			}
			switch {
			case r.SideLeft < 0:
				t.Errorf("%s: no .doc-side with the interpretations", p)
			case w >= 1024 && (r.SideLeft < r.BodyRight || r.SideTop > r.BodyTop):
				t.Errorf("%s at %d px: interpretations at left %g top %g, want beside the text (text ends at %g, starts at top %g)", p, w, r.SideLeft, r.SideTop, r.BodyRight, r.BodyTop)
			case w < 1024 && r.SideTop > r.BodyTop:
				t.Errorf("%s at %d px: interpretations below the text, want them above it", p, w)
			}
			if w >= 1024 && r.MainRight-r.BodyRight > 0.4*r.MainRight {
				t.Errorf("%s at %d px: the right %g px of the page are empty", p, w, r.MainRight-r.BodyRight)
			}
			if len(r.Signatures) == 0 || !r.SignAligned {
				t.Errorf("%s: 落款 %q (flush right: %v), want the issuing agency and date flush right", p, r.Signatures, r.SignAligned)
			}
			tb.check(p)
		})
	}
}

// TestPhoneMenu: on a phone the column links fold into a <details> menu of
// one line that opens from the keyboard without JavaScript; on a desktop
// they show as one bar and the menu is not there.
func TestPhoneMenu(t *testing.T) {
	browser(t)
	n := len(content(t).Site.Nav)
	type state struct {
		BarShown, MenuShown bool
		MenuHeight          float64
		Visible             int // nav links with a box
		LineHeight          float64
		Rows                int // distinct tops of the bar's links
	}
	const stateJS = `() => {
		const shown = el => !!el && getComputedStyle(el).display !== "none" && el.getClientRects().length > 0;
		const menu = document.querySelector("nav.nav-phone"), bar = document.querySelector("nav.site-nav");
		const links = [...document.querySelectorAll("nav.nav-phone a, nav.site-nav a")].filter(a => a.checkVisibility());
		return {barShown: shown(bar), menuShown: shown(menu), menuHeight: menu ? menu.getBoundingClientRect().height : 0,
			visible: links.length, lineHeight: bar && shown(bar) ? bar.getBoundingClientRect().height : 0,
			rows: new Set([...document.querySelectorAll("nav.site-nav a")].filter(a => a.checkVisibility()).map(a => Math.round(a.getBoundingClientRect().top))).size};
	}`
	t.Run("360", func(t *testing.T) {
		tb := openTab(t, tabOptions{width: 360, noJS: true})
		tb.open("/policy/", 200)
		var s state
		tb.eval(&s, stateJS)
		if s.BarShown || !s.MenuShown {
			t.Fatalf("at 360 px: column bar shown %v, menu shown %v; want the menu only", s.BarShown, s.MenuShown)
		}
		if s.MenuHeight > 56 || s.Visible != 0 {
			t.Errorf("at 360 px the closed menu is %g px tall with %d links showing; want one line, no links", s.MenuHeight, s.Visible)
		}
		tb.focusOn("nav.nav-phone summary")
		tb.checkFocusVisible(tb.focus(), "menu")
		tb.press(input.Enter)
		tb.eval(&s, stateJS)
		if s.Visible != n {
			t.Errorf("at 360 px the opened menu shows %d links, want all %d columns", s.Visible, n)
		}
		var current string
		tb.eval(&current, `() => (document.querySelector("nav.nav-phone a[aria-current=page]") || {}).textContent || ""`)
		if current == "" {
			t.Errorf("the opened menu marks no column as the current one on /policy/")
		}
		tb.check("menu")
	})
	t.Run("1280", func(t *testing.T) {
		tb := openTab(t, tabOptions{width: 1280})
		tb.open("/policy/", 200)
		var s state
		tb.eval(&s, stateJS)
		if !s.BarShown || s.MenuShown || s.Visible != n {
			t.Errorf("at 1280 px: bar shown %v, menu shown %v, %d of %d links showing; want the bar with every column", s.BarShown, s.MenuShown, s.Visible, n)
		}
		// The sample's 15 columns (the directory, agencies and decisions
		// joined the bar) fit one row at 1280 px: a second row would push
		// every page down.
		if s.Rows != 1 || s.LineHeight > 60 {
			t.Errorf("at 1280 px the column bar has %d rows and is %g px tall, want one row", s.Rows, s.LineHeight)
		}
		tb.check("bar")
	})
}

// headingsJS lists what is wrong with the page's heading structure: not
// exactly one h1, a level skipped on the way down (h2 to h4), or an empty
// heading (nothing between it and the next heading of the same or a
// higher level). Headings that are not displayed are left out.
const headingsJS = `() => {
	const hs = [...document.querySelectorAll("h1, h2, h3, h4, h5, h6")].filter(h => h.getClientRects().length > 0);
	const level = h => +h.tagName[1], text = h => h.textContent.trim().replace(/\s+/g, " ").slice(0, 24), bad = [];
	const h1 = hs.filter(h => level(h) === 1).length;
	if (h1 !== 1) bad.push(h1 + " h1 headings, want 1");
	hs.forEach((h, i) => {
		if (i > 0 && level(h) > level(hs[i - 1]) + 1) bad.push("h" + level(h) + " “" + text(h) + "” follows h" + level(hs[i - 1]) + " “" + text(hs[i - 1]) + "”: a level skipped");
		const next = hs[i + 1];
		if (next && level(next) <= level(h)) {
			const r = document.createRange();
			r.setStartAfter(h);
			r.setEndBefore(next);
			const between = r.cloneContents();
			if (!r.toString().trim() && !between.querySelector("img, svg, table, input, a, button"))
				bad.push("h" + level(h) + " “" + text(h) + "” heads nothing: the next heading, h" + level(next) + " “" + text(next) + "”, follows at once");
		}
	});
	return bad;
}`

// headings fails on every problem headingsJS finds.
func (tb *tab) headings(where string) {
	tb.t.Helper()
	var bad []string
	tb.eval(&bad, headingsJS)
	for _, b := range bad {
		tb.t.Errorf("%s: headings: %s", where, b)
	}
}

// TestOneFontForChineseAndDigits asks Chromium which platform fonts it drew
// a paragraph of a policy's text with: a sentence that mixes Chinese and
// digits (到2024年底) is drawn with one CJK font, so figures do not stand
// out in another typeface. The CSS font stack starts with the CJK fonts.
func TestOneFontForChineseAndDigits(t *testing.T) {
	browser(t)
	tb := openTab(t, tabOptions{width: 1280})
	p := policyWithInterpretation(t)
	tb.open(p, 200)
	var found bool
	tb.eval(&found, `() => {
		const p = [...document.querySelectorAll("main .body p")].find(p =>
			[...p.childNodes].some(n => n.nodeType === 3 && /\d/.test(n.data) && /[\u4e00-\u9fff]/.test(n.data)));
		if (p) p.id = "font-probe";
		return !!p;
	}`)
	if !found {
		t.Fatalf("%s: no paragraph mixes Chinese and digits", p)
	}
	el := tb.element("#font-probe")
	pg := tb.page.Timeout(stepTimeout)
	if _, err := (proto.DOMGetDocument{}).Call(pg); err != nil {
		t.Fatalf("DOM.getDocument: %v", err)
	}
	if err := (proto.CSSEnable{}).Call(pg); err != nil {
		t.Fatalf("CSS.enable: %v", err)
	}
	node, err := proto.DOMRequestNode{ObjectID: el.Object.ObjectID}.Call(pg)
	if err != nil {
		t.Fatalf("DOM.requestNode: %v", err)
	}
	fonts, err := proto.CSSGetPlatformFontsForNode{NodeID: node.NodeID}.Call(pg)
	if err != nil {
		t.Fatalf("CSS.getPlatformFontsForNode: %v", err)
	}
	var used []string
	families := map[string]bool{}
	for _, f := range fonts.Fonts {
		used = append(used, fmt.Sprintf("%s/%s (%d glyphs)", f.FamilyName, f.PostScriptName, int(f.GlyphCount)))
		families[f.FamilyName] = true
	}
	if len(families) != 1 || !strings.Contains(fonts.Fonts[0].FamilyName, "CJK") {
		t.Errorf("%s: a paragraph of Chinese and digits is drawn with %v; want one CJK font", p, used)
	}
	t.Logf("%s: paragraph drawn with %v", p, used)
	var stack string
	tb.eval(&stack, `() => getComputedStyle(document.body).fontFamily`)
	if !strings.HasPrefix(stack, `"Noto Sans CJK SC"`) {
		t.Errorf("body font stack %s, want it to start with the CJK fonts", stack)
	}
	tb.check(p)
}
