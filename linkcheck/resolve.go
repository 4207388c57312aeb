package linkcheck

import (
	"errors"
	"net/mail"
	"net/url"
	"path"
	"strings"
	"unicode/utf8"
)

// targetKind classifies a link after resolution.
type targetKind int

const (
	targetSkip    targetKind = iota // javascript:, data:, empty, unsupported scheme
	targetHTTP                      // an http(s) URL
	targetMail                      // mailto:
	targetTel                       // tel:
	targetInvalid                   // cannot be parsed or cannot work on the web
)

// target is a link resolved against its page.
type target struct {
	Kind targetKind
	// URL is the absolute URL without its fragment (targetHTTP only).
	URL *url.URL
	// Fragment is the fragment as written, without '#'; HasFragment tells
	// "x#" from "x".
	Fragment    string
	HasFragment bool
	// Problem explains targetInvalid, mailto: and tel: syntax errors, and
	// ProblemKind is the kind of finding it makes.
	Problem     string
	ProblemKind Kind
}

// cleanLink strips what the URL standard strips from link input: leading
// and trailing spaces and controls, and tabs and newlines anywhere.
func cleanLink(raw string) string {
	s := strings.TrimFunc(raw, func(r rune) bool { return r <= ' ' })
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.NewReplacer("\t", "", "\n", "", "\r", "").Replace(s)
	}
	return s
}

// linkScheme returns the lower-cased scheme of s, or "" for a relative link.
func linkScheme(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z':
		case i > 0 && (c >= '0' && c <= '9' || c == '+' || c == '-' || c == '.'):
		case c == ':' && i > 0:
			return strings.ToLower(s[:i])
		default:
			return ""
		}
	}
	return ""
}

// resolveLink resolves raw against base, the URL that relative links of the
// page resolve against (its <base href> or its own URL).
func resolveLink(base *url.URL, raw string) target {
	s := cleanLink(raw)
	if s == "" {
		return target{Kind: targetSkip}
	}
	switch scheme := linkScheme(s); scheme {
	case "", "http", "https":
	case "mailto":
		return target{Kind: targetMail, Problem: checkMailto(s[len("mailto:"):]), ProblemKind: KindSyntax}
	case "tel":
		return target{Kind: targetTel, Problem: checkTel(s[len("tel:"):]), ProblemKind: KindSyntax}
	case "file":
		// A file: link works on the author's computer only: broken for visitors.
		return target{Kind: targetInvalid, Problem: "file: URL points at a local disk, not at the web", ProblemKind: KindBroken}
	default:
		return target{Kind: targetSkip}
	}
	var t target
	if i := strings.IndexByte(s, '#'); i >= 0 {
		t.Fragment, t.HasFragment = s[i+1:], true
		s = s[:i]
	}
	// Browsers read backslashes in http(s) paths as slashes; old sites rely on it.
	if end := strings.IndexByte(s, '?'); end >= 0 {
		s = strings.ReplaceAll(s[:end], `\`, "/") + s[end:]
	} else {
		s = strings.ReplaceAll(s, `\`, "/")
	}
	ref, err := parseURL(s)
	if err != nil {
		return target{Kind: targetInvalid, Problem: "cannot parse URL: " + errText(err), ProblemKind: KindSyntax}
	}
	u := base.ResolveReference(ref)
	if u.Scheme != "http" && u.Scheme != "https" {
		return target{Kind: targetSkip}
	}
	if u.Host == "" {
		return target{Kind: targetInvalid, Problem: "URL has no host", ProblemKind: KindSyntax}
	}
	normalizeURL(u)
	t.Kind, t.URL = targetHTTP, u
	return t
}

// parseURL parses s like url.Parse but, as browsers do, keeps a '%' that
// starts no valid escape as a literal percent sign.
func parseURL(s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err == nil {
		return u, nil
	}
	if !strings.Contains(s, "%") {
		return nil, err
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && (i+2 >= len(s) || !isHex(s[i+1]) || !isHex(s[i+2])) {
			b.WriteString("%25")
			continue
		}
		b.WriteByte(s[i])
	}
	u, err2 := url.Parse(b.String())
	if err2 != nil {
		return nil, err
	}
	return u, nil
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

// normalizeURL lower-cases scheme and host, drops default ports, the
// fragment and user info, so that equal targets compare equal.
func normalizeURL(u *url.URL) {
	u.Scheme = strings.ToLower(u.Scheme)
	u.Host = strings.ToLower(u.Host)
	if h, p, ok := strings.Cut(u.Host, ":"); ok && !strings.Contains(p, ":") {
		if u.Scheme == "http" && p == "80" || u.Scheme == "https" && p == "443" || p == "" {
			u.Host = h
		}
	}
	if u.Path == "" {
		u.Path, u.RawPath = "/", ""
	}
	u.RawQuery = encodeQuery(u.RawQuery)
	u.Fragment, u.RawFragment = "", ""
	u.User = nil
}

// encodeQuery percent-encodes a query string as RFC 3986 asks: every byte
// that is not unreserved, a sub-delimiter, ':', '@', '/' or '?' becomes
// %XX, UTF-8 included (?q=政务公开 is sent as ?q=%E6%94%BF…). Escapes
// already there are kept, with upper-case hex digits, and a '%' that
// starts no escape is encoded as %25.
func encodeQuery(q string) string {
	clean := true
	for i := 0; i < len(q); i++ {
		if c := q[i]; !queryByte(c) || c == '%' {
			clean = false
			break
		}
	}
	if clean {
		return q
	}
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	b.Grow(len(q) + 16)
	for i := 0; i < len(q); i++ {
		c := q[i]
		switch {
		case c == '%' && i+2 < len(q) && isHex(q[i+1]) && isHex(q[i+2]):
			b.WriteByte('%')
			b.WriteByte(upperHex(q[i+1]))
			b.WriteByte(upperHex(q[i+2]))
			i += 2
		case c != '%' && queryByte(c):
			b.WriteByte(c)
		default:
			b.WriteByte('%')
			b.WriteByte(hexDigits[c>>4])
			b.WriteByte(hexDigits[c&15])
		}
	}
	return b.String()
}

// queryByte reports whether c may stand for itself in a query (RFC 3986
// section 3.4: pchar, "/" and "?"; '%' only as the start of an escape).
func queryByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9':
		return true
	}
	return strings.IndexByte("-._~!$&'()*+,;=:@/?%", c) >= 0
}

func upperHex(c byte) byte {
	if c >= 'a' && c <= 'f' {
		return c - 'a' + 'A'
	}
	return c
}

// sameSite reports whether u is on the host of site (either scheme) and
// under its path.
func sameSite(u, site *url.URL) bool {
	if u.Host != site.Host {
		return false
	}
	return strings.HasPrefix(u.Path, site.Path) || u.Path+"/" == site.Path
}

// diskPath maps u, an URL of the site whose root URL is site, to a slash
// path relative to the site folder. Directory URLs map to their index.html.
// The result is always a valid fs.FS path: resolution removed every "..".
func diskPath(u, site *url.URL) string {
	rel := strings.TrimPrefix(u.Path, site.Path)
	if u.Path+"/" == site.Path {
		rel = ""
	}
	dir := rel == "" || strings.HasSuffix(rel, "/")
	rel = strings.TrimPrefix(path.Clean("/"+rel), "/")
	if dir {
		rel = path.Join(rel, "index.html")
	}
	if rel == "" {
		rel = "index.html"
	}
	return rel
}

// unescapeFragment percent-decodes a fragment.
func unescapeFragment(frag string) (string, bool) {
	if !strings.Contains(frag, "%") {
		return frag, true
	}
	dec, err := url.PathUnescape(frag)
	return dec, err == nil
}

// checkableFragment reports whether a fragment should name an element:
// text fragments (#:~:text=) and client-side routes (#/…, #!…) do not.
func checkableFragment(frag string) bool {
	return !strings.HasPrefix(frag, ":~:") && !strings.HasPrefix(frag, "/") && !strings.HasPrefix(frag, "!")
}

// checkMailto returns what is wrong with the part of a mailto: link after
// the scheme (RFC 6068), or "".
func checkMailto(s string) string {
	addrs, query, _ := strings.Cut(s, "?")
	var list []string
	if addrs != "" {
		list = strings.Split(addrs, ",")
	}
	if query != "" {
		q, err := url.ParseQuery(query)
		if err != nil {
			return "malformed mailto query: " + errText(err)
		}
		for k, vs := range q {
			if strings.EqualFold(k, "to") || strings.EqualFold(k, "cc") || strings.EqualFold(k, "bcc") {
				for _, v := range vs {
					list = append(list, strings.Split(v, ",")...)
				}
			}
		}
	}
	if len(list) == 0 {
		return "mailto: link has no address"
	}
	for _, a := range list {
		dec, err := url.PathUnescape(a)
		if err != nil {
			return "malformed escape in mailto address " + quote(a)
		}
		dec = strings.TrimSpace(dec)
		addr, err := mail.ParseAddress(dec)
		if err != nil || addr.Address != dec && addr.Name == "" {
			return "invalid email address " + quote(dec)
		}
		_, domain, _ := strings.Cut(addr.Address, "@")
		if !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
			return "invalid email domain in " + quote(dec)
		}
	}
	return ""
}

// checkTel returns what is wrong with the part of a tel: link after the
// scheme, or "". It accepts RFC 3966 numbers and, since Chinese sites use
// them everywhere, local numbers such as 010-12345678 without
// phone-context.
func checkTel(s string) string {
	num, _, _ := strings.Cut(s, ";")
	dec, err := url.PathUnescape(num)
	if err != nil {
		return "malformed escape in tel: link"
	}
	digits := 0
	for i, r := range dec {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '+' && i == 0:
		case strings.ContainsRune("-.() *#", r):
		default:
			return "invalid character " + quote(string(r)) + " in phone number " + quote(dec)
		}
	}
	if digits < 3 {
		return "phone number " + quote(dec) + " has too few digits"
	}
	if digits > 20 {
		return "phone number " + quote(dec) + " has too many digits"
	}
	return ""
}

// errText returns the message of err without the URL that net/url repeats.
func errText(err error) string {
	if ue, ok := errors.AsType[*url.Error](err); ok {
		return ue.Err.Error()
	}
	return err.Error()
}

// siteDisplay names u for findings: its path (decoded, as an archivist
// reads it) when it is on the site, else the absolute URL.
func siteDisplay(u *url.URL, site *url.URL, frag string, hasFrag bool) string {
	var s string
	if site != nil && sameSite(u, site) {
		s = "/" + strings.TrimPrefix(strings.TrimPrefix(u.Path, site.Path), "/")
		if u.RawQuery != "" {
			s += "?" + decodeUTF8Escapes(u.RawQuery)
		}
	} else {
		s = iri(u)
	}
	if hasFrag {
		s += "#" + frag
	}
	return s
}

// iri shows u as a reader wants it: percent-encoded UTF-8 in the path and
// the query decoded (so Chinese paths and search words read as Chinese),
// the rest as u.String writes it. Escapes of ASCII bytes stay escaped,
// since decoding them could change the URL's meaning.
func iri(u *url.URL) string {
	ep := u.EscapedPath()
	if !strings.Contains(ep, "%") && !strings.Contains(u.RawQuery, "%") || u.Opaque != "" || u.Host == "" {
		return u.String()
	}
	s := u.Scheme + "://" + u.Host + decodeUTF8Escapes(ep)
	if u.ForceQuery || u.RawQuery != "" {
		s += "?" + decodeUTF8Escapes(u.RawQuery)
	}
	return s
}

// decodeUTF8Escapes decodes the runs of escaped bytes >= 0x80 in s that
// are valid UTF-8, and leaves everything else as it is.
func decodeUTF8Escapes(s string) string {
	if !strings.Contains(s, "%") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		var raw []byte
		for j+2 < len(s) && s[j] == '%' && isHex(s[j+1]) && isHex(s[j+2]) && unhex(s[j+1]) >= 8 {
			raw = append(raw, unhex(s[j+1])<<4|unhex(s[j+2]))
			j += 3
		}
		switch {
		case len(raw) > 0 && utf8.Valid(raw):
			b.Write(raw)
		case j > i:
			b.WriteString(s[i:j])
		default:
			b.WriteByte(s[i])
			j = i + 1
		}
		i = j
	}
	return b.String()
}

func unhex(c byte) byte {
	switch {
	case c >= '0' && c <= '9':
		return c - '0'
	case c >= 'a' && c <= 'f':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}
