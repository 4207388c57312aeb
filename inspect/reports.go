package inspect

import "time"

// Deadline returns the last day to publish the annual report for year y
// (条例第四十九条): 31 January of the next year for a department, 31 March
// for a government.
func Deadline(level string, y int, loc *time.Location) time.Time {
	if level == LevelDepartment {
		return time.Date(y+1, time.January, 31, 0, 0, 0, 0, loc)
	}
	return time.Date(y+1, time.March, 31, 0, 0, 0, 0, loc)
}

// government returns the agency code whose reports are the government's:
// the configured one, else the owner of a published 政府 report, else the
// first agency.
func government(s *Site) string {
	if g := s.Config.Government; g != "" {
		return g
	}
	for _, r := range s.Records {
		if r.Report != nil && r.Report.Level == LevelGovernment && len(r.Agencies) > 0 && !r.Scheduled {
			return r.Agencies[0]
		}
	}
	if len(s.Agencies) > 0 {
		return s.Agencies[0].Code
	}
	return ""
}

// checkReports runs REPORT-MISSING: every agency and the government have
// their report for the newest year whose deadline has passed.
func checkReports(s *Site, c *collector) {
	if !c.on("REPORT-MISSING") {
		return
	}
	gov := government(s)
	have := map[string]map[int]bool{}
	for _, r := range s.Records {
		if r.Report == nil || r.Scheduled || len(r.Agencies) == 0 {
			continue
		}
		if have[r.Agencies[0]] == nil {
			have[r.Agencies[0]] = map[int]bool{}
		}
		have[r.Agencies[0]][r.Report.Year] = true
	}
	for _, a := range s.Agencies {
		if _, ok := s.Config.Exempt[a.Code]; ok {
			continue
		}
		level := LevelDepartment
		if a.Code == gov {
			level = LevelGovernment
		}
		year := s.Date.Year() - 1
		due := Deadline(level, year, s.Date.Location())
		if !s.Date.After(due) {
			year--
			due = Deadline(level, year, s.Date.Location())
		}
		if !have[a.Code][year] {
			c.at("REPORT-MISSING", s.ConfigPath, a.Line, "no %d annual report (%s) from %s, due %s (条例第四十九条)", year, level, a.Name, day(due))
		}
	}
}
