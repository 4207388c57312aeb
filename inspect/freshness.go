package inspect

import (
	"net/url"
	"strings"
)

// HomeColumn is the name findings about the home page carry.
const HomeColumn = "首页"

// newest returns the newest published (not scheduled) record of rs.
func newest(rs []*Record) *Record {
	var n *Record
	for _, r := range rs {
		if r.Scheduled {
			continue
		}
		if n == nil || r.Published.After(n.Published) || (r.Published.Equal(n.Published) && r.Path < n.Path) {
			n = r
		}
	}
	return n
}

func scheduledCount(rs []*Record) int {
	n := 0
	for _, r := range rs {
		if r.Scheduled {
			n++
		}
	}
	return n
}

// checkFreshness runs FRESH-HOME, FRESH-COLUMN, FRESH-EMPTY, FRESH-NAV and
// FRESH-UNDATED.
func checkFreshness(s *Site, c *collector) {
	cfg := s.Config
	var all []*Record
	for _, col := range s.Columns {
		all = append(all, col.Records...)
	}
	if age := cfg.HomeMaxAge; !age.None && len(s.Columns) > 0 {
		if n := newest(all); n == nil {
			c.column("FRESH-HOME", HomeColumn, "shows no published record (首页不更新)")
		} else if n.Published.Before(age.Cutoff(s.Date)) {
			c.column("FRESH-HOME", HomeColumn, "the newest record, %s, was published %s, more than %s before %s (首页不更新)",
				n.Path, day(n.Published), age, day(s.Date))
		}
	}

	// Empty columns are blamed on the navigation entry leading to them,
	// when there is one.
	navOf := map[string]*NavEntry{}
	for _, n := range s.Nav {
		if p, ok := s.SitePath(n.URL); ok && navOf[p] == nil {
			navOf[p] = n
		}
	}
	for _, col := range s.Columns {
		n := newest(col.Records)
		if n == nil {
			msg := "has no published record (空白栏目)"
			if k := scheduledCount(col.Records); k > 0 {
				msg = "has no published record yet (空白栏目); " + plural(k, "record") + " scheduled"
			}
			if nav := navOf[col.URL]; nav != nil {
				c.at("FRESH-EMPTY", s.ConfigPath, nav.Line, "navigation entry %s leads to column %s, which %s", nav.Title, col.Name, msg)
			} else {
				c.column("FRESH-EMPTY", col.Name, "%s", msg)
			}
			continue
		}
		age := cfg.ColumnAge(col)
		if !age.None && n.Published.Before(age.Cutoff(s.Date)) {
			c.column("FRESH-COLUMN", col.Name, "the newest record, %s, was published %s, more than %s before %s (栏目不更新)",
				n.Path, day(n.Published), age, day(s.Date))
		}
	}

	for _, n := range s.Nav {
		p, ok := s.SitePath(n.URL)
		if !ok || s.URLs == nil {
			continue // another site, or no list of outputs to check against
		}
		if !s.hasPath(p) {
			c.at("FRESH-NAV", s.ConfigPath, n.Line, "navigation entry %s leads to %s, which no build writes", n.Title, n.URL)
		}
	}

	for _, pg := range s.Pages {
		switch {
		case pg.Date.IsZero():
			c.at("FRESH-UNDATED", pg.Path, pg.Line, "%s (%s) shows no date; inspectors count an undated page as never updated", pg.Name, pg.URL)
		case !cfg.GuideMaxAge.None && pg.Date.Before(cfg.GuideMaxAge.Cutoff(s.Date)):
			c.at("FRESH-COLUMN", pg.Path, pg.Line, "%s was last updated %s, more than %s before %s (栏目不更新)",
				pg.Name, day(pg.Date), cfg.GuideMaxAge, day(s.Date))
		}
	}
}

// SitePath returns the site path of an internal URL ("/x/", or the base URL
// followed by a path); ok is false for links to other sites and schemes.
func (s *Site) SitePath(u string) (string, bool) {
	u = strings.TrimSpace(u)
	if strings.HasPrefix(u, "/") && !strings.HasPrefix(u, "//") {
		p, err := url.Parse(u)
		if err != nil {
			return "", false
		}
		return p.Path, true
	}
	if s.BaseURL == "" {
		return "", false
	}
	base, err := url.Parse(s.BaseURL)
	if err != nil {
		return "", false
	}
	p, err := url.Parse(u)
	if err != nil || p.Host == "" || !strings.EqualFold(p.Host, base.Host) || (p.Scheme != "http" && p.Scheme != "https") {
		return "", false
	}
	if p.Path == "" {
		return "/", true
	}
	return p.Path, true
}

// hasPath reports whether a build writes the site path p (a folder path
// "/x/" stands for its index page).
func (s *Site) hasPath(p string) bool {
	if s.URLs[p] {
		return true
	}
	if strings.HasSuffix(p, "/index.html") && s.URLs[strings.TrimSuffix(p, "index.html")] {
		return true
	}
	if !strings.HasSuffix(p, "/") && s.URLs[p+"/"] {
		return true
	}
	return false
}
