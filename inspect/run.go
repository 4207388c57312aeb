package inspect

import (
	"context"
	"runtime"
	"slices"
	"strings"

	"golang.org/x/sync/errgroup"
)

// Run inspects s as of s.Date and returns every finding. The error reports
// a cancelled context only; problems are findings.
func Run(ctx context.Context, s *Site) (*Report, error) {
	if s.Config == nil {
		s.Config = DefaultConfig()
	}
	cfg := s.Config
	site := &collector{cfg: cfg}

	checkFreshness(s, site)
	checkReports(s, site)
	checkIdentity(s, site)

	words := newWordList(cfg)
	names := knownNames(s)
	anchors := newAnchorCache(s)
	once := &attachmentOnce{}

	// Per-record rules, in parallel; each record's findings go to its own
	// slot so the result does not depend on scheduling.
	per := make([]collector, len(s.Records))
	scanned := make([]recordStats, len(s.Records))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, r := range s.Records {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			c := &per[i]
			c.cfg = cfg
			checkDates(s, r, c)
			checkInterpretation(s, r, c)
			checkParties(r, c)
			ts := textScanner{site: s, words: words, names: names, c: c}
			for _, t := range r.Texts {
				ts.scan(r.Path, t.Line, t.Text)
				scanned[i].bytes += int64(len(t.Text))
			}
			scanned[i].attachments, scanned[i].unscanned = scanAttachments(s, r, &ts, once)
			checkLinks(s, r, anchors, c)
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}

	rep := &Report{Site: s.Name, Date: s.Date}
	found := site.found
	for i := range per {
		found = append(found, per[i].found...)
		rep.Stats.TextBytes += scanned[i].bytes
		rep.Stats.Attachments += scanned[i].attachments
		rep.Unscanned = append(rep.Unscanned, scanned[i].unscanned...)
	}
	slices.Sort(rep.Unscanned)
	rep.Unscanned = slices.Compact(rep.Unscanned)
	for _, r := range s.Records {
		if r.Scheduled {
			rep.Scheduled = append(rep.Scheduled, Scheduled{Path: r.Path, Date: r.Published})
		}
	}
	rep.Stats.Records = len(s.Records)
	rep.Stats.Columns = len(s.Columns)
	for _, rule := range rules {
		rep.Rules = append(rep.Rules, RuleResult{Rule: rule, Severity: cfg.Severity(rule.ID), Ran: !rule.Opt && cfg.Severity(rule.ID) != Off})
	}
	rep.Add(found...)
	return rep, nil
}

type recordStats struct {
	bytes       int64
	attachments int
	unscanned   []string
}

// knownNames returns the names this site's columns and pages go by.
func knownNames(s *Site) map[string]bool {
	names := map[string]bool{}
	add := func(n string) {
		if n = strings.TrimSpace(n); n != "" {
			names[n] = true
		}
	}
	add(s.Name)
	for _, c := range s.Columns {
		add(c.Name)
	}
	for _, n := range s.Nav {
		add(n.Title)
	}
	for _, p := range s.Pages {
		add(p.Name)
	}
	for _, n := range s.Names {
		add(n)
	}
	for _, n := range s.Config.Names {
		add(n)
	}
	return names
}
