package generator

import (
	"fmt"
	"io/fs"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// Site is content/site.yaml: the portal's identity, its agencies, the topic
// tree, the navigation and the disclosure guide.
type Site struct {
	Name       string `yaml:"name"`         // 网站名称
	BaseURL    string `yaml:"base_url"`     // e.g. https://www.example.gov.cn/
	Language   string `yaml:"language"`     // default zh-CN
	SiteIDCode string `yaml:"site_id_code"` // 网站标识码
	// Office is the code of the agency that runs the disclosure office.
	Office   string   `yaml:"office"`
	Agencies []Agency `yaml:"agencies"`
	// Directory is the disclosure directory as written (directory:); the
	// default tree (generator/directory.yaml) applies without one.
	Directory []CategoryNode `yaml:"directory"`
	Topics    []TopicNode    `yaml:"topics"`
	Nav       []NavItem      `yaml:"nav"`
	// Footer lists the footer's links (default: guide, catalogue, subscribe).
	Footer []NavItem `yaml:"footer"`
	// Guide is the disclosure guide (公开指南) in Markdown.
	Guide string `yaml:"guide"`
	// GuideUpdated is the date the guide was last revised (YYYY-MM-DD),
	// shown on the guide page: inspectors count an undated page as stale.
	GuideUpdated string `yaml:"guide_updated"`
	// Inspection configures the rules of `gongkai check` (package inspect).
	// The generator keeps it undecoded, with its lines, for the inspector.
	Inspection yaml.Node `yaml:"inspection"`
	// PerPage is the number of entries on a list page (default 20).
	PerPage int `yaml:"per_page"`
	// UnsafeHTML lets raw HTML through in Markdown bodies (off by default).
	UnsafeHTML bool `yaml:"unsafe_html"`
	// RevisionHistory shows each record's 修订记录 (the dates and messages
	// of the git commits that changed its file) on its page; off by default.
	RevisionHistory bool `yaml:"revision_history"`
	// ApplicationForm is the downloadable 政府信息公开申请表, offered on
	// /apply/ beside the postal and in-person routes.
	ApplicationForm *Attachment `yaml:"application_form"`
	// Requests switches on the online service for applications and
	// comments on notices (docs/requests.md); nil leaves it off.
	Requests *RequestsConfig `yaml:"requests"`
	// Search configures the site's search (synonyms, the request page).
	Search SearchConfig `yaml:"search"`
	// Identity is the site's official identity shown in every footer
	// (identity.go); a production build requires it.
	Identity Identity `yaml:"identity"`
	// API configures the search service's JSON API.
	API API `yaml:"api"`

	// GuideDate is GuideUpdated parsed; zero when the guide is undated.
	GuideDate time.Time `yaml:"-"`
	// Limits bound what one record can bring into a build.
	Limits Limits `yaml:"limits"`

	base       *url.URL
	agencyByID map[string]*Agency
	listed     int // the agencies site.yaml lists; profiles add the rest after them
	topicByKey map[string]*Topic
	topics     []*Topic // flattened, level 1 then its children, in file order
	formFile   string   // content path of application_form.file, once checked
	lines      fieldLines
}

// Limits are the size limits of site.yaml's limits: section.
type Limits struct {
	Body       string `yaml:"body"`       // largest Markdown body, default "2 MB"
	Attachment string `yaml:"attachment"` // largest attachment file, default "200 MB"
	// FeedExcerpt is the most characters of a body a feed entry carries
	// (default 2000); a longer body is cut, with a link to the page.
	FeedExcerpt int `yaml:"feed_excerpt"`

	body, attachment int64
}

// Default limits.
const (
	defaultBodyLimit       = 2 << 20
	defaultAttachmentLimit = 200 << 20
	defaultFeedExcerpt     = 2000
)

var sizeRE = regexp.MustCompile(`^(\d+(?:\.\d+)?)\s*([KMG]?B?)$`)

// parseSize reads "2 MB", "500 KB" or a number of bytes (units of 1024).
func parseSize(s string) (int64, bool) {
	m := sizeRE.FindStringSubmatch(strings.ToUpper(strings.TrimSpace(s)))
	if m == nil {
		return 0, false
	}
	f, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		return 0, false
	}
	switch strings.TrimSuffix(m[2], "B") {
	case "K":
		f *= 1 << 10
	case "M":
		f *= 1 << 20
	case "G":
		f *= 1 << 30
	}
	return int64(f), f >= 1
}

// Agency is an issuing or service agency.
type Agency struct {
	Code       string `yaml:"code"`     // short Latin code used in URLs, e.g. "fgw"
	Name       string `yaml:"name"`     // full name
	OrgCode    string `yaml:"org_code"` // organisation code, the prefix of index numbers
	Address    string `yaml:"address"`
	Hours      string `yaml:"hours"`
	Phone      string `yaml:"phone"`
	Fax        string `yaml:"fax"`
	Email      string `yaml:"email"`
	WebContact string `yaml:"web_contact"`

	url string // the agency's page (机构信息), once its profile is published
}

// URL returns the site path of the agency's page, "" when it has none.
func (a *Agency) URL() string { return a.url }

// TopicNode is a level-1 topic with its level-2 children in site.yaml.
type TopicNode struct {
	Code     string      `yaml:"code"`
	Name     string      `yaml:"name"`
	Children []TopicLeaf `yaml:"children"`
}

// TopicLeaf is a level-2 topic.
type TopicLeaf struct {
	Code string `yaml:"code"`
	Name string `yaml:"name"`
}

// Topic is a resolved topic of either level. Key is "一级" or "一级/二级".
type Topic struct {
	Key    string
	Name   string
	Code   string // URL segment: "caizheng" or "caizheng-yusuan"
	Parent *Topic
}

// SearchConfig is the search: section of site.yaml. It may also be just
// the mode: "search: static".
type SearchConfig struct {
	// Mode is "service" (the default: /search is answered by the search
	// service) or "static" (the site is served as plain files: /search is
	// the page that searches the static index in the browser).
	Mode string `yaml:"mode"`
	// Synonyms are groups of words that find each other (投诉 and 举报),
	// added to the search's default groups.
	Synonyms [][]string `yaml:"synonyms"`
	// DefaultSynonyms set to false leaves the default groups out.
	DefaultSynonyms *bool `yaml:"default_synonyms"`
	// ApplyURL is the page about requesting information that is not
	// published (依申请公开), offered when a search finds nothing.
	ApplyURL string `yaml:"apply_url"`
}

// NavItem is one entry of the main navigation.
type NavItem struct {
	Title string `yaml:"title"`
	URL   string `yaml:"url"`
}

var codeRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]*$`)

const siteFile = "content/site.yaml"

func loadSite(fsys fs.FS, probs *Problems) (*Site, fieldLines) {
	data, err := fs.ReadFile(fsys, siteFile)
	if err != nil {
		probs.Errorf(Pos{siteFile, 0}, "", "cannot read the site configuration: %v", err)
		return nil, nil
	}
	s := &Site{}
	lines, ok := decodeStrict(siteFile, data, 1, s, probs)
	if !ok && lines == nil {
		return nil, nil
	}
	s.lines = lines
	s.applyDefaults()
	s.validate(lines, probs)
	s.checkApplicationForm(fsys, probs)
	s.Identity.loadBadge(fsys)
	s.Identity.loadEmblem(fsys, Pos{siteFile, lines.line("identity.emblem", 1)}, probs)
	return s, lines
}

func (s *Site) applyDefaults() {
	if s.Language == "" {
		s.Language = "zh-CN"
	}
	if s.PerPage <= 0 {
		s.PerPage = 20
	}
	if s.BaseURL != "" && !strings.HasSuffix(s.BaseURL, "/") {
		s.BaseURL += "/"
	}
	s.Limits.body, s.Limits.attachment = defaultBodyLimit, defaultAttachmentLimit
	if s.Limits.FeedExcerpt <= 0 {
		s.Limits.FeedExcerpt = defaultFeedExcerpt
	}
}

func (s *Site) validate(lines fieldLines, probs *Problems) {
	at := func(field string) Pos { return Pos{siteFile, lines.line(field, 1)} }
	req := func(field, v string) {
		if strings.TrimSpace(v) == "" {
			probs.Errorf(at(field), field, "required")
		}
	}
	for i, g := range s.Search.Synonyms {
		if len(g) < 2 {
			f := "search.synonyms[" + strconv.Itoa(i) + "]"
			probs.Errorf(at(f), f, "a synonym group needs at least two words, got %q", g)
		}
	}
	if m := s.Search.Mode; m != "" && m != "service" && m != "static" {
		probs.Errorf(at("search.mode"), "search.mode", "want service or static, got %q", m)
	}
	if u := s.Search.ApplyURL; u != "" && !strings.HasPrefix(u, "/") {
		probs.Errorf(at("search.apply_url"), "search.apply_url", "want a site path starting with /, got %q", u)
	}
	req("name", s.Name)
	req("base_url", s.BaseURL)
	req("guide", s.Guide)
	if s.GuideUpdated != "" {
		t, err := time.ParseInLocation("2006-01-02", s.GuideUpdated, China)
		if err != nil {
			probs.Errorf(at("guide_updated"), "guide_updated", "want a date as YYYY-MM-DD, got %q", s.GuideUpdated)
		}
		s.GuideDate = t
	}
	if s.BaseURL != "" {
		if err := s.SetBaseURL(s.BaseURL); err != nil {
			probs.Errorf(at("base_url"), "base_url", "%v", err)
		}
	}
	for _, l := range []struct {
		field, v string
		to       *int64
	}{{"limits.body", s.Limits.Body, &s.Limits.body}, {"limits.attachment", s.Limits.Attachment, &s.Limits.attachment}} {
		if l.v == "" {
			continue
		}
		n, ok := parseSize(l.v)
		if !ok {
			probs.Errorf(at(l.field), l.field, "want a size such as 2 MB, 500 KB or a number of bytes, got %q", l.v)
			continue
		}
		*l.to = n
	}
	s.API.validate(at, probs)
	// An agency's name and org_code come from its profile
	// (content/agencies/<code>.md); agenciesFromProfiles fills them in and
	// checks what is left here (checkAgencies).
	s.listed = len(s.Agencies)
	for i := range s.Agencies {
		a := &s.Agencies[i]
		f := "agencies[" + strconv.Itoa(i) + "]"
		req(f+".code", a.Code)
		if a.Code != "" && !codeRE.MatchString(a.Code) {
			probs.Errorf(at(f+".code"), f+".code", "want lower-case letters, digits and dashes, got %q", a.Code)
		}
		if slices.ContainsFunc(s.Agencies[:i], func(b Agency) bool { return b.Code == a.Code }) {
			probs.Errorf(at(f+".code"), f+".code", "duplicate agency code %q", a.Code)
		}
	}
	s.indexAgencies()
	s.topicByKey = map[string]*Topic{}
	seenCode := map[string]bool{}
	for i, n := range s.Topics {
		f := "topics[" + strconv.Itoa(i) + "]"
		req(f+".name", n.Name)
		req(f+".code", n.Code)
		if n.Code != "" && !codeRE.MatchString(n.Code) {
			probs.Errorf(at(f+".code"), f+".code", "want lower-case letters, digits and dashes, got %q", n.Code)
		}
		parent := &Topic{Key: n.Name, Name: n.Name, Code: n.Code}
		if s.topicByKey[parent.Key] != nil || seenCode[parent.Code] {
			probs.Errorf(at(f+".name"), f+".name", "duplicate topic %q", n.Name)
		}
		seenCode[parent.Code] = true
		s.topicByKey[parent.Key] = parent
		s.topics = append(s.topics, parent)
		for j, c := range n.Children {
			cf := f + ".children[" + strconv.Itoa(j) + "]"
			req(cf+".name", c.Name)
			req(cf+".code", c.Code)
			if c.Code != "" && !codeRE.MatchString(c.Code) {
				probs.Errorf(at(cf+".code"), cf+".code", "want lower-case letters, digits and dashes, got %q", c.Code)
			}
			t := &Topic{Key: n.Name + "/" + c.Name, Name: c.Name, Code: n.Code + "-" + c.Code, Parent: parent}
			if s.topicByKey[t.Key] != nil || seenCode[t.Code] {
				probs.Errorf(at(cf+".name"), cf+".name", "duplicate topic %q", t.Key)
			}
			seenCode[t.Code] = true
			s.topicByKey[t.Key] = t
			s.topics = append(s.topics, t)
		}
	}
	for _, list := range []struct {
		key   string
		items []NavItem
	}{{"nav", s.Nav}, {"footer", s.Footer}} {
		for i, n := range list.items {
			f := list.key + "[" + strconv.Itoa(i) + "]"
			req(f+".title", n.Title)
			req(f+".url", n.URL)
		}
	}
}

// Line returns the line of a field of site.yaml ("agencies[2]", "nav[0]",
// "guide"), or 0 when it is not there.
func (s *Site) Line(field string) int { return s.lines.line(field, 0) }

// indexAgencies maps the codes of Agencies to them (the first of a
// duplicate code wins).
func (s *Site) indexAgencies() {
	s.agencyByID = make(map[string]*Agency, len(s.Agencies))
	for i := range s.Agencies {
		if a := &s.Agencies[i]; s.agencyByID[a.Code] == nil {
			s.agencyByID[a.Code] = a
		}
	}
}

// Agency returns the agency with the given code, or nil.
func (s *Site) Agency(code string) *Agency { return s.agencyByID[code] }

// Topic returns the topic with key "一级" or "一级/二级", or nil.
func (s *Site) Topic(key string) *Topic { return s.topicByKey[key] }

// AllTopics returns every topic, level 1 followed by its children, in file order.
func (s *Site) AllTopics() []*Topic { return s.topics }

// SetBaseURL sets the site's public URL, which may carry a path
// (https://www.example.gov.cn/zfxxgk/): every URL the site publishes then
// starts with that path. `gongkai build --base-url` uses it to override
// site.yaml.
func (s *Site) SetBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.User != nil ||
		u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return fmt.Errorf("want an absolute http(s) URL without query or fragment, got %q", raw)
	}
	if strings.Contains(u.Path, "//") || slices.Contains(strings.Split(u.Path, "/"), "..") || slices.Contains(strings.Split(u.Path, "/"), ".") {
		return fmt.Errorf("want a clean path in the base URL, got %q", raw)
	}
	if !strings.HasSuffix(u.Path, "/") {
		u.Path += "/"
	}
	u.RawPath = ""
	s.base = u
	s.BaseURL = u.String()
	return nil
}

// BasePath returns the path every URL of the site starts with: "/" for a
// site of its own, "/zfxxgk/" for a column of a larger portal.
func (s *Site) BasePath() string {
	if s.base == nil || s.base.Path == "" {
		return "/"
	}
	return s.base.Path
}

// URL turns a site path ("/policy/x.html", "/catalogue/#top") into the
// root-relative URL the site publishes it under, with the base path in
// front. Anything else (absolute URLs, fragments, mailto:) is returned
// unchanged. Every internal link of every page goes through here, through
// the theme's url function.
func (s *Site) URL(p string) string { return prefixPath(s.BasePath(), p) }

// prefixPath puts base (ending in "/") in front of the site path p.
func prefixPath(base, p string) string {
	if base == "/" || !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return p
	}
	return base + p[1:]
}

// Domain returns the host of the base URL.
func (s *Site) Domain() string {
	if s.base == nil {
		return ""
	}
	return s.base.Host
}

// Origin returns the scheme and host of the base URL, without a path:
// "https://www.example.gov.cn".
func (s *Site) Origin() string {
	if s.base == nil {
		return strings.TrimSuffix(s.BaseURL, "/")
	}
	return s.base.Scheme + "://" + s.base.Host
}

// AbsURL turns a site path ("/policy/x.html") into an absolute URL under the
// base URL, base path included. Absolute URLs are returned unchanged.
func (s *Site) AbsURL(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") {
		return p
	}
	return s.Origin() + s.URL(p)
}

// UnmarshalYAML reads the search: section, which may be the mode alone
// ("search: static").
func (c *SearchConfig) UnmarshalYAML(n *yaml.Node) error {
	if n.Kind == yaml.ScalarNode {
		c.Mode = n.Value
		return nil
	}
	type plain SearchConfig
	return n.Decode((*plain)(c))
}

// AgencyList returns the site's agencies in site order.
func (s *Site) AgencyList() []*Agency {
	out := make([]*Agency, len(s.Agencies))
	for i := range s.Agencies {
		out[i] = &s.Agencies[i]
	}
	return out
}
