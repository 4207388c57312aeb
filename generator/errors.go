package generator

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a content file. Path is relative to the site root and
// slash-separated, e.g. "content/policies/x.md".
type Pos struct {
	Path string
	Line int
}

func (p Pos) String() string {
	if p.Line > 0 {
		return fmt.Sprintf("%s:%d", p.Path, p.Line)
	}
	return p.Path
}

// Problem is one finding about the content: an error, or a warning that does
// not fail the build.
type Problem struct {
	Pos     Pos
	Field   string
	Msg     string
	Warning bool
}

// Error formats the problem as "path:line: field: message".
func (p Problem) Error() string {
	var b strings.Builder
	b.WriteString(p.Pos.String())
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	if p.Warning {
		b.WriteString("warning: ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems collects every problem found in a build, in the spirit of
// go/scanner's ErrorList: nothing stops at the first error.
type Problems []Problem

func (ps *Problems) add(pos Pos, field string, warn bool, format string, args ...any) {
	*ps = append(*ps, Problem{Pos: pos, Field: field, Msg: fmt.Sprintf(format, args...), Warning: warn})
}

// Errorf records an error at pos.
func (ps *Problems) Errorf(pos Pos, field, format string, args ...any) {
	ps.add(pos, field, false, format, args...)
}

// Warnf records a warning at pos.
func (ps *Problems) Warnf(pos Pos, field, format string, args ...any) {
	ps.add(pos, field, true, format, args...)
}

// Sort orders problems by path, line, field and message, and drops exact duplicates.
func (ps Problems) Sort() Problems {
	slices.SortFunc(ps, func(a, b Problem) int {
		return cmp.Or(
			cmp.Compare(a.Pos.Path, b.Pos.Path),
			cmp.Compare(a.Pos.Line, b.Pos.Line),
			cmp.Compare(a.Field, b.Field),
			cmp.Compare(a.Msg, b.Msg),
			cmp.Compare(boolInt(a.Warning), boolInt(b.Warning)),
		)
	})
	return slices.Compact(ps)
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Errors returns the problems that are errors (not warnings).
func (ps Problems) Errors() Problems {
	var out Problems
	for _, p := range ps {
		if !p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// Warnings returns the problems that are warnings.
func (ps Problems) Warnings() Problems {
	var out Problems
	for _, p := range ps {
		if p.Warning {
			out = append(out, p)
		}
	}
	return out
}

// DirectoryField is the field of the problems about the disclosure
// directory's coverage: a category with no records and no empty statement,
// an empty statement on a category with records, an item of 条例 art. 20
// that no category serves. They are warnings; StrictDirectory makes them
// errors (gongkai check -strict).
const DirectoryField = "directory"

// StrictDirectory returns ps with the directory's warnings made errors.
func (ps Problems) StrictDirectory() Problems {
	out := make(Problems, len(ps))
	for i, p := range ps {
		if p.Field == DirectoryField {
			p.Warning = false
		}
		out[i] = p
	}
	return out
}

// Err returns nil when there are no errors, or an error listing them all.
func (ps Problems) Err() error {
	errs := ps.Errors()
	if len(errs) == 0 {
		return nil
	}
	return ContentError{Problems: errs}
}

// ContentError is returned by Load and Build when the content has errors.
// Its Problems are sorted, one line each.
type ContentError struct {
	Problems Problems
}

func (e ContentError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.Error()
	}
	return strings.Join(lines, "\n")
}
