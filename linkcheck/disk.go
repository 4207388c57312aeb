package linkcheck

import (
	"context"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// placeholderSite stands for the site's URL when no base URL is known; the
// .invalid top-level domain cannot collide with a real link.
const placeholderSite = "http://site.invalid/"

// diskSite is a built site in a folder: every file with its size, every
// folder, and the parsed pages and stylesheets.
type diskSite struct {
	root  string
	files map[string]int64 // slash path → size
	dirs  map[string]bool
	docs  []string         // HTML and CSS files, sorted
	pages map[string]*page // slash path → parsed HTML page
}

// extRef is an external link waiting for its HTTP check.
type extRef struct {
	page int
	link link
	t    target
}

// disk checks the site in the folder cfg.Target.
func (c *checker) disk(ctx context.Context) (*Report, error) {
	root := filepath.Clean(c.cfg.Target)
	if err := statDir(root); err != nil {
		return nil, err
	}
	s, err := scanSite(root)
	if err != nil {
		return nil, err
	}
	parsed := make([]*page, len(s.docs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, rel := range s.docs {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			data, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(rel)))
			if err != nil {
				return fmt.Errorf("read %s: %w", rel, err)
			}
			if isCSSFile(rel) {
				parsed[i] = parseCSS(data)
			} else {
				parsed[i] = parseHTML(data, parseOptions{})
				parsed[i].NotFound = parsed[i].saysNotFound()
			}
			c.prog.page()
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	s.pages = make(map[string]*page, len(s.docs))
	for i, rel := range s.docs {
		if !isCSSFile(rel) {
			s.pages[rel] = parsed[i]
		}
	}

	site, baseURL, err := c.siteURL(s)
	if err != nil {
		return nil, err
	}
	c.sc = &scope{root: site, dynamic: c.cfg.Dynamic}
	c.f.ownHost, c.f.ownPath = site.Host, site.Path
	rep := &Report{Mode: "disk", Target: c.cfg.Target, BaseURL: baseURL, Home: "/index.html"}
	rep.Stats.Pages = len(s.docs)

	// Resolve every link; internal ones are answered from the file index.
	type pageOut struct {
		findings []Finding
		ext      []extRef
		links    int
		skipped  int
		targets  map[string]bool
	}
	outs := make([]pageOut, len(s.docs))
	g, gctx = errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, rel := range s.docs {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			p, o := parsed[i], &outs[i]
			o.targets = make(map[string]bool)
			name := "/" + rel
			self := pageURL(site, rel)
			base := linkBase(self, p)
			o.findings = pageFindings(name, p)
			for _, l := range p.Links {
				t := resolveLink(base, l.Raw)
				switch t.Kind {
				case targetSkip:
					o.skipped++
					continue
				case targetMail, targetTel, targetInvalid:
					o.links++
					o.findings = append(o.findings, c.schemeFindings(name, l, t)...)
					continue
				}
				_, where := c.sc.locate(t.URL)
				if c.ex.match(t.URL.String()) || where == inside && c.sc.isDynamic(t.URL) {
					o.skipped++
					continue
				}
				switch where {
				case external:
					if c.cfg.External {
						o.ext = append(o.ext, extRef{page: i, link: l, t: t})
						o.links++
					} else {
						o.skipped++
					}
					continue
				case outside:
					o.links++
					o.findings = append(o.findings, c.outsideFinding(name, l, t))
					continue
				}
				o.links++
				rel := diskPath(t.URL, site)
				o.targets[rel] = true
				o.findings = append(o.findings, c.diskFindings(s, name, l, t, site)...)
			}
			c.prog.link(o.links)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	targets := make(map[string]bool)
	var ext []extRef
	for i := range outs {
		o := &outs[i]
		rep.Findings = append(rep.Findings, o.findings...)
		rep.Stats.Links += o.links
		rep.Stats.Skipped += o.skipped
		for t := range o.targets {
			targets[t] = true
		}
		ext = append(ext, o.ext...)
	}
	rep.Stats.Targets = len(targets)
	if len(ext) > 0 {
		found, n, err := c.checkExternal(ctx, ext, func(i int) string { return "/" + s.docs[i] })
		if err != nil {
			return nil, err
		}
		rep.Findings = append(rep.Findings, found...)
		rep.Stats.Targets += n
	}
	return rep, nil
}

// diskFindings checks internal link l of page name against the files.
func (c *checker) diskFindings(s *diskSite, name string, l link, t target, site *url.URL) []Finding {
	display := siteDisplay(t.URL, site, "", false)
	rel, detail := s.lookup(diskPath(t.URL, site))
	f := linkFinding(name, display, l)
	if detail != "" {
		f.Kind, f.Severity, f.Detail = KindBroken, Error, detail
		c.prog.brokenLink()
		return []Finding{f}
	}
	if s.files[rel] == 0 {
		f.Kind, f.Severity, f.Detail = KindEmpty, Error, "empty file "+rel
		c.prog.brokenLink()
		return []Finding{f}
	}
	var out []Finding
	p := s.pages[rel]
	if p != nil && !c.cfg.IgnoreSoftNotFound && "/"+rel != name {
		// A static server answers 200 for this file: if it says "not
		// found", visitors see a missing page, as with a soft-404 over HTTP.
		// The page's links to itself (its canonical link) lead nobody there.
		if p.NotFound != "" {
			g := f
			g.Kind, g.Severity, g.Detail = KindSoftNotFound, Warning, softNotFoundDetail(p.NotFound)
			out = append(out, g)
		}
	}
	if c.wantsFragment(t) && p != nil && !p.hasAnchor(t.Fragment) {
		f.Target = display + "#" + t.Fragment
		f.Kind, f.Severity = KindFragment, Error
		f.Detail = "no element with id or name " + quote(fragmentWords(t.Fragment)) + " in " + rel
		c.prog.brokenLink()
		out = append(out, f)
	}
	return out
}

// lookup finds the file that serves rel, as a static server would: the
// file itself, or index.html in a folder of that name. It returns the file
// or why none serves.
func (s *diskSite) lookup(rel string) (string, string) {
	if _, ok := s.files[rel]; ok {
		return rel, ""
	}
	if s.dirs[rel] {
		idx := path.Join(rel, "index.html")
		if _, ok := s.files[idx]; ok {
			return idx, ""
		}
		return "", "folder " + rel + " has no index.html"
	}
	if strings.HasSuffix(rel, "/index.html") || rel == "index.html" {
		if dir := strings.TrimSuffix(strings.TrimSuffix(rel, "index.html"), "/"); dir == "" || s.dirs[dir] {
			return "", "folder " + dir + "/ has no index.html"
		}
	}
	return "", "no file " + rel
}

// siteURL returns the site's root URL: --base-url, else the canonical URL
// or <meta name="Url"> of index.html, else a placeholder.
func (c *checker) siteURL(s *diskSite) (*url.URL, string, error) {
	raw, fromPage := c.cfg.BaseURL, false
	if raw == "" {
		fromPage = true
		if p := s.pages["index.html"]; p != nil {
			for _, cand := range []string{p.Canonical, p.MetaURL} {
				if u, err := url.Parse(cleanLink(cand)); err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" {
					raw = u.String()
					break
				}
			}
		}
	}
	if raw == "" {
		u, _ := url.Parse(placeholderSite)
		return u, "", nil
	}
	if fromPage {
		// The index page's own URL: its folder is the site root.
		u, _ := url.Parse(raw) // parsed above
		u.Path, u.RawPath = u.Path[:strings.LastIndexByte(u.Path, '/')+1], ""
		raw = u.String()
	}
	// --base-url names a folder, with or without the final slash.
	u, err := baseURL(raw)
	if err != nil {
		return nil, "", err
	}
	return u, u.String(), nil
}

// scanSite lists the files and folders under root. Dot-files and
// dot-folders are not part of a published site and are left out.
func scanSite(root string) (*diskSite, error) {
	s := &diskSite{root: root, files: make(map[string]int64), dirs: make(map[string]bool)}
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return fmt.Errorf("scan %s: %w", p, err)
		}
		if p == root {
			return nil
		}
		rel, err := filepath.Rel(root, p)
		if err != nil {
			return err
		}
		rel = filepath.ToSlash(rel)
		if strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return filepath.SkipDir
			}
			return nil
		}
		var info fs.FileInfo
		if d.Type()&fs.ModeSymlink != 0 {
			info, err = os.Stat(p)
		} else {
			info, err = d.Info()
		}
		if err != nil {
			return nil // a dangling symlink serves nothing: links to it are broken
		}
		if info.IsDir() {
			s.dirs[rel] = true
			return nil
		}
		s.files[rel] = info.Size()
		if info.Mode().IsRegular() && (isHTMLFile(rel) || isCSSFile(rel)) {
			s.docs = append(s.docs, rel)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(s.docs)
	return s, nil
}

func isHTMLFile(rel string) bool {
	ext := strings.ToLower(path.Ext(rel))
	return ext == ".html" || ext == ".htm" || ext == ".xhtml"
}

func isCSSFile(rel string) bool { return strings.EqualFold(path.Ext(rel), ".css") }

// checkExternal checks the external links of refs over HTTP, one request
// per distinct target, and returns their findings and the number of
// distinct targets. pageName names the page of a ref.
func (c *checker) checkExternal(ctx context.Context, refs []extRef, pageName func(int) string) ([]Finding, int, error) {
	index := make(map[string]int)
	var reqs []checkRequest
	for _, r := range refs {
		key := r.t.URL.String()
		i, ok := index[key]
		if !ok {
			i = len(reqs)
			index[key] = i
			reqs = append(reqs, checkRequest{URL: r.t.URL, External: true})
		}
		if c.wantsFragment(r.t) {
			reqs[i].Page = true
		}
	}
	results, err := c.f.checkAll(ctx, reqs)
	if err != nil {
		return nil, 0, err
	}
	var out []Finding
	for _, r := range refs {
		res := results[index[r.t.URL.String()]]
		out = append(out, c.httpFindings(pageName(r.page), iri(r.t.URL), r.link, r.t, res)...)
	}
	return out, len(reqs), nil
}
