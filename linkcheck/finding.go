package linkcheck

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"slices"
)

// Severity says whether a finding fails the check.
type Severity string

// Severities. Only errors make the command exit with status 1.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Kind names what is wrong with a link.
type Kind string

// Kinds of findings.
const (
	// KindBroken: the target is missing, answers 4xx/5xx, times out, cannot
	// be reached, or redirects in a loop.
	KindBroken Kind = "broken"
	// KindFragment: the target exists but has no element with that id or
	// <a name>.
	KindFragment Kind = "fragment"
	// KindEmpty: the target (usually an attachment) exists but is empty.
	KindEmpty Kind = "empty"
	// KindSyntax: the link cannot be parsed, or a mailto:/tel: link is malformed.
	KindSyntax Kind = "syntax"
	// KindDuplicateID: an id occurs more than once on the page (warning).
	KindDuplicateID Kind = "duplicate-id"
	// KindRedirect: the chain holds a permanent redirect; update the link (warning).
	KindRedirect Kind = "redirect"
	// KindSoftNotFound: the target answers 200 but is a "not found" page (warning).
	KindSoftNotFound Kind = "soft-404"
	// KindContentType: the content type does not fit the file extension (warning).
	KindContentType Kind = "content-type"
	// KindRateLimited: the host still answered 429 or 503 after the
	// retries; the link could not be verified (warning).
	KindRateLimited Kind = "rate-limited"
	// KindCharset: the page declares no charset, an unknown one, or is not
	// valid in the one it declares (warning).
	KindCharset Kind = "charset"
	// KindOutsideBase: a link to the site's own host leaves its base path
	// (Config.BaseURL); on a portal it reaches another system's page, or
	// nothing.
	KindOutsideBase Kind = "outside-base"
)

// Finding is one problem with one link on one page. Page, Target and Kind
// identify it across runs.
type Finding struct {
	// Page is the page (or stylesheet, or sitemap) holding the link: a path
	// from the site root in disk mode, an absolute URL over HTTP.
	Page string `json:"page"`
	// Target is the link resolved against the page, with its fragment as
	// written; site paths for internal links on disk, absolute URLs otherwise.
	Target   string   `json:"target"`
	Kind     Kind     `json:"kind"`
	Severity Severity `json:"severity"`
	// Line is the line of the first occurrence on the page, 0 if unknown.
	Line int `json:"line,omitempty"`
	// Source says where the link was found, such as "a href" or "img srcset".
	Source string `json:"source,omitempty"`
	// Raw is the link as written.
	Raw string `json:"raw,omitempty"`
	// Status is the final HTTP status, if any.
	Status int `json:"status,omitempty"`
	// Detail explains the finding in words.
	Detail string `json:"detail"`
	// Redirects is the redirect chain, starting with the target, when there
	// was one.
	Redirects []string `json:"redirects,omitempty"`
	// FirstSeen is the date of the first run, in the history, of the
	// unbroken series of runs that found this finding, up to this one (see
	// History); Runs is the number of runs in that series.
	FirstSeen string `json:"first_seen,omitempty"`
	Runs      int    `json:"runs,omitempty"`
}

// ID returns the identity of f that --since compares.
func (f Finding) ID() string { return f.Page + "\x00" + f.Target + "\x00" + string(f.Kind) }

func compareFindings(a, b Finding) int {
	return cmp.Or(
		cmp.Compare(a.Page, b.Page),
		cmp.Compare(a.Line, b.Line),
		cmp.Compare(a.Target, b.Target),
		cmp.Compare(a.Kind, b.Kind),
	)
}

// normalize sorts findings and keeps one per identity, the earliest line.
func normalize(fs []Finding) []Finding {
	slices.SortFunc(fs, func(a, b Finding) int {
		return cmp.Or(cmp.Compare(a.ID(), b.ID()), cmp.Compare(a.Line, b.Line))
	})
	fs = slices.CompactFunc(fs, func(a, b Finding) bool { return a.ID() == b.ID() })
	slices.SortFunc(fs, compareFindings)
	return fs
}

// Stats counts what a check did.
type Stats struct {
	// Pages is the number of HTML pages (and stylesheets) parsed.
	Pages int `json:"pages"`
	// Links is the number of link occurrences checked.
	Links int `json:"links"`
	// Targets is the number of distinct targets checked.
	Targets int `json:"targets"`
	// Skipped is the number of link occurrences not checked: external links
	// without --external, robots.txt exclusions, --exclude matches and
	// schemes other than http, https, mailto and tel.
	Skipped int `json:"skipped"`
	// Requests is the number of HTTP requests sent.
	Requests int `json:"requests"`
	// Cached is the number of external targets answered from the cache.
	Cached   int `json:"cached"`
	Errors   int `json:"errors"`
	Warnings int `json:"warnings"`
}

// Report is the result of a check.
type Report struct {
	// Mode is "disk" or "http".
	Mode string `json:"mode"`
	// Target is the folder or URL as given.
	Target string `json:"target"`
	// BaseURL is the site's public URL, if known.
	BaseURL string `json:"base_url,omitempty"`
	// Home is the home page, named as findings name pages.
	Home string `json:"home"`
	// Date is the date of the run, when it was recorded in a history.
	Date  string `json:"date,omitempty"`
	Stats Stats  `json:"stats"`
	// Aliases lists, for each page the crawler reached under more than one
	// address, the other addresses. The page is parsed and reported once,
	// under its canonical URL.
	Aliases  map[string][]string `json:"aliases,omitempty"`
	Findings []Finding           `json:"findings"`
	// Since is the comparison with a previous report, when asked for.
	Since *Changes `json:"since,omitempty"`
}

// Broken reports whether r holds any error finding.
func (r *Report) Broken() bool { return r.Stats.Errors > 0 }

func (r *Report) count() {
	r.Stats.Errors, r.Stats.Warnings = 0, 0
	for _, f := range r.Findings {
		if f.Severity == Error {
			r.Stats.Errors++
		} else {
			r.Stats.Warnings++
		}
	}
}

// Changes compares a report with a previous one.
type Changes struct {
	// Previous names the previous report, as given, or the previous run of
	// a history.
	Previous string `json:"previous"`
	// PreviousDate is the date of the previous run of a history.
	PreviousDate string `json:"previous_date,omitempty"`
	// New holds the findings that the previous report did not have.
	New []Finding `json:"new"`
	// Fixed holds the previous findings that are gone.
	Fixed []Finding `json:"fixed"`
}

// previousDate returns the date of the previous run, when the comparison
// comes from a history.
func (ch *Changes) previousDate() string {
	if ch.PreviousDate != "" {
		return ch.PreviousDate
	}
	return ch.Previous
}

// FixedSpan says when a fixed finding was reported, when a history knows
// it: "2026-04-06 to 2026-04-27, 4 runs".
func (ch *Changes) FixedSpan(f Finding) string {
	if f.FirstSeen == "" {
		return ""
	}
	return f.FirstSeen + " to " + ch.previousDate() + ", " + plural(f.Runs, "run")
}

// ReadReport decodes a JSON report written by Write.
func ReadReport(r io.Reader) (*Report, error) {
	var rep Report
	dec := json.NewDecoder(r)
	if err := dec.Decode(&rep); err != nil {
		return nil, fmt.Errorf("read report: %w", err)
	}
	if rep.Mode == "" {
		return nil, fmt.Errorf("read report: not a linkcheck report (no mode)")
	}
	return &rep, nil
}

// Compare sets cur.Since to what broke and what was fixed since prev;
// name is how prev is named in the output.
func Compare(prev, cur *Report, name string) {
	before := make(map[string]bool, len(prev.Findings))
	for _, f := range prev.Findings {
		before[f.ID()] = true
	}
	now := make(map[string]bool, len(cur.Findings))
	ch := &Changes{Previous: name, New: []Finding{}, Fixed: []Finding{}}
	for _, f := range cur.Findings {
		now[f.ID()] = true
		if !before[f.ID()] {
			ch.New = append(ch.New, f)
		}
	}
	for _, f := range prev.Findings {
		if !now[f.ID()] {
			ch.Fixed = append(ch.Fixed, f)
		}
	}
	ch.Fixed = normalize(ch.Fixed)
	cur.Since = ch
}
