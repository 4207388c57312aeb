package linkcheck

import (
	"fmt"
	"net/url"
	"path"
	"strings"
)

// place says where a URL lies relative to the site being checked.
type place int

const (
	// external: another host.
	external place = iota
	// inside: the site's host (or its public host), under the base path.
	inside
	// outside: the site's host, but outside the base path; on a portal
	// that is another system's page.
	outside
)

// scope says which URLs belong to the site being checked.
type scope struct {
	// root is the URL of the site's root folder, where its pages are read:
	// the base URL (or a placeholder) on disk, the crawled host with the
	// base path over HTTP. Its path ends in "/".
	root *url.URL
	// public is the site's public URL when its host differs from root's
	// (a crawl of a preview with --base-url): links to it are moved onto
	// root's scheme and host.
	public *url.URL
	// dynamic holds the site paths answered by a service (Config.Dynamic).
	dynamic []string
}

// newCrawlScope returns the scope of a crawl starting at start: its host,
// under the path of the base URL when one is given.
func newCrawlScope(start *url.URL, cfg *Config) (*scope, error) {
	sc := &scope{root: &url.URL{Scheme: start.Scheme, Host: start.Host, Path: "/"}, dynamic: cfg.Dynamic}
	if cfg.BaseURL == "" {
		return sc, nil
	}
	pub, err := baseURL(cfg.BaseURL)
	if err != nil {
		return nil, err
	}
	sc.root.Path = pub.Path
	if pub.Host != start.Host {
		sc.public = pub
	}
	if _, where := sc.locate(start); where != inside {
		return nil, fmt.Errorf("start URL %s is outside the base path %s of the base URL %s", iri(start), pub.Path, pub)
	}
	return sc, nil
}

// baseURL parses a --base-url value into a root URL: normalized, without
// query, its path ending in "/".
func baseURL(raw string) (*url.URL, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("base URL %q: %w", raw, err)
	}
	normalizeURL(u)
	u.RawQuery, u.RawPath = "", ""
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	return u, nil
}

// locate returns where u lies and, when it is on the site's public host,
// u moved onto root's scheme and host. u itself is not changed.
func (s *scope) locate(u *url.URL) (*url.URL, place) {
	switch {
	case u.Host == s.root.Host:
	case s.public != nil && u.Host == s.public.Host:
		m := *u
		m.Scheme, m.Host = s.root.Scheme, s.root.Host
		u = &m
	default:
		return u, external
	}
	if sameSite(u, s.root) {
		return u, inside
	}
	return u, outside
}

// isDynamic reports whether u, a URL inside the site, is answered by a
// service rather than by a file (Config.Dynamic). A dynamic path is taken
// relative to the base path (/search is /zfxxgk/search) and, when it is
// written with the base path, from the host's root.
func (s *scope) isDynamic(u *url.URL) bool {
	rel := "/" + strings.TrimPrefix(strings.TrimPrefix(u.Path, s.root.Path), "/")
	for _, d := range s.dynamic {
		if dynamicMatch(d, rel) || s.root.Path != "/" && strings.HasPrefix(d, s.root.Path) && dynamicMatch(d, u.Path) {
			return true
		}
	}
	return false
}

// dynamicMatch reports whether the dynamic path d covers path p: all
// below d when d ends in "/", else d itself and all below it.
func dynamicMatch(d, p string) bool {
	if strings.HasSuffix(d, "/") {
		return strings.HasPrefix(p, d) || p == strings.TrimSuffix(d, "/")
	}
	return p == d || strings.HasPrefix(p, d+"/")
}

// outsideFinding reports link l of page pageName, whose target t leaves
// the base path.
func (c *checker) outsideFinding(pageName string, l link, t target) Finding {
	f := linkFinding(pageName, iri(t.URL), l)
	if t.HasFragment {
		f.Target += "#" + t.Fragment
	}
	f.Kind, f.Severity = KindOutsideBase, Error
	f.Detail = "leaves the base path " + c.sc.root.Path + ": the site lives under " + c.publicRoot()
	c.prog.brokenLink()
	return f
}

// publicRoot names the site's root as readers know it: the public URL
// when there is one.
func (c *checker) publicRoot() string {
	if c.sc.public != nil {
		return iri(c.sc.public)
	}
	return iri(c.sc.root)
}

// indexNames are the file names a server answers for a folder URL.
var indexNames = map[string]bool{"index.html": true, "index.htm": true, "index.shtml": true}

// addressKey returns the address of the page that u names, for telling
// which addresses serve one page: without the query, and a folder's index
// file named by the folder (/news/index.html is /news/).
func addressKey(u *url.URL) string {
	k := *u
	k.RawQuery, k.ForceQuery = "", false
	if indexNames[strings.ToLower(path.Base(k.Path))] && strings.HasSuffix(k.Path, "/"+path.Base(k.Path)) {
		k.Path = strings.TrimSuffix(k.Path, path.Base(k.Path))
		k.RawPath = ""
	}
	return k.String()
}
