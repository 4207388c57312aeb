package inspect

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"time"
)

// Finding is one thing an inspector would flag.
type Finding struct {
	Rule     string   `json:"rule"`
	Severity Severity `json:"severity"`
	// Path is the site-relative file to blame, with Loc inside it: a line
	// number ("12"), or a place in an attachment ("Sheet1!B3", "para 4").
	Path string `json:"path,omitempty"`
	Loc  string `json:"loc,omitempty"`
	// Column names the column to blame when no file is.
	Column  string `json:"column,omitempty"`
	Message string `json:"message"`
}

// Where returns the finding's position: "content/x.md:12", "column 新闻发布".
func (f Finding) Where() string {
	switch {
	case f.Path != "" && f.Loc != "":
		return f.Path + ":" + f.Loc
	case f.Path != "":
		return f.Path
	case f.Column != "":
		return "column " + f.Column
	}
	return "site"
}

// String formats the finding as "file:line: RULE-ID: message", with
// "warning: " before the message of a warning.
func (f Finding) String() string {
	w := ""
	if f.Severity == Warning {
		w = "warning: "
	}
	return f.Where() + ": " + f.Rule + ": " + w + f.Message
}

func line(n int) string {
	if n <= 0 {
		return ""
	}
	return strconv.Itoa(n)
}

// locLine returns Loc as a number for sorting; places in attachments sort
// after lines.
func (f Finding) locLine() int {
	if n, err := strconv.Atoi(f.Loc); err == nil {
		return n
	}
	if f.Loc == "" {
		return 0
	}
	return 1 << 30
}

func sortFindings(fs []Finding) []Finding {
	slices.SortFunc(fs, func(a, b Finding) int {
		// Column findings first, then files in path order.
		return cmp.Or(
			cmp.Compare(boolInt(a.Path != ""), boolInt(b.Path != "")),
			cmp.Compare(a.Column, b.Column),
			cmp.Compare(a.Path, b.Path),
			cmp.Compare(a.locLine(), b.locLine()),
			cmp.Compare(a.Loc, b.Loc),
			cmp.Compare(a.Rule, b.Rule),
			cmp.Compare(a.Message, b.Message),
		)
	})
	return slices.Compact(fs)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Report is the result of one inspection.
type Report struct {
	Site string    `json:"site"`
	Date time.Time `json:"date"`
	// Findings are sorted by position.
	Findings []Finding `json:"findings"`
	// Rules lists every rule with its effective severity and count.
	Rules []RuleResult `json:"rules"`
	// Scheduled lists records dated after the inspection date: not
	// published yet, so no rule counts them as published.
	Scheduled []Scheduled `json:"scheduled"`
	// Unscanned lists attachments whose text could not be read (PDF,
	// images), so the personal-data and wording rules did not see them.
	Unscanned []string `json:"unscanned"`
	Stats     Stats    `json:"stats"`
}

// RuleResult is one rule's line in a report.
type RuleResult struct {
	Rule
	Severity Severity `json:"severity"`
	Count    int      `json:"count"`
	Ran      bool     `json:"ran"`
}

// Scheduled is a record dated after the inspection date.
type Scheduled struct {
	Path string    `json:"path"`
	Date time.Time `json:"date"`
}

// Stats counts what the inspection looked at.
type Stats struct {
	Records     int   `json:"records"`
	Columns     int   `json:"columns"`
	TextBytes   int64 `json:"text_bytes"`
	Attachments int   `json:"attachments_scanned"`
}

// Errors returns the number of error findings.
func (r *Report) Errors() int {
	n := 0
	for _, f := range r.Findings {
		if f.Severity == Error {
			n++
		}
	}
	return n
}

// Warnings returns the number of warning findings.
func (r *Report) Warnings() int { return len(r.Findings) - r.Errors() }

// Add adds findings from outside the inspector (the content checks, the
// external link check) and recounts.
func (r *Report) Add(fs ...Finding) {
	r.Findings = sortFindings(append(r.Findings, fs...))
	for i := range r.Rules {
		r.Rules[i].Count = 0
	}
	for _, f := range r.Findings {
		for i := range r.Rules {
			if r.Rules[i].ID == f.Rule {
				r.Rules[i].Count++
				r.Rules[i].Ran = true
			}
		}
	}
}

// MarkRan records that an optional rule ran (even with nothing found).
func (r *Report) MarkRan(id string) {
	for i := range r.Rules {
		if r.Rules[i].ID == id {
			r.Rules[i].Ran = true
		}
	}
}

// collector gathers the findings of the rules of one inspection, applying
// the configured severities.
type collector struct {
	cfg   *Config
	found []Finding
}

func (c *collector) on(rule string) bool { return c.cfg.Severity(rule) != Off }

func (c *collector) add(f Finding) {
	f.Severity = c.cfg.severityOf(f.Rule, f.Severity)
	if f.Severity == Off {
		return
	}
	c.found = append(c.found, f)
}

func (c *collector) at(rule, path string, ln int, format string, args ...any) {
	c.add(Finding{Rule: rule, Path: path, Loc: line(ln), Message: fmt.Sprintf(format, args...)})
}

func (c *collector) column(rule, col string, format string, args ...any) {
	c.add(Finding{Rule: rule, Column: col, Message: fmt.Sprintf(format, args...)})
}

// day formats a date as YYYY-MM-DD.
func day(t time.Time) string { return t.Format("2006-01-02") }
