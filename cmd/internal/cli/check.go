package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gongkai/generator"
	"gongkai/inspect"
	"gongkai/linkcheck"
	"gongkai/themes"
)

// checkOptions are check's own flags.
type checkOptions struct {
	format   string
	output   string
	external bool
	inspect  bool
}

// runCheck implements `gongkai check`: the content checks, then the
// inspection rules (package inspect) as of --date.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var sf siteFlags
	var opt checkOptions
	fs := newFlagSet("check", "[flags]", stderr)
	sf.register(fs)
	fs.StringVar(&opt.format, "format", "text", "inspection report format: "+strings.Join(inspect.Formats, ", "))
	fs.StringVar(&opt.output, "o", "", "write the inspection report to `FILE` instead of standard output")
	fs.BoolVar(&opt.external, "external", false, "also check links to other sites with the link checker (needs the network; per-host limits, robots.txt, Retry-After)")
	fs.BoolVar(&sf.strict, "strict", false, "make the disclosure directory's warnings errors: a category with neither records nor a dated 本机关无此类信息 statement, a statement on a category with records, an item of 条例 art. 20 no category serves")
	fs.BoolVar(&opt.inspect, "inspect", true, "run the inspection rules; -inspect=false runs the content checks only")
	if code, done := parse(fs, args); done {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "gongkai check: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	if !slices.Contains(inspect.Formats, opt.format) {
		fmt.Fprintf(stderr, "gongkai check: unknown format %q (want one of %s)\n", opt.format, strings.Join(inspect.Formats, ", "))
		return 2
	}
	date, err := sf.buildDate()
	if err != nil {
		fmt.Fprintln(stderr, "gongkai check:", err)
		return 2
	}
	src, err := generator.OpenSiteDir(sf.source)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai check:", err)
		return 1
	}
	defer src.Close()
	sf.identityByInspection = opt.inspect
	c, _, _, code := load(ctx, sf, src, date, nil, stderr)
	if c == nil {
		return code
	}
	theme, err := loadTheme(sf.source)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if code == 0 {
		// The annual reports' table 3 against the requests service's counts.
		if warns := reportProblems(ctx, c, sf, stderr); len(warns) > 0 {
			for _, p := range warns {
				fmt.Fprintln(stderr, p.Error())
			}
			c.Problems = append(c.Problems, warns...)
		}
	}
	if !opt.inspect || c.Site == nil {
		if code != 0 {
			return code
		}
		fmt.Fprintf(stdout, "ok: %d records, %d published, %d withheld, %d warnings\n",
			len(c.Records), len(c.Published), len(c.Withheld), len(c.Problems.Warnings()))
		return 0
	}

	rep, err := inspectContent(ctx, c, theme, sf, opt.external, stderr)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai check:", err)
		return 1
	}
	var w io.Writer = stdout
	if opt.output != "" {
		f, err := os.Create(opt.output)
		if err != nil {
			fmt.Fprintln(stderr, "gongkai check:", err)
			return 1
		}
		defer f.Close()
		w = f
	}
	if opt.format == "text" {
		// The content problems are already on standard error.
		text := *rep
		text.Findings = slices.DeleteFunc(slices.Clone(rep.Findings), func(f inspect.Finding) bool { return f.Rule == "CONTENT" })
		err = text.Write(w, "text")
	} else {
		err = rep.Write(w, opt.format)
		if err == nil && opt.output != "" {
			fmt.Fprintln(stdout, rep.Summary())
		}
	}
	if err != nil {
		fmt.Fprintln(stderr, "gongkai check: write report:", err)
		return 1
	}
	if code != 0 || rep.Errors() > 0 {
		return 1
	}
	fmt.Fprintf(stdout, "ok: %d records, %d published, %d withheld, %d warnings\n",
		len(c.Records), len(c.Published), len(c.Withheld), rep.Warnings())
	return 0
}

// inspectContent runs the inspection rules over loaded content, and the
// external link check when asked. The content's own problems join the
// report as CONTENT findings.
func inspectContent(ctx context.Context, c *generator.Content, theme *generator.Theme, sf siteFlags, external bool, stderr io.Writer) (*inspect.Report, error) {
	// The inspector reads the content through the same confined reader as
	// the build: no symlink is followed and no pipe is opened.
	src, err := generator.OpenSiteDir(sf.source)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	th := siteTheme(sf.source)
	if th != nil {
		defer th.Close()
	}
	var thFS fs.FS
	if th != nil {
		thFS = th
	}
	site, cfgProblems := inspectionSite(c, theme, src, themeIDs(themes.Default(), thFS))
	rep, err := inspect.Run(ctx, site)
	if err != nil {
		return nil, err
	}
	rep.Add(cfgProblems...)
	rep.Add(contentFindings(c.Problems)...)
	if external {
		found, err := externalLinks(ctx, site, stderr)
		if err != nil {
			return nil, err
		}
		rep.Add(found...)
		rep.MarkRan("LINK-EXTERNAL")
	}
	return rep, nil
}

// externalLinks checks every link to another site with the link checker,
// which keeps its politeness rules (per-host concurrency and interval,
// robots.txt, Retry-After, backoff). The links are written as one page of
// a temporary folder, one per line, so each finding maps back to the
// records that hold the link.
func externalLinks(ctx context.Context, s *inspect.Site, stderr io.Writer) ([]inspect.Finding, error) {
	type place struct {
		path string
		line int
	}
	where := map[string][]place{}
	var urls []string
	for _, r := range s.Records {
		if r.Scheduled {
			continue
		}
		for _, l := range r.Links {
			u, err := url.Parse(strings.TrimSpace(l.URL))
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				continue
			}
			if _, internal := s.SitePath(l.URL); internal {
				continue
			}
			key := u.String()
			if where[key] == nil {
				urls = append(urls, key)
			}
			where[key] = append(where[key], place{r.Path, l.Line})
		}
	}
	if len(urls) == 0 {
		return nil, nil
	}
	dir, err := os.MkdirTemp("", "gongkai-external-*")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	var page strings.Builder
	page.WriteString("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>external links</title></head><body>\n")
	const firstLine = 3
	for _, u := range urls {
		fmt.Fprintf(&page, "<a href=\"%s\">%s</a>\n", htmlAttr(u), htmlAttr(u))
	}
	page.WriteString("</body></html>\n")
	if err := os.WriteFile(filepath.Join(dir, "index.html"), []byte(page.String()), 0o644); err != nil {
		return nil, err
	}
	cfg := linkcheck.DefaultConfig()
	cfg.Target = dir
	cfg.BaseURL = s.BaseURL
	cfg.External = true
	cfg.Logger = slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	lr, err := linkcheck.Check(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("external links: %w", err)
	}
	var out []inspect.Finding
	for _, f := range lr.Findings {
		i := f.Line - firstLine
		if i < 0 || i >= len(urls) {
			continue
		}
		sev := inspect.Error
		if f.Severity == linkcheck.Warning {
			sev = inspect.Warning
		}
		msg := urls[i] + ": " + string(f.Kind)
		if f.Status != 0 {
			msg += " (HTTP " + strconv.Itoa(f.Status) + ")"
		}
		if f.Detail != "" {
			msg += ": " + f.Detail
		}
		for _, p := range where[urls[i]] {
			out = append(out, inspect.Finding{Rule: "LINK-EXTERNAL", Severity: sev, Path: p.path, Loc: strconv.Itoa(p.line), Message: msg})
		}
	}
	return out, nil
}

func htmlAttr(s string) string {
	return strings.NewReplacer("&", "&amp;", `"`, "&quot;", "<", "&lt;", ">", "&gt;").Replace(s)
}
