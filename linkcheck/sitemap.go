package linkcheck

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strings"

	"golang.org/x/net/html/charset"
)

// sitemapDoc is a sitemap (urlset) or a sitemap index; Locs holds the
// page URLs of the one and Sitemaps the child sitemaps of the other.
type sitemapDoc struct {
	Locs     []string
	Sitemaps []string
}

// parseSitemap reads a sitemap or sitemap index (sitemaps.org protocol).
func parseSitemap(data []byte) (sitemapDoc, error) {
	var doc struct {
		XMLName xml.Name
		URLs    []struct {
			Loc string `xml:"loc"`
		} `xml:"url"`
		Sitemaps []struct {
			Loc string `xml:"loc"`
		} `xml:"sitemap"`
	}
	dec := xml.NewDecoder(bytes.NewReader(data))
	dec.CharsetReader = charset.NewReaderLabel
	if err := dec.Decode(&doc); err != nil {
		return sitemapDoc{}, fmt.Errorf("parse sitemap: %w", err)
	}
	var out sitemapDoc
	switch doc.XMLName.Local {
	case "urlset":
		for _, u := range doc.URLs {
			if loc := strings.TrimSpace(u.Loc); loc != "" {
				out.Locs = append(out.Locs, loc)
			}
		}
	case "sitemapindex":
		for _, s := range doc.Sitemaps {
			if loc := strings.TrimSpace(s.Loc); loc != "" {
				out.Sitemaps = append(out.Sitemaps, loc)
			}
		}
	default:
		return sitemapDoc{}, fmt.Errorf("parse sitemap: root element <%s>, want <urlset> or <sitemapindex>", doc.XMLName.Local)
	}
	return out, nil
}
