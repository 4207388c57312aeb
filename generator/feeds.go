package generator

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"hash"
	"html"
	"io"
	"net"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/gorilla/feeds"

	"gongkai/internal/par"
)

// Feeds. Every feed is written as RSS 2.0, Atom 1.0 and JSON Feed 1.1 under
// /feeds/ and holds the newest FeedLimit entries; older records stay on the
// paginated HTML lists.
//
// Entry ids are permanent: tag:<domain>,<year first published>:<record path>,
// with a fragment such as #repealed-2024-06-01 for a validity change, which is
// an entry of its own dated with the change. An entry's updated date changes
// only when what the entry shows changes: feeds/state.json keeps a hash and
// the updated date of every entry, and the next build (Options.Previous)
// compares against it. The state is bookkeeping, written with the build's
// State (never into the served folder).

// FeedLimit is the number of entries in each feed.
const FeedLimit = 50

// FeedFormats lists the formats every feed is written in: the file suffix,
// the media type and the name shown to readers.
var FeedFormats = []FeedFormat{
	{Suffix: ".rss.xml", Type: "application/rss+xml", Name: "RSS 2.0"},
	{Suffix: ".atom.xml", Type: "application/atom+xml", Name: "Atom 1.0"},
	{Suffix: ".feed.json", Type: "application/feed+json", Name: "JSON Feed 1.1"},
}

// FeedFormat is one syndication format.
type FeedFormat struct {
	Suffix, Type, Name string
}

// Feed is one subscribable feed, written in every format.
type Feed struct {
	Path        string // site path without the format suffix, e.g. "/feeds/releases"
	Title       string
	Description string
	Link        string // site path of the HTML list the feed follows

	recs    []*Record
	entries []*feedEntry // newest first, at most FeedLimit; set by feedSet.run
}

// FeedFile is one format of a feed.
type FeedFile struct {
	Name, Type, URL string
}

// Files returns the feed's files, one per format.
func (f *Feed) Files() []FeedFile {
	out := make([]FeedFile, len(FeedFormats))
	for i, ff := range FeedFormats {
		out[i] = FeedFile{Name: ff.Name, Type: ff.Type, URL: f.Path + ff.Suffix}
	}
	return out
}

// FeedGroup is a heading of the subscribe page with its feeds.
type FeedGroup struct {
	Title string
	Feeds []*Feed

	kind *Kind // the kind whose feeds these are, nil for the site's own
}

// Subscribe is the data of the subscribe page.
type Subscribe struct {
	Groups []FeedGroup
	Limit  int

	OPML, OPMLType string // the OPML file of every feed, and its media type
	ColumnsTitle   string // the title of the section of single-feed columns
}

// The site-wide feed. Every other feed belongs to a kind (Kind.Feeds) or to
// a category of the directory; titles follow the HTML lists
// ("新闻发布：云泽市财政局").

func (b *Build) allFeed() *Feed {
	return &Feed{Path: "/feeds/all", Title: b.Theme.T("feed_all"), Description: b.Theme.T("feed_all_desc"), Link: "/"}
}

// feedPlan is every feed of a build: the groups as the subscribe page shows
// them, each feed by its path, and for each record the feeds of its kind
// that carry it.
type feedPlan struct {
	groups []FeedGroup
	byPath map[string]*Feed
	byRec  map[*Record][]*Feed
}

// plannedFeeds returns the build's feeds, computed once: the site-wide
// feed, each kind's feeds in kind order, and a feed per category of the
// directory that has records.
func (b *Build) plannedFeeds() *feedPlan {
	b.feedOnce.Do(func() {
		fp := &feedPlan{byPath: map[string]*Feed{}, byRec: map[*Record][]*Feed{}}
		all := b.allFeed()
		for _, r := range b.Published {
			if inAllFeed(r) {
				all.recs = append(all.recs, r)
			}
		}
		fp.groups = append(fp.groups, FeedGroup{Title: b.Theme.T("feed_group_site"), Feeds: []*Feed{all}})
		for _, k := range b.Kinds {
			if k.Feeds == nil {
				continue
			}
			for _, g := range k.Feeds(b) {
				if len(g.Feeds) == 0 {
					continue
				}
				g.kind = k
				fp.groups = append(fp.groups, g)
				for _, f := range g.Feeds {
					for _, r := range f.recs {
						fp.byRec[r] = append(fp.byRec[r], f)
					}
				}
			}
		}
		if g := b.directoryFeeds(fp.groups); len(g.Feeds) > 0 {
			fp.groups = append(fp.groups, g)
		}
		for _, g := range fp.groups {
			for _, f := range g.Feeds {
				fp.byPath[f.Path] = f
			}
		}
		b.feedPlan = fp
	})
	return b.feedPlan
}

// feed returns the build's feed at path ("/feeds/policies"), or nil when
// the build has none there: a list page announces its feed only when the
// feed exists.
func (b *Build) feed(path string) *Feed { return b.plannedFeeds().byPath[path] }

// kindFeed returns the first feed of a kind (the feed of all its records),
// or nil when the kind has none in this build.
func (b *Build) kindFeed(k *Kind) *Feed {
	for _, g := range b.plannedFeeds().groups {
		if g.kind == k && len(g.Feeds) > 0 {
			return g.Feeds[0]
		}
	}
	return nil
}

// feedsAt returns the feeds at paths that exist, for a page to announce.
func (b *Build) feedsAt(paths ...string) []*Feed {
	var out []*Feed
	for _, p := range paths {
		if f := b.feed(p); f != nil {
			out = append(out, f)
		}
	}
	return out
}

// recordFeeds returns the feeds a record's page announces: the feeds of
// its kind that carry it, then the feed of its category in the directory;
// when neither exists, the site-wide feed for a catalogue record.
func (b *Build) recordFeeds(r *Record) []*Feed {
	out := slices.Clone(b.plannedFeeds().byRec[r])
	if c := b.Primary(r); c != nil {
		if f := b.feed(c.FeedPath()); f != nil {
			out = append(out, f)
		}
	}
	if len(out) == 0 && inAllFeed(r) {
		out = b.feedsAt("/feeds/all")
	}
	return out
}

// inAllFeed reports whether r belongs in the "all updates" feed: every
// catalogue record (one with an index number), whatever its kind.
func inAllFeed(r *Record) bool { return r.H().IndexNo != "" }

// feedOutputs returns every feed file and the subscribe page.
func (b *Build) feedOutputs() []Output {
	fp := b.plannedFeeds()
	set := &feedSet{b: b}
	for _, g := range fp.groups {
		set.feeds = append(set.feeds, g.Feeds...)
	}
	var outs []Output
	for _, f := range set.feeds {
		for _, ff := range FeedFormats {
			write := set.writeRSS
			switch ff.Suffix {
			case ".atom.xml":
				write = set.writeAtom
			case ".feed.json":
				write = set.writeJSON
			}
			u := f.Path + ff.Suffix
			outs = append(outs, Output{URL: u, NoSitemap: true, Write: func(w io.Writer) error {
				if err := set.prepare(); err != nil {
					return err
				}
				if set.reused[u] {
					data, err := set.b.inc.prevFeed(u)
					if err != nil {
						return err
					}
					_, err = w.Write(data)
					return err
				}
				return write(w, f)
			}})
		}
	}
	b.feeds = set
	title := b.Theme.T("feed_subscribe")
	outs = append(outs, Output{URL: "/subscribe/", Page: &Page{Template: "subscribe.html", Title: title, Column: title,
		Description: b.Theme.T("feed_subscribe_desc"), Data: Subscribe{Groups: fp.groups, Limit: FeedLimit,
			OPML: OPMLURL, OPMLType: OPMLType, ColumnsTitle: b.Theme.T("feed_group_columns")},
		feeds: b.feedsAt("/feeds/all")}})
	outs = append(outs, Output{URL: OPMLURL, NoSitemap: true, Write: func(w io.Writer) error { return b.writeOPML(w, fp.groups) }})
	return outs
}

// agencyFeeds returns one feed per agency of the site that has records in
// rs, in site order, made by mk with the agency's records.
func (b *Build) agencyFeeds(rs []*Record, mk func(a *Agency) *Feed) []*Feed {
	by := map[string][]*Record{}
	for _, r := range rs {
		for _, a := range r.H().Agency {
			by[a.Code] = append(by[a.Code], r)
		}
	}
	var out []*Feed
	for _, a := range b.Site.AgencyList() {
		if recs := by[a.Code]; len(recs) > 0 {
			f := mk(a)
			f.recs = recs
			out = append(out, f)
		}
	}
	return out
}

// feedLinks turns feeds into <link rel="alternate"> entries, one per format.
func feedLinks(fds []*Feed) []FeedLink {
	var out []FeedLink
	for _, f := range fds {
		for _, ff := range f.Files() {
			out = append(out, FeedLink{Title: f.Title + "（" + ff.Name + "）", URL: ff.URL, Type: ff.Type})
		}
	}
	return out
}

// feedSet computes the entries of every feed once, when the first feed file
// is written, so planning (and PlannedURLs) stays cheap.
type feedSet struct {
	b     *Build
	feeds []*Feed
	once  sync.Once
	err   error
	state feedState // the state written by this build
	// reused holds, by URL, each feed file whose inputs are unchanged
	// (reuse): the previous build's bytes are read again when it is
	// written, not held through the render, and it is not generated.
	reused map[string]bool
}

// feedEntry is one entry of a feed: a record, or a validity change of one.
type feedEntry struct {
	ID         string
	Title      string
	URL        string // absolute
	Summary    string
	Published  time.Time
	Updated    time.Time
	Authors    []*Agency
	Categories []string
	Files      []*Attachment
	Note       string        // a sentence shown first (validity changes)
	Meta       []feedField   // metadata shown before the body
	Related    []feedSection // related records shown after the body
	body       []byte        // Markdown, rendered lazily
	rec        *Record
	hash       string
	in         string // inKey, for the feed state

	once sync.Once
	html string
	err  error
}

// feedField is a labelled value; Label is a UI-string key.
type feedField struct {
	Label, Value, URL string
}

// feedSection is a labelled list of links.
type feedSection struct {
	Label string
	Items []feedField
}

// hasBody reports whether the entry shows its record's body.
func hasBody(e *feedEntry) bool { return e.rec != nil && len(bytes.TrimSpace(e.body)) > 0 }

// needBodies registers with the build's bodies each entry that some feed
// shows and that shows its record's body: the body is rendered once for
// the record's page and its entry. A feed reused from the previous build
// (every file of it) needs none. prepare must have run.
func (set *feedSet) needBodies() {
	seen := map[*feedEntry]bool{}
	for _, f := range set.feeds {
		if set.allReused(f) {
			continue
		}
		for _, e := range f.entries {
			if !seen[e] && hasBody(e) {
				seen[e] = true
				set.b.bodies.need(e.rec)
			}
		}
	}
	// The cache keeps the HTML of every body a feed shows, for the build
	// that generates the feed again.
	for _, f := range set.feeds {
		for _, e := range f.entries {
			if !seen[e] && hasBody(e) {
				seen[e] = true
				set.b.bodies.shown(e.rec)
			}
		}
	}
}

func (set *feedSet) prepare() error {
	set.once.Do(func() {
		if set.err = set.run(); set.err == nil {
			set.reuse()
		}
	})
	return set.err
}

// allReused reports whether every file of f comes from the previous build.
func (set *feedSet) allReused(f *Feed) bool {
	for _, ff := range FeedFormats {
		if _, ok := set.reused[f.Path+ff.Suffix]; !ok {
			return false
		}
	}
	return true
}

// reuse finds the feed files of an incremental build whose inputs are the
// previous build's and takes their bytes from it (feedKey).
func (set *feedSet) reuse() {
	inc := set.b.inc
	if inc == nil {
		return
	}
	keys := make([][32]byte, len(set.feeds))
	par.Each(len(set.feeds), func(i int) { keys[i] = set.feedKey(set.feeds[i]) })
	for i, f := range set.feeds {
		k := keys[i]
		for _, ff := range FeedFormats {
			u := f.Path + ff.Suffix
			inc.recordFeed(u, k)
			if inc.reusableFeed(u, k) {
				if set.reused == nil {
					set.reused = map[string]bool{}
				}
				set.reused[u] = true
			}
		}
	}
}

// feedKey hashes everything a file of the feed f shows: the build's
// fingerprint (every record's front matter, the site, the theme, the
// program, the date), the feed's path and, for each of its entries in
// order, its id, its dates and its record's body.
func (set *feedSet) feedKey(f *Feed) [32]byte {
	h := sha256.New()
	h.Write(set.b.inc.global[:])
	writeField(h, "feed "+f.Path)
	writeField(h, strconv.Itoa(len(f.entries)))
	for _, e := range f.entries {
		writeField(h, e.ID)
		writeField(h, e.Updated.Format(time.RFC3339Nano)+" "+e.Published.Format(time.RFC3339Nano))
		writeField(h, e.hash)
		var body [32]byte
		if e.ownBody() {
			body = e.rec.bodySHA256()
		} else {
			body = sha256.Sum256(e.body)
		}
		h.Write(body[:])
	}
	var k [32]byte
	h.Sum(k[:0])
	return k
}

func (set *feedSet) run() error {
	b := set.b
	var prev *feedState
	if b.Previous != nil {
		prev = b.Previous.feeds
	}
	date := b.Date.In(China).Truncate(time.Second)
	// Every record a feed shows, once, in the feeds' order.
	byRec := map[*Record][]*feedEntry{}
	var recs []*Record
	for _, f := range set.feeds {
		for _, r := range f.recs {
			if _, done := byRec[r]; !done {
				byRec[r] = nil
				recs = append(recs, r)
			}
		}
	}
	// Each record's entries and their dates, side by side: each reads only
	// its own record, the build and the previous state.
	entries := make([][]*feedEntry, len(recs))
	errs := make([]error, len(recs))
	par.Each(len(recs), func(i int) { entries[i], errs[i] = set.recordEntries(recs[i], prev, date) })
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	set.state = feedState{Version: feedStateVersion, Entries: map[string]feedStateEntry{}}
	for i, r := range recs {
		for _, e := range entries[i] {
			set.state.Entries[e.ID] = feedStateEntry{Hash: e.hash, Updated: e.Updated.Format(time.RFC3339), In: e.in}
		}
		byRec[r] = entries[i]
	}
	// Each feed's entries, newest first, side by side.
	par.Each(len(set.feeds), func(i int) {
		f := set.feeds[i]
		var es []*feedEntry
		for _, r := range f.recs {
			es = append(es, byRec[r]...)
		}
		slices.SortFunc(es, func(a, c *feedEntry) int {
			return cmp.Or(c.Updated.Compare(a.Updated), c.Published.Compare(a.Published), cmp.Compare(a.ID, c.ID))
		})
		f.entries = es[:min(len(es), FeedLimit)]
	})
	return nil
}

// recordEntries returns r's feed entries (feedEntries) with their hashes
// and their updated dates: the previous build's when the entry did not
// change, else the build date.
func (set *feedSet) recordEntries(r *Record, prev *feedState, date time.Time) ([]*feedEntry, error) {
	b := set.b
	es := b.feedEntries(r)
	for _, e := range es {
		st, ok := prev.lookup(e.ID)
		var fields [32]byte
		if e.ownBody() {
			fields = e.fieldsSum()
			e.in = e.inKey(fields)
		}
		if ok && e.in != "" && st.In == e.in && prev.Version == feedStateVersion {
			e.hash = st.Hash
		} else {
			e.hash = e.bodyHash(fields)
		}
		switch {
		case prev == nil:
			// No previous state says when the entry changed: the
			// record's last commit does, when the site shows
			// revisions (not for its validity-change entries).
			e.Updated = e.Published
			if t := b.lastRevision(r); t.After(e.Updated) && e.ID == b.entryID(r, "") {
				e.Updated = t.In(China).Truncate(time.Second)
			}
		case ok && (st.Hash == e.hash || prev.Version == 1 && st.Hash == e.contentHash(e.body)):
			t, err := time.Parse(time.RFC3339, st.Updated)
			if err != nil {
				return nil, fmt.Errorf("read previous feed state: entry %s: %w", e.ID, err)
			}
			e.Updated = t.In(China)
		default:
			e.Updated = date
			if e.Published.After(date) {
				e.Updated = e.Published
			}
		}
	}
	return es, nil
}

// feedEntries returns a record's entries: the record itself, with what
// its kind shows (Entry.FeedEntry), and any further entries its kind adds,
// such as a policy's validity changes that have happened by the build date.
func (b *Build) feedEntries(r *Record) []*feedEntry {
	h := r.H()
	e := &feedEntry{
		ID: b.entryID(r, ""), Title: h.Title, URL: b.absURL(r.URL), Summary: h.Summary,
		Published: h.Published.In(China), Authors: h.Agency, Files: h.Attached, body: r.Body, rec: r,
		Categories: []string{b.Theme.T(r.Kind.Column)},
	}
	more := r.Entry.FeedEntry(b, e)
	e.Categories = append(e.Categories, h.Keywords...)
	return append([]*feedEntry{e}, more...)
}

func (b *Build) feedSection(label string, rs []*Record) feedSection {
	s := feedSection{Label: label}
	for _, r := range rs {
		v := r.Title()
		if d := r.DocNo(); d != "" {
			v += "（" + d + "）"
		}
		s.Items = append(s.Items, feedField{Value: v, URL: b.absURL(r.URL)})
	}
	return s
}

// entryID returns the permanent id of a record's entry:
// tag:<domain>,<year of first publication>:<record path><fragment>.
func (b *Build) entryID(r *Record, fragment string) string {
	host := b.Site.Domain()
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	return "tag:" + host + "," + strconv.Itoa(r.Date().In(China).Year()) + ":" + r.URL + fragment
}

func (b *Build) absURL(p string) string {
	return b.Site.AbsURL((&url.URL{Path: p}).EscapedPath())
}

// normalizeBody returns body with line endings and trailing white space
// that do not change what a reader sees taken out: CRLF and CR become LF,
// white space at line ends and blank lines at the end go.
func normalizeBody(body []byte) []byte {
	if len(body) == 0 {
		return body
	}
	var out bytes.Buffer
	out.Grow(len(body))
	s := strings.ReplaceAll(strings.ReplaceAll(string(body), "\r\n", "\n"), "\r", "\n")
	for line := range strings.SplitSeq(s, "\n") {
		out.WriteString(strings.TrimRightFunc(line, unicode.IsSpace))
		out.WriteByte('\n')
	}
	return bytes.TrimRight(out.Bytes(), "\n")
}

// contentHash identifies what the entry shows, with body as its Markdown
// source. The source stands for the rendered body, so a new Markdown
// renderer or theme label does not make every entry look changed; it is
// normalised first (normalizeBody), so neither does an editor that changes
// line endings. Every field is written with its length, and every list with
// its count, so no two different entries hash alike. Version 1 of the state
// hashed the body as it was; such a hash is still accepted once.
func (e *feedEntry) contentHash(body []byte) string {
	s := e.contentSum(body)
	return hex.EncodeToString(s[:])
}

func (e *feedEntry) contentSum(body []byte) [32]byte {
	h := sha256.New()
	e.writeFields(h)
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(body)))
	h.Write(n[:])
	h.Write(body)
	var s [32]byte
	h.Sum(s[:0])
	return s
}

// bodyHash returns contentHash of e's normalised body. For the entry of
// a record's own body, whose fields hash to fields (fieldsSum), the hash
// is computed once per set of fields while the record's file is in a
// Warm: it is a function of the fields and the file's bytes.
func (e *feedEntry) bodyHash(fields [32]byte) string {
	if !e.ownBody() {
		return e.contentHash(normalizeBody(e.body))
	}
	sum := e.rec.bodySumFor("feed", fields, func() [32]byte { return e.contentSum(normalizeBody(e.body)) })
	return hex.EncodeToString(sum[:])
}

// fieldsSum hashes what contentHash hashes before the body (writeFields).
func (e *feedEntry) fieldsSum() [32]byte {
	h := sha256.New()
	e.writeFields(h)
	var s [32]byte
	h.Sum(s[:0])
	return s
}

// inKey returns what the hash of the entry of a record's own body is a
// function of, hashed: its fields' sum and the body's SHA-256 (128 bits,
// in hex).
func (e *feedEntry) inKey(fields [32]byte) string {
	body := e.rec.bodySHA256()
	s := sha256.Sum256(append(fields[:], body[:]...))
	return hex.EncodeToString(s[:16])
}

// ownBody reports whether e's body is its record's (not a copy, nor
// another text).
func (e *feedEntry) ownBody() bool {
	return e.rec != nil && len(e.body) > 0 && len(e.body) == len(e.rec.Body) && &e.body[0] == &e.rec.Body[0]
}

// writeFields writes what contentHash hashes before the body, in one
// write (a hash takes many small writes slowly).
func (e *feedEntry) writeFields(h hash.Hash) {
	bp := depBufs.Get().(*[]byte)
	b := (*bp)[:0]
	defer func() {
		*bp = b[:0]
		depBufs.Put(bp)
	}()
	put := func(ss ...string) {
		for _, s := range ss {
			b = binary.LittleEndian.AppendUint64(b, uint64(len(s)))
			b = append(b, s...)
		}
	}
	count := func(c int) { put(strconv.Itoa(c)) }
	put(e.ID, e.Title, e.URL, e.Summary, e.Published.Format(time.RFC3339), e.Note)
	count(len(e.Authors))
	for _, a := range e.Authors {
		put(a.Code, a.Name, a.Email)
	}
	count(len(e.Categories))
	put(e.Categories...)
	count(len(e.Files))
	for _, a := range e.Files {
		put(a.Name, a.URL, strconv.FormatInt(a.Size, 10))
	}
	count(len(e.Meta))
	for _, f := range e.Meta {
		put(f.Label, f.Value, f.URL)
	}
	count(len(e.Related))
	for _, r := range e.Related {
		put(r.Label)
		count(len(r.Items))
		for _, f := range r.Items {
			put(f.Label, f.Value, f.URL)
		}
	}
	h.Write(b)
}

// absolutize writes html to w with the links of href="…" and src="…"
// attributes made absolute, since feed readers have no page to resolve them
// against: site paths ("/zfxxgk/policy/x.html", already carrying the base
// path) get origin in front, fragments ("#fn:1", footnotes) and relative
// links are resolved against page, the absolute URL of the entry's page.
// Absolute and protocol-relative ("//host") links are left alone.
func absolutize(w *strings.Builder, html, origin, page string) {
	base, _ := url.Parse(page)
	for {
		i := strings.Index(html, `="`)
		if i < 0 {
			w.WriteString(html)
			return
		}
		start := i + len(`="`)
		attr := strings.HasSuffix(html[:i], " href") || strings.HasSuffix(html[:i], " src")
		w.WriteString(html[:start])
		html = html[start:]
		if !attr {
			continue
		}
		end := strings.IndexByte(html, '"')
		if end < 0 {
			end = len(html)
		}
		w.WriteString(absoluteLink(html[:end], origin, page, base))
		html = html[end:]
	}
}

// absoluteLink makes one link of absolutize absolute.
func absoluteLink(v, origin, page string, base *url.URL) string {
	switch {
	case v == "":
		return v
	case strings.HasPrefix(v, "//"):
		return v
	case strings.HasPrefix(v, "/"):
		return origin + v
	case strings.HasPrefix(v, "#"):
		return page + v
	}
	if i := strings.IndexAny(v, ":/?#"); i > 0 && v[i] == ':' {
		return v // has a scheme: https:, mailto:, tel:
	}
	ref, err := url.Parse(v)
	if err != nil || base == nil {
		return v
	}
	return base.ResolveReference(ref).String()
}

// content renders the entry's HTML once: the note, the metadata, the body
// with site links made absolute, related records and attachments.
func (set *feedSet) content(e *feedEntry) (string, error) {
	e.once.Do(func() {
		T := set.b.Theme.T
		var w strings.Builder
		esc := html.EscapeString
		if e.Note != "" {
			w.WriteString("<p><strong>" + esc(e.Note) + "</strong></p>\n")
		}
		if len(e.Meta) > 0 {
			w.WriteString("<dl>\n")
			for _, f := range e.Meta {
				if f.Value == "" {
					continue
				}
				w.WriteString("<dt>" + esc(T(f.Label)) + "</dt><dd>" + linkHTML(f) + "</dd>\n")
			}
			w.WriteString("</dl>\n")
		}
		if hasBody(e) {
			// The same rendering as the record's page (Build.bodies).
			body, text, err := set.b.bodies.get(e.rec)
			if err != nil {
				e.err = err
				return
			}
			if max := set.b.Site.Limits.FeedExcerpt; utf8.RuneCountInString(text) > max {
				// A long body is cut to an excerpt with a link to the page,
				// so one huge record cannot swell every feed it is in.
				writeExcerpt(&w, text, max)
				w.WriteString(`<p><a href="` + esc(e.URL) + `">` + esc(T("feed_read_more")) + "</a></p>\n")
			} else {
				absolutize(&w, body, set.b.Site.Origin(), set.b.absURL(e.rec.URL))
			}
		}
		for _, s := range e.Related {
			if len(s.Items) == 0 {
				continue
			}
			w.WriteString("<h3>" + esc(T(s.Label)) + "</h3>\n<ul>\n")
			for _, it := range s.Items {
				w.WriteString("<li>" + linkHTML(it) + "</li>\n")
			}
			w.WriteString("</ul>\n")
		}
		if len(e.Files) > 0 {
			w.WriteString("<h3>" + esc(T("attachments")) + "</h3>\n<ul>\n")
			for _, a := range e.Files {
				w.WriteString(`<li><a href="` + esc(set.b.absURL(a.URL)) + `">` + esc(a.Name) + "</a>（" + esc(a.Format) + "，" + humanSize(a.Size) + "）</li>\n")
			}
			w.WriteString("</ul>\n")
		}
		e.html = xmlSafe(w.String())
		// The Markdown is read no more (its hash is made in prepare): the
		// record file's bytes need not outlive the record's page.
		e.body = nil
	})
	return e.html, e.err
}

// writeExcerpt writes the first max characters of a body's plain text as
// paragraphs, ending with "…".
func writeExcerpt(w *strings.Builder, text string, max int) {
	left := max
	for para := range strings.SplitSeq(text, "\n") {
		para = strings.Join(strings.Fields(para), " ")
		if para == "" {
			continue
		}
		n := utf8.RuneCountInString(para)
		if n > left {
			i := 0
			for j := range para {
				if i == left {
					para = para[:j]
					break
				}
				i++
			}
			n = left
		}
		left -= n
		w.WriteString("<p>" + html.EscapeString(para))
		if left == 0 {
			w.WriteString("…</p>\n")
			return
		}
		w.WriteString("</p>\n")
	}
}

func linkHTML(f feedField) string {
	if f.URL == "" {
		return html.EscapeString(f.Value)
	}
	return `<a href="` + html.EscapeString(f.URL) + `">` + html.EscapeString(f.Value) + "</a>"
}

// xmlSafe drops what XML 1.0 forbids (most C0 controls, U+FFFE, U+FFFF) and
// the discouraged C1 controls, and replaces invalid UTF-8 with U+FFFD, so
// stray bytes in the content never break a feed.
func xmlSafe(s string) string {
	clean := utf8.ValidString(s)
	if clean {
		for _, r := range s {
			if !xmlChar(r) {
				clean = false
				break
			}
		}
	}
	if clean {
		return s
	}
	return strings.Map(func(r rune) rune {
		if xmlChar(r) {
			return r
		}
		return -1
	}, strings.ToValidUTF8(s, "\uFFFD"))
}

func xmlChar(r rune) bool {
	switch {
	case r == '\t' || r == '\n' || r == '\r':
		return true
	case r < 0x20 || (r >= 0x7F && r <= 0x9F):
		return false
	case r >= 0xD800 && r <= 0xDFFF, r == 0xFFFE, r == 0xFFFF:
		return false
	}
	return r <= utf8.MaxRune
}

// mimeTypes maps attachment formats to media types. A fixed table keeps the
// output the same on every machine (mime.TypeByExtension reads system files).
var mimeTypes = map[string]string{
	"PDF": "application/pdf", "OFD": "application/ofd", "TXT": "text/plain", "CSV": "text/csv",
	"DOC": "application/msword", "DOCX": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	"XLS": "application/vnd.ms-excel", "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	"PPT": "application/vnd.ms-powerpoint", "PPTX": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
	"WPS": "application/vnd.ms-works", "ET": "application/vnd.ms-excel", "ZIP": "application/zip", "RAR": "application/vnd.rar",
	"JPG": "image/jpeg", "JPEG": "image/jpeg", "PNG": "image/png", "GIF": "image/gif", "WEBP": "image/webp",
	"MP3": "audio/mpeg", "M4A": "audio/mp4", "WAV": "audio/wav", "MP4": "video/mp4", "WEBM": "video/webm",
}

func mimeType(format string) string {
	if t, ok := mimeTypes[format]; ok {
		return t
	}
	return "application/octet-stream"
}

// Feed state.

// feedStateVersion 2 hashes normalised bodies; version 1 is read too.
const feedStateVersion = 2

// feedState is feeds/state.json of the build state: per entry id, the hash of what the entry
// showed and its updated date.
type feedState struct {
	Version int                       `json:"version"`
	Entries map[string]feedStateEntry `json:"entries"`
}

type feedStateEntry struct {
	Hash    string `json:"hash"`
	Updated string `json:"updated"` // RFC 3339, +08:00
	// In is what Hash was computed from, for the entry of a record's own
	// body (feedEntry.inKey): the same In gives the same Hash, so a build
	// in a new process does not normalise and hash the body again.
	In string `json:"in,omitempty"`
}

func (s *feedState) lookup(id string) (feedStateEntry, bool) {
	if s == nil {
		return feedStateEntry{}, false
	}
	e, ok := s.Entries[id]
	return e, ok
}

// readFeedState reads the feed state file p left by the previous build,
// or takes it from w when w keeps what the file held (keepFeedState).
func readFeedState(p string, w *Warm) (*feedState, error) {
	f, err := os.Open(p)
	if err != nil {
		return nil, fmt.Errorf("read previous feed state: %w", err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("read previous feed state: %w", err)
	}
	if kept, ok := w.pack(feedStateMagic, fi); ok {
		return kept.(*feedState), nil
	}
	data, err := io.ReadAll(f)
	if err != nil {
		return nil, fmt.Errorf("read previous feed state: %w", err)
	}
	s := &feedState{}
	if err := json.Unmarshal(data, s); err != nil {
		return nil, fmt.Errorf("read previous feed state %s: %w (delete the file to start afresh: every entry's updated date becomes its publication date)", p, err)
	}
	if s.Version != feedStateVersion && s.Version != 1 {
		return nil, fmt.Errorf("read previous feed state %s: version %d, want %d", p, s.Version, feedStateVersion)
	}
	w.keepPack(feedStateMagic, fi, s)
	return s, nil
}

// feedStateMagic names the feed state among what a Warm keeps by file.
const feedStateMagic = "gongkai feed state"

// keepFeedState keeps in w the feed state this build wrote into the state
// folder dir, by the file's identity, so that the next build of the same
// process takes it instead of decoding the file (readFeedState). The state
// is never changed once written.
func (set *feedSet) keepFeedState(w *Warm, dir string) {
	if w == nil {
		return
	}
	if fi, err := os.Stat(filepath.Join(dir, filepath.FromSlash(feedStateFile))); err == nil {
		st := set.state
		w.keepPack(feedStateMagic, fi, &st)
	}
}

// writeState writes the feed state as JSON on one line: indented, it took
// six times as long to write (50 ms at 10,000 records, and 14 MB of
// memory instead of 1 MB).
func (set *feedSet) writeState(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(set.state)
}

// Writers. RSS and Atom use gorilla/feeds' element types, extended by
// embedding where a feed needs more than they hold (several categories and
// authors per entry, several enclosures in Atom, a self link); encoding/xml
// lets the outer field of the same element name take the place of the
// embedded one.
// JSON Feed is written directly: gorilla's JSON attachments use "size"
// instead of 1.1's "size_in_bytes".

func (set *feedSet) feedTitle(f *Feed) string { return xmlSafe(f.Title + " - " + set.b.Site.Name) }

func (set *feedSet) updated(f *Feed) time.Time {
	if len(f.entries) > 0 {
		return f.entries[0].Updated
	}
	return set.b.Date.In(China).Truncate(time.Second)
}

type rssDoc struct {
	XMLName   xml.Name   `xml:"rss"`
	Version   string     `xml:"version,attr"`
	ContentNS string     `xml:"xmlns:content,attr"`
	AtomNS    string     `xml:"xmlns:atom,attr"`
	DCNS      string     `xml:"xmlns:dc,attr"`
	Channel   rssChannel `xml:"channel"`
}

type rssChannel struct {
	feeds.RssFeed
	Self  rssAtomLink `xml:"atom:link"`
	Items []rssItem   `xml:"item"`
}

type rssAtomLink struct {
	Href string `xml:"href,attr"`
	Rel  string `xml:"rel,attr"`
	Type string `xml:"type,attr"`
}

type rssItem struct {
	feeds.RssItem
	Categories []string `xml:"category"`
	Creators   []string `xml:"dc:creator"`
}

// FeedXml lets feeds.WriteXML write the document.
func (d *rssDoc) FeedXml() any { return d }

func (set *feedSet) writeRSS(w io.Writer, f *Feed) error {
	site := set.b.Site
	up := set.updated(f).Format(time.RFC1123Z)
	doc := &rssDoc{Version: "2.0", ContentNS: "http://purl.org/rss/1.0/modules/content/",
		AtomNS: "http://www.w3.org/2005/Atom", DCNS: "http://purl.org/dc/elements/1.1/"}
	doc.Channel.RssFeed = feeds.RssFeed{Title: set.feedTitle(f), Link: set.b.absURL(f.Link), Description: xmlSafe(f.Description),
		Language: site.Language, PubDate: up, LastBuildDate: up, Generator: "gongkai", Docs: "https://www.rssboard.org/rss-specification"}
	doc.Channel.Self = rssAtomLink{Href: set.b.absURL(f.Path + ".rss.xml"), Rel: "self", Type: "application/rss+xml"}
	for _, e := range f.entries {
		content, err := set.content(e)
		if err != nil {
			return err
		}
		// Readers take an RSS description as HTML, so the plain-text
		// summary is escaped once more.
		it := rssItem{RssItem: feeds.RssItem{Title: xmlSafe(e.Title), Link: e.URL, Description: xmlSafe(html.EscapeString(e.Summary)),
			Content: &feeds.RssContent{Content: content}, Guid: &feeds.RssGuid{Id: e.ID, IsPermaLink: "false"},
			PubDate: e.Published.Format(time.RFC1123Z)}}
		// An item names its authors once: RSS 2.0's author holds one e-mail
		// address, so a single agency with an address goes there, and
		// anything else (several agencies, no address) goes to dc:creator.
		if len(e.Authors) == 1 && e.Authors[0].Email != "" {
			a := e.Authors[0]
			it.Author = xmlSafe(a.Email + " (" + a.Name + ")")
		} else {
			for _, a := range e.Authors {
				it.Creators = append(it.Creators, xmlSafe(a.Name))
			}
		}
		for _, c := range e.Categories {
			it.Categories = append(it.Categories, xmlSafe(c))
		}
		// One enclosure per item, as the RSS Best Practices Profile advises
		// (readers disagree on more); the content lists every attachment,
		// and Atom and JSON Feed carry them all.
		if len(e.Files) > 0 {
			a := e.Files[0]
			it.Enclosure = &feeds.RssEnclosure{Url: set.b.absURL(a.URL), Length: strconv.FormatInt(a.Size, 10), Type: mimeType(a.Format)}
		}
		doc.Channel.Items = append(doc.Channel.Items, it)
	}
	return writeXML(w, doc)
}

type atomFeed struct {
	feeds.AtomFeed
	Lang    string           `xml:"xml:lang,attr"`
	Links   []feeds.AtomLink `xml:"link"`
	Entries []atomEntry      `xml:"entry"`
}

type atomEntry struct {
	feeds.AtomEntry
	Authors    []feeds.AtomAuthor `xml:"author"`
	Categories []atomCategory     `xml:"category"`
}

type atomCategory struct {
	Term string `xml:"term,attr"`
}

// FeedXml lets feeds.WriteXML write the document.
func (a *atomFeed) FeedXml() any { return a }

func (set *feedSet) writeAtom(w io.Writer, f *Feed) error {
	site := set.b.Site
	self := set.b.absURL(f.Path + ".atom.xml")
	doc := &atomFeed{AtomFeed: feeds.AtomFeed{Xmlns: "http://www.w3.org/2005/Atom", Title: set.feedTitle(f), Id: self,
		Updated: set.updated(f).Format(time.RFC3339), Subtitle: xmlSafe(f.Description),
		Author: &feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: xmlSafe(site.Name), Uri: site.BaseURL}}},
		Lang: site.Language,
		Links: []feeds.AtomLink{{Href: self, Rel: "self", Type: "application/atom+xml"},
			{Href: set.b.absURL(f.Link), Rel: "alternate", Type: "text/html"}}}
	for _, e := range f.entries {
		content, err := set.content(e)
		if err != nil {
			return err
		}
		ae := atomEntry{AtomEntry: feeds.AtomEntry{Title: xmlSafe(e.Title), Id: e.ID, Updated: e.Updated.Format(time.RFC3339),
			Published: e.Published.Format(time.RFC3339), Content: &feeds.AtomContent{Content: content, Type: "html"},
			Links: []feeds.AtomLink{{Href: e.URL, Rel: "alternate", Type: "text/html"}}}}
		if e.Summary != "" {
			ae.Summary = &feeds.AtomSummary{Content: xmlSafe(e.Summary), Type: "text"}
		}
		for _, a := range e.Authors {
			ae.Authors = append(ae.Authors, feeds.AtomAuthor{AtomPerson: feeds.AtomPerson{Name: xmlSafe(a.Name), Email: a.Email}})
		}
		for _, c := range e.Categories {
			ae.Categories = append(ae.Categories, atomCategory{Term: xmlSafe(c)})
		}
		for _, a := range e.Files {
			ae.Links = append(ae.Links, feeds.AtomLink{Href: set.b.absURL(a.URL), Rel: "enclosure", Type: mimeType(a.Format), Length: strconv.FormatInt(a.Size, 10)})
		}
		doc.Entries = append(doc.Entries, ae)
	}
	return writeXML(w, doc)
}

func writeXML(w io.Writer, doc feeds.XmlFeed) error {
	if err := feeds.WriteXML(doc, w); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// JSON Feed 1.1 (https://www.jsonfeed.org/version/1.1/).
type jsonFeed struct {
	Version     string       `json:"version"`
	Title       string       `json:"title"`
	HomePageURL string       `json:"home_page_url"`
	FeedURL     string       `json:"feed_url"`
	Description string       `json:"description,omitempty"`
	Language    string       `json:"language,omitempty"`
	Authors     []jsonAuthor `json:"authors,omitempty"`
	Items       []jsonItem   `json:"items"`
}

type jsonAuthor struct {
	Name string `json:"name"`
	URL  string `json:"url,omitempty"`
}

type jsonItem struct {
	ID            string           `json:"id"`
	URL           string           `json:"url"`
	Title         string           `json:"title"`
	ContentHTML   string           `json:"content_html"`
	Summary       string           `json:"summary,omitempty"`
	DatePublished string           `json:"date_published"`
	DateModified  string           `json:"date_modified"`
	Authors       []jsonAuthor     `json:"authors,omitempty"`
	Tags          []string         `json:"tags,omitempty"`
	Attachments   []jsonAttachment `json:"attachments,omitempty"`
}

type jsonAttachment struct {
	URL         string `json:"url"`
	MIMEType    string `json:"mime_type"`
	Title       string `json:"title,omitempty"`
	SizeInBytes int64  `json:"size_in_bytes,omitempty"`
}

func (set *feedSet) writeJSON(w io.Writer, f *Feed) error {
	site := set.b.Site
	doc := jsonFeed{Version: "https://jsonfeed.org/version/1.1", Title: set.feedTitle(f), HomePageURL: set.b.absURL(f.Link),
		FeedURL: set.b.absURL(f.Path + ".feed.json"), Description: xmlSafe(f.Description), Language: site.Language,
		Authors: []jsonAuthor{{Name: xmlSafe(site.Name), URL: site.BaseURL}}, Items: []jsonItem{}}
	for _, e := range f.entries {
		content, err := set.content(e)
		if err != nil {
			return err
		}
		it := jsonItem{ID: e.ID, URL: e.URL, Title: xmlSafe(e.Title), ContentHTML: content, Summary: xmlSafe(e.Summary),
			DatePublished: e.Published.Format(time.RFC3339), DateModified: e.Updated.Format(time.RFC3339)}
		for _, a := range e.Authors {
			it.Authors = append(it.Authors, jsonAuthor{Name: xmlSafe(a.Name)})
		}
		for _, c := range e.Categories {
			it.Tags = append(it.Tags, xmlSafe(c))
		}
		for _, a := range e.Files {
			it.Attachments = append(it.Attachments, jsonAttachment{URL: set.b.absURL(a.URL), MIMEType: mimeType(a.Format), Title: xmlSafe(a.Name), SizeInBytes: a.Size})
		}
		doc.Items = append(doc.Items, it)
	}
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc.Encode(doc)
}
