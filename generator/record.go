package generator

import (
	"fmt"
	"regexp"
	"strings"
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

// Kind describes one kind of record: where its files live, how to decode and
// check one, and how to render it. Adding a kind means one Entry type, its
// Check (and optionally Link) method, one template and one Kind value in Kinds.
type Kind struct {
	Name     string // "policy"
	Dir      string // folder under content/, e.g. "policies"
	Section  string // URL prefix, e.g. "/policy/"
	Template string // template for one record's page
	// Column is the UI-string key of the column name (ColumnName meta tag).
	Column string
	// NeedsIndexNo reports whether records of this kind must carry an index
	// number (every record listed in the disclosure catalogue does).
	NeedsIndexNo bool
	New          func() Entry
	// Outputs adds the kind's own outputs beyond one page per record: lists,
	// catalogues, CSV files.
	Outputs func(s *Build) []Output
	// Scaffold is the text/template that `gongkai new` fills (ScaffoldData).
	Scaffold string
}

// Entry is the typed front matter of one record.
type Entry interface {
	Head() *Header
	// Check validates the record on its own.
	Check(c *Checker)
}

// Linker is implemented by entries that refer to other records; Link runs
// once every record is loaded.
type Linker interface {
	Link(c *Checker)
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

// docNoRE matches 机关代字〔年〕号, e.g. 蓉府发〔2024〕12号.
var docNoRE = regexp.MustCompile(`^\p{Han}[\p{Han}A-Za-z]*〔(\d{4})〕(\d+)号$`)
var docNoLooseRE = regexp.MustCompile(`^\p{Han}[\p{Han}A-Za-z]*\s*[\[［(（【]?\s*(\d{4})\s*[\]］)）】年]?\s*(\d+)\s*号$`)

// CheckDocNo validates a document number's shape and returns its year.
func (c *Checker) CheckDocNo(field, v string) int {
	if m := docNoRE.FindStringSubmatch(v); m != nil {
		var y int
		fmt.Sscan(m[1], &y)
		return y
	}
	if m := docNoLooseRE.FindStringSubmatch(v); m != nil {
		c.Errorf(field, "write the year in 〔〕 brackets: %q (got %q)", fixDocNo(v, m), v)
		return 0
	}
	c.Errorf(field, "want 机关代字〔年〕号 such as 蓉府发〔2024〕12号, got %q", v)
	return 0
}

func fixDocNo(v string, m []string) string {
	i := strings.IndexAny(v, "[［(（【0123456789")
	if i < 0 {
		return v
	}
	return strings.TrimSpace(v[:i]) + "〔" + m[1] + "〕" + m[2] + "号"
}

// DocNo returns the record's document number, if its kind has one.
func (r *Record) DocNo() string {
	if d, ok := r.Entry.(interface{ DocNumber() string }); ok {
		return d.DocNumber()
	}
	return ""
}

// ValidityStatus returns the record's validity, if its kind has one.
func (r *Record) ValidityStatus() string {
	if v, ok := r.Entry.(interface{ ValidityStatus() string }); ok {
		return v.ValidityStatus()
	}
	return ""
}

// Topic returns the record's topic key ("一级/二级"), if its kind has one.
func (r *Record) Topic() string {
	if t, ok := r.Entry.(interface{ TopicKey() string }); ok {
		return t.TopicKey()
	}
	return ""
}

// SearchText returns text beyond the body that the search index should hold
// for the record (structured fields such as a guide's materials), if its kind
// has any.
func (r *Record) SearchText() string {
	if s, ok := r.Entry.(interface{ SearchText() string }); ok {
		return s.SearchText()
	}
	return ""
}
