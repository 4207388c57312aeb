package generator

import (
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// OPMLURL is the site path of the OPML file that lists every feed of the
// site, so a reader imports them all at once.
const OPMLURL = "/subscribe/feeds.opml"

// OPMLType is the media type the OPML file is served with.
const OPMLType = "text/x-opml"

// opml is an OPML 2.0 subscription list (http://opml.org/spec2.opml).
type opml struct {
	XMLName xml.Name      `xml:"opml"`
	Version string        `xml:"version,attr"`
	Title   string        `xml:"head>title"`
	Owner   string        `xml:"head>ownerName,omitempty"`
	Docs    string        `xml:"head>docs"`
	Body    []opmlOutline `xml:"body>outline"`
}

// opmlOutline is a folder (a group of the subscribe page) or a feed.
type opmlOutline struct {
	Text        string        `xml:"text,attr"`
	Title       string        `xml:"title,attr,omitempty"`
	Type        string        `xml:"type,attr,omitempty"`
	XMLURL      string        `xml:"xmlUrl,attr,omitempty"`
	HTMLURL     string        `xml:"htmlUrl,attr,omitempty"`
	Description string        `xml:"description,attr,omitempty"`
	Outlines    []opmlOutline `xml:"outline"`
}

// writeOPML writes every feed of groups as an OPML 2.0 file: a folder per
// group of the subscribe page, and in it an outline per feed pointing at
// its RSS 2.0 file (the format every reader takes; the same entries as the
// Atom and JSON files).
func (b *Build) writeOPML(w io.Writer, groups []FeedGroup) error {
	doc := opml{Version: "2.0", Title: xmlSafe(b.Site.Name + " " + b.Theme.T("feed_subscribe")), Owner: xmlSafe(b.Site.Name),
		Docs: "http://opml.org/spec2.opml"}
	for _, g := range groups {
		folder := opmlOutline{Text: xmlSafe(g.Title), Title: xmlSafe(g.Title)}
		for _, f := range g.Feeds {
			title := xmlSafe(f.Title + " - " + b.Site.Name)
			folder.Outlines = append(folder.Outlines, opmlOutline{Text: title, Title: title, Type: "rss",
				XMLURL: b.absURL(f.Path + FeedFormats[0].Suffix), HTMLURL: b.absURL(f.Link), Description: xmlSafe(f.Description)})
		}
		doc.Body = append(doc.Body, folder)
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", "  ")
	if err := enc.Encode(doc); err != nil {
		return fmt.Errorf("write %s: %w", OPMLURL, err)
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// Sections returns the subscribe page's sections: the groups of several
// feeds each as a section of its own, and the columns with a single feed
// (决策公示, 双公示) together in one section, first. The site-wide group is
// left out: the page shows it above the sections, beside the OPML file.
func (s Subscribe) Sections() []FeedGroup {
	single := FeedGroup{Title: s.ColumnsTitle}
	var out []FeedGroup
	for i, g := range s.Groups {
		switch {
		case i == 0 && g.kind == nil && len(g.Feeds) == 1:
		case len(g.Feeds) == 1:
			single.Feeds = append(single.Feeds, g.Feeds[0])
		default:
			out = append(out, g)
		}
	}
	if len(single.Feeds) > 0 {
		out = append([]FeedGroup{single}, out...)
	}
	return out
}

// Site returns the site-wide feed, or nil.
func (s Subscribe) Site() *Feed {
	if len(s.Groups) > 0 && s.Groups[0].kind == nil && len(s.Groups[0].Feeds) == 1 {
		return s.Groups[0].Feeds[0]
	}
	return nil
}

// Short returns the feed's title without the prefix it shares with its
// group ("政策文件：云泽市财政局" under 政策文件 reads 云泽市财政局), or the
// whole title.
func (g FeedGroup) Short(f *Feed) string {
	for _, sep := range []string{"：", "（"} {
		prefix, _, _ := strings.Cut(g.Title, sep)
		if rest, ok := strings.CutPrefix(f.Title, prefix+"："); ok && rest != "" {
			return rest
		}
	}
	return f.Title
}

// Label returns the format's short name for a link: RSS, Atom, JSON.
func (f FeedFile) Label() string {
	l, _, _ := strings.Cut(f.Name, " ")
	return l
}
