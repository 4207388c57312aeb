package generator

import (
	_ "embed"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The disclosure directory (公开目录): the tree of categories that the law
// makes every government publish (条例 art. 20–21), in site.yaml's
// directory:. Each category is served by a structured kind (serve: kind:
// policy, doc_type: 规章) or by info records that name it (category:
// caizheng). A category with no records says so with a dated statement
// (empty:), and the guide's category list, the catalogue and its CSV are
// generated from the tree. Without directory: in site.yaml the default
// tree in directory.yaml applies.

//go:embed directory.yaml
var defaultDirectoryYAML []byte

const defaultDirectoryFile = "generator/directory.yaml"

// CategoryNode is one category as site.yaml writes it.
type CategoryNode struct {
	Code        string            `yaml:"code"`        // URL segment, unique among its siblings
	Name        string            `yaml:"name"`        // 类别名称
	Basis       string            `yaml:"basis"`       // the article it serves: "20.1" … "20.15", "21"
	Description string            `yaml:"description"` // what the category holds, shown on its page and in the guide
	Serve       map[string]string `yaml:"serve"`       // kind: policy, and the kind's facets: doc_type: 规章
	Empty       *EmptyStatement   `yaml:"empty"`       // 本机关无此类信息
	Children    []CategoryNode    `yaml:"children"`
}

// EmptyStatement says that an agency holds no information of a category
// (本机关无此类信息), why, and since when.
type EmptyStatement struct {
	Statement string `yaml:"statement"` // default 本机关无此类信息
	Reason    string `yaml:"reason"`    // 理由
	Date      string `yaml:"date"`      // 说明日期

	At time.Time `yaml:"-"`
}

// DefaultEmptyStatement is the statement an empty category shows when
// site.yaml gives only the reason and date.
const DefaultEmptyStatement = "本机关无此类信息"

// Category is a resolved category of the directory.
type Category struct {
	Key         string // codes from the root: "fagui/guizhang"
	Code        string
	Name        string
	Basis       string // "20.1"
	Description string
	Kind        string            // the kind that serves it, or ""
	Match       map[string]string // the kind's facets a record must have
	Empty       *EmptyStatement
	Parent      *Category
	Children    []*Category
	Depth       int // 0 for a top-level category

	// Records are the published records of the category and of every
	// category below it, newest first; Own only the category's own.
	Records []*Record
	Own     []*Record

	pos Pos
}

// URL returns the site path of the category's list.
func (c *Category) URL() string { return "/directory/" + c.Key + "/" }

// FeedPath returns the site path of the category's feed, without a suffix.
func (c *Category) FeedPath() string {
	return "/feeds/directory/" + strings.ReplaceAll(c.Key, "/", "-")
}

// Title returns the category's name with its parents': 法规文件：规章.
func (c *Category) Title() string {
	if c.Parent == nil {
		return c.Name
	}
	return c.Parent.Title() + "：" + c.Name
}

// Path returns the names of the category and its parents from the root,
// joined by "/" (法规文件/规章), as the search's 类别 facet shows them; a "/"
// inside a name becomes a full-width "／".
func (c *Category) Path() string {
	name := strings.ReplaceAll(c.Name, "/", "／")
	if c.Parent == nil {
		return name
	}
	return c.Parent.Path() + "/" + name
}

// BasisText returns the provision the category serves as the regulation
// writes it: 第二十条第（三）项, 第二十一条.
func (c *Category) BasisText() string { return basisText(c.Basis) }

// IsEmpty reports whether the category, with everything below it, has no
// published records.
func (c *Category) IsEmpty() bool { return len(c.Records) == 0 }

// Directory is the resolved disclosure directory.
type Directory struct {
	Roots []*Category
	All   []*Category // every category, parents before children, in file order
	// Default reports whether the tree is the built-in default.
	Default bool

	byKey map[string]*Category
}

// Find returns the category with the given key ("fagui/guizhang"), or nil.
func (d *Directory) Find(key string) *Category {
	if d == nil {
		return nil
	}
	return d.byKey[key]
}

// Keys returns every category key in tree order.
func (d *Directory) Keys() []string {
	out := make([]string, len(d.All))
	for i, c := range d.All {
		out[i] = c.Key
	}
	return out
}

// basisItems are the items of art. 20 and art. 21 with the subject each
// names, for messages and the guide.
var basisItems = []struct{ key, subject string }{
	{"20.1", "行政法规、规章和规范性文件"},
	{"20.2", "机关职能、机构设置、办公地址、办公时间、联系方式、负责人姓名"},
	{"20.3", "国民经济和社会发展规划、专项规划、区域规划及相关政策"},
	{"20.4", "国民经济和社会发展统计信息"},
	{"20.5", "办理行政许可和其他对外管理服务事项的依据、条件、程序以及办理结果"},
	{"20.6", "实施行政处罚、行政强制的依据、条件、程序以及本行政机关认为具有一定社会影响的行政处罚决定"},
	{"20.7", "财政预算、决算信息"},
	{"20.8", "行政事业性收费项目及其依据、标准"},
	{"20.9", "政府集中采购项目的目录、标准及实施情况"},
	{"20.10", "重大建设项目的批准和实施情况"},
	{"20.11", "扶贫、教育、医疗、社会保障、促进就业等方面的政策、措施及其实施情况"},
	{"20.12", "突发公共事件的应急预案、预警信息及应对情况"},
	{"20.13", "环境保护、公共卫生、安全生产、食品药品、产品质量的监督检查情况"},
	{"20.14", "公务员招考的职位、名额、报考条件等事项以及录用结果"},
	{"20.15", "法律、法规、规章和国家有关规定规定应当主动公开的其他政府信息"},
	{"21", "市政建设、公共服务、公益事业、土地征收、房屋征收、治安管理、社会救助等方面的政府信息"},
}

// requiredBasis are the items every directory must have a category for:
// art. 20 (一)–(十四); (十五) and art. 21 depend on the level of government.
var requiredBasis = 14

var cnDigits = []string{"", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十"}

// cnNumber writes 1–99 in Chinese numerals: 3 三, 12 十二, 21 二十一.
func cnNumber(n int) string {
	switch {
	case n <= 0 || n >= 100:
		return strconv.Itoa(n)
	case n <= 10:
		return cnDigits[n]
	case n < 20:
		return "十" + cnDigits[n-10]
	case n%10 == 0:
		return cnDigits[n/10] + "十"
	}
	return cnDigits[n/10] + "十" + cnDigits[n%10]
}

func basisText(b string) string {
	art, item, ok := strings.Cut(b, ".")
	a, err := strconv.Atoi(art)
	if err != nil {
		return b
	}
	s := "第" + cnNumber(a) + "条"
	if ok {
		i, err := strconv.Atoi(item)
		if err != nil {
			return b
		}
		s += "第（" + cnNumber(i) + "）项"
	}
	return s
}

func validBasis(b string) bool {
	return slices.ContainsFunc(basisItems, func(it struct{ key, subject string }) bool { return it.key == b })
}

// BasisSubject returns what the provision b ("20.3") tells governments to
// publish, or "".
func BasisSubject(b string) string {
	for _, it := range basisItems {
		if it.key == b {
			return it.subject
		}
	}
	return ""
}

// directoryKinds tells the directory which kinds exist and which facets
// each answers, so site.yaml's serve: can be checked.
type directoryKinds func(kind string) (facets []string, ok bool)

// resolveDirectory checks the tree as written and resolves it. at gives the
// position of a field of the file the tree was read from.
func resolveDirectory(nodes []CategoryNode, field string, at func(string) Pos, kinds directoryKinds, probs *Problems) *Directory {
	d := &Directory{byKey: map[string]*Category{}}
	var walk func(ns []CategoryNode, field string, parent *Category) []*Category
	walk = func(ns []CategoryNode, field string, parent *Category) []*Category {
		var out []*Category
		seen := map[string]bool{}
		for i, n := range ns {
			f := field + "[" + strconv.Itoa(i) + "]"
			errf := func(sub, format string, args ...any) { probs.Errorf(at(f+sub), f+sub, format, args...) }
			c := &Category{Code: n.Code, Name: strings.TrimSpace(n.Name), Basis: n.Basis, Description: strings.TrimSpace(n.Description),
				Parent: parent, pos: at(f)}
			switch {
			case n.Code == "":
				errf(".code", "required: a short Latin code for the category's URL")
			case !codeRE.MatchString(n.Code):
				errf(".code", "want lower-case letters, digits and dashes, got %q", n.Code)
			case seen[n.Code]:
				errf(".code", "duplicate code %q among these categories", n.Code)
			case slices.Contains(filterSegments, n.Code):
				errf(".code", "%q is reserved for the filtered lists of a category; choose another code", n.Code)
			}
			seen[n.Code] = true
			if c.Name == "" {
				errf(".name", "required (类别名称)")
			}
			if n.Basis != "" && !validBasis(n.Basis) {
				errf(".basis", "want an item of 条例 art. 20 or 21 such as 20.3 or 21, got %q", n.Basis)
			}
			c.Key = n.Code
			if parent != nil {
				c.Key = parent.Key + "/" + n.Code
				c.Depth = parent.Depth + 1
			}
			if n.Serve != nil {
				c.Kind = n.Serve["kind"]
				facets, ok := kinds(c.Kind)
				switch {
				case c.Kind == "":
					errf(".serve.kind", "required: the kind of record that serves the category (or leave serve: out for info records)")
				case !ok:
					errf(".serve.kind", "unknown kind %q", c.Kind)
				}
				for _, k := range sortedKeys(n.Serve) {
					if k == "kind" {
						continue
					}
					if ok && !slices.Contains(facets, k) {
						errf(".serve."+k, "kind %s has no facet %q; it has %s", c.Kind, k, orNone(facets))
						continue
					}
					if c.Match == nil {
						c.Match = map[string]string{}
					}
					c.Match[k] = n.Serve[k]
				}
			}
			if e := n.Empty; e != nil {
				c.Empty = e
				if e.Statement == "" {
					e.Statement = DefaultEmptyStatement
				}
				if strings.TrimSpace(e.Reason) == "" {
					errf(".empty.reason", "required: why the agency holds no information of this category")
				}
				if e.Date == "" {
					errf(".empty.date", "required: the date of the statement (YYYY-MM-DD)")
				} else if t, err := time.ParseInLocation("2006-01-02", e.Date, China); err != nil {
					errf(".empty.date", "want a date as YYYY-MM-DD, got %q", e.Date)
				} else {
					e.At = t
				}
			}
			d.byKey[c.Key] = c
			d.All = append(d.All, c)
			c.Children = walk(n.Children, f+".children", c)
			out = append(out, c)
		}
		return out
	}
	d.Roots = walk(nodes, field, nil)
	if len(d.Roots) == 0 {
		probs.Errorf(at(field), field, "the directory has no categories")
	}
	return d
}

// checkCoverage warns when the directory has no category for one of the
// items of art. 20 that every government publishes.
func (d *Directory) checkCoverage(pos Pos, probs *Problems) {
	has := map[string]bool{}
	for _, c := range d.All {
		has[c.Basis] = true
	}
	for _, it := range basisItems[:requiredBasis] {
		if !has[it.key] {
			probs.Warnf(pos, DirectoryField, "no category serves 条例%s (%s); give one category basis: %s", basisText(it.key), it.subject, it.key)
		}
	}
}

// assign places the published records into their categories: a record of a
// category's kind whose facets match, and an info record in the category it
// names (category(r) returns the key, "" for other kinds). It returns each
// record's primary category (the first in tree order), which the catalogue
// lists it under; a record that no category takes is absent.
func (d *Directory) assign(published []*Record, facet func(r *Record, name string) []string, category func(r *Record) string) map[*Record]*Category {
	primary := map[*Record]*Category{}
	byKind := map[string][]*Category{}
	for _, c := range d.All {
		c.Own, c.Records = nil, nil
		if c.Kind != "" {
			byKind[c.Kind] = append(byKind[c.Kind], c)
		}
	}
	for _, r := range published {
		if key := category(r); key != "" {
			if c := d.byKey[key]; c != nil {
				c.Own = append(c.Own, r)
				primary[r] = c
			}
			continue
		}
		for _, c := range byKind[r.Kind.Name] {
			if matches(c, r, facet) {
				c.Own = append(c.Own, r)
				if primary[r] == nil {
					primary[r] = c
				}
			}
		}
	}
	// Records of a category are its own and those of every category below.
	for i := len(d.All) - 1; i >= 0; i-- {
		c := d.All[i]
		seen := map[*Record]bool{}
		add := func(rs []*Record) {
			for _, r := range rs {
				if !seen[r] {
					seen[r] = true
					c.Records = append(c.Records, r)
				}
			}
		}
		add(c.Own)
		for _, ch := range c.Children {
			add(ch.Records)
		}
		sortNewestFirst(c.Own)
		sortNewestFirst(c.Records)
	}
	return primary
}

func matches(c *Category, r *Record, facet func(r *Record, name string) []string) bool {
	for k, want := range c.Match {
		if !slices.Contains(facet(r, k), want) {
			return false
		}
	}
	return true
}

// checkEmpty reports every category without records that no empty
// statement covers (its own or a parent's), and every empty statement on a
// category that has records. Both are warnings; check --strict makes them
// errors.
func (d *Directory) checkEmpty(probs *Problems) {
	for _, c := range d.All {
		switch {
		case c.IsEmpty() && len(c.Children) == 0 && c.Statement() == nil:
			probs.Warnf(c.pos, DirectoryField, "category %s (%s) has no published records; publish them, or state %s with a reason and date under empty:",
				c.Key, c.Title(), DefaultEmptyStatement)
		case !c.IsEmpty() && c.Empty != nil:
			probs.Warnf(c.pos, DirectoryField, "category %s (%s) has %d published records but says %s; remove its empty: statement",
				c.Key, c.Title(), len(c.Records), c.Empty.Statement)
		}
	}
}

// Statement returns the empty statement that covers the category: its own,
// or the nearest parent's; nil when there is none.
func (c *Category) Statement() *EmptyStatement {
	for x := c; x != nil; x = x.Parent {
		if x.Empty != nil {
			return x.Empty
		}
	}
	return nil
}

func sortedKeys(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

// CategoryCount is a category with the number of its records, for the
// directory page.
type CategoryCount struct {
	*Category
	N int
}

func (c *Category) String() string { return fmt.Sprintf("%s %s", c.Key, c.Name) }

// defaultDirectory reads the built-in tree.
func defaultDirectory(kinds directoryKinds, probs *Problems) *Directory {
	var v struct {
		Directory []CategoryNode `yaml:"directory"`
	}
	lines, _ := decodeStrict(defaultDirectoryFile, defaultDirectoryYAML, 1, &v, probs)
	d := resolveDirectory(v.Directory, "directory", func(f string) Pos { return Pos{defaultDirectoryFile, lines.line(f, 1)} }, kinds, probs)
	d.Default = true
	return d
}

// loadDirectory resolves the site's directory, or the default tree when
// site.yaml declares none, against the kinds and the facets they answer.
func (c *Content) loadDirectory() *Directory {
	kinds := func(name string) ([]string, bool) {
		k := c.Kind(name)
		if k == nil {
			return nil, false
		}
		if len(k.Facets) == 0 {
			return []string{"agency"}, true
		}
		return k.Facets, true
	}
	if len(c.Site.Directory) == 0 {
		return defaultDirectory(kinds, &c.Problems)
	}
	at := func(f string) Pos { return Pos{siteFile, c.Site.lines.line(f, 1)} }
	d := resolveDirectory(c.Site.Directory, "directory", at, kinds, &c.Problems)
	d.checkCoverage(at("directory"), &c.Problems)
	return d
}

// DirectoryFacet is the facet by which a record names its category of the
// directory itself (info records: category: KEY), instead of being matched
// by its kind's facets.
const DirectoryFacet = "directory"

// placeInDirectory puts every published record into its categories and
// reports the categories that are empty without a statement.
func (c *Content) placeInDirectory() {
	d := c.Directory
	if d == nil {
		return
	}
	facet := func(r *Record, name string) []string { return r.Entry.Facet(name) }
	category := func(r *Record) string {
		if v := r.Entry.Facet(DirectoryFacet); len(v) > 0 {
			return v[0]
		}
		return ""
	}
	c.primary = d.assign(c.Published, facet, category)
	d.checkEmpty(&c.Problems)
}

// Primary returns the category of the directory that lists r in the
// catalogue, or nil when none takes r.
func (c *Content) Primary(r *Record) *Category { return c.primary[r] }

// directoryFeeds returns a feed per category of the directory that has
// records, so a subscriber can follow the directory as the law writes it;
// a category that takes every record of a kind with a feed of its own
// (新闻发布: every release) announces that feed instead of a copy.
func (b *Build) directoryFeeds(kindGroups []FeedGroup) FeedGroup {
	g := FeedGroup{Title: b.Theme.T("feed_group_directory")}
	if b.Directory == nil {
		return g
	}
	for _, c := range b.Directory.All {
		if len(c.Records) == 0 || b.kindWideFeed(c, kindGroups) != nil {
			continue
		}
		g.Feeds = append(g.Feeds, &Feed{Path: c.FeedPath(), Title: b.Theme.T("col_directory") + "：" + c.Title(),
			Description: c.Description, Link: c.URL(), recs: c.Records})
	}
	return g
}

// CategoryPage is the data of a category's list page.
type CategoryPage struct {
	Category  *Category
	Sub       []*Category     // the categories below it
	Statement *EmptyStatement // 本机关无此类信息, when the category is empty
}

// directoryOutputs writes the directory page and a paginated list per
// category.
func (b *Build) directoryOutputs() []Output {
	d := b.Directory
	if d == nil {
		return nil
	}
	col := b.Theme.T("col_directory")
	outs := []Output{{URL: "/directory/", Page: &Page{Template: "directory.html", Title: col, Column: col,
		Description: b.Theme.T("directory_description"), Data: d.All, feeds: b.feedsAt("/feeds/all")}}}
	for _, c := range d.All {
		crumbs := []Crumb{{col, "/directory/"}}
		for p := c.Parent; p != nil; p = p.Parent {
			crumbs = slices.Insert(crumbs, 1, Crumb{p.Name, p.URL()})
		}
		data := CategoryPage{Category: c, Sub: c.Children}
		if c.IsEmpty() {
			data.Statement = c.Statement()
		}
		feeds := b.categoryFeeds(c)
		dims := b.categoryFilters(c)
		pages := b.paginate(c.URL(), c.Title(), col, c.Records, b.filterFacets(c.URL(), c.URL(), dims), crumbs, feeds)
		whole := len(pages)
		// A filtered list (by agency or year) of the category shows no
		// links to the categories below.
		inner := append(slices.Clone(crumbs), Crumb{c.Title(), c.URL()})
		outs = append(outs, b.filterBrowse(c.URL(), c.Title(), col, inner, dims, feeds)...)
		for _, d := range dims {
			if !d.filterable() {
				continue
			}
			for _, g := range d.groups {
				if len(g.items) == 0 {
					continue
				}
				pages = append(pages, b.paginate(g.url, c.Title()+"："+fmt.Sprintf(d.format, g.title), col, g.items,
					b.filterFacets(c.URL(), g.url, dims), inner, feeds)...)
			}
		}
		for i, o := range pages {
			o.Page.Template = "category.html"
			o.Page.Data = data
			if i >= whole {
				o.Page.Data = CategoryPage{Category: c}
			}
			o.Page.Description = c.Description
		}
		outs = append(outs, pages...)
	}
	return outs
}

// kindWideFeed returns the feed, among groups, of the kind that serves
// every record of category c, or nil when c is not such a category or the
// kind has no feed.
func (b *Build) kindWideFeed(c *Category, groups []FeedGroup) *Feed {
	if c.Kind == "" || len(c.Match) > 0 || len(c.Children) > 0 {
		return nil
	}
	k := b.Kind(c.Kind)
	if k == nil || k.Feeds == nil {
		return nil
	}
	for _, g := range groups {
		if g.kind == k && len(g.Feeds) > 0 {
			return g.Feeds[0]
		}
	}
	return nil
}

// categoryFeeds returns the feeds category c's pages announce.
func (b *Build) categoryFeeds(c *Category) []*Feed {
	if f := b.kindWideFeed(c, b.plannedFeeds().groups); f != nil {
		return []*Feed{f}
	}
	return b.feedsAt(c.FeedPath())
}
