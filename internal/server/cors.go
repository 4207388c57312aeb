package server

import (
	"net/http"
	"slices"
	"strings"
)

// corsMaxAge is how long (seconds) a browser may cache a preflight answer.
const corsMaxAge = "600"

// CORS lets pages of the listed origins ("https://www.example.gov.cn") call
// next, a read-only GET API, from a browser. A request from a listed origin
// gets Access-Control-Allow-Origin naming that origin; a preflight (OPTIONS
// with Access-Control-Request-Method) from a listed origin asking for GET or
// HEAD is answered 204 with the allowed method and headers; any other
// preflight is refused with 403 and no CORS headers. Requests without an
// Origin header pass through unchanged. With no origins, next is returned
// as it is: same-origin use only, which is the default.
func CORS(origins []string, next http.Handler) http.Handler {
	if len(origins) == 0 {
		return next
	}
	allowed := slices.Clone(origins)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		origin := r.Header.Get("Origin")
		ok := origin != "" && slices.Contains(allowed, origin)
		if r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != "" {
			h.Add("Vary", "Origin")
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			method := r.Header.Get("Access-Control-Request-Method")
			if !ok || (method != http.MethodGet && method != http.MethodHead) || !simpleHeaders(r.Header.Get("Access-Control-Request-Headers")) {
				http.Error(w, "CORS request not allowed", http.StatusForbidden)
				return
			}
			h.Set("Access-Control-Allow-Origin", origin)
			h.Set("Access-Control-Allow-Methods", "GET, HEAD")
			if req := r.Header.Get("Access-Control-Request-Headers"); req != "" {
				h.Set("Access-Control-Allow-Headers", req)
			}
			h.Set("Access-Control-Max-Age", corsMaxAge)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		h.Add("Vary", "Origin")
		if ok {
			h.Set("Access-Control-Allow-Origin", origin)
		}
		next.ServeHTTP(w, r)
	})
}

// simpleHeaders reports whether a preflight's requested headers are ones a
// GET of the API may carry: none, or the CORS-safelisted request headers.
func simpleHeaders(list string) bool {
	for f := range strings.SplitSeq(list, ",") {
		switch strings.ToLower(strings.TrimSpace(f)) {
		case "", "accept", "accept-language", "content-language":
		default:
			return false
		}
	}
	return true
}
