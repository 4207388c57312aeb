package requests

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"strings"
	"time"
)

// Form tokens tie a form to the browser that asked for it (a random cookie)
// and to one submission: the token carries a random nonce, its issue time
// and a MAC over both, the cookie and the form's purpose. The nonce is the
// submission's identity, so a replayed form stores nothing new and gets the
// receipt of the first one; the tracking code is derived from it.
const (
	tokenTTL    = 6 * time.Hour
	tokenSkew   = 5 * time.Minute
	nonceSize   = 16
	tokenMACLen = 16
	tokenLen    = nonceSize + 8 + tokenMACLen
	cookieSize  = 16
)

// Token errors; all of them mean "show a fresh form".
var (
	errNoCookie     = errors.New("form cookie missing")
	errBadToken     = errors.New("form token invalid")
	errTokenExpired = errors.New("form token expired")
)

// issueToken returns a token for a form with the given purpose.
func (s *Sealer) issueToken(cookie []byte, purpose string, now time.Time) string {
	b := make([]byte, tokenLen)
	rand.Read(b[:nonceSize])
	binary.BigEndian.PutUint64(b[nonceSize:], uint64(now.Unix()))
	copy(b[nonceSize+8:], s.mac(s.formKey, []byte(purpose), cookie, b[:nonceSize+8])[:tokenMACLen])
	return base64.RawURLEncoding.EncodeToString(b)
}

// checkToken verifies a token and returns its nonce.
func (s *Sealer) checkToken(tok string, cookie []byte, purpose string, now time.Time) ([]byte, error) {
	if len(cookie) != cookieSize {
		return nil, errNoCookie
	}
	b, err := base64.RawURLEncoding.DecodeString(tok)
	if err != nil || len(b) != tokenLen {
		return nil, errBadToken
	}
	want := s.mac(s.formKey, []byte(purpose), cookie, b[:nonceSize+8])[:tokenMACLen]
	if !hmac.Equal(want, b[nonceSize+8:]) {
		return nil, errBadToken
	}
	issued := time.Unix(int64(binary.BigEndian.Uint64(b[nonceSize:])), 0)
	if now.Sub(issued) > tokenTTL || issued.Sub(now) > tokenSkew {
		return nil, errTokenExpired
	}
	return b[:nonceSize], nil
}

// submissionKey is what the database stores to recognise a replay: a hash of
// the purpose and the nonce, which is not enough to rebuild the code.
func submissionKey(purpose string, nonce []byte) string {
	h := sha256.New()
	h.Write([]byte(purpose))
	h.Write([]byte{0})
	h.Write(nonce)
	return hex.EncodeToString(h.Sum(nil))
}

// CodeBits is the strength of a tracking code.
const CodeBits = 128

// trackingCode derives the applicant's tracking code from the submission's
// nonce: 128 bits that only this key can produce, so a replay of the same
// form gets the same code while the database holds only its hash.
func (s *Sealer) trackingCode(nonce []byte) string {
	return encodeCode(s.mac(s.codeKey, []byte("tracking code"), nonce)[:CodeBits/8])
}

// crockford is Crockford's base32 alphabet: no I, L, O or U to misread.
const crockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"

// encodeCode writes 16 bytes as 26 base32 digits: four groups of five and
// one of six.
func encodeCode(b []byte) string {
	var hi, lo uint64 = binary.BigEndian.Uint64(b[:8]), binary.BigEndian.Uint64(b[8:16])
	digits := make([]byte, 26)
	for i := 25; i >= 0; i-- {
		digits[i] = crockford[lo&31]
		lo = lo>>5 | hi<<59
		hi >>= 5
	}
	var sb strings.Builder
	for i, d := range digits {
		if i > 0 && i%5 == 0 && i < 25 {
			sb.WriteByte('-')
		}
		sb.WriteByte(d)
	}
	return sb.String()
}

// parseCode reads a tracking code as people type it: any case, with or
// without dashes and spaces, O for 0 and I or L for 1. ok is false for
// anything that is not a code.
func parseCode(s string) (code []byte, ok bool) {
	if len(s) > 64 {
		return nil, false
	}
	var hi, lo uint64
	n := 0
	for _, r := range strings.ToUpper(s) {
		switch r {
		case '-', ' ', '\t':
			continue
		case 'O':
			r = '0'
		case 'I', 'L':
			r = '1'
		}
		v := strings.IndexRune(crockford, r)
		if v < 0 || n == 26 {
			return nil, false
		}
		if n == 0 && v > 7 { // 26 digits carry 130 bits; the top 2 are zero
			return nil, false
		}
		hi = hi<<5 | lo>>59
		lo = lo<<5 | uint64(v)
		n++
	}
	if n != 26 {
		return nil, false
	}
	b := make([]byte, 16)
	binary.BigEndian.PutUint64(b[:8], hi)
	binary.BigEndian.PutUint64(b[8:], lo)
	return b, true
}

// codeHash is what the database stores of a tracking code.
func codeHash(code []byte) string {
	h := sha256.Sum256(code)
	return hex.EncodeToString(h[:])
}
