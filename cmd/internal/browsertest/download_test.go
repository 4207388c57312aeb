package browsertest

import (
	"bytes"
	"encoding/base64"
	"io"
	"mime"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/google/go-cmp/cmp"

	"gongkai/generator"
)

// attachmentTypes is the content type each attachment format must be served
// with, so that a browser opens or saves it correctly.
var attachmentTypes = map[string]string{
	".pdf":  "application/pdf",
	".doc":  "application/msword",
	".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
	".xls":  "application/vnd.ms-excel",
	".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
	".csv":  "text/csv",
	".txt":  "text/plain",
	".zip":  "application/zip",
	".ofd":  "application/ofd",
	".png":  "image/png",
	".jpg":  "image/jpeg",
}

// attached lists the published records that carry attachments (or forms).
func attached(t testing.TB) []*generator.Record {
	t.Helper()
	var rs []*generator.Record
	for _, r := range content(t).Published {
		if len(r.H().Attached) > 0 {
			rs = append(rs, r)
		}
	}
	if len(rs) == 0 {
		t.Fatal("no published record of the sample portal has an attachment")
	}
	return rs
}

// wantType returns the content type an attachment file must have.
func wantType(t testing.TB, file string) string {
	t.Helper()
	want, ok := attachmentTypes[strings.ToLower(path.Ext(file))]
	if !ok {
		t.Fatalf("%s: no expected content type for %s files; add one to attachmentTypes", file, path.Ext(file))
	}
	return want
}

func checkType(t testing.TB, where, got, want string) {
	t.Helper()
	mt, _, err := mime.ParseMediaType(got)
	if err != nil || mt != want {
		t.Errorf("%s: Content-Type %q, want %s", where, got, want)
	}
}

// TestDownloads fetches every attachment of every published record from
// the server and compares bytes and content type with the file in content/;
// each record's page links every attachment for download. It needs no
// browser.
func TestDownloads(t *testing.T) {
	n := 0
	defer func() { t.Logf("checked %d attachments", n) }()
	for _, r := range attached(t) {
		doc, err := readPage(filepath.Join(theSite.public, filepath.FromSlash(r.URL)))
		if err != nil {
			t.Fatal(err)
		}
		var links []string
		doc.Find("main a[download]").Each(func(_ int, s *goquery.Selection) {
			href, _ := s.Attr("href")
			if u, err := url.PathUnescape(href); err == nil {
				href = u
			}
			links = append(links, href)
		})
		var want []string
		for _, a := range r.H().Attached {
			want = append(want, sitePath(a.URL))
		}
		slices.Sort(links)
		slices.Sort(want)
		if diff := cmp.Diff(want, links); diff != "" {
			t.Errorf("%s: download links (-want +got):\n%s", r.URL, diff)
		}
		for _, a := range r.H().Attached {
			src, err := os.ReadFile(filepath.Join(theSite.source, "content", filepath.FromSlash(a.File)))
			if err != nil {
				t.Fatal(err)
			}
			resp, err := httpClient.Get(theSite.url + (&url.URL{Path: a.URL}).EscapedPath())
			if err != nil {
				t.Fatalf("GET %s: %v", a.URL, err)
			}
			got, err := io.ReadAll(resp.Body)
			resp.Body.Close()
			if err != nil {
				t.Fatalf("GET %s: %v", a.URL, err)
			}
			if resp.StatusCode != http.StatusOK {
				t.Errorf("GET %s (%s): HTTP %d", a.URL, r.Path, resp.StatusCode)
				continue
			}
			if !bytes.Equal(got, src) {
				t.Errorf("GET %s: %d bytes differ from content/%s (%d bytes)", a.URL, len(got), a.File, len(src))
			}
			checkType(t, "GET "+a.URL, resp.Header.Get("Content-Type"), wantType(t, a.File))
			n++
		}
	}
}

// TestDownloadsInBrowser opens one page of every kind that has attachments
// in Chromium: each download link, fetched by the page, gives the file's
// bytes and content type, and clicking the first one saves the same bytes.
func TestDownloadsInBrowser(t *testing.T) {
	browser(t)
	seen := map[string]bool{}
	for _, r := range attached(t) {
		if seen[r.Kind.Name] {
			continue
		}
		seen[r.Kind.Name] = true
		t.Run(r.Kind.Name, func(t *testing.T) {
			tb := openTab(t, tabOptions{width: 1280})
			tb.open(r.URL, 200)
			var got []struct {
				Href, Type, Data string
				Status           int
			}
			tb.eval(&got, `async () => {
				const out = [];
				for (const a of document.querySelectorAll("main a[download]")) {
					const resp = await fetch(a.href);
					const buf = new Uint8Array(await resp.arrayBuffer());
					let bin = "";
					for (let i = 0; i < buf.length; i += 8192) bin += String.fromCharCode(...buf.subarray(i, i + 8192));
					out.push({href: new URL(a.href).pathname, type: resp.headers.get("Content-Type") || "", data: btoa(bin), status: resp.status});
				}
				return out;
			}`)
			if len(got) != len(r.H().Attached) {
				t.Fatalf("%s: %d download links, want %d", r.URL, len(got), len(r.H().Attached))
			}
			for i, a := range r.H().Attached {
				src, err := os.ReadFile(filepath.Join(theSite.source, "content", filepath.FromSlash(a.File)))
				if err != nil {
					t.Fatal(err)
				}
				g := got[i]
				if p, err := url.PathUnescape(g.Href); err == nil {
					g.Href = p
				}
				if g.Href != sitePath(a.URL) {
					t.Errorf("%s: download link %d goes to %s, want %s", r.URL, i, g.Href, a.URL)
					continue
				}
				data, err := base64.StdEncoding.DecodeString(g.Data)
				if err != nil {
					t.Fatal(err)
				}
				if g.Status != 200 || !bytes.Equal(data, src) {
					t.Errorf("fetch %s in the browser: HTTP %d, %d bytes; want 200 and the %d bytes of content/%s",
						a.URL, g.Status, len(data), len(src), a.File)
				}
				checkType(t, "fetch "+a.URL, g.Type, wantType(t, a.File))
			}

			// A real download: click the first link and read the saved file.
			a := r.H().Attached[0]
			src, err := os.ReadFile(filepath.Join(theSite.source, "content", filepath.FromSlash(a.File)))
			if err != nil {
				t.Fatal(err)
			}
			dir := t.TempDir()
			b := tb.page.Browser().Timeout(loadTimeout)
			wait := b.WaitDownload(dir)
			tb.click("main a[download]")
			info := wait()
			if info == nil {
				t.Fatalf("clicking the download link of %s started no download", a.URL)
			}
			saved, err := waitFile(filepath.Join(dir, info.GUID), int64(len(src)))
			if err != nil {
				t.Fatalf("download of %s: %v", a.URL, err)
			}
			if !bytes.Equal(saved, src) {
				t.Errorf("download of %s saved %d bytes that differ from content/%s (%d bytes)", a.URL, len(saved), a.File, len(src))
			}
			if want := path.Base(a.URL); info.SuggestedFilename != want {
				t.Errorf("download of %s is named %q, want %q", a.URL, info.SuggestedFilename, want)
			}
			tb.check("downloads on " + r.URL)
		})
	}
}

// waitFile reads file once it has size bytes, waiting a bounded time for
// the browser to finish writing it.
func waitFile(file string, size int64) ([]byte, error) {
	deadline := time.Now().Add(stepTimeout)
	for {
		fi, err := os.Stat(file)
		if err == nil && fi.Size() >= size || time.Now().After(deadline) {
			return os.ReadFile(file)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
