package generator

import (
	"crypto/sha256"
	"regexp"
	"strings"
	"sync/atomic"
	"time"
)

// Disclosure modes (公开方式). Only Proactive records are published.
const (
	Proactive  = "主动公开"
	OnRequest  = "依申请公开"
	NotPublic  = "不予公开"
	Classified = "涉密"
)

var disclosureModes = []string{Proactive, OnRequest, NotPublic, Classified}

// Kind describes one kind of record and owns everything the site makes of
// it: its folder, its pages (one per record, from Template), its lists
// (Outputs), its feeds (Feeds), its label (Column) and the facets the
// directory may select its records by. The rest of what a record shows —
// document number, validity, search text, feed metadata — its entry type
// answers through Entry, with defaults from the embedded Header. Adding a
// kind takes an entry type, one Kind value in Kinds, a template and its UI
// strings; nothing else in the generator names kinds (docs/kinds.md).
type Kind struct {
	Name     string // "policy"
	Dir      string // folder under content/, e.g. "policies"
	Section  string // URL prefix, e.g. "/policy/"
	Template string // template for one record's page
	// Column is the UI-string key of the kind's label: its column name
	// (ColumnName meta tag), its search facet value, its catalogue 类别 and
	// its feed category.
	Column string
	// NeedsIndexNo reports whether records of this kind must carry an index
	// number (every record listed in the disclosure catalogue does).
	NeedsIndexNo bool
	// Home reports whether the home page shows a column of the kind's
	// newest records.
	Home bool
	// Facets names the facets the kind's entries answer (Entry.Facet),
	// which the directory's serve: may select records by.
	Facets []string
	// Loaded, when not nil, runs once every record is loaded, linked and
	// sorted into published and withheld, with the kind's published
	// records: agency profiles give the site's agencies their contacts.
	Loaded func(c *Content, published []*Record)
	New    func() Entry
	// PageData, when not nil, returns the Data of a record's page (an
	// agency's page lists what the agency published).
	PageData func(b *Build, r *Record) any
	// Outputs adds the kind's own outputs beyond one page per record: lists,
	// catalogues, CSV files.
	Outputs func(b *Build) []Output
	// Feeds returns the kind's feeds with the records each carries, grouped
	// as the subscribe page shows them; nil for a kind without feeds.
	Feeds func(b *Build) []FeedGroup
	// Scaffold is the text/template that `gongkai new` fills (ScaffoldData).
	Scaffold string
}

// Entry is the typed front matter of one record. Header, embedded in every
// entry, implements every method but Check with the answer for a kind that
// has nothing of its own to say; an entry type overrides what it has.
type Entry interface {
	Head() *Header
	// Derive fills header fields the kind derives from others or from the
	// file name (an agency profile's title is its name) before any check.
	Derive(r *Record)
	// Check validates the record on its own.
	Check(c *Checker)
	// Link resolves the record's references to other records; it runs once
	// every record is loaded.
	Link(c *Checker)
	// DocNumber returns the document number (发文字号), "" for none.
	DocNumber() string
	// ValidityStatus returns the validity (有效性), "" for a kind without one.
	ValidityStatus() string
	// TopicKey returns the topic ("一级/二级"), "" for none.
	TopicKey() string
	// SearchText returns what the search index holds beyond the body: the
	// structured fields the page shows.
	SearchText() string
	// DateFormed returns the catalogue's 生成日期: the date written for a
	// document, else the publication date.
	DateFormed() time.Time
	// Author returns who the page names as its author (the Author meta tag).
	Author() string
	// Changed returns when the record's page last changed, as far as the
	// content tells, counting no change on or after limit.
	Changed(limit time.Time) time.Time
	// Facet returns the record's values of a facet the directory selects
	// by ("agency", "doc_type", …).
	Facet(name string) []string
	// FeedEntry fills in what the record's feed entry e shows beyond the
	// shared fields (metadata, related records) and returns any further
	// entries of the record (a policy's validity changes).
	FeedEntry(b *Build, e *feedEntry) []*feedEntry
}

// Header holds the fields every record shares.
type Header struct {
	Disclosure    string   `yaml:"disclosure"`     // 公开方式
	IndexNo       string   `yaml:"index_no"`       // 索引号
	Title         string   `yaml:"title"`          // 标题
	Slug          string   `yaml:"slug"`           // URL key when there is no index number
	Summary       string   `yaml:"summary"`        // 内容概述
	Agencies      []string `yaml:"agencies"`       // 发布机构 (agency codes)
	DatePublished string   `yaml:"date_published"` // 发布日期
	Keywords      []string `yaml:"keywords"`       // 主题词
	// Withdrawn takes a published record offline (撤回): its URL then
	// serves a notice with the date, and it leaves every list and feed.
	Withdrawn *Withdrawal `yaml:"withdrawn"`

	Published time.Time     `yaml:"-"`
	HasTime   bool          `yaml:"-"`
	Agency    []*Agency     `yaml:"-"`
	Record    *Record       `yaml:"-"`
	Attached  []*Attachment `yaml:"-"`
}

// Head returns h; embedding Header gives every entry its Head method.
func (h *Header) Head() *Header { return h }

// Derive does nothing: a kind whose header is written in full.
func (h *Header) Derive(*Record) {}

// Link does nothing: a kind without references has nothing to resolve.
func (h *Header) Link(*Checker) {}

// DocNumber returns "": a kind without document numbers.
func (h *Header) DocNumber() string { return "" }

// ValidityStatus returns "": a kind without validity.
func (h *Header) ValidityStatus() string { return "" }

// TopicKey returns "": a kind without topics.
func (h *Header) TopicKey() string { return "" }

// SearchText returns "": the body is all there is to search.
func (h *Header) SearchText() string { return "" }

// DateFormed returns the publication date.
func (h *Header) DateFormed() time.Time { return h.Published }

// Author returns the names of the publishing agencies.
func (h *Header) Author() string { return agencyNameList(h.Agency) }

// Changed returns the publication date: nothing else changes the page.
func (h *Header) Changed(time.Time) time.Time { return h.Published }

// Facet answers the facet every kind has: agency, the codes of the
// publishing agencies.
func (h *Header) Facet(name string) []string {
	if name != "agency" {
		return nil
	}
	return h.Agencies
}

// FeedEntry gives the entry the index number, the publisher and the
// document number, if any.
func (h *Header) FeedEntry(_ *Build, e *feedEntry) []*feedEntry {
	e.Meta = []feedField{{Label: "f_index_no", Value: h.IndexNo}, {Label: "f_publisher", Value: agencyNameList(h.Agency)}}
	if h.Record != nil {
		if d := h.Record.DocNo(); d != "" {
			e.Meta = append(e.Meta, feedField{Label: "f_doc_no", Value: d})
		}
	}
	return nil
}

// Withdrawal is a record's withdrawn: field (撤回). The reason is kept for
// the record and printed in the build summary; it is never published.
type Withdrawal struct {
	Date   string `yaml:"date"`   // 撤回日期
	Reason string `yaml:"reason"` // 撤回原因

	At time.Time `yaml:"-"`
}

// Attachment is a file that a record publishes (附件).
type Attachment struct {
	Name string `yaml:"name"` // shown name
	File string `yaml:"file"` // path under content/, e.g. attachments/2024/x.pdf

	Size   int64  `yaml:"-"`
	Format string `yaml:"-"` // upper-case extension: PDF, DOCX, XLSX
	URL    string `yaml:"-"` // site path

	field string    // the front-matter field naming the file, e.g. attachments[0].file
	id    [2]uint64 // device and inode, zero when unknown
}

// Record is one content file: its kind, typed entry and Markdown body.
type Record struct {
	Kind     *Kind
	Path     string // site-relative path, e.g. content/policies/x.md
	Entry    Entry
	Body     []byte
	BodyLine int
	// Front is the raw front matter and FrontLine the line of its first
	// line, kept for the inspector's text rules.
	Front     []byte
	FrontLine int
	Key       string // stable URL key
	URL       string // site path, e.g. /policy/key.html
	// Withheld keeps the record out of every output: its mode is not
	// 主动公开, it is withdrawn, or it is scheduled.
	Withheld bool
	// Scheduled is the publication date of a record kept back until a
	// build's date reaches it (embargo); zero otherwise.
	Scheduled time.Time

	withdrawn bool // its URL serves a withdrawal notice in this build

	lines fieldLines
	// warm holds the file's bytes in a Warm (warm.go), Body among them;
	// nil without one.
	warm *warmFile
	// bodySHA is the SHA-256 of Body, taken when the file was parsed; nil
	// for a record made otherwise (bodySHA256).
	bodySHA *[32]byte
	// dep is this record's part of the page keys in the build that
	// hashed it (pageDeps.rec), found without a shared map and its lock.
	dep atomic.Pointer[recDepOf]
}

// bodySHA256 returns the SHA-256 of r's body: the one taken when its file
// was parsed, which the parse and body caches' sums, the page keys and
// the feed keys all start from, so that a build hashes each body once.
func (r *Record) bodySHA256() [32]byte {
	if r.bodySHA != nil {
		return *r.bodySHA
	}
	return r.bodySum("", func() [32]byte { return sha256.Sum256(r.Body) })
}

// H returns the record's shared header.
func (r *Record) H() *Header { return r.Entry.Head() }

// Title returns the record's title.
func (r *Record) Title() string { return r.H().Title }

// Date returns the publication date.
func (r *Record) Date() time.Time { return r.H().Published }

// Line returns the line of a front-matter field ("date_published",
// "attachments[1].file"), or of its nearest enclosing field, or 1.
func (r *Record) Line(field string) int { return r.lines.line(field, 1) }

// pos returns the position of field in the record's file.
func (r *Record) pos(field string) Pos {
	return Pos{r.Path, r.lines.line(field, 1)}
}

var keyCleanRE = regexp.MustCompile(`[^a-z0-9]+`)

// urlKey derives a stable URL segment from an index number or slug:
// "MB1234567/2024-00012" becomes "mb1234567-2024-00012".
func urlKey(s string) string {
	return strings.Trim(keyCleanRE.ReplaceAllString(strings.ToLower(s), "-"), "-")
}

// Checker carries what a record's checks need and collects their problems.
type Checker struct {
	Site  *Site
	Cal   *Calendar
	Date  time.Time // the build date
	rec   *Record
	probs *Problems
	all   *Content
}

// Errorf reports an error on field of the record being checked.
func (c *Checker) Errorf(field, format string, args ...any) {
	c.probs.Errorf(c.rec.pos(field), field, format, args...)
}

// Warnf reports a warning on field of the record being checked.
func (c *Checker) Warnf(field, format string, args ...any) {
	c.probs.Warnf(c.rec.pos(field), field, format, args...)
}

// Required reports an error when v is blank. label is the Chinese name of the
// element, so editors see which legal element is missing.
func (c *Checker) Required(field, label, v string) bool {
	if strings.TrimSpace(v) == "" {
		c.Errorf(field, "required (%s)", label)
		return false
	}
	return true
}

// Has reports whether field appears in the front matter.
func (c *Checker) Has(field string) bool {
	_, ok := c.rec.lines[field]
	return ok
}

// Day parses a YYYY-MM-DD date; blank values give the zero time.
func (c *Checker) Day(field, v string) time.Time {
	if v == "" {
		return time.Time{}
	}
	t, err := time.ParseInLocation("2006-01-02", v, China)
	if err != nil {
		c.Errorf(field, "want a date as YYYY-MM-DD, got %q", v)
		return time.Time{}
	}
	return t
}

// DayTime parses "YYYY-MM-DD" or "YYYY-MM-DD HH:MM"; hasTime reports which.
func (c *Checker) DayTime(field, v string) (t time.Time, hasTime bool) {
	if v == "" {
		return time.Time{}, false
	}
	if t, err := time.ParseInLocation("2006-01-02 15:04", v, China); err == nil {
		return t, true
	}
	if t, err := time.ParseInLocation("2006-01-02", v, China); err == nil {
		return t, false
	}
	c.Errorf(field, "want a date as YYYY-MM-DD or YYYY-MM-DD HH:MM, got %q", v)
	return time.Time{}, false
}

// Lookup finds a record of the given kind by index number or slug. It reports
// an error on field when none exists or the record is withheld, since a
// published page must never point at a withheld one.
func (c *Checker) Lookup(field, kind, ref string) *Record {
	r := c.all.byRef[kind+"\x00"+ref]
	if r == nil {
		c.Errorf(field, "no %s record with index number or slug %q", kind, ref)
		return nil
	}
	if r.Withheld && !c.rec.Withheld {
		if r.withdrawn {
			// An urgent takedown must not wait for every page that cites
			// the record to be edited: the reference is left out.
			c.Warnf(field, "refers to %q, which is withdrawn (撤回); the reference is left out", ref)
			return nil
		}
		if !r.Scheduled.IsZero() {
			c.Errorf(field, "refers to %q, which is scheduled for %s", ref, r.Scheduled.In(China).Format("2006-01-02"))
			return nil
		}
		c.Errorf(field, "refers to %q, which is not proactively disclosed", ref)
		return nil
	}
	return r
}

// Record returns the record being checked.
func (c *Checker) Record() *Record { return c.rec }

// China is the time zone of every date in the content (+08:00).
var China = time.FixedZone("CST", 8*3600)

// DocNo returns the record's document number, "" for none.
func (r *Record) DocNo() string { return r.Entry.DocNumber() }

// ValidityStatus returns the record's validity, "" for a kind without one.
func (r *Record) ValidityStatus() string { return r.Entry.ValidityStatus() }

// Topic returns the record's topic key ("一级/二级"), "" for none.
func (r *Record) Topic() string { return r.Entry.TopicKey() }

// SearchText returns text beyond the body that the search index should
// hold for the record (structured fields such as a guide's materials).
func (r *Record) SearchText() string { return r.Entry.SearchText() }
