package requests

import (
	"fmt"
	"time"
)

// China is the time zone of every date the service records (UTC+8, no DST).
var China = time.FixedZone("CST", 8*3600)

// CalendarData is the working-day calendar as the build publishes it:
// statutory holidays and make-up workdays (调休) by date.
type CalendarData struct {
	Years    []int    `json:"years"`    // years the data covers
	Holidays []string `json:"holidays"` // YYYY-MM-DD days off on weekdays
	Workdays []string `json:"workdays"` // YYYY-MM-DD weekend days that are worked
}

// Calendar counts working days the way the law counts time limits.
type Calendar struct {
	years    map[int]bool
	holidays map[string]bool
	workdays map[string]bool
}

// NewCalendar returns the calendar for d, checking its dates.
func NewCalendar(d CalendarData) (*Calendar, error) {
	c := &Calendar{years: map[int]bool{}, holidays: map[string]bool{}, workdays: map[string]bool{}}
	for _, y := range d.Years {
		c.years[y] = true
	}
	for _, set := range []struct {
		name string
		days []string
		into map[string]bool
	}{{"holidays", d.Holidays, c.holidays}, {"workdays", d.Workdays, c.workdays}} {
		for _, s := range set.days {
			if _, err := time.Parse(time.DateOnly, s); err != nil {
				return nil, fmt.Errorf("calendar %s: %q is not YYYY-MM-DD", set.name, s)
			}
			set.into[s] = true
		}
	}
	return c, nil
}

// Day returns the calendar day of t in China as midnight CST.
func Day(t time.Time) time.Time {
	t = t.In(China)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, China)
}

// Covers reports whether the calendar has holiday data for t's year.
func (c *Calendar) Covers(t time.Time) bool { return c.years[t.In(China).Year()] }

// IsWorkday reports whether the day of t is a working day.
func (c *Calendar) IsWorkday(t time.Time) bool {
	k := t.In(China).Format(time.DateOnly)
	if c.workdays[k] {
		return true
	}
	if c.holidays[k] {
		return false
	}
	wd := t.In(China).Weekday()
	return wd != time.Saturday && wd != time.Sunday
}

// AddWorkdays returns the n-th working day after the day of t: the starting
// day does not count, as with every legal time limit. sure is false when a
// day on the way falls in a year the calendar has no holiday data for, so
// the result counted only weekends there.
func (c *Calendar) AddWorkdays(t time.Time, n int) (day time.Time, sure bool) {
	d, sure := Day(t), true
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if !c.Covers(d) {
			sure = false
		}
		if c.IsWorkday(d) {
			n--
		}
	}
	return d, sure
}

// NextWorkday returns the day of t when it is a working day, else the first
// working day after it.
func (c *Calendar) NextWorkday(t time.Time) time.Time {
	d := Day(t)
	for !c.IsWorkday(d) {
		d = d.AddDate(0, 0, 1)
	}
	return d
}

// WorkdaysBetween counts the working days after from up to and including to.
func (c *Calendar) WorkdaysBetween(from, to time.Time) int {
	n := 0
	for d := Day(from).AddDate(0, 0, 1); !d.After(Day(to)); d = d.AddDate(0, 0, 1) {
		if c.IsWorkday(d) {
			n++
		}
	}
	return n
}
