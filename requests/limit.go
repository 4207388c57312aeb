package requests

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strings"
	"sync"
	"time"
)

// limiter allows each address perHour requests an hour, in bursts of up to
// perHour (a token bucket per address). It lives in the process: behind a
// load balancer each instance counts on its own.
type limiter struct {
	perHour float64
	mu      sync.Mutex
	buckets map[netip.Prefix]*bucket
	swept   time.Time
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxBuckets bounds the limiter's memory under a flood of addresses; past
// it, unknown addresses are refused until idle ones are swept.
const maxBuckets = 200_000

func newLimiter(perHour int) *limiter {
	return &limiter{perHour: float64(perHour), buckets: map[netip.Prefix]*bucket{}}
}

// allow takes one token for addr; when there is none it returns how long
// until there is.
func (l *limiter) allow(addr netip.Prefix, now time.Time) (bool, time.Duration) {
	rate := l.perHour / 3600 // tokens a second
	l.mu.Lock()
	defer l.mu.Unlock()
	if now.Sub(l.swept) > time.Minute || len(l.buckets) >= maxBuckets {
		for k, b := range l.buckets {
			if b.tokens+now.Sub(b.at).Seconds()*rate >= l.perHour {
				delete(l.buckets, k)
			}
		}
		l.swept = now
	}
	b := l.buckets[addr]
	if b == nil {
		if len(l.buckets) >= maxBuckets {
			return false, time.Minute
		}
		b = &bucket{tokens: l.perHour, at: now}
		l.buckets[addr] = b
	}
	if now.After(b.at) { // a clock set back refills nothing
		b.tokens = math.Min(l.perHour, b.tokens+now.Sub(b.at).Seconds()*rate)
		b.at = now
	}
	if b.tokens < 1 {
		return false, time.Duration((1 - b.tokens) / rate * float64(time.Second))
	}
	b.tokens--
	return true, 0
}

// clientPrefix returns the address a request is counted under: the peer's
// address, or, when the peer is a trusted proxy, the last address in
// X-Forwarded-For that is not one. IPv6 addresses count by their /64, the
// block one subscriber usually holds.
func clientPrefix(r *http.Request, trusted []netip.Prefix) netip.Prefix {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	addr, err := netip.ParseAddr(host)
	if err != nil {
		return netip.Prefix{}
	}
	isTrusted := func(a netip.Addr) bool {
		for _, p := range trusted {
			if p.Contains(a) {
				return true
			}
		}
		return false
	}
	if isTrusted(addr.Unmap()) {
		hops := strings.Split(strings.Join(r.Header.Values("X-Forwarded-For"), ","), ",")
		for i := len(hops) - 1; i >= 0; i-- {
			a, err := netip.ParseAddr(strings.TrimSpace(hops[i]))
			if err != nil {
				break
			}
			addr = a
			if !isTrusted(a.Unmap()) {
				break
			}
		}
	}
	addr = addr.Unmap()
	if addr.Is6() {
		p, _ := addr.Prefix(64)
		return p
	}
	return netip.PrefixFrom(addr, 32)
}
