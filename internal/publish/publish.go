// Package publish stages a build beside the live folders and swaps it in at
// the end, so a failed build leaves the previous site untouched. A lock file
// stops two builds from interleaving. It imports nothing of the project.
//
// The swap has no gap: on Linux each staged folder is exchanged with its live
// folder in one renameat2(RENAME_EXCHANGE), so the live path always names a
// complete site; elsewhere (or on a file system without the exchange) it is
// two renames, live → old and staged → live. Before the first swap a journal
// (LIVE.commit) records what is being swapped; a build that crashes anywhere
// after it is rolled forward by the next Begin, one that crashes before it is
// rolled back, so the live folders always end up as one generation.
//
// The generation a swap replaces stays beside the live folder (LIVE.old-*)
// until the next build begins: a server may still be answering requests from
// it, and removing its files under them would turn those answers into 404s.
//
// Recycling (BeginRecycling): a build that changes a few files need not
// write or link the whole site again. Commit records, in LIVE.retired, the
// path and inode of the site generation (the first folder) it replaced;
// BeginRecycling renames that generation into the staging path instead of
// creating an empty folder, and the caller replaces or removes what differs.
// Only the folder the record names, with the recorded inode, is taken: no
// record (a crash, an Abort, a recovered commit, a build that did not
// recycle since) or another folder at that path gives an empty folder, as
// Begin does. The recycled files may be hard links shared with the live
// generation, so the caller must never change one in place: it removes a
// file and creates a new one.
package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"syscall"
)

// ErrLocked is returned by Begin when another build holds the lock.
var ErrLocked = errors.New("another build is running")

// errCrashed is returned by Commit when a test hook simulated a crash.
var errCrashed = errors.New("publish: simulated crash")

// Stage is a build in progress: fresh folders to write into, beside the live
// ones, and the lock that keeps other builds out until Commit or Abort.
type Stage struct {
	dirs []string // live folders, e.g. public and public.search
	tmp  []string // staging folders, one per live folder
	lock *os.File
	// recycled is the inode of the generation BeginRecycling renamed into
	// tmp[0]; 0 when tmp[0] was created empty.
	recycled uint64

	// crash, when set (tests only), is called after each step of Commit;
	// returning true stops Commit there as a crash would: the lock is
	// released and nothing else is cleaned up.
	crash func(step string) bool
}

// journal is the commit record: written before the first swap, removed
// after the last.
type journal struct {
	Pairs []pair `json:"pairs"`
}

// pair is one live folder with its staged replacement.
type pair struct {
	Live   string `json:"live"`
	Staged string `json:"staged"`
	Old    string `json:"old"` // where the replaced generation goes
	// Ino identifies the staged folder (its inode; 0 where unknown), so
	// recovery can tell whether a swap happened.
	Ino uint64 `json:"ino"`
}

// retired is the record a Commit leaves in LIVE.retired: the site
// generation it replaced, which BeginRecycling may take.
type retired struct {
	Old string `json:"old"`
	Ino uint64 `json:"ino"`
}

// Begin locks the build and creates one empty staging folder beside each of
// the live folders dirs. A commit interrupted by a crash is completed (or, if
// it had not reached its journal, dropped), and the leftovers of earlier
// builds — staging folders and replaced generations — are removed.
func Begin(dirs ...string) (*Stage, error) { return begin(false, dirs) }

// BeginRecycling is Begin, except that the staging folder of dirs[0] is the
// generation the previous Commit replaced, when LIVE.retired names it (see
// the package comment); Recycled tells whether it is. The other folders are
// staged empty.
func BeginRecycling(dirs ...string) (*Stage, error) { return begin(true, dirs) }

// Recycled returns the inode of the generation BeginRecycling put in the
// staging folder Dir(0), and whether it did; Dir(0) is empty otherwise.
func (s *Stage) Recycled() (uint64, bool) { return s.recycled, s.recycled != 0 }

func begin(recycle bool, dirs []string) (*Stage, error) {
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
	if err := recoverCommit(first + ".commit"); err != nil {
		s.unlock()
		return nil, err
	}
	// The record is read once: whatever happens next, the generation it
	// names is either taken now or removed as a leftover.
	var keep string
	var rec retired
	if recycle {
		rec, keep = readRetired(first)
	}
	if err := os.Remove(first + ".retired"); err != nil && !errors.Is(err, os.ErrNotExist) {
		s.unlock()
		return nil, fmt.Errorf("publish: %w", err)
	}
	for i, d := range dirs {
		d = filepath.Clean(d)
		if i > 0 {
			keep = ""
		}
		removeLeftovers(d, keep)
		tmp, err := os.MkdirTemp(filepath.Dir(d), filepath.Base(d)+".tmp-")
		if err != nil {
			s.Abort()
			return nil, fmt.Errorf("publish: %w", err)
		}
		if keep != "" {
			// Renaming a folder onto an empty one replaces it (POSIX;
			// os.Rename refuses to).
			if err := syscall.Rename(keep, tmp); err == nil {
				s.recycled = rec.Ino
			} else {
				os.RemoveAll(keep)
			}
		}
		s.dirs = append(s.dirs, d)
		s.tmp = append(s.tmp, tmp)
	}
	return s, nil
}

// readRetired returns the record the last Commit left for the live folder
// first, and the path of the generation it names when that path still
// holds the very folder recorded; "" for anything else.
func readRetired(first string) (retired, string) {
	var rec retired
	data, err := os.ReadFile(first + ".retired")
	if err != nil || json.Unmarshal(data, &rec) != nil || rec.Ino == 0 {
		return rec, ""
	}
	if filepath.Dir(rec.Old) != filepath.Dir(first) || !strings.HasPrefix(filepath.Base(rec.Old), filepath.Base(first)+".old-") {
		return rec, ""
	}
	fi, err := os.Lstat(rec.Old)
	if err != nil || !fi.IsDir() || inode(fi) != rec.Ino {
		return rec, ""
	}
	return rec, rec.Old
}

// removeLeftovers removes the staging folders and replaced generations of
// earlier builds of d, except keep.
func removeLeftovers(d, keep string) {
	for _, pat := range []string{".tmp-*", ".old-*"} {
		matches, _ := filepath.Glob(d + pat)
		for _, m := range matches {
			if m != keep {
				os.RemoveAll(m)
			}
		}
	}
}

// Dir returns the staging folder that will replace the i-th live folder.
func (s *Stage) Dir(i int) string { return s.tmp[i] }

func (s *Stage) journalPath() string { return s.dirs[0] + ".commit" }

// step reports whether the test hook crashes the commit after step.
func (s *Stage) step(name string) bool {
	if s.crash == nil || !s.crash(name) {
		return false
	}
	if s.lock != nil { // what the kernel does when the process dies
		s.lock.Close()
		s.lock = nil
	}
	return true
}

// Commit swaps every staging folder in for its live folder and releases the
// lock. Every live path names a complete generation at every moment (see the
// package comment); the replaced generations stay as LIVE.old-* until the
// next Begin.
func (s *Stage) Commit() error {
	defer s.unlock()
	j := journal{}
	var rec retired // the site generation this commit replaces
	for i, d := range s.dirs {
		if err := os.Chmod(s.tmp[i], 0o755); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		fi, err := os.Lstat(s.tmp[i])
		if err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		suffix := strings.TrimPrefix(filepath.Base(s.tmp[i]), filepath.Base(d)+".tmp-")
		j.Pairs = append(j.Pairs, pair{Live: d, Staged: s.tmp[i], Old: d + ".old-" + suffix, Ino: inode(fi)})
		if i == 0 {
			if live, err := os.Lstat(d); err == nil && live.IsDir() {
				rec = retired{Old: j.Pairs[0].Old, Ino: inode(live)}
			}
		}
	}
	if s.step("staged") {
		return errCrashed
	}
	if err := writeJournal(s.journalPath(), j); err != nil {
		return err
	}
	if s.step("journal") {
		return errCrashed
	}
	for _, p := range j.Pairs {
		if err := swap(p); err != nil {
			// Nothing half-done stays: roll forward what the journal says.
			if rerr := recoverCommit(s.journalPath()); rerr != nil {
				return fmt.Errorf("%w (recovery: %v)", err, rerr)
			}
			return err
		}
		if s.step("swap " + filepath.Base(p.Live)) {
			return errCrashed
		}
	}
	if err := removeJournal(s.journalPath()); err != nil {
		return err
	}
	if s.step("committed") {
		return errCrashed
	}
	for _, p := range j.Pairs {
		retire(p)
		if s.step("retire " + filepath.Base(p.Live)) {
			return errCrashed
		}
	}
	if rec.Ino != 0 {
		writeRetired(s.dirs[0], rec)
	}
	return nil
}

// writeRetired records rec for the next BeginRecycling of the live folder
// first. Failing to is no error: the next build then starts empty.
func writeRetired(first string, rec retired) {
	data, err := json.Marshal(rec)
	if err != nil {
		return
	}
	tmp := first + ".retired.tmp"
	if os.WriteFile(tmp, data, 0o644) != nil || os.Rename(tmp, first+".retired") != nil {
		os.Remove(tmp)
	}
}

// swap puts p's staged folder at its live path. After an exchange the
// replaced generation sits at the staged path.
func swap(p pair) error {
	if _, err := os.Lstat(p.Live); errors.Is(err, os.ErrNotExist) {
		if err := os.Rename(p.Staged, p.Live); err != nil {
			return fmt.Errorf("publish: %w", err)
		}
		return nil
	}
	if err := exchangeFolders(p.Staged, p.Live); err == nil {
		return nil
	} else if !errors.Is(err, errNoExchange) {
		return fmt.Errorf("publish: exchange %s: %w", p.Live, err)
	}
	if err := os.Rename(p.Live, p.Old); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.Rename(p.Staged, p.Live); err != nil {
		os.Rename(p.Old, p.Live)
		return fmt.Errorf("publish: %w", err)
	}
	return nil
}

// retire moves the replaced generation, left at the staged path by an
// exchange, to p.Old, where the next Begin removes it.
func retire(p pair) {
	if _, err := os.Lstat(p.Staged); err == nil {
		os.Rename(p.Staged, p.Old)
	}
}

// swapped reports whether p's staged folder is already live.
func swapped(p pair) bool {
	live, err := os.Lstat(p.Live)
	if err != nil {
		return false
	}
	if p.Ino != 0 {
		return inode(live) == p.Ino
	}
	// Without inodes only the two-rename scheme runs: the staged folder
	// leaves its path when it goes live.
	_, err = os.Lstat(p.Staged)
	return errors.Is(err, os.ErrNotExist)
}

// recoverCommit completes the commit recorded in the journal at path, if
// any: every pair not yet swapped is swapped, then the journal is removed.
// A pair whose staged folder is gone and whose live folder is missing gets
// its replaced generation back, so a live folder always exists afterwards.
func recoverCommit(path string) error {
	os.Remove(path + ".tmp") // a journal never finished
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("publish: recover: %w", err)
	}
	var j journal
	if err := json.Unmarshal(data, &j); err != nil {
		// A torn journal was never complete, so no swap followed it.
		return removeJournal(path)
	}
	for _, p := range j.Pairs {
		switch {
		case swapped(p):
		case exists(p.Staged):
			if err := swap(p); err != nil {
				return fmt.Errorf("publish: recover %s: %w", p.Live, err)
			}
		case !exists(p.Live) && exists(p.Old):
			if err := os.Rename(p.Old, p.Live); err != nil {
				return fmt.Errorf("publish: recover %s: %w", p.Live, err)
			}
		}
	}
	if err := removeJournal(path); err != nil {
		return err
	}
	for _, p := range j.Pairs {
		retire(p)
	}
	return nil
}

func exists(p string) bool {
	_, err := os.Lstat(p)
	return err == nil
}

// writeJournal writes j durably: a temporary file, synced, renamed into
// place, and the folder synced, so a journal is either whole or absent.
func writeJournal(path string, j journal) error {
	data, err := json.Marshal(j)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	tmp := path + ".tmp"
	f, err := os.OpenFile(tmp, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("publish: %w", err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("publish: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func removeJournal(path string) error {
	if err := os.Remove(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("publish: %w", err)
	}
	return syncDir(filepath.Dir(path))
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return fmt.Errorf("publish: %w", err)
	}
	defer d.Close()
	// Some file systems cannot sync a folder; the rename is still atomic.
	d.Sync()
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

// exchangeFolders is exchange; tests replace it to run the two-rename scheme.
var exchangeFolders = exchange

// errNoExchange reports that the platform cannot exchange two folders in one
// step.
var errNoExchange = errors.New("publish: no atomic exchange here")
