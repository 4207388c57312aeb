package cli

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf16"
)

// The tiny site's withheld record content/policies/secret.md and its
// attachment content/attachments/secret.txt carry this marker.
const withheldMarker = "LEAKMARKER-7f3a"

// assertNoMarker fails when any file of the built site or its search folder
// holds one of the markers, in UTF-8 or in the UTF-16 the search index
// stores its text in.
func assertNoMarker(t *testing.T, out string, markers ...string) {
	t.Helper()
	n := 0
	for _, dir := range []string{out, out + ".search"} {
		for p, data := range snapshot(t, dir) {
			n++
			for _, m := range markers {
				u16 := utf16.Encode([]rune(m))
				le := make([]byte, 0, 2*len(u16))
				for _, u := range u16 {
					le = append(le, byte(u), byte(u>>8))
				}
				if strings.Contains(data, m) || strings.Contains(data, string(le)) {
					t.Errorf("%s contains the marker %q", filepath.Join(dir, p), m)
				}
			}
		}
	}
	if n < 50 {
		t.Fatalf("only %d files checked; the test would prove nothing", n)
	}
}

func edit(t *testing.T, p, old, new string) {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(old)) {
		t.Fatalf("%s does not contain %q", p, old)
	}
	if err := os.WriteFile(p, bytes.Replace(b, []byte(old), []byte(new), 1), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLeakPaths plants, for each way a withheld file or a file from outside
// content/ could reach the output, a marker on that path, and checks that
// check and build refuse with the exact message, exit 1, and that no byte of
// the live site or its index holds the marker.
func TestLeakPaths(t *testing.T) {
	const outsideMarker = "OUTSIDE-MARKER-5c1e"
	for _, tc := range []struct {
		name  string
		plant func(t *testing.T, site, outside string)
		want  []string // lines of stderr, exactly
	}{
		{
			name: "symlinked attachment to a file outside",
			plant: func(t *testing.T, site, outside string) {
				form := filepath.Join(site, "content/attachments/form.csv")
				os.Remove(form)
				if err := os.Symlink(outside, form); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"content/attachments/form.csv: attachment is a symlink; copy the file instead"},
		},
		{
			name: "symlinked attachment to a withheld attachment",
			plant: func(t *testing.T, site, outside string) {
				form := filepath.Join(site, "content/attachments/form.csv")
				os.Remove(form)
				if err := os.Symlink("secret.txt", form); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"content/attachments/form.csv: attachment is a symlink; copy the file instead"},
		},
		{
			name: "published record naming a withheld record's attachment",
			plant: func(t *testing.T, site, outside string) {
				edit(t, filepath.Join(site, "content/policies/a.md"), "file: attachments/form.csv", "file: attachments/secret.txt")
			},
			want: []string{"content/policies/a.md:19: attachments[0].file: content/attachments/secret.txt is an attachment of withheld content/policies/secret.md; a file of a record that is not published is never copied"},
		},
		{
			name: "byte-identical copy of a withheld attachment",
			plant: func(t *testing.T, site, outside string) {
				b, _ := os.ReadFile(filepath.Join(site, "content/attachments/secret.txt"))
				os.WriteFile(filepath.Join(site, "content/attachments/copy.txt"), b, 0o644)
				edit(t, filepath.Join(site, "content/policies/a.md"), "file: attachments/form.csv", "file: attachments/copy.txt")
			},
			want: []string{"content/policies/a.md:19: attachments[0].file: content/attachments/copy.txt has the same bytes as content/attachments/secret.txt, an attachment of withheld content/policies/secret.md; a file of a record that is not published is never copied"},
		},
		{
			name: "symlinked Markdown record",
			plant: func(t *testing.T, site, outside string) {
				md := filepath.Join(filepath.Dir(outside), "evil.md")
				os.WriteFile(md, []byte("---\ndisclosure: 主动公开\ntitle: "+outsideMarker+"\nslug: evil\ndate_published: 2024-01-01\n---\n"+outsideMarker+"\n"), 0o644)
				if err := os.Symlink(md, filepath.Join(site, "content/pages/evil.md")); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{"content/pages/evil.md: record is a symlink; copy the file instead"},
		},
		{
			name: "hard link to a withheld attachment",
			plant: func(t *testing.T, site, outside string) {
				form := filepath.Join(site, "content/attachments/form.csv")
				os.Remove(form)
				if err := os.Link(filepath.Join(site, "content/attachments/secret.txt"), form); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{
				"content/attachments/form.csv: attachment is a hard link (2 names for one file); copy the file instead",
				"content/attachments/secret.txt: attachment is a hard link (2 names for one file); copy the file instead",
			},
		},
		{
			name: "named pipes as attachment and record",
			plant: func(t *testing.T, site, outside string) {
				form := filepath.Join(site, "content/attachments/form.csv")
				os.Remove(form)
				if err := syscall.Mkfifo(form, 0o644); err != nil {
					t.Fatal(err)
				}
				if err := syscall.Mkfifo(filepath.Join(site, "content/pages/pipe.md"), 0o644); err != nil {
					t.Fatal(err)
				}
			},
			want: []string{
				"content/attachments/form.csv: attachment is a named pipe (FIFO); only regular files are read",
				"content/pages/pipe.md: record is a named pipe (FIFO); only regular files are read",
			},
		},
		{
			name: "body link to a withheld record",
			plant: func(t *testing.T, site, outside string) {
				edit(t, filepath.Join(site, "content/policies/a.md"), "第一条 为了测试，制定本通知。",
					"第一条 为了测试，制定本通知。见[内部文件](/policy/mb0000001-2024-00009.html)。")
			},
			want: []string{"content/policies/a.md:24: body: link to /policy/mb0000001-2024-00009.html (the page of withheld content/policies/secret.md): a published page never points at what is not published"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			site := writeSite(t, tinySite)
			out := filepath.Join(site, "public")
			if code, _, stderr := run(t, "build", "-source", site, "-out", out, "-date", "2024-12-01"); code != 0 {
				t.Fatalf("first build: exit %d\n%s", code, stderr)
			}
			before := snapshot(t, out)
			outside := filepath.Join(t.TempDir(), "passwd")
			os.WriteFile(outside, []byte(outsideMarker+" root:x:0:0\n"), 0o644)
			tc.plant(t, site, outside)
			for _, cmd := range []string{"check", "build"} {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				var o, e bytes.Buffer
				start := time.Now()
				code := Run(ctx, []string{cmd, "-source", site, "-out", out, "-date", "2024-12-01"}, &o, &e)
				took := time.Since(start)
				cancel()
				if code != 1 {
					t.Errorf("%s: exit %d, want 1\n%s", cmd, code, e.String())
				}
				if took > 10*time.Second {
					t.Errorf("%s took %s: it waited on something", cmd, took)
				}
				lines := strings.Split(e.String(), "\n")
				for _, w := range tc.want {
					if !contains(lines, w) {
						t.Errorf("%s stderr lacks the line\n%s\ngot:\n%s", cmd, w, e.String())
					}
				}
			}
			after := snapshot(t, out)
			for p, b := range before {
				if after[p] != b {
					t.Errorf("%s changed after a refused build", p)
				}
			}
			assertNoMarker(t, out, withheldMarker, outsideMarker)
		})
	}
}

func contains(lines []string, s string) bool {
	for _, l := range lines {
		if l == s {
			return true
		}
	}
	return false
}
