package generator

import (
	"html/template"
	"time"
)

// View is what a page template sees of the build (Page.Build): the build
// date, published records, the directory and the service charts. It holds
// no withheld record: templates cannot reach Content.Withheld,
// Content.Records or anything else kept out of the site.
type View struct {
	b *Build
}

// NewView returns the view of c that templates rendered outside a build
// (the search page shell, the requests service's frames) receive.
func NewView(c *Content, th *Theme) *View { return (&Build{Content: c, Theme: th}).View() }

// View returns the build's view for templates.
func (b *Build) View() *View {
	b.viewOnce.Do(func() { b.view = &View{b: b} })
	return b.view
}

// Date returns the build date.
func (v *View) Date() time.Time { return v.b.Date }

// ByKind returns the published records of a kind, newest first.
func (v *View) ByKind(kind string) []*Record { return v.b.ByKind(kind) }

// Channels returns the published complaint channels, for the footer.
func (v *View) Channels() []*Record { return v.b.Channels() }

// ApprovalFlow draws an approval item's flow chart.
func (v *View) ApprovalFlow(r *Record) template.HTML { return v.b.ApprovalFlow(r) }

// HandlingChart draws a handling report's chart.
func (v *View) HandlingChart(r *Record) template.HTML { return v.b.HandlingChart(r) }

// DocStatusText describes the status of a document an interpretation
// explains, when it is no longer in force.
func (v *View) DocStatusText(ds *DocStatus) string { return v.b.DocStatusText(ds) }

// Directory returns the disclosure directory's categories in tree order
// (parents before children), each with its published records; nil when
// the build has no directory.
func (v *View) Directory() []*Category {
	if v.b.Content == nil || v.b.Content.Directory == nil {
		return nil
	}
	return v.b.Content.Directory.All
}

// ApplicationForm returns the downloadable 政府信息公开申请表, nil when the
// site names none.
func (v *View) ApplicationForm() *Attachment {
	if v.b.Content == nil || v.b.Site == nil {
		return nil
	}
	return v.b.Site.ApplicationForm
}

// Revisions returns the revisions a published record's page shows
// (revision_history in site.yaml).
func (v *View) Revisions(r *Record) []Revision { return v.b.Revisions(r) }
