package generator

import (
	"io/fs"
	"strconv"
	"strings"
	"time"
)

// Calendar knows China's statutory holidays and make-up workdays (调休), so
// time limits can count working days as the law asks.
type Calendar struct {
	holidays map[string]bool
	workdays map[string]bool
	years    map[int]bool
}

// calendarFile holds the working-day calendar; it ships with the sample portal.
const calendarFile = "content/data/calendar.yaml"

type calendarYAML struct {
	// Years lists the years the data covers.
	Years []int `yaml:"years"`
	// Holidays are dates or ranges "2024-02-10..2024-02-17" that are days off.
	Holidays []string `yaml:"holidays"`
	// Workdays are weekend days that are worked (调休).
	Workdays []string `yaml:"workdays"`
}

func loadCalendar(fsys fs.FS, probs *Problems) *Calendar {
	cal := &Calendar{holidays: map[string]bool{}, workdays: map[string]bool{}, years: map[int]bool{}}
	data, err := fs.ReadFile(fsys, calendarFile)
	if err != nil {
		probs.Errorf(Pos{calendarFile, 0}, "", "cannot read the working-day calendar: %v", err)
		return cal
	}
	var cy calendarYAML
	lines, ok := decodeStrict(calendarFile, data, 1, &cy, probs)
	if !ok {
		return cal
	}
	for _, y := range cy.Years {
		cal.years[y] = true
	}
	add := func(field string, items []string, set map[string]bool) {
		for i, s := range items {
			f := field + "[" + strconv.Itoa(i) + "]"
			from, to, isRange := strings.Cut(s, "..")
			a, err1 := time.Parse("2006-01-02", strings.TrimSpace(from))
			b := a
			var err2 error
			if isRange {
				b, err2 = time.Parse("2006-01-02", strings.TrimSpace(to))
			}
			if err1 != nil || err2 != nil || b.Before(a) {
				probs.Errorf(Pos{calendarFile, lines.line(f, 1)}, f, "want YYYY-MM-DD or YYYY-MM-DD..YYYY-MM-DD, got %q", s)
				continue
			}
			for d := a; !d.After(b); d = d.AddDate(0, 0, 1) {
				set[d.Format("2006-01-02")] = true
			}
		}
	}
	add("holidays", cy.Holidays, cal.holidays)
	add("workdays", cy.Workdays, cal.workdays)
	return cal
}

// Covers reports whether the calendar has holiday data for t's year.
func (c *Calendar) Covers(t time.Time) bool { return c.years[t.Year()] }

// IsWorkday reports whether t is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	k := t.Format("2006-01-02")
	if c.workdays[k] {
		return true
	}
	if c.holidays[k] {
		return false
	}
	wd := t.Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// WorkdaysBetween counts the working days after from up to and including to,
// the way legal time limits are counted (the starting day does not count).
func (c *Calendar) WorkdaysBetween(from, to time.Time) int {
	from = time.Date(from.Year(), from.Month(), from.Day(), 0, 0, 0, 0, time.UTC)
	to = time.Date(to.Year(), to.Month(), to.Day(), 0, 0, 0, 0, time.UTC)
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}
