package generator

import (
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"
)

// withEmblem returns the tiny site with identity.emblem set to name (line
// 6 of site.yaml) and the files in extra added.
func withEmblem(t *testing.T, name string, extra map[string]string) fstest.MapFS {
	t.Helper()
	fsys := siteFS(t, "site.txtar")
	site := string(fsys["content/site.yaml"].Data)
	if !strings.Contains(site, "\nidentity:\n") {
		t.Fatal("site.txtar has no identity block")
	}
	site = strings.Replace(site, "\nidentity:\n", "\nidentity:\n  emblem: "+name+"\n", 1)
	fsys["content/site.yaml"] = &fstest.MapFile{Data: []byte(site), Mode: 0o644}
	for p, data := range extra {
		fsys[p] = &fstest.MapFile{Data: []byte(data), Mode: 0o644}
	}
	return fsys
}

// TestEmblem: the emblem named in site.yaml is published from the site
// itself and shown before the site's name in the masthead of every page,
// as decoration (the name beside it is the link text).
func TestEmblem(t *testing.T) {
	out, _, _ := buildSite(t, withEmblem(t, "identity/emblem.svg",
		map[string]string{"content/identity/emblem.svg": `<svg xmlns="http://www.w3.org/2000/svg"><title>徽标</title></svg>`}))
	for _, page := range []string{"index.html", "policy/mb0000001-2024-00001.html", "404.html"} {
		img := readDoc(t, out, page).Find("header .brand img.emblem")
		src := img.AttrOr("src", "")
		if img.Length() != 1 || !regexp.MustCompile(`^/static/identity-[0-9a-f]{8}\.svg$`).MatchString(src) {
			t.Fatalf("%s: masthead emblem <img src=%q> (%d), want one published under /static/identity-*.svg", page, src, img.Length())
		}
		if alt, ok := img.Attr("alt"); !ok || alt != "" {
			t.Errorf("%s: emblem alt=%q, want empty (the site name beside it is the link text)", page, alt)
		}
		if b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(src))); err != nil || !strings.Contains(string(b), "徽标") {
			t.Errorf("%s: %s is not the emblem: %v", page, src, err)
		}
	}
	// Without an emblem, no image in the masthead.
	out, _, _ = buildSite(t, siteFS(t, "site.txtar"))
	if n := readDoc(t, out, "index.html").Find("header .brand img").Length(); n != 0 {
		t.Errorf("no emblem in site.yaml, but %d images in the masthead", n)
	}
}

// TestEmblemProblems: an emblem that is named but cannot be used is an
// error at its line of site.yaml, in preview builds too.
func TestEmblemProblems(t *testing.T) {
	for _, c := range []struct {
		name, emblem string
		extra        map[string]string
		want         string
	}{
		{"missing file", "identity/none.svg", nil, "content/site.yaml:6: identity.emblem: cannot read content/identity/none.svg"},
		{"outside content", "../secret.svg", nil, `content/site.yaml:6: identity.emblem: want a path under content/ such as identity/emblem.svg, got "../secret.svg"`},
		{"not an image", "identity/e.txt", map[string]string{"content/identity/e.txt": "x"}, `content/site.yaml:6: identity.emblem: want a PNG, JPEG, GIF, SVG or WebP image, got "identity/e.txt"`},
		{"empty", "identity/e.png", map[string]string{"content/identity/e.png": ""}, "content/site.yaml:6: identity.emblem: content/identity/e.png is empty"},
	} {
		t.Run(c.name, func(t *testing.T) {
			ct, err := Load(context.Background(), withEmblem(t, c.emblem, c.extra), buildDate)
			if err != nil {
				t.Fatal(err)
			}
			errs := ct.Problems.Errors()
			if len(errs) != 1 || !strings.HasPrefix(errs[0].Error(), c.want) {
				t.Errorf("problems %v, want one starting %q", errs, c.want)
			}
		})
	}
}
