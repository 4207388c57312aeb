package server

import (
	"net/http"
	"strings"
)

// Under serves h under the base path prefix ("/zfxxgk/"), the way a
// government portal publishes the disclosure platform as one of its
// columns: a request for /zfxxgk/policy/ reaches h as /policy/, and
// /zfxxgk redirects to /zfxxgk/. Anything else on the host belongs to the
// rest of the portal and is 404 here, except that with redirectRoot (a
// local preview) "/" redirects to the prefix. A prefix of "/" or "" serves
// h as it is.
func Under(prefix string, redirectRoot bool, h http.Handler) http.Handler {
	if prefix == "" || prefix == "/" {
		return h
	}
	if !strings.HasPrefix(prefix, "/") {
		prefix = "/" + prefix
	}
	if !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	bare := strings.TrimSuffix(prefix, "/")
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := r.URL.Path
		switch {
		case strings.HasPrefix(p, prefix):
			r2 := new(http.Request)
			*r2 = *r
			u := *r.URL
			u.Path = p[len(bare):]
			if u.RawPath != "" {
				if rp, ok := strings.CutPrefix(u.RawPath, bare); ok {
					u.RawPath = rp
				} else {
					u.RawPath = ""
				}
			}
			r2.URL = &u
			h.ServeHTTP(&prefixWriter{ResponseWriter: w, bare: bare}, r2)
		case p == bare || (p == "/" && redirectRoot):
			target := prefix
			if r.URL.RawQuery != "" && p == bare {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusFound)
		default:
			http.NotFound(w, r)
		}
	})
}

// prefixWriter puts the prefix back in front of the site paths in Location
// headers that the handler under it writes (a folder's redirect to its
// trailing slash).
type prefixWriter struct {
	http.ResponseWriter
	bare  string // the prefix without its trailing slash
	wrote bool
}

func (w *prefixWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		if loc := w.Header().Get("Location"); strings.HasPrefix(loc, "/") && !strings.HasPrefix(loc, "//") && !strings.HasPrefix(loc, w.bare+"/") {
			w.Header().Set("Location", w.bare+loc)
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *prefixWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

// Unwrap gives http.ResponseController the underlying writer.
func (w *prefixWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
