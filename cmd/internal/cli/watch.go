package cli

import (
	"context"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"
)

// watchedDirs are the folders of a site whose changes a preview rebuilds
// for: content/ (records, attachments, content/site.yaml, the calendar,
// redirects) and the theme/ overrides.
var watchedDirs = []string{"content", "theme"}

// sourceWatcher tells a preview when the site's sources change.
type sourceWatcher struct {
	w    *fsnotify.Watcher
	root string
	log  *slog.Logger
	done chan struct{}
	once sync.Once
}

// watchSources watches the folders of the site in root (watchedDirs, and
// every folder under them, including ones created later) and sends on
// changed, without blocking, whenever something in them changes. It also
// watches root itself, so that content/ or theme/ appearing (or being
// replaced by a rename) is noticed; nothing else of root counts, least of
// all the build's own output folders beside the sources.
func watchSources(ctx context.Context, root string, changed chan<- struct{}, log *slog.Logger) (*sourceWatcher, error) {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	sw := &sourceWatcher{w: w, root: root, log: log, done: make(chan struct{})}
	if err := w.Add(root); err != nil {
		w.Close()
		return nil, fmt.Errorf("watch %s: %w", root, err)
	}
	for _, d := range watchedDirs {
		sw.addTree(filepath.Join(root, d))
	}
	go sw.run(ctx, changed)
	return sw, nil
}

// Close stops watching.
func (sw *sourceWatcher) Close() error {
	var err error
	sw.once.Do(func() {
		err = sw.w.Close()
		<-sw.done
	})
	return err
}

// addTree watches dir and every folder under it, skipping hidden ones
// (which the build skips too) and never following a symlink.
func (sw *sourceWatcher) addTree(dir string) {
	filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return nil // gone already, or unreadable: the build reports it
		}
		if !d.IsDir() {
			return nil
		}
		if p != dir && ignoredName(d.Name()) {
			return fs.SkipDir
		}
		if err := sw.w.Add(p); err != nil {
			sw.log.Warn("watch", "dir", p, "err", err)
		}
		return nil
	})
}

// ignoredName reports whether a change to a file or folder of this name
// does not count: hidden files (editors' swap files, .git) and backups
// ending in ~, which the build never reads.
func ignoredName(name string) bool {
	return strings.HasPrefix(name, ".") || strings.HasSuffix(name, "~")
}

// counts reports whether the event matters to the build.
func (sw *sourceWatcher) counts(ev fsnotify.Event) bool {
	rel, err := filepath.Rel(sw.root, ev.Name)
	if err != nil {
		return false
	}
	parts := strings.Split(filepath.ToSlash(rel), "/")
	if !slices.Contains(watchedDirs, parts[0]) {
		return false
	}
	for _, part := range parts[1:] {
		if ignoredName(part) {
			return false
		}
	}
	// Permission and timestamp changes alone change nothing the build reads.
	return ev.Op != fsnotify.Chmod
}

func (sw *sourceWatcher) run(ctx context.Context, changed chan<- struct{}) {
	defer close(sw.done)
	notify := func() {
		select {
		case changed <- struct{}{}:
		default: // a rebuild is pending already
		}
	}
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-sw.w.Events:
			if !ok {
				return
			}
			if !sw.counts(ev) {
				continue
			}
			if ev.Has(fsnotify.Create) || ev.Has(fsnotify.Rename) {
				// A new folder (or one moved in) is watched with
				// everything under it; a removed one drops its watch by
				// itself.
				if fi, err := os.Lstat(ev.Name); err == nil && fi.IsDir() {
					sw.addTree(ev.Name)
				}
			}
			notify()
		case err, ok := <-sw.w.Errors:
			if !ok {
				return
			}
			// An overflowed queue lost events: rebuild to be sure.
			sw.log.Warn("watch", "err", err)
			notify()
		}
	}
}

// debounce calls run after a signal on changed once changed has stayed
// quiet for the quiet period, or once maxWait has passed since the first
// signal while they keep coming (an editor saving every second still sees
// builds), until ctx is done. Signals during run start another wait when
// it returns: a change is never lost, and builds never overlap.
func debounce(ctx context.Context, changed <-chan struct{}, quiet, maxWait time.Duration, run func()) {
	for {
		select {
		case <-ctx.Done():
			return
		case <-changed:
		}
		still := time.NewTimer(quiet)
		limit := time.NewTimer(maxWait)
	wait:
		for {
			select {
			case <-ctx.Done():
				still.Stop()
				limit.Stop()
				return
			case <-changed:
				still.Reset(quiet)
			case <-still.C:
				break wait
			case <-limit.C:
				break wait
			}
		}
		still.Stop()
		limit.Stop()
		run()
	}
}
