package keys

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// Purpose names what a data key protects; each purpose has keys of its own,
// so rotating or losing one never touches another.
type Purpose string

// Purposes: the chatbot design's field types, plus pii (reversible PII
// masking) and default.
const (
	PurposeDefault      Purpose = "default"
	PurposeEmail        Purpose = "email"
	PurposePhone        Purpose = "phone"
	PurposeSSN          Purpose = "ssn"
	PurposeCreditCard   Purpose = "credit_card"
	PurposeAPIKeys      Purpose = "api_keys"
	PurposeTokens       Purpose = "tokens"
	PurposePersonalData Purpose = "personal_data"
	PurposePII          Purpose = "pii"
)

// purposeIDs are the purposes' one-byte codes in ciphertexts: never reuse
// or renumber one.
var purposeIDs = map[Purpose]byte{
	PurposeDefault: 0, PurposeEmail: 1, PurposePhone: 2, PurposeSSN: 3, PurposeCreditCard: 4,
	PurposeAPIKeys: 5, PurposeTokens: 6, PurposePersonalData: 7, PurposePII: 8,
}

var purposeByID = func() [256]Purpose {
	var out [256]Purpose
	for p, id := range purposeIDs {
		out[id] = p
	}
	return out
}()

// Purposes lists every purpose, for messages and rotation of all keys.
func Purposes() []Purpose {
	return []Purpose{PurposeDefault, PurposeEmail, PurposePhone, PurposeSSN, PurposeCreditCard, PurposeAPIKeys, PurposeTokens, PurposePersonalData, PurposePII}
}

// ParsePurpose checks a purpose name.
func ParsePurpose(s string) (Purpose, bool) {
	_, ok := purposeIDs[Purpose(s)]
	return Purpose(s), ok
}

// KeyID names one data key: its purpose and, for per-user keys, the user
// (a UUID). A ciphertext carries its key id and version.
type KeyID struct {
	Purpose Purpose
	User    [16]byte // zero for tenant-wide keys
}

// PerUser reports whether the key belongs to one user (crypto-shredding).
func (k KeyID) PerUser() bool { return k.User != [16]byte{} }

// Ciphertext format, version 1 (all integers big-endian):
//
//	byte 0      format version, 0x01
//	byte 1      purpose code; bit 0x80 set: a 16-byte user id follows
//	bytes 2-5   key version (uint32)
//	[16 bytes   user id, per-user keys only]
//	12 bytes    random nonce
//	rest        AES-256-GCM ciphertext and 16-byte tag
//
// The associated data of the GCM seal is "rampart/field/v1", the header
// (bytes 0 to the nonce), the tenant id and the caller's context, each
// length-prefixed, so a ciphertext moved to another tenant, row or field, or
// given another header, does not decrypt. The text form is CiphertextPrefix
// followed by the unpadded base64url of those bytes.
const (
	formatV1         = 0x01
	perUserFlag      = 0x80
	nonceSize        = 12
	tagSize          = 16
	CiphertextPrefix = "rc1:"
)

// HeaderSize returns the header length of a ciphertext for id.
func headerSize(id KeyID) int {
	if id.PerUser() {
		return 6 + 16
	}
	return 6
}

// ErrDecrypt is every decryption failure: a wrong tenant, context, key or
// version, a truncated or altered ciphertext. It never says which.
var ErrDecrypt = errors.New("keys: the ciphertext does not decrypt in this context")

// DataKey is one version of a data key, ready to seal and open.
type DataKey struct {
	ID       KeyID
	Version  uint32
	aead     cipher.AEAD
	material []byte // for file streams, which derive a key per file
}

// NewDataKey wraps 32 bytes of key material.
func NewDataKey(id KeyID, version uint32, material []byte) (*DataKey, error) {
	if len(material) != 32 {
		return nil, fmt.Errorf("keys: a data key is 32 bytes, got %d", len(material))
	}
	block, err := aes.NewCipher(material)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return &DataKey{ID: id, Version: version, aead: aead, material: material}, nil
}

// NewKeyMaterial returns 32 random bytes from crypto/rand.
func NewKeyMaterial() ([]byte, error) {
	b := make([]byte, 32)
	_, err := rand.Read(b)
	return b, err
}

// aadPrefix starts every field ciphertext's associated data.
const aadPrefix = "rampart/field/v1"

// appendAAD builds the associated data into dst.
func appendAAD(dst, header []byte, tenantID, context string) []byte {
	return appendAADWith(dst, aadPrefix, header, tenantID, context)
}

func appendAADWith(dst []byte, prefix string, header []byte, tenantID, context string) []byte {
	dst = append(dst, prefix...)
	dst = binary.AppendUvarint(dst, uint64(len(header)))
	dst = append(dst, header...)
	dst = binary.AppendUvarint(dst, uint64(len(tenantID)))
	dst = append(dst, tenantID...)
	dst = binary.AppendUvarint(dst, uint64(len(context)))
	return append(dst, context...)
}

// Seal encrypts plaintext for tenantID and context, appending the binary
// ciphertext to dst.
func (k *DataKey) Seal(dst, plaintext []byte, tenantID, context string) ([]byte, error) {
	start := len(dst)
	hs := headerSize(k.ID)
	dst = grow(dst, hs+nonceSize+len(plaintext)+tagSize)
	out := dst[start:]
	out[0] = formatV1
	out[1] = purposeIDs[k.ID.Purpose]
	binary.BigEndian.PutUint32(out[2:6], k.Version)
	if k.ID.PerUser() {
		out[1] |= perUserFlag
		copy(out[6:22], k.ID.User[:])
	}
	nonce := out[hs : hs+nonceSize]
	if _, err := rand.Read(nonce); err != nil {
		return nil, err
	}
	var aadBuf [256]byte
	aad := appendAAD(aadBuf[:0], out[:hs], tenantID, context)
	sealed := k.aead.Seal(out[hs+nonceSize:hs+nonceSize], nonce, plaintext, aad)
	return dst[:start+hs+nonceSize+len(sealed)], nil
}

// Open decrypts a binary ciphertext made by Seal for the same tenant and
// context, appending the plaintext to dst.
func (k *DataKey) Open(dst, ciphertext []byte, tenantID, context string) ([]byte, error) {
	id, version, hs, ok := parseHeader(ciphertext)
	if !ok || id != k.ID || version != k.Version || len(ciphertext) < hs+nonceSize+tagSize {
		return nil, ErrDecrypt
	}
	var aadBuf [256]byte
	aad := appendAAD(aadBuf[:0], ciphertext[:hs], tenantID, context)
	out, err := k.aead.Open(dst, ciphertext[hs:hs+nonceSize], ciphertext[hs+nonceSize:], aad)
	if err != nil {
		return nil, ErrDecrypt
	}
	return out, nil
}

// Header is what a ciphertext says about its key.
type Header struct {
	Key     KeyID
	Version uint32
}

// ParseHeader reads the key id and version of a binary ciphertext.
func ParseHeader(ciphertext []byte) (Header, error) {
	id, v, hs, ok := parseHeader(ciphertext)
	if !ok || len(ciphertext) < hs+nonceSize+tagSize {
		return Header{}, ErrDecrypt
	}
	return Header{Key: id, Version: v}, nil
}

func parseHeader(c []byte) (KeyID, uint32, int, bool) {
	if len(c) < 6 || c[0] != formatV1 {
		return KeyID{}, 0, 0, false
	}
	p := purposeByID[c[1]&^perUserFlag]
	if p == "" {
		return KeyID{}, 0, 0, false
	}
	id := KeyID{Purpose: p}
	hs := 6
	if c[1]&perUserFlag != 0 {
		if len(c) < 22 {
			return KeyID{}, 0, 0, false
		}
		copy(id.User[:], c[6:22])
		if !id.PerUser() {
			return KeyID{}, 0, 0, false
		}
		hs = 22
	}
	return id, binary.BigEndian.Uint32(c[2:6]), hs, true
}

// EncodeCiphertext is the text form of a binary ciphertext.
func EncodeCiphertext(c []byte) string {
	return CiphertextPrefix + base64.RawURLEncoding.EncodeToString(c)
}

// DecodeCiphertext reads the text form; anything malformed is ErrDecrypt.
func DecodeCiphertext(s string) ([]byte, error) {
	rest, ok := strings.CutPrefix(s, CiphertextPrefix)
	if !ok {
		return nil, ErrDecrypt
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return nil, ErrDecrypt
	}
	return b, nil
}

func grow(b []byte, n int) []byte {
	if cap(b)-len(b) < n {
		nb := make([]byte, len(b), len(b)+n)
		copy(nb, b)
		b = nb
	}
	return b[:len(b)+n]
}
