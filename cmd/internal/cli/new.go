package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"gongkai/generator"
)

func runNew(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var sf siteFlags
	fs := newFlagSet("new", "KIND \"title\" [flags]   (KIND: "+strings.Join(generator.KindNames(), ", ")+")", stderr)
	sf.register(fs)
	agency := fs.String("agency", "", "agency code (default: the first agency in site.yaml)")
	// Flags may follow the positional arguments, as in `gongkai new policy "标题" -agency fgw`.
	var pos []string
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
	if len(pos) != 2 {
		fs.Usage()
		return 2
	}
	kind, title := pos[0], strings.TrimSpace(pos[1])
	if title == "" {
		fmt.Fprintln(stderr, "gongkai new: the title is empty")
		return 2
	}
	date, err := sf.buildDate()
	if err != nil {
		fmt.Fprintln(stderr, "gongkai new:", err)
		return 2
	}
	c, err := generator.Load(ctx, os.DirFS(sf.source), date)
	if err != nil || c.Site == nil {
		fmt.Fprintln(stderr, "gongkai new: cannot read content/site.yaml")
		for _, p := range c.Problems {
			fmt.Fprintln(stderr, p.Error())
		}
		return 1
	}
	k := c.Kind(kind)
	if k == nil {
		fmt.Fprintf(stderr, "gongkai new: unknown kind %q; want one of %s\n", kind, kindNames(c))
		return 2
	}
	a := &c.Site.Agencies[0]
	if *agency != "" {
		if a = c.Site.Agency(*agency); a == nil {
			fmt.Fprintf(stderr, "gongkai new: unknown agency %q\n", *agency)
			return 2
		}
	}
	indexNo := nextIndexNo(c, a.OrgCode, date.Year())
	text, err := generator.Scaffold(k, generator.ScaffoldData{Title: title, IndexNo: indexNo, Agency: a.Code, Date: date.Format("2006-01-02")})
	if err != nil {
		fmt.Fprintln(stderr, "gongkai new:", err)
		return 2
	}
	name := strings.SplitN(indexNo, "/", 2)[1] + ".md" // e.g. 2024-00012.md
	path := filepath.Join(sf.source, "content", k.Dir, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		fmt.Fprintln(stderr, "gongkai new:", err)
		return 1
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if err != nil {
		fmt.Fprintln(stderr, "gongkai new:", err)
		return 1
	}
	defer f.Close()
	if _, err := io.Copy(f, bytes.NewReader(text)); err != nil {
		fmt.Fprintln(stderr, "gongkai new:", err)
		return 1
	}
	fmt.Fprintf(stdout, "created %s (index number %s)\nPaste the text below the front matter, fill in the fields, then run gongkai check.\n", path, indexNo)
	return 0
}

func kindNames(c *generator.Content) string {
	return strings.Join(generator.KindNames(), ", ")
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
