package generator

import (
	"bytes"
	"crypto/sha256"
	"fmt"
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
	// sums, when not nil, receives the SHA-256 of each text that the
	// cache knows (or computed to keep it), by the same index.
	sums  [][32]byte
	index map[*Record]int
	// cache, when not nil, holds the previous build's text and headings
	// of each published record's body (bodyCache).
	cache *bodyCache
}

// bodyCacheVersion changes whenever the conversion of a body to text,
// headings or HTML changes.
const bodyCacheVersion = 3

// bodyCache keeps, across incremental builds, the plain text and headings
// of each published record's body, and the HTML of the bodies a feed
// shows, so that a page that is not rendered again (its key matched) does
// not convert its unchanged body for the search index or its feed entries.
// An entry is found by the record's path and used only when its Sum, which
// hashes the body with everything the conversion depends on, matches: the
// conversion of a body depends on its own bytes, the Markdown options and
// the program only (links are not resolved against other records).
// Only published records look entries up or record them, so the entry of
// a record that left the published set is neither used nor kept. The
// entries are in packs (packStore) in the state folder's bodyPackDir.
type bodyCache struct {
	salt  string // the options the conversion depends on
	packs *packStore[bodyEntry]
	hits  atomic.Int64
	html  atomic.Int64
}

// bodyEntry is one record's body text in a body pack.
type bodyEntry struct {
	Sum  [32]byte
	Text string
	// TextSum is the SHA-256 of Text: the search index's document hash
	// takes it, so that an unchanged text is not hashed again.
	TextSum  [32]byte
	Headings []string
	// HTML is the body's HTML, kept for a body that a feed shows.
	HTML    string
	HasHTML bool
}

const (
	bodyPackDir   = "bodies"
	bodyPackMagic = "gongkai body pack 3\n"
)

// newBodyCache returns the cache of a build whose previous state folder
// is prevState (empty for none). salt is the caller's (Incremental.Salt:
// the program among others), unsafe and base the Markdown options.
func newBodyCache(prevState string, salt []byte, unsafe bool, base string) *bodyCache {
	return &bodyCache{packs: newPackStore(prevState, bodyPackDir, bodyPackMagic, encodeBodyEntry, decodeBodyEntry),
		salt: "gongkai body text " + strconv.Itoa(bodyCacheVersion) + " " + strconv.FormatBool(unsafe) + " " + base + " " + string(salt)}
}

func (c *bodyCache) sum(r *Record) [32]byte {
	return r.bodySum("cache\x00"+c.salt, func() [32]byte {
		h := sha256.New()
		writeField(h, c.salt)
		body := r.bodySHA256()
		h.Write(body[:])
		var k [32]byte
		h.Sum(k[:0])
		return k
	})
}

func (c *bodyCache) lookup(r *Record, sum [32]byte) (bodyEntry, bool) {
	e, ok := c.packs.prev(r.Path)
	return e, ok && e.Sum == sum
}

// store keeps r's entry for the next build; reused tells that it is the
// previous build's, unchanged.
func (c *bodyCache) store(r *Record, e bodyEntry, reused bool) { c.packs.keep(r.Path, e, reused) }

// write writes the packs into the state folder dir.
func (c *bodyCache) write(dir string) error { return c.packs.write(dir, nil) }

// An entry: sum, text, the text's sum, the headings, a flag and the HTML
// when flagged.
func encodeBodyEntry(w *stateWriter, e bodyEntry) {
	w.sum(e.Sum)
	w.string(e.Text)
	w.sum(e.TextSum)
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

func decodeBodyEntry(r *stateReader) bodyEntry {
	e := bodyEntry{Sum: r.sum(), Text: r.string(), TextSum: r.sum()}
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
	return e
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
// consumer, its page; need adds more. texts, headings and sums, when not
// nil, have one element per published record.
func newBodies(md *markdown, published []*Record, texts []string, headings [][]string, sums [][32]byte) *bodies {
	b := &bodies{md: md, slots: make(map[*Record]*bodySlot, len(published)), index: make(map[*Record]int, len(published)),
		texts: texts, headings: headings, sums: sums}
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

// shown registers that a feed shows r's body without needing its HTML in
// this build (the feed is reused): the cache keeps the HTML. It must be
// called before rendering starts.
func (b *bodies) shown(r *Record) {
	if s := b.slots[r]; s != nil {
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
	// A body is filled once a build: the previous build's entry is not
	// looked up again, and a stale one (every entry, after a program
	// change) is not held to the end of the render.
	b.cache.packs.forget(r.Path)
	if !ok || (html && !e.HasHTML) {
		heads := b.render(r, s)
		if s.err == nil {
			e := bodyEntry{Sum: sum, Text: s.text, TextSum: sha256.Sum256(stringBytes(s.text)), Headings: heads}
			b.collectSum(r, e.TextSum)
			if s.shared {
				e.HTML, e.HasHTML = s.html, true
			}
			b.cache.store(r, e, false)
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
	b.collectSum(r, e.TextSum)
	reused := true
	if e.HasHTML && !s.shared {
		// No feed shows the body any more: its HTML is not kept.
		e.HTML, e.HasHTML, reused = "", false, false
	}
	b.cache.store(r, e, reused)
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
	// The text is kept until the search index is written: a copy of its
	// exact length leaves the builder's spare capacity behind.
	s.html, s.text = out.String(), strings.Clone(tb.String())
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

// collectSum hands the SHA-256 of r's body text to the search index.
func (b *bodies) collectSum(r *Record, sum [32]byte) {
	if b.sums != nil {
		b.sums[b.index[r]] = sum
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
