package generator

import (
	"bytes"
	"cmp"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"regexp"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"

	"gongkai/internal/par"
)

// Kinds lists every kind of record the generator knows, in the order their
// folders are read.
func Kinds() []*Kind {
	return []*Kind{
		{Name: "policy", Dir: "policies", Section: "/policy/", Template: "policy.html", Column: "col_policy",
			Facets: []string{"agency", "doc_type", "topic"}, NeedsIndexNo: true, Home: true, New: func() Entry { return &Policy{} }, Outputs: policyOutputs, Feeds: policyFeeds, Scaffold: policyScaffold},
		{Name: "interpretation", Dir: "interpretations", Section: "/interpretation/", Template: "interpretation.html",
			Column: "col_interpretation", NeedsIndexNo: true, Home: true, New: func() Entry { return &Interpretation{} },
			Outputs: interpretationOutputs, Scaffold: interpretationScaffold},
		{Name: "release", Dir: "releases", Section: "/release/", Template: "release.html", Column: "col_release",
			NeedsIndexNo: true, Home: true, New: func() Entry { return &Release{} }, Outputs: releaseOutputs, Feeds: releaseFeeds, Scaffold: releaseScaffold},
		// Service disclosure (issue 3): approval items, fees, complaint
		// channels with their handling statistics, notices, annual reports.
		{Name: "approval", Dir: "approvals", Section: "/approval/", Template: "approval.html", Column: "svc_col_approval",
			NeedsIndexNo: true, Home: true, Facets: []string{"agency", "category"}, New: func() Entry { return &Approval{} }, Outputs: approvalOutputs, Scaffold: approvalScaffold},
		{Name: "fee", Dir: "fees", Section: "/fee/", Template: "fee.html", Column: "svc_col_fee",
			NeedsIndexNo: true, Home: true, New: func() Entry { return &Fee{} }, Outputs: feeOutputs, Scaffold: feeScaffold},
		{Name: "channel", Dir: "channels/channel", Section: "/channel/", Template: "channel.html", Column: "svc_col_channel",
			Home: true, New: func() Entry { return &Channel{} }, Outputs: channelOutputs, Scaffold: channelScaffold},
		{Name: "handling", Dir: "channels/statistics", Section: "/handling/", Template: "handling.html", Column: "svc_col_handling",
			NeedsIndexNo: true, Home: true, New: func() Entry { return &Handling{} }, Outputs: handlingOutputs, Scaffold: handlingScaffold},
		{Name: "notice", Dir: "notices", Section: "/notice/", Template: "notice.html", Column: "svc_col_notice",
			NeedsIndexNo: true, Home: true, New: func() Entry { return &Notice{} }, Outputs: noticeOutputs, Feeds: noticeFeeds, Scaffold: noticeScaffold},
		{Name: "report", Dir: "reports", Section: "/report/", Template: "report.html", Column: "svc_col_report",
			NeedsIndexNo: true, Home: true, New: func() Entry { return &Report{} }, Outputs: reportOutputs, Scaffold: reportScaffold},
		// The coverage of 条例 art. 20 (issue 12): agency profiles (机构信息),
		// 双公示 decisions, and info records for the directory's categories
		// that need no structure of their own.
		{Name: "agency", Dir: AgencyDir, Section: "/agency/", Template: "agency.html", Column: "col_agency",
			New: func() Entry { return &AgencyProfile{} }, Outputs: agencyOutputs, Loaded: agenciesLoaded,
			PageData: agencyPageData, Facets: []string{"agency", "type"}, Scaffold: agencyScaffold},
		{Name: "decision", Dir: "decisions", Section: "/decision/", Template: "decision.html", Column: "col_decision",
			NeedsIndexNo: true, Home: true, New: func() Entry { return &Decision{} }, Outputs: decisionOutputs, Feeds: decisionFeeds,
			Facets: []string{"agency", "type"}, Scaffold: decisionScaffold},
		{Name: "info", Dir: "info", Section: "/info/", Template: "info.html", Column: "col_info",
			NeedsIndexNo: true, New: func() Entry { return &Info{} }, Facets: []string{"agency"}, Scaffold: infoScaffold},
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
	// Directory is the disclosure directory (公开目录) with the published
	// records of each category.
	Directory *Directory

	// Scheduled are records whose publication date is after the build
	// date (embargoed), sorted by path; they are kept out of every output
	// until a build's date reaches theirs.
	Scheduled []*Record
	// Withdrawn lists the pages withdrawn in this build (撤回), sorted by URL.
	Withdrawn []Withdrawn

	mdPaths []string // Markdown files found by walk
	mdKinds []*Kind
	// mdStamps holds the stamp of each Markdown file as the walk found
	// it (the lstat os.Root's folder listing makes of every entry), for
	// a Warm's or fileStore's check of its kept bytes: a file is not
	// stat'ed again.
	mdStamps map[string]fileStamp
	// walked is every entry the walk met, in its order, for the
	// fingerprint (nil when the walk met an error): a hidden folder it
	// skipped is listed with skipped set, for the fingerprint to walk.
	walked         []walkedEntry
	irregular      map[string]fs.FileMode // entries that are not regular files or folders
	attachmentRefs map[string]bool        // content paths named as attachments, guarded by mu

	byKind  map[string][]*Record  // published, newest first
	primary map[*Record]*Category // each published record's category in the catalogue
	byRef   map[string]*Record    // kind + "\x00" + index number or slug
	byURL   map[string]*Record
	fsys    fs.FS
	mu      sync.Mutex

	// revisions are the records' revisions by file path (SetRevisions).
	revisions map[string][]Revision
	// planned is the plan PlanBuild made for Render.
	planned *plannedBuild
	// parses, when not nil, is the parse cache (LoadIncremental).
	parses *parseCache
	// warm, when not nil, keeps the record files' bytes across builds
	// (LoadIncrementalWarm).
	warm *Warm
	// files, when not nil, keeps them in the state folder instead, from
	// one fresh process to the next (LoadIncremental).
	files *fileStore
	// folders reads the record files during the load when fsys is a
	// *SiteDir; nil otherwise.
	folders *folders
}

// ByKind returns the published records of a kind, newest first.
func (c *Content) ByKind(kind string) []*Record { return c.byKind[kind] }

// CachedRecords returns how many records the load took from the previous
// build's parse cache (LoadIncremental) instead of decoding their YAML:
// the records of a small edit's rebuild but the edited ones.
func (c *Content) CachedRecords() int {
	if c.parses == nil {
		return 0
	}
	return int(c.parses.hits.Load())
}

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
	return LoadAfter(ctx, fsys, date, nil)
}

// LoadAfter is Load for a build that follows the one that left prev (nil
// for none): a record kept out of the outputs whose URL prev published is
// withdrawn (Content.Withdrawn), and references to it are dropped with a
// warning instead of stopping the takedown.
func LoadAfter(ctx context.Context, fsys fs.FS, date time.Time, prev *State) (*Content, error) {
	return load(ctx, fsys, date, prev, nil, nil)
}

// LoadIncremental is LoadAfter for an incremental build: a record file
// whose bytes did not change since the build that left the state folder
// prevState is not parsed again, its front matter comes from that build's
// parse cache (parseCache; salt is the caller's, Incremental.Salt), and
// one whose stamp did not change is not read again, its bytes come from
// that build's file packs (fileStore). Every
// check runs as in LoadAfter. With prevState empty nothing is reused, and
// the cache is filled for the next build (Render writes it with the
// incremental manifest).
func LoadIncremental(ctx context.Context, fsys fs.FS, date time.Time, prev *State, prevState string, salt []byte) (*Content, error) {
	return LoadIncrementalWarm(ctx, fsys, date, prev, prevState, salt, nil, LoadOptions{})
}

// LoadOptions are the options of LoadIncrementalWarm.
type LoadOptions struct {
	// Listed, when not nil, is called once content/ is listed, before
	// any record file is read, with the number of record files found (a
	// build sets its collector's pace by it).
	Listed func(records int)
	// MapPacks maps the previous build's parse and file packs read-only
	// instead of reading them, in a load without a Warm (Incremental's
	// MapPacks, which the render's must match).
	MapPacks bool
}

// LoadIncrementalWarm is LoadIncremental in a process that keeps w (not
// nil) from one build to the next (Warm): a record file whose stamp did
// not change since w read it is not read again, and the parse cache's
// packs come from w when their files did not change. The same w goes to
// the render (Incremental.Warm).
func LoadIncrementalWarm(ctx context.Context, fsys fs.FS, date time.Time, prev *State, prevState string, salt []byte, w *Warm, opts LoadOptions) (*Content, error) {
	w.begin()
	pc := newParseCache(prevState, salt)
	pc.packs.warm = w
	pc.packs.mapped = opts.MapPacks
	c, err := loadWith(ctx, fsys, date, prev, pc, w, func(c *Content) {
		if opts.Listed != nil {
			opts.Listed(len(c.mdPaths))
		}
		// A fresh process (no Warm) reads unchanged record files from
		// the previous build's state folder (fileStore); a larger site
		// than LargeSite, or one not in a folder, keeps none.
		if w != nil {
			return
		}
		root := ""
		if c.folders != nil {
			root = c.folders.d.root.Name()
		}
		c.files = newFileStore(prevState, root)
		c.files.off = c.folders == nil || len(c.mdPaths) > LargeSite
		c.files.packs.mapped = opts.MapPacks
	})
	if err == nil {
		w.loaded(len(c.Records))
	}
	return c, err
}

func load(ctx context.Context, fsys fs.FS, date time.Time, prev *State, parses *parseCache, w *Warm) (*Content, error) {
	return loadWith(ctx, fsys, date, prev, parses, w, nil)
}

// loadWith is load, calling walked (when not nil) once content/ is
// listed, before any record file is read.
func loadWith(ctx context.Context, fsys fs.FS, date time.Time, prev *State, parses *parseCache, w *Warm, walked func(*Content)) (*Content, error) {
	c := &Content{Date: date, Kinds: Kinds(), byKind: map[string][]*Record{}, byRef: map[string]*Record{}, fsys: fsys, parses: parses, warm: w}
	c.folders = newFolders(fsys)
	defer c.folders.close()
	if err := c.walk(ctx, w != nil || parses != nil); err != nil {
		return nil, err
	}
	if walked != nil {
		walked(c)
	}
	c.Site, _ = loadSite(fsys, &c.Problems)
	if c.Site == nil {
		c.reportFiles()
		c.Problems = c.Problems.Sort()
		return c, nil
	}
	if c.Site.formFile != "" {
		c.attachmentRefs = map[string]bool{c.Site.formFile: true}
	}
	c.Cal = loadCalendar(fsys, &c.Problems)
	c.Directory = c.loadDirectory()
	if err := c.agenciesFromProfiles(ctx); err != nil {
		return nil, err
	}
	paths, kinds := c.mdPaths, c.mdKinds
	recs := make([]*Record, len(paths))
	probs := make([]Problems, len(paths))
	if err := par.Try(ctx, len(paths), func(ctx context.Context, i int) error {
		var err error
		recs[i], err = c.parse(ctx, paths[i], kinds[i], &probs[i])
		return err
	}); err != nil {
		return nil, err
	}
	for i, r := range recs {
		c.Problems = append(c.Problems, probs[i]...)
		if r != nil {
			c.Records = append(c.Records, r)
		}
	}
	c.index()
	c.Redirects = loadRedirects(fsys, &c.Problems)
	c.Withdrawn = c.withdrawals(prev)
	for _, w := range c.Withdrawn {
		if r := c.byURL[w.URL]; r != nil {
			r.withdrawn = true
		}
	}
	for _, r := range c.Records {
		r.Entry.Link(c.checker(r, &c.Problems))
	}
	for _, r := range c.Records {
		switch {
		case r.Withheld && !r.Scheduled.IsZero():
			c.Scheduled = append(c.Scheduled, r)
		case r.Withheld:
			c.Withheld = append(c.Withheld, r)
		default:
			c.Published = append(c.Published, r)
			c.byKind[r.Kind.Name] = append(c.byKind[r.Kind.Name], r)
		}
	}
	for _, rs := range c.byKind {
		sortNewestFirst(rs)
	}
	for _, k := range c.Kinds {
		if k.Loaded != nil {
			k.Loaded(c, c.byKind[k.Name])
		}
	}
	c.placeInDirectory()
	if err := c.checkAttachmentOwners(ctx); err != nil {
		return nil, err
	}
	c.checkBodyLinks()
	c.reportFiles()
	c.Problems = c.Problems.Sort()
	return c, nil
}

// walk lists content/ without following anything: the Markdown files of
// every kind's folder (in kind order, then by path) and every entry that is
// not a regular file or folder, which reportFiles turns into errors.
// Entries whose names start with a dot are skipped, as editors' tools leave
// them; reading one still goes through the same checks.
func (c *Content) walk(ctx context.Context, stamped bool) error {
	all := c.newWalkAcc(c.folders != nil && stamped)
	// content/'s folders are walked side by side, each into its own
	// accumulator; joined in name order, they are what one walk gives.
	top, err := fs.ReadDir(c.fsys, "content")
	if err != nil {
		err = fs.WalkDir(c.fsys, "content", c.visit(ctx, all))
	} else {
		err = c.walkTop(ctx, all, top)
	}
	if err != nil {
		return err
	}
	c.walked, c.irregular, c.mdStamps = all.walked, all.irregular, all.stamps
	c.Problems = append(c.Problems, all.probs...)
	if !all.ok {
		c.walked = nil
	}
	for i, ps := range all.byKind {
		slices.Sort(ps)
		for _, p := range ps {
			c.mdPaths = append(c.mdPaths, p)
			c.mdKinds = append(c.mdKinds, c.Kinds[i])
		}
	}
	return nil
}

// walkAcc is what a walk of (part of) content/ found.
type walkAcc struct {
	walked    []walkedEntry
	irregular map[string]fs.FileMode
	byKind    [][]string
	stamps    map[string]fileStamp // nil: not kept
	probs     Problems
	ok        bool // every folder could be read
}

// newWalkAcc returns an empty accumulator, which keeps the Markdown
// files' stamps when stamped.
func (c *Content) newWalkAcc(stamped bool) *walkAcc {
	a := &walkAcc{ok: true, irregular: map[string]fs.FileMode{}, byKind: make([][]string, len(c.Kinds))}
	if stamped {
		a.stamps = map[string]fileStamp{}
	}
	return a
}

// join appends b, the walk of what comes after a's in name order.
func (a *walkAcc) join(b *walkAcc) {
	a.walked = append(a.walked, b.walked...)
	maps.Copy(a.irregular, b.irregular)
	for i := range b.byKind {
		a.byKind[i] = append(a.byKind[i], b.byKind[i]...)
	}
	maps.Copy(a.stamps, b.stamps)
	a.probs = append(a.probs, b.probs...)
	a.ok = a.ok && b.ok
}

// walkTop walks content/, whose entries are top, into all: content/ itself
// and each entry in order, the folders side by side.
func (c *Content) walkTop(ctx context.Context, all *walkAcc, top []fs.DirEntry) error {
	fi, err := fs.Stat(c.fsys, "content")
	if err != nil {
		return fs.WalkDir(c.fsys, "content", c.visit(ctx, all))
	}
	if err := c.visit(ctx, all)("content", fs.FileInfoToDirEntry(fi), nil); err != nil {
		if err == fs.SkipDir {
			return nil
		}
		return err
	}
	parts := make([]*walkAcc, len(top))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(runtime.GOMAXPROCS(0))
	for i, e := range top {
		a := c.newWalkAcc(all.stamps != nil)
		parts[i] = a
		p := "content/" + e.Name()
		if e.IsDir() {
			g.Go(func() error { return fs.WalkDir(c.fsys, p, c.visit(gctx, a)) })
		} else {
			// A file: visit returns no SkipDir for it, only the
			// context's error, which the folders' walks see too.
			g.Go(func() error { return c.visit(gctx, a)(p, e, nil) })
		}
	}
	if err := g.Wait(); err != nil {
		return err
	}
	for _, a := range parts {
		all.join(a)
	}
	return nil
}

// visit is the walk function that records what a walk finds into a.
func (c *Content) visit(ctx context.Context, a *walkAcc) fs.WalkDirFunc {
	return func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			a.ok = false
			if p == "content" && errors.Is(err, fs.ErrNotExist) {
				return fs.SkipDir // loadSite reports the missing site
			}
			a.probs.Errorf(Pos{p, 0}, "", "cannot read: %v", err)
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		hidden := strings.HasPrefix(d.Name(), ".") && p != "content"
		a.walked = append(a.walked, walkedEntry{path: p, typ: d.Type(), skipped: hidden && d.IsDir()})
		if hidden {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if irregular(d.Type()) {
			a.irregular[p] = d.Type()
			return nil
		}
		if d.IsDir() || !strings.HasSuffix(p, ".md") {
			return nil
		}
		best := -1
		for i, k := range c.Kinds {
			if strings.HasPrefix(p, "content/"+k.Dir+"/") && (best < 0 || len(k.Dir) > len(c.Kinds[best].Dir)) {
				best = i
			}
		}
		if best >= 0 {
			a.byKind[best] = append(a.byKind[best], p)
			if a.stamps != nil {
				if fi, err := d.Info(); err == nil && fi.Mode().IsRegular() {
					if st, ok := stampOf(fi); ok {
						a.stamps[p] = st
					}
				}
			}
		}
		return nil
	}
}

// reportFiles reports every entry under content/ that is not a regular file
// or folder, naming what it is to the build: a symlink could publish a file
// from anywhere (or a withheld one under a public name), and reading a
// named pipe or device would hang or never end.
func (c *Content) reportFiles() {
	for _, p := range slices.Sorted(maps.Keys(c.irregular)) {
		role := "file"
		switch {
		case c.attachmentRefs[p]:
			role = "attachment"
		case strings.HasSuffix(p, ".md"):
			role = "record"
		}
		c.Problems.Errorf(Pos{p, 0}, "", "%s", fileProblem(role, c.irregular[p]))
	}
}

// fileProblem is the message for a file of the given role that is not a
// regular file.
func fileProblem(role string, m fs.FileMode) string {
	if m&fs.ModeSymlink != 0 {
		return role + " is a symlink; copy the file instead"
	}
	return role + " is " + fileKind(m) + "; only regular files are read"
}

func newestFirst(a, b *Record) int {
	return cmp.Or(b.Date().Compare(a.Date()), cmp.Compare(a.Key, b.Key))
}

// datedRecord is a record with its date read out, for sorting.
type datedRecord struct {
	date time.Time
	r    *Record
}

// sortNewestFirst is slices.SortFunc(rs, newestFirst), with each record's
// date read once instead of at every comparison (through its entry, a
// pointer chase each). The sort makes the same comparisons with the same
// outcomes, so records that compare equal end in the same order too.
func sortNewestFirst(rs []*Record) {
	if len(rs) < 2 {
		return
	}
	ds := make([]datedRecord, len(rs))
	for i, r := range rs {
		ds[i] = datedRecord{r.Date(), r}
	}
	slices.SortFunc(ds, func(a, b datedRecord) int {
		return cmp.Or(b.date.Compare(a.date), cmp.Compare(a.r.Key, b.r.Key))
	})
	for i := range ds {
		rs[i] = ds[i].r
	}
}

func (c *Content) checker(r *Record, probs *Problems) *Checker {
	return &Checker{Site: c.Site, Cal: c.Cal, Date: c.Date, rec: r, probs: probs, all: c}
}

// frontMatterAllowance is how much larger than the body limit a record
// file may be before it is refused unread.
const frontMatterAllowance = 1 << 20

// parse reads one file, decodes its front matter and runs the record's own
// checks. A record whose disclosure mode is not 主动公开 is marked withheld,
// and so is a withdrawn one and one scheduled after the build date. The
// error reports a cancelled context only.
func (c *Content) parse(ctx context.Context, p string, k *Kind, probs *Problems) (*Record, error) {
	limit := c.Site.Limits.body
	data, wf, err := c.readRecord(ctx, p, limit+frontMatterAllowance)
	var big *errTooBig
	switch {
	case ctx.Err() != nil:
		return nil, ctx.Err()
	case errors.As(err, &big):
		probs.Errorf(Pos{p, 0}, "", "record file is %s; a record body may be at most %s (limits.body in %s)", humanSize(big.size), humanSize(limit), siteFile)
		return nil, nil
	case err != nil:
		probs.Errorf(Pos{p, 0}, "", "cannot read: %v", err)
		return nil, nil
	}
	src, err := splitFrontMatter(p, data)
	if err != nil {
		probs.Errorf(Pos{p, 1}, "", "%v", err)
		return nil, nil
	}
	bs := bodySum(wf, src.body, "", func() [32]byte { return sha256.Sum256(src.body) })
	e, lines, ok, textOK := c.decode(p, k, data, wf, src, bs, probs)
	r := &Record{Kind: k, Path: p, Entry: e, Body: src.body, BodyLine: src.bodyLine, Front: src.front, FrontLine: src.frontAt, warm: wf, bodySHA: &bs}
	r.lines = lines
	h := e.Head()
	h.Record = r
	if lines != nil {
		e.Derive(r)
	}
	ch := c.checker(r, probs)
	// The gate decides first, and fails closed: anything but 主动公开,
	// including a missing or misspelt mode, keeps the record out of every output.
	r.Withheld = h.Disclosure != Proactive
	switch {
	case !ok && lines == nil:
		r.Withheld = true
		return r, nil
	case h.Disclosure == "":
		ch.Errorf("disclosure", "required: one of %s (the record is withheld until it declares one)", strings.Join(disclosureModes, ", "))
	case !slices.Contains(disclosureModes, h.Disclosure):
		ch.Errorf("disclosure", "unknown mode %q; want one of %s", h.Disclosure, strings.Join(disclosureModes, ", "))
	}
	if int64(len(src.body)) > limit {
		probs.Errorf(Pos{p, src.bodyLine}, "body", "is %s; a record body may be at most %s (limits.body in %s)", humanSize(int64(len(src.body))), humanSize(limit), siteFile)
	}
	switch {
	case textOK:
		if wf != nil {
			wf.markTextChecked()
		}
	case wf == nil || !wf.textChecked():
		n := len(*probs)
		checkText(p, src.body, src.bodyLine, probs)
		if wf != nil && len(*probs) == n {
			wf.markTextChecked()
		}
	}
	c.checkHeader(ch, k, h)
	if w := h.Withdrawn; w != nil {
		// A withdrawn record is taken offline at once, whatever its mode.
		r.Withheld = true
		if ch.Required("withdrawn.date", "撤回日期", w.Date) {
			w.At = ch.Day("withdrawn.date", w.Date)
		}
		ch.Required("withdrawn.reason", "撤回原因", w.Reason)
	}
	if !r.Withheld && !h.Published.IsZero() && !h.Published.Before(nextDay(c.Date)) {
		// Embargo: not a byte before its day.
		r.Scheduled = h.Published
		r.Withheld = true
	}
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
	return r, nil
}

// readRecord reads the record file p (at most limit bytes), through the
// Warm when the build has one: the *warmFile is then the bytes' entry
// in it, or nil when they are not kept.
func (c *Content) readRecord(ctx context.Context, p string, limit int64) ([]byte, *warmFile, error) {
	if c.folders == nil {
		data, err := readFile(ctx, c.fsys, p, limit)
		return data, nil, err
	}
	if c.warm != nil {
		st, ok := c.mdStamps[p]
		return c.warm.readFile(ctx, c.folders, p, limit, st, ok)
	}
	if c.files != nil {
		st, ok := c.mdStamps[p]
		return c.files.read(ctx, c.folders, p, limit, st, ok)
	}
	data, err := c.folders.readFile(ctx, p, limit)
	return data, nil, err
}

// decode decodes the front matter of the record file p of kind k (whose
// bytes are data), from the parse cache when it holds this very file.
// textOK reports that the body is known to be UTF-8 text without a NUL
// byte (checkText would report nothing): the parse cache's entry of this
// very file says so, or the entry stored now found it.
func (c *Content) decode(p string, k *Kind, data []byte, wf *warmFile, src source, bodySHA [32]byte, probs *Problems) (e Entry, lines fieldLines, ok, textOK bool) {
	pc := c.parses
	if pc == nil {
		e := k.New()
		lines, ok := decodeStrict(p, src.front, src.frontAt, e, probs)
		return e, lines, ok, false
	}
	var sum [32]byte
	var key string
	if wf != nil {
		key = "parse " + strconv.Itoa(len(pc.salt)) + " " + pc.salt + " " + k.Name
		sum = wf.memo(key, func() [32]byte { return pc.sum(k, data, len(src.body), bodySHA) })
	} else {
		sum = pc.sum(k, data, len(src.body), bodySHA)
	}
	if e, lines, textOK, ok := pc.lookup(p, k, sum, wf, key); ok {
		return e, lines, true, textOK
	}
	e = k.New()
	n := len(*probs)
	lines, ok = decodeStrict(p, src.front, src.frontAt, e, probs)
	if ok && lines != nil && len(*probs) == n {
		textOK = validText(src.body)
		pc.store(p, k, sum, e, lines, textOK)
	}
	return e, lines, ok, textOK
}

// nextDay returns the start of the day after t's day in China.
func nextDay(t time.Time) time.Time {
	t = t.In(China)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, China)
}

// validText reports whether body is UTF-8 without a NUL byte: whether
// checkText reports nothing.
func validText(body []byte) bool { return utf8.Valid(body) && bytes.IndexByte(body, 0) < 0 }

// maxTextProblems bounds the lines checkText reports for one file.
const maxTextProblems = 5

// checkText reports the lines of a Markdown body that hold a NUL byte or
// bytes that are not UTF-8: a binary file or another encoding (such as GBK)
// saved as .md.
func checkText(p string, body []byte, firstLine int, probs *Problems) {
	if validText(body) {
		return
	}
	n := 0
	for i, line := range bytes.SplitAfter(body, []byte("\n")) {
		msg := ""
		if j := bytes.IndexByte(line, 0); j >= 0 {
			msg = "NUL byte (binary data); a Markdown body is UTF-8 text"
		} else if !utf8.Valid(line) {
			k := 0
			for k < len(line) {
				r, size := utf8.DecodeRune(line[k:])
				if r == utf8.RuneError && size <= 1 {
					break
				}
				k += size
			}
			msg = fmt.Sprintf("invalid UTF-8 (byte %#02x); save the file as UTF-8", line[k])
		}
		if msg == "" {
			continue
		}
		if n++; n > maxTextProblems {
			probs.Errorf(Pos{p, firstLine + i}, "body", "more lines with binary or non-UTF-8 bytes follow")
			return
		}
		probs.Errorf(Pos{p, firstLine + i}, "body", "%s", msg)
	}
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
	c.byURL = byURL
}

// checkAttachments checks that each attachment names an existing, non-empty
// regular file under content/, reached without a symlink, with no other name
// (hard link) and within the size limit, and records its size, format and
// URL.
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
		name := "content/" + clean
		fi, err := lstatPath(c.all.fsys, name)
		var fte *FileTypeError
		if errors.As(err, &fte) {
			c.all.noteIrregular(name, fte.Path, fte.Mode)
			continue
		}
		if err != nil || fi.IsDir() {
			c.Errorf(f+".file", "file %s does not exist", name)
			continue
		}
		if fi.Size() == 0 {
			c.Errorf(f+".file", "file %s is empty", name)
			continue
		}
		if n := links(fi); n > 1 {
			// A second name can publish another file's bytes, a withheld
			// one's or one from outside content/ on the same disk.
			c.probs.Errorf(Pos{name, 0}, "", "attachment is a hard link (%d names for one file); copy the file instead", n)
			continue
		}
		if lim := c.Site.Limits.attachment; fi.Size() > lim {
			c.Errorf(f+".file", "%s is %s; an attachment may be at most %s (limits.attachment in %s)", name, humanSize(fi.Size()), humanSize(lim), siteFile)
			continue
		}
		a.Size, a.Format, a.URL = fi.Size(), strings.ToUpper(ext[1:]), "/"+clean
		a.field, a.id = f+".file", fileID(fi)
		h.Attached = append(h.Attached, a)
	}
}

// noteIrregular records that the attachment name reaches the irregular
// entry at p, so reportFiles reports p once, as an attachment.
func (c *Content) noteIrregular(name, p string, m fs.FileMode) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.attachmentRefs == nil {
		c.attachmentRefs = map[string]bool{}
	}
	c.attachmentRefs[p] = true
	c.irregular[p] = m
}

// closedAs describes why a record is kept out of the outputs.
func closedAs(r *Record) string {
	switch {
	case !r.Scheduled.IsZero():
		return r.Path + ", scheduled for " + r.Scheduled.In(China).Format("2006-01-02")
	case r.H().Withdrawn != nil:
		return "withdrawn " + r.Path
	}
	return "withheld " + r.Path
}

// checkAttachmentOwners makes every attachment belong to records of one
// side: a file of a record that is not published (withheld, withdrawn or
// scheduled) is never copied, whoever else names it. Files are matched by
// path, by identity (device and inode, so another spelling of the path on a
// case-insensitive disk is caught) and by content: a byte-identical copy
// under another name is refused too. Only files of equal size are hashed.
func (c *Content) checkAttachmentOwners(ctx context.Context) error {
	type owner struct {
		r *Record
		a *Attachment
	}
	byPath := map[string]owner{}
	byID := map[[2]uint64]owner{}
	bySize := map[int64][]owner{}
	for _, r := range c.Records {
		if !r.Withheld {
			continue
		}
		for _, a := range r.H().Attached {
			o := owner{r, a}
			if _, ok := byPath[a.URL]; !ok {
				byPath[a.URL] = o
			}
			if _, ok := byID[a.id]; !ok && a.id != [2]uint64{} {
				byID[a.id] = o
			}
			bySize[a.Size] = append(bySize[a.Size], o)
		}
	}
	if len(byPath) == 0 {
		return nil
	}
	sums := map[string]string{}
	sum := func(u string) (string, error) {
		if s, ok := sums[u]; ok {
			return s, nil
		}
		h := sha256.New()
		if _, err := copyFile(ctx, c.fsys, "content"+u, h); err != nil {
			return "", err
		}
		sums[u] = string(h.Sum(nil))
		return sums[u], nil
	}
	type use struct {
		pos Pos
		a   *Attachment
	}
	var uses []use
	if f := c.Site.ApplicationForm; f != nil {
		uses = append(uses, use{c.Site.Pos(f.field), f})
	}
	for _, r := range c.Published {
		for _, a := range r.H().Attached {
			uses = append(uses, use{r.pos(a.field), a})
		}
	}
	for _, u := range uses {
		a := u.a
		o, ok := byPath[a.URL]
		if !ok && a.id != [2]uint64{} {
			o, ok = byID[a.id]
		}
		if ok {
			c.Problems.Errorf(u.pos, a.field, "content%s is an attachment of %s; a file of a record that is not published is never copied", a.URL, closedAs(o.r))
			continue
		}
		for _, o := range bySize[a.Size] {
			x, err := sum(a.URL)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				c.Problems.Errorf(Pos{"content" + a.URL, 0}, "", "cannot read: %v", err)
				break
			}
			y, err := sum(o.a.URL)
			if err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				continue
			}
			if x == y {
				c.Problems.Errorf(u.pos, a.field, "content%s has the same bytes as content%s, an attachment of %s; a file of a record that is not published is never copied", a.URL, o.a.URL, closedAs(o.r))
				break
			}
		}
	}
	return nil
}

var indexNoRE = regexp.MustCompile(`^[0-9A-Za-z]{6,20}/\d{4}-\d{3,6}$`)

// ReleaseBodies drops the Markdown bodies once the site is rendered, so the
// memory can serve the search index build that follows.
func (c *Content) ReleaseBodies() {
	for _, r := range c.Records {
		r.Body, r.Front = nil, nil
	}
}
