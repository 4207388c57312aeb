package requests

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
)

// Table3 holds the counts of table 3 of the annual report for one year:
// each row has one cell per applicant type (ApplicantTypes) and a total.
type Table3 struct {
	Year     int
	Agencies []string           // agency codes counted; empty for all
	Rows     map[string]*[7]int // by the report's field path: "new", "withheld.state_secret", …
}

// Table3Rows are the report's field paths of table 3, in order.
func Table3Rows() []string {
	rows := []string{"new", "carried_over"}
	rows = append(rows, ReplyTypeCodes()...)
	return append(rows, "total", "carried_forward")
}

// Stats counts table 3 for year from the database. An application counts
// as new in the year it was received; as carried over when it was received
// before the year and not yet answered when the year began; in a result row
// in the year it was answered; as carried forward when the year ended
// without an answer. So new + carried over = total + carried forward.
func (s *Store) Stats(ctx context.Context, year int, agencies []string) (*Table3, error) {
	t := &Table3{Year: year, Agencies: slices.Clone(agencies), Rows: map[string]*[7]int{}}
	for _, r := range Table3Rows() {
		t.Rows[r] = new([7]int)
	}
	first, last := fmt.Sprintf("%d-01-01", year), fmt.Sprintf("%d-12-31", year)
	query := `SELECT applicant_type, received_on, replied_on, reply_type FROM applications WHERE received_on <= $1`
	args := []any{last}
	if len(agencies) > 0 {
		var ph []string
		for _, a := range agencies {
			args = append(args, a)
			ph = append(ph, "$"+strconv.Itoa(len(args)))
		}
		query += ` AND agency IN (` + strings.Join(ph, ", ") + `)`
	}
	rows, err := s.db.QueryContext(ctx, s.d.q(query), args...)
	if err != nil {
		return nil, fmt.Errorf("count %d: %w", year, err)
	}
	defer rows.Close()
	for rows.Next() {
		var typ, received string
		var replied, replyType sql.NullString
		if err := rows.Scan(&typ, &received, &replied, &replyType); err != nil {
			return nil, fmt.Errorf("count %d: %w", year, err)
		}
		col := slices.IndexFunc(ApplicantTypes, func(o Option) bool { return o.Code == typ })
		if col < 0 {
			col = len(ApplicantTypes) - 1
		}
		add := func(row string) {
			t.Rows[row][col]++
			t.Rows[row][6]++
		}
		answered := replied.Valid && replied.String <= last
		switch {
		case received >= first:
			add("new")
		case !replied.Valid || replied.String >= first:
			add("carried_over")
		default:
			continue // answered before the year: not in this year's table
		}
		switch {
		case answered && replied.String >= first:
			if _, ok := t.Rows[replyType.String]; ok {
				add(replyType.String)
			} else {
				add("other.other")
			}
			add("total")
		case !answered:
			add("carried_forward")
		}
	}
	return t, rows.Err()
}

// WriteYAML writes the table as the applications: block of a report record
// (content/reports/*.md), ready to paste or include.
func (t *Table3) WriteYAML(w io.Writer) error {
	var b strings.Builder
	scope := "all agencies"
	if len(t.Agencies) > 0 {
		scope = "agencies " + strings.Join(t.Agencies, ", ")
	}
	fmt.Fprintf(&b, "# Table 3 of the %d annual report, counted by gongkai requests stats from the requests database (%s).\n", t.Year, scope)
	b.WriteString("# Columns: 自然人, 商业企业, 科研机构, 社会公益组织, 法律服务机构, 其他, 总计.\n")
	b.WriteString("applications:\n")
	group := ""
	for _, r := range Table3Rows() {
		g, leaf, nested := strings.Cut(r, ".")
		indent := "  "
		if nested {
			if g != group {
				fmt.Fprintf(&b, "  %s:\n", g)
				group = g
			}
			indent = "    "
		} else {
			leaf, group = r, ""
		}
		cells := make([]string, 7)
		for i, n := range t.Rows[r] {
			cells[i] = strconv.Itoa(n)
		}
		fmt.Fprintf(&b, "%s%s: [%s]\n", indent, leaf, strings.Join(cells, ", "))
	}
	_, err := io.WriteString(w, b.String())
	return err
}
