package cli

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"gongkai/generator"
)

// newKind is what `gongkai new` needs to know of a kind, read from its
// scaffold: whether records carry an index number (the file is named by
// its serial), an agency (-agency applies), a slug (-slug is required
// and names the file) or an agency code (an agency profile: -code is
// required and names the file).
type newKind struct {
	k                           *generator.Kind
	indexNo, agency, slug, code bool
}

// slugLineRE is a scaffold's empty slug line, which -slug fills.
var slugLineRE = regexp.MustCompile(`(?m)^slug:[ \t]*""`)

// slugRE is what a slug may be: it becomes a URL segment and a file name.
var slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

// newKinds returns every kind `gongkai new` can scaffold.
func newKinds() []newKind {
	var out []newKind
	for _, k := range generator.Kinds() {
		if k.Scaffold == "" {
			continue
		}
		nk := newKind{k: k, indexNo: strings.Contains(k.Scaffold, "{{.IndexNo}}"), agency: strings.Contains(k.Scaffold, "{{.Agency}}")}
		nk.slug = !nk.indexNo && slugLineRE.MatchString(k.Scaffold)
		nk.code = !nk.indexNo && !nk.slug && strings.Contains(k.Scaffold, "{{.Code}}")
		out = append(out, nk)
	}
	return out
}

func findNewKind(name string) (newKind, bool) {
	for _, nk := range newKinds() {
		if nk.k.Name == name {
			return nk, true
		}
	}
	return newKind{}, false
}

// newOptions are the flags of `gongkai new`; which apply depends on the kind.
type newOptions struct {
	source, date, agency, slug, code string
}

// flags returns a flag set with the flags that apply to nk, or with every
// flag when all is true (the first pass, before the kind is known).
func (o *newOptions) flags(nk newKind, all bool, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("new", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&o.source, "source", ".", "site folder holding content/")
	dateHelp := "publication date YYYY-MM-DD written into the record"
	if all || nk.indexNo {
		dateHelp += ", and the year of its index number"
	}
	fs.StringVar(&o.date, "date", "", dateHelp+" (default today, Asia/Shanghai)")
	if all || nk.agency {
		fs.StringVar(&o.agency, "agency", "", "agency `CODE` from content/site.yaml (default: the first agency)")
	}
	if all || nk.slug {
		url := "the URL"
		if nk.k != nil {
			url = nk.k.Section + "SLUG/"
		}
		fs.StringVar(&o.slug, "slug", "", "required: lower-case letters, digits and dashes; "+url+" and the file name")
	}
	if all || nk.code {
		fs.StringVar(&o.code, "code", "", "required: the agency's `CODE` (lower-case letters, digits and dashes), which records name in agencies: and the file name")
	}
	return fs
}

// newUsage prints the usage of `gongkai new`, for one kind or for all.
func newUsage(w io.Writer, nk newKind, known bool) {
	if known {
		fmt.Fprintf(w, "usage: gongkai new %s \"标题\" [flags]\n\nwrites content/%s/", nk.k.Name, nk.k.Dir)
		switch {
		case nk.indexNo:
			fmt.Fprint(w, "YEAR-SERIAL.md with the next free index number")
		case nk.slug:
			fmt.Fprint(w, "SLUG.md")
		case nk.code:
			fmt.Fprint(w, "CODE.md, named by the agency's code")
		}
		fmt.Fprintln(w, "\n\nflags:")
		(&newOptions{}).flags(nk, false, w).PrintDefaults()
		return
	}
	fmt.Fprintln(w, "usage: gongkai new KIND \"标题\" [flags]\n\nkinds and the flags that apply to them:")
	for _, nk := range newKinds() {
		var fl []string
		if nk.agency {
			fl = append(fl, "[-agency CODE]")
		}
		if nk.slug {
			fl = append(fl, "-slug SLUG")
		}
		if nk.code {
			fl = append(fl, "-code CODE")
		}
		fmt.Fprintf(w, "  %-15s %s\n", nk.k.Name, strings.Join(fl, " "))
	}
	fmt.Fprintln(w, "\nevery kind also takes -source DIR and -date YYYY-MM-DD.\nRun \"gongkai new KIND -h\" for one kind's flags.")
}

func runNew(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	// First pass: every flag, positional arguments anywhere (flags may
	// follow them, as in `gongkai new policy "标题" -agency fgw`), help
	// for the kind named before -h.
	var o newOptions
	fs := o.flags(newKind{}, true, stderr)
	var pos []string
	fs.Usage = func() {
		var nk newKind
		known := false
		if len(pos) > 0 {
			nk, known = findNewKind(pos[0])
		}
		newUsage(stderr, nk, known)
	}
	rest := args
	for len(rest) > 0 {
		if code, done := parse(fs, rest); done {
			return code
		}
		if fs.NArg() == 0 {
			break
		}
		pos = append(pos, fs.Arg(0))
		rest = fs.Args()[1:]
	}
	if len(pos) == 0 {
		fs.Usage()
		return 2
	}
	nk, ok := findNewKind(pos[0])
	if !ok {
		fmt.Fprintf(stderr, "gongkai new: unknown kind %q; want one of %s\n", pos[0], strings.Join(generator.KindNames(), ", "))
		return 2
	}
	if len(pos) != 2 {
		newUsage(stderr, nk, true)
		return 2
	}
	// The flags given must apply to the kind.
	applies := (&newOptions{}).flags(nk, false, io.Discard)
	bad := false
	fs.Visit(func(f *flag.Flag) {
		if applies.Lookup(f.Name) == nil {
			fmt.Fprintf(stderr, "gongkai new %s: -%s does not apply to this kind (see gongkai new %s -h)\n", nk.k.Name, f.Name, nk.k.Name)
			bad = true
		}
	})
	if bad {
		return 2
	}
	title := strings.TrimSpace(pos[1])
	if title == "" {
		fmt.Fprintln(stderr, "gongkai new: the title is empty")
		return 2
	}
	if nk.slug && !nameOK(stderr, nk.k.Name, "slug", o.slug, fmt.Sprintf("the URL %sSLUG/ and the file name", nk.k.Section), "service-guide") {
		return 2
	}
	if nk.code && !nameOK(stderr, nk.k.Name, "code", o.code, fmt.Sprintf("the agency's code, which names content/%s/CODE.md", nk.k.Dir), "fgw") {
		return 2
	}
	sf := siteFlags{source: o.source, date: o.date}
	date, err := sf.buildDate()
	if err != nil {
		fmt.Fprintln(stderr, "gongkai new:", err)
		return 2
	}
	c, err := generator.Load(ctx, os.DirFS(sf.source), date)
	// An agency profile may be a site's first agency.
	if err != nil || c.Site == nil || (len(c.Site.Agencies) == 0 && !nk.code) {
		fmt.Fprintf(stderr, "gongkai new: cannot read %s\n", filepath.Join(sf.source, "content", "site.yaml"))
		if c != nil {
			for _, p := range c.Problems.Errors() {
				fmt.Fprintln(stderr, p.Error())
			}
		}
		return 1
	}
	if nk.code {
		return newAgency(c, nk, o.code, title, sf.source, date.Format("2006-01-02"), stdout, stderr)
	}
	a := &c.Site.Agencies[0]
	if o.agency != "" {
		if a = c.Site.Agency(o.agency); a == nil {
			fmt.Fprintf(stderr, "gongkai new: unknown agency %q; site.yaml has %s\n", o.agency, agencyCodes(c.Site))
			return 2
		}
	}
	d := generator.ScaffoldData{Title: title, Agency: a.Code, Date: date.Format("2006-01-02")}
	var name string
	switch {
	case nk.indexNo:
		d.IndexNo = nextIndexNo(c, a.OrgCode, date.Year())
		name = strings.SplitN(d.IndexNo, "/", 2)[1] + ".md" // e.g. 2024-00012.md
	case nk.slug:
		for _, r := range c.Records {
			if r.Kind == nk.k && r.H().Slug == o.slug {
				fmt.Fprintf(stderr, "gongkai new %s: %s already has the slug %q\n", nk.k.Name, r.Path, o.slug)
				return 1
			}
		}
		name = o.slug + ".md"
	default:
		fmt.Fprintf(stderr, "gongkai new %s: the scaffold has neither an index number nor a slug to name the file by\n", nk.k.Name)
		return 1
	}
	text, err := generator.Scaffold(nk.k, d)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai new:", err)
		return 1
	}
	if nk.slug {
		text = slugLineRE.ReplaceAll(text, []byte(`slug: "`+o.slug+`"`))
	}
	path := filepath.Join(sf.source, "content", filepath.FromSlash(nk.k.Dir), name)
	if err := writeNew(path, text); err != nil {
		fmt.Fprintln(stderr, "gongkai new:", err)
		return 1
	}
	if nk.indexNo {
		fmt.Fprintf(stdout, "created %s (index number %s)\n", path, d.IndexNo)
	} else {
		fmt.Fprintf(stdout, "created %s (%s%s/)\n", path, nk.k.Section, o.slug)
	}
	fmt.Fprintln(stdout, "Paste the text below the front matter, fill in the fields, then run gongkai check.")
	return 0
}

// newAgency writes the profile of the agency code, content/agencies/CODE.md.
// An agency site.yaml lists with its org_code (an older site) gets that
// code filled in, so the profile can take over from site.yaml.
func newAgency(c *generator.Content, nk newKind, code, title, source, date string, stdout, stderr io.Writer) int {
	d := generator.ScaffoldData{Title: title, Code: code, Date: date}
	if a := c.Site.Agency(code); a != nil {
		d.OrgCode = a.OrgCode
	}
	text, err := generator.Scaffold(nk.k, d)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai new:", err)
		return 1
	}
	path := filepath.Join(source, "content", filepath.FromSlash(nk.k.Dir), code+".md")
	if err := writeNew(path, text); err != nil {
		fmt.Fprintln(stderr, "gongkai new:", err)
		return 1
	}
	fmt.Fprintf(stdout, "created %s (%s%s.html)\n", path, nk.k.Section, code)
	if c.Site.Agency(code) == nil {
		fmt.Fprintf(stdout, "Once published it adds the agency %s after those content/site.yaml lists; add \"- code: %s\" to agencies: there to place it.\n", code, code)
	} else {
		fmt.Fprintf(stdout, "Remove name: and org_code: of %s from content/site.yaml: the profile is their only source.\n", code)
	}
	fmt.Fprintln(stdout, "Write the agency's functions (职能) below the front matter, fill in the fields, then run gongkai check.")
	return 0
}

// writeNew creates path with text, never overwriting a file.
func writeNew(path string, text []byte) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, bytes.NewReader(text)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func agencyCodes(s *generator.Site) string {
	var codes []string
	for _, a := range s.Agencies {
		codes = append(codes, a.Code)
	}
	slices.Sort(codes)
	return strings.Join(codes, ", ")
}

var serialRE = regexp.MustCompile(`^(.+)/(\d{4})-(\d+)$`)

// nextIndexNo returns ORG/YEAR-NNNNN with the next serial after every index
// number of that organisation and year, withheld records included (index
// numbers are never reused).
func nextIndexNo(c *generator.Content, org string, year int) string {
	maxN := 0
	for _, r := range c.Records {
		m := serialRE.FindStringSubmatch(r.H().IndexNo)
		if m == nil || m[1] != org || m[2] != strconv.Itoa(year) {
			continue
		}
		if n, _ := strconv.Atoi(m[3]); n > maxN {
			maxN = n
		}
	}
	return fmt.Sprintf("%s/%d-%05d", org, year, maxN+1)
}

// nameOK reports whether the value of new KIND's -flag (a slug or an
// agency code) is given and made of lower-case letters, digits and dashes;
// if not, it says so on stderr, naming what the value is for and an
// example.
func nameOK(stderr io.Writer, kind, flag, value, purpose, example string) bool {
	switch {
	case slugRE.MatchString(value):
		return true
	case value == "":
		fmt.Fprintf(stderr, "gongkai new %s: -%s is required (%s)\n", kind, flag, purpose)
	default:
		fmt.Fprintf(stderr, "gongkai new %s: -%s %q: want lower-case letters, digits and dashes, like %s\n", kind, flag, value, example)
	}
	return false
}
