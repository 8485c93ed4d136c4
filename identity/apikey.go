package identity

import (
	"crypto/rand"
	"encoding/base64"
	"strings"
	"time"

	"github.com/google/uuid"
)

// APIKey is a tenant's key for machine clients. Only a hash of the key is
// kept; the key itself is shown once.
type APIKey struct {
	ID            string // public: 12 characters, part of the key
	TenantID      string
	Name          string
	Hash          string
	Role          string   // the key's role, or ""
	Permissions   []string // the key's own permissions (with its role's)
	RateLimitTier string
	CreatedBy     string
	CreatedAt     time.Time
	ExpiresAt     time.Time // zero: never
	LastUsedAt    time.Time
	RevokedAt     time.Time
}

// apiKeyPrefix marks Rampart API keys so secret scanners can find leaked ones.
const apiKeyPrefix = "rmp_"

// NewAPIKey returns a key for tenantID: rmp_ + base64url(tenant id, 9-byte
// key id) + "_" + base64url(32 random bytes), with its public id and hash.
func NewAPIKey(tenantID string) (key, id, hash string, err error) {
	tid, err := uuid.Parse(tenantID)
	if err != nil {
		return "", "", "", err
	}
	b := make([]byte, 16+9+32)
	copy(b, tid[:])
	if _, err := rand.Read(b[16:]); err != nil {
		return "", "", "", err
	}
	enc := base64.RawURLEncoding
	key = apiKeyPrefix + enc.EncodeToString(b[:25]) + "_" + enc.EncodeToString(b[25:])
	return key, enc.EncodeToString(b[16:25]), HashToken(key), nil
}

// ParseAPIKey returns the tenant and key id an API key names.
func ParseAPIKey(key string) (tenantID, id string, err error) {
	rest, ok := strings.CutPrefix(key, apiKeyPrefix)
	if !ok {
		return "", "", ErrMalformedToken
	}
	// base64url has "_" in its alphabet, so the parts are found by length.
	enc := base64.RawURLEncoding
	if len(rest) != 34+1+43 || rest[34] != '_' {
		return "", "", ErrMalformedToken
	}
	head, secret := rest[:34], rest[35:]
	b, err := enc.DecodeString(head)
	if err != nil || len(b) != 25 {
		return "", "", ErrMalformedToken
	}
	if _, err := enc.DecodeString(secret); err != nil {
		return "", "", ErrMalformedToken
	}
	tid, err := uuid.FromBytes(b[:16])
	if err != nil {
		return "", "", ErrMalformedToken
	}
	return tid.String(), enc.EncodeToString(b[16:]), nil
}

// IsAPIKey reports whether s looks like an API key (by its prefix).
func IsAPIKey(s string) bool { return strings.HasPrefix(s, apiKeyPrefix) }
