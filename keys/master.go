// Package keys holds the master key that protects every secret Rampart keeps
// at rest (signing keys, TOTP secrets, tenant data keys).
package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// MasterKeySize is the length of the master key: 32 bytes for AES-256.
const MasterKeySize = 32

// sealVersion prefixes every ciphertext so the format can evolve.
const sealVersion byte = 1

// MasterKey encrypts small secrets with AES-256-GCM. The associated data binds
// a ciphertext to its place (tenant, user, purpose), so a ciphertext copied to
// another row does not decrypt.
type MasterKey struct {
	aead cipher.AEAD
	raw  []byte
}

// ParseMasterKey decodes base64 (standard or URL, padded or not) of 32 bytes.
func ParseMasterKey(b64 string) (*MasterKey, error) {
	b64 = strings.TrimSpace(b64)
	var raw []byte
	var err error
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if raw, err = enc.DecodeString(b64); err == nil {
			break
		}
	}
	if err != nil {
		return nil, errors.New("master key is not valid base64")
	}
	if len(raw) != MasterKeySize {
		return nil, fmt.Errorf("master key must be %d bytes, got %d", MasterKeySize, len(raw))
	}
	return newMasterKey(raw)
}

func newMasterKey(raw []byte) (*MasterKey, error) {
	block, err := aes.NewCipher(raw)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &MasterKey{aead: aead, raw: raw}, nil
}

// Derive returns a 32-byte key for one purpose, derived from the master key
// with HKDF-SHA256 (RFC 5869): separate purposes never share key material.
func (k *MasterKey) Derive(purpose string) []byte {
	out, err := hkdf.Key(sha256.New, k.raw, nil, "rampart/"+purpose, 32)
	if err != nil {
		panic("keys: HKDF of 32 bytes cannot fail: " + err.Error())
	}
	return out
}

// LoadMasterKeyFile reads a base64 master key from path.
func LoadMasterKeyFile(path string) (*MasterKey, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read master key file: %w", err)
	}
	return ParseMasterKey(string(b))
}

// DevMasterKey loads the development master key from dir, generating it with
// crypto/rand (mode 0600) when absent. created reports a new key.
func DevMasterKey(dir string) (key *MasterKey, path string, created bool, err error) {
	path = filepath.Join(dir, "master.key")
	if _, statErr := os.Stat(path); statErr == nil {
		key, err = LoadMasterKeyFile(path)
		return key, path, false, err
	}
	raw := make([]byte, MasterKeySize)
	if _, err := rand.Read(raw); err != nil {
		return nil, path, false, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return nil, path, false, fmt.Errorf("create master key file: %w", err)
	}
	_, werr := f.WriteString(base64.StdEncoding.EncodeToString(raw) + "\n")
	if cerr := f.Close(); werr == nil {
		werr = cerr
	}
	if werr != nil {
		return nil, path, false, fmt.Errorf("write master key file: %w", werr)
	}
	key, err = newMasterKey(raw)
	return key, path, true, err
}

// Seal encrypts plaintext bound to associated data aad.
func (k *MasterKey) Seal(plaintext, aad []byte) ([]byte, error) {
	nonce := make([]byte, k.aead.NonceSize(), 1+k.aead.NonceSize()+len(plaintext)+k.aead.Overhead())
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	out := append([]byte{sealVersion}, nonce...)
	return k.aead.Seal(out, nonce, plaintext, aad), nil
}

// ErrOpen is returned for any ciphertext that does not decrypt; it says no more.
var ErrOpen = errors.New("keys: ciphertext does not decrypt")

// Open decrypts a ciphertext made by Seal with the same associated data.
func (k *MasterKey) Open(ciphertext, aad []byte) ([]byte, error) {
	ns := k.aead.NonceSize()
	if len(ciphertext) < 1+ns+k.aead.Overhead() || ciphertext[0] != sealVersion {
		return nil, ErrOpen
	}
	pt, err := k.aead.Open(nil, ciphertext[1:1+ns], ciphertext[1+ns:], aad)
	if err != nil {
		return nil, ErrOpen
	}
	return pt, nil
}
