package linkcheck

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
)

// Check checks the links of the site named by cfg.Target: a folder on disk
// or a deployed site over HTTP. It returns an error only when the check
// could not run (bad configuration, unreadable folder, cancelled context);
// broken links are findings in the report.
func Check(ctx context.Context, cfg Config) (*Report, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("linkcheck config: %w", err)
	}
	ex, err := newExcluder(cfg.Exclude)
	if err != nil {
		return nil, err
	}
	var ca *cache
	if cfg.CacheFile != "" {
		if ca, err = openCache(cfg.CacheFile, cfg.CacheMaxAge); err != nil {
			return nil, err
		}
	}
	prog := newProgress(cfg.Progress)
	stop := prog.start()
	defer stop()
	c := &checker{cfg: &cfg, log: cfg.logger(), ex: ex, prog: prog}
	c.f = newFetcher(c.cfg, c.log, ca, prog)
	defer c.f.close()

	var rep *Report
	if isRemote(cfg.Target) {
		rep, err = c.crawl(ctx)
	} else {
		rep, err = c.disk(ctx)
	}
	if err != nil {
		return nil, err
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.Stats.Requests = int(c.f.requests.Load())
	if ca != nil {
		rep.Stats.Cached = ca.hits
	}
	rep.Findings = normalize(rep.Findings)
	if rep.Findings == nil {
		rep.Findings = []Finding{}
	}
	rep.count()
	if err := ca.save(cfg.now()); err != nil {
		return nil, err
	}
	return rep, nil
}

// checker holds what one run of Check shares.
type checker struct {
	cfg  *Config
	log  *slog.Logger
	ex   excluder
	prog *progress
	f    *fetcher
	sc   *scope
}

// wantsFragment reports whether t's fragment must be checked.
func (c *checker) wantsFragment(t target) bool {
	return !c.cfg.IgnoreFragments && t.HasFragment && checkableFragment(t.Fragment)
}

// linkFinding starts a finding for link l of page pageName.
func linkFinding(pageName, targetName string, l link) Finding {
	return Finding{Page: pageName, Target: targetName, Line: l.Line, Source: l.Source, Raw: l.Raw}
}

// schemeFindings returns the findings of a link that is not http(s):
// syntax errors of mailto: and tel:, and unusable URLs.
func (c *checker) schemeFindings(pageName string, l link, t target) []Finding {
	if t.Problem == "" {
		return nil
	}
	f := linkFinding(pageName, cleanLink(l.Raw), l)
	f.Kind, f.Severity, f.Detail = t.ProblemKind, Error, t.Problem
	c.prog.brokenLink()
	return []Finding{f}
}

// httpFindings turns the result of checking t over HTTP into findings for
// link l of page pageName; name is how the target is shown, without its
// fragment.
func (c *checker) httpFindings(pageName, name string, l link, t target, r *result) []Finding {
	f := linkFinding(pageName, name, l)
	f.Status, f.Redirects = r.Status, r.Redirects
	switch {
	case r.RateLimited:
		f.Kind, f.Severity = KindRateLimited, Warning
		f.Detail = fmt.Sprintf("still HTTP %d after retrying; not verified", r.Status)
		return []Finding{f}
	case r.Err != "":
		f.Kind, f.Severity, f.Detail = KindBroken, Error, r.Err
		return []Finding{f}
	case r.Status >= 400:
		f.Kind, f.Severity = KindBroken, Error
		f.Detail = fmt.Sprintf("HTTP %d %s", r.Status, http.StatusText(r.Status))
		return []Finding{f}
	}
	var out []Finding
	add := func(k Kind, s Severity, detail string) {
		g := f
		g.Kind, g.Severity, g.Detail = k, s, detail
		out = append(out, g)
	}
	if r.Permanent {
		add(KindRedirect, Warning, "permanent redirect; link to "+r.Final)
	}
	if r.Empty {
		add(KindEmpty, Error, "empty file")
	}
	if why := implausibleType(t.URL, r.ContentType); why != "" {
		add(KindContentType, Warning, why)
	}
	if r.SoftNotFound != "" && name != pageName {
		// A "not found" page may name itself (its canonical link): only
		// links from other pages lead visitors to it.
		add(KindSoftNotFound, Warning, softNotFoundDetail(r.SoftNotFound))
	}
	if c.wantsFragment(t) && r.Page != nil && !r.Page.hasAnchor(t.Fragment) {
		g := f
		g.Target = name + "#" + t.Fragment
		g.Kind, g.Severity = KindFragment, Error
		g.Detail = "no element with id or name " + quote(fragmentWords(t.Fragment))
		out = append(out, g)
	}
	return out
}

// pageFindings returns the findings about a page itself: duplicate ids and
// its charset.
func pageFindings(pageName string, p *page) []Finding {
	var out []Finding
	for _, id := range p.duplicateIDs() {
		out = append(out, Finding{
			Page: pageName, Target: "#" + id, Kind: KindDuplicateID, Severity: Warning,
			Detail: fmt.Sprintf("id %s occurs %d times; links to it reach the first only", quote(id), p.IDs[id]),
		})
	}
	if p.CharsetProblem != "" {
		out = append(out, Finding{Page: pageName, Target: "", Kind: KindCharset, Severity: Warning, Detail: p.CharsetProblem})
	}
	return out
}

// softNotFoundDetail is the detail of a soft-404 finding, the same on disk
// and over HTTP.
func softNotFoundDetail(why string) string { return "looks like a \"not found\" page: " + why }

// fragmentWords shows a fragment decoded when it is percent-encoded.
func fragmentWords(frag string) string {
	if dec, ok := unescapeFragment(frag); ok && dec != frag {
		return dec
	}
	return frag
}

// pageURL returns the URL of the file rel of the site whose root URL is site.
func pageURL(site *url.URL, rel string) *url.URL {
	u := *site
	u.Path = site.Path + rel
	u.RawPath = ""
	return &u
}

// linkBase returns the URL that relative links of p resolve against: its
// <base href> resolved against its own URL, or its own URL.
func linkBase(self *url.URL, p *page) *url.URL {
	if p.Base == "" {
		return self
	}
	ref, err := parseURL(cleanLink(p.Base))
	if err != nil {
		return self
	}
	return self.ResolveReference(ref)
}
