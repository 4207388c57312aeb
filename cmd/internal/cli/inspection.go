package cli

import (
	"cmp"
	"io/fs"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"gongkai/generator"
	"gongkai/inspect"
)

// This file is the adapter between the generator's content model and the
// inspector's neutral description of a site. When the content model
// changes (a disclosure directory instead of fixed kinds, agencies as
// records), only this file changes.

// columnClass says how often inspectors expect each kind's column to
// change (国办秘函〔2019〕19号): news every 2 weeks, notices and policies
// every 6 months, basic information when it changes.
var columnClass = map[string]string{
	"release":        inspect.ClassNews,
	"notice":         inspect.ClassNotice,
	"policy":         inspect.ClassPolicy,
	"interpretation": inspect.ClassPolicy,
}

// siteFile is where site.yaml lives, relative to the site root.
const siteFile = "content/site.yaml"

// inspectionSite describes c, as of its build date, for the inspector.
// files reads the site folder (attachments); theme supplies the column
// names; themeIDs are the ids every page carries.
func inspectionSite(c *generator.Content, theme *generator.Theme, files fs.FS, themeIDs []string) (*inspect.Site, []inspect.Finding) {
	site := c.Site
	cfg, cfgProblems := inspect.ParseConfig(&site.Inspection, siteFile)
	s := &inspect.Site{
		Name:         site.Name,
		Date:         c.Date,
		ConfigPath:   siteFile,
		Config:       cfg,
		Files:        files,
		URLs:         map[string]bool{},
		ThemeAnchors: themeIDs,
		BaseURL:      site.BaseURL,
		Dynamic:      requestsPath,
	}
	if c.Cal != nil {
		s.Workdays = c.Cal
	}
	for _, u := range generator.OutputURLs(c) {
		s.URLs[u] = true
	}
	for i := range site.Agencies {
		a := &site.Agencies[i]
		s.Agencies = append(s.Agencies, &inspect.Agency{Code: a.Code, Name: a.Name, Line: site.Line("agencies[" + strconv.Itoa(i) + "]")})
	}
	for _, list := range []struct {
		key   string
		items []generator.NavItem
	}{{"nav", site.Nav}, {"footer", site.Footer}} {
		for i, n := range list.items {
			s.Nav = append(s.Nav, &inspect.NavEntry{Title: n.Title, URL: n.URL, Line: site.Line(list.key + "[" + strconv.Itoa(i) + "]")})
		}
	}
	guideLine := site.Line("guide_updated")
	if guideLine == 0 {
		guideLine = site.Line("guide")
	}
	s.Pages = append(s.Pages, &inspect.Page{Name: theme.T("col_guide"), URL: "/guide/", Date: site.GuideDate, Path: siteFile, Line: guideLine})
	s.Names = append(s.Names, theme.T("col_guide"), theme.T("col_catalogue"), theme.T("col_home"))
	s.Identity = identityFields(site)

	columns := map[string]*inspect.Column{}
	for _, k := range c.Kinds {
		if k.Outputs == nil {
			continue // no list: not a column
		}
		class := columnClass[k.Name]
		if class == "" {
			class = inspect.ClassInfo
		}
		col := &inspect.Column{ID: k.Name, Name: theme.T(k.Column), URL: k.Section, Class: class}
		columns[k.Name] = col
		s.Columns = append(s.Columns, col)
	}

	// A record dated after the build date is scheduled (the embargo): the
	// generator keeps it out of every output until then, and the text
	// rules read it now, before it is published.
	byRecord := map[*generator.Record]*inspect.Record{}
	bodies := map[string][]byte{}
	for _, r := range slices.Concat(c.Published, c.Scheduled) {
		h := r.H()
		ir := &inspect.Record{
			Path: r.Path, Kind: r.Kind.Name, Title: h.Title, URL: r.URL,
			Published: h.Published, DateLine: r.Line("date_published"),
			Scheduled: !r.Scheduled.IsZero(),
			Texts: []inspect.Text{
				{Line: r.FrontLine, Text: string(r.Front)},
				{Line: r.BodyLine, Text: string(r.Body)},
			},
		}
		for _, a := range h.Agency {
			ir.Agencies = append(ir.Agencies, a.Code)
		}
		for _, a := range h.Attached {
			ir.Attachments = append(ir.Attachments, inspect.Attachment{Name: a.Name, Path: "content/" + a.File, Line: frontLine(r, a.File)})
		}
		ir.Links = recordLinks(r)
		if col := columns[r.Kind.Name]; col != nil {
			ir.Column = col
			col.Records = append(col.Records, ir)
		}
		bodies[r.URL] = r.Body
		byRecord[r] = ir
		s.Records = append(s.Records, ir)
	}
	for r, ir := range byRecord {
		describeKind(c, r, ir, byRecord)
	}
	// Every category of the disclosure directory is a column (法定主动公开
	// 内容 columns): one with no record is blank (FRESH-EMPTY) unless a dated
	// 本机关无此类信息 statement covers it, which is its content.
	if d := c.Directory; d != nil {
		for _, cat := range d.All {
			if cat.IsEmpty() && cat.Statement() != nil {
				continue
			}
			col := &inspect.Column{ID: "directory/" + cat.Key, Name: cat.Title(), URL: cat.URL(), Class: inspect.ClassInfo}
			for _, r := range cat.Records {
				if ir := byRecord[r]; ir != nil {
					col.Records = append(col.Records, ir)
				}
			}
			s.Columns = append(s.Columns, col)
		}
	}
	for _, p := range c.ByKind("page") {
		s.Names = append(s.Names, p.Title())
	}
	s.Anchors = func(url string) []string {
		if b, ok := bodies[url]; ok {
			return generator.HeadingIDs(b)
		}
		return nil
	}
	return s, cfgProblems
}

// describeKind fills in what the rules need to know of each kind: dates
// that must come in order, interpretations, annual reports.
func describeKind(c *generator.Content, r *generator.Record, ir *inspect.Record, byRecord map[*generator.Record]*inspect.Record) {
	h := r.H()
	switch e := r.Entry.(type) {
	case *generator.Policy:
		ir.Normative = e.Normative
		ir.InForce = e.Validity.Status == generator.Valid || e.Validity.Status == generator.Amended
		for _, in := range e.Interps {
			if t := byRecord[in]; t != nil {
				ir.Interpretations = append(ir.Interpretations, t)
			}
		}
		if !e.Validity.RepealedAt.IsZero() {
			ir.Dates = append(ir.Dates, inspect.DateOrder{Before: e.Written, After: e.Validity.RepealedAt,
				BeforeName: "date_written", AfterName: "validity.repealed", Line: r.Line("validity.repealed")})
		}
		for _, l := range e.Links {
			t, ok := l.Target.Entry.(*generator.Policy)
			if !ok {
				continue
			}
			switch l.Label {
			case "rel_amended_by":
				ir.Dates = append(ir.Dates, inspect.DateOrder{Before: e.Written, After: t.Written,
					BeforeName: "date_written", AfterName: "date_written of the amending document " + l.Target.Path, Line: r.Line("validity.amended_by")})
			case "rel_replaced_by":
				ir.Dates = append(ir.Dates, inspect.DateOrder{Before: e.Written, After: t.Written,
					BeforeName: "date_written", AfterName: "date_written of the replacing document " + l.Target.Path, Line: r.Line("validity.replaced_by")})
			}
		}
	case *generator.Interpretation:
		if e.Doc != nil {
			ir.Interprets = byRecord[e.Doc]
			ir.Dates = append(ir.Dates, inspect.DateOrder{Before: e.Doc.Date(), After: h.Published,
				BeforeName: "date_published of the document it explains, " + e.Doc.Path, AfterName: "date_published", Line: r.Line("date_published")})
		}
	case *generator.Release:
		for i, d := range e.Docs {
			if p, ok := d.Entry.(*generator.Policy); ok {
				ir.Dates = append(ir.Dates, inspect.DateOrder{Before: p.Written, After: h.Published,
					BeforeName: "date_written of the document it presents, " + d.Path, AfterName: "date_published",
					Line: r.Line("documents[" + strconv.Itoa(i) + "]")})
			}
		}
	case *generator.Notice:
		// A decision or a hearing report dated after today is not a fact yet.
		if o := e.Outcome; o != nil && !o.DecidedAt.IsZero() {
			ir.Dates = append(ir.Dates, inspect.DateOrder{Before: o.DecidedAt, After: c.Date.AddDate(0, 0, 1).Add(-time.Second),
				BeforeName: "outcome.decided", AfterName: "the inspection date", Line: r.Line("outcome.decided")})
		}
		if hg := e.Hearing; hg != nil && strings.TrimSpace(hg.Summary) != "" && !hg.At.IsZero() {
			ir.Dates = append(ir.Dates, inspect.DateOrder{Before: hg.At, After: c.Date.AddDate(0, 0, 1).Add(-time.Second),
				BeforeName: "hearing.time of a hearing with a summary", AfterName: "the inspection date", Line: r.Line("hearing.summary")})
		}
	case *generator.Report:
		ir.Report = &inspect.AnnualReport{Year: e.Year, Level: e.Level}
	case *generator.Decision:
		// A natural person is published masked (张某某), and so is the
		// operator of a 个体工商户: PII-NAME reads the names as published.
		switch e.Party.Type {
		case generator.PartyPerson:
			ir.Parties = append(ir.Parties, inspect.Text{Line: r.Line("party.name"), Text: e.Party.Name})
		case generator.PartyBusiness:
			ir.Parties = append(ir.Parties, inspect.Text{Line: r.Line("party.representative"), Text: e.Party.Representative})
		}
		if !e.DecidedAt.IsZero() {
			ir.Dates = append(ir.Dates, inspect.DateOrder{Before: e.DecidedAt, After: h.Published,
				BeforeName: "decided", AfterName: "date_published", Line: r.Line("date_published")})
		}
	}
}

// requestsPath reports whether a site path is one of the requests
// service's routes (/notice/ID/comment, /apply/status).
func requestsPath(p string) bool {
	for _, re := range requestsPathREs {
		if re.MatchString(p) {
			return true
		}
	}
	return false
}

var requestsPathREs = func() []*regexp.Regexp {
	var out []*regexp.Regexp
	for _, s := range requestsLinkExclude {
		out = append(out, regexp.MustCompile(s))
	}
	return out
}()

// identityFields lists the official identity fields site.yaml declares,
// with the problems the generator's own identity check finds in them (the
// same check a production build runs), so IDENTITY and the build agree.
func identityFields(site *generator.Site) []inspect.IdentityField {
	fields := []inspect.IdentityField{
		{Key: "site_id_code", Value: site.SiteIDCode},
		{Key: "identity.sponsor", Value: site.Identity.Sponsor},
		{Key: "identity.operator", Value: site.Identity.Operator},
		{Key: "identity.icp", Value: site.Identity.ICP},
		{Key: "identity.police_record", Value: site.Identity.PoliceRecord},
		{Key: "identity.badge", Value: site.Identity.Badge},
	}
	for i := range fields {
		fields[i].Label = identityLabels[fields[i].Key]
		fields[i].Line = site.Line(fields[i].Key)
	}
	for _, p := range site.IdentityProblems() {
		i := slices.IndexFunc(fields, func(f inspect.IdentityField) bool { return f.Key == p.Field })
		if i < 0 {
			fields = append(fields, inspect.IdentityField{Key: p.Field, Label: cmp.Or(identityLabels[p.Field], p.Field)})
			i = len(fields) - 1
		}
		fields[i].Line = p.Pos.Line
		fields[i].Problem = cmp.Or(fields[i].Problem, p.Msg)
	}
	return fields
}

// identityLabels names the identity fields in reports.
var identityLabels = map[string]string{
	"site_id_code": "网站标识码", "identity.sponsor": "主办单位", "identity.operator": "承办单位",
	"identity.icp": "ICP备案号", "identity.police_record": "公安机关备案号", "identity.badge": "党政机关网站标识",
	"identity.phone": "联系方式", "identity.email": "联系邮箱", "identity.badge_link": "网站标识链接",
	"identity.contact_url": "联系我们链接", "identity.correction_url": "纠错链接",
}

// frontLine returns the line of the first front-matter line mentioning s.
func frontLine(r *generator.Record, s string) int {
	for i, l := range strings.Split(string(r.Front), "\n") {
		if strings.Contains(l, s) {
			return r.FrontLine + i
		}
	}
	return r.FrontLine
}

var (
	mdLinkRE  = regexp.MustCompile(`\]\(\s*<?([^)\s>]+)>?(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)`)
	autoRE    = regexp.MustCompile(`<(https?://[^>\s]+)>`)
	refDefRE  = regexp.MustCompile(`^\s{0,3}\[[^\]^][^\]]*\]:\s*<?(\S+?)>?(?:\s|$)`)
	bareURLRE = regexp.MustCompile(`https?://[^\s"'<>（）()，。；、{}\[\],]+`)
)

// recordLinks returns the links of a record: Markdown links, images,
// autolinks and reference definitions of its body (outside code blocks),
// and the URLs of its front matter.
func recordLinks(r *generator.Record) []inspect.Link {
	var out []inspect.Link
	for i, l := range strings.Split(string(r.Front), "\n") {
		for _, m := range bareURLRE.FindAllString(l, -1) {
			out = append(out, inspect.Link{URL: m, Line: r.FrontLine + i})
		}
	}
	fence := ""
	for i, l := range strings.Split(string(r.Body), "\n") {
		t := strings.TrimSpace(l)
		if fence != "" {
			if strings.HasPrefix(t, fence) {
				fence = ""
			}
			continue
		}
		if strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~") {
			fence = t[:3]
			continue
		}
		if !strings.ContainsAny(l, "](<") {
			continue
		}
		ln := r.BodyLine + i
		for _, m := range mdLinkRE.FindAllStringSubmatch(l, -1) {
			out = append(out, inspect.Link{URL: m[1], Line: ln})
		}
		for _, m := range autoRE.FindAllStringSubmatch(l, -1) {
			out = append(out, inspect.Link{URL: m[1], Line: ln})
		}
		if m := refDefRE.FindStringSubmatch(l); m != nil {
			out = append(out, inspect.Link{URL: m[1], Line: ln})
		}
	}
	return out
}

// themeIDs returns the ids the theme's templates give pages (skip-link
// targets, section headings), found in the template sources of each theme
// folder (the default and a site's overrides; nil ones are skipped).
func themeIDs(themes ...fs.FS) []string {
	var ids []string
	seen := map[string]bool{}
	for _, theme := range themes {
		if theme == nil {
			continue
		}
		ids = appendThemeIDs(ids, seen, theme)
	}
	return ids
}

func appendThemeIDs(ids []string, seen map[string]bool, theme fs.FS) []string {
	fs.WalkDir(theme, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".html") {
			return nil
		}
		b, err := fs.ReadFile(theme, p)
		if err != nil {
			return nil
		}
		for _, m := range idAttrRE.FindAllStringSubmatch(string(b), -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				ids = append(ids, m[1])
			}
		}
		return nil
	})
	return ids
}

var idAttrRE = regexp.MustCompile(`\bid="([^"{}]+)"`)

// contentFindings turns the generator's problems into findings of the
// CONTENT rule, so the JSON and HTML reports carry them too.
func contentFindings(ps generator.Problems) []inspect.Finding {
	out := make([]inspect.Finding, 0, len(ps))
	for _, p := range ps {
		f := inspect.Finding{Rule: "CONTENT", Severity: inspect.Error, Path: p.Pos.Path, Message: p.Msg}
		if p.Pos.Line > 0 {
			f.Loc = strconv.Itoa(p.Pos.Line)
		}
		if p.Field != "" {
			f.Message = p.Field + ": " + p.Msg
		}
		if p.Warning {
			f.Severity = inspect.Warning
		}
		out = append(out, f)
	}
	return out
}
