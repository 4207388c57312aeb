package generator

// PlannedURLs returns every page URL a build of c would publish, without
// rendering anything (used by check to compare with the previous manifest).
func PlannedURLs(c *Content) []string {
	th := &Theme{strings: map[string]string{}}
	b := &Build{Content: c, Theme: th}
	var out []string
	for _, o := range b.plan() {
		if o.Page != nil && !o.NoSitemap {
			out = append(out, o.URL)
		}
	}
	return out
}
