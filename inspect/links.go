package inspect

import (
	"net/url"
	"strings"
	"sync"
)

// dynamicPaths are answered by the search service, not by files.
var dynamicPaths = []string{"/search", "/api/"}

// anchorCache holds the ids of each page that links point into, computed
// once per page.
type anchorCache struct {
	s  *Site
	mu sync.Mutex
	m  map[string]map[string]bool
}

func newAnchorCache(s *Site) *anchorCache {
	return &anchorCache{s: s, m: map[string]map[string]bool{}}
}

func (a *anchorCache) has(page, id string) bool {
	a.mu.Lock()
	ids, ok := a.m[page]
	a.mu.Unlock()
	if !ok {
		ids = map[string]bool{}
		for _, t := range a.s.ThemeAnchors {
			ids[t] = true
		}
		if a.s.Anchors != nil {
			for _, t := range a.s.Anchors(page) {
				ids[t] = true
			}
		}
		a.mu.Lock()
		a.m[page] = ids
		a.mu.Unlock()
	}
	return ids[id]
}

// checkLinks runs LINK-INTERNAL and LINK-ANCHOR on a record's links.
func checkLinks(s *Site, r *Record, anchors *anchorCache, c *collector) {
	if s.URLs == nil {
		return
	}
	for _, l := range r.Links {
		raw := strings.TrimSpace(l.URL)
		if raw == "" {
			continue
		}
		u, err := url.Parse(raw)
		if err != nil {
			c.at("LINK-INTERNAL", r.Path, l.Line, "link %q cannot be parsed: %v", raw, err)
			continue
		}
		if u.Scheme != "" && u.Scheme != "http" && u.Scheme != "https" {
			continue // mailto:, tel:
		}
		var p string
		switch {
		case u.Scheme == "" && u.Host == "" && u.Path == "":
			p = r.URL // #fragment on the same page
		case u.Scheme == "" && u.Host == "":
			base, _ := url.Parse(r.URL)
			p = base.ResolveReference(u).Path
		default:
			sp, ok := s.SitePath(raw)
			if !ok {
				continue // another site: check --external
			}
			p = sp
		}
		if isDynamic(p) || (s.Dynamic != nil && s.Dynamic(p)) {
			continue
		}
		if !s.hasPath(p) {
			c.at("LINK-INTERNAL", r.Path, l.Line, "link to %s: no build writes that page", p)
			continue
		}
		if u.Fragment == "" {
			continue
		}
		page := p
		if strings.HasSuffix(page, "/index.html") {
			page = strings.TrimSuffix(page, "index.html")
		}
		if !anchors.has(page, u.Fragment) {
			c.at("LINK-ANCHOR", r.Path, l.Line, "link to %s#%s: the page has no element with id %q", p, u.EscapedFragment(), u.Fragment)
		}
	}
}

func isDynamic(p string) bool {
	for _, d := range dynamicPaths {
		if p == d || strings.HasPrefix(p, d) {
			return true
		}
	}
	return false
}

// checkIdentity runs IDENTITY on the identity fields the site declares.
func checkIdentity(s *Site, c *collector) {
	for _, f := range s.Identity {
		switch {
		case f.Problem != "":
			c.at("IDENTITY", s.ConfigPath, f.Line, "%s (%s): %s", f.Label, f.Key, f.Problem)
		case strings.TrimSpace(f.Value) == "":
			c.at("IDENTITY", s.ConfigPath, f.Line, "%s (%s) is required in the footer and page metadata", f.Label, f.Key)
		}
	}
}
