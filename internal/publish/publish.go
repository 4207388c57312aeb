// Package publish stages a build beside the live folders and swaps it in at
// the end, so a failed build leaves the previous site untouched. A lock file
// stops two builds from interleaving. It imports nothing of the project.
package publish

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrLocked is returned by Begin when another build holds the lock.
var ErrLocked = errors.New("another build is running")

// Stage is a build in progress: fresh folders to write into, beside the live
// ones, and the lock that keeps other builds out until Commit or Abort.
type Stage struct {
	dirs []string // live folders, e.g. public and public.search
	tmp  []string // staging folders, one per live folder
	lock *os.File
}

// Begin locks the build and creates one empty staging folder beside each of
// the live folders dirs. Leftovers of a crashed build are removed first.
func Begin(dirs ...string) (*Stage, error) {
	if len(dirs) == 0 {
		return nil, errors.New("publish: no folders")
	}
	first := filepath.Clean(dirs[0])
	if err := os.MkdirAll(filepath.Dir(first), 0o755); err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	lf, err := os.OpenFile(first+".lock", os.O_CREATE|os.O_RDWR, 0o644)
	if err != nil {
		return nil, fmt.Errorf("publish: %w", err)
	}
	if err := syscall.Flock(int(lf.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		lf.Close()
		return nil, fmt.Errorf("publish %s: %w", first, ErrLocked)
	}
	s := &Stage{lock: lf}
	for _, d := range dirs {
		d = filepath.Clean(d)
		removeLeftovers(d)
		tmp, err := os.MkdirTemp(filepath.Dir(d), filepath.Base(d)+".tmp-")
		if err != nil {
			s.Abort()
			return nil, fmt.Errorf("publish: %w", err)
		}
		s.dirs = append(s.dirs, d)
		s.tmp = append(s.tmp, tmp)
	}
	return s, nil
}

func removeLeftovers(d string) {
	for _, pat := range []string{".tmp-*", ".old-*"} {
		matches, _ := filepath.Glob(d + pat)
		for _, m := range matches {
			os.RemoveAll(m)
		}
	}
}

// Dir returns the staging folder that will replace the i-th live folder.
func (s *Stage) Dir(i int) string { return s.tmp[i] }

// Commit swaps every staging folder in for its live folder, removes the old
// ones and releases the lock. Each swap is two renames; a reader sees the
// old folder or the new one, never a mix.
func (s *Stage) Commit() error {
	defer s.unlock()
	var olds []string
	for i, d := range s.dirs {
		if err := os.Chmod(s.tmp[i], 0o755); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		old := ""
		if _, err := os.Lstat(d); err == nil {
			old = d + ".old-" + strings.TrimPrefix(filepath.Base(s.tmp[i]), filepath.Base(d)+".tmp-")
			if err := os.Rename(d, old); err != nil {
				return fmt.Errorf("publish: %w", err)
			}
			olds = append(olds, old)
		}
		if err := os.Rename(s.tmp[i], d); err != nil {
			if old != "" {
				os.Rename(old, d)
			}
			return fmt.Errorf("publish: %w", err)
		}
	}
	for _, o := range olds {
		os.RemoveAll(o)
	}
	return nil
}

// Abort removes the staging folders and releases the lock; the live folders
// are untouched.
func (s *Stage) Abort() {
	for _, t := range s.tmp {
		os.RemoveAll(t)
	}
	s.unlock()
}

func (s *Stage) unlock() {
	if s.lock != nil {
		syscall.Flock(int(s.lock.Fd()), syscall.LOCK_UN)
		s.lock.Close()
		s.lock = nil
	}
}
