package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"
)

// Signing algorithms Rampart issues tokens with. HS256 is deliberately
// absent: a shared secret would let every verifier mint tokens.
const (
	RS256 = "RS256"
	ES256 = "ES256"
	EdDSA = "EdDSA"
)

// rsaBits is the RSA modulus size for RS256 keys.
const rsaBits = 2048

// ValidAlg reports whether alg is one Rampart can sign with.
func ValidAlg(alg string) bool { return alg == RS256 || alg == ES256 || alg == EdDSA }

// SigningKey is one token-signing key pair. Private is nil for keys loaded
// only to verify.
type SigningKey struct {
	KID       string
	Alg       string
	Private   crypto.Signer
	Public    crypto.PublicKey
	CreatedAt time.Time
	RetiredAt time.Time // zero while the key is current
}

// GenerateSigningKey makes a new key pair for alg with crypto/rand and a
// random key id.
func GenerateSigningKey(alg string, now time.Time) (*SigningKey, error) {
	var priv crypto.Signer
	var err error
	switch alg {
	case RS256:
		priv, err = rsa.GenerateKey(rand.Reader, rsaBits)
	case ES256:
		priv, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	case EdDSA:
		_, priv, err = ed25519.GenerateKey(rand.Reader)
	default:
		return nil, fmt.Errorf("keys: unsupported signing algorithm %q", alg)
	}
	if err != nil {
		return nil, err
	}
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	return &SigningKey{KID: base64.RawURLEncoding.EncodeToString(b), Alg: alg, Private: priv, Public: priv.Public(), CreatedAt: now.UTC()}, nil
}

// signingKeyAAD binds a sealed private key to its key id.
func signingKeyAAD(kid string) []byte { return []byte("rampart/signing-key/" + kid) }

// SealPrivate returns the private key as PKCS #8, encrypted under mk.
func (k *SigningKey) SealPrivate(mk *MasterKey) ([]byte, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Private)
	if err != nil {
		return nil, err
	}
	return mk.Seal(der, signingKeyAAD(k.KID))
}

// PublicJWK returns the public key as a JSON Web Key.
func (k *SigningKey) PublicJWK() jose.JSONWebKey {
	return jose.JSONWebKey{Key: k.Public, KeyID: k.KID, Algorithm: k.Alg, Use: "sig"}
}

// ErrWrongMasterKey is returned when stored keys do not decrypt: the master
// key is not the one they were sealed with.
var ErrWrongMasterKey = errors.New("keys: the master key does not decrypt the stored signing keys (is RAMPART_MASTER_KEY the one this database was created with?)")

// OpenSigningKey rebuilds a stored key from its sealed private part.
func OpenSigningKey(mk *MasterKey, kid, alg string, sealed []byte, createdAt, retiredAt time.Time) (*SigningKey, error) {
	der, err := mk.Open(sealed, signingKeyAAD(kid))
	if err != nil {
		return nil, ErrWrongMasterKey
	}
	parsed, err := x509.ParsePKCS8PrivateKey(der)
	if err != nil {
		return nil, fmt.Errorf("keys: stored signing key %s: %w", kid, err)
	}
	priv, ok := parsed.(crypto.Signer)
	if !ok {
		return nil, fmt.Errorf("keys: stored signing key %s is not a signer", kid)
	}
	return &SigningKey{KID: kid, Alg: alg, Private: priv, Public: priv.Public(), CreatedAt: createdAt, RetiredAt: retiredAt}, nil
}

// Keyring holds the current signing key and the keys still published for
// verification. It is safe for concurrent use; Set replaces its contents.
type Keyring struct {
	mu        sync.RWMutex
	current   *SigningKey
	published map[string]*SigningKey
	jwks      []byte
}

// Set installs the keys: current signs, all (current included) verify.
func (r *Keyring) Set(current *SigningKey, all []*SigningKey) {
	pub := make(map[string]*SigningKey, len(all))
	set := jose.JSONWebKeySet{}
	for _, k := range all {
		pub[k.KID] = k
		set.Keys = append(set.Keys, k.PublicJWK())
	}
	b, _ := json.Marshal(set) // public keys of known types always marshal
	r.mu.Lock()
	r.current, r.published, r.jwks = current, pub, b
	r.mu.Unlock()
}

// Current returns the signing key, or nil before Set.
func (r *Keyring) Current() *SigningKey {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.current
}

// Lookup returns the published key with this id.
func (r *Keyring) Lookup(kid string) (*SigningKey, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	k, ok := r.published[kid]
	return k, ok
}

// JWKS returns the JSON Web Key Set document of the published keys.
func (r *Keyring) JWKS() []byte {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.jwks
}

// SealedKey is a signing key as stored: its private part sealed by the
// master key.
type SealedKey struct {
	KID       string
	Alg       string
	Sealed    []byte
	CreatedAt time.Time
	RetiredAt time.Time // zero while current
}

// Seal returns the stored form of k.
func (k *SigningKey) Seal(mk *MasterKey) (*SealedKey, error) {
	b, err := k.SealPrivate(mk)
	if err != nil {
		return nil, err
	}
	return &SealedKey{KID: k.KID, Alg: k.Alg, Sealed: b, CreatedAt: k.CreatedAt, RetiredAt: k.RetiredAt}, nil
}

// Open rebuilds the signing key from its stored form.
func (s *SealedKey) Open(mk *MasterKey) (*SigningKey, error) {
	return OpenSigningKey(mk, s.KID, s.Alg, s.Sealed, s.CreatedAt, s.RetiredAt)
}
