package generator

import (
	"context"
	"encoding/gob"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestBodyTextCache checks that an incremental build takes the search
// text of an unchanged body from the previous build's manifest instead of
// converting it again, and that a changed body, a changed conversion
// option, or a record that left the published set never gets its entry.
func TestBodyTextCache(t *testing.T) {
	const marker = "CACHED-BODY-MARKER "
	date := time.Date(2024, 12, 1, 0, 0, 0, 0, China)
	th := theme(t)
	type build struct {
		out, state string
		res        *Result
		c          *Content
	}
	run := func(fsys fstest.MapFS, prev *build) build {
		t.Helper()
		c, err := Load(context.Background(), fsys, date)
		if err != nil {
			t.Fatal(err)
		}
		b := build{out: t.TempDir(), state: t.TempDir(), c: c}
		opts := Options{Out: b.out, State: b.state, Theme: th, CollectText: true, Incremental: &Incremental{}}
		if prev != nil {
			opts.PreviousOut, opts.Incremental.Previous = prev.out, prev.state
		}
		if b.res, err = Render(context.Background(), c, opts); err != nil {
			t.Fatal(err)
		}
		return b
	}
	text := func(b build, path string) (string, bool) {
		for i, r := range b.c.Published {
			if r.Path == path {
				return b.res.Texts[i], true
			}
		}
		return "", false
	}
	manifest := func(b build) incrManifest {
		t.Helper()
		m := readIncrManifest(filepath.Join(b.state, incrementalFile))
		if m.Version != incrementalVersion {
			t.Fatalf("no manifest in %s", b.state)
		}
		return m
	}
	// tamper marks every cached text, so that a text taken from the cache
	// shows in the next build's search text.
	tamper := func(b build) {
		t.Helper()
		m := manifest(b)
		for p, e := range m.Bodies {
			e.Text = marker + e.Text
			m.Bodies[p] = e
		}
		f, err := os.Create(filepath.Join(b.state, incrementalFile))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		if err := gob.NewEncoder(f).Encode(m); err != nil {
			t.Fatal(err)
		}
	}

	base := siteFS(t, "site.txtar")
	first := run(base, nil)
	if first.res.Incremental.BodyTexts != 0 {
		t.Fatalf("a first build took %d body texts from a cache", first.res.Incremental.BodyTexts)
	}
	bodies := manifest(first).Bodies
	if len(bodies) != len(first.c.Published) {
		t.Fatalf("the manifest holds %d body texts for %d published records", len(bodies), len(first.c.Published))
	}
	for i, r := range first.c.Published {
		if e := bodies[r.Path]; r.SearchText() == "" && e.Text != first.res.Texts[i] {
			t.Fatalf("%s: manifest body text %q, search text %q", r.Path, e.Text, first.res.Texts[i])
		}
	}
	tamper(first)

	// Unchanged: the text of a body that only a linked page needs comes
	// from the cache (a body that a feed shows is rendered for it).
	again := run(base, &first)
	rec, hits := "", 0
	for i, s := range again.res.Texts {
		if strings.HasPrefix(s, marker) {
			hits++
			if r := again.c.Published[i]; rec == "" && r.SearchText() == "" {
				rec = r.Path
				if want, _ := text(first, rec); s != marker+want {
					t.Fatalf("%s: search text %q, want the cached %q", rec, s, marker+want)
				}
			}
		}
	}
	if rec == "" || hits != again.res.Incremental.BodyTexts {
		t.Fatalf("%d texts from the cache (a record's body: %q), stats say %d", hits, rec, again.res.Incremental.BodyTexts)
	}
	edit := func(old, new string) fstest.MapFS {
		t.Helper()
		m := fstest.MapFS{}
		for k, v := range base {
			m[k] = v
		}
		f := *base[rec]
		if old == "" {
			f.Data = append(append([]byte(nil), f.Data...), new...)
		} else if f.Data = []byte(strings.Replace(string(f.Data), old, new, 1)); string(f.Data) == string(base[rec].Data) {
			t.Fatalf("%s does not contain %q", rec, old)
		}
		m[rec] = &f
		return m
	}

	// A changed body is converted again.
	edited := run(edit("", "\n\n新增的一段。\n"), &first)
	if got, _ := text(edited, rec); strings.Contains(got, marker) || !strings.Contains(got, "新增的一段") {
		t.Fatalf("changed body: search text %q", got)
	}

	// A record that is no longer published: its entry is neither used
	// nor kept, and no text comes from the tampered cache.
	withheld := run(edit("disclosure: 主动公开", "disclosure: 依申请公开"), &first)
	if _, ok := text(withheld, rec); ok {
		t.Fatalf("%s is still published", rec)
	}
	if _, ok := manifest(withheld).Bodies[rec]; ok {
		t.Errorf("the manifest keeps the body text of the withheld %s", rec)
	}
	for _, s := range withheld.res.Texts {
		if strings.Contains(s, marker) {
			t.Errorf("withheld build: a search text came from the cache: %q", s)
		}
	}

	// What the conversion depends on is in the entry's sum.
	r := first.c.Published[0]
	c0 := newBodyCache(nil, false, "/")
	for name, c := range map[string]*bodyCache{
		"base path":   newBodyCache(nil, false, "/sub/"),
		"unsafe HTML": newBodyCache(nil, true, "/"),
	} {
		if c.sum(r) == c0.sum(r) {
			t.Errorf("%s: the body sum does not change", name)
		}
	}
	c0.prev = map[string]bodyEntry{r.Path: {Sum: c0.sum(r), Text: "x"}}
	other := *r
	other.Body = append([]byte("changed "), r.Body...)
	if _, ok := c0.lookup(&other, c0.sum(&other)); ok {
		t.Error("a changed body found the old entry")
	}
	if _, ok := c0.lookup(r, c0.sum(r)); !ok {
		t.Error("an unchanged body did not find its entry")
	}
}
