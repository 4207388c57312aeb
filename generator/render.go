package generator

import (
	"bufio"
	"bytes"
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
	// Previous is the folder of the previous live output (public/), whose
	// feeds/state.json keeps feed entries' updated dates stable; empty for
	// a first build.
	Previous string
	Logger   *slog.Logger
}

// Result summarises a render.
type Result struct {
	Files int
	Bytes int64
	// URLs lists every published page URL (site paths), sorted.
	URLs []string
	// Texts holds the plain body text of Content.Published[i] when
	// Options.CollectText is set.
	Texts []string
}

// Build is what kinds see while they plan their outputs.
type Build struct {
	*Content
	Theme *Theme
	// Previous is Options.Previous.
	Previous string
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
	Build       *Build
	Feeds       []FeedLink
	NoIndex     bool
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
	b := &Build{Content: c, Theme: opts.Theme, Previous: opts.Previous}
	outs := b.plan()
	// Every page URL must be unique; a clash would silently overwrite.
	seen := make(map[string]bool, len(outs))
	for _, o := range outs {
		if seen[o.URL] {
			return nil, fmt.Errorf("two outputs share the URL %s", o.URL)
		}
		seen[o.URL] = true
	}
	res := &Result{}
	if opts.CollectText {
		res.Texts = make([]string, len(c.Published))
	}
	textIdx := make(map[*Record]int, len(c.Published))
	for i, r := range c.Published {
		textIdx[r] = i
	}
	md := newMarkdown(c.Site.UnsafeHTML)
	var files, nbytes atomic.Int64
	dirs := &dirCache{}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	bufs := sync.Pool{New: func() any { return new(bytes.Buffer) }}
	for _, o := range outs {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			buf := bufs.Get().(*bytes.Buffer)
			defer bufs.Put(buf)
			buf.Reset()
			if err := b.renderOne(o, md, buf, res, textIdx); err != nil {
				return fmt.Errorf("render %s: %w", o.URL, err)
			}
			n, err := dirs.write(opts.Out, outputFile(o.URL), buf.Bytes())
			if err != nil {
				return err
			}
			files.Add(1)
			nbytes.Add(n)
			return nil
		})
	}
	// Static files, attachments and extras.
	for p, data := range opts.Theme.static {
		g.Go(func() error {
			n, err := dirs.write(opts.Out, outputFile(p), data)
			files.Add(1)
			nbytes.Add(n)
			return err
		})
	}
	for _, a := range b.attachments() {
		g.Go(func() error {
			data, err := fs.ReadFile(c.fsys, "content"+a)
			if err != nil {
				return fmt.Errorf("copy attachment: %w", err)
			}
			n, err := dirs.write(opts.Out, outputFile(a), data)
			files.Add(1)
			nbytes.Add(n)
			return err
		})
	}
	for p, data := range opts.Extra {
		g.Go(func() error {
			n, err := dirs.write(opts.Out, outputFile(p), data)
			files.Add(1)
			nbytes.Add(n)
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for _, o := range outs {
		if o.Page != nil && !o.NoSitemap {
			res.URLs = append(res.URLs, o.URL)
		}
	}
	slices.Sort(res.URLs)
	var manifest bytes.Buffer
	if err := writeManifest(&manifest, res.URLs, c.Redirects); err != nil {
		return nil, err
	}
	final := b.sitemaps(res.URLs)
	final["/"+ManifestFile] = manifest.Bytes()
	for _, p := range slices.Sorted(maps.Keys(final)) {
		n, err := dirs.write(opts.Out, outputFile(p), final[p])
		if err != nil {
			return nil, err
		}
		files.Add(1)
		nbytes.Add(n)
	}
	res.Files, res.Bytes = int(files.Load()), nbytes.Load()
	log.Info("rendered", "files", res.Files, "bytes", res.Bytes)
	return res, nil
}

func (b *Build) renderOne(o Output, md *markdown, buf *bytes.Buffer, res *Result, textIdx map[*Record]int) error {
	if o.Write != nil {
		return o.Write(buf)
	}
	p := o.Page
	p.URL, p.Site, p.Build = o.URL, b.Site, b
	if p.Column == "" && p.Record != nil {
		p.Column = b.Theme.T(p.Record.Kind.Column)
	}
	p.Feeds = append(p.Feeds, b.feedsFor(p)...)
	if r := p.Record; r != nil {
		var tb *strings.Builder
		if res.Texts != nil {
			tb = &strings.Builder{}
		}
		var body bytes.Buffer
		if err := md.render(r.Body, &body, tb); err != nil {
			return fmt.Errorf("%s:%d: markdown: %w", r.Path, r.BodyLine, err)
		}
		p.Content = template.HTML(body.String()) //nolint:gosec // goldmark output, raw HTML off unless the site allows it
		if tb != nil {
			res.Texts[textIdx[r]] = tb.String()
		}
	}
	return b.Theme.Execute(buf, p.Template, p)
}

// feedsFor returns the feeds announced on a page with <link rel="alternate">.
func (b *Build) feedsFor(p *Page) []FeedLink {
	return feedLinks(b.pageFeeds(p))
}

// dirCache creates each output folder once, without serialising writers
// behind one lock: each folder has its own once.
type dirCache struct {
	made sync.Map // dir → *dirOnce
}

type dirOnce struct {
	once sync.Once
	err  error
}

func (d *dirCache) mkdir(dir string) error {
	v, _ := d.made.LoadOrStore(dir, &dirOnce{})
	o := v.(*dirOnce)
	o.once.Do(func() { o.err = os.MkdirAll(dir, 0o755) })
	return o.err
}

func (d *dirCache) write(root, rel string, data []byte) (int64, error) {
	full := filepath.Join(root, rel)
	if err := d.mkdir(filepath.Dir(full)); err != nil {
		return 0, fmt.Errorf("write %s: %w", rel, err)
	}
	if err := os.WriteFile(full, data, 0o644); err != nil {
		return 0, fmt.Errorf("write %s: %w", rel, err)
	}
	return int64(len(data)), nil
}

// attachments returns the site paths of files referenced by published
// records; nothing else under content/ is copied.
func (b *Build) attachments() []string {
	set := map[string]bool{}
	if f := b.Site.ApplicationForm; f != nil {
		set[f.URL] = true
	}
	for _, r := range b.Published {
		for _, a := range r.H().Attached {
			set[a.URL] = true
		}
	}
	out := make([]string, 0, len(set))
	for p := range set {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

// ManifestFile lists every URL the build published, so the next check can
// tell when one disappears without a redirect.
const ManifestFile = "gongkai-urls.txt"

func writeManifest(w io.Writer, urls []string, redirects []Redirect) error {
	bw := bufio.NewWriter(w)
	all := slices.Clone(urls)
	for _, r := range redirects {
		all = append(all, r.From)
	}
	slices.Sort(all)
	for _, u := range slices.Compact(all) {
		bw.WriteString(u)
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// sitemapMax is the most URLs one sitemap file may list (the protocol's limit).
const sitemapMax = 50000

// sitemaps writes sitemap.xml: a single urlset, or, past sitemapMax URLs, a
// sitemap index pointing at sitemap-1.xml, sitemap-2.xml, ….
func (b *Build) sitemaps(urls []string) map[string][]byte {
	out := map[string][]byte{}
	if len(urls) <= sitemapMax {
		out["/sitemap.xml"] = b.urlset(urls)
		return out
	}
	var idx bytes.Buffer
	idx.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for i := 0; i*sitemapMax < len(urls); i++ {
		name := "/sitemap-" + strconv.Itoa(i+1) + ".xml"
		out[name] = b.urlset(urls[i*sitemapMax : min((i+1)*sitemapMax, len(urls))])
		idx.WriteString("<sitemap><loc>")
		template.HTMLEscape(&idx, []byte(b.Site.AbsURL(name)))
		idx.WriteString("</loc></sitemap>\n")
	}
	idx.WriteString("</sitemapindex>\n")
	out["/sitemap.xml"] = idx.Bytes()
	return out
}

func (b *Build) urlset(urls []string) []byte {
	var bw bytes.Buffer
	bw.WriteString(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + `<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">` + "\n")
	for _, u := range urls {
		bw.WriteString("<url><loc>")
		template.HTMLEscape(&bw, []byte(b.Site.AbsURL((&url.URL{Path: u}).EscapedPath())))
		bw.WriteString("</loc></url>\n")
	}
	bw.WriteString("</urlset>\n")
	return bw.Bytes()
}
