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
}

type bodySlot struct {
	once sync.Once
	html string
	text string
	err  error
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
	s.once.Do(func() {
		var out bytes.Buffer
		var tb strings.Builder
		var heads *[]string
		i := b.index[r]
		if b.headings != nil {
			heads = &b.headings[i]
		}
		if err := b.md.renderText(r.Body, &out, &tb, heads); err != nil {
			s.err = fmt.Errorf("%s:%d: markdown: %w", r.Path, r.BodyLine, err)
			return
		}
		s.html, s.text = out.String(), tb.String()
		if b.texts != nil {
			b.texts[i] = s.text
		}
	})
	html, text, err = s.html, s.text, s.err
	switch n := s.users.Add(-1); {
	case n == 0:
		s.html, s.text = "", ""
	case n < 0:
		return "", "", fmt.Errorf("%s: body rendered for more consumers than the build planned", r.Path)
	}
	return html, text, err
}
