package generator

import (
	"context"
	"io/fs"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"testing/fstest"

	"gongkai/themes"
)

func TestCheckBasePath(t *testing.T) {
	for _, tc := range []struct {
		page string
		ok   bool
	}{
		{`<a href="/zfxxgk/policy/">x</a><img src="/zfxxgk/static/a.png">`, true},
		{`<a href="#main">x</a><a href="https://www.gov.cn/">g</a><a href="//cdn.example/x">c</a>`, true},
		{`<a href="/policy/">x</a>`, false},
		{`<form action="/search">`, false},
		{`<link rel="stylesheet" href='/static/x.css'>`, false},
		{`<p style="background:url(/static/x.png)">`, false},
		{`<p style="background:url('/zfxxgk/static/x.png')">`, true},
		{`<p>a ="/b" in text is escaped by templates, so it never appears raw</p>`, false},
	} {
		err := CheckBasePath([]byte(tc.page), "/zfxxgk/")
		if (err == nil) != tc.ok {
			t.Errorf("CheckBasePath(%q) = %v, want ok %v", tc.page, err, tc.ok)
		}
	}
	if err := CheckBasePath([]byte(`<a href="/policy/">`), "/"); err != nil {
		t.Errorf("at the root every site path is fine: %v", err)
	}
}

// TestTemplatesLinkThroughURL reads the default theme's templates: every
// href, src and action goes through url or asset (or is a fragment, a
// mailto: or data: URL), except the search results' URLs, which the search service
// makes ready to use.
func TestTemplatesLinkThroughURL(t *testing.T) {
	attr := regexp.MustCompile(`\b(href|src|action)="([^"]*)"`)
	err := fs.WalkDir(themes.Default(), "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(themes.Default(), p)
		if err != nil {
			return err
		}
		for _, m := range attr.FindAllStringSubmatch(string(b), -1) {
			v := m[2]
			switch {
			case strings.HasPrefix(v, "{{url "), strings.HasPrefix(v, "{{asset "), strings.HasPrefix(v, "#"), strings.HasPrefix(v, "mailto:"), strings.HasPrefix(v, "data:"):
			case filepath.Base(p) == "search-results.html" && strings.HasPrefix(v, "{{."):
			default:
				t.Errorf("%s: %s=%q does not go through {{url …}}", p, m[1], v)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestBuildFailsOnLinkOutsideBasePath overrides a template with a link
// that forgets url: a build under a base path fails and names the page.
func TestBuildFailsOnLinkOutsideBasePath(t *testing.T) {
	fsys := siteFS(t, "site.txtar")
	c, err := Load(context.Background(), fsys, buildDate)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Site.SetBaseURL("https://www.test.gov.cn/zfxxgk/"); err != nil {
		t.Fatal(err)
	}
	site := fstest.MapFS{"templates/404.html": {Data: []byte(`{{define "main"}}<a href="/catalogue/">目录</a>{{end}}{{template "layout" .}}`)}}
	th, err := LoadTheme(themes.Default(), site)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Render(context.Background(), c, Options{Out: t.TempDir(), Theme: th})
	if err == nil || !strings.Contains(err.Error(), "render /404.html") || !strings.Contains(err.Error(), `link "/catalogue/" does not start with the base path /zfxxgk/`) {
		t.Errorf("Render = %v, want the 404 page's stray link reported", err)
	}
	// The same theme at the root of the host builds.
	c2, _ := Load(context.Background(), fsys, buildDate)
	if _, err := Render(context.Background(), c2, Options{Out: t.TempDir(), Theme: th}); err != nil {
		t.Errorf("at the root: %v", err)
	}
}
