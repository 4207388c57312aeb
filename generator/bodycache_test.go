package generator

import (
	"context"
	"crypto/sha256"
	"errors"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
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
	type build = incrBuild
	run := func(fsys fstest.MapFS, prev *build) build {
		t.Helper()
		return renderIncr(t, svcLoad(t, fsys, date), th, nil, prev)
	}
	text := func(b build, path string) (string, bool) {
		for i, r := range b.c.Published {
			if r.Path == path {
				return b.res.Texts[i], true
			}
		}
		return "", false
	}
	// tamper marks every cached text and HTML, so that a text or HTML
	// taken from the cache shows in the next build's search text or feeds.
	tamper := func(b build) {
		t.Helper()
		m := readBodyPacks(t, b.state)
		for p, e := range m {
			e.Text = marker + e.Text
			if e.HasHTML {
				e.HTML = "<p>" + marker + "</p>" + e.HTML
			}
			m[p] = e
		}
		writeBodyPacks(t, b.state, m)
	}

	base := siteFS(t, "site.txtar")
	first := run(base, nil)
	if first.res.Incremental.BodyTexts != 0 {
		t.Fatalf("a first build took %d body texts from a cache", first.res.Incremental.BodyTexts)
	}
	bodies := readBodyPacks(t, first.state)
	if len(bodies) != len(first.c.Published) {
		t.Fatalf("the manifest holds %d body texts for %d published records", len(bodies), len(first.c.Published))
	}
	// Every body text goes to the search with its SHA-256, which the
	// cache keeps; a page's text (Record.SearchText) goes without.
	checkSums := func(b build, text func(string) string) {
		t.Helper()
		for i, r := range b.c.Published {
			sum := b.res.TextSums[i]
			switch {
			case r.SearchText() != "" && sum != [32]byte{}:
				t.Errorf("%s: a page's search text with a body's sum", r.Path)
			case r.SearchText() == "" && sum != sha256.Sum256([]byte(text(b.res.Texts[i]))):
				t.Errorf("%s: text sum %x is not the text's", r.Path, sum)
			case r.SearchText() == "" && sum != bodies[r.Path].TextSum:
				t.Errorf("%s: text sum %x, the cache keeps %x", r.Path, sum, bodies[r.Path].TextSum)
			}
		}
	}
	for i, r := range first.c.Published {
		if e := bodies[r.Path]; r.SearchText() == "" && e.Text != first.res.Texts[i] {
			t.Fatalf("%s: manifest body text %q, search text %q", r.Path, e.Text, first.res.Texts[i])
		}
	}
	checkSums(first, func(s string) string { return s })
	tamper(first)

	// Unchanged: the text of a body comes from the cache (a body no feed
	// shows is picked to edit below; TestBodyHTMLCache covers feeds).
	again := run(base, &first)
	rec, hits := "", 0
	for i, s := range again.res.Texts {
		if strings.HasPrefix(s, marker) {
			hits++
			if r := again.c.Published[i]; rec == "" && r.SearchText() == "" && !bodies[r.Path].HasHTML {
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
	// The sums come from the cache with the (here marked) texts.
	checkSums(again, func(s string) string { return strings.TrimPrefix(s, marker) })
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
	// nor kept, and nothing of it reaches an output. (The other records'
	// unchanged bodies still come from the cache: the front matter edit
	// renders every page, their HTML included.)
	const gone = "WITHHELD-BODY-MARKER"
	m := readBodyPacks(t, first.state)
	e := m[rec]
	e.Text, e.HTML, e.HasHTML = gone+e.Text, "<p>"+gone+"</p>", true
	m[rec] = e
	writeBodyPacks(t, first.state, m)
	withheld := run(edit("disclosure: 主动公开", "disclosure: 依申请公开"), &first)
	if _, ok := text(withheld, rec); ok {
		t.Fatalf("%s is still published", rec)
	}
	if _, ok := readBodyPacks(t, withheld.state)[rec]; ok {
		t.Errorf("the manifest keeps the body text of the withheld %s", rec)
	}
	n := 0
	for _, s := range withheld.res.Texts {
		if strings.Contains(s, gone) {
			t.Errorf("withheld build: the withheld record's cached text reached the search: %q", s)
		}
		if strings.Contains(s, marker) {
			n++
		}
	}
	if n != withheld.res.Incremental.BodyTexts {
		t.Errorf("withheld build: %d texts from the cache, stats say %d", n, withheld.res.Incremental.BodyTexts)
	}
	for _, dir := range []string{withheld.out, withheld.state} {
		if p := findMarker(t, dir, gone); p != "" {
			t.Errorf("withheld build: %s holds the withheld record's cached body", p)
		}
	}

	// What the conversion depends on is in the entry's sum.
	r := first.c.Published[0]
	c0 := newBodyCache("", nil, false, "/")
	for name, c := range map[string]*bodyCache{
		"base path":   newBodyCache("", nil, false, "/sub/"),
		"unsafe HTML": newBodyCache("", nil, true, "/"),
		"salt":        newBodyCache("", []byte("another program"), false, "/"),
	} {
		if c.sum(r) == c0.sum(r) {
			t.Errorf("%s: the body sum does not change", name)
		}
	}
	pk := &c0.packs.packs[packBucket(r.Path)]
	pk.once.Do(func() { pk.entries = map[string]bodyEntry{r.Path: {Sum: c0.sum(r), Text: "x"}} })
	// Another record at the same path (the body sum looks only at the
	// path, the body and the cache's settings).
	other := &Record{Path: r.Path, Body: append([]byte("changed "), r.Body...)}
	if _, ok := c0.lookup(other, c0.sum(other)); ok {
		t.Error("a changed body found the old entry")
	}
	if _, ok := c0.lookup(r, c0.sum(r)); !ok {
		t.Error("an unchanged body did not find its entry")
	}
}

// readBodyPacks reads every body pack of the state folder dir.
func readBodyPacks(t *testing.T, dir string) map[string]bodyEntry {
	t.Helper()
	all := map[string]bodyEntry{}
	for b := range packBuckets {
		if _, err := os.Stat(filepath.Join(dir, bodyPackDir, packName(b))); os.IsNotExist(err) {
			continue
		}
		maps.Copy(all, readBodyPacksBucket(t, dir, b))
	}
	return all
}

// writeBodyPacks replaces the body packs of the state folder dir with m's
// entries.
func writeBodyPacks(t *testing.T, dir string, m map[string]bodyEntry) {
	t.Helper()
	s := newBodyCache("", nil, false, "/").packs
	for p, e := range m {
		s.keep(p, e, false)
	}
	if err := s.write(dir, nil); err != nil {
		t.Fatal(err)
	}
}

// findMarker returns the first file under dir that holds marker, or "".
func findMarker(t *testing.T, dir, marker string) string {
	t.Helper()
	found := ""
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || found != "" {
			return err
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		if strings.Contains(string(data), marker) {
			found = p
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return found
}

// TestBodyHTMLCache checks that the HTML of a body a feed shows comes from
// the previous build's pack when the body is unchanged, never when it
// changed or its record is withheld, and that damaged state files cost
// work, never bytes: the output equals a full build's.
func TestBodyHTMLCache(t *testing.T) {
	const marker = "CACHED-HTML-MARKER"
	date := time.Date(2024, 12, 1, 0, 0, 0, 0, China)
	th := theme(t)
	type build = incrBuild
	run := func(fsys fstest.MapFS, prev *build) build {
		t.Helper()
		return renderIncr(t, svcLoad(t, fsys, date), th, nil, prev)
	}
	base := siteFS(t, "site.txtar")
	edit := func(p, old, new string) fstest.MapFS { return editedFS(t, base, p, old, new) }
	first := run(base, nil)
	packs := readBodyPacks(t, first.state)
	// A record a feed shows, which can be withheld without breaking the
	// build (no other record refers to it).
	rec := ""
	for _, p := range slices.Sorted(maps.Keys(packs)) {
		if !packs[p].HasHTML {
			continue
		}
		c, err := Load(context.Background(), edit(p, "disclosure: 主动公开", "disclosure: 依申请公开"), date)
		if err != nil {
			t.Fatal(err)
		}
		if c.Problems.Err() == nil {
			rec = p
			break
		}
	}
	if rec == "" {
		t.Fatal("no body HTML in the packs of a record that can be withheld")
	}
	if e, ok := packs["content/pages/contact.md"]; !ok || e.HasHTML {
		t.Errorf("a page no feed shows: entry %t, HTML kept %t; want only a feed's bodies to keep it", ok, e.HasHTML)
	}
	e := packs[rec]
	e.HTML = "<p>" + marker + "</p>" + e.HTML
	packs[rec] = e
	writeBodyPacks(t, first.state, packs)

	// An unchanged rebuild takes every feed file from the previous
	// build. When another body of the same feeds changes, the feeds are
	// generated again, with rec's unchanged body's HTML from the cache.
	again := run(base, &first)
	if n, want := again.res.Incremental.Feeds, countFeedFiles(t, first.out); n != want || n == 0 {
		t.Errorf("unchanged rebuild: %d feed files reused, want all %d", n, want)
	}
	other := ""
	for _, p := range slices.Sorted(maps.Keys(packs)) {
		if p != rec && packs[p].HasHTML && strings.HasPrefix(p, "content/policies/") == strings.HasPrefix(rec, "content/policies/") {
			other = p
			break
		}
	}
	if other == "" {
		t.Fatalf("no other body shown in %s's feeds", rec)
	}
	again = run(edit(other, "\n---\n", "\n---\n\n新增的一段。\n\n"), &first)
	if p := findMarker(t, again.out, marker); !strings.Contains(p, "feeds") {
		t.Fatalf("rebuild after an edit of %s: the cached HTML of %s is not in a feed (found in %q)", other, rec, p)
	}
	if again.res.Incremental.BodyHTML == 0 {
		t.Error("rebuild: no body HTML from the cache, says the summary")
	}
	for name, fsys := range map[string]fstest.MapFS{
		"edited body": edit(rec, "\n---\n", "\n---\n\n新增的一段。\n\n"),
		"withheld":    edit(rec, "disclosure: 主动公开", "disclosure: 依申请公开"),
	} {
		b := run(fsys, &first)
		for _, dir := range []string{b.out, b.state} {
			if p := findMarker(t, dir, marker); p != "" {
				t.Errorf("%s: %s holds the cached HTML", name, p)
			}
		}
	}

	// Damaged state: a flipped byte in a pack, a truncated manifest.
	// The build does the work again and writes the same bytes as a build
	// from scratch.
	clean := run(base, nil)
	for name, damage := range map[string]func(state string){
		"pack": func(state string) {
			p := filepath.Join(state, bodyPackDir, packName(packBucket(rec)))
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			data[len(data)/2] ^= 0x20
			if err := os.WriteFile(p, data, 0o644); err != nil {
				t.Fatal(err)
			}
		},
		"manifest": func(state string) {
			p := filepath.Join(state, incrementalFile)
			data, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(p, data[:len(data)-1], 0o644); err != nil {
				t.Fatal(err)
			}
		},
	} {
		prev := run(base, nil)
		damage(prev.state)
		b := run(base, &prev)
		if name == "pack" && b.res.Incremental.BodyTexts != len(clean.res.Texts)-len(readBodyPacksBucket(t, clean.state, packBucket(rec))) {
			t.Errorf("%s: %d body texts from the cache, want all but the damaged pack's", name, b.res.Incremental.BodyTexts)
		}
		if name == "manifest" && b.res.Incremental.Skipped != 0 {
			t.Errorf("%s: %d pages not rendered after the manifest was damaged", name, b.res.Incremental.Skipped)
		}
		if diff := diffTrees(t, clean.out, b.out); diff != "" {
			t.Errorf("%s damaged: the output differs from a build from scratch: %s", name, diff)
		}
		// recycle.gob names the generation a build compared against, which
		// a build from scratch has none of.
		for _, dir := range []string{clean.state, b.state} {
			if err := os.Remove(filepath.Join(dir, recycleFile)); err != nil && !errors.Is(err, fs.ErrNotExist) {
				t.Fatal(err)
			}
		}
		if diff := diffTrees(t, clean.state, b.state); diff != "" {
			t.Errorf("%s damaged: the state differs from a build from scratch: %s", name, diff)
		}
	}
}

// readBodyPacksBucket reads one body pack of the state folder dir.
func readBodyPacksBucket(t *testing.T, dir string, bucket int) map[string]bodyEntry {
	t.Helper()
	s := newBodyCache(dir, nil, false, "/").packs
	data, err := os.ReadFile(filepath.Join(s.prevDir, packName(bucket)))
	if err != nil {
		t.Fatal(err)
	}
	m, err := s.decode(data, bucket)
	if err != nil {
		t.Fatalf("body pack %d: %v", bucket, err)
	}
	return m
}

// diffTrees names the first file that differs between the folders a and
// b, or returns "".
func diffTrees(t *testing.T, a, b string) string {
	t.Helper()
	files := func(root string) map[string]string {
		m := map[string]string{}
		err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			data, err := os.ReadFile(p)
			rel, _ := filepath.Rel(root, p)
			m[rel] = string(data)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		return m
	}
	fa, fb := files(a), files(b)
	for _, p := range slices.Sorted(maps.Keys(fa)) {
		if y, ok := fb[p]; !ok || y != fa[p] {
			return p
		}
	}
	for p := range fb {
		if _, ok := fa[p]; !ok {
			return p
		}
	}
	return ""
}

// TestPacksLinked checks that an edit of one body writes only that
// record's packs: every other pack of the state folder is the previous
// build's file, hard-linked.
func TestPacksLinked(t *testing.T) {
	date := time.Date(2024, 12, 1, 0, 0, 0, 0, China)
	th := theme(t)
	ctx := context.Background()
	type build = incrBuild
	run := func(fsys fstest.MapFS, prev *build) build {
		t.Helper()
		prevState := ""
		if prev != nil {
			prevState = prev.state
		}
		c, err := LoadIncremental(ctx, fsys, date, nil, prevState, nil)
		if err != nil {
			t.Fatal(err)
		}
		return renderIncr(t, c, th, nil, prev)
	}
	base := siteFS(t, "site.txtar")
	first := run(base, nil)
	const rec = "content/pages/contact.md"
	m := maps.Clone(base)
	f := *base[rec]
	f.Data = append(slices.Clone(f.Data), "\n又一段。\n"...)
	m[rec] = &f
	next := run(m, &first)
	for _, dir := range []string{bodyPackDir, parsePackDir} {
		entries, err := os.ReadDir(filepath.Join(next.state, dir))
		if err != nil {
			t.Fatal(err)
		}
		linked := 0
		for _, e := range entries {
			a, aerr := os.Stat(filepath.Join(first.state, dir, e.Name()))
			b, berr := os.Stat(filepath.Join(next.state, dir, e.Name()))
			if aerr != nil || berr != nil {
				t.Fatalf("%s/%s: %v %v", dir, e.Name(), aerr, berr)
			}
			same := os.SameFile(a, b)
			if want := e.Name() != packName(packBucket(rec)); same != want {
				t.Errorf("%s/%s: linked %t, want %t", dir, e.Name(), same, want)
			}
			if same {
				linked++
			}
		}
		if linked < 2 {
			t.Errorf("%s: only %d packs linked of %d", dir, linked, len(entries))
		}
	}
}

// countFeedFiles counts the feed files (RSS, Atom, JSON) under the site
// folder dir.
func countFeedFiles(t *testing.T, dir string) int {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		for _, ff := range FeedFormats {
			if strings.HasSuffix(p, ff.Suffix) {
				n++
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// incrBuild is one incremental render of a test: its output and state
// folders, the content it rendered and its result.
type incrBuild struct {
	out, state string
	c          *Content
	res        *Result
}

// renderIncr renders c incrementally with salt into fresh folders, over
// prev's when prev is not nil.
func renderIncr(t *testing.T, c *Content, th *Theme, salt []byte, prev *incrBuild) incrBuild {
	t.Helper()
	b := incrBuild{out: t.TempDir(), state: t.TempDir(), c: c}
	opts := Options{Out: b.out, State: b.state, Theme: th, CollectText: true, Incremental: &Incremental{Salt: salt}}
	if prev != nil {
		opts.PreviousOut, opts.Incremental.Previous = prev.out, prev.state
	}
	var err error
	if b.res, err = Render(context.Background(), c, opts); err != nil {
		t.Fatal(err)
	}
	return b
}

// TestBodyPackForgets checks that the body cache lets go of each previous
// entry once its record's body is filled, so that the previous build's
// texts are not held beside the new ones to the end of the render (after
// a program change every entry is stale), and that the packs of entries
// kept unchanged are still linked.
func TestBodyPackForgets(t *testing.T) {
	date := time.Date(2024, 12, 1, 0, 0, 0, 0, China)
	ctx := context.Background()
	base := siteFS(t, "site.txtar")
	c, err := LoadIncremental(ctx, base, date, nil, "", nil)
	if err != nil {
		t.Fatal(err)
	}
	first := renderIncr(t, c, theme(t), nil, nil)
	for _, salt := range []string{"", "another program"} {
		c, err := LoadIncremental(ctx, base, date, nil, "", nil)
		if err != nil {
			t.Fatal(err)
		}
		cache := newBodyCache(first.state, []byte(salt), c.Site.UnsafeHTML, c.Site.BasePath())
		b := newBodies(newMarkdown(c.Site.UnsafeHTML, c.Site.BasePath()), c.Published, nil, nil, nil)
		b.cache = cache
		read := 0
		for _, r := range c.Published {
			if _, ok := cache.packs.prev(r.Path); ok {
				read++
			}
			if err := b.skip(r); err != nil {
				t.Fatal(err)
			}
			if _, ok := cache.packs.prev(r.Path); ok {
				t.Errorf("salt %q: %s: the previous entry is still held once the body is filled", salt, r.Path)
			}
		}
		if read != len(c.Published) {
			t.Fatalf("salt %q: %d of %d previous entries found", salt, read, len(c.Published))
		}
		want := int64(len(c.Published))
		if salt != "" {
			want = 0
		}
		if got := cache.hits.Load(); got != want {
			t.Errorf("salt %q: %d bodies from the cache, want %d", salt, got, want)
		}
		dir := t.TempDir()
		if err := cache.write(dir); err != nil {
			t.Fatal(err)
		}
		entries, err := os.ReadDir(filepath.Join(dir, bodyPackDir))
		if err != nil || len(entries) == 0 {
			t.Fatalf("salt %q: no packs written: %v", salt, err)
		}
		linked := 0
		for _, e := range entries {
			a, aerr := os.Stat(filepath.Join(first.state, bodyPackDir, e.Name()))
			n, nerr := os.Stat(filepath.Join(dir, bodyPackDir, e.Name()))
			if aerr != nil || nerr != nil {
				t.Fatalf("%s: %v %v", e.Name(), aerr, nerr)
			}
			// Without a feed (none is rendered here) a body's HTML is not
			// kept, so a pack that held some is written anew.
			bucket, _ := packBucketOf(e.Name())
			want := salt == ""
			for _, pe := range readBodyPacksBucket(t, first.state, bucket) {
				want = want && !pe.HasHTML
			}
			if same := os.SameFile(a, n); same != want {
				t.Errorf("salt %q: pack %s linked %t, want %t", salt, e.Name(), same, want)
			}
			if want {
				linked++
			}
		}
		if salt == "" && linked == 0 {
			t.Error("no pack linked: the test shows nothing")
		}
	}
}
