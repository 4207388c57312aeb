package generator

import (
	"encoding/xml"
	"html/template"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestOPML parses the OPML file as a reader would on import and checks
// that it lists every feed the build wrote, once, with its list page.
func TestOPML(t *testing.T) {
	out := buildFeedSite(t, siteFS(t, "feeds.txtar"), buildDate, "")
	var doc struct {
		XMLName xml.Name `xml:"opml"`
		Version string   `xml:"version,attr"`
		Title   string   `xml:"head>title"`
		Folders []struct {
			Text  string `xml:"text,attr"`
			Feeds []struct {
				Text    string `xml:"text,attr"`
				Type    string `xml:"type,attr"`
				XMLURL  string `xml:"xmlUrl,attr"`
				HTMLURL string `xml:"htmlUrl,attr"`
			} `xml:"outline"`
		} `xml:"body>outline"`
	}
	if err := xml.Unmarshal(readFeedOut(t, out, OPMLURL), &doc); err != nil {
		t.Fatalf("%s does not parse: %v", OPMLURL, err)
	}
	if doc.Version != "2.0" || doc.Title == "" {
		t.Errorf("OPML version %q, title %q; want 2.0 and a title", doc.Version, doc.Title)
	}
	var listed []string
	for _, f := range doc.Folders {
		if f.Text == "" || len(f.Feeds) == 0 {
			t.Errorf("folder %q with %d feeds; want a named folder with feeds", f.Text, len(f.Feeds))
		}
		for _, o := range f.Feeds {
			if o.Type != "rss" || o.Text == "" || !strings.HasPrefix(o.HTMLURL, feedTestBase+"/") {
				t.Errorf("outline %+v: want type rss, a text and the list page's address", o)
			}
			p, ok := strings.CutPrefix(o.XMLURL, feedTestBase)
			if !ok {
				t.Errorf("feed address %s is not on the site %s", o.XMLURL, feedTestBase)
			}
			listed = append(listed, strings.TrimSuffix(p, ".rss.xml"))
		}
	}
	slices.Sort(listed)
	// Every feed is written in every format; its RSS file stands for it.
	var want []string
	for _, f := range feedFiles(t, out) {
		if p, ok := strings.CutSuffix(f, ".rss.xml"); ok {
			want = append(want, p)
		}
	}
	slices.Sort(want)
	if len(want) < len(feedBases) {
		t.Fatalf("only %d feeds written, want at least %d: the comparison would prove little", len(want), len(feedBases))
	}
	if diff := cmp.Diff(want, listed); diff != "" {
		t.Errorf("feeds in the OPML file (-written +listed):\n%s", diff)
	}
}

func TestMetaRows(t *testing.T) {
	f := func(label, v string, wide bool) MetaField {
		return MetaField{Label: label, Value: metaText(v), Wide: wide}
	}
	for _, c := range []struct {
		name string
		in   []MetaField
		want string // rows as label|label, * for a spanning cell
	}{
		{"pairs", []MetaField{f("a", "1", false), f("b", "2", false), f("c", "3", false), f("d", "4", false)}, "a|b;c|d"},
		{"odd one spans", []MetaField{f("a", "1", false), f("b", "2", false), f("c", "3", false)}, "a|b;c*"},
		{"wide breaks a pair", []MetaField{f("a", "1", false), f("w", "x", true), f("b", "2", false), f("c", "3", false)}, "a*;w*;b|c"},
		{"empty left out", []MetaField{f("a", "1", false), f("e", "", false), f("b", "2", false)}, "a|b"},
	} {
		t.Run(c.name, func(t *testing.T) {
			h := string(metaRows(c.in...))
			var rows []string
			for _, tr := range strings.Split(h, "<tr>")[1:] {
				var cells []string
				for _, th := range strings.Split(tr, `<th scope="row">`)[1:] {
					label, rest, _ := strings.Cut(th, "</th>")
					if strings.HasPrefix(rest, `<td colspan="3">`) {
						label += "*"
					}
					cells = append(cells, label)
				}
				rows = append(rows, strings.Join(cells, "|"))
			}
			if got := strings.Join(rows, ";"); got != c.want {
				t.Errorf("metaRows = %s, want %s\n%s", got, c.want, h)
			}
		})
	}
}

// metaText returns s escaped as a table value.
func metaText(s string) template.HTML {
	h, _ := metaValue(s)
	return h
}
