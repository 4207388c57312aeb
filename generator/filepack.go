package generator

import (
	"context"
	"maps"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// fileStore keeps, from one incremental build in a fresh process (gongkai
// build, no Warm) to the next, the bytes of each published record file
// with the stamp they were read under (device, inode, size, modification
// and change times) and what a build memoized of them (the sums of the
// file and of its body, that its body is text: warmFile). A file whose
// stamp, taken by the folder listing through the confined root, is the
// one kept is not opened again: its bytes come from the state folder's
// packs, as a Warm keeps them in memory, under the same rules (warm.go):
// bytes are kept only when the file was stat'ed the same before and after
// the read and had not been modified, nor its status changed, for
// warmRacy before the read began, so a later change gives it another
// stamp. A new file in the same place has another inode or change time.
//
// Everything after the read (the parse cache's sum check, the decoding,
// every check, the disclosure gate) runs as for bytes just read, so what
// a build publishes does not depend on where the bytes came from
// (TestIncrementalMatchesFull, TestFileStore* in cmd/internal/cli). Only
// published records are kept, like the parse cache's entries; a site of
// more than LargeSite records keeps none (its memory budget).
type fileStore struct {
	packs *packStore[*warmFile]
	off   bool // keeps nothing and finds nothing: the packs' folder is emptied
	hits  atomic.Int64
}

const (
	filePackDir   = "files"
	filePackMagic = "gongkai file pack 1\n"
)

// newFileStore returns the store whose previous build's state folder is
// prevState (empty for none). root names the site folder: packs of
// another folder are not read.
func newFileStore(prevState, root string) *fileStore {
	magic := filePackMagic + strconv.Quote(root) + "\n"
	s := &fileStore{packs: newPackStore(prevState, filePackDir, magic, encodeFileEntry, decodeFileEntry)}
	// A kept entry a build memoized more or less of is written again.
	s.packs.stale = func(f *warmFile) bool {
		f.mu.Lock()
		defer f.mu.Unlock()
		return f.grown || len(f.prior) > 0
	}
	return s
}

// read reads the record file p through fo as Warm.readFile does: from the
// previous build's packs when walked (stamped) is the stamp kept with its
// bytes. The *warmFile is nil when the bytes are not kept.
func (s *fileStore) read(ctx context.Context, fo *folders, p string, limit int64, walked fileStamp, stamped bool) ([]byte, *warmFile, error) {
	if s.off {
		data, err := fo.readFile(ctx, p, limit)
		return data, nil, err
	}
	st, ok := walked, stamped
	if !ok {
		st, ok = fo.stat(p)
	}
	if ok && (limit <= 0 || st.size <= limit) {
		if f, hit := s.packs.prev(p); hit && f.stamp == st && int64(len(f.data)) == st.size {
			s.packs.keep(p, f, true)
			s.hits.Add(1)
			return f.data, f, nil
		}
	}
	data, f, err := readStamped(ctx, fo, p, limit, st, ok)
	if f != nil {
		f.noProtos = true
		s.packs.keep(p, f, false)
	}
	return data, f, err
}

// readStamped reads the record file p through fo, whose stamp before the
// read was st (ok false: unknown), and returns its bytes in a *warmFile
// when they may be kept: the file was stat'ed the same after the read,
// holds what was read, and had not changed for warmRacy before the read.
func readStamped(ctx context.Context, fo *folders, p string, limit int64, st fileStamp, ok bool) ([]byte, *warmFile, error) {
	start := time.Now().Add(-warmRacy).UnixNano()
	data, err := fo.readFile(ctx, p, limit)
	if err != nil || !ok {
		return data, nil, err
	}
	after, ok := fo.stat(p)
	if !ok || after != st || int64(len(data)) != st.size || st.mtime >= start || st.ctime >= start {
		return data, nil, nil
	}
	return data, &warmFile{stamp: st, data: data[:len(data):len(data)], used: true}, nil
}

// write writes the entries of the published records into the state
// folder dir (none when the store is off) and releases them.
func (s *fileStore) write(dir string, published []*Record) error {
	want := make(map[string]bool, len(published))
	if !s.off {
		for _, r := range published {
			want[r.Path] = true
		}
	}
	err := s.packs.write(dir, func(p string) bool { return want[p] })
	s.packs.release()
	return err
}

// An entry: the stamp, the bytes, whether the body is text, then the
// sums memoized that the build asked for, by key, and the memoized sums
// of the bytes and another input by key, each sorted by key.
func encodeFileEntry(w *stateWriter, f *warmFile) {
	f.mu.Lock()
	defer f.mu.Unlock()
	st := f.stamp
	w.uint(st.dev)
	w.uint(st.ino)
	w.uint(uint64(st.size))
	w.uint(uint64(st.mtime))
	w.uint(uint64(st.ctime))
	w.bytes(f.data)
	w.uint(uint64(boolInt(f.textOK)))
	w.uint(uint64(len(f.sums)))
	for _, k := range slices.Sorted(maps.Keys(f.sums)) {
		w.string(k)
		w.sum(f.sums[k])
	}
	w.uint(uint64(len(f.slots)))
	for _, k := range slices.Sorted(maps.Keys(f.slots)) {
		w.string(k)
		s := f.slots[k]
		w.sum(s[0])
		w.sum(s[1])
	}
}

func decodeFileEntry(r *stateReader) *warmFile {
	f := &warmFile{noProtos: true}
	f.stamp = fileStamp{dev: r.uint(), ino: r.uint(), size: int64(r.uint()), mtime: int64(r.uint()), ctime: int64(r.uint())}
	f.data = r.take(r.uint())
	f.textOK = r.uint() == 1
	if n := r.count(33); n > 0 {
		f.prior = make(map[string][32]byte, n)
		for range n {
			k := r.string()
			f.prior[k] = r.sum()
		}
	}
	if n := r.count(65); n > 0 {
		f.slots = make(map[string][2][32]byte, n)
		for range n {
			k := r.string()
			f.slots[k] = [2][32]byte{r.sum(), r.sum()}
		}
	}
	return f
}
