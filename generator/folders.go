package generator

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path"
	"strings"
	"sync"
)

// folders reads the record files of one load through their folders, each
// opened once. SiteDir.Open checks every element of a path with an lstat
// of its own before it opens the file (a record in content/policies costs
// three lstats, each walking the path again, then an open that walks it
// once more); a file read here costs an lstat and an open in its folder.
// A folder is opened only when every element of its path is a folder
// (SiteDir.check, no symlink) and the folder opened is the one checked, so
// a read here refuses what SiteDir.Open refuses: the file must be a
// regular file when looked up, and the file opened the one looked up.
// Anything else (a folder that could not be opened, a file that is not
// regular, an open that fails) is read again through SiteDir.Open, which
// reports it as every other read does.
type folders struct {
	d     *SiteDir
	mu    sync.Mutex
	roots map[string]*os.Root // by folder; nil for one that could not be opened
	done  bool                // closed: every read goes through the SiteDir
}

// newFolders returns the folders of d; nil when fsys is not a *SiteDir
// (every read then goes through fsys).
func newFolders(fsys fs.FS) *folders {
	d, ok := fsys.(*SiteDir)
	if !ok {
		return nil
	}
	return &folders{d: d, roots: map[string]*os.Root{}}
}

// root returns the folder dir opened on its own, or nil.
func (f *folders) root(dir string) *os.Root {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.done {
		return nil
	}
	if r, ok := f.roots[dir]; ok {
		return r
	}
	f.roots[dir] = nil
	fi, err := f.d.check("stat", dir)
	if err != nil || !fi.IsDir() {
		return nil
	}
	r, err := f.d.root.OpenRoot(dir)
	if err != nil {
		return nil
	}
	if got, err := r.Lstat("."); err != nil || !os.SameFile(fi, got) {
		r.Close()
		return nil
	}
	f.roots[dir] = r
	return r
}

// close closes the folders opened; the load is over.
func (f *folders) close() {
	if f == nil {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, r := range f.roots {
		if r != nil {
			r.Close()
		}
		delete(f.roots, k)
	}
	f.done = true
}

// split returns p's folder, opened, and its name in it; nil when p's
// folder could not be opened.
func (f *folders) split(p string) (*os.Root, string) {
	dir, name := path.Split(p)
	if name == "" || dir == "" {
		return nil, ""
	}
	return f.root(strings.TrimSuffix(dir, "/")), name
}

// stat returns the stamp of the regular file p: one lstat in its folder.
func (f *folders) stat(p string) (fileStamp, bool) {
	r, name := f.split(p)
	if r == nil {
		return fileStamp{}, false
	}
	fi, err := r.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return fileStamp{}, false
	}
	return stampOf(fi)
}

// errNotHere sends a read back to SiteDir.Open.
var errNotHere = errors.New("read through the site folder")

// readFile reads the regular file p, at most limit bytes (0 for no limit),
// as readFile does through the SiteDir.
func (f *folders) readFile(ctx context.Context, p string, limit int64) ([]byte, error) {
	data, err := f.readHere(ctx, p, limit)
	if errors.Is(err, errNotHere) {
		return readFile(ctx, f.d, p, limit)
	}
	return data, err
}

func (f *folders) readHere(ctx context.Context, p string, limit int64) ([]byte, error) {
	r, name := f.split(p)
	if r == nil {
		return nil, errNotHere
	}
	fi, err := r.Lstat(name)
	if err != nil || !fi.Mode().IsRegular() {
		return nil, errNotHere
	}
	file, err := r.OpenFile(name, os.O_RDONLY|openNoBlock, 0)
	if err != nil {
		return nil, errNotHere
	}
	defer file.Close()
	got, err := file.Stat()
	if err != nil || !os.SameFile(fi, got) {
		return nil, errNotHere
	}
	return readOpen(ctx, file, p, got, limit)
}
