package browsertest

import (
	"fmt"
	"strings"
	"testing"

	"github.com/go-rod/rod/lib/input"
)

// TestFilters: the catalogue and a category of the directory are filtered
// with JavaScript off, from the keyboard: a filter's <details> opens with
// Enter, its links take the reader to the filtered list, which names its
// filter as current, keeps that filter open and lists only what the link
// counted.
func TestFilters(t *testing.T) {
	browser(t)
	for _, c := range []struct {
		page   string
		facets int
	}{
		{"/catalogue/", 3},       // agency, category, year
		{"/directory/fagui/", 2}, // agency, year
	} {
		for _, w := range widths {
			t.Run(fmt.Sprintf("%s%d", strings.ReplaceAll(strings.Trim(c.page, "/"), "/", "."), w), func(t *testing.T) {
				tb := openTab(t, tabOptions{width: w, noJS: true})
				tb.open(c.page, 200)
				var s struct {
					Facets, Visible int
					Height          float64
				}
				const stateJS = `() => {
					const f = document.querySelector("main .filters");
					return {facets: f ? f.querySelectorAll("details.filter").length : 0,
						visible: f ? [...f.querySelectorAll("details a")].filter(a => a.checkVisibility()).length : 0,
						height: f ? f.getBoundingClientRect().height : 0};
				}`
				tb.eval(&s, stateJS)
				if s.Facets != c.facets || s.Visible != 0 {
					t.Fatalf("%s: %d filters with %d links showing, want %d closed filters", c.page, s.Facets, s.Visible, c.facets)
				}
				// Closed, the filters take a few lines, not a screen.
				if limit := map[int]float64{1280: 130, 360: 200}[w]; s.Height > limit {
					t.Errorf("%s at %d px: the closed filters are %g px tall, want at most %g", c.page, w, s.Height, limit)
				}
				tb.focusOn("main .filters details.filter summary")
				tb.checkFocusVisible(tb.focus(), "filter")
				tb.press(input.Enter)
				tb.eval(&s, stateJS)
				if s.Visible < 3 {
					t.Fatalf("%s: the opened filter shows %d links, want 全部 and its values", c.page, s.Visible)
				}
				var link struct {
					Title, Href string
					Count       int
				}
				tb.eval(&link, `() => {
					const li = document.querySelectorAll("main .filters details[open] li")[1];
					return {title: li.querySelector("a").textContent, href: li.querySelector("a").getAttribute("href"),
						count: +li.querySelector(".n").textContent};
				}`)
				tb.focusOn(`main .filters details[open] a[href="` + link.Href + `"]`)
				tb.checkFocusVisible(tb.focus(), "filter link")
				tb.waitNavigation("filter "+link.Title, func() { tb.press(input.Enter) })
				if got := tb.location(); got != link.Href {
					t.Fatalf("Enter on %s went to %s", link.Href, got)
				}
				var r struct {
					Current string
					Rows    int
					Total   string
				}
				tb.eval(&r, `() => ({
					current: (document.querySelector("main .filters details[open] a[aria-current=page]") || {}).textContent || "",
					rows: document.querySelectorAll("main table.catalogue tbody tr, main ul.items > li").length,
				})`)
				if r.Current != link.Title {
					t.Errorf("%s: the open filter marks %q as current, want %q", link.Href, r.Current, link.Title)
				}
				if r.Rows == 0 || r.Rows > link.Count {
					t.Errorf("%s: %d rows on the first page, the link counted %d", link.Href, r.Rows, link.Count)
				}
				tb.check(link.Href)
			})
		}
	}
}

// TestHomeCompact: the home page answers what a citizen looks for first
// without long lists: the search box and the four tasks (guide, apply,
// catalogue, subscribe) on the first screen of a phone, the newest items
// in one short list, every column and directory category one line each.
func TestHomeCompact(t *testing.T) {
	browser(t)
	for _, c := range []struct {
		width     int
		maxHeight float64 // the whole page
	}{{1280, 1800}, {360, 3400}} {
		t.Run(fmt.Sprint(c.width), func(t *testing.T) {
			tb := openTab(t, tabOptions{width: c.width})
			tb.open("/", 200)
			var r struct {
				Height, SearchBottom, TasksBottom float64
				Tasks, Latest, Columns            int
				LongestList                       int
			}
			tb.eval(&r, `() => {
				const q = s => document.querySelector(s), bottom = el => el ? el.getBoundingClientRect().bottom + scrollY : 1e9;
				return {
					height: document.documentElement.scrollHeight,
					searchBottom: bottom(q("form.search-box")), tasksBottom: bottom(q(".home-tasks")),
					tasks: document.querySelectorAll(".home-tasks a").length,
					latest: document.querySelectorAll(".home-latest li").length,
					columns: document.querySelectorAll(".home-columns li").length,
					longestList: Math.max(...[...document.querySelectorAll("main ul")].map(u => u.children.length)),
				};
			}`)
			if r.Tasks != 4 || r.Latest == 0 || r.Latest > 8 || r.Columns < 5 {
				t.Errorf("home: %d tasks, %d newest items, %d columns; want 4, 1–8 and every column", r.Tasks, r.Latest, r.Columns)
			}
			// The first screen of a small phone is about 640 px tall.
			if r.SearchBottom > 640 || r.TasksBottom > 640 {
				t.Errorf("at %d px the search box ends at %g px and the tasks at %g px, want both on the first screen (640 px)", c.width, r.SearchBottom, r.TasksBottom)
			}
			if r.Height > c.maxHeight || r.LongestList > 20 {
				t.Errorf("at %d px the home page is %g px tall with a list of %d items, want at most %g px and 20", c.width, r.Height, r.LongestList, c.maxHeight)
			}
			t.Logf("home at %d px: %g px tall, search ends at %g, tasks at %g", c.width, r.Height, r.SearchBottom, r.TasksBottom)
			tb.check("home")
		})
	}
}
