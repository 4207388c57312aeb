package generator

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"fmt"
	"html/template"
	"io"
	"io/fs"
	"log/slog"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/sync/errgroup"

	"gongkai/internal/par"
)

// Options configure a render.
type Options struct {
	// Out is the folder to write into: a fresh staging folder, never the live
	// public/ (see internal/publish).
	Out string
	// Theme is the parsed theme.
	Theme *Theme
	// Extra files to write, keyed by site path ("/opensearch.xml").
	Extra map[string][]byte
	// CollectText keeps the plain text of every published record for the
	// search index (Result.Texts).
	CollectText bool
	// State is the folder to write the build's bookkeeping into (see
	// State); empty to write none. It must not be served.
	State string
	// Previous is the previous build's state (ReadState), which keeps feed
	// entries' updated dates stable and finds withdrawn pages; nil for a
	// first build.
	Previous *State
	// Precompress writes NAME.br and NAME.gz beside every HTML, CSS, JS,
	// XML and JSON file of 1 KB or more (internal/precompress), reusing the
	// copies in PreviousOut of files that did not change.
	Precompress bool
	// PreviousOut is the folder of the previous live output (public/);
	// empty for none.
	PreviousOut string
	// Preview makes a preview build (`gongkai serve`): every HTML page
	// loads PreviewScript. A production build leaves it false, and its
	// output is byte-identical to a build that never heard of previews.
	Preview bool
	// Incremental, when set, reuses the previous build's unchanged
	// outputs (see incremental.go) and records this build's for the next.
	Incremental *Incremental
	Logger      *slog.Logger

	// ReleaseBodies releases every record's file bytes (Content.ReleaseBodies)
	// as soon as the pages are rendered, before the render writes the
	// build's state, for a caller that needs them no more.
	ReleaseBodies bool

	// Recycled, when not zero, says that Out is not empty: it holds the
	// site generation the previous build replaced, whose folder has this
	// inode (internal/publish's BeginRecycling). The render keeps what it
	// can of it (recycle.go) or empties it; the caller must then call
	// Result.Sweep after its own writers.
	Recycled uint64
}

// Result summarises a render.
type Result struct {
	Files int
	Bytes int64
	// Compressed counts the precompressed copies and their bytes (not in
	// Files and Bytes); Reused the files whose copies came from Previous.
	Compressed      int
	CompressedBytes int64
	Reused          int
	// URLs lists every published page URL (site paths), sorted.
	URLs []string
	// Texts holds the plain body text of Content.Published[i] when
	// Options.CollectText is set: the Markdown body, or, for records whose
	// page shows structured fields (Record.SearchText is not empty), the
	// text of the page's main content, so that everything the page shows
	// is searchable.
	Texts []string
	// TextSums holds the SHA-256 of Texts[i] where the build knew it (the
	// body cache keeps it with the text), and zero elsewhere.
	TextSums [][32]byte
	// Withdrawn lists the pages withdrawn in this build.
	Withdrawn []Withdrawn
	// Headings holds the headings of the Markdown body of
	// Content.Published[i] when Options.CollectText is set.
	Headings [][]string
	// Incremental tells what an incremental build reused.
	Incremental IncrementalStats

	keep map[string]bool // a recycled staging folder's planned files (Sweep)
}

// Build is what kinds see while they plan their outputs.
type Build struct {
	*Content
	Theme *Theme
	// Previous is Options.Previous.
	Previous *State

	feeds    *feedSet // set by plan
	preview  bool     // Options.Preview
	feedOnce sync.Once
	feedPlan *feedPlan // set by plannedFeeds
	bodies   *bodies   // set by Render
	inc      *incr     // set by Render; nil for a build that is not incremental
	view     *View
	viewOnce sync.Once

	colOnce sync.Once
	cols    []*Column
}

// Output is one file of the site.
type Output struct {
	// URL is the site path: "/policy/x.html" writes policy/x.html,
	// "/catalogue.csv" writes catalogue.csv.
	URL string
	// Page is rendered through its Template; when Page.Record is set, the
	// record's Markdown body becomes Page.Content.
	Page *Page
	// Write produces raw bytes instead of a page.
	Write func(w io.Writer) error
	// NoSitemap keeps the URL out of sitemap.xml (CSV files, redirects).
	NoSitemap bool
}

// Page is the data a page template receives.
type Page struct {
	Template    string
	Title       string
	Column      string // ColumnName meta tag and the current navigation entry
	URL         string
	Description string
	Keywords    []string
	PubDate     time.Time
	HasTime     bool
	Source      string // ContentSource: the issuing agency
	Record      *Record
	Content     template.HTML
	Crumbs      []Crumb
	List        *List
	Data        any
	Site        *Site
	// Build is what the template sees of the build: published records only.
	Build   *View
	Feeds   []FeedLink
	NoIndex bool
	// Modified is when what the page shows last changed (sitemap.xml's
	// lastmod); zero when unknown.
	Modified time.Time

	b         *Build
	feeds     []*Feed // the feeds the page announces (Feeds), set by whoever plans it
	column    *Column // set by Meta's lookup when nil
	target    *Record // a redirect stub's target record, for its meta tags
	canonical string  // a redirect stub's target (site path or URL)
}

// Crumb is one breadcrumb link.
type Crumb struct {
	Title, URL string
}

// FeedLink is a feed announced on a page with <link rel="alternate">.
type FeedLink struct {
	Title, URL, Type string
}

// NavCurrent reports whether the navigation entry u is the page's column:
// the page itself or a page under it.
func (p *Page) NavCurrent(u string) bool {
	return p.URL == u || (u != "/" && strings.HasSuffix(u, "/") && strings.HasPrefix(p.URL, u))
}

// AbsURL returns the page's absolute URL.
func (p *Page) AbsURL() string { return p.Site.AbsURL(p.URL) }

func outputFile(u string) string {
	p := strings.TrimPrefix(u, "/")
	if p == "" || strings.HasSuffix(p, "/") {
		p += "index.html"
	}
	return filepath.FromSlash(p)
}

// Render writes the whole site for c into opts.Out.
func Render(ctx context.Context, c *Content, opts Options) (*Result, error) {
	if err := c.Problems.Err(); err != nil {
		return nil, err
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	b, outs, err := c.takePlan(opts)
	if err != nil {
		return nil, err
	}
	theme := b.Theme
	inc, err := newIncr(c, opts)
	if err != nil {
		return nil, err
	}
	err = inc.startRecycling(opts)
	b.inc = inc
	// The parse cache is complete once the content is loaded: it is written
	// now and its entries released, not held through the render.
	if err == nil {
		err = inc.writeParses(opts.State)
	}
	// The fingerprint was taken meanwhile; the feeds and the pages'
	// keys need it.
	if gerr := inc.awaitGlobal(); err == nil {
		err = gerr
	}
	if err != nil {
		return nil, err
	}
	res := &Result{}
	if opts.CollectText {
		res.Texts = make([]string, len(c.Published))
		res.Headings = make([][]string, len(c.Published))
		res.TextSums = make([][32]byte, len(c.Published))
	}
	md := newMarkdown(c.Site.UnsafeHTML, c.Site.BasePath())
	b.bodies = newBodies(md, c.Published, res.Texts, res.Headings, res.TextSums)
	if inc != nil {
		b.bodies.cache = inc.bodies
	}
	if b.feeds != nil {
		// The feed entries are known before any page renders, so a body
		// that a feed shows is rendered once for its page and its entry.
		if err := b.feeds.prepare(); err != nil {
			return nil, err
		}
		b.feeds.needBodies()
	}
	withdrawn := c.Withdrawn
	outs = append(outs, b.withdrawnPages(withdrawn)...)
	// Every page URL must be unique; a clash would silently overwrite.
	seen := make(map[string]bool, len(outs))
	for _, o := range outs {
		if seen[o.URL] {
			return nil, fmt.Errorf("two outputs share the URL %s", o.URL)
		}
		seen[o.URL] = true
	}
	// Every page's key, before any page renders (deps.go).
	keys := b.pageKeys(outs, inc)
	// With ReleaseBodies, a record's file bytes go as soon as the last
	// output that shows it is done: its key is made and its body converted
	// (a feed entry keeps its own reference to the body it shows).
	var pending map[*Record]*atomic.Int32
	if opts.ReleaseBodies {
		pending = make(map[*Record]*atomic.Int32, len(c.Published))
		for _, o := range outs {
			if o.Page != nil && o.Page.Record != nil {
				n := pending[o.Page.Record]
				if n == nil {
					n = new(atomic.Int32)
					pending[o.Page.Record] = n
				}
				n.Add(1)
			}
		}
	}
	done := func(o Output) {
		if o.Page == nil || o.Page.Record == nil {
			return
		}
		if n := pending[o.Page.Record]; n != nil && n.Add(-1) == 0 {
			o.Page.Record.Body, o.Page.Record.Front = nil, nil
		}
	}
	textIdx := make(map[*Record]int, len(c.Published))
	for i, r := range c.Published {
		textIdx[r] = i
	}
	var files, nbytes atomic.Int64
	dirs := &dirCache{root: opts.Out, recycled: inc != nil && inc.recycle.on != nil}
	if opts.Precompress {
		dirs.compress = &compressor{prev: opts.PreviousOut}
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	// The outputs on a goroutine a core (par.Try): a reused page's body
	// decodes deeply, and a goroutine an output grew 12,000 stacks.
	g.Go(func() error {
		return par.Try(gctx, len(outs), func(_ context.Context, i int) error {
			o := outs[i]
			defer done(o)
			if b.feeds != nil && b.feeds.reused[o.URL] {
				// A feed file whose inputs did not change: linked
				// unread, as a page whose key did not change.
				n, ok, err := inc.reuseFeed(dirs, opts.Out, o.URL)
				if err != nil {
					return fmt.Errorf("reuse %s: %w", o.URL, err)
				}
				if ok {
					files.Add(1)
					nbytes.Add(n)
					return nil
				}
			}
			var k [32]byte
			if keys != nil {
				k = keys[i]
			}
			if e, ok := inc.reusable(o.URL, k); ok {
				done, err := b.reuseOne(o, e, inc, dirs, opts.Out, res, textIdx)
				if err != nil {
					return fmt.Errorf("reuse %s: %w", o.URL, err)
				}
				if done {
					files.Add(1)
					nbytes.Add(e.Size)
					return nil
				}
			}
			buf := bufs.Get().(*bytes.Buffer)
			defer bufs.Put(buf)
			buf.Reset()
			if err := b.renderOne(o, buf, res, textIdx); err != nil {
				return fmt.Errorf("render %s: %w", o.URL, err)
			}
			var text string
			hasText := o.Page != nil && o.Page.Record != nil && o.Page.Record.SearchText() != ""
			if hasText && inc != nil {
				text = mainText(buf.Bytes())
			}
			n, err := inc.emit(dirs, opts.Out, outputFile(o.URL), o.URL, buf.Bytes(), k, text, hasText)
			if err != nil {
				return err
			}
			files.Add(1)
			nbytes.Add(n)
			return nil
		})
	})
	// Static files, attachments and extras.
	for p, data := range theme.static {
		g.Go(func() error {
			n, err := inc.emit(dirs, opts.Out, outputFile(p), p, data, [32]byte{}, "", false)
			files.Add(1)
			nbytes.Add(n)
			return err
		})
	}
	for _, a := range b.attachments() {
		g.Go(func() error {
			n, err := inc.copyAttachment(gctx, dirs, c.fsys, "content"+a.URL, opts.Out, outputFile(a.URL), a.URL)
			if err != nil {
				return fmt.Errorf("copy attachment: %w", err)
			}
			if n != a.Size {
				return fmt.Errorf("copy attachment content%s: it changed during the build (%d bytes, was %d)", a.URL, n, a.Size)
			}
			files.Add(1)
			nbytes.Add(n)
			return nil
		})
	}
	for p, data := range opts.Extra {
		g.Go(func() error {
			n, err := inc.emit(dirs, opts.Out, outputFile(p), p, data, [32]byte{}, "", false)
			files.Add(1)
			nbytes.Add(n)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if opts.ReleaseBodies {
		c.ReleaseBodies()
	}
	mods := make(map[string]time.Time, len(outs))
	changed := map[*Record]time.Time{}
	for _, o := range outs {
		if o.Page != nil && !o.NoSitemap {
			res.URLs = append(res.URLs, o.URL)
			if t := b.lastMod(o.Page, changed); !t.IsZero() {
				mods[o.URL] = t
			}
		}
	}
	slices.Sort(res.URLs)
	res.Withdrawn = withdrawn
	// The build's state, the sitemaps and the incremental build's records
	// are written side by side: each writes files of its own, and the
	// records are complete once the sitemaps are emitted.
	var tail errgroup.Group
	if opts.State != "" {
		tail.Go(func() error {
			var feedJSON bytes.Buffer
			if err := b.feeds.prepare(); err != nil {
				return err
			}
			if err := b.feeds.writeState(&feedJSON); err != nil {
				return err
			}
			if err := writeState(opts.State, manifest(res.URLs, c.Redirects, withdrawn), withdrawn, c.scheduledRecords(), feedJSON.Bytes()); err != nil {
				return err
			}
			b.feeds.keepFeedState(c.warm, opts.State)
			return nil
		})
	}
	final := b.sitemaps(res.URLs, mods)
	var emitErr error
	for _, p := range slices.Sorted(maps.Keys(final)) {
		n, err := inc.emit(dirs, opts.Out, outputFile(p), p, final[p], [32]byte{}, "", false)
		if err != nil {
			emitErr = err
			break
		}
		files.Add(1)
		nbytes.Add(n)
	}
	if emitErr == nil && inc != nil {
		if opts.State != "" {
			tail.Go(func() error { return inc.write(opts.State) })
			tail.Go(func() error { return inc.recordRecycling(opts.State, opts) })
		}
		if inc.recycle.on != nil {
			tail.Go(func() error {
				res.keep = inc.keepSet(opts.Precompress)
				return nil
			})
		}
	}
	// The writers are waited for even when an emit failed.
	if err := cmp.Or(emitErr, tail.Wait()); err != nil {
		return nil, err
	}
	if inc != nil {
		res.Incremental = IncrementalStats{Written: int(inc.rendered.Load()), Linked: int(inc.linked.Load()),
			LinkedBytes: inc.linkedBytes.Load(), Skipped: int(inc.skipped.Load()), BodyTexts: int(inc.bodies.hits.Load()),
			BodyHTML: int(inc.bodies.html.Load()), Feeds: int(inc.feedsReused.Load())}
		if rc := inc.recycle.on; rc != nil {
			res.Incremental.Kept, res.Incremental.KeptBytes = int(rc.kept.Load()), rc.keptBytes.Load()
		}
		if c.parses != nil {
			res.Incremental.Parsed = int(c.parses.hits.Load())
		}
		res.Incremental.WarmFiles, res.Incremental.WarmPacks = c.warm.hits()
		if c.files != nil {
			res.Incremental.StateFiles = int(c.files.hits.Load())
		}
	}
	res.Files, res.Bytes = int(files.Load()), nbytes.Load()
	if c := dirs.compress; c != nil {
		res.Compressed, res.CompressedBytes, res.Reused = int(c.files.Load()), c.bytes.Load(), int(c.reused.Load())
	}
	log.Info("rendered", "files", res.Files, "bytes", res.Bytes)
	return res, nil
}

func (b *Build) renderOne(o Output, buf *bytes.Buffer, res *Result, textIdx map[*Record]int) error {
	if o.Write != nil {
		return o.Write(buf)
	}
	p := o.Page
	p.URL, p.Site, p.b, p.Build = o.URL, b.Site, b, b.View()
	if p.Column == "" && p.Record != nil {
		p.Column = b.Theme.T(p.Record.Kind.Column)
	}
	if p.Record != nil && p.feeds == nil {
		p.feeds = b.recordFeeds(p.Record)
	}
	planned := len(p.Feeds)
	p.Feeds = append(p.Feeds, feedLinks(p.feeds)...)
	if r := p.Record; r != nil {
		html, _, err := b.bodies.get(r)
		if err != nil {
			return err
		}
		p.Content = template.HTML(html) //nolint:gosec // goldmark output, raw HTML off unless the site allows it
	}
	err := b.Theme.Execute(buf, p.Template, p)
	// The page stays planned to the end of the render (its sitemap entry):
	// what only its template needed goes, so that no page holds its body's
	// HTML and feed links after it is written.
	if p.Record != nil {
		p.Content = ""
	}
	clear(p.Feeds[planned:])
	p.Feeds = p.Feeds[:planned]
	if err != nil {
		return err
	}
	if b.preview {
		page := injectPreview(buf.Bytes(), b.Site.BasePath())
		buf.Reset()
		buf.Write(page)
	}
	if r := p.Record; r != nil && res.Texts != nil && r.SearchText() != "" {
		res.Texts[textIdx[r]], res.TextSums[textIdx[r]] = mainText(buf.Bytes()), [32]byte{}
	}
	return CheckBasePath(buf.Bytes(), b.Site.BasePath())
}

// reuseOne links the previous build's file of the page o, whose key
// matched e's, instead of rendering it: the search index still gets the
// record's body text (and, for a record whose search text is its page's,
// the text e recorded). It reports false when the file cannot be linked,
// and the page must be rendered.
func (b *Build) reuseOne(o Output, e incrEntry, inc *incr, dirs *dirCache, root string, res *Result, textIdx map[*Record]int) (bool, error) {
	r := o.Page.Record
	if r != nil && r.SearchText() != "" && !e.HasText {
		return false, nil
	}
	if !inc.keeps(o.URL, e.Sum, e.Size) {
		ok, err := inc.link(root, outputFile(o.URL), e.Size, dirs)
		if err != nil || !ok {
			return false, err
		}
	}
	inc.record(o.URL, e)
	inc.skipped.Add(1)
	if r == nil {
		return true, nil
	}
	// The page was the body's consumer: the search index still needs its
	// text (from the cache, or converted), and the feeds its release.
	if err := b.bodies.skip(r); err != nil {
		return false, err
	}
	if res.Texts != nil && r.SearchText() != "" {
		res.Texts[textIdx[r]], res.TextSums[textIdx[r]] = e.Text, [32]byte{}
	}
	return true, nil
}

// dirCache creates each output folder once, without serialising writers
// behind one lock: each folder has its own once.
type dirCache struct {
	made     sync.Map    // dir → *dirOnce
	compress *compressor // nil: no precompressed copies
	// recycled: root is a recycled staging folder, whose files are
	// replaced, never written in place (clear).
	root     string
	recycled bool
}

type dirOnce struct {
	once sync.Once
	err  error
}

func (d *dirCache) mkdir(dir string) error {
	v, _ := d.made.LoadOrStore(dir, &dirOnce{})
	o := v.(*dirOnce)
	o.once.Do(func() {
		if d.recycled {
			o.err = mkdirRecycled(d.root, dir)
		} else {
			o.err = os.MkdirAll(dir, 0o755)
		}
	})
	return o.err
}

// copy streams the file name of fsys into root/rel, checking ctx as it goes.
func (d *dirCache) copy(ctx context.Context, fsys fs.FS, name, root, rel string) (int64, error) {
	return d.copyTee(ctx, fsys, name, root, rel, nil)
}

// copyTee is copy, also writing the bytes to t unless t is nil.
func (d *dirCache) copyTee(ctx context.Context, fsys fs.FS, name, root, rel string, t io.Writer) (int64, error) {
	full := filepath.Join(root, rel)
	if err := d.mkdir(filepath.Dir(full)); err != nil {
		return 0, fmt.Errorf("write %s: %w", rel, err)
	}
	if err := d.clear(full); err != nil {
		return 0, err
	}
	f, err := os.OpenFile(full, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return 0, fmt.Errorf("write %s: %w", rel, err)
	}
	bw := bufio.NewWriterSize(f, 256<<10)
	var w io.Writer = bw
	if t != nil {
		w = io.MultiWriter(bw, t)
	}
	n, err := copyFile(ctx, fsys, name, w)
	if err == nil {
		err = bw.Flush()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return n, err
}

func (d *dirCache) write(root, rel string, data []byte) (int64, error) {
	full := filepath.Join(root, rel)
	if err := d.mkdir(filepath.Dir(full)); err != nil {
		return 0, fmt.Errorf("write %s: %w", rel, err)
	}
	if d.recycled {
		if err := d.clear(full); err != nil {
			return 0, err
		}
		if err := writeNew(full, data); err != nil {
			return 0, fmt.Errorf("write %s: %w", rel, err)
		}
	} else if err := os.WriteFile(full, data, 0o644); err != nil {
		return 0, fmt.Errorf("write %s: %w", rel, err)
	}
	return int64(len(data)), d.compress.write(root, rel, data)
}

// attachments returns the files referenced by published records and the
// site's application form, one per site path; nothing else under content/
// is copied.
func (b *Build) attachments() []*Attachment {
	set := map[string]*Attachment{}
	if f := b.Site.ApplicationForm; f != nil {
		set[f.URL] = f
	}
	for _, r := range b.Published {
		for _, a := range r.H().Attached {
			set[a.URL] = a
		}
	}
	out := make([]*Attachment, 0, len(set))
	for _, p := range slices.Sorted(maps.Keys(set)) {
		out = append(out, set[p])
	}
	return out
}

// manifest lists every URL the build published, so the next check can
// tell when one disappears without a redirect: pages, redirects and
// withdrawn pages.
func manifest(urls []string, redirects []Redirect, withdrawn []Withdrawn) []string {
	all := slices.Clone(urls)
	for _, r := range redirects {
		all = append(all, r.From)
	}
	for _, w := range withdrawn {
		all = append(all, w.URL)
	}
	slices.Sort(all)
	return slices.Compact(all)
}

// withdrawnPages returns the notice served at each withdrawn URL. It shows
// the date only: not the title or anything else of the record.
func (b *Build) withdrawnPages(ws []Withdrawn) []Output {
	var outs []Output
	for _, w := range ws {
		outs = append(outs, Output{URL: w.URL, NoSitemap: true, Page: &Page{Template: "withdrawn.html",
			Title: b.Theme.T("withdrawn_title"), NoIndex: true, Data: w}})
	}
	return outs
}

// sitemapMax is the most URLs one sitemap file may list (the protocol's limit).
const sitemapMax = 50000

// sitemaps writes sitemap.xml: a single urlset, or, past sitemapMax URLs, a
// sitemap index pointing at sitemap-1.xml, sitemap-2.xml, …. mods gives
// each URL's lastmod, when known.
func (b *Build) sitemaps(urls []string, mods map[string]time.Time) map[string][]byte {
	out := map[string][]byte{}
	if len(urls) <= sitemapMax {
		out["/sitemap.xml"] = b.urlset(urls, mods)
		return out
	}
	var idx bytes.Buffer
	idx.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for i := 0; i*sitemapMax < len(urls); i++ {
		name := "/sitemap-" + strconv.Itoa(i+1) + ".xml"
		part := urls[i*sitemapMax : min((i+1)*sitemapMax, len(urls))]
		out[name] = b.urlset(part, mods)
		idx.WriteString("<sitemap><loc>")
		template.HTMLEscape(&idx, []byte(b.Site.AbsURL(name)))
		idx.WriteString("</loc>")
		var newest time.Time
		for _, u := range part {
			if t := mods[u]; t.After(newest) {
				newest = t
			}
		}
		writeLastMod(&idx, newest)
		idx.WriteString("</sitemap>\n")
	}
	idx.WriteString("</sitemapindex>\n")
	out["/sitemap.xml"] = idx.Bytes()
	return out
}

func (b *Build) urlset(urls []string, mods map[string]time.Time) []byte {
	var bw bytes.Buffer
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, u := range urls {
		bw.WriteString("<url><loc>")
		template.HTMLEscape(&bw, []byte(b.Site.AbsURL((&url.URL{Path: u}).EscapedPath())))
		bw.WriteString("</loc>")
		writeLastMod(&bw, mods[u])
		bw.WriteString("</url>\n")
	}
	bw.WriteString("</urlset>\n")
	return bw.Bytes()
}

// writeLastMod writes <lastmod> with the day of t in +08:00, unless t is zero.
func writeLastMod(w *bytes.Buffer, t time.Time) {
	if t.IsZero() {
		return
	}
	w.WriteString("<lastmod>")
	w.WriteString(t.In(China).Format("2006-01-02"))
	w.WriteString("</lastmod>")
}

// lastMod returns when what page p shows last changed: for a record, its
// last change (lastChange); for a list, the latest change of a record it
// lists; else its Modified or publication date. Zero when unknown.
// changed keeps the records' last changes already found (a record is on
// many lists).
func (b *Build) lastMod(p *Page, changed map[*Record]time.Time) time.Time {
	last := func(r *Record) time.Time {
		t, ok := changed[r]
		if !ok {
			t = b.lastChange(r)
			changed[r] = t
		}
		return t
	}
	if !p.Modified.IsZero() {
		return p.Modified
	}
	if p.Record != nil {
		return last(p.Record)
	}
	if p.List != nil && len(p.List.Items) > 0 {
		var t time.Time
		for _, r := range p.List.Items {
			if c := last(r); c.After(t) {
				t = c
			}
		}
		return t
	}
	return p.PubDate
}

// lastChange returns when the record's page last changed, as far as the
// content tells (Entry.Changed) and, with revision_history on, its last
// commit; dates after the build date do not count.
func (b *Build) lastChange(r *Record) time.Time {
	limit := b.Date.AddDate(0, 0, 1)
	t := r.Entry.Changed(limit)
	if u := b.lastRevision(r); u.After(t) && u.Before(limit) {
		t = u
	}
	return t
}
