package generator

import (
	"context"
	"html/template"
	"io/fs"
	"maps"
	"slices"
	"testing"
	"testing/fstest"
	"time"

	"gongkai/themes"
)

// TestFingerprint checks what the incremental build's fingerprint covers:
// a change to a data file, site.yaml, an unreferenced file, the date or
// the salt changes it; a change to a record (its body, its front matter)
// or to an attachment does not, because those are in the keys of the
// pages that show them (TestPageKeys).
func TestFingerprint(t *testing.T) {
	date := time.Date(2024, 12, 1, 0, 0, 0, 0, China)
	base := siteFS(t, "site.txtar")
	fp := func(fsys fstest.MapFS, date time.Time, salt string) [32]byte {
		t.Helper()
		c := loadClean(t, fsys, date)
		g, err := c.fingerprint([]byte(salt), false)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	g0 := fp(base, date, "")
	if g := fp(base, date, ""); g != g0 {
		t.Fatal("two loads of the same content give different fingerprints")
	}
	for _, tc := range []struct {
		name string
		fsys fstest.MapFS
		date time.Time
		salt string
		same bool
	}{
		{"body", svcEdit(t, base, "content/policies/a.md", "第一条 为了测试", "第一条 为了再测试"), date, "", true},
		{"attachment bytes, same size", svcEdit(t, base, "content/attachments/form.csv", "甲,100", "乙,200"), date, "", true},
		{"title", svcEdit(t, base, "content/policies/a.md", "title: 测试市人民政府", "title: 测试市政府"), date, "", true},
		{"disclosure", svcEdit(t, base, "content/pages/contact.md", "disclosure: 主动公开", "disclosure: 依申请公开"), date, "", true},
		{"attachment size", svcEdit(t, base, "content/attachments/form.csv", "甲,100", "甲,1000"), date, "", true},
		{"calendar", svcEdit(t, base, "content/data/calendar.yaml", "20", "21"), date, "", false},
		{"site.yaml", svcEdit(t, base, "content/site.yaml", "base_url:", "# a comment\nbase_url:"), date, "", false},
		{"unreferenced file", svcEdit(t, base, "content/attachments/unreferenced.txt", "nobody", "no one"), date, "", false},
		{"date", base, date.AddDate(0, 0, 1), "", false},
		{"salt", base, date, "theme", false},
	} {
		if g := fp(tc.fsys, tc.date, tc.salt); (g == g0) != tc.same {
			t.Errorf("%s: fingerprint unchanged %v, want %v", tc.name, g == g0, tc.same)
		}
	}
	// The load does not enter a hidden folder; the fingerprint walks it
	// itself, as it walks the rest from the load's listing.
	hidden := maps.Clone(base)
	hidden["content/.notes/a.txt"] = &fstest.MapFile{Data: []byte("one")}
	h0 := fp(hidden, date, "")
	if h0 == g0 {
		t.Error("a file in a hidden folder: fingerprint unchanged")
	}
	hidden["content/.notes/a.txt"] = &fstest.MapFile{Data: []byte("two")}
	if fp(hidden, date, "") == h0 {
		t.Error("an edit in a hidden folder: fingerprint unchanged")
	}
}

// TestPageKeys checks which pages' keys an edit changes: a record's title
// changes its page's, the pages that list it or link it (its amending
// document, its interpretation, the lists, the catalogue's) and no other
// record's page; its body only its own page; an attachment's size the
// pages that reach its record; site.yaml every page.
func TestPageKeys(t *testing.T) {
	date := time.Date(2024, 12, 1, 0, 0, 0, 0, China)
	base := siteFS(t, "site.txtar")
	th, err := LoadTheme(themes.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	keys := func(fsys fstest.MapFS) map[string][32]byte { return pageKeysOf(t, th, fsys, date) }
	k0 := keys(base)
	if k := keys(base); !maps.Equal(k, k0) {
		t.Fatal("two loads of the same content give different keys")
	}
	changed := func(fsys fstest.MapFS) map[string]bool {
		out := map[string]bool{}
		for u, k := range keys(fsys) {
			if k0[u] != k {
				out[u] = true
			}
		}
		return out
	}
	pageA, pageB := "/policy/mb0000001-2024-00001.html", "/policy/mb0000002-2024-00001.html"
	interp, contact := "/interpretation/mb0000001-2024-00002.html", "/page/contact.html"

	title := changed(svcEdit(t, base, "content/policies/a.md", "title: 测试市人民政府", "title: 测试市政府"))
	for _, u := range []string{pageA, pageB, interp, "/policy/"} {
		if !title[u] {
			t.Errorf("title edit: the key of %s (which shows the title) did not change", u)
		}
	}
	if title[contact] {
		t.Errorf("title edit: the key of %s changed", contact)
	}
	if len(title) >= len(k0)/2 {
		t.Errorf("title edit: %d of %d pages' keys changed", len(title), len(k0))
	}
	t.Logf("title edit: %d of %d keys changed", len(title), len(k0))

	body := changed(svcEdit(t, base, "content/policies/a.md", "第一条 为了测试", "第一条 为了再测试"))
	if !body[pageA] || len(body) != 1 {
		t.Errorf("body edit changed %v, want only %s", slices.Sorted(maps.Keys(body)), pageA)
	}

	size := changed(svcEdit(t, base, "content/attachments/form.csv", "甲,100", "甲,1000"))
	if !size[pageA] || size[contact] {
		t.Errorf("attachment size: changed %v, want %s and not %s", slices.Sorted(maps.Keys(size)), pageA, contact)
	}

	site := changed(svcEdit(t, base, "content/site.yaml", "base_url:", "# a comment\nbase_url:"))
	if len(site) != len(k0) {
		t.Errorf("site.yaml edit changed %d of %d keys", len(site), len(k0))
	}
}

// pageKeysOf returns the key of every page of the site fsys as of date.
func pageKeysOf(t *testing.T, th *Theme, fsys fs.FS, date time.Time) map[string][32]byte {
	t.Helper()
	c := loadClean(t, fsys, date)
	b, err := newBuild(c, th, nil, false)
	if err != nil {
		t.Fatal(err)
	}
	outs := b.plan()
	inc := &incr{}
	if inc.global, err = c.fingerprint(nil, false); err != nil {
		t.Fatal(err)
	}
	ks := b.pageKeys(outs, inc)
	m := map[string][32]byte{}
	for i, o := range outs {
		if o.Page != nil {
			m[o.URL] = ks[i]
		}
	}
	return m
}

// TestChannelKeys checks that a complaint channel's title, which every
// page's footer shows, is in every page's key.
func TestChannelKeys(t *testing.T) {
	th, err := LoadTheme(themes.Default(), nil)
	if err != nil {
		t.Fatal(err)
	}
	base := siteFS(t, "services.txtar")
	k0 := pageKeysOf(t, th, base, svcDate)
	k1 := pageKeysOf(t, th, svcEdit(t, base, "content/channels/channel/hotline.md", "title: 12345政务服务便民热线", "title: 12345热线"), svcDate)
	var same []string
	for u, k := range k0 {
		if k1[u] == k {
			same = append(same, u)
		}
	}
	if len(same) > 0 {
		slices.Sort(same)
		t.Errorf("a channel's title edit left %d of %d keys unchanged: %v", len(same), len(k0), same)
	}
}

// loadClean loads fsys as of date; a load error or a content error fails t.
func loadClean(t testing.TB, fsys fs.FS, date time.Time) *Content {
	t.Helper()
	c, err := Load(context.Background(), fsys, date)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Problems.Err(); err != nil {
		t.Fatalf("content errors:\n%v", err)
	}
	return c
}

// TestViewUses checks what a template can reach through the View and the
// categories, as viewUses reads it from the template's names.
func TestViewUses(t *testing.T) {
	for _, tc := range []struct {
		src  string
		want viewDep
	}{
		{`{{.Title}} {{.Build.Date}} {{.Build.ApprovalFlow .Record}}`, 0},
		{`{{with .Build}}{{range .Channels}}{{.Title}}{{end}}{{end}}`, viewChannels},
		{`{{range .Build.ByKind "policy"}}{{.Title}}{{end}}`, viewAll},
		{`{{$b := .Build}}{{$b.Directory}}`, viewAll},
		{`{{range .Data.Sub}}{{len .Records}}{{end}}`, 0},
		{`{{range .Data.Category.Records}}{{.Title}}{{end}}`, catRecords},
		{`{{with .Data}}{{index .Own 0}}{{end}}`, catRecords},
		{`{{printf "%s" .Record.Body}}`, recBodies},
		{`{{define "x"}}{{.Build.ByKind "fee"}}{{end}}{{template "x" .}}`, viewAll},
	} {
		tpl, err := template.New("t").Parse(tc.src)
		if err != nil {
			t.Fatal(err)
		}
		if got := viewUses(tpl); got != tc.want {
			t.Errorf("%s: %b, want %b", tc.src, got, tc.want)
		}
	}
}
