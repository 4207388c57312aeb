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
	index    map[*Record]int
	// cache, when not nil, holds the previous build's text and headings
	// of each published record's body (bodyCache).
	cache *bodyCache
}

// bodyCacheVersion changes whenever the conversion of a body to text or
// headings changes.
const bodyCacheVersion = 1

// bodyCache keeps, across incremental builds, the plain text and headings
// of each published record's body, so that a page that is not rendered
// again (its key matched) does not convert its unchanged body for the
// search index. An entry is found by the record's path and used only when
// its Sum, which hashes the body with everything the conversion depends
// on, matches: the text of a body depends on its own bytes and the
// Markdown options only (links are not resolved against other records).
// Only published records look entries up or record them, so the entry of
// a record that left the published set is neither used nor kept.
type bodyCache struct {
	salt string // the options the conversion depends on
	prev map[string]bodyEntry
	mu   sync.Mutex
	next map[string]bodyEntry
	hits atomic.Int64
}

// bodyEntry is one record's body text in the incremental manifest.
type bodyEntry struct {
	Sum      [32]byte
	Text     string
	Headings []string
}

func newBodyCache(prev map[string]bodyEntry, unsafe bool, base string) *bodyCache {
	return &bodyCache{prev: prev, next: map[string]bodyEntry{},
		salt: "gongkai body text " + strconv.Itoa(bodyCacheVersion) + " " + strconv.FormatBool(unsafe) + " " + base}
}

func (c *bodyCache) sum(r *Record) [32]byte {
	h := sha256.New()
	writeField(h, c.salt)
	writeField(h, string(r.Body))
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (c *bodyCache) lookup(r *Record, sum [32]byte) (bodyEntry, bool) {
	e, ok := c.prev[r.Path]
	return e, ok && e.Sum == sum
}

func (c *bodyCache) store(r *Record, e bodyEntry) {
	c.mu.Lock()
	c.next[r.Path] = e
	c.mu.Unlock()
}

type bodySlot struct {
	once sync.Once
	html string
	text string
	err  error
	// textOnly: the slot was filled from the cache, without HTML.
	textOnly bool
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
	}
}

// get returns r's body as HTML and plain text, rendering it on first use,
// and counts one consumer served.
func (b *bodies) get(r *Record) (html, text string, err error) {
	s := b.slots[r]
	if s == nil {
		return "", "", fmt.Errorf("%s: body of a record that is not published", r.Path)
	}
	s.once.Do(func() { b.render(r, s) })
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

// render converts r's body to HTML and text into s, and hands the text and
// headings to the search index and the cache.
func (b *bodies) render(r *Record, s *bodySlot) {
	var out bytes.Buffer
	var tb strings.Builder
	var heads []string
	if err := b.md.renderText(r.Body, &out, &tb, &heads); err != nil {
		s.err = fmt.Errorf("%s:%d: markdown: %w", r.Path, r.BodyLine, err)
		return
	}
	s.html, s.text = out.String(), tb.String()
	b.collect(r, s.text, heads)
	if b.cache != nil {
		b.cache.store(r, bodyEntry{Sum: b.cache.sum(r), Text: s.text, Headings: heads})
	}
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
// index: when no other consumer needs the HTML, from the cache when it has
// them for this very body, else by rendering the body.
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
	s.once.Do(func() {
		if b.cache != nil && n == 0 {
			sum := b.cache.sum(r)
			if e, ok := b.cache.lookup(r, sum); ok {
				s.textOnly = true
				b.collect(r, e.Text, e.Headings)
				b.cache.store(r, e)
				b.cache.hits.Add(1)
				return
			}
		}
		b.render(r, s)
	})
	err := s.err
	if n == 0 {
		s.html, s.text = "", ""
	}
	return err
}
