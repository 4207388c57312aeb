package linkcheck

import (
	"context"
	"fmt"
	"hash/fnv"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"
)

// crawled is a page of the site fetched and parsed by the crawler, with
// every address that served it.
type crawled struct {
	// addrs are the final URLs (after redirects) that served the page, in
	// the order the crawler met them.
	addrs []*url.URL
	// declared is the canonical URL the page declares, when it is on the
	// site.
	declared *url.URL
	// print fingerprints what the checker reports about the page.
	print uint64
	page  *page
}

// name returns the address a page is reported under: the canonical URL it
// declares when the crawler fetched it there, else its simplest address.
func (p *crawled) name() *url.URL {
	best := p.addrs[0]
	for _, a := range p.addrs {
		if p.declared != nil && a.String() == p.declared.String() {
			return a
		}
		if simpler(a, best) {
			best = a
		}
	}
	return best
}

// simpler reports whether address a is simpler than b: no query first,
// then shorter, then first in order.
func simpler(a, b *url.URL) bool {
	if (a.RawQuery == "") != (b.RawQuery == "") {
		return a.RawQuery == ""
	}
	as, bs := a.String(), b.String()
	if len(as) != len(bs) {
		return len(as) < len(bs)
	}
	return as < bs
}

// occurrence is one link waiting for its HTTP result.
type occurrence struct {
	page     string
	link     link
	t        target
	internal bool
}

// maxSitemaps bounds the sitemaps (and sitemap indexes) read.
const maxSitemaps = 50

// crawl checks a deployed site: it reads robots.txt and the sitemaps,
// fetches pages of the start URL's host (under the base path)
// breadth-first within MaxDepth and MaxPages, then checks every link
// found. A page served under several addresses (/ and /index.html, query
// variants, the canonical URL it declares) is parsed and reported once.
func (c *checker) crawl(ctx context.Context) (*Report, error) {
	start, err := parseURL(cleanLink(c.cfg.Target))
	if err != nil {
		return nil, fmt.Errorf("start URL %q: %w", c.cfg.Target, err)
	}
	normalizeURL(start)
	sc, err := newCrawlScope(start, c.cfg)
	if err != nil {
		return nil, err
	}
	c.sc, c.f.ownHost, c.f.ownPath = sc, start.Host, sc.root.Path
	hostRoot := &url.URL{Scheme: start.Scheme, Host: start.Host, Path: "/"}
	rep := &Report{Mode: "http", Target: c.cfg.Target, BaseURL: c.publicRoot(), Home: iri(start)}

	var rules *robots
	if !c.cfg.IgnoreRobots {
		if rules, err = c.fetchRobots(ctx, hostRoot); err != nil {
			return nil, err
		}
		if !rules.allowed(requestPath(start)) {
			return nil, fmt.Errorf("robots.txt of %s disallows %s (use --ignore-robots to check anyway)", start.Host, start)
		}
	}
	seen := map[string]bool{start.String(): true}
	frontier := []*url.URL{start}
	var sitemapOccs []occurrence
	for _, loc := range c.sitemapLocs(ctx, rules) {
		u, where := sc.locate(loc.t.URL)
		if where == external || c.ex.match(u.String()) {
			continue
		}
		if where == outside {
			sitemapOccs = append(sitemapOccs, loc)
			continue
		}
		if !rules.allowed(requestPath(u)) {
			continue
		}
		loc.t.URL = u
		sitemapOccs = append(sitemapOccs, loc)
		if k := u.String(); !seen[k] && crawlable(u) && !sc.isDynamic(u) {
			seen[k] = true
			frontier = append(frontier, u)
		}
	}

	results := make(map[string]*result)
	var (
		pages []*crawled
		home  *crawled
	)
	byKey := make(map[string][]*crawled)
	parsed := make(map[string]bool) // final URLs of the pages parsed
	budget := c.cfg.MaxPages
	for depth := 0; len(frontier) > 0 && budget > 0; depth++ {
		if len(frontier) > budget {
			frontier = frontier[:budget]
		}
		budget -= len(frontier)
		reqs := make([]checkRequest, len(frontier))
		for i, u := range frontier {
			reqs[i] = checkRequest{URL: u, Page: true}
		}
		res, err := c.f.checkAll(ctx, reqs)
		if err != nil {
			return nil, err
		}
		var next []*url.URL
		for i, u := range frontier {
			r := res[i]
			results[u.String()] = r
			if r.Page == nil || !r.ok() {
				continue
			}
			final, err := url.Parse(r.Final)
			if err != nil {
				continue
			}
			if _, where := sc.locate(final); where != inside || parsed[final.String()] {
				continue // off the site, or reached already through another URL
			}
			parsed[final.String()] = true
			p := c.identify(final, r.Page, byKey)
			if u.String() == start.String() {
				home = p
			}
			if len(p.addrs) > 1 {
				continue // the same page under another address: its links are followed already
			}
			pages = append(pages, p)
			c.prog.page()
			if depth >= c.cfg.MaxDepth {
				continue
			}
			base := linkBase(final, r.Page)
			for _, l := range r.Page.Links {
				t := resolveLink(base, l.Raw)
				if t.Kind != targetHTTP {
					continue
				}
				tu, where := sc.locate(t.URL)
				// The search service's pages are checked, not crawled: their
				// facets and pagers are an endless space of URLs.
				if where != inside || !crawlable(tu) || sc.isDynamic(tu) {
					continue
				}
				k := tu.String()
				if seen[k] || c.ex.match(k) || !rules.allowed(requestPath(tu)) {
					continue
				}
				seen[k] = true
				next = append(next, tu)
			}
		}
		frontier = next
	}
	rep.Stats.Pages = len(pages)
	if home != nil {
		rep.Home = iri(home.name())
	}

	// Every link of every crawled page, and every sitemap entry.
	var occs []occurrence
	for _, p := range pages {
		self := p.name()
		name := iri(self)
		if len(p.addrs) > 1 {
			if rep.Aliases == nil {
				rep.Aliases = make(map[string][]string)
			}
			for _, a := range p.addrs {
				if a != self {
					rep.Aliases[name] = append(rep.Aliases[name], iri(a))
				}
			}
			slices.Sort(rep.Aliases[name])
		}
		rep.Findings = append(rep.Findings, pageFindings(name, p.page)...)
		base := linkBase(self, p.page)
		for _, l := range p.page.Links {
			t := resolveLink(base, l.Raw)
			switch t.Kind {
			case targetSkip:
				rep.Stats.Skipped++
				continue
			case targetMail, targetTel, targetInvalid:
				rep.Stats.Links++
				rep.Findings = append(rep.Findings, c.schemeFindings(name, l, t)...)
				continue
			}
			u, where := sc.locate(t.URL)
			if c.ex.match(t.URL.String()) || c.ex.match(u.String()) ||
				where == inside && !rules.allowed(requestPath(u)) || where == external && !c.cfg.External {
				rep.Stats.Skipped++
				continue
			}
			rep.Stats.Links++
			if where == outside {
				rep.Findings = append(rep.Findings, c.outsideFinding(name, l, t))
				continue
			}
			t.URL = u
			occs = append(occs, occurrence{page: name, link: l, t: t, internal: where == inside})
		}
		c.prog.link(len(p.page.Links))
	}
	for _, o := range sitemapOccs {
		if _, where := sc.locate(o.t.URL); where == outside {
			rep.Findings = append(rep.Findings, c.outsideFinding(o.page, o.link, o.t))
			continue
		}
		occs = append(occs, o)
	}

	// Check the targets the crawl did not fetch, once each.
	index := make(map[string]int)
	var reqs []checkRequest
	for _, o := range occs {
		k := o.t.URL.String()
		if results[k] != nil {
			continue
		}
		i, ok := index[k]
		if !ok {
			i = len(reqs)
			index[k] = i
			reqs = append(reqs, checkRequest{URL: o.t.URL, External: !o.internal})
		}
		if c.wantsFragment(o.t) {
			reqs[i].Page = true
		}
	}
	res, err := c.f.checkAll(ctx, reqs)
	if err != nil {
		return nil, err
	}
	for i, rq := range reqs {
		results[rq.URL.String()] = res[i]
	}
	rep.Stats.Targets = len(results)

	for _, o := range occs {
		k := o.t.URL.String()
		rep.Findings = append(rep.Findings, c.httpFindings(o.page, iri(o.t.URL), o.link, o.t, results[k])...)
	}
	if r := results[start.String()]; r != nil && !r.ok() {
		home := occurrence{page: iri(start), link: link{Raw: c.cfg.Target, Source: "start URL"}, t: target{Kind: targetHTTP, URL: start}}
		rep.Findings = append(rep.Findings, c.httpFindings(home.page, iri(start), home.link, home.t, r)...)
	}
	return rep, nil
}

// identify returns the crawled page that the page p, fetched at final,
// is: an earlier one when p has the same canonical address (the canonical
// URL it declares on the site, else final without its query and index
// file name) and reports exactly the same (its links resolve to the same
// targets on the same lines, with the same ids and charset), else a new
// one. byKey holds the pages met so far by canonical address.
func (c *checker) identify(final *url.URL, p *page, byKey map[string][]*crawled) *crawled {
	key, declared := addressKey(final), (*url.URL)(nil)
	if p.Canonical != "" {
		t := resolveLink(linkBase(final, p), p.Canonical)
		if t.Kind == targetHTTP {
			if u, where := c.sc.locate(t.URL); where == inside {
				// A declared canonical URL keeps its query: on a dynamic
				// site the query may be what names the page.
				key, declared = u.String(), u
				if u.RawQuery == "" {
					key = addressKey(u)
				}
			}
		}
	}
	fp := reportPrint(linkBase(final, p), p)
	for _, e := range byKey[key] {
		if e.print == fp {
			e.addrs = append(e.addrs, final)
			return e
		}
	}
	e := &crawled{addrs: []*url.URL{final}, declared: declared, print: fp, page: p}
	byKey[key] = append(byKey[key], e)
	return e
}

// reportPrint fingerprints what the checker reports about page p whose
// links resolve against base: every link resolved, with its line, source
// and spelling; the duplicate ids; the charset problem. Two addresses of a
// page with the same fingerprint yield the same findings.
func reportPrint(base *url.URL, p *page) uint64 {
	h := fnv.New64a()
	for _, l := range p.Links {
		t := resolveLink(base, l.Raw)
		s := l.Raw
		if t.Kind == targetHTTP {
			s = t.URL.String() + "#" + t.Fragment
		}
		fmt.Fprintf(h, "%s\x00%s\x00%d\x00%s\x00", s, l.Source, l.Line, l.Raw)
	}
	dup := p.duplicateIDs()
	slices.Sort(dup)
	for _, id := range dup {
		fmt.Fprintf(h, "id\x00%s\x00%d\x00", id, p.IDs[id])
	}
	fmt.Fprintf(h, "charset\x00%s", p.CharsetProblem)
	return h.Sum64()
}

// fetchRobots reads the site's robots.txt. A missing one (4xx) allows
// everything; one that cannot be read (5xx, network error) stops the
// crawl, as RFC 9309 asks.
func (c *checker) fetchRobots(ctx context.Context, site *url.URL) (*robots, error) {
	u := site.ResolveReference(&url.URL{Path: "/robots.txt"})
	ch, err := c.f.follow(ctx, http.MethodGet, u, 1<<20)
	if err != nil {
		return nil, err
	}
	switch {
	case ch.err != "":
		return nil, fmt.Errorf("read %s: %s (use --ignore-robots to crawl anyway)", u, ch.err)
	case ch.resp.status >= 500 || ch.rateLimited:
		return nil, fmt.Errorf("read %s: HTTP %d (use --ignore-robots to crawl anyway)", u, ch.resp.status)
	case ch.resp.status >= 400:
		return nil, nil
	case ch.resp.status != http.StatusOK:
		return nil, nil
	}
	return parseRobots(string(ch.resp.body), c.cfg.UserAgent), nil
}

// sitemapLocs reads the sitemaps under the site's root (sitemap.xml and
// those robots.txt names there), following sitemap indexes, and returns
// their entries as links of the sitemap that lists them. When the site is
// one column of a portal, the sitemaps outside its base path are the
// portal's and are not read.
func (c *checker) sitemapLocs(ctx context.Context, rules *robots) []occurrence {
	var queue []string
	if rules != nil {
		queue = append(queue, rules.Sitemaps...)
	}
	queue = append(queue, c.sc.root.ResolveReference(&url.URL{Path: "sitemap.xml"}).String())
	seen := make(map[string]bool)
	var out []occurrence
	for n := 0; len(queue) > 0 && n < maxSitemaps; {
		raw := queue[0]
		queue = queue[1:]
		u, err := parseURL(cleanLink(raw))
		if err != nil || u.Host == "" {
			continue
		}
		normalizeURL(u)
		u, where := c.sc.locate(u)
		if seen[u.String()] || where != inside {
			continue
		}
		seen[u.String()] = true
		n++
		ch, err := c.f.follow(ctx, http.MethodGet, u, c.cfg.MaxBodyBytes)
		if err != nil || ch.err != "" || ch.resp.status != http.StatusOK {
			c.log.DebugContext(ctx, "no sitemap", "url", u.String())
			continue
		}
		doc, err := parseSitemap(ch.resp.body)
		if err != nil {
			c.log.WarnContext(ctx, "bad sitemap", "url", u.String(), "err", err)
			continue
		}
		queue = append(queue, doc.Sitemaps...)
		for _, loc := range doc.Locs {
			t := resolveLink(u, loc)
			if t.Kind == targetHTTP {
				out = append(out, occurrence{page: iri(u), link: link{Raw: loc, Source: "sitemap loc"}, t: t, internal: true})
			}
		}
	}
	return out
}

// requestPath returns the path and query of u as robots.txt rules see them.
func requestPath(u *url.URL) string {
	p := u.EscapedPath()
	if p == "" {
		p = "/"
	}
	if u.RawQuery != "" {
		p += "?" + u.RawQuery
	}
	return p
}

// pageExts are the extensions of URLs that serve pages worth crawling.
var pageExts = map[string]bool{
	"": true, ".html": true, ".htm": true, ".shtml": true, ".xhtml": true, ".php": true, ".asp": true,
	".aspx": true, ".jsp": true, ".jspx": true, ".do": true, ".action": true, ".cgi": true, ".css": true,
}

// crawlable reports whether u looks like a page or stylesheet, to be
// fetched whole and parsed, rather than an attachment to check only.
func crawlable(u *url.URL) bool {
	return strings.HasSuffix(u.Path, "/") || pageExts[strings.ToLower(path.Ext(u.Path))]
}
