package linkcheck

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/sync/errgroup"
)

// result is what checking one target over HTTP found.
type result struct {
	// Status is the final status; 0 when no answer came.
	Status int
	// Err explains why no usable answer came: network error, timeout,
	// redirect loop.
	Err string
	// Final is the URL that answered last.
	Final string
	// Redirects lists "STATUS URL" for each hop and the final answer, when
	// the target redirected.
	Redirects []string
	// Permanent reports whether the chain holds a 301 or 308.
	Permanent   bool
	ContentType string
	Empty       bool
	// RateLimited reports a 429 (or 503 with Retry-After) left after retries.
	RateLimited bool
	// SoftNotFound explains why a 200 answer looks like a "not found" page.
	SoftNotFound string
	// Page is the parsed body when the target was fetched whole.
	Page *page
	// Cached reports whether the result came from the cache.
	Cached bool
}

func (r *result) ok() bool { return r.Err == "" && !r.RateLimited && r.Status < 400 }

// response is one HTTP answer, its body read up to a limit.
type response struct {
	status int
	header http.Header
	body   []byte
	read   bool // the body was read (GET with a limit)
	length int64
}

// hostGate limits the requests in flight to one host and spaces their
// starts. For an external host it is also the circuit breaker.
type hostGate struct {
	sem  chan struct{}
	mu   sync.Mutex
	next time.Time

	// timedOut holds the URLs that timed out since the host last answered;
	// open reports that the breaker tripped, after opened URLs. The count
	// is kept from the moment it tripped, so every link it holds back gets
	// the same message, whatever requests were still in flight.
	timedOut map[string]bool
	open     bool
	opened   int
}

// hostDownError is the error of a request that was not sent because the
// host's circuit breaker is open.
type hostDownError struct {
	host string
	n    int
}

func (e *hostDownError) Error() string {
	return fmt.Sprintf("not requested: %s timed out on %d different URLs in a row (circuit breaker)", e.host, e.n)
}

// tripped returns the error for a request to a host whose breaker is open,
// or nil.
func (g *hostGate) tripped(host string) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.open {
		return &hostDownError{host: host, n: g.opened}
	}
	return nil
}

// timeout records that a request for u timed out, and opens the breaker
// when limit different URLs have timed out in a row.
func (g *hostGate) timeout(u string, limit int) {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.timedOut == nil {
		g.timedOut = make(map[string]bool)
	}
	g.timedOut[u] = true
	if limit > 0 && !g.open && len(g.timedOut) >= limit {
		g.open, g.opened = true, len(g.timedOut)
	}
}

// answered records an answer from the host: it is alive, whatever the
// status, so the breaker closes.
func (g *hostGate) answered() {
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.timedOut) > 0 {
		clear(g.timedOut)
	}
	g.open = false
}

func (g *hostGate) acquire(ctx context.Context, interval time.Duration) error {
	select {
	case g.sem <- struct{}{}:
	case <-ctx.Done():
		return ctx.Err()
	}
	g.mu.Lock()
	start := time.Now()
	if g.next.After(start) {
		start = g.next
	}
	g.next = start.Add(interval)
	g.mu.Unlock()
	if err := sleep(ctx, time.Until(start)); err != nil {
		<-g.sem
		return err
	}
	return nil
}

func (g *hostGate) release() { <-g.sem }

// pause makes every request to the host wait until t (Retry-After).
func (g *hostGate) pause(t time.Time) {
	g.mu.Lock()
	if t.After(g.next) {
		g.next = t
	}
	g.mu.Unlock()
}

// probe is a host's answer for a URL that cannot exist.
type probe struct {
	once     sync.Once
	status   int
	final    string
	title    string
	textLen  int
	textHash uint64
}

// fetcher sends the checker's HTTP requests.
type fetcher struct {
	cfg      *Config
	log      *slog.Logger
	client   *http.Client
	cache    *cache
	prog     *progress
	requests atomic.Int64

	mu     sync.Mutex
	gates  map[string]*hostGate
	probes map[string]*probe
	// ownHost is the host of the site being checked, which the circuit
	// breaker never cuts off, and ownPath its base path, where the soft-404
	// probe asks.
	ownHost, ownPath string
}

func newFetcher(cfg *Config, log *slog.Logger, c *cache, prog *progress) *fetcher {
	tr := &http.Transport{
		Proxy:                 nil,
		DialContext:           (&net.Dialer{Timeout: cfg.Timeout, KeepAlive: 30 * time.Second}).DialContext,
		MaxIdleConns:          100,
		MaxIdleConnsPerHost:   cfg.HostConcurrency,
		IdleConnTimeout:       30 * time.Second,
		TLSHandshakeTimeout:   cfg.Timeout,
		ResponseHeaderTimeout: cfg.Timeout,
		ForceAttemptHTTP2:     true,
	}
	return &fetcher{
		cfg:   cfg,
		log:   log,
		cache: c,
		prog:  prog,
		client: &http.Client{
			Transport: tr,
			// Redirects are followed by hand to record the chain.
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		gates:  make(map[string]*hostGate),
		probes: make(map[string]*probe),
	}
}

func (f *fetcher) close() { f.client.CloseIdleConnections() }

func (f *fetcher) gate(host string) *hostGate {
	f.mu.Lock()
	defer f.mu.Unlock()
	g := f.gates[host]
	if g == nil {
		g = &hostGate{sem: make(chan struct{}, f.cfg.HostConcurrency)}
		f.gates[host] = g
	}
	return g
}

// do sends one request through the host's gate and reads up to limit bytes
// of the body.
func (f *fetcher) do(ctx context.Context, method string, u *url.URL, limit int64) (*response, error) {
	g := f.gate(u.Host)
	breaker := f.cfg.HostTimeouts > 0 && u.Host != f.ownHost
	if breaker {
		if err := g.tripped(u.Host); err != nil {
			return nil, err
		}
	}
	if err := g.acquire(ctx, f.cfg.MinInterval); err != nil {
		return nil, err
	}
	defer g.release()
	if breaker {
		// The breaker may have tripped while this request waited its turn.
		if err := g.tripped(u.Host); err != nil {
			return nil, err
		}
	}
	resp, err := f.send(ctx, method, u, limit)
	switch {
	case ctx.Err() != nil:
	case err == nil:
		g.answered()
	case breaker && isTimeout(err):
		g.timeout(u.String(), f.cfg.HostTimeouts)
	}
	return resp, err
}

// send sends one request, its URL percent-encoded as RFC 3986 asks, and
// reads up to limit bytes of the body.
func (f *fetcher) send(ctx context.Context, method string, u *url.URL, limit int64) (*response, error) {
	rctx, cancel := context.WithTimeout(ctx, f.cfg.Timeout)
	defer cancel()
	ru := *u
	ru.RawQuery = encodeQuery(u.RawQuery)
	ru.Fragment, ru.RawFragment = "", ""
	req, err := http.NewRequestWithContext(rctx, method, ru.String(), nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("User-Agent", f.cfg.UserAgent)
	req.Header.Set("Accept", "text/html,application/xhtml+xml,*/*;q=0.8")
	req.Header.Set("Accept-Language", "zh-CN,zh;q=0.9,en;q=0.5")
	f.requests.Add(1)
	f.log.DebugContext(ctx, "request", "method", method, "url", u.String())
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	r := &response{status: resp.StatusCode, header: resp.Header, length: resp.ContentLength}
	if method == http.MethodGet && limit > 0 {
		r.read = true
		r.body, err = io.ReadAll(io.LimitReader(resp.Body, limit))
		if err != nil {
			return nil, err
		}
	}
	return r, nil
}

// doRetry sends a request and retries it within three separate budgets:
// Config.MaxRetries after network errors and 5xx answers,
// Config.TimeoutRetries after timeouts, and, after 429 (or 503 with
// Retry-After), as many times as the waits the host asks for fit in
// Config.RateLimitWait. It reports whether the answer is still a rate limit
// after the retries.
func (f *fetcher) doRetry(ctx context.Context, method string, u *url.URL, limit int64) (*response, bool, error) {
	var (
		errRetries, timeoutRetries, rateRetries int
		waited                                  time.Duration
		lastErr                                 error
	)
	for {
		resp, err := f.do(ctx, method, u, limit)
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		if err != nil {
			var down *hostDownError
			switch {
			case errors.As(err, &down):
				// A retry the breaker stopped: the target did get its
				// request, and that request's error is the finding.
				if lastErr != nil {
					return nil, false, lastErr
				}
				return nil, false, err
			case isTimeout(err):
				if timeoutRetries >= f.cfg.TimeoutRetries {
					return nil, false, err
				}
				timeoutRetries++
			default:
				if errRetries >= f.cfg.MaxRetries {
					return nil, false, err
				}
				errRetries++
			}
			lastErr = err
			f.log.DebugContext(ctx, "retry", "url", u.String(), "err", err)
			if err := sleep(ctx, f.backoff(errRetries+timeoutRetries-1)); err != nil {
				return nil, false, err
			}
			continue
		}
		s := resp.status
		wait, hasWait := retryAfter(resp.header.Get("Retry-After"), time.Now())
		switch {
		case s == http.StatusTooManyRequests || s == http.StatusServiceUnavailable && hasWait:
			if !hasWait || wait <= 0 {
				wait = f.backoff(rateRetries)
			}
			if wait > f.cfg.MaxRetryWait || waited+wait > f.cfg.RateLimitWait {
				return resp, true, nil
			}
			waited += wait
			rateRetries++
			f.log.DebugContext(ctx, "rate limited", "url", u.String(), "status", s, "wait", wait)
			// Every request to the host waits, not only this one.
			f.gate(u.Host).pause(time.Now().Add(wait))
			continue
		case s == http.StatusRequestTimeout || s == http.StatusInternalServerError || s == http.StatusBadGateway ||
			s == http.StatusServiceUnavailable || s == http.StatusGatewayTimeout:
			if errRetries < f.cfg.MaxRetries {
				if err := sleep(ctx, f.backoff(errRetries)); err != nil {
					return nil, false, err
				}
				errRetries++
				continue
			}
		}
		return resp, false, nil
	}
}

func (f *fetcher) backoff(attempt int) time.Duration {
	d := f.cfg.RetryBackoff << min(attempt, 20)
	return min(d, f.cfg.MaxRetryWait)
}

// retryAfter parses a Retry-After value: seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		return time.Duration(max(n, 0)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// chain is a request followed through its redirects.
type chain struct {
	resp        *response
	final       *url.URL
	hops        []string
	permanent   bool
	rateLimited bool
	err         string
}

// follow sends method to u and follows redirects up to the limit,
// detecting loops.
func (f *fetcher) follow(ctx context.Context, method string, u *url.URL, limit int64) (chain, error) {
	var c chain
	seen := map[string]bool{u.String(): true}
	cur := u
	for {
		resp, rl, err := f.doRetry(ctx, method, cur, limit)
		if ctx.Err() != nil {
			return c, ctx.Err()
		}
		c.final = cur
		if err != nil {
			c.err = f.describe(err)
			return c, nil
		}
		c.resp, c.rateLimited = resp, rl
		loc := resp.header.Get("Location")
		if !isRedirect(resp.status) || loc == "" {
			if len(c.hops) > 0 {
				c.hops = append(c.hops, strconv.Itoa(resp.status)+" "+cur.String())
			}
			return c, nil
		}
		c.hops = append(c.hops, strconv.Itoa(resp.status)+" "+cur.String())
		if resp.status == http.StatusMovedPermanently || resp.status == http.StatusPermanentRedirect {
			c.permanent = true
		}
		ref, err := parseURL(cleanLink(loc))
		if err != nil {
			c.err = "redirect to an invalid URL " + quote(loc)
			return c, nil
		}
		next := cur.ResolveReference(ref)
		if next.Scheme != "http" && next.Scheme != "https" {
			c.err = "redirect to a non-HTTP URL " + quote(next.String())
			return c, nil
		}
		normalizeURL(next)
		if seen[next.String()] {
			c.hops = append(c.hops, "… "+next.String())
			c.err = "redirect loop"
			return c, nil
		}
		if len(c.hops) > f.cfg.MaxRedirects {
			c.err = fmt.Sprintf("more than %d redirects", f.cfg.MaxRedirects)
			return c, nil
		}
		seen[next.String()] = true
		cur = next
	}
}

func isRedirect(status int) bool {
	switch status {
	case 301, 302, 303, 307, 308:
		return true
	}
	return false
}

// describe turns a request error into a finding's words.
func (f *fetcher) describe(err error) string {
	var down *hostDownError
	if errors.As(err, &down) {
		return down.Error()
	}
	if isTimeout(err) {
		return fmt.Sprintf("timeout after %v", f.cfg.Timeout)
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	return err.Error()
}

// isTimeout reports whether err is a request that ran out of time.
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// sniffBytes is how much of a body a status check reads: enough to tell an
// empty file and to sniff a missing content type.
const sniffBytes = 512

// check fetches target u. With asPage it GETs the whole body and parses
// HTML (or CSS); otherwise it sends HEAD, falls back to GET when HEAD is
// refused, and GETs the body anyway when it needs it to judge a soft-404 or
// an empty file. It returns nil only when ctx is done.
func (f *fetcher) check(ctx context.Context, u *url.URL, asPage bool) *result {
	var (
		c   chain
		err error
	)
	if asPage {
		c, err = f.follow(ctx, http.MethodGet, u, f.cfg.MaxBodyBytes)
	} else {
		c, err = f.follow(ctx, http.MethodHead, u, 0)
		if err == nil && c.err == "" && c.resp != nil && !c.rateLimited {
			switch s := c.resp.status; {
			case s == http.StatusMethodNotAllowed || s == http.StatusForbidden || s == http.StatusNotImplemented:
				c, err = f.follow(ctx, http.MethodGet, u, sniffBytes)
			case s < 300 && (c.resp.length == 0 || c.resp.length < 0 && isAttachment(u)):
				// Confirm with GET: a HEAD answer may lack the length, and
				// download scripts often answer HEAD with no length at all.
				c, err = f.follow(ctx, http.MethodGet, u, sniffBytes)
			case s == http.StatusOK && !f.cfg.IgnoreSoftNotFound && isHTMLType(c.resp.header.Get("Content-Type")):
				asPage = true
				c, err = f.follow(ctx, http.MethodGet, u, f.cfg.MaxBodyBytes)
			}
		}
	}
	if err != nil {
		return nil
	}
	r := &result{Err: c.err, Redirects: c.hops, Permanent: c.permanent, RateLimited: c.rateLimited}
	if c.final != nil {
		r.Final = c.final.String()
	}
	if c.resp == nil || c.err != "" {
		return r
	}
	r.Status = c.resp.status
	r.ContentType = c.resp.header.Get("Content-Type")
	if r.ContentType == "" && len(c.resp.body) > 0 {
		r.ContentType = http.DetectContentType(c.resp.body)
	}
	if r.Status >= 200 && r.Status < 300 && r.Status != http.StatusNoContent && c.resp.read && len(c.resp.body) == 0 {
		r.Empty = true
	}
	if !r.ok() || r.Empty || !asPage {
		return r
	}
	switch {
	case isHTMLType(r.ContentType):
		r.Page = parseHTML(c.resp.body, parseOptions{contentType: r.ContentType, text: true})
		if r.Status == http.StatusOK && !f.cfg.IgnoreSoftNotFound {
			r.SoftNotFound = f.softNotFound(ctx, c.final, r.Page)
		}
	case isCSSType(r.ContentType):
		r.Page = parseCSS(c.resp.body)
	}
	return r
}

func mediaType(ct string) string {
	mt, _, err := mime.ParseMediaType(ct)
	if err != nil {
		mt, _, _ = strings.Cut(strings.ToLower(ct), ";")
		mt = strings.TrimSpace(mt)
	}
	return mt
}

func isHTMLType(ct string) bool {
	mt := mediaType(ct)
	return mt == "text/html" || mt == "application/xhtml+xml"
}

func isCSSType(ct string) bool { return mediaType(ct) == "text/css" }

// softNotFound returns why page, the 200 answer for final, is really a "not
// found" page, or "". It looks for not-found words in the title and first
// heading, then compares the page with the host's answer for a URL that
// cannot exist.
func (f *fetcher) softNotFound(ctx context.Context, final *url.URL, p *page) string {
	if why := p.saysNotFound(); why != "" {
		return why
	}
	pr := f.probe(ctx, final)
	if pr.status != http.StatusOK {
		return ""
	}
	switch {
	case pr.final != "" && pr.final == final.String():
		return "redirects to the page the host shows for missing URLs"
	case p.TextHash == pr.textHash && p.TextLen == pr.textLen:
		return "same content as the host's answer for a missing URL"
	case p.Title != "" && p.Title == pr.title && near(p.TextLen, pr.textLen):
		return "same title and size as the host's answer for a missing URL"
	}
	return ""
}

func near(a, b int) bool {
	d := a - b
	if d < 0 {
		d = -d
	}
	return d*10 <= max(a, b)
}

// probe asks u's host, once, for a random URL that cannot exist.
func (f *fetcher) probe(ctx context.Context, u *url.URL) *probe {
	key := u.Scheme + "://" + u.Host
	f.mu.Lock()
	p := f.probes[key]
	if p == nil {
		p = &probe{}
		f.probes[key] = p
	}
	f.mu.Unlock()
	p.once.Do(func() {
		var b [8]byte
		_, _ = rand.Read(b[:])
		dir := "/"
		if u.Host == f.ownHost && f.ownPath != "" {
			dir = f.ownPath // the site's column of a portal: ask there
		}
		pu := &url.URL{Scheme: u.Scheme, Host: u.Host, Path: dir + "gongkai-linkcheck-probe-" + hex.EncodeToString(b[:])}
		c, err := f.follow(ctx, http.MethodGet, pu, f.cfg.MaxBodyBytes)
		if err != nil || c.resp == nil || c.err != "" {
			return
		}
		p.status = c.resp.status
		if len(c.hops) > 0 {
			p.final = c.final.String()
		}
		if c.resp.status == http.StatusOK {
			pg := parseHTML(c.resp.body, parseOptions{contentType: c.resp.header.Get("Content-Type"), text: true})
			p.title, p.textLen, p.textHash = pg.Title, pg.TextLen, pg.TextHash
		}
		f.log.DebugContext(ctx, "soft-404 probe", "url", pu.String(), "status", p.status)
	})
	return p
}

// notFoundPhrases are words that a "not found" page puts in its title or
// heading.
var notFoundPhrases = []string{
	"页面不存在", "网页不存在", "文件不存在", "信息不存在", "页面未找到", "页面找不到", "找不到", "未找到",
	"无法找到", "已被删除", "已删除或不存在", "not found", "page cannot be found", "page does not exist",
	"no longer available",
}

// saysNotFound returns why p calls itself a "not found" page, from the
// words of its title and first heading, or "". Disk and HTTP checks share
// this rule.
func (p *page) saysNotFound() string {
	if w := notFoundWords(p.Title + " | " + p.Heading); w != "" {
		return "the page says " + quote(w)
	}
	return ""
}

// notFoundWords returns the not-found phrase in s, or "".
func notFoundWords(s string) string {
	low := strings.ToLower(s)
	for _, p := range notFoundPhrases {
		if strings.Contains(low, p) {
			return p
		}
	}
	// "404" alone, not as part of a number or a document number like 404号.
	for i := 0; ; {
		j := strings.Index(low[i:], "404")
		if j < 0 {
			return ""
		}
		j += i
		before, _ := utf8.DecodeLastRuneInString(low[:j])
		after, _ := utf8.DecodeRuneInString(low[j+3:])
		if !unicode.IsDigit(before) && !unicode.IsDigit(after) && after != '号' && after != '〕' && after != ']' {
			return "404"
		}
		i = j + 3
	}
}

// attachmentTypes lists, per extension, the media types a server may
// plausibly send. Generic binary types are always accepted.
var attachmentTypes = map[string][]string{
	".pdf":  {"application/pdf", "application/x-pdf"},
	".doc":  {"application/msword", "application/vnd.ms-word", "application/x-msword"},
	".docx": {"application/vnd.openxmlformats-officedocument.wordprocessingml.document", "application/zip", "application/msword"},
	".xls":  {"application/vnd.ms-excel", "application/x-msexcel", "application/x-xls"},
	".xlsx": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "application/zip", "application/vnd.ms-excel"},
	".ppt":  {"application/vnd.ms-powerpoint", "application/mspowerpoint"},
	".pptx": {"application/vnd.openxmlformats-officedocument.presentationml.presentation", "application/zip", "application/vnd.ms-powerpoint"},
	".wps":  {"application/vnd.ms-works", "application/kswps", "application/wps-office.wps", "application/msword"},
	".et":   {"application/kset", "application/wps-office.et", "application/vnd.ms-excel"},
	".ofd":  {"application/ofd"},
	".zip":  {"application/zip", "application/x-zip-compressed", "application/x-zip"},
	".rar":  {"application/vnd.rar", "application/x-rar-compressed", "application/x-rar"},
	".7z":   {"application/x-7z-compressed"},
	".txt":  {"text/plain"},
	".csv":  {"text/csv", "text/plain", "application/csv", "application/vnd.ms-excel"},
	".xml":  {"application/xml", "text/xml", "application/rss+xml", "application/atom+xml"},
	".json": {"application/json", "application/feed+json", "text/plain"},
	".jpg":  {"image/jpeg", "image/pjpeg"},
	".jpeg": {"image/jpeg", "image/pjpeg"},
	".png":  {"image/png"},
	".gif":  {"image/gif"},
	".webp": {"image/webp"},
	".svg":  {"image/svg+xml", "text/xml", "application/xml"},
	".bmp":  {"image/bmp", "image/x-ms-bmp"},
	".ico":  {"image/x-icon", "image/vnd.microsoft.icon"},
	".mp3":  {"audio/mpeg", "audio/mp3"},
	".mp4":  {"video/mp4"},
	".css":  {"text/css"},
	".js":   {"text/javascript", "application/javascript", "application/x-javascript"},
}

var genericTypes = map[string]bool{
	"": true, "application/octet-stream": true, "binary/octet-stream": true, "application/force-download": true,
	"application/x-download": true, "application/download": true, "application/unknown": true,
}

// isAttachment reports whether u's extension is a file's rather than a page's.
func isAttachment(u *url.URL) bool {
	_, ok := attachmentTypes[strings.ToLower(path.Ext(u.Path))]
	return ok
}

// implausibleType returns why content type ct does not fit the extension of
// u's path, or "" when it fits or the extension is not an attachment's.
func implausibleType(u *url.URL, ct string) string {
	ext := strings.ToLower(path.Ext(u.Path))
	want, ok := attachmentTypes[ext]
	if !ok {
		return ""
	}
	mt := mediaType(ct)
	if genericTypes[mt] || slices.Contains(want, mt) {
		return ""
	}
	// XML and JSON files are served under the type of what they hold:
	// application/rss+xml, application/atom+xml,
	// application/opensearchdescription+xml, application/feed+json, …
	// (RFC 6839 structured syntax suffixes).
	if ext == ".xml" && strings.HasSuffix(mt, "+xml") || ext == ".json" && strings.HasSuffix(mt, "+json") {
		return ""
	}
	return fmt.Sprintf("%s file served as %s", ext, mt)
}

// checkAll checks targets in parallel, at most Config.Concurrency at once,
// answering external ones from the cache when it can. results[i] belongs to
// reqs[i].
func (f *fetcher) checkAll(ctx context.Context, reqs []checkRequest) ([]*result, error) {
	results := make([]*result, len(reqs))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(f.cfg.Concurrency)
	for i, rq := range reqs {
		if rq.External {
			if r := f.cache.get(rq.URL.String(), rq.Page, f.cfg.now()); r != nil {
				results[i] = r
				continue
			}
		}
		g.Go(func() error {
			r := f.check(gctx, rq.URL, rq.Page)
			if r == nil {
				return gctx.Err()
			}
			results[i] = r
			f.prog.target(r.ok())
			if rq.External {
				f.cache.put(rq.URL.String(), rq.Page, r, f.cfg.now())
			}
			return nil
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return results, nil
}

// checkRequest asks for one target to be checked.
type checkRequest struct {
	URL *url.URL
	// Page asks for the body to be fetched and parsed (for fragments or crawling).
	Page     bool
	External bool
}

func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
