package inspect

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Config is a site's inspection configuration: the inspection: section of
// content/site.yaml. The zero value is not ready; use DefaultConfig or
// ParseConfig.
//
//	inspection:
//	  rules: {WORD-TYPO: error, PII-NAME: off}   # error | warning | off
//	  home_max_age: 2w                          # Nd, Nw, Nm (months), Ny, or off
//	  guide_max_age: 1y
//	  columns:                                  # by column name or list URL
//	    - {column: 新闻发布, max_age: 2w}
//	    - {column: /fee/, max_age: 1y}
//	  interpretation_days: 3
//	  reports:
//	    government: szf                         # whose report is the government's (政府)
//	    exempt: [{agency: xyz, reason: 由市政府年度报告涵盖}]
//	  allow:                                    # personal-data allow list: exact values
//	    - {value: 400-000-0000, reason: 公开的服务热线}
//	  sensitive_words: [词一, 词二]
//	  standard_forms:
//	    - {form: 云泽市发展和改革委员会, variants: [云泽市发改委]}
//	  typo_ignore: [其它]                        # built-in misspellings this site accepts
//	  names: [政务公开专栏]                       # further names of this site's columns
type Config struct {
	severity map[string]Severity

	HomeMaxAge  Age
	GuideMaxAge Age
	Columns     []ColumnAge
	// InterpretationDays is the most working days an interpretation may
	// follow its document.
	InterpretationDays int
	// Government is the agency code whose report is the government's.
	Government string
	// Exempt maps agency codes that publish no report of their own to why.
	Exempt map[string]string
	// Allow maps allowed personal-data values (digits only, X upper-case)
	// to why they may be published.
	Allow          map[string]string
	SensitiveWords []string
	StandardForms  []StandardForm
	TypoIgnore     []string
	Names          []string
}

// ColumnAge sets the maximum age of one column.
type ColumnAge struct {
	Column string // name or list URL
	MaxAge Age
	Line   int
}

// StandardForm is a 规范表述 and the wrong variants to flag.
type StandardForm struct {
	Form     string
	Variants []string
}

// Age is a maximum age: a number of years, months and days, or none.
type Age struct {
	Years, Months, Days int
	None                bool
}

// Cutoff returns the oldest date still fresh on date d.
func (a Age) Cutoff(d time.Time) time.Time { return d.AddDate(-a.Years, -a.Months, -a.Days) }

func (a Age) String() string {
	switch {
	case a.None:
		return "no limit"
	case a.Years > 0:
		return plural(a.Years, "year")
	case a.Months > 0:
		return plural(a.Months, "month")
	case a.Days%7 == 0:
		return plural(a.Days/7, "week")
	}
	return plural(a.Days, "day")
}

func plural(n int, unit string) string {
	if n == 1 {
		return "1 " + unit
	}
	return strconv.Itoa(n) + " " + unit + "s"
}

var ageRE = regexp.MustCompile(`^(\d+)\s*([dwmy])$`)

// ParseAge reads "14d", "2w", "6m", "1y" or "off".
func ParseAge(s string) (Age, error) {
	s = strings.TrimSpace(s)
	if s == "off" || s == "none" {
		return Age{None: true}, nil
	}
	m := ageRE.FindStringSubmatch(s)
	if m == nil {
		return Age{}, fmt.Errorf("want an age such as 14d, 2w, 6m, 1y or off, got %q", s)
	}
	n, _ := strconv.Atoi(m[1])
	switch m[2] {
	case "d":
		return Age{Days: n}, nil
	case "w":
		return Age{Days: 7 * n}, nil
	case "m":
		return Age{Months: n}, nil
	}
	return Age{Years: n}, nil
}

// Default maximum ages per column class (国办秘函〔2019〕19号).
var classAges = map[string]Age{
	ClassNews:   {Days: 14},
	ClassNotice: {Months: 6},
	ClassPolicy: {Months: 6},
	ClassInfo:   {None: true},
}

// DefaultConfig returns the configuration of a site that sets nothing.
func DefaultConfig() *Config {
	return &Config{
		severity:           map[string]Severity{},
		HomeMaxAge:         Age{Days: 14},
		GuideMaxAge:        Age{Years: 1},
		InterpretationDays: 3,
		Exempt:             map[string]string{},
		Allow:              map[string]string{},
	}
}

// Severity returns the effective severity of a rule.
func (c *Config) Severity(id string) Severity {
	if s, ok := c.severity[id]; ok {
		return s
	}
	r, _ := RuleByID(id)
	return r.Default
}

// severityOf returns the severity of a finding of rule id that its rule
// proposed as s: a configured severity wins, then s, then the default.
func (c *Config) severityOf(id string, s Severity) Severity {
	if cs, ok := c.severity[id]; ok {
		return cs
	}
	if s != "" {
		return s
	}
	return c.Severity(id)
}

// ColumnAge returns the maximum age of a column.
func (c *Config) ColumnAge(col *Column) Age {
	for _, ca := range c.Columns {
		if ca.Column == col.Name || ca.Column == col.URL || ca.Column == col.ID {
			return ca.MaxAge
		}
	}
	if a, ok := classAges[col.Class]; ok {
		return a
	}
	return Age{None: true}
}

// ParseConfig reads the inspection: section (n may be nil or empty) of the
// file at path. Problems are CONFIG findings with their lines; what could
// be read is kept.
func ParseConfig(n *yaml.Node, path string) (*Config, []Finding) {
	c := DefaultConfig()
	p := &configParser{path: path}
	if n == nil || n.Kind == 0 {
		return c, nil
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return c, nil
	}
	p.mapping(n, "inspection", map[string]func(k, v *yaml.Node){
		"rules": func(k, v *yaml.Node) {
			p.mapping(v, "inspection.rules", nil, func(k, v *yaml.Node) {
				if _, ok := RuleByID(k.Value); !ok {
					p.errorf(k, "inspection.rules: unknown rule %q", k.Value)
					return
				}
				s := Severity(p.scalar(v, "inspection.rules."+k.Value))
				if s != Error && s != Warning && s != Off {
					p.errorf(v, "inspection.rules.%s: want error, warning or off, got %q", k.Value, s)
					return
				}
				c.severity[k.Value] = s
			})
		},
		"home_max_age":  func(k, v *yaml.Node) { c.HomeMaxAge = p.age(v, "inspection.home_max_age", c.HomeMaxAge) },
		"guide_max_age": func(k, v *yaml.Node) { c.GuideMaxAge = p.age(v, "inspection.guide_max_age", c.GuideMaxAge) },
		"columns": func(k, v *yaml.Node) {
			p.sequence(v, "inspection.columns", func(i int, item *yaml.Node) {
				f := fmt.Sprintf("inspection.columns[%d]", i)
				ca := ColumnAge{Line: item.Line, MaxAge: Age{None: true}}
				seen := false
				p.mapping(item, f, map[string]func(k, v *yaml.Node){
					"column":  func(k, v *yaml.Node) { ca.Column = p.scalar(v, f+".column") },
					"max_age": func(k, v *yaml.Node) { ca.MaxAge, seen = p.age(v, f+".max_age", ca.MaxAge), true },
				}, nil)
				if ca.Column == "" || !seen {
					p.errorf(item, "%s: want column and max_age", f)
					return
				}
				c.Columns = append(c.Columns, ca)
			})
		},
		"interpretation_days": func(k, v *yaml.Node) {
			n, err := strconv.Atoi(p.scalar(v, "inspection.interpretation_days"))
			if err != nil || n < 0 {
				p.errorf(v, "inspection.interpretation_days: want a number of working days, got %q", v.Value)
				return
			}
			c.InterpretationDays = n
		},
		"reports": func(k, v *yaml.Node) {
			p.mapping(v, "inspection.reports", map[string]func(k, v *yaml.Node){
				"government": func(k, v *yaml.Node) { c.Government = p.scalar(v, "inspection.reports.government") },
				"exempt": func(k, v *yaml.Node) {
					p.sequence(v, "inspection.reports.exempt", func(i int, item *yaml.Node) {
						f := fmt.Sprintf("inspection.reports.exempt[%d]", i)
						var agency, reason string
						p.mapping(item, f, map[string]func(k, v *yaml.Node){
							"agency": func(k, v *yaml.Node) { agency = p.scalar(v, f+".agency") },
							"reason": func(k, v *yaml.Node) { reason = p.scalar(v, f+".reason") },
						}, nil)
						if agency == "" || strings.TrimSpace(reason) == "" {
							p.errorf(item, "%s: want agency and reason", f)
							return
						}
						c.Exempt[agency] = reason
					})
				},
			}, nil)
		},
		"allow": func(k, v *yaml.Node) {
			p.sequence(v, "inspection.allow", func(i int, item *yaml.Node) {
				f := fmt.Sprintf("inspection.allow[%d]", i)
				var value, reason string
				p.mapping(item, f, map[string]func(k, v *yaml.Node){
					"value":  func(k, v *yaml.Node) { value = p.scalar(v, f+".value") },
					"reason": func(k, v *yaml.Node) { reason = p.scalar(v, f+".reason") },
				}, nil)
				if strings.TrimSpace(reason) == "" {
					p.errorf(item, "%s: a reason is required (why this value may be published)", f)
					return
				}
				norm := normalizeValue(value)
				if norm == "" {
					p.errorf(item, "%s.value: want the number exactly as published, got %q", f, value)
					return
				}
				c.Allow[norm] = reason
			})
		},
		"sensitive_words": func(k, v *yaml.Node) { c.SensitiveWords = p.strings(v, "inspection.sensitive_words") },
		"standard_forms": func(k, v *yaml.Node) {
			p.sequence(v, "inspection.standard_forms", func(i int, item *yaml.Node) {
				f := fmt.Sprintf("inspection.standard_forms[%d]", i)
				var sf StandardForm
				p.mapping(item, f, map[string]func(k, v *yaml.Node){
					"form":     func(k, v *yaml.Node) { sf.Form = p.scalar(v, f+".form") },
					"variants": func(k, v *yaml.Node) { sf.Variants = p.strings(v, f+".variants") },
				}, nil)
				if sf.Form == "" || len(sf.Variants) == 0 {
					p.errorf(item, "%s: want form and at least one variant", f)
					return
				}
				for _, vr := range sf.Variants {
					if strings.Contains(sf.Form, vr) {
						p.errorf(item, "%s: variant %q is part of the form itself", f, vr)
						return
					}
				}
				c.StandardForms = append(c.StandardForms, sf)
			})
		},
		"typo_ignore": func(k, v *yaml.Node) { c.TypoIgnore = p.strings(v, "inspection.typo_ignore") },
		"names":       func(k, v *yaml.Node) { c.Names = p.strings(v, "inspection.names") },
	}, nil)
	return c, p.found
}

// normalizeValue keeps the digits (and a final X) of a number as written.
func normalizeValue(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			b.WriteRune(r)
		case r == 'x' || r == 'X':
			b.WriteByte('X')
		}
	}
	return b.String()
}

type configParser struct {
	path  string
	found []Finding
}

func (p *configParser) errorf(n *yaml.Node, format string, args ...any) {
	p.found = append(p.found, Finding{Rule: "CONFIG", Severity: Error, Path: p.path, Loc: line(n.Line), Message: fmt.Sprintf(format, args...)})
}

// mapping walks a mapping node: known keys go to their handler, others to
// rest, or are errors when rest is nil.
func (p *configParser) mapping(n *yaml.Node, field string, known map[string]func(k, v *yaml.Node), rest func(k, v *yaml.Node)) {
	if n.Kind != yaml.MappingNode {
		p.errorf(n, "%s: want a mapping of keys to values", field)
		return
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if h, ok := known[k.Value]; ok {
			h(k, v)
			continue
		}
		if rest != nil {
			rest(k, v)
			continue
		}
		names := make([]string, 0, len(known))
		for name := range known {
			names = append(names, name)
		}
		slices.Sort(names)
		p.errorf(k, "%s.%s: unknown key (want one of %s)", field, k.Value, strings.Join(names, ", "))
	}
}

func (p *configParser) sequence(n *yaml.Node, field string, each func(i int, item *yaml.Node)) {
	if n.Kind != yaml.SequenceNode {
		p.errorf(n, "%s: want a list", field)
		return
	}
	for i, item := range n.Content {
		each(i, item)
	}
}

func (p *configParser) scalar(n *yaml.Node, field string) string {
	if n.Kind != yaml.ScalarNode {
		p.errorf(n, "%s: want text", field)
		return ""
	}
	return strings.TrimSpace(n.Value)
}

func (p *configParser) strings(n *yaml.Node, field string) []string {
	var out []string
	p.sequence(n, field, func(i int, item *yaml.Node) {
		if s := p.scalar(item, fmt.Sprintf("%s[%d]", field, i)); s != "" {
			out = append(out, s)
		}
	})
	return out
}

func (p *configParser) age(n *yaml.Node, field string, def Age) Age {
	a, err := ParseAge(p.scalar(n, field))
	if err != nil {
		p.errorf(n, "%s: %v", field, err)
		return def
	}
	return a
}
