package generator

import (
	"context"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"testing"
	"testing/fstest"

	"gongkai/themes"
)

// TestSiteStylesheet: a site's theme/static/site.css is published
// fingerprinted and linked after the default stylesheet on every page, so a
// city restyles the portal (colours, masthead) without copying style.css;
// without one, pages link the default stylesheet only.
func TestSiteStylesheet(t *testing.T) {
	const css = ":root{--brand:#004080}"
	for _, c := range []struct {
		name string
		site fstest.MapFS
		want int // stylesheet links
	}{
		{"default", nil, 1},
		{"with site.css", fstest.MapFS{"static/site.css": {Data: []byte(css)}}, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			var site fs.FS // no site theme folder
			if c.site != nil {
				site = c.site
			}
			th, err := LoadTheme(themes.Default(), site)
			if err != nil {
				t.Fatal(err)
			}
			ct, err := Load(context.Background(), siteFS(t, "site.txtar"), buildDate)
			if err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(t.TempDir(), "public")
			if _, err := Render(context.Background(), ct, Options{Out: out, State: stateOf(out), Theme: th}); err != nil {
				t.Fatal(err)
			}
			for _, page := range []string{"index.html", "policy/mb0000001-2024-00001.html"} {
				links := readDoc(t, out, page).Find(`link[rel="stylesheet"]`)
				if links.Length() != c.want {
					t.Fatalf("%s: %d stylesheet links, want %d", page, links.Length(), c.want)
				}
				if !regexp.MustCompile(`^/static/style\.[0-9a-f]{8}\.css$`).MatchString(links.First().AttrOr("href", "")) {
					t.Errorf("%s: first stylesheet %q, want the default style.css", page, links.First().AttrOr("href", ""))
				}
				if c.want < 2 {
					continue
				}
				href := links.Last().AttrOr("href", "")
				if !regexp.MustCompile(`^/static/site\.[0-9a-f]{8}\.css$`).MatchString(href) {
					t.Fatalf("%s: second stylesheet %q, want the site's site.css", page, href)
				}
				if b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(href))); err != nil || string(b) != css {
					t.Errorf("%s: %s holds %q (%v), want the site's file", page, href, b, err)
				}
			}
		})
	}
}
