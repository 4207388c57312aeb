package generator

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// State is a build's bookkeeping: what the next build must know about this
// one. It lives in a folder beside the site (the CLI uses OUT.search), which
// is swapped in together with the site and never served:
//
//	gongkai-urls.txt   every URL that must not disappear without a redirect
//	feeds/state.json   per feed entry, the hash of what it showed and its updated date
//	withdrawn.json     withdrawn pages (撤回): URL, record, date and reason
//	scheduled.json     records kept back until their publication date
//	gone/PATH          an empty file per withdrawn page, so a server can answer 410
type State struct {
	// URLs lists every URL the build published, withdrawn pages and
	// redirects included, sorted.
	URLs []string
	// Withdrawn lists the withdrawn pages, sorted by URL.
	Withdrawn []Withdrawn
	// Scheduled lists the scheduled records, sorted by path.
	Scheduled []ScheduledRecord

	urls  map[string]bool
	feeds *feedState
}

// Withdrawn is a page taken offline (撤回): its URL serves a notice with the
// date, and nothing else of the record is published.
type Withdrawn struct {
	URL    string `json:"url"`
	Path   string `json:"path"` // the record's file
	Date   string `json:"date"` // YYYY-MM-DD
	Reason string `json:"reason,omitempty"`
}

// ScheduledRecord is a record kept back until a build's date reaches its
// publication date.
type ScheduledRecord struct {
	Path string `json:"path"`
	URL  string `json:"url"`
	Date string `json:"date"`
}

// Files of the state folder.
const (
	ManifestFile  = "gongkai-urls.txt"
	WithdrawnFile = "withdrawn.json"
	ScheduledFile = "scheduled.json"
	// GoneDir holds an empty file per withdrawn page (gone/policy/x.html);
	// `gongkai serve` and the documented nginx rule answer 410 for them.
	GoneDir       = "gone"
	feedStateFile = "feeds/state.json"
)

// ReadState reads the bookkeeping the previous build left in dir. Files
// missing there are looked for in legacy (the served folder, where builds
// before the state folder kept the manifest and the feed state); legacy may
// be empty. It returns nil, nil when there was no previous build.
func ReadState(dir, legacy string) (*State, error) { return ReadStateWarm(dir, legacy, nil) }

// ReadStateWarm is ReadState with the feed state taken from w when w kept
// it (the build that wrote the file kept what it wrote; nil keeps none).
func ReadStateWarm(dir, legacy string, w *Warm) (*State, error) {
	find := func(name string) string {
		for _, d := range []string{dir, legacy} {
			if d == "" {
				continue
			}
			p := filepath.Join(d, filepath.FromSlash(name))
			if _, err := os.Stat(p); err == nil {
				return p
			}
		}
		return ""
	}
	manifest := find(ManifestFile)
	if manifest == "" {
		return nil, nil
	}
	s := &State{urls: map[string]bool{}}
	f, err := os.Open(manifest)
	if err != nil {
		return nil, fmt.Errorf("read previous build state: %w", err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if u := strings.TrimSpace(sc.Text()); u != "" {
			s.URLs = append(s.URLs, u)
			s.urls[u] = true
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read previous build state %s: %w", manifest, err)
	}
	for _, j := range []struct {
		name string
		v    any
	}{{WithdrawnFile, &s.Withdrawn}, {ScheduledFile, &s.Scheduled}} {
		p := find(j.name)
		if p == "" {
			continue
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return nil, fmt.Errorf("read previous build state: %w", err)
		}
		if err := json.Unmarshal(data, j.v); err != nil {
			return nil, fmt.Errorf("read previous build state %s: %w", p, err)
		}
	}
	if p := find(feedStateFile); p != "" {
		if s.feeds, err = readFeedState(p, w); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Published reports whether the build that left s published url.
func (s *State) Published(url string) bool { return s != nil && s.urls[url] }

func (s *State) withdrawn(url string) (Withdrawn, bool) {
	if s == nil {
		return Withdrawn{}, false
	}
	i := slices.IndexFunc(s.Withdrawn, func(w Withdrawn) bool { return w.URL == url })
	if i < 0 {
		return Withdrawn{}, false
	}
	return s.Withdrawn[i], true
}

// withdrawals returns the pages this build withdraws, given the previous
// build's state prev (nil for none): every record with a withdrawn: field;
// every other record kept out of the outputs whose URL the previous build
// published (changed to 不予公开 after publication, say), dated the day it
// was first withdrawn; and every page withdrawn before whose URL nothing
// now publishes, so a withdrawn URL never turns into a 404.
func (c *Content) withdrawals(prev *State) []Withdrawn {
	var out []Withdrawn
	seen := map[string]bool{}
	today := c.Date.In(China).Format("2006-01-02")
	taken := map[string]bool{}
	for _, r := range c.Redirects {
		taken[r.From] = true
	}
	for _, r := range c.Records {
		if !r.Withheld {
			taken[r.URL] = true
			continue
		}
		w := Withdrawn{URL: r.URL, Path: r.Path}
		switch h := r.H(); {
		case h.Withdrawn != nil && !h.Withdrawn.At.IsZero():
			w.Date, w.Reason = h.Withdrawn.At.Format("2006-01-02"), h.Withdrawn.Reason
		case prev.Published(r.URL):
			w.Date = today
			if old, ok := prev.withdrawn(r.URL); ok {
				w.Date, w.Reason = old.Date, old.Reason
			}
		default:
			continue
		}
		seen[w.URL] = true
		out = append(out, w)
	}
	if prev != nil {
		for _, w := range prev.Withdrawn {
			if !seen[w.URL] && !taken[w.URL] {
				seen[w.URL] = true
				out = append(out, w)
			}
		}
	}
	slices.SortFunc(out, func(a, b Withdrawn) int { return strings.Compare(a.URL, b.URL) })
	return out
}

// scheduledRecords lists c.Scheduled for the state.
func (c *Content) scheduledRecords() []ScheduledRecord {
	out := []ScheduledRecord{}
	for _, r := range c.Scheduled {
		out = append(out, ScheduledRecord{Path: r.Path, URL: r.URL, Date: r.Scheduled.In(China).Format("2006-01-02")})
	}
	return out
}

// writeState writes the bookkeeping files into dir.
func writeState(dir string, urls []string, ws []Withdrawn, sched []ScheduledRecord, feeds []byte) error {
	if ws == nil {
		ws = []Withdrawn{}
	}
	files := map[string][]byte{feedStateFile: feeds}
	var m strings.Builder
	for _, u := range urls {
		m.WriteString(u)
		m.WriteByte('\n')
	}
	files[ManifestFile] = []byte(m.String())
	for name, v := range map[string]any{WithdrawnFile: ws, ScheduledFile: sched} {
		b, err := json.MarshalIndent(v, "", " ")
		if err != nil {
			return err
		}
		files[name] = append(b, '\n')
	}
	for _, w := range ws {
		files[GoneDir+w.URL] = nil
	}
	if err := os.MkdirAll(filepath.Join(dir, GoneDir), 0o755); err != nil {
		return fmt.Errorf("write build state: %w", err)
	}
	for name, data := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			return fmt.Errorf("write build state: %w", err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			return fmt.Errorf("write build state: %w", err)
		}
	}
	return nil
}
