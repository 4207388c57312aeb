package generator

import (
	"bytes"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
)

// bodies renders each published record's Markdown once per build, HTML and
// plain text in one parse, for every part of the build that shows it: the
// record's page, its feed entry and the search index. The HTML is kept only
// until its last consumer has taken it; the plain text goes to the search
// index when the build collects it.
type bodies struct {
	md    *markdown
	slots map[*Record]*bodySlot
	// texts receives each record's plain text, by its index in
	// Content.Published, when not nil.
	texts []string
	index map[*Record]int
}

type bodySlot struct {
	once sync.Once
	html string
	err  error
	// users counts the consumers of the HTML still to come; the last one
	// drops it.
	users atomic.Int32
}

// newBodies prepares the rendering of published. Every record has one
// consumer (its page); need adds more (a feed entry).
func newBodies(md *markdown, published []*Record, collectText bool) *bodies {
	b := &bodies{md: md, slots: make(map[*Record]*bodySlot, len(published)), index: make(map[*Record]int, len(published))}
	for i, r := range published {
		s := &bodySlot{}
		s.users.Store(1)
		b.slots[r] = s
		b.index[r] = i
	}
	if collectText {
		b.texts = make([]string, len(published))
	}
	return b
}

// need registers one more consumer of r's HTML. It must be called before
// rendering starts.
func (b *bodies) need(r *Record) {
	if s := b.slots[r]; s != nil {
		s.users.Add(1)
	}
}

// html returns r's body as HTML, rendering it on first use, and counts one
// consumer served.
func (b *bodies) html(r *Record) (string, error) {
	s := b.slots[r]
	if s == nil {
		return "", fmt.Errorf("%s: body of a record that is not published", r.Path)
	}
	s.once.Do(func() {
		var out bytes.Buffer
		var text *strings.Builder
		if b.texts != nil {
			text = &strings.Builder{}
		}
		if err := b.md.render(r.Body, &out, text); err != nil {
			s.err = fmt.Errorf("%s:%d: markdown: %w", r.Path, r.BodyLine, err)
			return
		}
		s.html = out.String()
		if text != nil {
			b.texts[b.index[r]] = text.String()
		}
	})
	h, err := s.html, s.err
	switch n := s.users.Add(-1); {
	case n == 0:
		s.html = ""
	case n < 0:
		return "", fmt.Errorf("%s: body rendered for more consumers than the build planned", r.Path)
	}
	return h, err
}
