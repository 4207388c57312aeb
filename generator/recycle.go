package generator

import (
	"bytes"
	"crypto/sha256"
	"encoding/gob"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"

	"gongkai/internal/precompress"
)

// Recycled staging folders.
//
// internal/publish can stage a build in the site generation the previous
// build replaced (BeginRecycling) instead of an empty folder: the output of
// the build before the previous one. Most of its files already hold the
// bytes this build wants, and leaving them in place costs nothing, where
// linking every unchanged file into an empty folder, and removing the
// replaced generation afterwards, cost two system calls per file.
//
// What the recycled folder holds is known without reading it. Each build
// records, in recycle.gob in its state folder, the outputs whose bytes
// differ from those of the live site it was built against (Changed), and
// that site folder's inode (Base). The next build's staging folder is that
// very folder when publish reports the same inode; then an output whose
// bytes this build wants equal the previous build's (the manifest's sum and
// size) and that is not in Changed is already in the folder with those
// bytes, and it is kept. Every other output is replaced: the file (and its
// .br and .gz copies) is removed and a new one created or linked, never
// written in place, because a recycled file may be a hard link shared with
// the live site. Precompressed copies of a kept file are kept: a build
// writes them with their file, so they hold its bytes, and the record's
// Compress flags make sure the recycled generation was built with the same
// setting.
//
// Fail closed: after every writer has finished, Sweep removes every file
// and folder of the staging folder that this build did not plan (its
// outputs, with their copies when it precompresses, and the paths the
// caller wrote itself after wiping them). A page of a record withheld since
// the recycled generation was built is not planned, so it goes.
//
// Any doubt stages empty: no record, another version, salt or
// precompression setting, a -full build, a previous build that did not
// compare with a manifest, or another folder than the one recorded. The
// recycled folder is then emptied before anything is written.

// recycleFile is the record of the state folder.
const recycleFile = "recycle.gob"

// recycleVersion changes whenever what the record means changes.
const recycleVersion = 1

type recycleRecord struct {
	Version  int
	Salt     [32]byte // SHA-256 of Incremental.Salt
	Compress bool     // this build wrote precompressed copies
	// Base is the inode of the live site folder this build compared its
	// outputs with (0: it compared with nothing), built with precompressed
	// copies when BaseCompress is set.
	Base         uint64
	BaseCompress bool
	// Changed lists the URLs of this build's outputs whose bytes differ
	// from Base's file at the same place, or that Base does not have.
	Changed []string
}

// recycleState is an incremental build's part in recycling.
type recycleState struct {
	salt    [32]byte      // SHA-256 of Incremental.Salt
	prev    recycleRecord // the previous build's record, when hasPrev
	hasPrev bool
	on      *recycler // nil: the staging folder was empty
}

// recycler is what a build knows of its recycled staging folder.
type recycler struct {
	changed map[string]bool // the previous build's Changed

	kept      atomic.Int64
	keptBytes atomic.Int64
}

// readRecycleRecord returns the record in the state folder dir, or false.
func readRecycleRecord(dir string) (recycleRecord, bool) {
	var r recycleRecord
	data, err := os.ReadFile(filepath.Join(dir, recycleFile))
	if err != nil || gob.NewDecoder(bytes.NewReader(data)).Decode(&r) != nil || r.Version != recycleVersion {
		return recycleRecord{}, false
	}
	return r, true
}

// startRecycling decides whether this build keeps files of the recycled
// staging folder opts.Out (opts.Recycled is its inode), and empties it when
// not. It reads the previous build's record, which the build's own record
// continues (see recordRecycling).
func (s *incr) startRecycling(opts Options) error {
	if s != nil {
		s.recycle.salt = sha256.Sum256(opts.Incremental.Salt)
		if opts.Incremental.Previous != "" && !opts.Incremental.Full {
			s.recycle.prev, s.recycle.hasPrev = readRecycleRecord(opts.Incremental.Previous)
		}
	}
	if opts.Recycled == 0 {
		return nil
	}
	if s != nil && s.prev != nil && s.recycle.hasPrev && s.recycle.prev.Base == opts.Recycled &&
		s.recycle.prev.Salt == s.recycle.salt && s.recycle.prev.BaseCompress == opts.Precompress {
		rc := &recycler{changed: make(map[string]bool, len(s.recycle.prev.Changed))}
		for _, u := range s.recycle.prev.Changed {
			rc.changed[u] = true
		}
		s.recycle.on = rc
		return nil
	}
	// Not certainly what the record says: start empty.
	if err := os.RemoveAll(opts.Out); err != nil {
		return fmt.Errorf("empty the staging folder: %w", err)
	}
	if err := os.Mkdir(opts.Out, 0o755); err != nil {
		return fmt.Errorf("empty the staging folder: %w", err)
	}
	return nil
}

// keeps reports whether the recycled staging folder already holds the
// bytes (sum, size) this build wants for url, and counts it kept.
func (s *incr) keeps(url string, sum [32]byte, size int64) bool {
	if s == nil || s.recycle.on == nil {
		return false
	}
	e, ok := s.prev[url]
	if !ok || e.Sum != sum || e.Size != size || s.recycle.on.changed[url] {
		return false
	}
	s.recycle.on.kept.Add(1)
	s.recycle.on.keptBytes.Add(size)
	return true
}

// recordRecycling writes this build's record into the state folder dir:
// the outputs that differ from the live site's (opts.PreviousOut), when
// this build compared with the live site's manifest.
func (s *incr) recordRecycling(dir string, opts Options) error {
	r := recycleRecord{Version: recycleVersion, Salt: s.recycle.salt, Compress: opts.Precompress}
	if s.prev != nil && s.recycle.hasPrev && opts.PreviousOut != "" {
		if fi, err := os.Lstat(opts.PreviousOut); err == nil && fi.IsDir() {
			r.Base, r.BaseCompress = fileID(fi)[1], s.recycle.prev.Compress
		}
	}
	if r.Base != 0 {
		for u, e := range s.next {
			if p, ok := s.prev[u]; !ok || p.Sum != e.Sum || p.Size != e.Size {
				r.Changed = append(r.Changed, u)
			}
		}
	}
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(r); err != nil {
		return fmt.Errorf("write %s: %w", recycleFile, err)
	}
	if err := os.WriteFile(filepath.Join(dir, recycleFile), buf.Bytes(), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", recycleFile, err)
	}
	return nil
}

// keepSet returns the files of the staging folder this build planned, by
// path relative to it: every output and, when it precompresses, the
// copies of those eligible.
func (s *incr) keepSet(compress bool) map[string]bool {
	keep := make(map[string]bool, 2*len(s.next))
	for u, e := range s.next {
		rel := outputFile(u)
		keep[rel] = true
		if compress && precompress.Eligible(rel, int(e.Size)) {
			for _, suf := range precompress.Suffixes {
				keep[rel+suf] = true
			}
		}
	}
	return keep
}

// Sweep removes from the recycled staging folder root every file and
// folder this build did not plan, except under own: the paths (relative
// to root, slash-separated) of the files and folders the caller wrote
// itself after removing what the recycled folder held there. It must run
// after the render and before the folder goes live; a writer of own may
// still be writing (Sweep neither enters own nor removes a folder above
// it). After a render into an empty folder it does nothing. It returns
// how many files it removed.
func (r *Result) Sweep(root string, own ...string) (int, error) {
	if r.keep == nil {
		return 0, nil
	}
	owned := make(map[string]bool, len(own))
	for _, o := range own {
		owned[filepath.FromSlash(o)] = true
	}
	var removed int
	var sweep func(dir, rel string) (left int, err error)
	sweep = func(dir, rel string) (int, error) {
		f, err := os.Open(dir)
		if err != nil {
			return 0, fmt.Errorf("sweep %s: %w", dir, err)
		}
		entries, err := f.ReadDir(-1)
		f.Close()
		if err != nil {
			return 0, fmt.Errorf("sweep %s: %w", dir, err)
		}
		left := 0
		for _, e := range entries {
			name := filepath.Join(rel, e.Name())
			full := filepath.Join(dir, e.Name())
			switch {
			case owned[name]:
				left++
			case e.IsDir():
				n, err := sweep(full, name)
				if err != nil {
					return 0, err
				}
				if n > 0 || holdsOwned(owned, name) {
					// A folder on the way to an owned one stays: its
					// writer may be creating it meanwhile.
					left++
				} else if err := os.Remove(full); err != nil {
					return 0, fmt.Errorf("sweep: %w", err)
				}
			case r.keep[name] && e.Type().IsRegular():
				left++
			default:
				if err := os.Remove(full); err != nil && !errors.Is(err, fs.ErrNotExist) {
					return 0, fmt.Errorf("sweep: %w", err)
				}
				removed++
			}
		}
		return left, nil
	}
	_, err := sweep(root, "")
	return removed, err
}

// holdsOwned reports whether the folder rel is above a path in owned.
func holdsOwned(owned map[string]bool, rel string) bool {
	for o := range owned {
		if strings.HasPrefix(o, rel+string(filepath.Separator)) {
			return true
		}
	}
	return false
}

// clear removes what a recycled staging folder holds at full (a file and
// its precompressed copies, or a folder in the way) before a new file is
// created there: a recycled file may be a hard link into the live site
// and is never written in place. It does nothing in an empty staging
// folder.
func (d *dirCache) clear(full string) error {
	if !d.recycled {
		return nil
	}
	for _, suf := range append([]string{""}, precompress.Suffixes...) {
		err := os.Remove(full + suf)
		if err == nil || errors.Is(err, fs.ErrNotExist) {
			continue
		}
		if fi, lerr := os.Lstat(full + suf); lerr == nil && fi.IsDir() {
			if err := os.RemoveAll(full + suf); err != nil {
				return fmt.Errorf("replace %s: %w", full+suf, err)
			}
			continue
		}
		return fmt.Errorf("replace %s: %w", full+suf, err)
	}
	return nil
}

// mkdirRecycled is os.MkdirAll in a recycled staging folder root, where a
// file of the recycled generation may stand where a folder goes now: such
// a file is removed.
func mkdirRecycled(root, dir string) error {
	err := os.MkdirAll(dir, 0o755)
	if err == nil || !errors.Is(err, syscall.ENOTDIR) && !errors.Is(err, fs.ErrExist) {
		return err
	}
	rel, rerr := filepath.Rel(root, dir)
	if rerr != nil || strings.HasPrefix(rel, "..") {
		return err
	}
	p := root
	for _, part := range strings.Split(rel, string(filepath.Separator)) {
		p = filepath.Join(p, part)
		if fi, lerr := os.Lstat(p); lerr == nil && !fi.IsDir() {
			if rmErr := os.Remove(p); rmErr != nil {
				return rmErr
			}
			break
		}
	}
	return os.MkdirAll(dir, 0o755)
}

// writeNew creates the file p, which must not exist, with data.
func writeNew(p string, data []byte) error {
	f, err := os.OpenFile(p, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o644)
	if err != nil {
		return err
	}
	_, err = f.Write(data)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return err
}
