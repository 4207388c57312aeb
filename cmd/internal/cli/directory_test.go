package cli

import (
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"gongkai/generator"
)

// checkSampleDirectory walks the sample's disclosure directory (公开目录)
// in the built site out: every category has its list page, showing its
// records or its dated 本机关无此类信息 statement; every record a category
// lists as its own is a row of the catalogue CSV under that category; the
// guide lists every category, and the empty ones with their statement; and
// every item of 条例 art. 20 (一)–(十四) is covered by a category with a
// record or an explicit statement.
func checkSampleDirectory(t *testing.T, out string, date time.Time) {
	t.Helper()
	c, err := generator.Load(context.Background(), os.DirFS("../../.."), date)
	if err != nil {
		t.Fatal(err)
	}
	d := c.Directory
	if d == nil || len(d.All) < 30 {
		t.Fatalf("the sample's directory has %v categories, want the full tree", d)
	}
	f, err := os.Open(filepath.Join(out, "catalogue.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	catCol := slices.Index(rows[0], "目录类别")
	if catCol < 0 {
		t.Fatalf("catalogue.csv header %q has no 目录类别 column", rows[0])
	}
	catOf := map[string]string{} // index number → 目录类别
	for _, r := range rows[1:] {
		catOf[r[0]] = r[catCol]
	}
	guide := readFile(t, filepath.Join(out, "guide/index.html"))
	covered := map[string]bool{}
	for _, cat := range d.All {
		page := readFile(t, filepath.Join(out, "directory", cat.Key, "index.html"))
		if !strings.Contains(page, "<h1>"+cat.Title()+"</h1>") {
			t.Errorf("directory/%s/: no heading %q", cat.Key, cat.Title())
		}
		if !strings.Contains(guide, `href="/directory/`+cat.Key+`/"`) {
			t.Errorf("the guide does not link category %s", cat.Key)
		}
		switch st := cat.Statement(); {
		case !cat.IsEmpty():
			covered[cat.Basis] = true
			for _, r := range cat.Records[:min(len(cat.Records), 20)] {
				if !strings.Contains(page, `href="`+r.URL+`"`) {
					t.Errorf("directory/%s/ does not list %s", cat.Key, r.Path)
				}
			}
			for _, r := range cat.Own {
				if no := r.H().IndexNo; no != "" && c.Primary(r) == cat && catOf[no] != cat.Title() {
					t.Errorf("catalogue.csv: %s (%s) under %q, want %q", no, r.Path, catOf[no], cat.Title())
				}
			}
		case st != nil:
			covered[cat.Basis] = true
			for _, s := range []string{st.Statement, st.Reason, st.Date} {
				if !strings.Contains(page, s) {
					t.Errorf("directory/%s/: empty, but the page lacks %q", cat.Key, s)
				}
			}
			if !strings.Contains(guide, st.Statement+"（"+st.Date+"）") {
				t.Errorf("the guide does not state category %s empty with its date", cat.Key)
			}
		case len(cat.Children) == 0:
			t.Errorf("category %s (%s) has neither records nor an empty statement", cat.Key, cat.Title())
		}
	}
	for i := 1; i <= 14; i++ {
		b := "20." + strconv.Itoa(i)
		if !covered[b] {
			t.Errorf("条例 art. 20 item %d (%s) has no category with a record or a statement", i, generator.BasisSubject(b))
		}
	}
	// The guide offers the application form for download, from content/.
	if !strings.Contains(guide, `href="/forms/`) || !strings.Contains(guide, "download") {
		t.Error("the guide does not link the downloadable 申请表")
	}
	for _, p := range []string{"agency/index.html", "agency/szfb.html", "decision/index.html", "directory/index.html"} {
		if _, err := os.Stat(filepath.Join(out, p)); err != nil {
			t.Errorf("the sample portal has no %s", p)
		}
	}
}

func readFile(t *testing.T, p string) string {
	t.Helper()
	b, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestCheckStrictDirectory: the tiny site keeps the default directory with
// most categories empty and no statement; check warns and passes, check
// -strict makes the same lines errors and fails; a dated statement in
// site.yaml silences one.
func TestCheckStrictDirectory(t *testing.T) {
	site := writeSite(t, tinySite)
	args := []string{"check", "-inspect=false", "-source", site, "-out", filepath.Join(site, "public"), "-date", "2024-12-01"}
	const line = "generator/directory.yaml:46: directory: warning: category tongji (统计信息) has no published records; publish them, or state 本机关无此类信息 with a reason and date under empty:"
	code, _, stderr := run(t, args...)
	if code != 0 || !strings.Contains(stderr, line) {
		t.Fatalf("check = exit %d, want 0 with the warning %q\n%s", code, line, stderr)
	}
	code, _, stderr = run(t, append(args, "-strict")...)
	if want := strings.Replace(line, "warning: ", "", 1); code != 1 || !strings.Contains(stderr, want+"\n") {
		t.Fatalf("check -strict = exit %d, want 1 with the error %q\n%s", code, want, stderr)
	}
}

// TestInspectDecisionParties: the inspection adapter hands a decision's
// natural-person party and a 个体工商户's operator to PII-NAME, which flags
// a name written in full, beside the generator's own refusal; and the
// directory's categories are columns: one emptied without a statement is a
// blank column (FRESH-EMPTY).
func TestInspectDecisionParties(t *testing.T) {
	site := copySample(t)
	p := func(rel string) string { return filepath.Join(site, rel) }
	person := "content/decisions/2026-scjgj-li-shuiguo.md"
	business := "content/decisions/2026-sthjj-laowang-shaokao.md"
	edit(t, p(person), "  name: 李某某", "  name: 李建华")
	edit(t, p(business), "  representative: 王某某", "  representative: 王建国")
	// The only record of 统计信息 leaves: the category is blank.
	edit(t, p("content/info/2025-tongji-gongbao.md"), "disclosure: 主动公开", "disclosure: 依申请公开")
	code, lines, stderr := inspectionLines(t, "-source", site, "-out", p("public"), "-date", sampleDate)
	if code != 1 {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{
		fmt.Sprintf("%s:%d: PII-NAME: party name 李** names a natural person in full; write 李某某", person, lineOf(t, p(person), "  name: 李建华")),
		fmt.Sprintf("%s:%d: PII-NAME: party name 王** names a natural person in full; write 王某某", business, lineOf(t, p(business), "  representative: 王建国")),
		"column 统计信息: FRESH-EMPTY: has no published record (空白栏目)",
	} {
		if !slices.Contains(lines, want) {
			t.Errorf("no finding %q in:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	if !strings.Contains(stderr, person+":11: party.name: a natural person is published masked, as 李某某") {
		t.Errorf("the generator does not refuse the unmasked party:\n%s", stderr)
	}
	// One suggestion for one name: the inspection's (write X) and the
	// generator's (as X) come from personname.Mask.
	for _, f := range []struct{ file, field, name string }{{person, "party.name", "李建华"}, {business, "party.representative", "王建国"}} {
		inspected := regexp.MustCompile(regexp.QuoteMeta(f.file) + `:\d+: PII-NAME: .*; write (\S+)$`)
		generated := regexp.MustCompile(regexp.QuoteMeta(f.file) + `:\d+: ` + regexp.QuoteMeta(f.field) + `: .* published masked, as (\S+) \(got "` + f.name + `"\)`)
		var a, b string
		for _, l := range lines {
			if m := inspected.FindStringSubmatch(l); m != nil {
				a = m[1]
			}
		}
		if m := generated.FindStringSubmatch(stderr); m != nil {
			b = m[1]
		}
		if a == "" || a != b {
			t.Errorf("%s %s: the inspection suggests %q, the generator %q; want one suggestion", f.file, f.name, a, b)
		}
	}
}
