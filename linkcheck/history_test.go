package linkcheck

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestHistory runs a check of a changing site week after week with a
// history, and checks since when each finding is reported, what is new and
// what was fixed.
func TestHistory(t *testing.T) {
	site := t.TempDir()
	hist := filepath.Join(t.TempDir(), "history.jsonl")
	page := func(links ...string) {
		body := ""
		for _, l := range links {
			body += `<a href="` + l + `">x</a>` + "\n"
		}
		writeFile(t, filepath.Join(site, "index.html"), []byte(`<!DOCTYPE html><html><head><meta charset="utf-8"><title>首页</title></head><body>`+"\n"+body+`</body></html>`))
	}
	// run checks the site on date and records it, and returns the findings
	// as "target first-seen runs" and the changes as "new target" and
	// "fixed target first-seen runs".
	run := func(date string) ([]string, []string) {
		t.Helper()
		cfg := DefaultConfig()
		cfg.Target = site
		rep, err := Check(context.Background(), cfg)
		if err != nil {
			t.Fatal(err)
		}
		h, err := ReadHistory(hist)
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Annotate(rep, date); err != nil {
			t.Fatal(err)
		}
		if err := h.Append(rep, date); err != nil {
			t.Fatal(err)
		}
		var found, changes []string
		for _, f := range rep.Findings {
			found = append(found, f.Target+" "+f.FirstSeen+" "+string(rune('0'+f.Runs)))
		}
		if rep.Since != nil {
			for _, f := range rep.Since.New {
				changes = append(changes, "new "+f.Target)
			}
			for _, f := range rep.Since.Fixed {
				changes = append(changes, "fixed "+f.Target+" "+f.FirstSeen+" "+string(rune('0'+f.Runs)))
			}
		}
		return found, changes
	}
	check := func(date string, wantFound, wantChanges []string) {
		t.Helper()
		found, changes := run(date)
		if diff := cmp.Diff(wantFound, found); diff != "" {
			t.Errorf("%s: findings (-want +got):\n%s", date, diff)
		}
		if diff := cmp.Diff(wantChanges, changes); diff != "" {
			t.Errorf("%s: changes (-want +got):\n%s", date, diff)
		}
	}

	page("a.html", "b.html")
	check("2026-04-06", []string{"/a.html 2026-04-06 1", "/b.html 2026-04-06 1"}, nil)

	writeFile(t, filepath.Join(site, "b.html"), []byte(`<!DOCTYPE html><meta charset="utf-8"><title>b</title>`))
	page("a.html", "b.html", "d.html")
	check("2026-04-13", []string{"/a.html 2026-04-06 2", "/d.html 2026-04-13 1"},
		[]string{"new /d.html", "fixed /b.html 2026-04-06 1"})

	// A crawl recorded in the same history names pages differently; disk
	// runs are compared with disk runs only.
	h, err := ReadHistory(hist)
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Append(&Report{Mode: "http", Target: "http://127.0.0.1/", Findings: []Finding{}}, "2026-04-15"); err != nil {
		t.Fatal(err)
	}

	if err := os.Remove(filepath.Join(site, "b.html")); err != nil {
		t.Fatal(err)
	}
	page("b.html", "d.html")
	check("2026-04-20", []string{"/b.html 2026-04-20 1", "/d.html 2026-04-13 2"},
		[]string{"new /b.html", "fixed /a.html 2026-04-06 2"})

	h, err = ReadHistory(hist)
	if err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(hist)
	lines := strings.Split(strings.TrimSuffix(string(data), "\n"), "\n")
	if h.Runs() != 4 || len(lines) != 4+2+2+0+2 {
		t.Errorf("history has %d runs in %d lines, want 4 in 10:\n%s", h.Runs(), len(lines), data)
	}
	wantFirst := `{"record":"run","run":1,"date":"2026-04-06","mode":"disk","target":"` + site + `","pages":1,"links":2,"errors":2,"warnings":0,"findings":2}`
	if lines[0] != wantFirst {
		t.Errorf("first line:\n got %s\nwant %s", lines[0], wantFirst)
	}
	if want := `{"record":"finding","run":1,"page":"/index.html","target":"/a.html","kind":"broken","severity":"error","line":2,"source":"a href","raw":"a.html","detail":"no file a.html"}`; lines[1] != want {
		t.Errorf("second line:\n got %s\nwant %s", lines[1], want)
	}
}

func TestHistoryErrors(t *testing.T) {
	const run1 = `{"record":"run","run":1,"date":"2026-04-06","mode":"disk","target":"public","findings":1}` + "\n"
	const finding1 = `{"record":"finding","run":1,"page":"/index.html","target":"/a.html","kind":"broken","severity":"error","detail":"no file a.html"}` + "\n"
	tests := []struct {
		name, data, want string
	}{
		{"missing finding", run1 + `{"record":"run","run":2,"date":"2026-04-13","mode":"disk","target":"public","findings":0}` + "\n",
			":1: run 1 lists 1 findings but 0 follow; the file is damaged"},
		{"cut short", run1, ":1: run 1 lists 1 findings but 0 follow; the file is damaged"},
		{"bad JSON", run1 + finding1 + "{\"record\":\n", ":3: unexpected end of JSON input"},
		{"unknown record", run1 + finding1 + `{"record":"note"}` + "\n", `:3: record: want "run" or "finding", got "note"`},
		{"bad date", `{"record":"run","run":1,"date":"6 April","mode":"disk","findings":0}` + "\n", `:1: date: want YYYY-MM-DD, got "6 April"`},
		{"runs out of order", run1 + finding1 + strings.Replace(run1, `"run":1`, `"run":1`, 1), ":3: run 1 follows run 1; runs must be numbered upwards"},
		{"stray finding", finding1, ":1: finding of run 1 outside that run's lines"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			name := filepath.Join(t.TempDir(), "history.jsonl")
			writeFile(t, name, []byte(tt.data))
			_, err := ReadHistory(name)
			if err == nil || err.Error() != name+tt.want {
				t.Errorf("ReadHistory error = %v, want %s", err, name+tt.want)
			}
		})
	}

	t.Run("changed during the run", func(t *testing.T) {
		name := filepath.Join(t.TempDir(), "history.jsonl")
		writeFile(t, name, []byte(run1+finding1))
		h, err := ReadHistory(name)
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, name, []byte(run1+finding1+strings.Replace(run1, `"run":1`, `"run":2`, 1)+strings.Replace(finding1, `"run":1`, `"run":2`, 1)))
		rep := &Report{Mode: "disk", Target: "public", Findings: []Finding{}}
		if err := h.Append(rep, "2026-04-13"); err == nil || !strings.Contains(err.Error(), "another run changed the file during this one; this run was not recorded") {
			t.Errorf("Append error = %v, want a refusal", err)
		}
		if h, err := ReadHistory(name); err != nil || h.Runs() != 2 {
			t.Errorf("history after the refusal: %v runs, error %v; want the other run's 2", h, err)
		}
	})
}
