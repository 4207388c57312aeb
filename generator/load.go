package generator

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"
)

// Kinds lists every kind of record the generator knows, in the order their
// folders are read.
func Kinds() []*Kind {
	return []*Kind{
		{Name: "policy", Dir: "policies", Section: "/policy/", Template: "policy.html", Column: "col_policy",
			NeedsIndexNo: true, New: func() Entry { return &Policy{} }, Outputs: policyOutputs, Scaffold: policyScaffold},
		{Name: "interpretation", Dir: "interpretations", Section: "/interpretation/", Template: "interpretation.html",
			Column: "col_interpretation", NeedsIndexNo: true, New: func() Entry { return &Interpretation{} },
			Outputs: interpretationOutputs, Scaffold: interpretationScaffold},
		{Name: "release", Dir: "releases", Section: "/release/", Template: "release.html", Column: "col_release",
			NeedsIndexNo: true, New: func() Entry { return &Release{} }, Outputs: releaseOutputs, Scaffold: releaseScaffold},
		// Service disclosure (issue 3): approval items, fees, complaint
		// channels with their handling statistics, notices, annual reports.
		{Name: "approval", Dir: "approvals", Section: "/approval/", Template: "approval.html", Column: "svc_col_approval",
			NeedsIndexNo: true, New: func() Entry { return &Approval{} }, Outputs: approvalOutputs, Scaffold: approvalScaffold},
		{Name: "fee", Dir: "fees", Section: "/fee/", Template: "fee.html", Column: "svc_col_fee",
			NeedsIndexNo: true, New: func() Entry { return &Fee{} }, Outputs: feeOutputs, Scaffold: feeScaffold},
		{Name: "channel", Dir: "channels/channel", Section: "/channel/", Template: "channel.html", Column: "svc_col_channel",
			New: func() Entry { return &Channel{} }, Outputs: channelOutputs, Scaffold: channelScaffold},
		{Name: "handling", Dir: "channels/statistics", Section: "/handling/", Template: "handling.html", Column: "svc_col_handling",
			NeedsIndexNo: true, New: func() Entry { return &Handling{} }, Outputs: handlingOutputs, Scaffold: handlingScaffold},
		{Name: "notice", Dir: "notices", Section: "/notice/", Template: "notice.html", Column: "svc_col_notice",
			NeedsIndexNo: true, New: func() Entry { return &Notice{} }, Outputs: noticeOutputs, Scaffold: noticeScaffold},
		{Name: "report", Dir: "reports", Section: "/report/", Template: "report.html", Column: "svc_col_report",
			NeedsIndexNo: true, New: func() Entry { return &Report{} }, Outputs: reportOutputs, Scaffold: reportScaffold},
		{Name: "page", Dir: "pages", Section: "/page/", Template: "page.html", Column: "col_page",
			New: func() Entry { return &PlainPage{} }, Scaffold: pageScaffold},
	}
}

// KindNames returns the names of every kind, as `gongkai new` takes them.
func KindNames() []string {
	var names []string
	for _, k := range Kinds() {
		if k.Scaffold != "" {
			names = append(names, k.Name)
		}
	}
	return names
}

// Content is everything loaded from a site: configuration, records and the
// problems found in them.
type Content struct {
	Site      *Site
	Cal       *Calendar
	Date      time.Time // the build date
	Kinds     []*Kind
	Records   []*Record // every record, sorted by path
	Published []*Record // proactively disclosed records, sorted by path
	Withheld  []*Record // records kept out of every output, sorted by path
	Redirects []Redirect
	Problems  Problems

	byKind map[string][]*Record // published, newest first
	byRef  map[string]*Record   // kind + "\x00" + index number or slug
	fsys   fs.FS
	mu     sync.Mutex
}

// ByKind returns the published records of a kind, newest first.
func (c *Content) ByKind(kind string) []*Record { return c.byKind[kind] }

// Kind returns the kind with the given name, or nil.
func (c *Content) Kind(name string) *Kind {
	for _, k := range c.Kinds {
		if k.Name == name {
			return k
		}
	}
	return nil
}

// Load reads and checks the site in fsys (a folder holding content/) as of
// the build date. Content problems are collected in Content.Problems, never
// returned as an error; the error reports a cancelled context only.
func Load(ctx context.Context, fsys fs.FS, date time.Time) (*Content, error) {
	c := &Content{Date: date, Kinds: Kinds(), byKind: map[string][]*Record{}, byRef: map[string]*Record{}, fsys: fsys}
	c.Site, _ = loadSite(fsys, &c.Problems)
	if c.Site == nil {
		c.Problems = c.Problems.Sort()
		return c, nil
	}
	c.Cal = loadCalendar(fsys, &c.Problems)

	var paths []string
	var kinds []*Kind
	for _, k := range c.Kinds {
		dir := "content/" + k.Dir
		err := fs.WalkDir(fsys, dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				if p == dir && errors.Is(err, fs.ErrNotExist) {
					return fs.SkipDir
				}
				return err
			}
			if strings.HasPrefix(d.Name(), ".") && p != dir {
				if d.IsDir() {
					return fs.SkipDir
				}
				return nil
			}
			if !d.IsDir() && strings.HasSuffix(p, ".md") {
				paths = append(paths, p)
				kinds = append(kinds, k)
			}
			return nil
		})
		if err != nil {
			c.Problems.Errorf(Pos{dir, 0}, "", "cannot read folder: %v", err)
		}
	}

	recs := make([]*Record, len(paths))
	probs := make([]Problems, len(paths))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, p := range paths {
		g.Go(func() error {
			if err := gctx.Err(); err != nil {
				return err
			}
			recs[i] = c.parse(p, kinds[i], &probs[i])
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	for i, r := range recs {
		c.Problems = append(c.Problems, probs[i]...)
		if r != nil {
			c.Records = append(c.Records, r)
		}
	}
	c.index()
	for _, r := range c.Records {
		if l, ok := r.Entry.(Linker); ok {
			l.Link(c.checker(r, &c.Problems))
		}
	}
	for _, r := range c.Records {
		if r.Withheld {
			c.Withheld = append(c.Withheld, r)
		} else {
			c.Published = append(c.Published, r)
			c.byKind[r.Kind.Name] = append(c.byKind[r.Kind.Name], r)
		}
	}
	for _, rs := range c.byKind {
		slices.SortFunc(rs, newestFirst)
	}
	for _, r := range c.Published {
		if p, ok := r.Entry.(*Policy); ok {
			slices.SortFunc(p.Interps, newestFirst)
		}
	}
	c.Redirects = loadRedirects(fsys, &c.Problems)
	c.Problems = c.Problems.Sort()
	return c, nil
}

func newestFirst(a, b *Record) int {
	return cmp.Or(b.Date().Compare(a.Date()), cmp.Compare(a.Key, b.Key))
}

func (c *Content) checker(r *Record, probs *Problems) *Checker {
	return &Checker{Site: c.Site, Cal: c.Cal, Date: c.Date, rec: r, probs: probs, all: c}
}

// parse reads one file, decodes its front matter and runs the record's own
// checks. A record whose disclosure mode is not 主动公开 is marked withheld.
func (c *Content) parse(p string, k *Kind, probs *Problems) *Record {
	data, err := fs.ReadFile(c.fsys, p)
	if err != nil {
		probs.Errorf(Pos{p, 0}, "", "cannot read: %v", err)
		return nil
	}
	src, err := splitFrontMatter(p, data)
	if err != nil {
		probs.Errorf(Pos{p, 1}, "", "%v", err)
		return nil
	}
	e := k.New()
	r := &Record{Kind: k, Path: p, Entry: e, Body: src.body, BodyLine: src.bodyLine, Front: src.front, FrontLine: src.frontAt}
	lines, ok := decodeStrict(p, src.front, src.frontAt, e, probs)
	r.lines = lines
	h := e.Head()
	h.Record = r
	ch := c.checker(r, probs)
	// The gate decides first, and fails closed: anything but 主动公开,
	// including a missing or misspelt mode, keeps the record out of every output.
	r.Withheld = h.Disclosure != Proactive
	switch {
	case !ok && lines == nil:
		r.Withheld = true
		return r
	case h.Disclosure == "":
		ch.Errorf("disclosure", "required: one of %s (the record is withheld until it declares one)", strings.Join(disclosureModes, ", "))
	case !slices.Contains(disclosureModes, h.Disclosure):
		ch.Errorf("disclosure", "unknown mode %q; want one of %s", h.Disclosure, strings.Join(disclosureModes, ", "))
	}
	c.checkHeader(ch, k, h)
	e.Check(ch)
	ref := h.Slug
	if ref == "" {
		ref = h.IndexNo
	}
	r.Key = urlKey(ref)
	if r.Key == "" {
		r.Key = urlKey(strings.TrimSuffix(path.Base(p), ".md"))
	}
	r.URL = k.Section + r.Key + ".html"
	return r
}

func (c *Content) checkHeader(ch *Checker, k *Kind, h *Header) {
	ch.Required("title", "标题", h.Title)
	if k.NeedsIndexNo {
		ch.Required("index_no", "索引号", h.IndexNo)
	}
	if h.IndexNo != "" && !indexNoRE.MatchString(h.IndexNo) {
		ch.Errorf("index_no", "want ORGCODE/YYYY-NNNNN such as MB0000001/2024-00012, got %q", h.IndexNo)
	}
	if h.Slug != "" && !codeRE.MatchString(h.Slug) {
		ch.Errorf("slug", "want lower-case letters, digits and dashes, got %q", h.Slug)
	}
	if ch.Required("date_published", "发布日期", h.DatePublished) {
		h.Published, h.HasTime = ch.DayTime("date_published", h.DatePublished)
		if !h.Published.IsZero() && h.Published.After(c.Date.AddDate(0, 0, 1)) {
			ch.Warnf("date_published", "%s is after the build date %s; the record is published anyway", h.DatePublished, c.Date.Format("2006-01-02"))
		}
	}
	for i, code := range h.Agencies {
		a := c.Site.Agency(code)
		if a == nil {
			ch.Errorf("agencies["+strconv.Itoa(i)+"]", "unknown agency code %q (declared in content/site.yaml)", code)
			continue
		}
		h.Agency = append(h.Agency, a)
	}
	if len(h.Agencies) == 0 && k.NeedsIndexNo {
		ch.Errorf("agencies", "required (发布机构): at least one agency code")
	}
	if len(h.Agency) > 0 && h.IndexNo != "" {
		prefix, _, _ := strings.Cut(h.IndexNo, "/")
		if prefix != h.Agency[0].OrgCode {
			ch.Warnf("index_no", "prefix %q differs from the first agency's org_code %q", prefix, h.Agency[0].OrgCode)
		}
	}
}

// index checks that index numbers and URLs are unique and builds the lookup
// table used by Link.
func (c *Content) index() {
	byIndexNo := map[string]*Record{}
	byURL := map[string]*Record{}
	for _, r := range c.Records {
		h := r.H()
		if h.IndexNo != "" {
			if o := byIndexNo[h.IndexNo]; o != nil {
				c.Problems.Errorf(r.pos("index_no"), "index_no", "%q is also used by %s", h.IndexNo, o.Path)
			} else {
				byIndexNo[h.IndexNo] = r
			}
			c.byRef[r.Kind.Name+"\x00"+h.IndexNo] = r
		}
		if h.Slug != "" {
			c.byRef[r.Kind.Name+"\x00"+h.Slug] = r
		}
		if o := byURL[r.URL]; o != nil {
			c.Problems.Errorf(r.pos("slug"), "slug", "URL %s is also used by %s", r.URL, o.Path)
		} else {
			byURL[r.URL] = r
		}
	}
}

// checkAttachments checks that each attachment names an existing, non-empty
// file under content/ and records its size, format and URL.
func checkAttachments(c *Checker, field string, atts []Attachment) {
	h := c.rec.H()
	for i := range atts {
		a := &atts[i]
		f := fmt.Sprintf("%s[%d]", field, i)
		c.Required(f+".name", "附件名称", a.Name)
		if !c.Required(f+".file", "附件文件", a.File) {
			continue
		}
		clean := path.Clean(a.File)
		if path.IsAbs(a.File) || clean != a.File || strings.HasPrefix(clean, "../") || clean == ".." {
			c.Errorf(f+".file", "want a clean path under content/ such as attachments/2024/x.pdf, got %q", a.File)
			continue
		}
		ext := strings.ToLower(path.Ext(clean))
		if ext == "" || ext == ".md" || ext == ".yaml" || ext == ".yml" {
			c.Errorf(f+".file", "%q is not an attachment file (want .pdf, .docx, .xlsx, …)", a.File)
			continue
		}
		fi, err := fs.Stat(c.all.fsys, "content/"+clean)
		if err != nil || fi.IsDir() {
			c.Errorf(f+".file", "file content/%s does not exist", clean)
			continue
		}
		if fi.Size() == 0 {
			c.Errorf(f+".file", "file content/%s is empty", clean)
			continue
		}
		a.Size, a.Format, a.URL = fi.Size(), strings.ToUpper(ext[1:]), "/"+clean
		h.Attached = append(h.Attached, a)
	}
}

var indexNoRE = regexp.MustCompile(`^[0-9A-Za-z]{6,20}/\d{4}-\d{3,6}$`)

// ReleaseBodies drops the Markdown bodies once the site is rendered, so the
// memory can serve the search index build that follows.
func (c *Content) ReleaseBodies() {
	for _, r := range c.Records {
		r.Body, r.Front = nil, nil
	}
}
