package generator

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// bodies renders each published record's Markdown once per build, HTML and
// plain text in one parse, for every part of the build that shows it: the
// record's page, its feed entry and the search index. The HTML and text are
// kept only until their last planned consumer has taken them; the search
// index gets the text (and the headings) as the body is rendered.
type bodies struct {
	md    *markdown
	slots map[*Record]*bodySlot
	// texts and headings receive each record's plain text and headings,
	// by its index in Content.Published, when not nil.
	texts    []string
	headings [][]string
	index    map[*Record]int
	// cache, when not nil, holds the previous build's text and headings
	// of each published record's body (bodyCache).
	cache *bodyCache
}

// bodyCacheVersion changes whenever the conversion of a body to text,
// headings or HTML changes.
const bodyCacheVersion = 2

// bodyCache keeps, across incremental builds, the plain text and headings
// of each published record's body, and the HTML of the bodies a feed
// shows, so that a page that is not rendered again (its key matched) does
// not convert its unchanged body for the search index or its feed entries.
// An entry is found by the record's path and used only when its Sum, which
// hashes the body with everything the conversion depends on, matches: the
// conversion of a body depends on its own bytes, the Markdown options and
// the program only (links are not resolved against other records).
// Only published records look entries up or record them, so the entry of
// a record that left the published set is neither used nor kept.
//
// The entries live in the state folder in bodyBuckets pack files
// (bodyPackDir), a record's pack chosen by its path. A pack is read when
// the build first looks up one of its records, and a pack whose entries
// all came unchanged from the previous build's is hard-linked from it
// instead of written: an edit of one body writes one small pack.
type bodyCache struct {
	salt string // the options the conversion depends on
	// prevDir is the previous build's pack folder; empty for none.
	prevDir string
	packs   [bodyBuckets]prevPack
	mu      sync.Mutex
	next    map[string]bodyEntry
	hits    atomic.Int64
	html    atomic.Int64
}

// prevPack is one of the previous build's packs, read on first use.
type prevPack struct {
	once    sync.Once
	entries map[string]bodyEntry // nil: none, or the pack is unusable
}

// bodyEntry is one record's body text in a body pack.
type bodyEntry struct {
	Sum      [32]byte
	Text     string
	Headings []string
	// HTML is the body's HTML, kept for a body that a feed shows.
	HTML    string
	HasHTML bool

	reused bool // this build's entry is the previous pack's, unchanged
}

const (
	bodyPackDir   = "bodies"
	bodyBuckets   = 256
	bodyPackMagic = "gongkai body pack 2\n"
)

// bodyBucket returns the pack of the record at content path p.
func bodyBucket(p string) int {
	h := fnv.New32a()
	io.WriteString(h, p)
	return int(h.Sum32() % bodyBuckets)
}

func bodyPackName(bucket int) string { return fmt.Sprintf("%02x.bin", bucket) }

// newBodyCache returns the cache of a build whose previous state folder
// is prevState (empty for none). salt is the caller's (Incremental.Salt:
// the program among others), unsafe and base the Markdown options.
func newBodyCache(prevState string, salt []byte, unsafe bool, base string) *bodyCache {
	c := &bodyCache{next: map[string]bodyEntry{},
		salt: "gongkai body text " + strconv.Itoa(bodyCacheVersion) + " " + strconv.FormatBool(unsafe) + " " + base + " " + string(salt)}
	if prevState != "" {
		c.prevDir = filepath.Join(prevState, bodyPackDir)
	}
	return c
}

func (c *bodyCache) sum(r *Record) [32]byte {
	h := sha256.New()
	writeField(h, c.salt)
	writeField(h, string(r.Body))
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// pack returns the previous build's entries of bucket, reading its pack
// on first use.
func (c *bodyCache) pack(bucket int) map[string]bodyEntry {
	p := &c.packs[bucket]
	p.once.Do(func() {
		if c.prevDir == "" {
			return
		}
		data, err := os.ReadFile(filepath.Join(c.prevDir, bodyPackName(bucket)))
		if err != nil {
			return
		}
		if m, err := decodeBodyPack(data, bucket); err == nil {
			p.entries = m
		}
	})
	return p.entries
}

func (c *bodyCache) lookup(r *Record, sum [32]byte) (bodyEntry, bool) {
	e, ok := c.pack(bodyBucket(r.Path))[r.Path]
	return e, ok && e.Sum == sum
}

func (c *bodyCache) store(r *Record, e bodyEntry) {
	c.mu.Lock()
	c.next[r.Path] = e
	c.mu.Unlock()
}

// write writes this build's packs into the state folder dir: a pack whose
// entries are all the previous build's, unchanged, is linked from it.
func (c *bodyCache) write(dir string) error {
	buckets := make([][]string, bodyBuckets)
	for p := range c.next {
		b := bodyBucket(p)
		buckets[b] = append(buckets[b], p)
	}
	out := filepath.Join(dir, bodyPackDir)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("write body packs: %w", err)
	}
	for b, paths := range buckets {
		if len(paths) == 0 {
			continue
		}
		slices.Sort(paths)
		name := bodyPackName(b)
		if c.unchanged(b, paths) && linkFile(filepath.Join(c.prevDir, name), filepath.Join(out, name)) {
			continue
		}
		if err := replaceFile(filepath.Join(out, name), encodeBodyPack(b, paths, c.next)); err != nil {
			return err
		}
	}
	return nil
}

// unchanged reports whether the pack of bucket would hold exactly the
// previous build's entries.
func (c *bodyCache) unchanged(bucket int, paths []string) bool {
	prev := c.packs[bucket].entries // read: some entry of the bucket is reused
	if c.prevDir == "" || len(prev) != len(paths) {
		return false
	}
	for _, p := range paths {
		if !c.next[p].reused {
			return false
		}
	}
	return true
}

// A body pack: the bucket number and its entries sorted by path, each:
// path, sum, text, the headings, a flag and the HTML when flagged.
func encodeBodyPack(bucket int, paths []string, entries map[string]bodyEntry) []byte {
	size := 0
	for _, p := range paths {
		e := entries[p]
		size += len(p) + len(e.Text) + len(e.HTML) + 64
		for _, h := range e.Headings {
			size += len(h) + 2
		}
	}
	w := newStateWriter(bodyPackMagic, size)
	w.uint(uint64(bucket))
	w.uint(uint64(len(paths)))
	for _, p := range paths {
		e := entries[p]
		w.string(p)
		w.sum(e.Sum)
		w.string(e.Text)
		w.uint(uint64(len(e.Headings)))
		for _, h := range e.Headings {
			w.string(h)
		}
		if e.HasHTML {
			w.uint(1)
			w.string(e.HTML)
		} else {
			w.uint(0)
		}
	}
	return w.finish()
}

// decodeBodyPack decodes the pack of bucket; every entry it returns is
// marked reused.
func decodeBodyPack(data []byte, bucket int) (map[string]bodyEntry, error) {
	r := openState(data, bodyPackMagic)
	if r.uint() != uint64(bucket) {
		return nil, errState
	}
	n := r.count(36)
	m := make(map[string]bodyEntry, n)
	for range n {
		p := r.string()
		e := bodyEntry{Sum: r.sum(), Text: r.string(), reused: true}
		if k := r.count(1); k > 0 {
			e.Headings = make([]string, k)
			for i := range e.Headings {
				e.Headings[i] = r.string()
			}
		}
		switch r.uint() {
		case 0:
		case 1:
			e.HTML, e.HasHTML = r.string(), true
		default:
			r.err = errState
		}
		if r.err != nil {
			break
		}
		if bodyBucket(p) != bucket {
			return nil, errState
		}
		m[p] = e
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return m, nil
}

type bodySlot struct {
	once sync.Once
	html string
	text string
	err  error
	// textOnly: the slot was filled from the cache, without HTML.
	textOnly bool
	// shared: a consumer besides the page (a feed) needs the HTML, which
	// the cache then keeps.
	shared bool
	// users counts the consumers still to come; the last one drops the
	// HTML and text.
	users atomic.Int32
}

// newBodies prepares the rendering of published. Every record has one
// consumer, its page; need adds more. texts and headings, when not nil,
// have one element per published record.
func newBodies(md *markdown, published []*Record, texts []string, headings [][]string) *bodies {
	b := &bodies{md: md, slots: make(map[*Record]*bodySlot, len(published)), index: make(map[*Record]int, len(published)),
		texts: texts, headings: headings}
	for i, r := range published {
		s := &bodySlot{}
		s.users.Store(1)
		b.slots[r] = s
		b.index[r] = i
	}
	return b
}

// need registers one more consumer of r's body. It must be called before
// rendering starts.
func (b *bodies) need(r *Record) {
	if s := b.slots[r]; s != nil {
		s.users.Add(1)
		s.shared = true
	}
}

// get returns r's body as HTML and plain text, rendering it on first use
// (unless the cache has its HTML), and counts one consumer served.
func (b *bodies) get(r *Record) (html, text string, err error) {
	s := b.slots[r]
	if s == nil {
		return "", "", fmt.Errorf("%s: body of a record that is not published", r.Path)
	}
	s.once.Do(func() { b.fill(r, s, true) })
	if s.textOnly {
		return "", "", fmt.Errorf("%s: body HTML wanted after its text came from the cache", r.Path)
	}
	html, text, err = s.html, s.text, s.err
	switch n := s.users.Add(-1); {
	case n == 0:
		s.html, s.text = "", ""
	case n < 0:
		return "", "", fmt.Errorf("%s: body rendered for more consumers than the build planned", r.Path)
	}
	return html, text, err
}

// fill fills s with r's body, from the cache when it has this very body
// (with its HTML when html is set), else by rendering it; the cache keeps
// the body for the next build.
func (b *bodies) fill(r *Record, s *bodySlot, html bool) {
	if b.cache == nil {
		b.render(r, s)
		return
	}
	sum := b.cache.sum(r)
	e, ok := b.cache.lookup(r, sum)
	if !ok || (html && !e.HasHTML) {
		heads := b.render(r, s)
		if s.err == nil {
			e := bodyEntry{Sum: sum, Text: s.text, Headings: heads}
			if s.shared {
				e.HTML, e.HasHTML = s.html, true
			}
			b.cache.store(r, e)
		}
		return
	}
	if html {
		s.html = e.HTML
		b.cache.html.Add(1)
	} else {
		s.textOnly = true
	}
	s.text = e.Text
	b.collect(r, e.Text, e.Headings)
	if e.HasHTML && !s.shared {
		// No feed shows the body any more: its HTML is not kept.
		e.HTML, e.HasHTML, e.reused = "", false, false
	}
	b.cache.store(r, e)
	b.cache.hits.Add(1)
}

// render converts r's body to HTML and text into s, hands the text and
// headings to the search index, and returns the headings.
func (b *bodies) render(r *Record, s *bodySlot) []string {
	var out bytes.Buffer
	var tb strings.Builder
	var heads []string
	if err := b.md.renderText(r.Body, &out, &tb, &heads); err != nil {
		s.err = fmt.Errorf("%s:%d: markdown: %w", r.Path, r.BodyLine, err)
		return nil
	}
	s.html, s.text = out.String(), tb.String()
	b.collect(r, s.text, heads)
	return heads
}

// collect hands r's body text and headings to the search index.
func (b *bodies) collect(r *Record, text string, heads []string) {
	i := b.index[r]
	if b.texts != nil {
		b.texts[i] = text
	}
	if b.headings != nil {
		b.headings[i] = heads
	}
}

// skip counts one consumer served that needs no HTML (a page linked from
// the previous build) and hands the body's text and headings to the search
// index: from the cache when it has them for this very body (and the HTML
// another consumer still needs), else by rendering the body.
func (b *bodies) skip(r *Record) error {
	s := b.slots[r]
	if s == nil {
		return fmt.Errorf("%s: body of a record that is not published", r.Path)
	}
	n := s.users.Add(-1)
	if n < 0 {
		return fmt.Errorf("%s: body rendered for more consumers than the build planned", r.Path)
	}
	// The text reaches the search index now, as get would, so that a
	// caller's own text for the record (reuseOne) is not overwritten by a
	// later consumer's rendering.
	s.once.Do(func() { b.fill(r, s, n > 0) })
	err := s.err
	if n == 0 {
		s.html, s.text = "", ""
	}
	return err
}
