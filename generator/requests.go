package generator

import (
	"errors"
	"html/template"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// RequestsConfig is site.yaml's requests: section, which switches on the
// online service for applications (依申请公开) and comments on notices
// (docs/requests.md). The generator only decodes it: the CLI checks it and
// hands it to the service, and templates ask Site.OnlineRequests whether to
// link to the service. Example:
//
//	requests:
//	  database: {driver: sqlite, path: private/requests.db}   # or {driver: postgres, dsn_env: GONGKAI_REQUESTS_DSN}
//	  key_file: private/requests.key                          # or key_env: GONGKAI_REQUESTS_KEY
//	  retention_days: 1095
//	  rate_limit: {submissions_per_hour: 10, lookups_per_hour: 60}
//	  trusted_proxies: [127.0.0.1]
type RequestsConfig struct {
	Database struct {
		Driver string `yaml:"driver"`  // sqlite (default) | postgres
		Path   string `yaml:"path"`    // sqlite file, relative to the site folder
		DSN    string `yaml:"dsn"`     // postgres connection string without a password
		DSNEnv string `yaml:"dsn_env"` // or the environment variable holding it
	} `yaml:"database"`
	KeyFile       string `yaml:"key_file"` // file holding the AES-256 key, relative to the site folder
	KeyEnv        string `yaml:"key_env"`  // or the environment variable holding it
	RetentionDays int    `yaml:"retention_days"`
	RateLimit     struct {
		SubmissionsPerHour int `yaml:"submissions_per_hour"`
		LookupsPerHour     int `yaml:"lookups_per_hour"`
	} `yaml:"rate_limit"`
	TrustedProxies []string `yaml:"trusted_proxies"`
}

// OnlineRequests reports whether the site runs the online service for
// applications and comments.
func (s *Site) OnlineRequests() bool { return s.Requests != nil }

// Pos returns the position of a field of site.yaml, such as
// "requests.database.path".
func (s *Site) Pos(field string) Pos { return Pos{siteFile, s.lines.line(field, 1)} }

// checkApplicationForm checks the downloadable application form named in
// site.yaml and records its size, format and URL.
func (s *Site) checkApplicationForm(fsys fs.FS, probs *Problems) {
	a := s.ApplicationForm
	if a == nil {
		return
	}
	if strings.TrimSpace(a.Name) == "" {
		probs.Errorf(s.Pos("application_form.name"), "application_form.name", "required (申请表名称)")
	}
	clean := path.Clean(a.File)
	if a.File == "" || path.IsAbs(a.File) || clean != a.File || strings.HasPrefix(clean, "../") || path.Ext(clean) == "" {
		probs.Errorf(s.Pos("application_form.file"), "application_form.file", "want a file under content/ such as forms/shenqingbiao.docx, got %q", a.File)
		s.ApplicationForm = nil
		return
	}
	name := "content/" + clean
	s.formFile = name
	fi, err := lstatPath(fsys, name)
	var fte *FileTypeError
	if errors.As(err, &fte) {
		// Reported with the other irregular files, as an attachment.
		s.ApplicationForm = nil
		return
	}
	if err == nil && links(fi) > 1 {
		probs.Errorf(Pos{name, 0}, "", "attachment is a hard link (%d names for one file); copy the file instead", links(fi))
		s.ApplicationForm = nil
		return
	}
	if err != nil || fi.IsDir() || fi.Size() == 0 {
		probs.Errorf(s.Pos("application_form.file"), "application_form.file", "file content/%s does not exist or is empty", clean)
		s.ApplicationForm = nil
		return
	}
	a.Size, a.Format, a.URL = fi.Size(), strings.ToUpper(path.Ext(clean)[1:]), "/"+clean
	a.field, a.id = "application_form.file", fileID(fi)
}

// ApplyPage is the data of /apply/: how to apply by post and in person,
// with the form to download. With the online service on, the service
// serves /apply/ and this page's template is its frame.
type ApplyPage struct {
	Office *Agency
	Form   *Attachment
	Online bool
}

// ApplyURL is where applications for information are made.
const ApplyURL = "/apply/"

func (b *Build) applyPage() Output {
	var office *Agency
	if b.Site.Office != "" {
		office = b.Site.Agency(b.Site.Office)
	}
	col := b.Theme.T("apply_column")
	return Output{URL: ApplyURL, Page: &Page{Template: "apply.html", Title: b.Theme.T("apply_title"), Column: col,
		Description: b.Theme.T("apply_description"),
		Data:        &ApplyPage{Office: office, Form: b.Site.ApplicationForm, Online: b.Site.OnlineRequests()}}}
}

// ApplyPageFor returns the page of /apply/ with content as its main part:
// the CLI renders the online service's frame with it.
func ApplyPageFor(c *Content, th *Theme, content string) *Page {
	b := &Build{Content: c, Theme: th}
	p := b.applyPage().Page
	p.URL, p.Site, p.b, p.Build, p.NoIndex = ApplyURL, c.Site, b, b.View(), true
	p.Content = template.HTML(content)
	return p
}

// Data returns the working-day data: the years covered and the
// holidays and make-up workdays as YYYY-MM-DD, sorted.
func (c *Calendar) Data() (years []int, holidays, workdays []string) {
	for y := range c.years {
		years = append(years, y)
	}
	for d := range c.holidays {
		holidays = append(holidays, d)
	}
	for d := range c.workdays {
		workdays = append(workdays, d)
	}
	slices.Sort(years)
	slices.Sort(holidays)
	slices.Sort(workdays)
	return years, holidays, workdays
}

// FieldPos returns the position of a field of the record's front matter,
// such as "applications.new", for problems found outside the generator.
func (r *Record) FieldPos(field string) Pos { return r.pos(field) }
