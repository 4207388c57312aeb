package inspect

import (
	"slices"
	"time"
)

// checkDates runs DATE-ORDER on one record. A scheduled record is not
// published, so nothing about it is reported as published.
func checkDates(s *Site, r *Record, c *collector) {
	if r.Scheduled {
		return
	}
	for _, d := range r.Dates {
		if d.Before.IsZero() || d.After.IsZero() || !d.After.Before(d.Before) {
			continue
		}
		c.at("DATE-ORDER", r.Path, d.Line, "%s (%s) is before %s (%s)", d.AfterName, day(d.After), d.BeforeName, day(d.Before))
	}
}

// checkInterpretation runs INTERP-MISSING and INTERP-LATE on a 规范性文件.
func checkInterpretation(s *Site, r *Record, c *collector) {
	if !r.Normative || !r.InForce || r.Scheduled {
		return
	}
	var published, scheduled []*Record
	for _, in := range r.Interpretations {
		if in.Scheduled {
			scheduled = append(scheduled, in)
		} else {
			published = append(published, in)
		}
	}
	if len(published) == 0 {
		msg := ""
		if len(scheduled) > 0 {
			msg = "; " + scheduled[0].Path + " is scheduled for " + day(scheduled[0].Published)
		}
		c.at("INTERP-MISSING", r.Path, r.DateLine, "规范性文件 published %s has no published interpretation (解读)%s", day(r.Published), msg)
		return
	}
	first := slices.MinFunc(published, func(a, b *Record) int { return a.Published.Compare(b.Published) })
	if s.Workdays == nil || !s.Workdays.Covers(r.Published) || !first.Published.After(r.Published) {
		return
	}
	limit := s.Config.InterpretationDays
	if n := s.Workdays.WorkdaysBetween(dayOf(r.Published), dayOf(first.Published)); n > limit {
		c.at("INTERP-LATE", first.Path, first.DateLine, "published %d working days after the document it explains, %s (%s); the limit is %d",
			n, r.Path, day(r.Published), limit)
	}
}

func dayOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
}
