package generator

import (
	"fmt"
	"slices"
	"time"
)

// Interpretation is a policy interpretation (政策解读), linked both ways to
// the document it explains.
type Interpretation struct {
	Header      `yaml:",inline"`
	Document    string       `yaml:"document"` // index number of the policy it explains
	Form        string       `yaml:"form"`     // 文字解读, 图文解读, 视频解读, 新闻发布会
	Attachments []Attachment `yaml:"attachments"`

	Doc *Record `yaml:"-"`
}

var interpretationForms = map[string]bool{"文字解读": true, "图文解读": true, "视频解读": true, "新闻发布会": true, "专家解读": true}

// Check validates the interpretation on its own.
func (in *Interpretation) Check(c *Checker) {
	c.Required("summary", "内容概述", in.Summary)
	c.Required("document", "所解读文件", in.Document)
	if in.Form == "" {
		in.Form = "文字解读"
	} else if !interpretationForms[in.Form] {
		c.Errorf("form", "want one of 文字解读, 图文解读, 视频解读, 新闻发布会, 专家解读, got %q", in.Form)
	}
	checkAttachments(c, "attachments", in.Attachments)
}

// Link resolves the document and adds this interpretation to its page.
func (in *Interpretation) Link(c *Checker) {
	if in.Document == "" {
		return
	}
	d := c.Lookup("document", "policy", in.Document)
	if d == nil {
		return
	}
	in.Doc = d
	if r := c.Record(); !r.Withheld {
		// The document's page lists its interpretations newest first.
		p := d.Entry.(*Policy)
		c.all.mu.Lock()
		i, _ := slices.BinarySearchFunc(p.Interps, r, newestFirst)
		p.Interps = slices.Insert(p.Interps, i, r)
		c.all.mu.Unlock()
	}
}

// PlainPage is a plain page, such as the disclosure office's contacts.
type PlainPage struct {
	Header `yaml:",inline"`
	// Weight orders pages in lists (lower first).
	Weight int `yaml:"weight"`
	// Forms are the forms the page offers for download (申请表), files
	// under content/; the build fails when one does not exist.
	Forms []Attachment `yaml:"forms"`
}

// Check validates the page.
func (pg *PlainPage) Check(c *Checker) {
	if pg.IndexNo == "" {
		c.Required("slug", "URL", pg.Slug)
	}
	checkAttachments(c, "forms", pg.Forms)
}

// DocStatus is what became of the document an interpretation explains,
// shown on the interpretation's page, in its search result and in its feed
// entry, since an interpretation of a repealed policy must not read as
// current.
type DocStatus struct {
	Status string    // 已修改, 失效 or 废止
	Date   time.Time // when; zero when the content does not say
	// Label is the UI-string key naming Links: rel_replaced_by for the
	// documents replacing a repealed or expired one, rel_amended_by for
	// those amending it.
	Label string
	Links []*Record
}

// FeedEntry adds the document explained, and its status when it is no
// longer in force.
func (in *Interpretation) FeedEntry(b *Build, e *feedEntry) []*feedEntry {
	in.Header.FeedEntry(b, e)
	if in.Doc != nil {
		e.Related = append(e.Related, b.feedSection("document_interpreted", []*Record{in.Doc}))
		if ds := in.DocStatus(); ds != nil {
			e.Note = b.DocStatusText(ds)
			e.Related = append(e.Related, b.feedSection(ds.Label, ds.Links))
		}
	}
	return nil
}

// Changed returns the later of the interpretation's publication and the
// last change of the document it explains.
func (in *Interpretation) Changed(limit time.Time) time.Time {
	t := in.Published
	if in.Doc != nil {
		if c := in.Doc.Entry.(*Policy).changed(limit); c.After(t) {
			t = c
		}
	}
	return t
}

// DocStatus returns the status of the explained document, or nil while it
// is in force.
func (in *Interpretation) DocStatus() *DocStatus {
	if in.Doc == nil {
		return nil
	}
	p := in.Doc.Entry.(*Policy)
	v := p.Validity
	ds := &DocStatus{Status: v.Status, Label: "rel_replaced_by"}
	want := "rel_replaced_by"
	switch v.Status {
	case Repealed:
		ds.Date = v.RepealedAt
	case Expired:
		ds.Date = v.ExpiresAt
	case Amended:
		ds.Label, want = "rel_amended_by", "rel_amended_by"
	default:
		return nil
	}
	for _, l := range p.Links {
		if l.Label == want {
			ds.Links = append(ds.Links, l.Target)
			if v.Status == Amended && l.Target.Date().After(ds.Date) {
				ds.Date = l.Target.Date() // the latest amendment
			}
		}
	}
	return ds
}

// DocStatusText returns the banner of an interpretation whose document is
// no longer simply in force: "所解读文件已于 2026-04-01 废止".
func (b *Build) DocStatusText(ds *DocStatus) string {
	if ds == nil {
		return ""
	}
	code := validityCodes[ds.Status]
	if ds.Date.IsZero() {
		return b.Theme.T("interp_banner_" + code + "_undated")
	}
	return fmt.Sprintf(b.Theme.T("interp_banner_"+code), ds.Date.In(China).Format("2006-01-02"))
}
