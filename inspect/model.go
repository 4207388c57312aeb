package inspect

import (
	"io/fs"
	"time"
)

// Site is the neutral description of a portal that the rules inspect: its
// columns, records, agencies, navigation and undated pages, as of one date.
// It knows nothing of how the generator models content; a small adapter
// (the CLI's) builds it, so a change of the content model touches the
// adapter only.
type Site struct {
	Name string
	// Date is the inspection date (--date). Records published after it are
	// scheduled: not published yet, so never counted as published.
	Date time.Time
	// ConfigPath is the file holding the configuration and the agencies
	// ("content/site.yaml"); findings about them point into it.
	ConfigPath string
	Config     *Config

	Columns  []*Column
	Records  []*Record
	Agencies []*Agency
	// Nav lists the navigation and footer entries.
	Nav []*NavEntry
	// Pages are pages outside any column, such as the disclosure guide.
	Pages []*Page
	// Identity lists the official identity fields the site declares.
	Identity []IdentityField
	// Names are further names text may use for this site and its parts
	// (the site's own name, page titles), beyond column and nav titles.
	Names []string

	// Workdays counts working days; nil when the site has no calendar.
	Workdays Workdays
	// Files reads attachments by their Path.
	Files fs.FS
	// URLs holds every site path a build writes ("/policy/x.html",
	// "/release/"); internal links resolve against it.
	URLs map[string]bool
	// Anchors returns the ids a page at a site path carries beyond those
	// of the theme; nil when unknown.
	Anchors func(url string) []string
	// ThemeAnchors are ids every page carries (skip-link targets and the
	// like).
	ThemeAnchors []string
	// BaseURL is the site's public address; links to it are internal.
	BaseURL string
	// Dynamic reports whether a site path is answered by a service rather
	// than a file (beyond /search and /api/, which always are).
	Dynamic func(path string) bool
}

// Workdays counts working days the way statutory time limits do.
type Workdays interface {
	// Covers reports whether the calendar has holiday data for t's year.
	Covers(t time.Time) bool
	// WorkdaysBetween counts the working days after from up to and
	// including to.
	WorkdaysBetween(from, to time.Time) int
}

// Column classes, each with its default maximum age (国办秘函〔2019〕19号).
const (
	ClassNews   = "news"   // 动态、要闻、新闻发布: 2 weeks
	ClassNotice = "notice" // 通知公告、公示: 6 months
	ClassPolicy = "policy" // 政策文件、政策解读: 6 months
	ClassInfo   = "info"   // 基本信息, 办事服务, 年度报告: no age limit unless configured
)

// Column is a list of records a visitor reaches from the site's navigation
// or home page (栏目).
type Column struct {
	ID    string // stable key, e.g. "release"
	Name  string // as the site shows it, e.g. 新闻发布
	URL   string // site path of its list, e.g. "/release/"
	Class string
	// Records are the column's records, published and scheduled.
	Records []*Record
}

// Record is one published (or scheduled) record.
type Record struct {
	Path  string // site-relative file, e.g. content/policies/x.md
	Kind  string // e.g. policy, interpretation, release, report
	Title string
	URL   string
	// Column is the column listing the record, nil for none.
	Column    *Column
	Published time.Time
	// DateLine is the line of the publication date.
	DateLine int
	// Scheduled reports that Published is after Site.Date.
	Scheduled bool
	Agencies  []string // agency codes, the first is the owner

	// Texts are the record's published texts: the raw front matter and the
	// Markdown body, each with the line of its first line.
	Texts []Text
	// Parties are natural-person party names (当事人) as the record
	// publishes them, e.g. in an administrative decision.
	Parties     []Text
	Attachments []Attachment
	Links       []Link
	// Dates are pairs of dates that must come in order.
	Dates []DateOrder

	// Normative reports a 规范性文件; InForce that it is 有效 or 已修改.
	Normative bool
	InForce   bool
	// Interpretations are the records interpreting this one; Interprets
	// the record an interpretation explains.
	Interpretations []*Record
	Interprets      *Record
	// Report is set on annual disclosure reports.
	Report *AnnualReport
}

// Text is a piece of published text and the line of its first line.
type Text struct {
	Line int
	Text string
}

// Attachment is a file a record publishes.
type Attachment struct {
	Name string
	Path string // site-relative, e.g. content/attachments/2024/x.xlsx
	Line int    // line of the reference in the record
}

// Link is a link in a record: a Markdown link or image, or a URL field.
type Link struct {
	URL  string
	Line int
}

// DateOrder says that the event Before must not come after the event After.
type DateOrder struct {
	Before, After         time.Time
	BeforeName, AfterName string
	// Line is where to report a contradiction; Path defaults to the record's.
	Line int
}

// AnnualReport is an annual government-information-disclosure report.
type AnnualReport struct {
	Year  int
	Level string // 政府 or 部门
}

// Report levels.
const (
	LevelGovernment = "政府"
	LevelDepartment = "部门"
)

// Agency is an agency that must publish annual reports.
type Agency struct {
	Code string
	Name string
	Line int // line in ConfigPath
}

// NavEntry is one navigation or footer link.
type NavEntry struct {
	Title string
	URL   string
	Line  int // line in ConfigPath
}

// Page is a page outside any column; Date is zero when it shows none.
type Page struct {
	Name string
	URL  string
	Date time.Time
	Path string // where its date is set, e.g. content/site.yaml
	Line int
}

// IdentityField is one official identity field (网站标识码, ICP 备案号, …).
type IdentityField struct {
	Key   string // e.g. site_id_code
	Label string // e.g. 网站标识码
	Value string
	Line  int // line in ConfigPath; 0 when absent
	// Problem is what is wrong with the field, empty when it is fine; set
	// by whoever knows the field's format. It is reported even when Value
	// is empty (a missing field's own explanation).
	Problem string
}
