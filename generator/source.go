package generator

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"slices"
	"strings"
)

// SiteDir is a site folder opened for reading through os.Root: no path can
// leave it, and it reads regular files and folders only. A symlink, device,
// named pipe or socket is refused with a *FileTypeError before anything
// opens it (so a named pipe can never block a build), and a file is read
// only when the file opened is the one checked.
type SiteDir struct {
	root *os.Root
}

// OpenSiteDir opens the folder dir, which must itself be a folder and not a
// symlink.
func OpenSiteDir(dir string) (*SiteDir, error) {
	fi, err := os.Lstat(dir)
	if err != nil {
		return nil, err
	}
	if !fi.IsDir() {
		return nil, &FileTypeError{Path: dir, Mode: fi.Mode()}
	}
	r, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &SiteDir{root: r}, nil
}

// Close releases the folder.
func (d *SiteDir) Close() error { return d.root.Close() }

// FileTypeError reports a file that is not a regular file or folder.
type FileTypeError struct {
	Path string
	Mode fs.FileMode
}

func (e *FileTypeError) Error() string { return e.Path + " is " + fileKind(e.Mode) }

// fileKind names the type of a file that is neither regular nor a folder.
func fileKind(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symlink"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0, m&fs.ModeCharDevice != 0:
		return "a device file"
	}
	return "not a regular file"
}

// irregular reports whether m is neither a regular file nor a folder.
func irregular(m fs.FileMode) bool { return m.Type()&^fs.ModeDir != 0 }

// check lstats every element of name and returns the first that is not a
// folder (or, for the last, a regular file or folder).
func (d *SiteDir) check(op, name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: op, Path: name, Err: fs.ErrInvalid}
	}
	if name == "." {
		return d.root.Lstat(".")
	}
	parts := strings.Split(name, "/")
	for i := range parts {
		p := strings.Join(parts[:i+1], "/")
		fi, err := d.root.Lstat(p)
		if err != nil {
			return nil, err
		}
		if irregular(fi.Mode()) || (i < len(parts)-1 && !fi.IsDir()) {
			return nil, &fs.PathError{Op: op, Path: name, Err: &FileTypeError{Path: p, Mode: fi.Mode()}}
		}
		if i == len(parts)-1 {
			return fi, nil
		}
	}
	panic("unreachable")
}

// Open opens a regular file or folder.
func (d *SiteDir) Open(name string) (fs.File, error) {
	fi, err := d.check("open", name)
	if err != nil {
		return nil, err
	}
	f, err := d.root.OpenFile(name, os.O_RDONLY|openNoBlock, 0)
	if err != nil {
		return nil, err
	}
	// The file opened must be the one checked: a file swapped for a
	// symlink or a pipe in between is refused.
	got, err := f.Stat()
	if err != nil || !os.SameFile(fi, got) {
		f.Close()
		return nil, &fs.PathError{Op: "open", Path: name, Err: errors.New("file changed while being opened")}
	}
	return f, nil
}

// Stat describes a regular file or folder; anything else is an error.
func (d *SiteDir) Stat(name string) (fs.FileInfo, error) { return d.check("stat", name) }

// Lstat describes name without following it.
func (d *SiteDir) Lstat(name string) (fs.FileInfo, error) {
	if !fs.ValidPath(name) {
		return nil, &fs.PathError{Op: "lstat", Path: name, Err: fs.ErrInvalid}
	}
	return d.root.Lstat(name)
}

// ReadLink returns a symlink's target (for fs.ReadLinkFS; never followed).
func (d *SiteDir) ReadLink(name string) (string, error) {
	if !fs.ValidPath(name) {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: fs.ErrInvalid}
	}
	return d.root.Readlink(name)
}

// ReadDir lists a folder; its entries carry their own types, unfollowed.
func (d *SiteDir) ReadDir(name string) ([]fs.DirEntry, error) {
	f, err := d.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	rd, ok := f.(fs.ReadDirFile)
	if !ok {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: errors.New("not a folder")}
	}
	es, err := rd.ReadDir(-1)
	slices.SortFunc(es, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return es, err
}

// errTooBig reports a file over a size limit.
type errTooBig struct {
	size, limit int64
}

func (e *errTooBig) Error() string {
	return fmt.Sprintf("is %s; the limit is %s", humanSize(e.size), humanSize(e.limit))
}

// readChunk is how much a read takes before it checks the context again.
const readChunk = 1 << 20

// readFile reads name from fsys, at most limit bytes (0 for no limit),
// checking ctx between chunks so an interrupted build stops at once.
func readFile(ctx context.Context, fsys fs.FS, name string, limit int64) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return nil, err
	}
	return readOpen(ctx, f, name, fi, limit)
}

// readOpen reads the open file f (name, described by fi) as readFile does.
func readOpen(ctx context.Context, f fs.File, name string, fi fs.FileInfo, limit int64) ([]byte, error) {
	if !fi.Mode().IsRegular() {
		return nil, &fs.PathError{Op: "read", Path: name, Err: &FileTypeError{Path: name, Mode: fi.Mode()}}
	}
	if limit > 0 && fi.Size() > limit {
		return nil, &errTooBig{fi.Size(), limit}
	}
	buf := make([]byte, 0, fi.Size()+1)
	for {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)]
		}
		n, err := f.Read(buf[len(buf):min(cap(buf), len(buf)+readChunk)])
		buf = buf[:len(buf)+n]
		if limit > 0 && int64(len(buf)) > limit {
			return nil, &errTooBig{int64(len(buf)), limit}
		}
		if err == io.EOF {
			return buf, nil
		}
		if err != nil {
			return nil, err
		}
	}
}

// copyFile copies name from fsys to w, checking ctx between chunks, and
// returns the number of bytes copied.
func copyFile(ctx context.Context, fsys fs.FS, name string, w io.Writer) (int64, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	if fi, err := f.Stat(); err != nil {
		return 0, err
	} else if !fi.Mode().IsRegular() {
		return 0, &fs.PathError{Op: "copy", Path: name, Err: &FileTypeError{Path: name, Mode: fi.Mode()}}
	}
	buf := make([]byte, 256<<10)
	var n int64
	for {
		if err := ctx.Err(); err != nil {
			return n, err
		}
		m, err := f.Read(buf)
		if m > 0 {
			if _, werr := w.Write(buf[:m]); werr != nil {
				return n, werr
			}
			n += int64(m)
		}
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
	}
}

// lstatPath checks every element of name in fsys without following
// symlinks and returns the file's info, or the first element that is not a
// folder (or, for the last, a regular file) as a *FileTypeError.
func lstatPath(fsys fs.FS, name string) (fs.FileInfo, error) {
	parts := strings.Split(name, "/")
	for i := range parts {
		p := path.Join(parts[:i+1]...)
		fi, err := fs.Lstat(fsys, p)
		if err != nil {
			return nil, err
		}
		last := i == len(parts)-1
		if irregular(fi.Mode()) || (!last && !fi.IsDir()) {
			return nil, &FileTypeError{Path: p, Mode: fi.Mode()}
		}
		if last {
			return fi, nil
		}
	}
	return nil, fs.ErrInvalid
}
