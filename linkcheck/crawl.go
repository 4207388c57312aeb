package linkcheck

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"path"
	"strings"
)

// crawled is a page of the site fetched and parsed by the crawler.
type crawled struct {
	url   *url.URL // as linked
	final *url.URL // after redirects
	page  *page
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
// fetches pages of the start URL's host breadth-first within MaxDepth and
// MaxPages, then checks every link found.
func (c *checker) crawl(ctx context.Context) (*Report, error) {
	start, err := parseURL(cleanLink(c.cfg.Target))
	if err != nil {
		return nil, fmt.Errorf("start URL %q: %w", c.cfg.Target, err)
	}
	normalizeURL(start)
	site := &url.URL{Scheme: start.Scheme, Host: start.Host, Path: "/"}
	rep := &Report{Mode: "http", Target: c.cfg.Target, BaseURL: site.String(), Home: iri(start)}

	var rules *robots
	if !c.cfg.IgnoreRobots {
		if rules, err = c.fetchRobots(ctx, site); err != nil {
			return nil, err
		}
		if !rules.allowed(requestPath(start)) {
			return nil, fmt.Errorf("robots.txt of %s disallows %s (use --ignore-robots to check anyway)", site.Host, start)
		}
	}
	seen := map[string]bool{start.String(): true}
	frontier := []*url.URL{start}
	var sitemapOccs []occurrence
	for _, loc := range c.sitemapLocs(ctx, site, rules) {
		if !sameSite(loc.t.URL, site) || !rules.allowed(requestPath(loc.t.URL)) || c.ex.match(loc.t.URL.String()) {
			continue
		}
		sitemapOccs = append(sitemapOccs, loc)
		if k := loc.t.URL.String(); !seen[k] && crawlable(loc.t.URL) {
			seen[k] = true
			frontier = append(frontier, loc.t.URL)
		}
	}

	results := make(map[string]*result)
	var pages []crawled
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
			if err != nil || !sameSite(final, site) || parsed[final.String()] {
				continue // off the site, or reached already through another URL
			}
			parsed[final.String()] = true
			if u.String() == start.String() {
				rep.Home = iri(final)
			}
			pages = append(pages, crawled{url: u, final: final, page: r.Page})
			c.prog.page()
			if depth >= c.cfg.MaxDepth {
				continue
			}
			base := linkBase(final, r.Page)
			for _, l := range r.Page.Links {
				t := resolveLink(base, l.Raw)
				if t.Kind != targetHTTP || !sameSite(t.URL, site) || !crawlable(t.URL) {
					continue
				}
				k := t.URL.String()
				if seen[k] || c.ex.match(k) || !rules.allowed(requestPath(t.URL)) {
					continue
				}
				seen[k] = true
				next = append(next, t.URL)
			}
		}
		frontier = next
	}
	rep.Stats.Pages = len(pages)

	// Every link of every crawled page, and every sitemap entry.
	var occs []occurrence
	for _, p := range pages {
		name := iri(p.final)
		rep.Findings = append(rep.Findings, pageFindings(name, p.page)...)
		base := linkBase(p.final, p.page)
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
			internal := sameSite(t.URL, site)
			if c.ex.match(t.URL.String()) || internal && !rules.allowed(requestPath(t.URL)) || !internal && !c.cfg.External {
				rep.Stats.Skipped++
				continue
			}
			rep.Stats.Links++
			occs = append(occs, occurrence{page: name, link: l, t: t, internal: internal})
		}
		c.prog.link(len(p.page.Links))
	}
	occs = append(occs, sitemapOccs...)

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

// sitemapLocs reads the sitemaps named by robots.txt and /sitemap.xml,
// following sitemap indexes, and returns their entries as links of the
// sitemap that lists them.
func (c *checker) sitemapLocs(ctx context.Context, site *url.URL, rules *robots) []occurrence {
	var queue []string
	if rules != nil {
		queue = append(queue, rules.Sitemaps...)
	}
	queue = append(queue, site.ResolveReference(&url.URL{Path: "/sitemap.xml"}).String())
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
		if seen[u.String()] || !sameSite(u, site) {
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
