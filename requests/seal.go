package requests

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length of the service key: AES-256.
const KeySize = 32

// Sealer encrypts personal data with AES-256-GCM before it is stored, and
// derives the secrets the web forms need (form tokens, tracking codes) from
// the same key, so every instance behind a load balancer agrees on them.
type Sealer struct {
	aead    cipher.AEAD
	kid     [4]byte
	formKey []byte
	codeKey []byte
}

// sealVersion is the first byte of every sealed value.
const sealVersion = 1

// ErrWrongKey is returned when sealed data or the database was written with
// another key.
var ErrWrongKey = errors.New("sealed with a different key")

// NewSealer returns a sealer for a 32-byte key.
func NewSealer(key []byte) (*Sealer, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("key: want %d bytes, got %d", KeySize, len(key))
	}
	derive := func(label string) []byte {
		m := hmac.New(sha256.New, key)
		m.Write([]byte("gongkai requests v1 " + label))
		return m.Sum(nil)
	}
	block, err := aes.NewCipher(derive("seal"))
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	s := &Sealer{aead: aead, formKey: derive("form"), codeKey: derive("code")}
	copy(s.kid[:], derive("key id"))
	return s, nil
}

// ParseKey decodes a key written as 64 hex digits or as standard base64,
// surrounding white space ignored.
func ParseKey(text string) ([]byte, error) {
	t := strings.TrimSpace(text)
	if b, err := hex.DecodeString(t); err == nil && len(b) == KeySize {
		return b, nil
	}
	if b, err := base64.StdEncoding.DecodeString(t); err == nil && len(b) == KeySize {
		return b, nil
	}
	return nil, fmt.Errorf("want %d bytes as %d hex digits or base64 (generate one with: head -c 32 /dev/urandom | xxd -p -c 64)", KeySize, 2*KeySize)
}

// NewKey returns a fresh random key in its hex text form.
func NewKey() string {
	b := make([]byte, KeySize)
	rand.Read(b)
	return hex.EncodeToString(b) + "\n"
}

// KeyID returns a short fingerprint of the key that is safe to store and
// log: it tells keys apart without revealing them.
func (s *Sealer) KeyID() string { return hex.EncodeToString(s.kid[:]) }

// Seal encrypts plain, bound to aad (the row and column it is stored in, so
// a sealed value cannot be moved to another row unnoticed).
func (s *Sealer) Seal(plain, aad []byte) []byte {
	out := make([]byte, 1+len(s.kid), 1+len(s.kid)+s.aead.NonceSize()+len(plain)+s.aead.Overhead())
	out[0] = sealVersion
	copy(out[1:], s.kid[:])
	nonce := make([]byte, s.aead.NonceSize())
	rand.Read(nonce)
	out = append(out, nonce...)
	return s.aead.Seal(out, nonce, plain, aad)
}

// Open decrypts a value from Seal with the same aad.
func (s *Sealer) Open(sealed, aad []byte) ([]byte, error) {
	head := 1 + len(s.kid) + s.aead.NonceSize()
	if len(sealed) < head+s.aead.Overhead() || sealed[0] != sealVersion {
		return nil, errors.New("open sealed value: malformed")
	}
	if !hmac.Equal(sealed[1:1+len(s.kid)], s.kid[:]) {
		return nil, fmt.Errorf("open sealed value: %w (key id %x, this key %s)", ErrWrongKey, sealed[1:1+len(s.kid)], s.KeyID())
	}
	plain, err := s.aead.Open(nil, sealed[1+len(s.kid):head], sealed[head:], aad)
	if err != nil {
		return nil, fmt.Errorf("open sealed value: %w", err)
	}
	return plain, nil
}

func (s *Sealer) mac(key []byte, parts ...[]byte) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		var n [4]byte
		n[0], n[1], n[2], n[3] = byte(len(p)>>24), byte(len(p)>>16), byte(len(p)>>8), byte(len(p))
		m.Write(n[:])
		m.Write(p)
	}
	return m.Sum(nil)
}
