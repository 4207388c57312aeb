package generator

import (
	"bytes"
	"fmt"
)

// CheckBasePath reports an error for the first root-relative URL in an
// attribute of page (href="/…", src="/…", action="/…", style url(/…)) that
// does not start with the site's base path. Under a base path such as
// /zfxxgk/ every internal link must carry it; a template that writes a site
// path without {{url …}} fails the build here instead of publishing links
// into the rest of the portal. Links to other parts of the host are written
// as absolute URLs.
func CheckBasePath(page []byte, base string) error {
	if base == "/" {
		return nil
	}
	for _, open := range [][]byte{[]byte(`="/`), []byte(`='/`), []byte(`url(/`), []byte(`url("/`), []byte(`url('/`)} {
		rest := page
		for {
			i := bytes.Index(rest, open)
			if i < 0 {
				break
			}
			v := rest[i+len(open)-1:]
			rest = v
			if bytes.HasPrefix(v, []byte("//")) || bytes.HasPrefix(v, []byte(base)) {
				continue
			}
			end := bytes.IndexAny(v, "\"') \n>")
			if end < 0 {
				end = min(len(v), 80)
			}
			return fmt.Errorf("link %q does not start with the base path %s: templates write site paths through {{url …}} and pages outside the site as absolute URLs", v[:end], base)
		}
	}
	return nil
}
