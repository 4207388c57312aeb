package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
)

// The sample portal's withheld records carry this marker in their titles,
// bodies and attachments.
const sampleMarker = "WITHHELD-SAMPLE-不得公开"

// sampleMarkers are every marker of the sample's withheld records: the
// withheld ones, and the decisions that left the site past their display
// period (EXPIRED-DECISION) or revoked (REVOKED-DECISION).
var sampleMarkers = []string{sampleMarker, "WITHHELD-SAMPLE", "EXPIRED-DECISION", "REVOKED-DECISION"}

// TestSamplePortal builds the repository's own content/ the way the README's
// first command does, and checks what every build must guarantee: the
// withheld records reach no output, and the site has no broken links.
func TestSamplePortal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	var stdout, stderr bytes.Buffer
	if err := BuildSite(context.Background(), "../../..", out, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	// 3 withheld records, a withheld info record with its attachment, and
	// two decisions that left the site: one past its display period, one
	// revoked (issue 12).
	if !strings.Contains(stdout.String(), "6 withheld") {
		t.Errorf("summary does not report the 6 withheld sample records:\n%s", stdout.String())
	}
	for _, p := range []string{"content/info/2026-yusuan-tiaozheng-cao.md", "content/decisions/2025-sthjj-jiahe-huagong.md", "content/decisions/2026-scjgj-ruixiang-dianqi.md"} {
		if !strings.Contains(stdout.String(), p) {
			t.Errorf("summary does not list %s as withheld:\n%s", p, stdout.String())
		}
	}
	files := 0
	for _, dir := range []string{out, out + ".search"} {
		err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return err
			}
			files++
			b, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			for _, m := range sampleMarkers {
				if bytes.Contains(b, []byte(m)) {
					t.Errorf("%s contains the withheld marker %q", p, m)
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if files < 300 {
		t.Fatalf("only %d files; the sample portal did not build fully", files)
	}

	srv := serveOut(t, out)
	for _, q := range append([]string{"WITHHELD", "EXPIRED", "REVOKED"}, sampleMarkers...) {
		if r := apiSearch(t, srv, q); r.Total != 0 {
			t.Errorf("search %q finds withheld records: %+v", q, r.Results)
		}
	}

	checkInterpretationStatus(t, out, srv)
	checkSampleDirectory(t, out, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC))
	checkCatalogueFilters(t, out)

	var lcOut, lcErr bytes.Buffer
	if code := runLinkcheck(context.Background(), []string{out}, &lcOut, &lcErr); code != 0 {
		t.Errorf("linkcheck of the sample portal: exit %d\n%s\n%s", code, lcOut.String(), lcErr.String())
	}
	if !strings.Contains(lcOut.String(), "0 errors") {
		t.Errorf("linkcheck summary:\n%s", lcOut.String())
	}
}

// checkInterpretationStatus checks that the interpretation of the repealed
// 2023 elderly-care subsidy rules says so, with a link to the replacing
// rules, on its page and in its search result (HTML and JSON); the feed
// entry is checked by generator/TestInterpretationStatus (this 2023 entry
// is older than the newest 50 of the sample's feeds).
func checkInterpretationStatus(t *testing.T, out string, srv *httptest.Server) {
	t.Helper()
	const (
		page        = "/interpretation/11519900mb1500810k-2023-00006.html"
		banner      = "所解读文件已于 2026-04-01 废止"
		replacement = "/policy/11519900mb1500002b-2026-00006.html"
		replTitle   = "云泽市基本养老服务补贴管理办法"
	)
	b, err := os.ReadFile(filepath.Join(out, filepath.FromSlash(page)))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	note := doc.Find("main .banner")
	if !strings.Contains(note.Text(), banner) || note.Find(`a[href="`+replacement+`"]`).Text() != replTitle {
		t.Errorf("%s: banner %q, want %q with a link to %s", page, strings.TrimSpace(note.Text()), banner, replacement)
	}

	resp, err := http.Get(srv.URL + "/search?q=" + url.QueryEscape("居家和社区养老服务补贴实施办法》的政策解读"))
	if err != nil {
		t.Fatal(err)
	}
	html, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	rdoc, _ := goquery.NewDocumentFromReader(bytes.NewReader(html))
	found := false
	rdoc.Find("ol.results > li").Each(func(_ int, li *goquery.Selection) {
		if li.Find("h2 a").AttrOr("href", "") == page {
			found = true
			if n := li.Find(".result-note"); !strings.Contains(n.Text(), banner) || n.Find(`a[href="`+replacement+`"]`).Length() != 1 {
				t.Errorf("search result for %s: note %q, want %q with a link to %s", page, strings.TrimSpace(n.Text()), banner, replacement)
			}
		} else if li.Find(".result-note").Length() > 0 && !strings.Contains(li.Find(".meta").Text(), "政策解读") {
			t.Errorf("a result that is not an interpretation has a note: %s", li.Text())
		}
	})
	if !found {
		t.Errorf("the search results page does not list %s", page)
	}
	var api struct {
		Results []struct {
			URL  string `json:"url"`
			Note *struct {
				Text  string `json:"text"`
				Links []struct{ Label, Title, URL string }
			} `json:"note"`
		} `json:"results"`
	}
	resp, err = http.Get(srv.URL + "/api/search?q=" + url.QueryEscape("居家和社区养老服务补贴实施办法》的政策解读"))
	if err != nil {
		t.Fatal(err)
	}
	json.NewDecoder(resp.Body).Decode(&api)
	resp.Body.Close()
	found = false
	for _, r := range api.Results {
		if r.URL == page {
			found = true
			if r.Note == nil || r.Note.Text != banner || len(r.Note.Links) != 1 || r.Note.Links[0].URL != replacement || r.Note.Links[0].Label != "替代文件" {
				t.Errorf("API result for %s: note %+v", page, r.Note)
			}
		}
	}
	if !found {
		t.Errorf("the API does not find %s", page)
	}
}
