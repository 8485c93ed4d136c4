package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strings"
	"sync"
)

// FieldPrefix starts the stored form of a personal field Rampart keeps about
// its own users (their emails): "rf1:" + base64url(nonce || AES-256-GCM).
const FieldPrefix = "rf1:"

// Fields seals the personal fields of Rampart's own records, and computes
// their blind indexes. The key of each tenant is derived from the master key
// (HKDF, "fields/v1/<tenant>"), not stored: these fields are read and
// written inside the store's transactions, including the one that creates
// the tenant, where no stored key could exist yet. It rotates with the
// master key; the "v1" leaves room for a second derivation.
type Fields struct {
	master *MasterKey
	index  []byte
	aeads  sync.Map // tenant id -> cipher.AEAD
}

// NewFields returns the field sealer of master.
func NewFields(master *MasterKey) *Fields {
	return &Fields{master: master, index: master.Derive("fields/blind-index/v1")}
}

func (f *Fields) aead(tenantID string) (cipher.AEAD, error) {
	if a, ok := f.aeads.Load(tenantID); ok {
		return a.(cipher.AEAD), nil
	}
	block, err := aes.NewCipher(f.master.Derive("fields/v1/" + tenantID))
	if err != nil {
		return nil, err
	}
	a, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	f.aeads.Store(tenantID, a)
	return a, nil
}

func fieldAAD(tenantID, rowID, field string) []byte {
	return []byte("rampart/own-field/v1\x00" + tenantID + "\x00" + field + "\x00" + rowID)
}

// SealField encrypts value for one field of one row of a tenant.
func (f *Fields) SealField(tenantID, rowID, field, value string) (string, error) {
	a, err := f.aead(tenantID)
	if err != nil {
		return "", err
	}
	buf := make([]byte, nonceSize, nonceSize+len(value)+tagSize)
	if _, err := rand.Read(buf); err != nil {
		return "", err
	}
	out := a.Seal(buf, buf[:nonceSize], []byte(value), fieldAAD(tenantID, rowID, field))
	return FieldPrefix + base64.RawURLEncoding.EncodeToString(out), nil
}

// OpenField decrypts what SealField made for the same tenant, row and
// field. A value without the prefix is returned as it is: rows written
// before fields were sealed (the start-up migration seals them).
func (f *Fields) OpenField(tenantID, rowID, field, stored string) (string, error) {
	rest, ok := strings.CutPrefix(stored, FieldPrefix)
	if !ok {
		return stored, nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(raw) < nonceSize+tagSize {
		return "", ErrDecrypt
	}
	a, err := f.aead(tenantID)
	if err != nil {
		return "", err
	}
	pt, err := a.Open(nil, raw[:nonceSize], raw[nonceSize:], fieldAAD(tenantID, rowID, field))
	if err != nil {
		return "", ErrDecrypt
	}
	return string(pt), nil
}

// Sealed reports whether a stored value was made by SealField.
func (f *Fields) Sealed(stored string) bool { return strings.HasPrefix(stored, FieldPrefix) }

// BlindIndex is a keyed hash of a normalised value, for lookups and
// uniqueness without the value: equal within a tenant, unlinkable across
// tenants, and no dictionary gives the value back without the master key.
func (f *Fields) BlindIndex(tenantID, field, value string) string {
	m := hmac.New(sha256.New, f.index)
	m.Write([]byte(tenantID + "\x00" + field + "\x00" + value))
	return "bi1:" + hex.EncodeToString(m.Sum(nil))
}
