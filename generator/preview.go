package generator

import (
	"bytes"
	"slices"
	"strings"
)

// PreviewScript is the site path of the script every HTML page of a
// preview build loads (Options.Preview): `gongkai serve` writes it and
// answers its events. A production build never names it.
const PreviewScript = "/_preview/live.js"

// Why a record is kept out of every output, as Unpublished.Status says it.
const (
	StatusWithheld  = "withheld"  // its disclosure mode is not 主动公开 (or is missing or unknown)
	StatusScheduled = "scheduled" // its publication date is after the build date (embargo)
	StatusWithdrawn = "withdrawn" // taken down (撤回); its URL serves the withdrawal notice
)

// Unpublished is a record the build keeps out of every output, with the
// reason: what the preview's side panel shows editors. It is never part of
// a page.
type Unpublished struct {
	Path   string `json:"path"` // content/policies/x.md
	Title  string `json:"title,omitempty"`
	URL    string `json:"url,omitempty"` // the site path it would have
	Status string `json:"status"`        // StatusWithheld, StatusScheduled or StatusWithdrawn
	// Mode is the record's disclosure mode as written (empty when missing).
	Mode string `json:"mode,omitempty"`
	// Date is the scheduled publication date or the withdrawal date
	// (YYYY-MM-DD).
	Date string `json:"date,omitempty"`
	// Reason is the withdrawal reason (撤回原因).
	Reason string `json:"reason,omitempty"`
}

// Unpublished lists the records this build keeps out of every output —
// withheld, scheduled and withdrawn — sorted by path, for a preview.
// Withdrawals carried over from the previous build for records that no
// longer exist are listed by URL.
func (c *Content) Unpublished() []Unpublished {
	var out []Unpublished
	seen := map[string]bool{}
	for _, r := range c.Records {
		if !r.Withheld {
			continue
		}
		h := r.H()
		u := Unpublished{Path: r.Path, Title: h.Title, URL: r.URL, Mode: h.Disclosure, Status: StatusWithheld}
		switch {
		case h.Withdrawn != nil:
			u.Status, u.Reason = StatusWithdrawn, h.Withdrawn.Reason
			if !h.Withdrawn.At.IsZero() {
				u.Date = h.Withdrawn.At.In(China).Format("2006-01-02")
			}
		case !r.Scheduled.IsZero():
			u.Status, u.Date = StatusScheduled, r.Scheduled.In(China).Format("2006-01-02")
		default:
			// Withheld by its mode; a URL the previous build published
			// also serves the withdrawal notice now.
			for _, w := range c.Withdrawn {
				if w.URL == r.URL {
					u.Status, u.Date, u.Reason = StatusWithdrawn, w.Date, w.Reason
				}
			}
		}
		seen[r.URL] = true
		out = append(out, u)
	}
	for _, w := range c.Withdrawn {
		if !seen[w.URL] {
			out = append(out, Unpublished{Path: w.Path, URL: w.URL, Status: StatusWithdrawn, Date: w.Date, Reason: w.Reason})
		}
	}
	slices.SortFunc(out, func(a, b Unpublished) int {
		if c := strings.Compare(a.Path, b.Path); c != 0 {
			return c
		}
		return strings.Compare(a.URL, b.URL)
	})
	return out
}

// injectPreview puts the preview script into an HTML page, before </head>;
// other files are returned unchanged.
func injectPreview(page []byte, basePath string) []byte {
	i := bytes.Index(page, []byte("</head>"))
	if i < 0 {
		return page
	}
	tag := `<script src="` + strings.TrimSuffix(basePath, "/") + PreviewScript + `" defer></script>` + "\n"
	return slices.Concat(page[:i], []byte(tag), page[i:])
}

// InjectPreview is injectPreview for pages rendered outside Render (the
// search results shell, the online service's frames) in a preview build.
func InjectPreview(page []byte, basePath string) []byte { return injectPreview(page, basePath) }
