package search

import "sync"

// Holder holds the current index of a running server and swaps it for a
// rebuilt one without stopping requests: requests acquire the index they
// started with, and an index that was swapped out is closed when its last
// request releases it. Its Acquire method fits HandlerOptions.Index.
type Holder struct {
	mu  sync.Mutex
	cur *heldIndex
}

type heldIndex struct {
	ix      *Index
	refs    int
	retired bool
}

// Acquire returns the current index (nil if none) and the function that
// releases it.
func (h *Holder) Acquire() (*Index, func()) {
	h.mu.Lock()
	defer h.mu.Unlock()
	c := h.cur
	if c == nil {
		return nil, func() {}
	}
	c.refs++
	var once sync.Once
	return c.ix, func() { once.Do(func() { h.release(c) }) }
}

func (h *Holder) release(c *heldIndex) {
	h.mu.Lock()
	c.refs--
	done := c.retired && c.refs == 0
	h.mu.Unlock()
	if done {
		c.ix.Close()
	}
}

// Swap makes ix the current index. The previous one is closed once no
// request uses it. Swap(nil) takes the index out of service.
func (h *Holder) Swap(ix *Index) {
	h.mu.Lock()
	old := h.cur
	h.cur = nil
	if ix != nil {
		h.cur = &heldIndex{ix: ix}
	}
	done := false
	if old != nil {
		old.retired = true
		done = old.refs == 0
	}
	h.mu.Unlock()
	if done {
		old.ix.Close()
	}
}

// Close takes the current index out of service and closes it when its
// requests are done.
func (h *Holder) Close() { h.Swap(nil) }
