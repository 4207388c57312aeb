package cli

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"gongkai/generator"
)

// TestIncrementalMatchesFull applies a seeded random sequence of edits to a
// copy of the sample portal: a body, a title, a new record, a deleted record
// (with its redirect), a withheld record, an attachment's bytes, an
// interpretation's link to its policy, site.yaml's navigation and the build
// date. After each edit it builds incrementally, and builds the same state
// with -full from a copy of the same previous build (feed dates and
// withdrawn pages depend on the previous build, so "the same state" is the
// same content and the same previous build), and compares every file of
// the two sites and of their state files byte for byte, and the sets of
// their files (no file more or less). An edit that makes the content
// invalid must fail both builds and is undone. The incremental builds run
// one after another on the same folder, so from the third build on each is
// staged in the generation before the live one, recycled (internal/publish
// BeginRecycling): the comparison proves that what it keeps, replaces and
// sweeps gives the full build's site.
func TestIncrementalMatchesFull(t *testing.T) {
	incrementalMatchesFull(t, uint64(20261202), nil)
}

// TestIncrementalWarmMatchesFull is TestIncrementalMatchesFull through the
// warm path the live preview takes: every incremental build runs with the
// same generator.Warm, which keeps the record files' bytes and the cache
// packs in memory between builds. The sources are left alone for longer
// than the warm path's racy window (generator's warmRacy) before the
// edits begin, so that the files no step edits come from memory; the test
// fails unless some did.
func TestIncrementalWarmMatchesFull(t *testing.T) {
	incrementalMatchesFull(t, uint64(20261203), generator.NewWarm())
}

// incrementalMatchesFull is TestIncrementalMatchesFull with the seed, and
// with warm (when not nil) kept by every incremental build.
func incrementalMatchesFull(t *testing.T, seed uint64, warm *generator.Warm) {
	steps := 14
	if testing.Short() {
		steps = 4
	}
	// GONGKAI_INCR_STEPS runs a longer sequence and GONGKAI_INCR_SEED
	// another one (a search for an edit whose pages' keys miss a
	// dependency).
	if n, err := strconv.Atoi(os.Getenv("GONGKAI_INCR_STEPS")); err == nil && n > 0 {
		steps = n
	}
	if n, err := strconv.ParseUint(os.Getenv("GONGKAI_INCR_SEED"), 10, 64); err == nil {
		seed = n
	}
	rng := rand.New(rand.NewPCG(seed, seed))
	site := t.TempDir()
	copyTree(t, "../../../content", filepath.Join(site, "content"))
	work := t.TempDir()
	out := filepath.Join(work, "public")
	date := "2026-11-27"
	// Without a Warm the builds are gongkai build's, which maps the
	// previous build's packs and takes unchanged record files from them;
	// either way the files are left alone long enough to be kept.
	sf := siteFlags{source: site, out: out, date: date, warm: warm, mapPacks: warm == nil}
	time.Sleep(warmQuiet)
	mustBuild(t, sf, "first build")

	e := &sampleEditor{t: t, site: site, rng: rng}
	var reused, recycled, parsed, warmFiles, warmPacks, stateFiles int
	for step := 1; step <= steps; step++ {
		kind := e.kinds()[rng.IntN(len(e.kinds()))]
		if step <= len(e.kinds()) {
			kind = e.kinds()[step-1] // every kind at least once
		}
		what, undo := e.apply(kind, &date)
		sf.date = date
		ref := filepath.Join(t.TempDir(), "public")
		copyTree(t, out, ref)
		copyTree(t, out+".search", ref+".search")
		if step == 3 {
			// Damaged caches cost work, never bytes.
			what += ", with every incremental cache file damaged"
			damageCaches(t, out+".search")
		}
		full := sf
		full.out, full.full, full.warm = ref, true, nil

		var stderr strings.Builder
		sum, code := build(context.Background(), sf, io.Discard, &stderr)
		fsum, fcode := build(context.Background(), full, io.Discard, io.Discard)
		t.Logf("step %d: %s: exit %d/%d", step, what, code, fcode)
		if code != 0 {
			t.Logf("step %d: undone: %s", step, firstErrors(stderr.String()))
		}
		if code != fcode {
			t.Fatalf("step %d (%s): incremental build exit %d, full build exit %d", step, what, code, fcode)
		}
		if code != 0 {
			undo()
			continue
		}
		if fi := fsum.incremental; fi.Linked != 0 || fi.Skipped != 0 || fi.Kept != 0 || fi.BodyTexts != 0 || fi.BodyHTML != 0 || fi.Parsed != 0 {
			t.Fatalf("step %d: the -full build reused %+v", step, fsum.incremental)
		}
		reused += sum.incremental.Skipped
		parsed += sum.incremental.Parsed
		warmFiles += sum.incremental.WarmFiles
		warmPacks += sum.incremental.WarmPacks
		stateFiles += sum.incremental.StateFiles
		if sum.incremental.Kept > 0 {
			recycled++
		}
		t.Logf("step %d: incremental wrote %d files, linked %d, kept %d in place, swept %d, did not render %d pages; reused %d front matters, %d body texts, %d bodies' HTML",
			step, sum.incremental.Written, sum.incremental.Linked, sum.incremental.Kept, sum.incremental.Swept, sum.incremental.Skipped, sum.incremental.Parsed, sum.incremental.BodyTexts, sum.incremental.BodyHTML)
		compareTrees(t, fmt.Sprintf("step %d (%s)", step, what), out, ref)
		// The caches too: an incremental build leaves the state a -full
		// build leaves (reproducible, whether packs were linked or written).
		compareTrees(t, fmt.Sprintf("step %d (%s): body packs", step, what), out+".search/bodies", ref+".search/bodies")
		compareTrees(t, fmt.Sprintf("step %d (%s): parse packs", step, what), out+".search/parsed", ref+".search/parsed")
		for _, f := range []string{"gongkai-urls.txt", "feeds/state.json", "withdrawn.json", "scheduled.json", "incremental.bin"} {
			a, aerr := os.ReadFile(filepath.Join(out+".search", f))
			b, berr := os.ReadFile(filepath.Join(ref+".search", f))
			if string(a) != string(b) || (aerr == nil) != (berr == nil) {
				t.Errorf("step %d (%s): state file %s differs", step, what, f)
			}
		}
		if t.Failed() {
			t.FailNow()
		}
	}
	if reused == 0 || parsed == 0 {
		t.Errorf("no incremental build skipped a page (%d) or reused a parse (%d): the test proves nothing about reuse", reused, parsed)
	}
	if warm != nil && (warmFiles == 0 || warmPacks == 0) {
		t.Errorf("the warm builds took %d record files and %d packs from memory: the test proves nothing about the warm path", warmFiles, warmPacks)
	}
	if warm == nil && stateFiles == 0 {
		t.Errorf("the builds took no record file from the state folder's mapped packs: the test proves nothing about them")
	}
	t.Logf("from memory: %d record files, %d packs; from the state folder: %d record files", warmFiles, warmPacks, stateFiles)
	if recycled < 2 {
		t.Errorf("only %d incremental builds kept files of a recycled generation: the test proves too little about recycling", recycled)
	}
}

// damageCaches flips a byte in the middle of the incremental manifest and
// of every pack of the state folder dir.
func damageCaches(t *testing.T, dir string) {
	t.Helper()
	n := 0
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, p)
		if rel != "incremental.bin" && !strings.HasPrefix(rel, "bodies/") && !strings.HasPrefix(rel, "parsed/") {
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		data[len(data)/2] ^= 0x10
		// A new file: the old one may be linked into another generation.
		if err := os.Remove(p); err != nil {
			return err
		}
		n++
		return os.WriteFile(p, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Fatalf("damaged only %d cache files in %s", n, dir)
	}
}

// TestIncrementalWithheldLeavesEveryOutput publishes a record carrying a
// marker in its title, body and attachment, builds, then withholds it and
// builds incrementally: the marker must be gone from every file of the site
// and its search folder, though most pages are linked from the build that
// showed it.
func TestIncrementalWithheldLeavesEveryOutput(t *testing.T) {
	const marker = "INCR-WITHHELD-MARKER-9d2c"
	_, p, s, sf := markedPolicySite(t, marker)
	out := sf.out
	writeFile(t, p, strings.Replace(s, "disclosure: 主动公开", "disclosure: 依申请公开", 1))
	sum := mustBuild(t, sf, "incremental build after withholding")
	if sum.incremental.Linked < 100 {
		t.Errorf("the incremental build linked only %d files; it did not run incrementally", sum.incremental.Linked)
	}
	assertNoMarker(t, out, marker)
}

// warmQuiet is longer than the warm path's racy window (generator's
// warmRacy, 3 s): files left alone for it are kept in memory when read.
const warmQuiet = 3500 * time.Millisecond

// TestWarmStampedEditWithholds withholds a published record carrying a
// marker through the warm path in the way most likely to fool a cache of
// file stamps: the file keeps its size (主动公开 and 不予公开 are the same
// length) and its modification time is set back to what it was. Its
// change time still moves, so the warm build reads it again: the marker
// must be gone from every output, and the build must equal a cold -full
// build of the same state.
func TestWarmStampedEditWithholds(t *testing.T) {
	const marker = "WARM-STAMP-MARKER-51e7"
	_, p, s, sf := markedPolicySite(t, marker)
	sf.warm = generator.NewWarm()
	time.Sleep(warmQuiet)
	mustBuild(t, sf, "warm build that reads every file")
	sum := mustBuild(t, sf, "warm build from memory")
	if sum.incremental.WarmFiles == 0 {
		t.Fatalf("the second warm build took no record file from memory: %+v", sum.incremental)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	withheld := strings.Replace(s, "disclosure: "+generator.Proactive, "disclosure: "+generator.NotPublic, 1)
	if withheld == s || len(withheld) != len(s) {
		t.Fatalf("the edit must keep the size of %s", p)
	}
	writeFile(t, p, withheld)
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if got, err := os.Stat(p); err != nil || got.Size() != fi.Size() || !got.ModTime().Equal(fi.ModTime()) {
		t.Fatalf("the edit changed the size or modification time of %s: %v", p, err)
	}
	// The cold build starts from a copy of the same previous build (the
	// withheld record's page becomes a withdrawal notice after it).
	ref := filepath.Join(t.TempDir(), "public")
	copyTree(t, sf.out, ref)
	copyTree(t, sf.out+".search", ref+".search")
	mustBuild(t, sf, "warm build after withholding")
	assertNoMarker(t, sf.out, marker)
	full := sf
	full.out, full.full, full.warm = ref, true, nil
	mustBuild(t, full, "cold -full build")
	compareTrees(t, "warm build after withholding", sf.out, ref)
}

// TestColdStampedEditWithholds is TestWarmStampedEditWithholds for
// builds in a fresh process, which take unchanged record files from the
// previous build's state folder by their stamp (generator's fileStore):
// an edit that keeps the file's size and modification time (not its
// change time) withholds the record, and a state folder copied beside
// another site folder lends it nothing.
func TestColdStampedEditWithholds(t *testing.T) {
	const marker = "COLD-STAMP-MARKER-8c2d"
	site, p, s, sf := markedPolicySite(t, marker)
	sf.mapPacks = true // as gongkai build
	time.Sleep(warmQuiet)
	mustBuild(t, sf, "build that reads every file")
	packs := filePacks(t, sf.out+".search")
	sum := mustBuild(t, sf, "build from the state folder")
	if inc := sum.incremental; inc.StateFiles == 0 || inc.StateFiles != inc.Parsed {
		t.Fatalf("the second build took %d record files from the state folder, and %d front matters from the parse cache: %+v", inc.StateFiles, inc.Parsed, inc)
	}
	// Nothing changed: every pack is the one before, linked, not written
	// again (the entries carry every sum the build asks for).
	second := filePacks(t, sf.out+".search")
	mustBuild(t, sf, "third build")
	third := filePacks(t, sf.out+".search")
	if len(packs) == 0 || !maps.Equal(packs, second) || !maps.Equal(second, third) {
		t.Fatalf("builds without a change wrote file packs again: inodes %v, then %v, then %v", packs, second, third)
	}
	// The same content in another folder, with a copy of the same output
	// and state: its files have other stamps, and the packs name the
	// folder they were read from.
	moved := filepath.Join(t.TempDir(), "site")
	copyTree(t, site, moved)
	other := sf
	other.source, other.out = moved, filepath.Join(t.TempDir(), "public")
	copyTree(t, sf.out, other.out)
	copyTree(t, sf.out+".search", other.out+".search")
	if got := mustBuild(t, other, "build of the copied site"); got.incremental.StateFiles != 0 {
		t.Errorf("a build of another folder took %d record files from the copied state folder", got.incremental.StateFiles)
	}
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	withheld := strings.Replace(s, "disclosure: "+generator.Proactive, "disclosure: "+generator.NotPublic, 1)
	if withheld == s || len(withheld) != len(s) {
		t.Fatalf("the edit must keep the size of %s", p)
	}
	writeFile(t, p, withheld)
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if got, err := os.Stat(p); err != nil || got.Size() != fi.Size() || !got.ModTime().Equal(fi.ModTime()) {
		t.Fatalf("the edit changed the size or modification time of %s: %v", p, err)
	}
	ref := filepath.Join(t.TempDir(), "public")
	copyTree(t, sf.out, ref)
	copyTree(t, sf.out+".search", ref+".search")
	sum = mustBuild(t, sf, "build after withholding")
	assertNoMarker(t, sf.out, marker)
	if sum.incremental.StateFiles == 0 {
		t.Errorf("the build after the edit took no record file from the state folder: %+v", sum.incremental)
	}
	full := sf
	full.out, full.full = ref, true
	mustBuild(t, full, "-full build")
	compareTrees(t, "build after withholding", sf.out, ref)
}

// filePacks returns the inode of each file pack (files/*.bin) in the state
// folder dir, by name.
func filePacks(t *testing.T, dir string) map[string]uint64 {
	t.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "files", "*.bin"))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]uint64{}
	for _, n := range names {
		fi, err := os.Stat(n)
		if err != nil {
			t.Fatal(err)
		}
		st, ok := fi.Sys().(*syscall.Stat_t)
		if !ok {
			t.Skip("no inode numbers here")
		}
		out[filepath.Base(n)] = st.Ino
	}
	return out
}

// firstErrors returns the error lines of a build's stderr, at most three.
func firstErrors(stderr string) string {
	var errs []string
	for _, l := range strings.Split(stderr, "\n") {
		if l != "" && !strings.Contains(l, ": warning: ") && len(errs) < 3 {
			errs = append(errs, l)
		}
	}
	return strings.Join(errs, "; ")
}

func mustBuild(t *testing.T, sf siteFlags, what string) *buildSummary {
	t.Helper()
	var stderr strings.Builder
	sum, code := build(context.Background(), sf, io.Discard, &stderr)
	if code != 0 {
		t.Fatalf("%s: exit %d\n%s", what, code, stderr.String())
	}
	return sum
}

// compareTrees fails unless the folders a and b hold the same files with
// the same bytes.
func compareTrees(t *testing.T, what, a, b string) {
	t.Helper()
	sa, sb := snapshot(t, a), snapshot(t, b)
	for _, p := range slices.Sorted(func(yield func(string) bool) {
		for k := range sa {
			if !yield(k) {
				return
			}
		}
	}) {
		other, ok := sb[p]
		switch {
		case !ok:
			t.Errorf("%s: %s is only in the incremental build", what, p)
		case other != sa[p]:
			t.Errorf("%s: %s differs from the full build", what, p)
		}
	}
	for p := range sb {
		if _, ok := sa[p]; !ok {
			t.Errorf("%s: %s is only in the full build", what, p)
		}
	}
}

// copyTree copies the folder src to dst (regular files and folders only).
func copyTree(t testing.TB, src, dst string) {
	t.Helper()
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, data, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func appendFile(t testing.TB, p, s string) {
	t.Helper()
	f, err := os.OpenFile(p, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString(s); err != nil {
		t.Fatal(err)
	}
}

// sampleEditor makes random edits to a copy of the sample portal.
type sampleEditor struct {
	t    *testing.T
	site string
	rng  *rand.Rand
	n    int
}

func (e *sampleEditor) kinds() []string {
	return []string{"body", "title", "add", "delete", "withhold", "attachment", "interpretation", "nav", "date", "field", "pubdate", "field"}
}

// published returns the published records of the folder dir under
// content/ (all folders when dir is empty).
func (e *sampleEditor) published(dir string) []string {
	var out []string
	root := filepath.Join(e.site, "content", dir)
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") {
			return err
		}
		b, _ := os.ReadFile(p)
		if strings.Contains(string(b), "\ndisclosure: 主动公开\n") && !strings.Contains(string(b), "\nwithdrawn:") {
			out = append(out, p)
		}
		return nil
	})
	slices.Sort(out)
	return out
}

func (e *sampleEditor) pick(list []string) string {
	if len(list) == 0 {
		e.t.Fatal("nothing to edit")
	}
	return list[e.rng.IntN(len(list))]
}

// save returns a function that restores the file p (or removes it, when it
// does not exist now).
func (e *sampleEditor) save(p string) func() {
	old, err := os.ReadFile(p)
	if err != nil {
		return func() { os.Remove(p) }
	}
	return func() { writeFile(e.t, p, string(old)) }
}

// apply makes one edit of the kind and returns a description of it and
// its undo.
func (e *sampleEditor) apply(kind string, date *string) (string, func()) {
	t := e.t
	e.n++
	rel := func(p string) string { r, _ := filepath.Rel(e.site, p); return r }
	switch kind {
	case "body":
		p := e.pick(e.published(""))
		undo := e.save(p)
		appendFile(t, p, fmt.Sprintf("\n第%d次修改的段落。\n", e.n))
		return "body of " + rel(p), undo
	case "title":
		p := e.pick(e.published("policies"))
		undo := e.save(p)
		b, _ := os.ReadFile(p)
		writeFile(t, p, strings.Replace(string(b), "\ntitle: ", fmt.Sprintf("\ntitle: （第%d次修改）", e.n), 1))
		return "title of " + rel(p), undo
	case "add":
		src := e.pick(e.published("policies"))
		b, _ := os.ReadFile(src)
		s := regexp.MustCompile(`(?m)^index_no: (\S+)/(\d{4})-\d+$`).ReplaceAllString(string(b), fmt.Sprintf("index_no: $1/$2-%05d", 90000+e.n))
		s = regexp.MustCompile(`(?m)^doc_no: .*$`).ReplaceAllString(s, fmt.Sprintf("doc_no: 云测发〔2026〕%d号", 900+e.n))
		s = regexp.MustCompile(`(?m)^(interpretations|related):.*\n(  .*\n)*`).ReplaceAllString(s, "")
		s = strings.Replace(s, "\ntitle: ", fmt.Sprintf("\ntitle: 新增文件%d：", e.n), 1)
		p := filepath.Join(filepath.Dir(src), fmt.Sprintf("zz-added-%d.md", e.n))
		writeFile(t, p, s)
		return "added " + rel(p) + " (from " + rel(src) + ")", func() { os.Remove(p) }
	case "delete":
		// A policy no other record names (by its index number) can go.
		var all strings.Builder
		for _, p := range e.published("") {
			b, _ := os.ReadFile(p)
			all.Write(b)
		}
		var free []string
		for _, p := range e.published("policies") {
			b, _ := os.ReadFile(p)
			m := regexp.MustCompile(`(?m)^index_no: (\S+)$`).FindSubmatch(b)
			if m != nil && strings.Count(all.String(), string(m[1])) == 1 {
				free = append(free, p)
			}
		}
		p := e.pick(free)
		undoFile := e.save(p)
		b, _ := os.ReadFile(p)
		m := regexp.MustCompile(`(?m)^index_no: (\S+)$`).FindStringSubmatch(string(b))
		if m == nil {
			t.Fatalf("%s has no index_no", p)
		}
		url := "/policy/" + strings.ToLower(strings.ReplaceAll(m[1], "/", "-")) + ".html"
		red := filepath.Join(e.site, "content/redirects.yaml")
		undoRed := e.save(red)
		appendFile(t, red, "  - from: "+url+"\n    to: /policy/\n")
		if err := os.Remove(p); err != nil {
			t.Fatal(err)
		}
		return "deleted " + rel(p) + " with a redirect from " + url, func() { undoFile(); undoRed() }
	case "withhold":
		p := e.pick(e.published(""))
		undo := e.save(p)
		b, _ := os.ReadFile(p)
		writeFile(t, p, strings.Replace(string(b), "\ndisclosure: 主动公开\n", "\ndisclosure: 依申请公开\n", 1))
		return "withheld " + rel(p), undo
	case "attachment":
		var atts []string
		for _, p := range e.published("") {
			b, _ := os.ReadFile(p)
			for _, m := range regexp.MustCompile(`file: (attachments/\S+)`).FindAllStringSubmatch(string(b), -1) {
				atts = append(atts, filepath.Join(e.site, "content", m[1]))
			}
		}
		p := e.pick(atts)
		undo := e.save(p)
		b, _ := os.ReadFile(p)
		if len(b) > 0 && e.rng.IntN(2) == 0 {
			b[len(b)-1] ^= 1 // the same size, other bytes
		} else {
			b = append(b, '\n')
		}
		writeFile(t, p, string(b))
		return "attachment " + rel(p), undo
	case "interpretation":
		var nos []string
		for _, p := range e.published("policies") {
			b, _ := os.ReadFile(p)
			if m := regexp.MustCompile(`(?m)^index_no: (\S+)$`).FindStringSubmatch(string(b)); m != nil {
				nos = append(nos, m[1])
			}
		}
		// An interpretation that no policy lists among its
		// interpretations can move to another policy.
		var policies strings.Builder
		for _, p := range e.published("policies") {
			b, _ := os.ReadFile(p)
			policies.Write(b)
		}
		var withDoc []string
		for _, p := range e.published("interpretations") {
			b, _ := os.ReadFile(p)
			m := regexp.MustCompile(`(?m)^index_no: (\S+)$`).FindSubmatch(b)
			if regexp.MustCompile(`(?m)^document: \S+$`).Match(b) && m != nil && !strings.Contains(policies.String(), string(m[1])) {
				withDoc = append(withDoc, p)
			}
		}
		p := e.pick(withDoc)
		undo := e.save(p)
		b, _ := os.ReadFile(p)
		no := e.pick(nos)
		writeFile(t, p, regexp.MustCompile(`(?m)^document: \S+$`).ReplaceAllString(string(b), "document: "+no))
		return "interpretation " + rel(p) + " now on " + no, undo
	case "nav":
		p := filepath.Join(e.site, "content/site.yaml")
		undo := e.save(p)
		b, _ := os.ReadFile(p)
		writeFile(t, p, strings.Replace(string(b), "{title: 政策解读,", fmt.Sprintf("{title: 政策解读%d,", e.n), 1))
		return "site.yaml nav", undo
	case "field":
		// A free-text field (one with Chinese in its value) of the
		// front matter of any published record, of any kind: what the
		// record's page and every page that shows it must follow.
		fieldRE := regexp.MustCompile(`(?m)^( *(?:- )?[a-z_]+: )([^\n\[{|>]*\p{Han}[^\n]*)$`)
		var cands [][2]string
		for _, p := range e.published("") {
			b, _ := os.ReadFile(p)
			front, _, ok := strings.Cut(strings.TrimPrefix(string(b), "---\n"), "\n---\n")
			if !ok {
				continue
			}
			for _, m := range fieldRE.FindAllStringSubmatch(front, -1) {
				if !strings.HasPrefix(strings.TrimSpace(m[1]), "disclosure:") {
					cands = append(cands, [2]string{p, m[0]})
				}
			}
		}
		c := cands[e.rng.IntN(len(cands))]
		p := c[0]
		undo := e.save(p)
		b, _ := os.ReadFile(p)
		line := strings.TrimRight(c[1], " ")
		edited := line + fmt.Sprintf("（第%d次修改）", e.n)
		if strings.HasSuffix(line, "\"") || strings.HasSuffix(line, "'") {
			q := line[len(line)-1:]
			edited = strings.TrimSuffix(line, q) + fmt.Sprintf("（第%d次修改）", e.n) + q
		}
		writeFile(t, p, strings.Replace(string(b), line+"\n", edited+"\n", 1))
		return fmt.Sprintf("field %q of %s", strings.TrimSpace(line), rel(p)), undo
	case "pubdate":
		// A record moves in every list ordered by date.
		dateRE := regexp.MustCompile(`(?m)^date_published: (\d{4})-(\d{2})-(\d{2})`)
		var cands []string
		for _, p := range e.published("") {
			b, _ := os.ReadFile(p)
			if dateRE.Match(b) {
				cands = append(cands, p)
			}
		}
		p := e.pick(cands)
		undo := e.save(p)
		b, _ := os.ReadFile(p)
		nd := fmt.Sprintf("date_published: %d-%02d-%02d", 2019+e.rng.IntN(7), 1+e.rng.IntN(12), 1+e.rng.IntN(28))
		writeFile(t, p, dateRE.ReplaceAllString(string(b), nd))
		return nd + " in " + rel(p), undo
	case "date":
		old := *date
		*date = fmt.Sprintf("2026-11-%02d", 27+e.rng.IntN(3))
		return "date " + *date, func() { *date = old }
	}
	t.Fatalf("unknown edit %q", kind)
	return "", nil
}

// markedPolicySite copies the sample portal with marker in a published
// policy's title, body and attachment, builds it, checks that the marker
// reached at least five files, and returns the site, the policy's path and
// text, and the build's flags.
func markedPolicySite(t *testing.T, marker string) (site, p, s string, sf siteFlags) {
	t.Helper()
	site = t.TempDir()
	copyTree(t, "../../../content", filepath.Join(site, "content"))
	p = filepath.Join(site, "content/policies/2023-puhui-youeryuan.md")
	data, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	s = strings.Replace(string(data), "title: ", "title: "+marker, 1) + "\n" + marker + "正文。\n"
	writeFile(t, p, s)
	att := regexp.MustCompile(`file: (attachments/\S+)`).FindStringSubmatch(s)
	if att == nil {
		t.Fatalf("%s has no attachment", p)
	}
	appendFile(t, filepath.Join(site, "content", att[1]), "\n"+marker+"\n")
	sf = siteFlags{source: site, out: filepath.Join(t.TempDir(), "public"), date: "2026-11-27"}
	mustBuild(t, sf, "first build")
	if got := filesWith(t, sf.out, marker); len(got) < 5 {
		t.Fatalf("the marker reached only %v; the test would prove nothing", got)
	}
	return site, p, s, sf
}
