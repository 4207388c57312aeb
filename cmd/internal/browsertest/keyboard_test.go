package browsertest

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/go-rod/rod/lib/input"
	"github.com/google/go-cmp/cmp"
)

// focusState describes the focused element.
type focusState struct {
	Desc     string  // tag, #id and href, e.g. a[href=/policy/] or input#q
	Index    int     // position among the page's tab stops in DOM order, -1 if none
	Outline  float64 // computed outline width in px
	Style    string  // computed outline style
	InMain   bool
	OnScreen bool // its box lies inside the viewport
}

// focusJS describes document.activeElement; window.__tabStops, when set,
// lists the page's tab stops in DOM order.
const focusJS = `() => {
	const el = document.activeElement;
	if (!el || el === document.body || el === document.documentElement) {
		return {desc: "body", index: -1, outline: 0, style: "none", inMain: false, onScreen: false};
	}
	const tag = el.tagName.toLowerCase();
	let desc = tag + (el.id ? "#" + el.id : "");
	if (tag === "a") desc += "[href=" + el.getAttribute("href") + "]";
	if (tag === "button") desc += "[type=" + el.type + "]";
	const cs = getComputedStyle(el), b = el.getBoundingClientRect();
	return {
		desc,
		index: (window.__tabStops || []).indexOf(el),
		outline: parseFloat(cs.outlineWidth) || 0,
		style: cs.outlineStyle,
		inMain: !!el.closest("main"),
		onScreen: b.width > 0 && b.height > 0 && b.left >= 0 && b.top >= 0 &&
			b.right <= innerWidth && b.bottom <= innerHeight,
	};
}`

// tabStopsJS stores the page's tab stops (focusable, visible, not taken out
// of the order) in DOM order in window.__tabStops and describes them.
const tabStopsJS = `() => {
	const sel = "a[href], area[href], button, input, select, textarea, summary, [tabindex], [contenteditable=true]";
	const stops = [...document.querySelectorAll(sel)].filter(el =>
		el.tabIndex >= 0 && !el.disabled && !(el.tagName === "INPUT" && el.type === "hidden") &&
		el.getClientRects().length > 0 && getComputedStyle(el).visibility !== "hidden" &&
		el.checkVisibility({contentVisibilityAuto: true})); // not in a closed <details>
	window.__tabStops = stops;
	return stops.map(el => {
		const tag = el.tagName.toLowerCase();
		return tag + (el.id ? "#" + el.id : "") + (tag === "a" ? "[href=" + el.getAttribute("href") + "]" : "");
	});
}`

func (tb *tab) focus() focusState {
	tb.t.Helper()
	var f focusState
	tb.eval(&f, focusJS)
	return f
}

// checkFocusVisible fails when the focused element shows no outline.
func (tb *tab) checkFocusVisible(f focusState, where string) {
	tb.t.Helper()
	if f.Outline <= 0 || f.Style == "none" {
		tb.t.Errorf("%s: focused %s has no visible focus outline (outline %gpx %s)", where, f.Desc, f.Outline, f.Style)
	}
}

// TestSkipLink: the first Tab focuses the skip link, which shows on screen;
// Enter moves focus to the main content, and the next Tab stays in it.
func TestSkipLink(t *testing.T) {
	browser(t)
	for _, w := range widths {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			tb := openTab(t, tabOptions{width: w})
			p := policyPage(t).URL
			tb.open(p, 200)
			tb.press(input.Tab)
			f := tb.focus()
			if f.Desc != "a[href=#main]" {
				t.Fatalf("%s: first Tab focuses %s, want the skip link a[href=#main]", p, f.Desc)
			}
			if !f.OnScreen {
				t.Errorf("%s: the focused skip link is off screen", p)
			}
			tb.checkFocusVisible(f, p)
			tb.press(input.Enter)
			if f := tb.focus(); f.Desc != "main#main" {
				t.Errorf("%s: Enter on the skip link focuses %s, want main#main", p, f.Desc)
			}
			if loc := tb.location(); !strings.HasSuffix(loc, "#main") {
				t.Errorf("%s: after the skip link the address is %s, want …#main", p, loc)
			}
			tb.press(input.Tab)
			if f := tb.focus(); !f.InMain {
				t.Errorf("%s: Tab after the skip link focuses %s, outside the main content", p, f.Desc)
			} else {
				tb.checkFocusVisible(f, p)
			}
			tb.check(p)
		})
	}
}

// TestTabOrder walks pages with Tab only: every tab stop is reached, in
// document order, each with a visible focus outline, and the header's
// controls come first in the order a reader expects.
func TestTabOrder(t *testing.T) {
	browser(t)
	c := content(t)
	start := []string{"a[href=#main]", "a[href=" + sitePath("/") + "]", "input#opt-large", "input#opt-contrast"}
	end := []string{"input#q", "button[type=submit]"}
	desktop := slices.Clone(start)
	for _, n := range c.Site.Nav {
		desktop = append(desktop, "a[href="+sitePath(n.URL)+"]")
	}
	desktop = append(desktop, end...)
	// On a phone the columns fold into a <details> menu: its summary is
	// one tab stop, and the links are reached once it is open.
	phone := slices.Concat(start, []string{"summary"}, end)

	pages := []string{"/", "/policy/", policyPage(t).URL, "/catalogue/"}
	for _, w := range widths {
		for _, p := range pages {
			name := strings.ReplaceAll(strings.Trim(p, "/"), "/", ".")
			if name == "" {
				name = "home"
			}
			header := desktop
			if w <= 640 {
				header = phone
			}
			t.Run(fmt.Sprintf("%s.%d", name, w), func(t *testing.T) {
				tb := openTab(t, tabOptions{width: w})
				tb.open(p, 200)
				var stops []string
				tb.eval(&stops, tabStopsJS)
				var got []string
				var skipped []string
				next := 0
				for step := 0; step < len(stops)+3; step++ {
					tb.press(input.Tab)
					f := tb.focus()
					if f.Desc == "body" || (step > 0 && f.Index == 0) {
						break // focus left the page or wrapped around
					}
					got = append(got, f.Desc)
					tb.checkFocusVisible(f, p)
					switch {
					case f.Index < 0:
						t.Errorf("%s: Tab %d focuses %s, which is not a visible tab stop", p, step+1, f.Desc)
					case f.Index < next:
						t.Errorf("%s: Tab %d goes back to %s (stop %d) after stop %d", p, step+1, f.Desc, f.Index, next-1)
					default:
						skipped = append(skipped, stops[next:f.Index]...)
						next = f.Index + 1
					}
				}
				skipped = append(skipped, stops[min(next, len(stops)):]...)
				if len(skipped) > 0 {
					t.Errorf("%s: Tab never reaches %s", p, strings.Join(skipped, ", "))
				}
				if len(got) < len(header) {
					t.Fatalf("%s: only %d tab stops: %v", p, len(got), got)
				}
				if diff := cmp.Diff(header, got[:len(header)]); diff != "" {
					t.Errorf("%s: header tab order (-want +got):\n%s", p, diff)
				}
				t.Logf("%s: %d tab stops reached in order", p, len(got))
				tb.check(p)
			})
		}
	}
}
