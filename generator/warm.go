package generator

import (
	"context"
	"io/fs"
	"sync"
	"time"
	"unsafe"
)

// Warm is what a long-lived process (the live preview) keeps in memory
// from one incremental build to the next (Incremental.Warm), so that a
// build after a small edit does not read, hash and decode again what did
// not change:
//
//   - the bytes of each record file, kept by the file's stamp (device,
//     inode, size, modification and change times, taken with one lstat
//     in its folder, opened once per load after the checks an open makes:
//     folders). A file whose stamp differs is read again, and a file is
//     kept only when it is the one stat'd before and after the read and
//     had not been modified (nor its status changed) for warmRacy before
//     the read began (git's "racy" rule: a change made in the same tick
//     as the read could keep the stamp). With the bytes go what is a pure
//     function of them: the parse cache's sum of the file, the body
//     cache's and the page key's sums of the body (Record.bodySum), and
//     that the body passed checkText;
//   - the decoded packs of the parse and body caches (pack.go), by their
//     file's device, inode, size and modification time in the state
//     folder (not the change time: the hard link of an unchanged pack
//     into the next state folder changes it). Their entries are addressed
//     by content (each carries the sum of the bytes it was made from,
//     checked on every use), so a pack can only be missed, never wrong;
//   - what a file's entry in the parse cache decoded to (a pure function
//     of the file's bytes, its kind and the salt), handed to each build
//     as a deep copy (cloneEntry), since Derive and Link change it.
//
// Everything else (deriving the fields, every check of the fields and
// between records, the disclosure gate, the render's keys) runs on every
// build exactly as in a fresh process, so a warm build's output is
// the same as a cold one's (TestIncrementalWarmMatchesFull,
// TestWarmStampedEditWithholds in cmd/internal/cli). A build without a
// Warm (gongkai build, a fresh process) takes unchanged record files
// from the previous build's state folder under the same rules
// (fileStore) and reads the rest, and the packs, from disk. One Warm
// serves one build at a time.
type Warm struct {
	mu        sync.Mutex
	files     map[warmFileKey]*warmFile
	fileBytes int64
	packs     map[warmPackKey]*warmPack
	packBytes int64
	records   int // of the last load; -1 before one
	// texts are sums of strings by their memory (TextSum).
	texts map[textKey]*warmText
	// theme is the last theme loaded, by the sum of what it was loaded
	// from (KeepTheme).
	theme    *Theme
	themeKey [32]byte
	// fileHits and packHits count this build's reuse (hits).
	fileHits, packHits int
}

// NewWarm returns an empty Warm.
func NewWarm() *Warm {
	return &Warm{files: map[warmFileKey]*warmFile{}, packs: map[warmPackKey]*warmPack{}, records: -1, texts: map[textKey]*warmText{}}
}

// Records returns the number of records the last build with w loaded;
// -1 when none has (or w is nil).
func (w *Warm) Records() int {
	if w == nil {
		return -1
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.records
}

// fileStamp identifies one version of a file (stampOf).
type fileStamp struct {
	dev, ino           uint64
	size, mtime, ctime int64
}

// warmRacy is how long before a read a file must have been last modified
// (or its status changed) for its bytes to be kept: a later change then
// gives it another stamp even on a file system whose times are coarse.
const warmRacy = 3 * time.Second

// warmFileLimit and warmPackLimit bound what a Warm holds; past them,
// files and packs are read from disk as without one. A site of more than
// LargeSite records keeps nothing.
const (
	warmFileLimit = 512 << 20
	warmPackLimit = 512 << 20
)

type warmFileKey struct{ root, path string }

type warmFile struct {
	stamp fileStamp
	data  []byte // capacity clipped: never appended to in place
	used  bool

	// sums are sums of data or of the record body in it, by what they
	// hash besides (memo).
	mu   sync.Mutex
	sums map[string][32]byte
	// slots are sums of data and of something else, one per key: the
	// sum of that something (in) and the sum (memoFor).
	slots map[string][2][32]byte
	// textOK: the body in data passed checkText (a pure function of
	// it), which need not run on it again.
	textOK bool
	// protos are what the parse cache's entry of data decoded to, by the
	// key naming its salt and kind (parseCache.lookup): never handed
	// out, only copies of them (parseCache.lookup). The field lines are only
	// ever read, so they are shared.
	protos map[string]warmProto
	// noProtos: f is not a Warm's but a fileStore's, which keeps no
	// decoded entries (each build decodes its own once).
	noProtos bool
	// grown: a sum or the text check was added to what f held when a
	// fileStore read it, which writes it again (fileStore).
	grown bool
	// prior are the sums a fileStore read with f that this build has not
	// asked for yet (memo moves them to sums): one left over is not
	// written again, so that sums under an older program's keys go.
	prior map[string][32]byte
}

type warmProto struct {
	entry Entry
	lines fieldLines
}

// decoded returns the entry kept under key and its field lines, or nil
// (always for a nil f).
func (f *warmFile) decoded(key string) (Entry, fieldLines) {
	if f == nil {
		return nil, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.protos[key]
	return p.entry, p.lines
}

// keepDecoded keeps e, which must not be used elsewhere, as what f's bytes
// decode to under key; a nil f keeps nothing.
func (f *warmFile) keepDecoded(key string, e Entry, lines fieldLines) {
	if f == nil || f.noProtos {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.protos == nil {
		f.protos = map[string]warmProto{}
	}
	f.protos[key] = warmProto{e, lines}
}

func (f *warmFile) textChecked() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.textOK
}

func (f *warmFile) markTextChecked() {
	f.mu.Lock()
	f.grown = f.grown || !f.textOK
	f.textOK = true
	f.mu.Unlock()
}

// memo returns the sum that key names, computing it once for f's bytes.
func (f *warmFile) memo(key string, sum func() [32]byte) [32]byte {
	f.mu.Lock()
	s, ok := f.sums[key]
	if !ok {
		if s, ok = f.prior[key]; ok {
			if f.sums == nil {
				f.sums = map[string][32]byte{}
			}
			f.sums[key] = s
			delete(f.prior, key)
		}
	}
	f.mu.Unlock()
	if ok {
		return s
	}
	s = sum()
	f.mu.Lock()
	if f.sums == nil {
		f.sums = map[string][32]byte{}
	}
	f.sums[key] = s
	f.grown = true
	f.mu.Unlock()
	return s
}

// memoFor returns the sum that key names, of f's bytes and of an input
// whose own sum is in: computed once per in, and only the last in's is
// kept (an input that changes while the file does not, such as a feed
// entry's fields, which other records and the site also shape, does not
// pile up sums).
func (f *warmFile) memoFor(key string, in [32]byte, sum func() [32]byte) [32]byte {
	f.mu.Lock()
	s, ok := f.slots[key]
	f.mu.Unlock()
	if ok && s[0] == in {
		return s[1]
	}
	out := sum()
	f.mu.Lock()
	if f.slots == nil {
		f.slots = map[string][2][32]byte{}
	}
	f.slots[key] = [2][32]byte{in, out}
	f.grown = true
	f.mu.Unlock()
	return out
}

// bodySumFor returns sum(), a hash of r's body and of an input whose sum
// is in, computed once per in while r's file bytes are in a Warm (memoFor).
func (r *Record) bodySumFor(key string, in [32]byte, sum func() [32]byte) [32]byte {
	if r.warm == nil || r.Body == nil {
		return sum()
	}
	return r.warm.memoFor("body\x00"+key, in, sum)
}

// bodySum returns sum(), a hash of r's body and what key names, computed
// once while r's file bytes are in a Warm (and its body not released).
func (r *Record) bodySum(key string, sum func() [32]byte) [32]byte {
	return bodySum(r.warm, r.Body, key, sum)
}

// bodySum is Record.bodySum of the body of the file whose bytes wf keeps
// (nil when none).
func bodySum(wf *warmFile, body []byte, key string, sum func() [32]byte) [32]byte {
	if wf == nil || body == nil {
		return sum()
	}
	return wf.memo("body\x00"+key, sum)
}

type warmPackKey struct {
	magic string
	stamp fileStamp // without the change time, which a hard link changes
}

type warmPack struct {
	entries any // map[string]E of the pack store
	size    int64
	used    bool
}

// LargeSite is the most records of a site whose build may trade memory
// for speed: a Warm keeps nothing for a larger one, and gongkai build
// collects its garbage more often (a 50,000-record build peaks near its
// 2 GB budget).
const LargeSite = 20000

// tooLarge reports whether the last load had more than LargeSite
// records; w.mu must be held.
func (w *Warm) tooLarge() bool { return w.records > LargeSite }

// loaded records the number of records a load found, dropping every file
// kept when there are too many.
func (w *Warm) loaded(records int) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.records = records
	if w.tooLarge() {
		w.files, w.fileBytes = map[warmFileKey]*warmFile{}, 0
		w.packs, w.packBytes = map[warmPackKey]*warmPack{}, 0
		w.texts = map[textKey]*warmText{}
	}
}

// begin starts a build: what the previous build did not use goes.
func (w *Warm) begin() {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.fileHits, w.packHits = 0, 0
	for k, f := range w.files {
		if !f.used {
			w.fileBytes -= int64(len(f.data))
			delete(w.files, k)
		}
		f.used = false
	}
	for k, p := range w.packs {
		if !p.used {
			w.packBytes -= p.size
			delete(w.packs, k)
		}
		p.used = false
	}
	for k, t := range w.texts {
		if !t.used {
			delete(w.texts, k)
		}
		t.used = false
	}
}

// textKey is where a string's bytes are and how many.
type textKey struct {
	p *byte
	n int
}

type warmText struct {
	s    string // keeps the bytes at the key's address from being reused
	sum  [32]byte
	used bool
}

// TextSum returns sum(), a hash of s (and of nothing else), computed
// once for the string at s's address while w holds it: a build gives the
// same string (the same bytes in memory, such as a body text from a pack
// w keeps) to the next one when it did not change. Strings are
// immutable and w keeps s, so no other string can be at that address
// while the sum is kept. What a build did not ask for goes at the next.
// A nil Warm, or one of a site of more than LargeSite records, keeps
// nothing, and no Warm keeps the sum of a string shorter than 64 bytes
// (hashing it costs less than keeping it).
func (w *Warm) TextSum(s string, sum func() [32]byte) [32]byte {
	if w == nil || len(s) < 64 {
		return sum()
	}
	k := textKey{unsafe.StringData(s), len(s)}
	w.mu.Lock()
	t := w.texts[k]
	if t != nil {
		t.used = true
		w.mu.Unlock()
		return t.sum
	}
	large := w.tooLarge()
	w.mu.Unlock()
	v := sum()
	if large {
		return v
	}
	w.mu.Lock()
	w.texts[k] = &warmText{s: s, sum: v, used: true}
	w.mu.Unlock()
	return v
}

// hits returns how many record files and packs this build took from w.
func (w *Warm) hits() (files, packs int) {
	if w == nil {
		return 0, 0
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.fileHits, w.packHits
}

// readFile reads the content file p through fo (the load's folders) as
// readFile does, from memory when the file's stamp is the one it had when
// it was read. The *warmFile is nil when the bytes are not kept. When
// stamped, walked is the stamp a folder listing has just taken of the
// file, which is not stat'ed again before its kept bytes are compared.
func (w *Warm) readFile(ctx context.Context, fo *folders, p string, limit int64, walked fileStamp, stamped bool) ([]byte, *warmFile, error) {
	key := warmFileKey{fo.d.root.Name(), p}
	st, ok := walked, stamped
	if !ok {
		st, ok = fo.stat(p)
	}
	if ok && (limit <= 0 || st.size <= limit) {
		w.mu.Lock()
		f := w.files[key]
		if f != nil && f.stamp == st {
			f.used = true
			w.fileHits++
			w.mu.Unlock()
			return f.data, f, nil
		}
		w.mu.Unlock()
	}
	data, f, err := readStamped(ctx, fo, p, limit, st, ok)
	if f == nil {
		return data, nil, err
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if old := w.files[key]; old != nil {
		w.fileBytes -= int64(len(old.data))
		delete(w.files, key)
	}
	if w.fileBytes+st.size > warmFileLimit || w.tooLarge() {
		return data, nil, nil
	}
	w.files[key] = f
	w.fileBytes += st.size
	return f.data, f, nil
}

// pack returns the decoded entries of the pack file fi describes, with
// the magic line magic, when it was decoded before.
func (w *Warm) pack(magic string, fi fs.FileInfo) (any, bool) {
	if w == nil {
		return nil, false
	}
	k, ok := warmPackKeyOf(magic, fi)
	if !ok {
		return nil, false
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	p := w.packs[k]
	if p == nil {
		return nil, false
	}
	p.used = true
	w.packHits++
	return p.entries, true
}

// keepPack keeps the decoded entries of the pack file fi describes; they
// must never be changed.
func (w *Warm) keepPack(magic string, fi fs.FileInfo, entries any) {
	if w == nil {
		return
	}
	k, ok := warmPackKeyOf(magic, fi)
	if !ok {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.packs[k] != nil || w.packBytes+fi.Size() > warmPackLimit || w.tooLarge() {
		return
	}
	w.packs[k] = &warmPack{entries: entries, size: fi.Size(), used: true}
	w.packBytes += fi.Size()
}

func warmPackKeyOf(magic string, fi fs.FileInfo) (warmPackKey, bool) {
	st, ok := stampOf(fi)
	if !ok || !fi.Mode().IsRegular() {
		return warmPackKey{}, false
	}
	st.ctime = 0
	return warmPackKey{magic: magic, stamp: st}, true
}

// KeepTheme keeps th as the theme loaded from what key sums (the site's
// theme files; the default theme is the program's), for Theme. A theme
// is never changed once loaded, so one build's is as good as a new one
// for the next.
func (w *Warm) KeepTheme(key [32]byte, th *Theme) {
	if w == nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.theme, w.themeKey = th, key
}

// Theme returns the theme KeepTheme kept for key, or nil.
func (w *Warm) Theme(key [32]byte) *Theme {
	if w == nil {
		return nil
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.theme == nil || w.themeKey != key {
		return nil
	}
	return w.theme
}
