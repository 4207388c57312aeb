package requests

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
)

func randomBytes(n int) []byte {
	b := make([]byte, n)
	rand.Read(b)
	return b
}

func encodeCookie(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func decodeCookie(s string) ([]byte, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	return b, err == nil && len(b) == cookieSize
}

// sanitizeEcho makes a submitted value safe to show in the form again:
// valid UTF-8 without control characters (line breaks kept). The template
// escapes it for HTML.
func sanitizeEcho(v string) string {
	v = strings.ToValidUTF8(v, "\uFFFD")
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || !unsafeRune(r) || r == '\uFFFD' {
			return r
		}
		return '\uFFFD'
	}, v)
}
