package generator

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"gongkai/internal/precompress"
)

// Incremental builds.
//
// A build keeps, in its state folder (swapped in together with the site, so
// it always describes the live output), a manifest of every file it wrote:
// the SHA-256 and size of its bytes and, for a page, a key. The next build
// reads it and, for each output:
//
//   - a page whose key is unchanged is not rendered: the previous build's
//     file (and its .br/.gz copies) is hard-linked into the staging folder;
//   - any other output is rendered, and when its bytes hash to the previous
//     build's, the previous file is hard-linked instead of written.
//
// A page's key hashes the build's fingerprint, the Markdown body of the
// record it shows, and what the page reaches (deps.go): its own values,
// the records they point at (each record's front matter, entry,
// attachments' sizes and revisions) with what those point at, and what its
// template can list through the View (the complaint channels of every
// footer; every record for a template that lists a kind or the directory).
// The fingerprint hashes everything else: every file under content/ that
// is not a record or an attachment, the build date, the base URL, the
// withdrawn records, and the caller's salt (the theme's files, the
// program, the flags). An edit of a record's title therefore renders its
// page and the pages that list or link it; an edit of site.yaml or of the
// theme renders every page again (writing only the files whose bytes
// changed); an edit of a body renders only the pages that show it. Feeds,
// CSV files, sitemaps and other raw outputs are always rendered, because
// they also depend on the previous build's feed state. The body is the
// only part of a record that is read for a page without being in the key
// of every page that reaches it: no page shows another record's body.
//
// Nothing of the previous build reaches the staging folder except by a
// link for an output this build plans, so a record that leaves the
// published set (withheld, withdrawn, scheduled) leaves every output: no
// page of this build reaches it, and every page that reached it before
// reaches another set of records now, so its key changed. Where the staging
// folder is the recycled generation before the live one (recycle.go), a
// file is kept in place instead of linked when its bytes are right, and
// Result.Sweep removes everything not planned.

// Incremental configures an incremental build (Options.Incremental).
type Incremental struct {
	// Previous is the previous build's state folder (the one that holds
	// its manifest); the previous live output is Options.PreviousOut.
	Previous string
	// Salt is everything outside the content that shapes every output:
	// the theme's files, the program and the flags.
	Salt []byte
	// Full renders and writes every output, ignoring the previous build
	// (the manifest is still written for the next build).
	Full bool
	// Warm, when not nil, is kept by the caller from one build to the
	// next (warm.go); the content must come from LoadIncrementalWarm with
	// the same Warm.
	Warm *Warm
	// MapPacks maps the previous build's packs read-only instead of
	// reading them, in a build without a Warm (packStore.mapped). A
	// mapping stays until the process ends: for a process that runs one
	// build (gongkai build), with LoadOptions.MapPacks.
	MapPacks bool
}

// incrementalFile is the manifest of the state folder (statefile.go's
// framing; the body texts are in bodyPackDir beside it).
const incrementalFile = "incremental.bin"

// incrementalVersion changes whenever what a key covers changes.
const incrementalVersion = 4

// incrementalMagic starts the manifest.
const incrementalMagic = "gongkai incremental manifest 3\n"

type incrManifest struct {
	Version int
	Files   map[string]incrEntry // by output path (site path, "/policy/x.html")
	// Feeds holds the key of each feed file (feedSet.feedKey), by path.
	Feeds map[string][32]byte
}

type incrEntry struct {
	Key  [32]byte // zero: not reusable without rendering
	Sum  [32]byte // SHA-256 of the bytes
	Size int64
	// Text is the page's main text for the search index, for a record
	// whose search text comes from its page (Record.SearchText).
	Text    string
	HasText bool
}

// incr is one build's incremental state.
type incr struct {
	// global is the content's fingerprint, taken while the build reads
	// the previous manifest and writes the parse cache: awaitGlobal
	// waits for it, and nothing reads it before.
	global     [32]byte
	globalErr  error
	globalDone chan struct{}
	prev       map[string]incrEntry // nil: nothing to reuse
	prevOut    string
	bodies     *bodyCache
	// content is the build's, whose parse cache (when it has one) the
	// state folder keeps too.
	content *Content

	// prevFeeds and feeds are the keys of the previous build's feed
	// files and this one's.
	prevFeeds map[string][32]byte

	mu    sync.Mutex
	next  map[string]incrEntry
	feeds map[string][32]byte

	rendered, linked, skipped atomic.Int64
	linkedBytes               atomic.Int64
	feedsReused               atomic.Int64

	recycle recycleState // see recycle.go
}

// newIncr prepares an incremental build; nil when opts asks for none.
func newIncr(c *Content, opts Options) (*incr, error) {
	in := opts.Incremental
	if in == nil {
		return nil, nil
	}
	s := &incr{next: map[string]incrEntry{}, feeds: map[string][32]byte{}, prevOut: opts.PreviousOut, content: c, globalDone: make(chan struct{})}
	go func() {
		defer close(s.globalDone)
		s.global, s.globalErr = c.fingerprint(in.Salt, opts.Preview)
	}()
	prevState := ""
	if !in.Full && in.Previous != "" && opts.PreviousOut != "" {
		m := readIncrManifest(filepath.Join(in.Previous, incrementalFile))
		s.prev, s.prevFeeds = m.Files, m.Feeds
		prevState = in.Previous
	}
	s.bodies = newBodyCache(prevState, in.Salt, c.Site.UnsafeHTML, c.Site.BasePath())
	s.bodies.packs.warm = in.Warm
	s.bodies.packs.mapped = in.MapPacks
	return s, nil
}

// awaitGlobal waits for the fingerprint newIncr started and returns its
// error.
func (s *incr) awaitGlobal() error {
	if s == nil {
		return nil
	}
	<-s.globalDone
	return s.globalErr
}

// readIncrManifest returns the manifest at p, or an empty one when there
// is none or it cannot be used (the build then renders everything).
func readIncrManifest(p string) incrManifest {
	data, err := os.ReadFile(p)
	if err != nil {
		return incrManifest{}
	}
	m, err := decodeIncrManifest(data)
	if err != nil {
		return incrManifest{}
	}
	return m
}

// The manifest's entries, sorted by URL, each: the URL, a flags byte
// (entryKey, entryText), the key when flagged, the sum, the size and the
// text when flagged; then the feed files' keys, sorted by URL.
const (
	entryKey = 1 << iota
	entryText
)

func encodeIncrManifest(files map[string]incrEntry, feeds map[string][32]byte) []byte {
	w := newStateWriter(incrementalMagic, len(files)*120)
	w.uint(uint64(len(files)))
	for _, u := range slices.Sorted(maps.Keys(files)) {
		e := files[u]
		w.string(u)
		var flags uint64
		if e.Key != ([32]byte{}) {
			flags |= entryKey
		}
		if e.HasText {
			flags |= entryText
		}
		w.uint(flags)
		if flags&entryKey != 0 {
			w.sum(e.Key)
		}
		w.sum(e.Sum)
		w.uint(uint64(e.Size))
		if e.HasText {
			w.string(e.Text)
		}
	}
	w.uint(uint64(len(feeds)))
	for _, u := range slices.Sorted(maps.Keys(feeds)) {
		w.string(u)
		w.sum(feeds[u])
	}
	return w.finish()
}

func decodeIncrManifest(data []byte) (incrManifest, error) {
	r := openState(data, incrementalMagic)
	n := r.count(35)
	files := make(map[string]incrEntry, n)
	for range n {
		u := r.string()
		flags := r.uint()
		var e incrEntry
		if flags&^(entryKey|entryText) != 0 {
			r.err = errState
		}
		if flags&entryKey != 0 {
			e.Key = r.sum()
		}
		e.Sum = r.sum()
		e.Size = int64(r.uint())
		if flags&entryText != 0 {
			e.Text, e.HasText = r.string(), true
		}
		if r.err != nil {
			break
		}
		files[u] = e
	}
	n = r.count(33)
	feeds := make(map[string][32]byte, n)
	for range n {
		u := r.string()
		feeds[u] = r.sum()
	}
	if err := r.done(); err != nil {
		return incrManifest{}, err
	}
	return incrManifest{Version: incrementalVersion, Files: files, Feeds: feeds}, nil
}

// write writes the manifest, the file packs and the body packs into the
// state folder dir (the parse cache's are written before the render:
// writeParses).
func (s *incr) write(dir string) error {
	if err := replaceFile(filepath.Join(dir, incrementalFile), encodeIncrManifest(s.next, s.feeds)); err != nil {
		return err
	}
	files := s.content.files
	if files == nil {
		// A Warm keeps the files in memory: the packs a build in a
		// fresh process left in a recycled state folder go.
		files = newFileStore("", "")
	}
	if err := files.write(dir, s.content.Published); err != nil {
		return err
	}
	return s.bodies.write(dir)
}

// writeParses writes the parse cache's packs into the state folder dir
// (none when dir is empty) and releases the cache's entries, which nothing
// reads after the load.
func (s *incr) writeParses(dir string) error {
	if s == nil || dir == "" {
		return nil
	}
	pc := s.content.parses
	if pc == nil {
		return nil
	}
	if err := pc.write(dir, s.content.Published); err != nil {
		return err
	}
	pc.packs.release()
	return nil
}

func (s *incr) record(url string, e incrEntry) {
	s.mu.Lock()
	s.next[url] = e
	s.mu.Unlock()
}

// recordFeed records the key k of the feed file at url.
func (s *incr) recordFeed(url string, k [32]byte) {
	s.mu.Lock()
	s.feeds[url] = k
	s.mu.Unlock()
}

// reusableFeed reports whether the previous build's feed file at url was
// made from the inputs k hashes and is still a regular file of the size
// the previous build's manifest says it wrote, as a page whose key did
// not change (reuseOne). Its bytes are not read: reuseFeed links (or
// keeps) the file, and when it cannot, prevFeed reads them and checks
// them against the manifest's sum.
func (s *incr) reusableFeed(url string, k [32]byte) bool {
	if s.prev == nil || s.prevFeeds[url] != k {
		return false
	}
	e, ok := s.prev[url]
	if !ok {
		return false
	}
	fi, err := os.Lstat(filepath.Join(s.prevOut, outputFile(url)))
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != e.Size {
		return false
	}
	s.feedsReused.Add(1)
	return true
}

// reuseFeed keeps or links the previous build's feed file at url, which
// reusableFeed accepted, and records it in the manifest as the previous
// build did. It reports false, having done nothing, when the file cannot
// be linked: the feed is then written from prevFeed's bytes.
func (s *incr) reuseFeed(dirs *dirCache, root, url string) (int64, bool, error) {
	e, ok := s.prev[url]
	if !ok {
		return 0, false, nil
	}
	if !s.keeps(url, e.Sum, e.Size) {
		ok, err := s.link(root, outputFile(url), e.Size, dirs)
		if err != nil || !ok {
			return 0, false, err
		}
	}
	s.record(url, incrEntry{Sum: e.Sum, Size: e.Size})
	return e.Size, true, nil
}

// prevFeed returns the previous build's bytes of the feed file at url,
// which reusableFeed accepted.
func (s *incr) prevFeed(url string) ([]byte, error) {
	e := s.prev[url]
	data, err := os.ReadFile(filepath.Join(s.prevOut, outputFile(url)))
	if err == nil && (int64(len(data)) != e.Size || sha256.Sum256(data) != e.Sum) {
		err = errors.New("it changed during the build")
	}
	if err != nil {
		return nil, fmt.Errorf("reuse the previous build's %s: %w", url, err)
	}
	return data, nil
}

// key returns the key of the output o: zero for an output that must always
// be rendered. deps hashes what the page reaches (deps.go).
func (s *incr) key(o Output, deps *pageDeps) [32]byte {
	if s == nil || o.Page == nil {
		return [32]byte{}
	}
	h := sha256.New()
	h.Write(s.global[:])
	writeField(h, o.URL)
	writeField(h, strconv.FormatBool(o.NoSitemap))
	if r := o.Page.Record; r != nil {
		writeField(h, r.Path)
		body := r.bodySHA256()
		h.Write(body[:])
	} else {
		writeField(h, "")
	}
	uses, ok := deps.b.Theme.uses[o.Page.Template]
	if !ok {
		uses = viewAll
	}
	d := deps.key(o.Page, uses)
	h.Write(d[:])
	var k [32]byte
	h.Sum(k[:0])
	return k
}

// reusable returns the previous build's entry for url when its key is k.
func (s *incr) reusable(url string, k [32]byte) (incrEntry, bool) {
	if s == nil || s.prev == nil || k == ([32]byte{}) {
		return incrEntry{}, false
	}
	e, ok := s.prev[url]
	return e, ok && e.Key == k
}

// sameAsBefore returns the previous build's entry for url when it had the
// bytes summed in sum.
func (s *incr) sameAsBefore(url string, sum [32]byte, size int64) bool {
	if s == nil || s.prev == nil {
		return false
	}
	e, ok := s.prev[url]
	return ok && e.Sum == sum && e.Size == size
}

// link hard-links the previous build's file rel (size bytes) and, when
// compress is set and the file is eligible, its precompressed copies into
// root. It reports false, having linked nothing, when any of them is
// missing or has another size, or links are not possible.
func (s *incr) link(root, rel string, size int64, dirs *dirCache) (bool, error) {
	old := filepath.Join(s.prevOut, rel)
	fi, err := os.Lstat(old)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() != size {
		return false, nil
	}
	names := []string{""}
	if dirs.compress != nil && precompress.Eligible(rel, int(size)) {
		for _, suf := range precompress.Suffixes {
			if vfi, err := os.Lstat(old + suf); err != nil || !vfi.Mode().IsRegular() {
				return false, nil
			}
			names = append(names, suf)
		}
	}
	full := filepath.Join(root, rel)
	if err := dirs.mkdir(filepath.Dir(full)); err != nil {
		return false, fmt.Errorf("write %s: %w", rel, err)
	}
	if err := dirs.clear(full); err != nil {
		return false, err
	}
	for i, suf := range names {
		if err := os.Link(old+suf, full+suf); err != nil {
			for _, done := range names[:i] {
				os.Remove(full + done)
			}
			if errors.Is(err, fs.ErrExist) {
				return false, fmt.Errorf("write %s: %w", rel+suf, err)
			}
			return false, nil // another file system: write instead
		}
	}
	s.linked.Add(1)
	s.linkedBytes.Add(size)
	if len(names) > 1 && dirs.compress != nil {
		dirs.compress.reused.Add(1)
	}
	return true, nil
}

// emit writes data to root/rel, or links the previous build's file when it
// has the same bytes, and records the file with key k (and text, when
// hasText) in the manifest.
func (s *incr) emit(dirs *dirCache, root, rel, url string, data []byte, k [32]byte, text string, hasText bool) (int64, error) {
	if s == nil {
		return dirs.write(root, rel, data)
	}
	sum := sha256.Sum256(data)
	size := int64(len(data))
	s.record(url, incrEntry{Key: k, Sum: sum, Size: size, Text: text, HasText: hasText})
	if s.keeps(url, sum, size) {
		return size, nil
	}
	if s.sameAsBefore(url, sum, size) {
		ok, err := s.link(root, rel, size, dirs)
		if err != nil {
			return 0, err
		}
		if ok {
			return size, nil
		}
	}
	s.rendered.Add(1)
	return dirs.write(root, rel, data)
}

// copyAttachment copies the attachment at content path name to root/rel,
// or links the previous build's copy when the bytes are the same.
func (s *incr) copyAttachment(ctx context.Context, dirs *dirCache, fsys fs.FS, name, root, rel, url string) (int64, error) {
	if s == nil {
		return dirs.copy(ctx, fsys, name, root, rel)
	}
	if e, ok := s.prev[url]; ok {
		h := sha256.New()
		n, err := copyFile(ctx, fsys, name, h)
		if err != nil {
			return n, err
		}
		var sum [32]byte
		h.Sum(sum[:0])
		if sum == e.Sum && n == e.Size && s.keeps(url, sum, n) {
			s.record(url, incrEntry{Sum: sum, Size: n})
			return n, nil
		}
		if sum == e.Sum && n == e.Size {
			ok, err := s.link(root, rel, n, dirs)
			if err != nil {
				return 0, err
			}
			if ok {
				s.record(url, incrEntry{Sum: sum, Size: n})
				return n, nil
			}
		}
	}
	h := sha256.New()
	n, err := dirs.copyTee(ctx, fsys, name, root, rel, h)
	if err != nil {
		return n, err
	}
	var sum [32]byte
	h.Sum(sum[:0])
	s.record(url, incrEntry{Sum: sum, Size: n})
	s.rendered.Add(1)
	return n, nil
}

// fingerprint hashes everything in the content that any page can show
// except the records' Markdown bodies (see the comment at the top).
func (c *Content) fingerprint(salt []byte, preview bool) ([32]byte, error) {
	h := sha256.New()
	writeField(h, "gongkai incremental "+strconv.Itoa(incrementalVersion))
	h.Write(salt)
	writeField(h, strconv.FormatBool(preview))
	writeField(h, c.Date.Format(time.RFC3339Nano))
	writeField(h, c.Site.AbsURL("/"))
	writeField(h, c.Site.BasePath())
	// The identity images are published under names made of their
	// bytes' hash, which every page shows: an image that is also an
	// attachment (left to the keys below) is covered by them.
	writeField(h, c.Site.Identity.badgeURL+" "+c.Site.Identity.emblemURL)
	// The records and their attachments are in the keys of the pages
	// that reach them (deps.go), not in the fingerprint.
	records := make(map[string]*Record, len(c.Records))
	attached := map[string]bool{}
	for _, r := range c.Records {
		records[r.Path] = r
		for _, a := range r.H().Attached {
			attached["content"+a.URL] = true
		}
	}
	if c.fsys == nil {
		return [32]byte{}, errors.New("fingerprint: no content folder")
	}
	entry := func(p string, typ fs.FileMode) error {
		if typ.IsRegular() && (records[p] != nil || attached[p]) {
			return nil
		}
		writeField(h, p)
		writeField(h, typ.String())
		if !typ.IsRegular() {
			return nil
		}
		f, err := c.fsys.Open(p)
		if err != nil {
			return err
		}
		defer f.Close()
		writeField(h, "file")
		if _, err := io.Copy(h, f); err != nil {
			return err
		}
		writeField(h, "")
		return nil
	}
	walk := func(root string) error {
		return fs.WalkDir(c.fsys, root, func(p string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			return entry(p, d.Type())
		})
	}
	// The load's walk listed the folder (walked); a hidden folder, which
	// it does not enter, is walked here. Without its list, all of it is.
	var err error
	if c.walked == nil {
		err = walk("content")
	}
	for _, e := range c.walked {
		if e.skipped {
			err = walk(e.path)
		} else {
			err = entry(e.path, e.typ)
		}
		if err != nil {
			break
		}
	}
	if err != nil {
		return [32]byte{}, fmt.Errorf("fingerprint the content: %w", err)
	}
	more, err := json.Marshal(c.Withdrawn)
	if err != nil {
		return [32]byte{}, fmt.Errorf("fingerprint the content: %w", err)
	}
	h.Write(more)
	var g [32]byte
	h.Sum(g[:0])
	return g, nil
}

// walkedEntry is an entry of content/ as the load's walk met it.
type walkedEntry struct {
	path string
	typ  fs.FileMode
	// skipped: a hidden folder, which the load does not enter.
	skipped bool
}

// writeField writes s with its length, so that no two sequences of fields
// hash alike. s is written in place, not copied (io.WriteString copies:
// sha256's digest has no WriteString), which a hash allows: a Write keeps
// nothing of what it is given and changes none of it (io.Writer).
func writeField(h hash.Hash, s string) {
	writeFieldBytes(h, stringBytes(s))
}

// writeFieldBytes is writeField of b.
func writeFieldBytes(h hash.Hash, b []byte) {
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}

// IncrementalStats are what an incremental build reused.
type IncrementalStats struct {
	// Written counts the outputs whose files were written (rendered or
	// copied and different from the previous build's); Linked those whose
	// previous file was hard-linked, LinkedBytes their bytes.
	Written, Linked int
	LinkedBytes     int64
	// Skipped counts the pages not rendered at all because their key
	// matched.
	Skipped int
	// Kept counts the outputs left in place in a recycled staging folder
	// (recycle.go), KeptBytes their bytes; Swept the files of it removed
	// as not planned (set by the caller of Result.Sweep).
	Kept      int
	KeptBytes int64
	Swept     int
	// BodyTexts counts the bodies whose search text and headings came
	// from the previous build instead of a conversion.
	BodyTexts int
	// BodyHTML counts the bodies whose HTML (for a feed) came from the
	// previous build.
	BodyHTML int
	// Parsed counts the record files whose front matter came from the
	// previous build's parse cache instead of the YAML parser.
	Parsed int
	// Feeds counts the feed files taken from the previous build because
	// their inputs did not change (they are linked, not generated).
	Feeds int
	// WarmFiles counts the record files whose bytes came from memory
	// (Incremental.Warm) instead of a read, WarmPacks the cache packs
	// whose decoded entries did.
	WarmFiles, WarmPacks int
	// StateFiles counts the record files whose bytes came from the
	// previous build's state folder (a build without a Warm: fileStore)
	// instead of a read.
	StateFiles int
}
