package generator

import (
	"context"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"
)

// TestParseCache checks that an incremental load takes the front matter
// of an unchanged file from the previous build's parse cache, never for a
// changed file or a record that is no longer published, that every check
// still sees every record (a cached record whose reference broke still
// errors, with the same message), and that a damaged pack only costs the
// parsing.
func TestParseCache(t *testing.T) {
	const marker = "CACHED-PARSE-MARKER"
	date := time.Date(2024, 12, 1, 0, 0, 0, 0, China)
	th := theme(t)
	ctx := context.Background()
	type build = incrBuild
	// load loads fsys both ways, which must find the same problems.
	load := func(fsys fstest.MapFS, prev *build) *Content {
		t.Helper()
		prevState := ""
		if prev != nil {
			prevState = prev.state
		}
		c, err := LoadIncremental(ctx, fsys, date, nil, prevState, []byte("salt"))
		if err != nil {
			t.Fatal(err)
		}
		plain, err := Load(ctx, fsys, date)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := problemText(c.Problems), problemText(plain.Problems); got != want {
			t.Fatalf("problems with the parse cache:\n%s\nwithout:\n%s", got, want)
		}
		return c
	}
	run := func(fsys fstest.MapFS, prev *build) build {
		t.Helper()
		return renderIncr(t, load(fsys, prev), th, []byte("salt"), prev)
	}
	base := siteFS(t, "site.txtar")
	edit := func(p, old, new string) fstest.MapFS { return editedFS(t, base, p, old, new) }
	const rec = "content/pages/contact.md"
	const title = "联系我们"

	first := run(base, nil)
	if first.res.Incremental.Parsed != 0 {
		t.Fatalf("a first build took %d parses from a cache", first.res.Incremental.Parsed)
	}
	// tamper plants the marker in the cached title of rec.
	tamper := func(state string) {
		t.Helper()
		s := newParseCache(state, []byte("salt")).packs
		data, err := os.ReadFile(filepath.Join(s.prevDir, packName(packBucket(rec))))
		if err != nil {
			t.Fatal(err)
		}
		m, err := s.decode(data, packBucket(rec))
		if err != nil {
			t.Fatal(err)
		}
		e, ok := m[rec]
		var kind *Kind
		for _, r := range first.c.Records {
			if r.Path == rec {
				kind = r.Kind
			}
		}
		entry := kind.New()
		if !ok || !decodeEntry(e.Entry, entry) || entry.Head().Title != title {
			t.Fatalf("no cached front matter of %s with its title: %q", rec, e.Entry)
		}
		entry.Head().Title = marker
		if e.Entry, ok = encodeEntry(entry); !ok {
			t.Fatal("the tampered entry was not encoded")
		}
		m[rec] = e
		for p, e := range m {
			s.keep(p, e, false)
		}
		paths := slices.Sorted(maps.Keys(m))
		if err := os.WriteFile(filepath.Join(s.prevDir, packName(packBucket(rec))), s.encode(packBucket(rec), paths), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	tamper(first.state)

	again := run(base, &first)
	if n, want := again.res.Incremental.Parsed, len(first.c.Published); n != want {
		t.Errorf("unchanged rebuild: %d front matters from the cache, want %d (every published record)", n, want)
	}
	for _, r := range again.c.Published {
		if r.Path == rec && r.H().Title != marker {
			t.Errorf("unchanged rebuild: %s has the title %q, not the cached one", rec, r.H().Title)
		}
	}

	for name, fsys := range map[string]fstest.MapFS{
		"edited":   edit(rec, "电话：", "电话号码："),
		"withheld": edit(rec, "disclosure: 主动公开", "disclosure: 依申请公开"),
	} {
		b := run(fsys, &first)
		if b.res.Incremental.Parsed == 0 {
			t.Errorf("%s: nothing came from the parse cache", name)
		}
		for _, dir := range []string{b.out, b.state} {
			if p := findMarker(t, dir, marker); p != "" {
				t.Errorf("%s: %s holds the cached front matter of the changed %s", name, p, rec)
			}
		}
	}

	// The policy b.md amends is withheld now: b.md is unchanged, its front
	// matter comes from the cache, and its reference still fails (load
	// compares the problems with a load without the cache).
	c := load(edit("content/policies/a.md", "disclosure: 主动公开", "disclosure: 依申请公开"), &first)
	if c.parses.hits.Load() == 0 {
		t.Fatal("no front matter came from the cache")
	}
	want := "content/policies/b.md:14: validity.amends[0]: refers to \"MB0000001/2024-00001\", which is not proactively disclosed"
	if !strings.Contains(problemText(c.Problems), want) {
		t.Errorf("problems:\n%s\nwant among them:\n%s", problemText(c.Problems), want)
	}

	// A damaged pack: its records are parsed again, the output is a
	// build's from scratch.
	clean := run(base, nil)
	prev := run(base, nil)
	p := filepath.Join(prev.state, parsePackDir, packName(packBucket(rec)))
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	data[len(data)/2] ^= 1
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
	b := run(base, &prev)
	if n := b.res.Incremental.Parsed; n >= len(clean.c.Published) || n == 0 {
		t.Errorf("damaged pack: %d front matters from the cache of %d records", n, len(clean.c.Published))
	}
	if diff := diffTrees(t, clean.out, b.out); diff != "" {
		t.Errorf("damaged pack: the output differs from a build from scratch: %s", diff)
	}
}

func problemText(ps Problems) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Error() + "\n")
	}
	return b.String()
}

// editedFS returns a copy of base in which the file p has its first old
// replaced by new; it fails the test when p does not contain old.
func editedFS(t *testing.T, base fstest.MapFS, p, old, new string) fstest.MapFS {
	t.Helper()
	m := maps.Clone(base)
	f := *base[p]
	f.Data = []byte(strings.Replace(string(f.Data), old, new, 1))
	if string(f.Data) == string(base[p].Data) {
		t.Fatalf("%s does not contain %q", p, old)
	}
	m[p] = &f
	return m
}

// TestParseEntryTextOK: an entry's TextOK survives its encoding both ways,
// so an entry stored for a body that is not UTF-8 text (validText false)
// never lets a later build skip checkText.
func TestParseEntryTextOK(t *testing.T) {
	for _, ok := range []bool{false, true} {
		w := &stateWriter{}
		in := parseEntry{Sum: [32]byte{1, 2}, Entry: []byte(`{"title":"x"}`), Lines: []byte{0}, TextOK: ok}
		encodeParseEntry(w, in)
		r := &stateReader{b: w.buf}
		out := decodeParseEntry(r)
		if err := r.done(); err != nil {
			t.Fatalf("TextOK %t: %v", ok, err)
		}
		if out.TextOK != ok || out.Sum != in.Sum || string(out.Entry) != string(in.Entry) {
			t.Errorf("TextOK %t: decoded %+v", ok, out)
		}
	}
	for body, want := range map[string]bool{"正文\n": true, "正文\x00\n": false, "\xff\xfe": false, "": true} {
		if validText([]byte(body)) != want {
			t.Errorf("validText(%q) = %t", body, !want)
		}
	}
}
