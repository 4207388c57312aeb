package generator

import (
	"time"
)

// Revision is one commit that changed a record's file: a line of the
// record's 修订记录 (site.yaml revision_history). The CLI reads them from
// git; the generator only shows them.
type Revision struct {
	Date    time.Time
	Message string
}

// SetRevisions gives the records their revisions, keyed by the path of
// the record's file (content/policies/x.md), newest first. Pages show them
// only when site.yaml switches revision_history on.
func (c *Content) SetRevisions(byPath map[string][]Revision) { c.revisions = byPath }

// Revisions returns the revisions a published record's page shows: those
// dated up to the end of the build date, newest first; nil when
// revision_history is off or the record has none.
func (b *Build) Revisions(r *Record) []Revision {
	if r == nil || b.Site == nil || !b.Site.RevisionHistory || r.Withheld {
		return nil
	}
	limit := b.Date.AddDate(0, 0, 1)
	var out []Revision
	for _, rev := range b.revisions[r.Path] {
		if rev.Date.Before(limit) {
			out = append(out, rev)
		}
	}
	return out
}

// lastRevision returns the date of the record's newest revision shown
// (zero when none): sitemap.xml's lastmod and, without a previous feed
// state, feed entries' updated date take it when it is later than what
// the content says.
func (b *Build) lastRevision(r *Record) time.Time {
	if revs := b.Revisions(r); len(revs) > 0 {
		return revs[0].Date
	}
	return time.Time{}
}
