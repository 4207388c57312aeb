package linkcheck

import (
	"bufio"
	"strings"
)

// robots holds the rules of a robots.txt (RFC 9309) that apply to one user
// agent, and the sitemaps it lists.
type robots struct {
	rules    []robotsRule
	Sitemaps []string
}

type robotsRule struct {
	allow   bool
	pattern string
}

// parseRobots reads robots.txt text and keeps the group for userAgent (the
// most specific product-token match), or the "*" group when none matches.
func parseRobots(text, userAgent string) *robots {
	token := strings.ToLower(userAgent)
	if i := strings.IndexAny(token, "/ "); i >= 0 {
		token = token[:i]
	}
	type group struct {
		agents []string
		rules  []robotsRule
	}
	var (
		groups   []*group
		cur      *group
		inAgents bool
		r        = &robots{}
	)
	sc := bufio.NewScanner(strings.NewReader(text))
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if i := strings.IndexByte(line, '#'); i >= 0 {
			line = line[:i]
		}
		key, val, ok := strings.Cut(line, ":")
		if !ok {
			continue
		}
		key = strings.ToLower(strings.TrimSpace(key))
		val = strings.TrimSpace(val)
		switch key {
		case "user-agent":
			if !inAgents || cur == nil {
				cur = &group{}
				groups = append(groups, cur)
			}
			cur.agents = append(cur.agents, strings.ToLower(val))
			inAgents = true
		case "allow", "disallow":
			inAgents = false
			if cur == nil || (key == "disallow" && val == "") {
				continue
			}
			cur.rules = append(cur.rules, robotsRule{allow: key == "allow", pattern: val})
		case "sitemap":
			r.Sitemaps = append(r.Sitemaps, val)
		default:
			inAgents = false
		}
	}
	var star []robotsRule
	matched := false
	for _, g := range groups {
		for _, a := range g.agents {
			switch {
			case a == "*":
				star = append(star, g.rules...)
			case token != "" && (a == token || strings.HasPrefix(token, a)):
				r.rules = append(r.rules, g.rules...)
				matched = true
			}
		}
	}
	if !matched {
		r.rules = star
	}
	return r
}

// allowed reports whether the path (with query) p may be fetched: the
// longest matching rule wins, and Allow wins a tie. A nil *robots allows
// everything.
func (r *robots) allowed(p string) bool {
	if r == nil {
		return true
	}
	if p == "/robots.txt" {
		return true
	}
	best, allow := -1, true
	for _, rule := range r.rules {
		if !robotsMatch(rule.pattern, p) {
			continue
		}
		n := len(rule.pattern)
		if n > best || n == best && rule.allow {
			best, allow = n, rule.allow
		}
	}
	return allow
}

// robotsMatch matches a robots.txt path pattern, with '*' for any sequence
// and a final '$' for the end, against a path.
func robotsMatch(pattern, p string) bool {
	anchored := strings.HasSuffix(pattern, "$")
	if anchored {
		pattern = pattern[:len(pattern)-1]
	}
	parts := strings.Split(pattern, "*")
	if !strings.HasPrefix(p, parts[0]) {
		return false
	}
	pos := len(parts[0])
	for i, part := range parts[1:] {
		if i == len(parts)-2 && anchored {
			return len(p)-pos >= len(part) && strings.HasSuffix(p, part)
		}
		j := strings.Index(p[pos:], part)
		if j < 0 {
			return false
		}
		pos += j + len(part)
	}
	return !anchored || pos == len(p)
}
