package linkcheck

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// History is the record of earlier checks of a site, kept in a JSON-lines
// file that grows by one run at a time: a line describing the run, then a
// line per finding of the run.
//
//	{"record":"run","run":3,"date":"2026-05-04","mode":"disk","target":"public",…,"findings":2}
//	{"record":"finding","run":3,"page":"/index.html","target":"/missing.html","kind":"broken",…}
//
// JSON lines rather than a database: the checker stays free of anything
// but the standard library and golang.org/x, and an archivist can read,
// grep, diff and keep the file in version control beside the reports. A
// run is appended by writing the whole file anew and renaming it into
// place, so an interrupted run leaves the history as it was.
//
// A history is meant for one site; runs are compared with the previous
// run of the same mode (disk or http), since the two name pages
// differently.
type History struct {
	path string
	runs []*historyRun
	// raw is the file as read, rewritten before the new run; exists, size
	// and modTime tell whether another run changed the file meanwhile.
	raw     []byte
	exists  bool
	size    int64
	modTime time.Time
}

// historyRun is one run of the history.
type historyRun struct {
	Record   string `json:"record"`
	Run      int    `json:"run"`
	Date     string `json:"date"`
	Mode     string `json:"mode"`
	Target   string `json:"target"`
	BaseURL  string `json:"base_url,omitempty"`
	Pages    int    `json:"pages"`
	Links    int    `json:"links"`
	Errors   int    `json:"errors"`
	Warnings int    `json:"warnings"`
	// Findings is the number of finding lines that follow.
	Findings int `json:"findings"`

	findings []Finding
	ids      map[string]bool
}

// historyFinding is one finding line.
type historyFinding struct {
	Record string `json:"record"`
	Run    int    `json:"run"`
	Finding
}

// HistoryDateLayout is the layout of a run's date in a history.
const HistoryDateLayout = "2006-01-02"

// ReadHistory reads the history at path; a missing file is an empty
// history. Problems are reported as "path:line: message".
func ReadHistory(path string) (*History, error) {
	h := &History{path: path}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return h, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	h.raw, h.exists, h.size, h.modTime = data, true, fi.Size(), fi.ModTime()
	bad := func(line int, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", path, line, fmt.Sprintf(format, args...))
	}
	var (
		cur      *historyRun
		curLine  int
		r        = bufio.NewReader(bytes.NewReader(data))
		complete = func() error {
			if cur != nil && len(cur.findings) != cur.Findings {
				return bad(curLine, "run %d lists %d findings but %d follow; the file is damaged", cur.Run, cur.Findings, len(cur.findings))
			}
			return nil
		}
	)
	for n := 1; ; n++ {
		line, err := r.ReadBytes('\n')
		if len(bytes.TrimSpace(line)) > 0 {
			var rec struct {
				Record string `json:"record"`
				Run    int    `json:"run"`
			}
			if jerr := json.Unmarshal(line, &rec); jerr != nil {
				return nil, bad(n, "%v", jerr)
			}
			switch rec.Record {
			case "run":
				if err := complete(); err != nil {
					return nil, err
				}
				run := &historyRun{}
				if jerr := json.Unmarshal(line, run); jerr != nil {
					return nil, bad(n, "%v", jerr)
				}
				if _, derr := time.Parse(HistoryDateLayout, run.Date); derr != nil {
					return nil, bad(n, "date: want YYYY-MM-DD, got %q", run.Date)
				}
				if len(h.runs) > 0 && run.Run <= h.runs[len(h.runs)-1].Run {
					return nil, bad(n, "run %d follows run %d; runs must be numbered upwards", run.Run, h.runs[len(h.runs)-1].Run)
				}
				run.ids = make(map[string]bool, run.Findings)
				h.runs = append(h.runs, run)
				cur, curLine = run, n
			case "finding":
				var hf historyFinding
				if jerr := json.Unmarshal(line, &hf); jerr != nil {
					return nil, bad(n, "%v", jerr)
				}
				if cur == nil || hf.Run != cur.Run {
					return nil, bad(n, "finding of run %d outside that run's lines", hf.Run)
				}
				cur.findings = append(cur.findings, hf.Finding)
				cur.ids[hf.ID()] = true
			default:
				return nil, bad(n, "record: want \"run\" or \"finding\", got %q", rec.Record)
			}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, fmt.Errorf("read history %s: %w", path, err)
		}
	}
	if err := complete(); err != nil {
		return nil, err
	}
	return h, nil
}

// Runs returns the number of runs recorded.
func (h *History) Runs() int { return len(h.runs) }

// previous returns the runs of mode, oldest first.
func (h *History) previous(mode string) []*historyRun {
	var out []*historyRun
	for _, r := range h.runs {
		if r.Mode == mode {
			out = append(out, r)
		}
	}
	return out
}

// streak returns the date of the first run of the unbroken series of runs
// that end the list runs and all hold the finding id, and the length of
// that series.
func streak(runs []*historyRun, id string) (string, int) {
	first, n := "", 0
	for i := len(runs) - 1; i >= 0 && runs[i].ids[id]; i-- {
		first, n = runs[i].Date, n+1
	}
	return first, n
}

// Annotate sets, for a report of a run on date (YYYY-MM-DD), each
// finding's FirstSeen and Runs, and rep.Since to what is new and what was
// fixed since the previous run of the same mode. It changes no file.
func (h *History) Annotate(rep *Report, date string) error {
	if _, err := time.Parse(HistoryDateLayout, date); err != nil {
		return fmt.Errorf("history date: want YYYY-MM-DD, got %q", date)
	}
	rep.Date = date
	runs := h.previous(rep.Mode)
	for i := range rep.Findings {
		f := &rep.Findings[i]
		first, n := streak(runs, f.ID())
		f.FirstSeen, f.Runs = date, n+1
		if n > 0 {
			f.FirstSeen = first
		}
	}
	if len(runs) == 0 {
		return nil
	}
	last := runs[len(runs)-1]
	prev := &Report{Mode: last.Mode, Findings: last.findings}
	Compare(prev, rep, fmt.Sprintf("run %d of %s (%s)", last.Run, last.Date, filepath.Base(h.path)))
	rep.Since.PreviousDate = last.Date
	for i := range rep.Since.Fixed {
		f := &rep.Since.Fixed[i]
		f.FirstSeen, f.Runs = streak(runs, f.ID())
	}
	return nil
}

// Append records rep, the report of a run on date, as the next run. It
// writes the whole history to a temporary file beside it and renames that
// into place, and refuses when another run changed the file since it was
// read.
func (h *History) Append(rep *Report, date string) error {
	if _, err := time.Parse(HistoryDateLayout, date); err != nil {
		return fmt.Errorf("history date: want YYYY-MM-DD, got %q", date)
	}
	run := historyRun{
		Record: "run", Run: 1, Date: date, Mode: rep.Mode, Target: rep.Target, BaseURL: rep.BaseURL,
		Pages: rep.Stats.Pages, Links: rep.Stats.Links, Errors: rep.Stats.Errors, Warnings: rep.Stats.Warnings,
		Findings: len(rep.Findings),
	}
	if len(h.runs) > 0 {
		run.Run = h.runs[len(h.runs)-1].Run + 1
	}
	var buf bytes.Buffer
	buf.Write(h.raw)
	if len(h.raw) > 0 && h.raw[len(h.raw)-1] != '\n' {
		buf.WriteByte('\n')
	}
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(run); err != nil {
		return fmt.Errorf("write history %s: %w", h.path, err)
	}
	for _, f := range rep.Findings {
		f.FirstSeen, f.Runs = "", 0
		if err := enc.Encode(historyFinding{Record: "finding", Run: run.Run, Finding: f}); err != nil {
			return fmt.Errorf("write history %s: %w", h.path, err)
		}
	}

	fi, err := os.Stat(h.path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if h.exists {
			return fmt.Errorf("write history %s: the file disappeared during the run; this run was not recorded", h.path)
		}
	case err != nil:
		return fmt.Errorf("write history: %w", err)
	case !h.exists || fi.Size() != h.size || !fi.ModTime().Equal(h.modTime):
		return fmt.Errorf("write history %s: another run changed the file during this one; this run was not recorded", h.path)
	}
	tmp, err := os.CreateTemp(filepath.Dir(h.path), ".linkcheck-history-*")
	if err != nil {
		return fmt.Errorf("write history: %w", err)
	}
	_, err = tmp.Write(buf.Bytes())
	if err == nil {
		err = tmp.Chmod(0o644)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), h.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write history %s: %w", h.path, err)
	}
	run.findings = rep.Findings
	run.ids = make(map[string]bool, len(rep.Findings))
	for _, f := range rep.Findings {
		run.ids[f.ID()] = true
	}
	h.runs = append(h.runs, &run)
	h.raw, h.exists = buf.Bytes(), true
	if fi, err := os.Stat(h.path); err == nil {
		h.size, h.modTime = fi.Size(), fi.ModTime()
	}
	return nil
}
