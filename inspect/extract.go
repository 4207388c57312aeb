package inspect

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/net/html"
)

// maxExtract bounds what is read from one attachment, or one member of a
// zip container, so a hostile file cannot exhaust memory.
const maxExtract = 64 << 20

// textFormats are the attachment formats whose text the inspector reads.
// PDF is not among them: no maintained pure-Go library extracts PDF text
// (pdfcpu, the maintained one, does not; see docs/inspection.md).
var textFormats = []string{".txt", ".csv", ".md", ".html", ".htm", ".docx", ".xlsx"}

// attachmentOnce makes sure each attachment file is scanned once, whichever
// record reaches it first.
type attachmentOnce struct{ seen sync.Map }

func (o *attachmentOnce) claim(p string) bool {
	_, loaded := o.seen.LoadOrStore(p, true)
	return !loaded
}

// scanAttachments runs the text rules over the record's attachments.
func scanAttachments(s *Site, r *Record, ts *textScanner, once *attachmentOnce) (scanned int, unscanned []string) {
	for _, a := range r.Attachments {
		ext := strings.ToLower(path.Ext(a.Path))
		if !slices.Contains(textFormats, ext) {
			unscanned = append(unscanned, a.Path)
			continue
		}
		if s.Files == nil || !once.claim(a.Path) {
			continue
		}
		if err := extractText(s.Files, a.Path, func(loc, text string) { ts.scanAt(a.Path, text, func(int) string { return loc }) },
			func(firstLine int, text string) { ts.scan(a.Path, firstLine, text) }); err != nil {
			unscanned = append(unscanned, a.Path+": "+err.Error())
			continue
		}
		scanned++
	}
	return scanned, unscanned
}

// extractText reads the text of an attachment. Line-based formats go to
// lines (with the line number of their first line); containers go to
// cells with a place such as "Sheet1!B3" or "para 12".
func extractText(fsys fs.FS, p string, cells func(loc, text string), lines func(firstLine int, text string)) error {
	f, err := fsys.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxExtract+1))
	if err != nil {
		return err
	}
	if len(data) > maxExtract {
		return fmt.Errorf("larger than %d MB", maxExtract>>20)
	}
	switch strings.ToLower(path.Ext(p)) {
	case ".txt", ".csv", ".md":
		lines(1, string(bytes.TrimPrefix(data, []byte("\ufeff"))))
		return nil
	case ".html", ".htm":
		return htmlText(data, lines)
	case ".docx":
		return docxText(data, cells)
	case ".xlsx":
		return xlsxText(data, cells)
	}
	return nil
}

// htmlText passes each text node of an HTML file with its line.
func htmlText(data []byte, lines func(int, string)) error {
	z := html.NewTokenizer(bytes.NewReader(data))
	ln := 1
	skip := 0 // inside <script> or <style>
	for {
		tt := z.Next()
		if tt == html.ErrorToken {
			if errors.Is(z.Err(), io.EOF) {
				return nil
			}
			return z.Err()
		}
		raw := z.Raw()
		at := ln
		ln += bytes.Count(raw, []byte("\n"))
		switch tt {
		case html.StartTagToken, html.EndTagToken:
			name, _ := z.TagName()
			if string(name) == "script" || string(name) == "style" {
				if tt == html.StartTagToken {
					skip++
				} else if skip > 0 {
					skip--
				}
			}
		case html.TextToken:
			if skip == 0 {
				// Entities are decoded; the line is the raw text's.
				lines(at, html.UnescapeString(string(raw)))
			}
		}
	}
}

// zipMember reads one member of a zip archive, bounded.
func zipMember(zr *zip.Reader, name string) ([]byte, error) {
	f, err := zr.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxExtract+1))
	if err != nil {
		return nil, err
	}
	if len(b) > maxExtract {
		return nil, fmt.Errorf("%s is larger than %d MB", name, maxExtract>>20)
	}
	return b, nil
}

// docxText passes each paragraph of a Word document (body, headers,
// footers, notes) with its place: "para 3", "header1 para 1".
func docxText(data []byte, cells func(loc, text string)) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("not a .docx (zip) file: %w", err)
	}
	var parts []string
	for _, f := range zr.File {
		base := strings.TrimSuffix(path.Base(f.Name), ".xml")
		if path.Dir(f.Name) == "word" && strings.HasSuffix(f.Name, ".xml") &&
			(base == "document" || base == "footnotes" || base == "endnotes" || base == "comments" ||
				strings.HasPrefix(base, "header") || strings.HasPrefix(base, "footer")) {
			parts = append(parts, f.Name)
		}
	}
	slices.SortFunc(parts, func(a, b string) int {
		// The body first.
		return strings.Compare(strings.Replace(a, "document", "0", 1), strings.Replace(b, "document", "0", 1))
	})
	if len(parts) == 0 {
		return errors.New("no word/document.xml")
	}
	for _, name := range parts {
		b, err := zipMember(zr, name)
		if err != nil {
			return err
		}
		prefix := ""
		if base := strings.TrimSuffix(path.Base(name), ".xml"); base != "document" {
			prefix = base + " "
		}
		d := xml.NewDecoder(bytes.NewReader(b))
		para := 0
		var buf strings.Builder
		inText := false
		for {
			tok, err := d.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			switch t := tok.(type) {
			case xml.StartElement:
				switch t.Name.Local {
				case "p":
					para++
					buf.Reset()
				case "t":
					inText = true
				case "tab":
					buf.WriteByte('\t')
				}
			case xml.EndElement:
				switch t.Name.Local {
				case "t":
					inText = false
				case "p":
					if buf.Len() > 0 {
						cells(prefix+"para "+strconv.Itoa(para), buf.String())
					}
					buf.Reset()
				}
			case xml.CharData:
				if inText {
					buf.Write(t)
				}
			}
		}
	}
	return nil
}

// xlsxText passes each cell of a workbook with its place: "Sheet1!B3".
// Numbers are passed too: an identity number typed as a number is still one.
func xlsxText(data []byte, cells func(loc, text string)) error {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return fmt.Errorf("not an .xlsx (zip) file: %w", err)
	}
	var shared []string
	if b, err := zipMember(zr, "xl/sharedStrings.xml"); err == nil {
		var sst struct {
			SI []struct {
				T string `xml:"t"`
				R []struct {
					T string `xml:"t"`
				} `xml:"r"`
			} `xml:"si"`
		}
		if err := xml.Unmarshal(b, &sst); err != nil {
			return fmt.Errorf("xl/sharedStrings.xml: %w", err)
		}
		for _, si := range sst.SI {
			s := si.T
			for _, r := range si.R {
				s += r.T
			}
			shared = append(shared, s)
		}
	}
	sheets, err := xlsxSheets(zr)
	if err != nil {
		return err
	}
	for _, sh := range sheets {
		b, err := zipMember(zr, sh.file)
		if err != nil {
			return err
		}
		var ws struct {
			Rows []struct {
				C []struct {
					R  string `xml:"r,attr"`
					T  string `xml:"t,attr"`
					V  string `xml:"v"`
					IS struct {
						T string `xml:"t"`
					} `xml:"is"`
				} `xml:"c"`
			} `xml:"sheetData>row"`
		}
		if err := xml.Unmarshal(b, &ws); err != nil {
			return fmt.Errorf("%s: %w", sh.file, err)
		}
		for _, row := range ws.Rows {
			for _, c := range row.C {
				v := c.V
				switch c.T {
				case "s":
					i, err := strconv.Atoi(strings.TrimSpace(c.V))
					if err != nil || i < 0 || i >= len(shared) {
						continue
					}
					v = shared[i]
				case "inlineStr":
					v = c.IS.T
				}
				if v != "" {
					cells(sh.name+"!"+c.R, v)
				}
			}
		}
	}
	return nil
}

type xlsxSheet struct{ name, file string }

// xlsxSheets lists the worksheets with their names, in workbook order.
func xlsxSheets(zr *zip.Reader) ([]xlsxSheet, error) {
	wb, err := zipMember(zr, "xl/workbook.xml")
	if err != nil {
		return nil, err
	}
	var w struct {
		Sheets []struct {
			Name string `xml:"name,attr"`
			ID   string `xml:"http://schemas.openxmlformats.org/officeDocument/2006/relationships id,attr"`
		} `xml:"sheets>sheet"`
	}
	if err := xml.Unmarshal(wb, &w); err != nil {
		return nil, fmt.Errorf("xl/workbook.xml: %w", err)
	}
	targets := map[string]string{}
	if rels, err := zipMember(zr, "xl/_rels/workbook.xml.rels"); err == nil {
		var r struct {
			Rel []struct {
				ID     string `xml:"Id,attr"`
				Target string `xml:"Target,attr"`
			} `xml:"Relationship"`
		}
		if err := xml.Unmarshal(rels, &r); err != nil {
			return nil, fmt.Errorf("xl/_rels/workbook.xml.rels: %w", err)
		}
		for _, rel := range r.Rel {
			t := rel.Target
			if strings.HasPrefix(t, "/") {
				t = strings.TrimPrefix(t, "/")
			} else {
				t = path.Join("xl", t)
			}
			targets[rel.ID] = t
		}
	}
	var out []xlsxSheet
	for i, s := range w.Sheets {
		file := targets[s.ID]
		if file == "" {
			file = "xl/worksheets/sheet" + strconv.Itoa(i+1) + ".xml"
		}
		out = append(out, xlsxSheet{name: s.Name, file: file})
	}
	return out, nil
}
