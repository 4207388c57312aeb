package browsertest

import (
	"bytes"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"

	"github.com/go-rod/rod/lib/proto"
)

// TestPrintPDF prints a policy page with Page.printToPDF: the PDF holds
// the metadata block (索引号 and its value, the title, the document number)
// and none of the header, navigation or footer.
func TestPrintPDF(t *testing.T) {
	browser(t)
	r := policyPage(t)
	h := r.H()
	tb := openTab(t, tabOptions{width: 1280})
	tb.open(r.URL, 200)

	// Texts that only the page chrome shows: the print style sheet must hide
	// them. Texts that also occur in the main content cannot be told apart.
	var chrome []string
	tb.eval(&chrome, `() => {
		const main = (document.querySelector("main").textContent || "").replace(/\s+/g, "");
		const sel = ".skip, .site-header a, .site-header label, .site-header button, .site-header summary, .crumbs a, .site-footer a";
		return [...new Set([...document.querySelectorAll(sel)]
			.map(el => el.textContent.replace(/\s+/g, ""))
			.filter(s => s.length >= 2 && !main.includes(s)))];
	}`)
	if len(chrome) < 5 {
		t.Fatalf("%s: only %d navigation texts to look for (%v); the page chrome changed", r.URL, len(chrome), chrome)
	}

	stream, err := tb.page.Timeout(loadTimeout).PDF(&proto.PagePrintToPDF{})
	if err != nil {
		t.Fatalf("print %s: %v", r.URL, err)
	}
	pdf, err := io.ReadAll(stream)
	if err != nil {
		t.Fatalf("print %s: read PDF: %v", r.URL, err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("print %s: output starts %q, want %%PDF-", r.URL, pdf[:min(len(pdf), 16)])
	}
	t.Logf("print %s: %d bytes of PDF; looking for %d navigation texts: %s", r.URL, len(pdf), len(chrome), strings.Join(chrome, " "))

	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		skipOrFail(t, "pdftotext not installed (apt-get install -y poppler-utils): cannot check the PDF's text")
	}
	file := filepath.Join(t.TempDir(), "page.pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), stepTimeout)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, "-raw", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext: %v", err)
	}
	text := squeeze(string(out))
	lacks := false
	for _, want := range []string{"索引号", h.IndexNo, squeeze(h.Title), r.DocNo()} {
		if want != "" && !strings.Contains(text, want) {
			t.Errorf("printed %s lacks %q", r.URL, want)
			lacks = true
		}
	}
	if lacks {
		t.Logf("pdftotext of %s:\n%s", r.URL, out[:min(len(out), 2000)])
	}
	for _, s := range chrome {
		if strings.Contains(text, s) {
			t.Errorf("printed %s shows the navigation text %q", r.URL, s)
		}
	}
	tb.check("print " + r.URL)
}

// squeeze drops all white space, which PDF text extraction puts between
// lines and sometimes between CJK characters.
func squeeze(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, s)
}
