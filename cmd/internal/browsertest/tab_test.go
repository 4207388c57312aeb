package browsertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-rod/rod"
	"github.com/go-rod/rod/lib/input"
	"github.com/go-rod/rod/lib/proto"
)

// tab is one browser tab in its own incognito context (fresh storage), with
// a viewport width, every request outside 127.0.0.1 blocked, and a record
// of everything that went wrong: console errors, uncaught exceptions,
// failed requests, blocked hosts.
type tab struct {
	t     testing.TB
	page  *rod.Page // bound by the tab's whole-life deadline
	width int
	noJS  bool // scripts disabled: loads are awaited through lifecycle events

	mu        sync.Mutex
	problems  []string
	requests  map[proto.NetworkRequestID]string // id → URL
	docStatus map[string]int                    // main-document URL → HTTP status
	expect404 string                            // main-document URL allowed to answer 404
	flushed   chan string
	flushN    atomic.Int64
}

type tabOptions struct {
	width int
	scale float64 // device pixels per CSS pixel; 2 with width 640 is a 1280 px window at 200% zoom
	noJS  bool    // Emulation.setScriptExecutionDisabled
}

// openTab opens a tab; it is closed when the test ends.
func openTab(t testing.TB, o tabOptions) *tab {
	t.Helper()
	b := browser(t)
	incog, err := b.Timeout(stepTimeout).Incognito()
	if err != nil {
		t.Fatalf("incognito context: %v", err)
	}
	incog = incog.Context(context.Background())
	t.Cleanup(func() { _ = incog.Timeout(stepTimeout).Close() })
	ctx, cancel := context.WithTimeout(context.Background(), tabTimeout)
	page, err := incog.Context(ctx).Page(proto.TargetCreateTarget{})
	if err != nil {
		cancel()
		t.Fatalf("new tab: %v", err)
	}
	// The goroutines below end when ctx is cancelled; done collects them.
	var done []chan struct{}
	t.Cleanup(func() {
		_ = page.Timeout(stepTimeout).Close()
		cancel()
		for _, c := range done {
			<-c
		}
	})
	tb := &tab{
		t: t, page: page, width: o.width, noJS: o.noJS,
		requests:  map[proto.NetworkRequestID]string{},
		docStatus: map[string]int{},
		flushed:   make(chan string, 16),
	}

	if err := page.SetViewport(viewport(o.width, o.scale)); err != nil {
		t.Fatalf("viewport %d: %v", o.width, err)
	}
	if o.noJS {
		if err := (proto.EmulationSetScriptExecutionDisabled{Value: true}).Call(page); err != nil {
			t.Fatalf("disable JavaScript: %v", err)
		}
	}
	if err := (proto.LogEnable{}).Call(page); err != nil {
		t.Fatalf("enable log domain: %v", err)
	}
	wait := page.EachEvent(
		tb.onConsole, tb.onException, tb.onLog,
		tb.onRequest, tb.onResponse, tb.onFailed,
	)
	events := make(chan struct{})
	done = append(done, events)
	go func() { wait(); close(events) }()

	router := page.HijackRequests()
	if err := router.Add("*", "", tb.guard); err != nil {
		t.Fatalf("intercept requests: %v", err)
	}
	hijack := make(chan struct{})
	done = append(done, hijack)
	go func() { router.Run(); close(hijack) }()
	t.Cleanup(func() { _ = router.Stop() })
	return tb
}

// viewport is the device a tab emulates: width CSS pixels wide, scale
// device pixels per CSS pixel, a phone below 600 px.
func viewport(width int, scale float64) *proto.EmulationSetDeviceMetricsOverride {
	v := &proto.EmulationSetDeviceMetricsOverride{Width: width, Height: 800, DeviceScaleFactor: max(scale, 1)}
	if width < 600 {
		v.Height, v.Mobile = 760, true
	}
	return v
}

// resize gives the open page another viewport and waits until it has laid
// itself out again and its resize handlers have run.
func (tb *tab) resize(width int, scale float64) {
	tb.t.Helper()
	if err := tb.page.Timeout(stepTimeout).SetViewport(viewport(width, scale)); err != nil {
		tb.t.Fatalf("viewport %d: %v", width, err)
	}
	tb.width = width
	var got int
	tb.eval(&got, `() => new Promise(done => setTimeout(() => done(document.documentElement.clientWidth), 50))`)
	if got > width || got < width-20 {
		tb.t.Fatalf("resized to %d px, the page is %d px wide", width, got)
	}
}

// guard lets requests to the test server through and fails every other.
func (tb *tab) guard(h *rod.Hijack) {
	u := h.Request.URL()
	if u.Hostname() != "127.0.0.1" {
		tb.problem("request to %s left 127.0.0.1 (blocked)", u)
		h.Response.Fail(proto.NetworkErrorReasonBlockedByClient)
		return
	}
	h.ContinueRequest(&proto.FetchContinueRequest{})
}

func (tb *tab) problem(format string, args ...any) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.problems = append(tb.problems, fmt.Sprintf(format, args...))
}

const flushMarker = "gongkai-browsertest-flush-"

func (tb *tab) onConsole(e *proto.RuntimeConsoleAPICalled) {
	text := remoteText(e.Args)
	if e.Type == proto.RuntimeConsoleAPICalledTypeLog && strings.HasPrefix(text, flushMarker) {
		tb.flushed <- text
		return
	}
	if e.Type == proto.RuntimeConsoleAPICalledTypeError || e.Type == proto.RuntimeConsoleAPICalledTypeAssert {
		tb.problem("console.%s: %s", e.Type, text)
	}
}

func (tb *tab) onException(e *proto.RuntimeExceptionThrown) {
	d := e.ExceptionDetails
	msg := d.Text
	if d.Exception != nil && d.Exception.Description != "" {
		msg += " " + d.Exception.Description
	}
	tb.problem("uncaught exception at %s:%d: %s", d.URL, d.LineNumber+1, msg)
}

func (tb *tab) onLog(e *proto.LogEntryAdded) {
	en := e.Entry
	if en.Level != proto.LogLogEntryLevelError {
		return
	}
	tb.mu.Lock()
	allowed := en.Source == proto.LogLogEntrySourceNetwork && en.URL != "" && en.URL == tb.expect404
	tb.mu.Unlock()
	if !allowed {
		tb.problem("console error (%s): %s %s", en.Source, en.Text, en.URL)
	}
}

func (tb *tab) onRequest(e *proto.NetworkRequestWillBeSent) {
	tb.mu.Lock()
	defer tb.mu.Unlock()
	tb.requests[e.RequestID] = e.Request.URL
}

func (tb *tab) onResponse(e *proto.NetworkResponseReceived) {
	if e.Type == proto.NetworkResourceTypeDocument {
		tb.mu.Lock()
		tb.docStatus[e.Response.URL] = e.Response.Status
		tb.mu.Unlock()
		return
	}
	if e.Response.Status >= 400 {
		tb.problem("%s %s: HTTP %d", e.Type, e.Response.URL, e.Response.Status)
	}
}

func (tb *tab) onFailed(e *proto.NetworkLoadingFailed) {
	if e.Canceled {
		return // a navigation or download took over; not a broken resource
	}
	tb.mu.Lock()
	u := tb.requests[e.RequestID]
	tb.mu.Unlock()
	tb.problem("%s %s failed: %s", e.Type, u, e.ErrorText)
}

func remoteText(args []*proto.RuntimeRemoteObject) string {
	var parts []string
	for _, a := range args {
		switch {
		case a.Value.Nil():
			parts = append(parts, a.Description)
		default:
			parts = append(parts, a.Value.String())
		}
	}
	return strings.Join(parts, " ")
}

// open navigates to the site path p and waits for the load event; want is
// the HTTP status the document must answer with.
func (tb *tab) open(p string, want int) {
	tb.t.Helper()
	u := theSite.url + p
	tb.mu.Lock()
	tb.expect404 = ""
	if want == 404 {
		tb.expect404 = u
	}
	tb.mu.Unlock()
	pg := tb.page.Timeout(loadTimeout)
	loaded := tb.loadWaiter(pg)
	if err := pg.Navigate(u); err != nil {
		tb.t.Fatalf("open %s: %v", p, err)
	}
	if err := loaded(); err != nil {
		tb.t.Fatalf("open %s: wait for load: %v", p, err)
	}
	tb.flush()
	tb.mu.Lock()
	got, ok := tb.docStatus[u]
	tb.mu.Unlock()
	if !ok {
		tb.t.Fatalf("open %s: no response seen for the document", p)
	}
	if got != want {
		tb.t.Errorf("open %s: HTTP %d, want %d", p, got, want)
	}
}

// loadWaiter returns a function that waits for the load event of the
// document the tab navigates to next; call it before navigating. A tab with
// JavaScript off waits on the browser's lifecycle events of its main frame:
// rod's WaitLoad runs a script in the page, and in a tab whose scripts are
// disabled that script now and then landed in the document being replaced
// and never answered (open / and /search?q=… timed out that way at random,
// most often under load).
func (tb *tab) loadWaiter(pg *rod.Page) func() error {
	if !tb.noJS {
		return pg.WaitLoad
	}
	_ = proto.PageSetLifecycleEventsEnabled{Enabled: true}.Call(pg)
	wait := pg.EachEvent(func(e *proto.PageLifecycleEvent) bool {
		return e.Name == proto.PageLifecycleEventNameLoad && e.FrameID == pg.FrameID
	})
	return func() error {
		wait()
		_ = proto.PageSetLifecycleEventsEnabled{Enabled: false}.Call(pg)
		return pg.GetContext().Err()
	}
}

// waitNavigation runs action (a click, a key press) and waits for the load
// of the document it navigates to; the address must have changed.
func (tb *tab) waitNavigation(what string, action func()) {
	tb.t.Helper()
	before := tb.location()
	wait := tb.page.Timeout(loadTimeout).WaitNavigation(proto.PageLifecycleEventNameLoad)
	action()
	wait()
	if tb.location() == before {
		tb.t.Fatalf("%s: still at %s", what, before)
	}
	tb.flush()
}

// location returns the page's URL without the scheme and host.
func (tb *tab) location() string {
	tb.t.Helper()
	u, err := url.Parse(tb.info().URL)
	if err != nil {
		tb.t.Fatalf("page URL: %v", err)
	}
	return u.RequestURI() + frag(u.Fragment)
}

func frag(f string) string {
	if f == "" {
		return ""
	}
	return "#" + f
}

func (tb *tab) info() *proto.TargetTargetInfo {
	tb.t.Helper()
	info, err := tb.page.Timeout(stepTimeout).Info()
	if err != nil {
		tb.t.Fatalf("page info: %v", err)
	}
	return info
}

// flush waits until every console event sent before now has been handled,
// so that check sees them all.
func (tb *tab) flush() {
	tb.t.Helper()
	mark := fmt.Sprintf("%s%d", flushMarker, tb.flushN.Add(1))
	if _, err := (proto.RuntimeEvaluate{Expression: fmt.Sprintf("console.log(%q)", mark)}).Call(tb.page.Timeout(stepTimeout)); err != nil {
		tb.t.Fatalf("flush events: %v", err)
	}
	timer := time.NewTimer(stepTimeout)
	defer timer.Stop()
	for {
		select {
		case got := <-tb.flushed:
			if got == mark {
				return
			}
		case <-timer.C:
			tb.t.Fatalf("flush events: marker %s never arrived", mark)
		}
	}
}

// check reports every problem seen since the last check as an error.
func (tb *tab) check(where string) {
	tb.t.Helper()
	tb.flush()
	tb.mu.Lock()
	probs := tb.problems
	tb.problems = nil
	tb.mu.Unlock()
	for _, p := range probs {
		tb.t.Errorf("%s: %s", where, p)
	}
}

// eval runs the JavaScript function js (an arrow function) in the page
// and decodes its JSON-able result into out.
func (tb *tab) eval(out any, js string, args ...any) {
	tb.t.Helper()
	res, err := tb.page.Timeout(stepTimeout).Eval(js, args...)
	if err != nil {
		tb.t.Fatalf("eval %s: %v", firstLine(js), err)
	}
	if out == nil {
		return
	}
	if err := json.Unmarshal([]byte(res.Value.JSON("", "")), out); err != nil {
		tb.t.Fatalf("eval %s: decode %s: %v", firstLine(js), res.Value.JSON("", ""), err)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + "…"
	}
	return s
}

// press types keys one after another, each bounded by a timeout.
func (tb *tab) press(keys ...input.Key) {
	tb.t.Helper()
	p := tb.page.Timeout(stepTimeout)
	for _, k := range keys {
		for _, typ := range []proto.InputDispatchKeyEventType{proto.InputDispatchKeyEventTypeKeyDown, proto.InputDispatchKeyEventTypeKeyUp} {
			if err := k.Encode(typ, 0).Call(p); err != nil {
				tb.t.Fatalf("press %s: %v", k.Info().Code, err)
			}
		}
	}
}

// element returns the first element matching css, failing when there is
// none within a short wait.
func (tb *tab) element(css string) *rod.Element {
	tb.t.Helper()
	el, err := tb.page.Timeout(stepTimeout).Element(css)
	if err != nil {
		tb.t.Fatalf("element %q: %v", css, err)
	}
	return el.Timeout(stepTimeout)
}

// focusOn focuses the element matching css through CDP, which works with
// JavaScript disabled too.
func (tb *tab) focusOn(css string) {
	tb.t.Helper()
	el := tb.element(css)
	if err := (proto.DOMFocus{ObjectID: el.Object.ObjectID}).Call(tb.page.Timeout(stepTimeout)); err != nil {
		tb.t.Fatalf("focus %s: %v", css, err)
	}
}

// typeText focuses the element matching css and types text into it, as an
// input method does (Chinese has no key codes).
func (tb *tab) typeText(css, text string) {
	tb.t.Helper()
	tb.focusOn(css)
	if err := (proto.InputInsertText{Text: text}).Call(tb.page.Timeout(stepTimeout)); err != nil {
		tb.t.Fatalf("type into %s: %v", css, err)
	}
}

// click scrolls the element matching css into view and clicks the middle
// of it with the left mouse button. Unlike rod's Element.Click it waits for
// no animation frame, so it also works with JavaScript disabled.
func (tb *tab) click(css string) {
	tb.t.Helper()
	el := tb.element(css)
	p := tb.page.Timeout(stepTimeout)
	if err := (proto.DOMScrollIntoViewIfNeeded{ObjectID: el.Object.ObjectID}).Call(p); err != nil {
		tb.t.Fatalf("scroll to %s: %v", css, err)
	}
	quads, err := proto.DOMGetContentQuads{ObjectID: el.Object.ObjectID}.Call(p)
	if err != nil || len(quads.Quads) == 0 {
		tb.t.Fatalf("find %s on screen: %v", css, err)
	}
	q := quads.Quads[0]
	x, y := (q[0]+q[2]+q[4]+q[6])/4, (q[1]+q[3]+q[5]+q[7])/4
	for _, typ := range []proto.InputDispatchMouseEventType{proto.InputDispatchMouseEventTypeMouseMoved,
		proto.InputDispatchMouseEventTypeMousePressed, proto.InputDispatchMouseEventTypeMouseReleased} {
		ev := proto.InputDispatchMouseEvent{Type: typ, X: x, Y: y}
		if typ != proto.InputDispatchMouseEventTypeMouseMoved {
			ev.Button, ev.ClickCount = proto.InputMouseButtonLeft, 1
		}
		if err := ev.Call(p); err != nil {
			tb.t.Fatalf("click %s: %v", css, err)
		}
	}
}

// has reports whether an element matches css right now.
func (tb *tab) has(css string) bool {
	tb.t.Helper()
	ok, _, err := tb.page.Timeout(stepTimeout).Has(css)
	if err != nil {
		tb.t.Fatalf("has %q: %v", css, err)
	}
	return ok
}
