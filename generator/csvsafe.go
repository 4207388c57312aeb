package generator

import (
	"encoding/csv"
	"io"
	"regexp"
)

// csvWriter writes CSV for spreadsheet programs. A cell that starts with
// =, +, -, @, a tab or a carriage return would be read as a formula (a
// title starting with =HYPERLINK( runs in LibreOffice), so, following
// OWASP's CSV-injection rule, it gets a single quote in front, which
// spreadsheets show as text. Plain numbers such as -3 or +1.5 are left as
// they are: as formulas they are only themselves.
type csvWriter struct {
	*csv.Writer
}

// newCSV starts a CSV file with the byte-order mark spreadsheet programs
// need to read UTF-8.
func newCSV(w io.Writer) *csvWriter {
	io.WriteString(w, "\ufeff")
	return &csvWriter{csv.NewWriter(w)}
}

// Write writes one row with every cell neutralised.
func (c *csvWriter) Write(row []string) error {
	safe := make([]string, len(row))
	for i, s := range row {
		safe[i] = csvCell(s)
	}
	return c.Writer.Write(safe)
}

var csvNumberRE = regexp.MustCompile(`^[+-]?[0-9]+(?:\.[0-9]+)?$`)

// csvCell neutralises a cell that a spreadsheet would take as a formula.
func csvCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if !csvNumberRE.MatchString(s) {
			return "'" + s
		}
	}
	return s
}
