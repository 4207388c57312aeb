package generator

import (
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
)

// packStore keeps a cache's entries, one per content path, from one
// incremental build to the next, in packBuckets pack files under a folder
// of the state folder (statefile.go's framing). A record's pack is chosen
// by its path. A pack of the previous build is read when the build first
// asks for one of its paths, and a pack whose entries all came unchanged
// from the previous build's is hard-linked from it instead of written, so
// an edit of one record writes one small pack. A cache whose entries are
// each looked up once (bodyCache) forgets an entry once it is used, so
// that the previous build's entries the build does not reuse are not held
// to the end of the build.
type packStore[E any] struct {
	name, magic string
	prevDir     string // the previous build's folder of packs; "" for none
	enc         func(*stateWriter, E)
	dec         func(*stateReader) E
	packs       [packBuckets]prevPack[E]
	// warm, when not nil, keeps decoded packs across builds in one
	// process (warm.go); they are never changed.
	warm *Warm
	// mapped: the previous build's packs are mapped read-only instead of
	// read (a process that runs one build and no Warm: Incremental.MapPacks),
	// which spares a fresh process the page faults of copying them into its
	// heap. Nothing may write into what an entry holds.
	mapped bool
	// stale, when not nil, reports a reused entry that changed in memory
	// since it was read (fileStore), whose pack is written again.
	stale func(E) bool

	mu     sync.Mutex
	next   map[string]E
	reused map[string]bool // next's entries that are the previous pack's
}

// prevPack is one of the previous build's packs, read on first use.
type prevPack[E any] struct {
	once    sync.Once
	mu      sync.Mutex   // guards entries after once (forget deletes)
	n       int          // the number of entries read, forgotten ones too
	entries map[string]E // nil: none, or the pack is unusable
}

const packBuckets = 256

// maxPackSize bounds the size of a previous build's pack that is read: a
// larger file is not used (a pack of 50,000 records' bodies is about 2 MB).
const maxPackSize = 1 << 30

// packBucket returns the pack of content path p.
func packBucket(p string) int {
	h := fnv.New32a()
	io.WriteString(h, p)
	return int(h.Sum32() % packBuckets)
}

func packName(bucket int) string { return fmt.Sprintf("%02x.bin", bucket) }

// packBucketOf returns the bucket of the pack file name.
func packBucketOf(name string) (int, bool) {
	n, err := strconv.ParseUint(strings.TrimSuffix(name, ".bin"), 16, 8)
	if err != nil || packName(int(n)) != name {
		return 0, false
	}
	return int(n), true
}

// newPackStore returns the store of the folder name (with the magic line
// magic) whose previous build's state folder is prevState (empty for
// none).
func newPackStore[E any](prevState, name, magic string, enc func(*stateWriter, E), dec func(*stateReader) E) *packStore[E] {
	s := &packStore[E]{name: name, magic: magic, enc: enc, dec: dec, next: map[string]E{}, reused: map[string]bool{}}
	if prevState != "" {
		s.prevDir = filepath.Join(prevState, name)
	}
	return s
}

// prev returns the previous build's entry of p.
func (s *packStore[E]) prev(p string) (E, bool) {
	b := packBucket(p)
	pk := &s.packs[b]
	pk.once.Do(func() {
		if s.prevDir == "" {
			return
		}
		f, err := os.Open(filepath.Join(s.prevDir, packName(b)))
		if err != nil {
			return
		}
		defer f.Close()
		fi, err := f.Stat()
		if err != nil {
			return
		}
		if m, ok := s.warm.pack(s.magic, fi); ok {
			pk.entries = m.(map[string]E)
			pk.n = len(pk.entries)
			return
		}
		// Read in one buffer of the file's size (io.ReadAll would copy
		// it as it grows): a file that shrank fails the read, and the
		// first bytes of one that grew fail openState's CRC.
		if fi.Size() > maxPackSize {
			return
		}
		data, ok := []byte(nil), false
		if s.mapped && s.warm == nil {
			data, ok = mapReadOnly(f, fi.Size())
		}
		if !ok {
			data = make([]byte, fi.Size())
			if _, err := io.ReadFull(f, data); err != nil {
				return
			}
		}
		if m, err := s.decode(data, b); err == nil {
			pk.entries, pk.n = m, len(m)
			s.warm.keepPack(s.magic, fi, m)
		}
	})
	pk.mu.Lock()
	e, ok := pk.entries[p]
	pk.mu.Unlock()
	return e, ok
}

// forget drops the previous build's entry of p, which the build has used
// (kept, when reused) or found stale: prev no longer finds it. The pack
// is still linked when every entry it had is kept unchanged.
func (s *packStore[E]) forget(p string) {
	if s.warm != nil {
		// A Warm shares the decoded packs between builds: they are
		// never changed (the live preview holds them anyway).
		return
	}
	pk := &s.packs[packBucket(p)]
	pk.mu.Lock()
	delete(pk.entries, p)
	pk.mu.Unlock()
}

// keep records p's entry for the next build; reused tells that it is the
// previous build's entry, unchanged.
func (s *packStore[E]) keep(p string, e E, reused bool) {
	s.mu.Lock()
	s.next[p] = e
	if reused {
		s.reused[p] = true
	} else {
		delete(s.reused, p)
	}
	s.mu.Unlock()
}

// write writes the packs of the entries kept for the paths that want
// accepts (every path when want is nil) into the state folder dir.
func (s *packStore[E]) write(dir string, want func(string) bool) error {
	buckets := make([][]string, packBuckets)
	for p := range s.next {
		if want == nil || want(p) {
			b := packBucket(p)
			buckets[b] = append(buckets[b], p)
		}
	}
	out := filepath.Join(dir, s.name)
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fmt.Errorf("write %s: %w", s.name, err)
	}
	// A staging folder may hold an older build's files: a pack this build
	// does not write goes.
	old, err := os.ReadDir(out)
	if err != nil {
		return fmt.Errorf("write %s: %w", s.name, err)
	}
	for _, e := range old {
		if b, ok := packBucketOf(e.Name()); !ok || len(buckets[b]) == 0 {
			if err := os.RemoveAll(filepath.Join(out, e.Name())); err != nil {
				return fmt.Errorf("write %s: %w", s.name, err)
			}
		}
	}
	for b, paths := range buckets {
		if len(paths) == 0 {
			continue
		}
		slices.Sort(paths)
		name := packName(b)
		if s.unchanged(b, paths) && linkFile(filepath.Join(s.prevDir, name), filepath.Join(out, name)) {
			continue
		}
		if err := replaceFile(filepath.Join(out, name), s.encode(b, paths)); err != nil {
			return err
		}
	}
	return nil
}

// release drops every entry, the previous build's and those kept, once the
// packs are written.
func (s *packStore[E]) release() {
	s.mu.Lock()
	s.next, s.reused = map[string]E{}, map[string]bool{}
	s.mu.Unlock()
	for i := range s.packs {
		pk := &s.packs[i]
		pk.mu.Lock()
		pk.entries = nil
		pk.mu.Unlock()
	}
}

// unchanged reports whether the pack of bucket would hold exactly the
// previous build's entries.
func (s *packStore[E]) unchanged(bucket int, paths []string) bool {
	n := s.packs[bucket].n // read: some entry of the bucket is reused
	if s.prevDir == "" || n != len(paths) {
		return false
	}
	for _, p := range paths {
		if !s.reused[p] || s.stale != nil && s.stale(s.next[p]) {
			return false
		}
	}
	return true
}

// A pack: the bucket number and its entries sorted by path, each the path
// and the entry as enc writes it.
func (s *packStore[E]) encode(bucket int, paths []string) []byte {
	w := newStateWriter(s.magic, 0)
	w.uint(uint64(bucket))
	w.uint(uint64(len(paths)))
	for _, p := range paths {
		w.string(p)
		s.enc(w, s.next[p])
	}
	return w.finish()
}

func (s *packStore[E]) decode(data []byte, bucket int) (map[string]E, error) {
	r := openState(data, s.magic)
	// The entries' strings share data, which nothing changes.
	r.alias = true
	if r.uint() != uint64(bucket) {
		return nil, errState
	}
	n := r.count(2)
	m := make(map[string]E, n)
	for range n {
		p := r.string()
		e := s.dec(r)
		if r.err != nil {
			break
		}
		if packBucket(p) != bucket {
			return nil, errState
		}
		m[p] = e
	}
	if err := r.done(); err != nil {
		return nil, err
	}
	return m, nil
}
