package generator

import (
	"cmp"
	"context"
	"net/url"
	"path"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// AgencyProfile is one agency's page (机构信息), content/agencies/<code>.md:
// what 条例 art. 20(二) tells every organ to publish about itself. The file
// name is the agency's code, which records name in agencies: and URLs use.
// The body is the agency's functions (职能). The guide's office contacts and
// every page footer come from here, so no contact is written twice.
//
//	disclosure: 主动公开
//	index_no: 11519900MB1500103C/2026-00900   # optional: catalogue row under 机构职能
//	name: 云泽市发展和改革委员会               # 机构名称
//	short_name: 市发展改革委                   # 简称, optional
//	org_code: 11519900MB1500103C              # 统一社会信用代码: the prefix of its index numbers
//	type: 市政府工作部门                       # 机构类别, groups the 机构信息 list
//	parent: szf                               # 上级机关 (agency code), optional
//	weight: 30                                # order in lists (lower first)
//	date_published: 2026-01-10                # 更新日期
//	address: 云泽市云湖区政通路1号市级机关大楼2号楼
//	postcode: "519900"
//	hours: 工作日 上午9:00—12:00，下午13:30—17:30
//	phone: 0899-62001234
//	fax: 0899-62001230
//	email: fgw@yunze.gov.cn
//	website: https://fgw.yunze.gov.cn/         # 网址, optional
//	web_contact: /page/contact.html            # 互联网联系方式, optional
//	leaders:                                  # 负责人
//	  - {name: 周建国, post: 党组书记、主任, duties: 主持委全面工作。}
//	departments:                              # 内设机构
//	  - {name: 办公室, duties: 负责机关日常运转……, phone: 0899-62001235}
type AgencyProfile struct {
	Header      `yaml:",inline"`
	Code        string       `yaml:"code"`        // optional; must equal the file name
	Name        string       `yaml:"name"`        // 机构名称
	ShortName   string       `yaml:"short_name"`  // 简称
	OrgCode     string       `yaml:"org_code"`    // 统一社会信用代码
	Type        string       `yaml:"type"`        // 机构类别
	Parent      string       `yaml:"parent"`      // 上级机关
	Weight      int          `yaml:"weight"`      // order in lists
	Address     string       `yaml:"address"`     // 办公地址
	Postcode    string       `yaml:"postcode"`    // 邮政编码
	Hours       string       `yaml:"hours"`       // 办公时间
	Phone       string       `yaml:"phone"`       // 联系电话
	Fax         string       `yaml:"fax"`         // 传真
	Email       string       `yaml:"email"`       // 电子邮箱
	Website     string       `yaml:"website"`     // 网址
	WebContact  string       `yaml:"web_contact"` // 互联网联系方式
	Leaders     []Leader     `yaml:"leaders"`     // 负责人
	Departments []Department `yaml:"departments"` // 内设机构

	ParentAgency *Agency `yaml:"-"`
}

// Leader is one of an agency's leaders, with the work he or she divides
// (领导分工). Leaders' names are published in full (条例 art. 20(二)).
type Leader struct {
	Name   string `yaml:"name"`   // 姓名
	Post   string `yaml:"post"`   // 职务
	Duties string `yaml:"duties"` // 分工
}

// Department is one internal department (内设机构) with its duties.
type Department struct {
	Name   string `yaml:"name"`
	Duties string `yaml:"duties"`
	Phone  string `yaml:"phone"`
}

// AgencyDir is the folder of agency profiles under content/.
const AgencyDir = "agencies"

// agencyCode returns the code of the agency a profile describes: its file
// name without .md.
func agencyCode(r *Record) string { return strings.TrimSuffix(path.Base(r.Path), ".md") }

// Derive gives the profile the header fields it derives: its title is its
// name, its slug and agency its code.
func (a *AgencyProfile) Derive(r *Record) {
	code := agencyCode(r)
	if a.Title == "" {
		a.Title = a.Name
	}
	if a.Slug == "" {
		a.Slug = code
	}
	if len(a.Agencies) == 0 {
		a.Agencies = []string{code}
	}
}

// Check validates the profile: the elements of 条例 art. 20(二) are required.
func (a *AgencyProfile) Check(c *Checker) {
	r := c.Record()
	code := agencyCode(r)
	if !codeRE.MatchString(code) {
		c.Errorf("", "the file name %q is the agency's code: want lower-case letters, digits and dashes", path.Base(r.Path))
	}
	if a.Code != "" && a.Code != code {
		c.Errorf("code", "%q differs from the file name %q, which is the agency's code; remove code:", a.Code, code)
	}
	if c.Has("title") && a.Title != a.Name {
		c.Errorf("title", "an agency's title is its name; remove title:")
	}
	c.Required("name", "机构名称", a.Name)
	if c.Required("org_code", "统一社会信用代码", a.OrgCode) && !orgCodeRE.MatchString(a.OrgCode) {
		c.Errorf("org_code", "want the code that starts the agency's index numbers (6–20 letters and digits), got %q", a.OrgCode)
	}
	c.Required("address", "办公地址", a.Address)
	c.Required("hours", "办公时间", a.Hours)
	c.Required("phone", "联系电话", a.Phone)
	if a.Postcode != "" && !postcodeRE.MatchString(a.Postcode) {
		c.Errorf("postcode", "want six digits, got %q", a.Postcode)
	}
	if a.Email != "" && !emailRE.MatchString(a.Email) {
		c.Errorf("email", "want an e-mail address, got %q", a.Email)
	}
	if a.Website != "" {
		if u, err := url.Parse(a.Website); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			c.Errorf("website", "want an absolute http(s) URL, got %q", a.Website)
		}
	}
	if a.WebContact != "" && !strings.HasPrefix(a.WebContact, "/") && !strings.HasPrefix(a.WebContact, "https://") && !strings.HasPrefix(a.WebContact, "http://") {
		c.Errorf("web_contact", "want a site path such as /page/contact.html or an http(s) URL, got %q", a.WebContact)
	}
	if len(a.Leaders) == 0 {
		c.Errorf("leaders", "required (负责人): at least one, with name and post")
	}
	for i, l := range a.Leaders {
		f := "leaders[" + strconv.Itoa(i) + "]"
		c.Required(f+".name", "负责人姓名", l.Name)
		c.Required(f+".post", "职务", l.Post)
	}
	if len(a.Departments) == 0 {
		c.Warnf("departments", "no internal departments (内设机构) listed; 条例第二十条第（二）项 asks for the organ's structure")
	}
	for i, d := range a.Departments {
		c.Required("departments["+strconv.Itoa(i)+"].name", "内设机构名称", d.Name)
	}
	if len(strings.TrimSpace(string(r.Body))) == 0 {
		c.probs.Errorf(Pos{r.Path, r.BodyLine}, "", "the agency's functions (职能) are required as the Markdown body below the front matter")
	}
}

// agencyScaffold is what `gongkai new agency -code CODE` writes to
// content/agencies/CODE.md.
const agencyScaffold = `---
# 机构信息 of the agency {{.Code}}: the file name is its code, which records name in agencies: [{{.Code}}].
# Its name and org_code are written here only (not in content/site.yaml).
disclosure: 主动公开
name: "{{.Title}}"      # 机构名称
short_name: ""          # 简称, optional
org_code: "{{.OrgCode}}" # 统一社会信用代码: the prefix of the agency's index numbers
type: ""                # 机构类别, e.g. 市政府工作部门; groups the 机构信息 list
# parent: ""            # 上级机关 (an agency code)
weight: 100             # order in agency lists (lower first)
summary: ""
date_published: {{.Date}} # 更新日期
address: ""             # 办公地址
postcode: ""            # 邮政编码, six digits
hours: ""               # 办公时间, e.g. 工作日 上午9:00—12:00，下午13:30—17:30
phone: ""               # 联系电话
fax: ""
email: ""
# website: https://…    # 网址
# web_contact: /page/contact.html
leaders:                # 负责人 (published in full, 条例第二十条第（二）项)
  - name: ""
    post: ""            # 职务
    duties: ""          # 分工
departments:            # 内设机构
  - name: ""
    duties: ""
---

`

// agency returns the Agency the profile defines.
func (a *AgencyProfile) agency(r *Record) *Agency {
	return &Agency{Code: agencyCode(r), Name: a.Name, OrgCode: a.OrgCode, Address: a.Address, Hours: a.Hours,
		Phone: a.Phone, Fax: a.Fax, Email: a.Email, WebContact: a.WebContact}
}

// SearchText returns the agency's leaders, departments and contacts.
func (a *AgencyProfile) SearchText() string {
	parts := []string{a.ShortName, a.Type, a.Address, a.Phone, a.Email}
	for _, l := range a.Leaders {
		parts = append(parts, l.Name+" "+l.Post, l.Duties)
	}
	for _, d := range a.Departments {
		parts = append(parts, d.Name, d.Duties)
	}
	return joinText(parts...)
}

var (
	orgCodeRE  = regexp.MustCompile(`^[0-9A-Za-z]{6,20}$`)
	postcodeRE = regexp.MustCompile(`^\d{6}$`)
	emailRE    = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)
)

// Link resolves the parent agency and checks that the profile describes an
// agency of the site: one site.yaml's agencies: lists, or one the profile
// itself registers by being published (agenciesFromProfiles).
func (a *AgencyProfile) Link(c *Checker) {
	code := agencyCode(c.Record())
	if c.Site.Agency(code) == nil {
		c.Errorf("", "no agency with code %q: %s agencies: does not list it, and a profile that is not published registers none; publish the profile, or add {code: %s, name: %s, org_code: %s} to agencies:",
			code, siteFile, code, a.Name, a.OrgCode)
	}
	if a.Parent != "" {
		if p := c.Site.Agency(a.Parent); p != nil {
			a.ParentAgency = p
		} else {
			c.Errorf("parent", "unknown agency code %q", a.Parent)
		}
	}
}

// Facet answers type (机构类别) besides agency.
func (a *AgencyProfile) Facet(name string) []string {
	if name == "type" {
		return []string{a.Type}
	}
	return a.Header.Facet(name)
}

// agenciesFromProfiles makes the agency profiles the source of each
// agency's name and org_code, before the records that name agencies are
// read. site.yaml's agencies: needs only the codes, in the order lists show
// them, and may be left out: a published profile of a code it does not list
// adds that agency after the listed ones (by weight, then code). For an old
// site that still writes name or org_code in agencies:, the same value is a
// warning (written twice) and a different one an error at both places. Only
// a published profile counts: a withheld one names nothing, so its agency's
// name stays in site.yaml or is missing (an error).
func (c *Content) agenciesFromProfiles(ctx context.Context) error {
	s := c.Site
	var added []*AgencyProfile
	var addedCodes []string
	for i, p := range c.mdPaths {
		k := c.mdKinds[i]
		if k.Name != "agency" {
			continue
		}
		var discard Problems // the records' own pass reports them
		r, err := c.parse(ctx, p, k, &discard)
		if err != nil {
			return err
		}
		if r == nil || r.Withheld || r.lines == nil {
			continue
		}
		prof := r.Entry.(*AgencyProfile)
		code := agencyCode(r)
		a := s.Agency(code)
		if a == nil {
			if codeRE.MatchString(code) && !slices.Contains(addedCodes, code) {
				added, addedCodes = append(added, prof), append(addedCodes, code)
			}
			continue
		}
		f := "agencies[" + strconv.Itoa(slices.IndexFunc(s.Agencies, func(b Agency) bool { return b.Code == code })) + "]"
		for _, fld := range []struct {
			name    string
			site    *string
			profile string
		}{{"name", &a.Name, prof.Name}, {"org_code", &a.OrgCode, prof.OrgCode}} {
			switch {
			case fld.profile == "":
				// The profile's own check reports the missing field.
			case *fld.site == "":
				*fld.site = fld.profile
			case *fld.site == fld.profile:
				c.Problems.Warnf(Pos{siteFile, s.Line(f + "." + fld.name)}, f+"."+fld.name,
					"%s of %s is in %s now, its profile; remove it here and keep only code: (one source, no value written twice)",
					fld.name, code, r.Path)
			default:
				c.Problems.Errorf(Pos{siteFile, s.Line(f + "." + fld.name)}, f+"."+fld.name,
					"%q differs from %q in %s:%d, the agency's profile; remove it here and keep only code:",
					*fld.site, fld.profile, r.Path, r.Line(fld.name))
				c.checker(r, &c.Problems).Errorf(fld.name, "%q differs from %q in %s:%d; the profile is the single source, remove it there",
					fld.profile, *fld.site, siteFile, s.Line(f+"."+fld.name))
				*fld.site = fld.profile
			}
		}
	}
	slices.SortStableFunc(added, func(x, y *AgencyProfile) int {
		return cmp.Or(cmp.Compare(x.Weight, y.Weight), cmp.Compare(agencyCode(x.Record), agencyCode(y.Record)))
	})
	for _, p := range added {
		s.Agencies = append(s.Agencies, Agency{Code: agencyCode(p.Record), Name: p.Name, OrgCode: p.OrgCode})
	}
	s.indexAgencies()
	s.checkAgencies(&c.Problems)
	return nil
}

// checkAgencies reports what agencies: and the profiles leave unknown: an
// agency with no name or org_code, none at all, an unknown office.
func (s *Site) checkAgencies(probs *Problems) {
	at := func(field string) Pos { return Pos{siteFile, s.lines.line(field, 1)} }
	for i := range s.Agencies[:s.listed] {
		a := &s.Agencies[i]
		f := "agencies[" + strconv.Itoa(i) + "]"
		for _, fld := range []struct{ name, v string }{{"name", a.Name}, {"org_code", a.OrgCode}} {
			if strings.TrimSpace(fld.v) == "" {
				probs.Errorf(at(f), f+"."+fld.name, "required: write it in content/%s/%s.md, the agency's published profile (gongkai new agency -code %s), or here",
					AgencyDir, a.Code, a.Code)
			}
		}
	}
	if len(s.Agencies) == 0 {
		probs.Errorf(at("agencies"), "agencies", "at least one agency is required: list the codes here, or publish profiles in content/%s/", AgencyDir)
	}
	if s.Office != "" && s.agencyByID[s.Office] == nil {
		probs.Errorf(at("office"), "office", "unknown agency code %q", s.Office)
	}
}

// contactFields are the Agency fields a profile owns.
func contactFields(a *Agency) []string {
	var out []string
	for _, f := range []struct{ name, v string }{{"address", a.Address}, {"hours", a.Hours}, {"phone", a.Phone},
		{"fax", a.Fax}, {"email", a.Email}, {"web_contact", a.WebContact}} {
		if f.v != "" {
			out = append(out, f.name)
		}
	}
	return out
}

// agenciesLoaded makes each published profile the source of its agency's
// contacts: the guide, the footer and every page that names the agency
// read them from the site's Agency, which the profile now fills. A contact
// also written in site.yaml is written twice: check explains the move.
func agenciesLoaded(c *Content, published []*Record) {
	for _, r := range published {
		p := r.Entry.(*AgencyProfile)
		a := c.Site.Agency(agencyCode(r))
		if a == nil {
			continue
		}
		if dup := contactFields(a); len(dup) > 0 {
			for i := range c.Site.Agencies {
				if &c.Site.Agencies[i] == a {
					f := "agencies[" + strconv.Itoa(i) + "]"
					c.Problems.Warnf(Pos{siteFile, c.Site.Line(f)}, f,
						"the contacts of %s (%s) are in %s now; remove %s here so no contact is written twice",
						a.Code, a.Name, r.Path, strings.Join(dup, ", "))
				}
			}
		}
		a.Name, a.OrgCode = p.Name, p.OrgCode
		a.Address, a.Hours, a.Phone, a.Fax, a.Email, a.WebContact = p.Address, p.Hours, p.Phone, p.Fax, p.Email, p.WebContact
		a.url = r.URL
	}
}

// AgencyGroup is one 机构类别 of the 机构信息 list.
type AgencyGroup struct {
	Title string
	Items []*Record
}

// agencyOutputs writes the 机构信息 list: the profiles grouped by type, in
// the order of their weights.
func agencyOutputs(b *Build) []Output {
	rs := slices.Clone(b.ByKind("agency"))
	if len(rs) == 0 {
		return nil
	}
	slices.SortStableFunc(rs, func(x, y *Record) int {
		px, py := x.Entry.(*AgencyProfile), y.Entry.(*AgencyProfile)
		return cmp.Or(cmp.Compare(px.Weight, py.Weight), cmp.Compare(px.Name, py.Name))
	})
	var groups []AgencyGroup
	for _, r := range rs {
		t := r.Entry.(*AgencyProfile).Type
		if t == "" {
			t = b.Theme.T("agency_type_other")
		}
		i := slices.IndexFunc(groups, func(g AgencyGroup) bool { return g.Title == t })
		if i < 0 {
			groups = append(groups, AgencyGroup{Title: t})
			i = len(groups) - 1
		}
		groups[i].Items = append(groups[i].Items, r)
	}
	col := b.Theme.T("col_agency")
	return []Output{{URL: "/agency/", Page: &Page{Template: "agencies.html", Title: col, Column: col,
		Description: b.Theme.T("agencies_description"), Data: groups, PubDate: b.ByKind("agency")[0].Date()}}}
}

// agencyPageData lists the newest catalogue records the agency published.
func agencyPageData(b *Build, r *Record) any {
	code := agencyCode(r)
	var out []*Record
	for _, k := range b.Kinds {
		if !k.NeedsIndexNo {
			continue
		}
		for _, x := range b.ByKind(k.Name) {
			if slices.ContainsFunc(x.H().Agency, func(a *Agency) bool { return a.Code == code }) {
				out = append(out, x)
			}
		}
	}
	sortNewestFirst(out)
	return out[:min(len(out), 10)]
}
