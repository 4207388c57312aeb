package cli

import (
	"bytes"
	"context"
	"io/fs"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The sample portal's withheld records carry this marker in their titles,
// bodies and attachments.
const sampleMarker = "WITHHELD-SAMPLE-不得公开"

// TestSamplePortal builds the repository's own content/ the way the README's
// first command does, and checks what every build must guarantee: the
// withheld records reach no output, and the site has no broken links.
func TestSamplePortal(t *testing.T) {
	out := filepath.Join(t.TempDir(), "public")
	var stdout, stderr bytes.Buffer
	if err := BuildSite(context.Background(), "../../..", out, time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC), &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	if !strings.Contains(stdout.String(), "3 withheld") {
		t.Errorf("summary does not report the 3 withheld sample records:\n%s", stdout.String())
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
			if bytes.Contains(b, []byte(sampleMarker)) || bytes.Contains(b, []byte("WITHHELD-SAMPLE")) {
				t.Errorf("%s contains the withheld marker", p)
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

	h, closer, err := SiteHandler(out, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer closer.Close()
	srv := httptest.NewServer(h)
	defer srv.Close()
	for _, q := range []string{sampleMarker, "WITHHELD", "WITHHELD-SAMPLE"} {
		if r := apiSearch(t, srv, q); r.Total != 0 {
			t.Errorf("search %q finds withheld records: %+v", q, r.Results)
		}
	}

	var lcOut, lcErr bytes.Buffer
	if code := runLinkcheck(context.Background(), []string{out}, &lcOut, &lcErr); code != 0 {
		t.Errorf("linkcheck of the sample portal: exit %d\n%s\n%s", code, lcOut.String(), lcErr.String())
	}
	if !strings.Contains(lcOut.String(), "0 errors") {
		t.Errorf("linkcheck summary:\n%s", lcOut.String())
	}
}
