package generator

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"net/url"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// Identity is the official identity of a government website, which
// inspectors look for at the bottom of every page: who runs the site, its
// 网站标识码, its ICP and public-security filings, and the 党政机关网站
// identification badge. `identity:` in site.yaml:
//
//	site_id_code: "5199000001"            # top level: 网站标识码, 10 characters
//	identity:
//	  sponsor: 云泽市人民政府办公室        # 主办单位
//	  operator: 云泽市大数据中心            # 承办单位（维护单位）
//	  icp: 云ICP备00000000号-1              # ICP备案号, linked to beian.miit.gov.cn
//	  police_record: 云公网安备00000000000000号  # 公安机关备案号, linked to beian.mps.gov.cn
//	  badge: identity/dzjg.png             # 党政机关网站标识: an image under content/, served from this site
//	  badge_link: https://…                # optional: where the badge points (the registration's verification page)
//	  emblem: identity/emblem.svg          # optional: the emblem shown before the site's name in the masthead
//	  phone: 0899-62000110                 # contact: phone and/or e-mail
//	  email: zwgk@yunze.gov.cn
//	  contact_url: /page/contact.html      # optional: the contact page
//	  correction_url: /page/contact.html   # optional 纠错 link; default: the national platform's, with this site's code
//
// A production build (`gongkai build` without --preview) fails while any of
// site_id_code, sponsor, operator, icp, police_record, badge and a phone or
// e-mail is missing or malformed; see Site.IdentityProblems.
type Identity struct {
	Sponsor       string `yaml:"sponsor"`
	Operator      string `yaml:"operator"`
	ICP           string `yaml:"icp"`
	PoliceRecord  string `yaml:"police_record"`
	Badge         string `yaml:"badge"`
	BadgeLink     string `yaml:"badge_link"`
	Emblem        string `yaml:"emblem"`
	Phone         string `yaml:"phone"`
	Email         string `yaml:"email"`
	ContactURL    string `yaml:"contact_url"`
	CorrectionURL string `yaml:"correction_url"`

	badge    []byte // the badge image
	badgeURL string // site path the badge is published under
	badgeErr string // why the badge could not be read

	emblem    []byte // the masthead emblem
	emblemURL string // site path the emblem is published under
}

// API configures the search service's JSON API (`api:` in site.yaml).
type API struct {
	// CORSOrigins lists the origins ("https://www.example.gov.cn") whose
	// pages may call /api/search from a browser; none by default.
	CORSOrigins []string `yaml:"cors_origins"`
}

func (a *API) validate(at func(string) Pos, probs *Problems) {
	for i, o := range a.CORSOrigins {
		f := "api.cors_origins[" + strconv.Itoa(i) + "]"
		if !validOrigin(o) {
			probs.Errorf(at(f), f, "want an origin such as https://www.example.gov.cn (scheme and host, no path), got %q", o)
		}
	}
}

// validOrigin reports whether o is a serialised http(s) origin.
func validOrigin(o string) bool {
	u, err := url.Parse(o)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && u.User == nil &&
		u.Path == "" && u.RawQuery == "" && u.Fragment == "" && o == u.Scheme+"://"+u.Host && strings.ToLower(o) == o
}

// MIITFilingURL and MPSFilingURL are the national filing systems the ICP
// and public-security filing numbers link to (信息产业部令第33号 art. 13).
const (
	MIITFilingURL = "https://beian.miit.gov.cn/"
	MPSFilingURL  = "https://beian.mps.gov.cn/#/query/webSearch?code="
	// correctionBase is the national government-website error-report
	// platform (我为政府网站找错).
	correctionBase = "https://zfwzgl.www.gov.cn/exposure/jiucuo.html"
)

var (
	// siteIDCodeRE: 网站标识码 are ten characters, the region code and a
	// serial number ("1100000088"), or "bm" and eight digits for State
	// Council departments.
	siteIDCodeRE = regexp.MustCompile(`^(?:\d{10}|bm\d{8})$`)
	icpRE        = regexp.MustCompile(`^\p{Han}{1,2}ICP[备证]\d{6,10}号(?:-\d{1,3})?$`)
	policeRE     = regexp.MustCompile(`^\p{Han}{1,2}公网安备\s?(\d{14})号$`)
	badgeTypes   = map[string]bool{".png": true, ".jpg": true, ".jpeg": true, ".gif": true, ".svg": true, ".webp": true}
)

// loadBadge reads the badge image named in site.yaml from content/.
func (id *Identity) loadBadge(fsys fs.FS) {
	if id.Badge == "" {
		return
	}
	id.badge, id.badgeURL, id.badgeErr = loadIdentityImage(fsys, id.Badge, "identity/dzjg.png")
}

// loadEmblem reads the masthead emblem named in site.yaml from content/.
// The emblem is optional, but one that is named must be readable, in
// preview builds too.
func (id *Identity) loadEmblem(fsys fs.FS, at Pos, probs *Problems) {
	if id.Emblem == "" {
		return
	}
	var msg string
	id.emblem, id.emblemURL, msg = loadIdentityImage(fsys, id.Emblem, "identity/emblem.svg")
	if msg != "" {
		probs.Errorf(at, "identity.emblem", "%s", msg)
	}
}

// loadIdentityImage reads an image of the site's identity from content/
// and returns its bytes and the site path it is published under, or why it
// cannot be used.
func loadIdentityImage(fsys fs.FS, name, example string) (data []byte, url, problem string) {
	p := path.Clean(name)
	if path.IsAbs(name) || p != name || strings.HasPrefix(p, "../") || p == ".." || !fs.ValidPath("content/"+p) {
		return nil, "", fmt.Sprintf("want a path under content/ such as %s, got %q", example, name)
	}
	ext := strings.ToLower(path.Ext(p))
	if !badgeTypes[ext] {
		return nil, "", fmt.Sprintf("want a PNG, JPEG, GIF, SVG or WebP image, got %q", name)
	}
	data, err := fs.ReadFile(fsys, "content/"+p)
	switch {
	case err != nil:
		return nil, "", fmt.Sprintf("cannot read content/%s: %v", p, err)
	case len(data) == 0:
		return nil, "", fmt.Sprintf("content/%s is empty", p)
	}
	sum := sha256.Sum256(data)
	return data, "/static/identity-" + hex.EncodeToString(sum[:4]) + ext, ""
}

// IdentityProblems checks the site's official identity and reports, as
// errors, every required field that is missing and every value that is
// malformed. A production build fails on them; a preview build shows them
// as warnings. `gongkai check` can report them the same way.
func (s *Site) IdentityProblems() Problems {
	var probs Problems
	at := func(field string) Pos { return Pos{siteFile, s.lines.line(field, 1)} }
	req := func(field, label, v string) bool {
		if strings.TrimSpace(v) == "" {
			probs.Errorf(at(field), field, "required (%s) for a production build; `gongkai build --preview` builds without it", label)
			return false
		}
		return true
	}
	id := &s.Identity
	if req("site_id_code", "网站标识码", s.SiteIDCode) && !siteIDCodeRE.MatchString(s.SiteIDCode) {
		probs.Errorf(at("site_id_code"), "site_id_code", "want the 10-character 网站标识码 (ten digits, or bm and eight digits), got %q", s.SiteIDCode)
	}
	req("identity.sponsor", "主办单位", id.Sponsor)
	req("identity.operator", "承办单位", id.Operator)
	if req("identity.icp", "ICP备案号", id.ICP) && !icpRE.MatchString(id.ICP) {
		probs.Errorf(at("identity.icp"), "identity.icp", "want an ICP filing number such as 京ICP备05070218号-1, got %q", id.ICP)
	}
	if req("identity.police_record", "公安机关备案号", id.PoliceRecord) && !policeRE.MatchString(id.PoliceRecord) {
		probs.Errorf(at("identity.police_record"), "identity.police_record", "want a public-security filing number such as 京公网安备11010202000001号, got %q", id.PoliceRecord)
	}
	if req("identity.badge", "党政机关网站标识", id.Badge) && id.badgeErr != "" {
		probs.Errorf(at("identity.badge"), "identity.badge", "%s", id.badgeErr)
	}
	if strings.TrimSpace(id.Phone) == "" && strings.TrimSpace(id.Email) == "" {
		probs.Errorf(at("identity"), "identity.phone", "required (联系方式: phone or email) for a production build; `gongkai build --preview` builds without it")
	}
	if id.Email != "" && (!strings.Contains(id.Email, "@") || strings.ContainsAny(id.Email, " <>\"")) {
		probs.Errorf(at("identity.email"), "identity.email", "want an e-mail address, got %q", id.Email)
	}
	for _, f := range []struct{ field, v string }{
		{"identity.badge_link", id.BadgeLink}, {"identity.contact_url", id.ContactURL}, {"identity.correction_url", id.CorrectionURL},
	} {
		if f.v != "" && !linkValue(f.v) {
			probs.Errorf(at(f.field), f.field, "want an absolute http(s) URL or a site path starting with /, got %q", f.v)
		}
	}
	return probs.Sort()
}

// linkValue reports whether v is an absolute http(s) URL or a site path.
func linkValue(v string) bool {
	if strings.HasPrefix(v, "/") && !strings.HasPrefix(v, "//") {
		return !strings.ContainsAny(v, " \t\n\"<>")
	}
	u, err := url.Parse(v)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

// PoliceRecordURL returns the link of the public-security filing number.
func (id *Identity) PoliceRecordURL() string {
	if m := policeRE.FindStringSubmatch(id.PoliceRecord); m != nil {
		return MPSFilingURL + m[1]
	}
	return "https://beian.mps.gov.cn/"
}

// ICPURL returns the link of the ICP filing number: the MIIT filing system.
func (id *Identity) ICPURL() string { return MIITFilingURL }

// BadgeURL returns the site path the badge image is published under, or "".
func (id *Identity) BadgeURL() string { return id.badgeURL }

// EmblemURL returns the site path the masthead emblem is published under,
// or "".
func (id *Identity) EmblemURL() string { return id.emblemURL }

// CorrectionLink returns the 纠错 link for the page at the absolute URL
// pageURL: the site's own, or the national platform's with the site code.
func (s *Site) CorrectionLink(pageURL string) string {
	if s.Identity.CorrectionURL != "" {
		return s.Identity.CorrectionURL
	}
	if s.SiteIDCode == "" {
		return ""
	}
	q := url.Values{"site_code": {s.SiteIDCode}, "url": {pageURL}}
	return correctionBase + "?" + q.Encode()
}
