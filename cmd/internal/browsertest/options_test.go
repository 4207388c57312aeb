package browsertest

import (
	"fmt"
	"math"
	"regexp"
	"strconv"
	"testing"

	"github.com/go-rod/rod/lib/input"
)

// looks is what the reading options change.
type looks struct {
	RootFont  float64 // px
	TextFont  float64 // px of the first link in main
	Color, BG string  // body text and background colours
	Large     bool    // #opt-large checked
	Contrast  bool    // #opt-contrast checked
}

const looksJS = `() => {
	const root = getComputedStyle(document.documentElement), body = getComputedStyle(document.body);
	const text = document.querySelector("main a") || document.querySelector("main");
	return {
		rootFont: parseFloat(root.fontSize),
		textFont: parseFloat(getComputedStyle(text).fontSize),
		color: body.color,
		bg: body.backgroundColor,
		large: document.getElementById("opt-large").checked,
		contrast: document.getElementById("opt-contrast").checked,
	};
}`

func (tb *tab) looks() looks {
	tb.t.Helper()
	var l looks
	tb.eval(&l, looksJS)
	return l
}

// TestReadingOptions: the large-font box (ticked with the keyboard) grows
// the text, the high-contrast box (ticked with the mouse) changes the
// colours to a pair of at least 7:1 that still passes axe on every page
// shown, a phone still needs no sideways scrolling, and the choice survives
// a reload and a move to other pages (site.js keeps it in localStorage),
// as does turning both off.
func TestReadingOptions(t *testing.T) {
	browser(t)
	axe := axeSource(t)
	for _, w := range widths {
		t.Run(fmt.Sprint(w), func(t *testing.T) {
			tb := openTab(t, tabOptions{width: w})
			tb.open("/", 200)
			before := tb.looks()
			if before.Large || before.Contrast {
				t.Fatalf("a fresh browser starts with large font %v, high contrast %v; want both off", before.Large, before.Contrast)
			}

			// Large font from the keyboard: focus the box, press Space.
			tb.focusOn("#opt-large")
			tb.press(input.Space)
			// High contrast with the mouse.
			tb.click("#opt-contrast")
			on := tb.looks()
			if !on.Large || !on.Contrast {
				t.Fatalf("after Space and a click: large font %v, high contrast %v; want both on", on.Large, on.Contrast)
			}
			if on.RootFont < before.RootFont*1.1 || on.TextFont < before.TextFont*1.1 {
				t.Errorf("large font: root %gpx → %gpx, text %gpx → %gpx; want at least 10%% larger",
					before.RootFont, on.RootFont, before.TextFont, on.TextFont)
			}
			if on.Color == before.Color || on.BG == before.BG {
				t.Errorf("high contrast: colours %s on %s → %s on %s; want both changed", before.Color, before.BG, on.Color, on.BG)
			}
			if r := contrast(t, on.Color, on.BG); r < 7 {
				t.Errorf("high contrast: %s on %s has contrast %.1f:1, want at least 7:1 (WCAG AAA)", on.Color, on.BG, r)
			}
			tb.axe(axe).report(t, "/ in high contrast, large font")
			if w < 600 {
				tb.noSidewaysScroll("/ in large font")
			}

			if err := tb.page.Timeout(loadTimeout).Reload(); err != nil {
				t.Fatal(err)
			}
			if err := tb.page.Timeout(loadTimeout).WaitLoad(); err != nil {
				t.Fatal(err)
			}
			if got := tb.looks(); got != on {
				t.Errorf("after reload: %+v, want %+v", got, on)
			}

			// Other pages, with every validity banner and the status colours
			// of the lists, keep the options and pass axe in them.
			pages := []string{policyPage(t).URL, "/policy/"}
			for _, r := range policiesByStatus(t) {
				pages = append(pages, r.URL)
			}
			for _, p := range pages {
				tb.open(p, 200)
				if got := tb.looks(); !got.Large || !got.Contrast || got.RootFont != on.RootFont || got.BG != on.BG {
					t.Errorf("%s after choosing the options on /: %+v, want large font and high contrast", p, got)
				}
				tb.axe(axe).report(t, p+" in high contrast, large font")
				if w < 600 {
					tb.noSidewaysScroll(p + " in large font")
				}
			}

			// Turning both off sticks too.
			tb.click("#opt-large")
			tb.click("#opt-contrast")
			tb.open("/", 200)
			if got := tb.looks(); got != before {
				t.Errorf("after turning both off and reopening /: %+v, want %+v", got, before)
			}
			tb.check("reading options")
		})
	}
}

var rgbRE = regexp.MustCompile(`^rgba?\((\d+), (\d+), (\d+)(?:, ([\d.]+))?\)$`)

// contrast returns the WCAG contrast ratio of two opaque CSS colours.
func contrast(t testing.TB, a, b string) float64 {
	t.Helper()
	la, lb := luminance(t, a), luminance(t, b)
	if la < lb {
		la, lb = lb, la
	}
	return (la + 0.05) / (lb + 0.05)
}

func luminance(t testing.TB, c string) float64 {
	t.Helper()
	m := rgbRE.FindStringSubmatch(c)
	if m == nil || (m[4] != "" && m[4] != "1") {
		t.Fatalf("colour %q: want an opaque rgb()", c)
	}
	var l float64
	for i, w := range []float64{0.2126, 0.7152, 0.0722} {
		v, _ := strconv.Atoi(m[i+1])
		s := float64(v) / 255
		if s <= 0.04045 {
			s /= 12.92
		} else {
			s = math.Pow((s+0.055)/1.055, 2.4)
		}
		l += w * s
	}
	return l
}
