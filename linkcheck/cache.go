package linkcheck

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"
)

// cache keeps the results of external links that were fine, so that a
// rerun within CacheMaxAge does not ask the same hosts again. Errors,
// timeouts and rate limits are never cached: they are checked again.
// A nil *cache caches nothing.
type cache struct {
	path   string
	maxAge time.Duration

	mu      sync.Mutex
	entries map[string]cacheEntry
	hits    int
}

// cacheEntry is one cached result. Anchors holds the ids and names of the
// page when it was fetched as a page.
type cacheEntry struct {
	Checked      time.Time `json:"checked"`
	Status       int       `json:"status"`
	Final        string    `json:"final,omitempty"`
	Redirects    []string  `json:"redirects,omitempty"`
	Permanent    bool      `json:"permanent,omitempty"`
	ContentType  string    `json:"content_type,omitempty"`
	SoftNotFound string    `json:"soft_404,omitempty"`
	Page         bool      `json:"page,omitempty"`
	Anchors      []string  `json:"anchors,omitempty"`
}

type cacheFile struct {
	Version int                   `json:"version"`
	Entries map[string]cacheEntry `json:"entries"`
}

// openCache reads the cache at path; a missing file is an empty cache.
func openCache(path string, maxAge time.Duration) (*cache, error) {
	c := &cache{path: path, maxAge: maxAge, entries: make(map[string]cacheEntry)}
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return c, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read cache: %w", err)
	}
	var cf cacheFile
	if err := json.Unmarshal(data, &cf); err != nil {
		return nil, fmt.Errorf("read cache %s: %w", path, err)
	}
	if cf.Version == 1 && cf.Entries != nil {
		c.entries = cf.Entries
	}
	return c, nil
}

// get returns the cached result for url if it is fresh and, when asPage,
// holds the page's anchors.
func (c *cache) get(url string, asPage bool, now time.Time) *result {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[url]
	if !ok || now.Sub(e.Checked) > c.maxAge || now.Before(e.Checked) || asPage && !e.Page {
		return nil
	}
	c.hits++
	r := &result{
		Status: e.Status, Final: e.Final, Redirects: e.Redirects, Permanent: e.Permanent,
		ContentType: e.ContentType, SoftNotFound: e.SoftNotFound, Cached: true,
	}
	if e.Page {
		r.Page = &page{IDs: make(map[string]int, len(e.Anchors))}
		for _, a := range e.Anchors {
			r.Page.IDs[a] = 1
		}
	}
	return r
}

// put records r for url if it is a success.
func (c *cache) put(url string, asPage bool, r *result, now time.Time) {
	if c == nil || !r.ok() || r.Empty || r.Status >= 300 {
		return
	}
	e := cacheEntry{
		Checked: now, Status: r.Status, Final: r.Final, Redirects: r.Redirects, Permanent: r.Permanent,
		ContentType: r.ContentType, SoftNotFound: r.SoftNotFound, Page: asPage && r.Page != nil,
	}
	if e.Page {
		set := make(map[string]bool)
		for id := range r.Page.IDs {
			set[id] = true
		}
		for n := range r.Page.Names {
			set[n] = true
		}
		e.Anchors = slices.Sorted(maps.Keys(set))
	}
	c.mu.Lock()
	c.entries[url] = e
	c.mu.Unlock()
}

// save writes the cache, dropping stale entries, through a temporary file
// renamed into place.
func (c *cache) save(now time.Time) error {
	if c == nil {
		return nil
	}
	c.mu.Lock()
	for k, e := range c.entries {
		if now.Sub(e.Checked) > c.maxAge {
			delete(c.entries, k)
		}
	}
	data, err := json.MarshalIndent(cacheFile{Version: 1, Entries: c.entries}, "", "  ")
	c.mu.Unlock()
	if err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(c.path), ".linkcheck-cache-*")
	if err != nil {
		return fmt.Errorf("write cache: %w", err)
	}
	_, err = tmp.Write(append(data, '\n'))
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), c.path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("write cache %s: %w", c.path, err)
	}
	return nil
}
