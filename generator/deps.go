package generator

import (
	"crypto/sha256"
	"encoding/binary"
	"html/template"
	"math"
	"reflect"
	"slices"
	"sync"
	"sync/atomic"
	"text/template/parse"
	"time"

	"gongkai/internal/par"
)

// What a page's key covers (incremental.go).
//
// A page is a function of the values its template receives: the Page with
// everything reachable from it, what the template's functions and the
// View's methods return, the theme and the program. Its key therefore
// hashes, besides the site's fingerprint (everything in content/ that is
// not a record or an attachment, the build date, the base URL, the theme,
// the program and the flags):
//
//   - the Page itself, walked by reflection (every field, exported or not,
//     through every pointer, slice, map and interface), except its Site,
//     Build and theme, which are hashed once for every page (pageDeps.site);
//   - for every record the walk reaches, and every record reachable from
//     those through their entries (an interpretation's document, a
//     channel's statistics), the record's own hash (hashRecord): its path,
//     front matter, every field of its entry, its attachments' sizes and
//     its revisions, with the records it points at by path. A record's
//     body is not in it: no page shows another record's body (a page's
//     own record's body is in its key), as the search index and feeds
//     read bodies on their own;
//   - the bodies of those records too, for a template that names Body
//     anywhere (no template of the default theme does);
//   - for a template that calls one of the View's methods that list
//     records (viewUses), what they can return: the complaint channels
//     with their closure for Channels (the footer of every page), every
//     record for anything else (ByKind, Directory, or a method this file
//     does not know);
//   - a category of the directory as hashDirectory hashes the whole tree
//     (each category's fields, place and records by path), unless the
//     template reads a category's records other than by counting them.
//
// So an edit of a record's title renders its page, the pages that list or
// link it, and nothing else. The walk must see what the template can: a
// value that reaches the build itself (a *Build, *View or *Content) makes
// the page depend on every record.

// viewDep says what a template's calls of View methods depend on.
type viewDep uint8

const (
	viewChannels viewDep = 1 << iota // View.Channels
	viewAll                          // a method that can return any record
	// catRecords: the template reads a category's records (Records, Own)
	// other than by counting them (len); without it a category shows
	// only its own fields and how many records it has.
	catRecords
	// recBodies: the template names a record's Body: the bodies of the
	// records the page reaches are in its key too.
	recBodies
)

// viewMethodDeps classifies the View's methods: the ones that list records
// and the ones that are functions of their arguments and the build date
// alone (which every key covers). A method not named here counts as
// listing every record.
var viewMethodDeps = func() map[string]viewDep {
	m := map[string]viewDep{}
	t := reflect.TypeFor[*View]()
	for i := range t.NumMethod() {
		m[t.Method(i).Name] = viewAll
	}
	for _, n := range []string{"Date", "ApprovalFlow", "HandlingChart", "DocStatusText", "Revisions", "ApplicationForm"} {
		m[n] = 0
	}
	m["Channels"] = viewChannels
	return m
}()

// viewUses returns what the template set t (a page with the layout and
// partials) can reach through the View: every field or method name in any
// of its templates that is also a View method counts, wherever it is
// written, so the answer errs on the side of depending on more.
func viewUses(t *template.Template) viewDep {
	var d viewDep
	idents := func(names []string) {
		for _, n := range names {
			d |= viewMethodDeps[n]
		}
	}
	counted := func(names []string) {
		idents(names)
		for _, n := range names {
			switch n {
			case "Records", "Own":
				d |= catRecords
			case "Body":
				d |= recBodies
			}
		}
	}
	var walk func(n parse.Node)
	walk = func(n parse.Node) {
		switch n := n.(type) {
		case nil:
		case *parse.ListNode:
			if n == nil {
				return
			}
			for _, c := range n.Nodes {
				walk(c)
			}
		case *parse.ActionNode:
			walk(n.Pipe)
		case *parse.PipeNode:
			if n == nil {
				return
			}
			for _, c := range n.Cmds {
				walk(c)
			}
		case *parse.CommandNode:
			// {{len .Records}} counts; its field's last name is not a read
			// of the records.
			if len(n.Args) == 2 {
				if id, ok := n.Args[0].(*parse.IdentifierNode); ok && id.Ident == "len" {
					switch a := n.Args[1].(type) {
					case *parse.FieldNode:
						idents(a.Ident)
						if k := len(a.Ident); k > 1 {
							counted(a.Ident[:k-1])
						}
						return
					case *parse.ChainNode:
						walk(a.Node)
						idents(a.Field)
						if k := len(a.Field); k > 1 {
							counted(a.Field[:k-1])
						}
						return
					}
				}
			}
			for _, a := range n.Args {
				walk(a)
			}
		case *parse.FieldNode:
			counted(n.Ident)
		case *parse.ChainNode:
			walk(n.Node)
			counted(n.Field)
		case *parse.VariableNode:
			counted(n.Ident)
		case *parse.IfNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.RangeNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.WithNode:
			walk(n.Pipe)
			walk(n.List)
			walk(n.ElseList)
		case *parse.TemplateNode:
			walk(n.Pipe)
		}
	}
	for _, tt := range t.Templates() {
		if tt.Tree != nil {
			walk(tt.Tree.Root)
		}
	}
	return d
}

// recDep is what a record contributes to the keys of the pages that reach
// it.
type recDep struct {
	sum  [32]byte
	succ []*Record // the records its own fields point at
	// all: its fields reach the build, or a category whose records a
	// page might read: a page that reaches it depends on every record.
	all bool
}

// recDepOf is a record's part of the keys of one build's pages (its
// pageDeps, by number), kept on the record (Record.dep). It names the
// pageDeps by number, not by pointer: a record outlives its build's
// render, and a pointer would keep the pageDeps and its whole Build alive
// through the searches that follow: a first build of 50,000 documents
// peaked at 2,511,080 KiB with it and at 1,912,848 KiB without.
type recDepOf struct {
	gen uint64
	rd  *recDep
}

// depGen numbers the pageDeps of a process.
var depGen atomic.Uint64

// pageDeps computes the dependency part of every page's key, once per
// build, before any page renders (a template may fill a value's cache as
// it runs; the walk sees every value as the plan left it, in every build).
type pageDeps struct {
	b   *Build
	gen uint64 // depGen's number
	// recs holds the part of each record reached that is not among the
	// build's (those keep theirs, Record.dep), under mu.
	mu   sync.Mutex
	recs map[*Record]*recDep
	site [32]byte
	all  [32]byte // every record (viewAll)
	chns [32]byte // the channels and their closure (viewChannels)
	// dir hashes the directory's categories: their own fields, their
	// places in the tree and which records each has (by path).
	dir  [32]byte
	cats map[*Category]bool
	// facets holds the hash of each list's facets, which every page of
	// the list shares (by the slice's array and length).
	facets sync.Map // facetKey → [32]byte
}

type facetKey struct {
	p    uintptr
	n    int
	uses viewDep
}

// newPageDeps hashes what every page shares and every record's own part.
func newPageDeps(b *Build) *pageDeps {
	d := &pageDeps{b: b, recs: map[*Record]*recDep{}, gen: depGen.Add(1)}
	// Every record's part, side by side.
	par.Each(len(b.Records), func(i int) {
		r := b.Records[i]
		r.dep.Store(&recDepOf{d.gen, d.hashRecord(r)})
	})
	all := newDepWalk(d)
	for _, r := range b.Records {
		all.str(r.Path)
		all.buf = append(all.buf, d.rec(r).sum[:]...)
	}
	d.all = sha256.Sum256(all.buf)
	// What every page shows, and the channels (every page's footer).
	d.site = d.shared(b.Site, b.columns(), b.Withdrawn)
	d.chns = d.shared(b.Channels())
	d.dir, d.cats = d.hashDirectory()
	return d
}

// shared hashes values that many pages show, with the records they reach
// as a page's key takes them (closure), and every record when they reach
// them all.
func (d *pageDeps) shared(vs ...any) [32]byte {
	w := newDepWalk(d)
	for _, v := range vs {
		w.value(reflect.ValueOf(v))
	}
	if w.closure(0)&viewAll != 0 {
		w.buf = append(w.buf, d.all[:]...)
	}
	return w.finish()
}

// hashDirectory hashes every category of the directory as a page that
// does not read its records (catRecords) can see it: its fields, its
// parent and children by key, and its records by path.
func (d *pageDeps) hashDirectory() ([32]byte, map[*Category]bool) {
	cats := map[*Category]bool{}
	if d.b.Directory == nil {
		return [32]byte{}, cats
	}
	w := newDepWalk(d)
	paths := func(rs []*Record) {
		w.uint(uint64(len(rs)))
		for _, r := range rs {
			w.str(r.Path)
		}
	}
	for _, c := range d.b.Directory.All {
		cats[c] = true
		v := reflect.ValueOf(c).Elem()
		t := v.Type()
		for i := range t.NumField() {
			switch f := t.Field(i); f.Name {
			case "Parent":
				if c.Parent != nil {
					w.str(c.Parent.Key)
				}
			case "Children":
				w.uint(uint64(len(c.Children)))
				for _, k := range c.Children {
					w.str(k.Key)
				}
			case "Records":
				paths(c.Records)
			case "Own":
				paths(c.Own)
			default:
				w.str(f.Name)
				w.value(v.Field(i))
			}
		}
	}
	return w.finish(), cats
}

// rec returns r's part, hashing it now when it was not among the build's
// records.
func (d *pageDeps) rec(r *Record) *recDep {
	if o := r.dep.Load(); o != nil && o.gen == d.gen {
		return o.rd
	}
	d.mu.Lock()
	rd := d.recs[r]
	d.mu.Unlock()
	if rd != nil {
		return rd
	}
	rd = d.hashRecord(r)
	d.mu.Lock()
	if old := d.recs[r]; old != nil {
		rd = old
	} else {
		d.recs[r] = rd
	}
	d.mu.Unlock()
	return rd
}

// hashRecord hashes r's own fields (not its body), with the records they
// point at by path.
func (d *pageDeps) hashRecord(r *Record) *recDep {
	w := newDepWalk(d)
	w.self = r
	w.uses = catRecords // no template to tell: a category is read in full
	v := reflect.ValueOf(r).Elem()
	t := v.Type()
	for i := range t.NumField() {
		f := t.Field(i)
		switch f.Name {
		case "Body", "warm", "lines", "bodySHA", "dep":
			// The body is in its own page's key only; warm and lines are
			// where the file came from and its fields' lines, dep the
			// result of this walk.
			continue
		}
		w.str(f.Name)
		w.value(v.Field(i))
	}
	w.value(reflect.ValueOf(d.b.Revisions(r)))
	return &recDep{sum: w.finish(), succ: w.refs, all: w.needAll}
}

// key returns the dependency hash of page p at url: p's values, the
// records they reach with their closure, and what its template can reach
// through the View.
func (d *pageDeps) key(p *Page, uses viewDep) [32]byte {
	w := newDepWalk(d)
	w.uses = uses
	w.buf = append(w.buf, d.site[:]...)
	w.value(reflect.ValueOf(p).Elem())
	uses = w.closure(uses)
	w.buf = append(w.buf, byte(uses))
	if uses&viewAll != 0 {
		w.buf = append(w.buf, d.all[:]...)
	} else if uses&viewChannels != 0 {
		w.buf = append(w.buf, d.chns[:]...)
	}
	return w.finish()
}

// closure writes the records the walk reached, and the records their
// fields reach, in the order reached: each by its path and its own part
// (with its body when uses has recBodies). It returns uses with viewAll
// added when one of them, or the walk, reaches every record.
func (w *depWalk) closure(uses viewDep) viewDep {
	for i := 0; i < len(w.refs); i++ {
		r := w.refs[i]
		rd := w.d.rec(r)
		if rd.all {
			uses |= viewAll
		}
		w.str(r.Path)
		w.buf = append(w.buf, rd.sum[:]...)
		if uses&recBodies != 0 {
			body := r.bodySHA256()
			w.buf = append(w.buf, body[:]...)
		}
		for _, s := range rd.succ {
			w.note(s)
		}
	}
	if w.needAll {
		uses |= viewAll
	}
	return uses
}

// depWalk hashes a value by reflection into buf.
type depWalk struct {
	d    *pageDeps
	buf  []byte
	self *Record // the record being hashed (recordDep), else nil
	refs []*Record
	rset map[*Record]bool
	// seen numbers the pointers walked, so that a value reached twice
	// (or a cycle) is written once.
	seen    map[ptrKey]int
	needAll bool
	uses    viewDep // the page's template's (key)
}

type ptrKey struct {
	p uintptr
	t reflect.Type
}

func newDepWalk(d *pageDeps) *depWalk {
	return &depWalk{d: d, buf: (*depBufs.Get().(*[]byte))[:0]}
}

// depBufs keeps the walks' buffers from one page to the next.
var depBufs = sync.Pool{New: func() any { b := make([]byte, 0, 4096); return &b }}

// finish returns the hash of what the walk wrote and gives its buffer
// back; the walk writes nothing more.
func (w *depWalk) finish() [32]byte {
	s := sha256.Sum256(w.buf)
	b := w.buf[:0]
	depBufs.Put(&b)
	w.buf = nil
	return s
}

func (w *depWalk) uint(u uint64) { w.buf = binary.AppendUvarint(w.buf, u) }

func (w *depWalk) str(s string) {
	w.uint(uint64(len(s)))
	w.buf = append(w.buf, s...)
}

var (
	recordType   = reflect.TypeFor[*Record]()
	timeType     = reflect.TypeFor[time.Time]()
	locationType = reflect.TypeFor[*time.Location]()
	kindType     = reflect.TypeFor[*Kind]()
	attachType   = reflect.TypeFor[Attachment]()
	pageType     = reflect.TypeFor[Page]()
	feedType     = reflect.TypeFor[*Feed]()
	categoryType = reflect.TypeFor[*Category]()
	facetsType   = reflect.TypeFor[[]Facet]()
	// The build's own types: a page that holds one can reach anything.
	buildTypes = map[reflect.Type]bool{
		reflect.TypeFor[*Build](): true, reflect.TypeFor[*View](): true, reflect.TypeFor[*Content](): true,
	}
	// Hashed once for every page (siteDeps) or in the program's salt.
	sharedTypes = map[reflect.Type]bool{
		reflect.TypeFor[*Site](): true, reflect.TypeFor[*Theme](): true,
	}
)

// ref writes a record by its path and notes it for the closure.
func (w *depWalk) ref(r *Record) {
	if r == nil {
		w.buf = append(w.buf, 0)
		return
	}
	w.buf = append(w.buf, 1)
	w.str(r.Path)
	w.note(r)
}

// note adds r to the records the walk reached, once.
func (w *depWalk) note(r *Record) {
	if r == w.self {
		return
	}
	// Most pages reach a few records: a scan finds them; a list of many
	// gets a set.
	if w.rset != nil {
		if !w.rset[r] {
			w.rset[r] = true
			w.refs = append(w.refs, r)
		}
		return
	}
	if slices.Contains(w.refs, r) {
		return
	}
	w.refs = append(w.refs, r)
	if len(w.refs) > 32 {
		w.rset = make(map[*Record]bool, 64)
		for _, x := range w.refs {
			w.rset[x] = true
		}
	}
}

// value writes v: its kind and contents.
func (w *depWalk) value(v reflect.Value) {
	if !v.IsValid() {
		w.buf = append(w.buf, 0)
		return
	}
	t := v.Type()
	w.buf = append(w.buf, byte(v.Kind()))
	switch v.Kind() {
	case reflect.Bool:
		if v.Bool() {
			w.buf = append(w.buf, 1)
		} else {
			w.buf = append(w.buf, 0)
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		w.buf = binary.AppendVarint(w.buf, v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		w.uint(v.Uint())
	case reflect.Float32, reflect.Float64:
		w.uint(math.Float64bits(v.Float()))
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		w.uint(math.Float64bits(real(c)))
		w.uint(math.Float64bits(imag(c)))
	case reflect.String:
		w.str(v.String())
	case reflect.Slice:
		if v.IsNil() {
			w.buf = append(w.buf, 0)
			return
		}
		w.buf = append(w.buf, 1)
		if t == facetsType && v.Len() > 0 {
			w.facets(v)
			return
		}
		if t.Elem().Kind() == reflect.Uint8 {
			w.uint(uint64(v.Len()))
			w.buf = append(w.buf, v.Bytes()...)
			return
		}
		w.uint(uint64(v.Len()))
		for i := range v.Len() {
			w.value(v.Index(i))
		}
	case reflect.Array:
		for i := range v.Len() {
			w.value(v.Index(i))
		}
	case reflect.Map:
		w.mapValue(v)
	case reflect.Interface:
		if v.IsNil() {
			w.buf = append(w.buf, 0)
			return
		}
		e := v.Elem()
		w.buf = append(w.buf, 1)
		w.str(e.Type().String())
		w.value(e)
	case reflect.Pointer:
		w.pointer(v)
	case reflect.Struct:
		w.structValue(v)
	default:
		// Functions, channels and unsafe pointers: code or plumbing, in
		// the program's salt; only whether one is there is written.
		w.buf = append(w.buf, byte(boolInt(!v.IsZero())))
	}
}

func (w *depWalk) pointer(v reflect.Value) {
	t := v.Type()
	if v.IsNil() {
		w.buf = append(w.buf, 0)
		return
	}
	switch {
	case t == recordType:
		w.ref((*Record)(v.UnsafePointer()))
		return
	case buildTypes[t]:
		w.needAll = true
		w.buf = append(w.buf, 2)
		return
	case sharedTypes[t]:
		w.buf = append(w.buf, 3)
		return
	case t == kindType:
		w.buf = append(w.buf, 4)
		w.str((*Kind)(v.UnsafePointer()).Name)
		return
	case t == feedType:
		// What a page can show of a feed: its files' names come from its
		// path. Its entries are the feed's own output.
		f := (*Feed)(v.UnsafePointer())
		w.buf = append(w.buf, 7)
		w.str(f.Path)
		w.str(f.Title)
		w.str(f.Description)
		w.str(f.Link)
		return
	case t == categoryType:
		// A category reaches the whole directory (parent, children) and
		// its records: as hashDirectory hashes it, when the template does
		// not read the records; else every record.
		c := (*Category)(v.UnsafePointer())
		if w.uses&catRecords != 0 || !w.d.cats[c] {
			w.needAll = true
		}
		w.buf = append(w.buf, 8)
		w.buf = append(w.buf, w.d.dir[:]...)
		w.str(c.Key)
		return
	case t == locationType:
		w.buf = append(w.buf, 5)
		w.str((*time.Location)(v.UnsafePointer()).String())
		return
	}
	k := ptrKey{uintptr(v.UnsafePointer()), t}
	if n, ok := w.seen[k]; ok {
		w.buf = append(w.buf, 6)
		w.uint(uint64(n))
		return
	}
	if w.seen == nil {
		w.seen = map[ptrKey]int{}
	}
	w.seen[k] = len(w.seen)
	w.buf = append(w.buf, 1)
	w.value(v.Elem())
}

func (w *depWalk) structValue(v reflect.Value) {
	t := v.Type()
	switch t {
	case timeType:
		// Its fields are a clock reading and a location pointer; the
		// instant and the zone's name are what shows.
		tm, ok := timeOf(v)
		if !ok {
			// Not addressable behind an unexported field (a map's value):
			// its clock reading and its location's name.
			w.uint(v.Field(0).Uint())
			w.buf = binary.AppendVarint(w.buf, v.Field(1).Int())
			if loc := (*time.Location)(v.Field(2).UnsafePointer()); loc != nil {
				w.str(loc.String())
			}
			return
		}
		w.buf = binary.AppendVarint(w.buf, tm.Unix())
		w.uint(uint64(tm.Nanosecond()))
		name, off := tm.Zone()
		w.str(name)
		w.buf = binary.AppendVarint(w.buf, int64(off))
		w.str(tm.Location().String())
		return
	}
	for _, f := range depFieldsOf(t) {
		w.value(v.Field(f))
	}
}

// depFields caches, by struct type, the indexes of the fields a walk
// writes.
var depFields sync.Map // reflect.Type → []int

// depFieldsOf returns the fields of the struct type t that a walk writes:
// all but a lock's, an attachment's file identity and what a page holds
// of the build and the site (hashed once for every page; its URL is in
// its key).
func depFieldsOf(t reflect.Type) []int {
	if f, ok := depFields.Load(t); ok {
		return f.([]int)
	}
	var out []int
	if t.PkgPath() != "sync" && t.PkgPath() != "sync/atomic" {
		for i := range t.NumField() {
			f := t.Field(i)
			switch {
			case t == attachType && f.Name == "id":
				continue // the file's device and inode
			case t == pageType && (f.Name == "b" || f.Name == "Build" || f.Name == "Site" || f.Name == "URL"):
				continue
			}
			out = append(out, i)
		}
	}
	depFields.Store(t, out)
	return out
}

// facets writes the hash of a list's facets, hashed once for all the pages
// that share them. A facet holds titles, links and counts, no record.
func (w *depWalk) facets(v reflect.Value) {
	k := facetKey{uintptr(v.UnsafePointer()), v.Len(), w.uses}
	if sum, ok := w.d.facets.Load(k); ok {
		s := sum.([32]byte)
		w.buf = append(w.buf, s[:]...)
		return
	}
	sub := &depWalk{d: w.d, buf: make([]byte, 0, 1024), self: w.self, uses: w.uses}
	sub.uint(uint64(v.Len()))
	for i := range v.Len() {
		sub.value(v.Index(i))
	}
	if len(sub.refs) > 0 || sub.needAll {
		// Not as a facet is made: written in full.
		w.buf = append(w.buf, sub.buf...)
		for _, r := range sub.refs {
			w.ref(r)
		}
		w.needAll = w.needAll || sub.needAll
		return
	}
	s := sub.finish()
	w.d.facets.Store(k, s)
	w.buf = append(w.buf, s[:]...)
}

// timeOf returns the time.Time held in v, which may have been reached
// through unexported fields; ok is false when it cannot be had as a value.
func timeOf(v reflect.Value) (time.Time, bool) {
	if v.CanInterface() {
		return v.Interface().(time.Time), true
	}
	if v.CanAddr() {
		return *(*time.Time)(v.Addr().UnsafePointer()), true
	}
	return time.Time{}, false
}

// mapValue writes a map's entries in the order of their own hashes, so
// that Go's random iteration order does not show.
func (w *depWalk) mapValue(v reflect.Value) {
	if v.IsNil() {
		w.buf = append(w.buf, 0)
		return
	}
	w.buf = append(w.buf, 1)
	w.uint(uint64(v.Len()))
	sums := make([][32]byte, 0, v.Len())
	it := v.MapRange()
	for it.Next() {
		sub := &depWalk{d: w.d, buf: make([]byte, 0, 64), self: w.self, uses: w.uses}
		sub.value(it.Key())
		sub.value(it.Value())
		sums = append(sums, sub.finish())
		for _, r := range sub.refs {
			w.ref(r)
		}
		w.needAll = w.needAll || sub.needAll
	}
	sortSums(sums)
	for _, s := range sums {
		w.buf = append(w.buf, s[:]...)
	}
}

func sortSums(s [][32]byte) {
	for i := 1; i < len(s); i++ {
		for j := i; j > 0 && string(s[j][:]) < string(s[j-1][:]); j-- {
			s[j], s[j-1] = s[j-1], s[j]
		}
	}
}

// pageKeys returns the key of every output (zero for one that is always
// rendered), or nil for a build that is not incremental. A record's page
// gets its feed links here, as renderOne would give them.
func (b *Build) pageKeys(outs []Output, inc *incr) [][32]byte {
	if inc == nil {
		return nil
	}
	deps := newPageDeps(b)
	keys := make([][32]byte, len(outs))
	par.Each(len(outs), func(i int) {
		o := outs[i]
		if o.Page == nil {
			return
		}
		if p := o.Page; p.Record != nil && p.feeds == nil {
			p.feeds = b.recordFeeds(p.Record)
		}
		keys[i] = inc.key(o, deps)
	})
	return keys
}
