package linkcheck

import (
	"fmt"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// progress counts the work done and, when it has a writer, redraws one
// status line on it a few times a second. A nil *progress counts nothing.
type progress struct {
	w       io.Writer
	pages   atomic.Int64
	links   atomic.Int64
	broken  atomic.Int64
	targets atomic.Int64
	begin   time.Time

	stopOnce sync.Once
	done     chan struct{}
	wg       sync.WaitGroup
}

func newProgress(w io.Writer) *progress {
	return &progress{w: w, begin: time.Now(), done: make(chan struct{})}
}

func (p *progress) page() {
	if p != nil {
		p.pages.Add(1)
	}
}

func (p *progress) link(n int) {
	if p != nil {
		p.links.Add(int64(n))
	}
}

func (p *progress) brokenLink() {
	if p != nil {
		p.broken.Add(1)
	}
}

func (p *progress) target(ok bool) {
	if p != nil {
		p.targets.Add(1)
		if !ok {
			p.broken.Add(1)
		}
	}
}

// start draws the line until stop is called; stop draws it a last time
// and ends it with a newline.
func (p *progress) start() (stop func()) {
	if p == nil || p.w == nil {
		return func() {}
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		t := time.NewTicker(250 * time.Millisecond)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				p.draw()
			case <-p.done:
				return
			}
		}
	}()
	return func() {
		p.stopOnce.Do(func() {
			close(p.done)
			p.wg.Wait()
			p.draw()
			fmt.Fprintln(p.w)
		})
	}
}

func (p *progress) draw() {
	secs := time.Since(p.begin).Seconds()
	links := p.links.Load()
	rate := 0.0
	if secs > 0 {
		rate = float64(links) / secs
	}
	fmt.Fprintf(p.w, "\rlinkcheck: %d pages scanned, %d links checked, %d targets fetched, %d broken so far, %.0f links/s\x1b[K",
		p.pages.Load(), links, p.targets.Load(), p.broken.Load(), rate)
}
