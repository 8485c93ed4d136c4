package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"
)

// Session is one login of a user: what its tokens are checked against.
type Session struct {
	ID           string
	TenantID     string
	UserID       string
	CreatedAt    time.Time
	LastActivity time.Time
	ExpiresAt    time.Time
	IP           string
	UserAgent    string
	Fingerprint  string // SHA-256 of the device's user agent and accept headers
	AMR          []string
	MFAVerified  bool
	Active       bool
	EndedAt      time.Time
	EndReason    string
}

// Reasons a session ends.
const (
	EndLogout         = "logout"
	EndEvicted        = "evicted"         // the user's session limit was reached
	EndRefreshReuse   = "refresh_reuse"   // a rotated refresh token came back: theft
	EndPasswordChange = "password_change" // the user changed their password
	EndRevoked        = "revoked"         // an admin or the user ended it
	EndUserDisabled   = "user_disabled"   // the user was disabled or deleted
	EndTenantDisabled = "tenant_disabled" // the tenant was disabled
	EndIPChange       = "ip_change"       // the tenant's IP-change policy is revoke
)

// RefreshToken is the stored form of a refresh token: only its hash.
type RefreshToken struct {
	Hash      string
	TenantID  string
	SessionID string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until rotated
	GraceUsed bool
}

// refreshPrefix marks Rampart refresh tokens so secret scanners can find them.
const refreshPrefix = "rrt_"

// NewRefreshToken returns a new opaque refresh token for tenantID and the hash
// under which it is stored. The token is the prefix, then base64url of the
// tenant's 16-byte id and 32 bytes (256 bits) from crypto/rand. The tenant id
// is not secret; it lets the server open the right tenant's scope.
func NewRefreshToken(tenantID string) (token, hash string, err error) {
	tid, err := uuid.Parse(tenantID)
	if err != nil {
		return "", "", err
	}
	b := make([]byte, 16+32)
	copy(b, tid[:])
	if _, err := rand.Read(b[16:]); err != nil {
		return "", "", err
	}
	token = refreshPrefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashRefreshToken(token), nil
}

// ErrMalformedToken is returned for a refresh token of the wrong shape.
var ErrMalformedToken = errors.New("malformed token")

// ParseRefreshToken returns the tenant id a refresh token belongs to.
func ParseRefreshToken(token string) (tenantID string, err error) {
	rest, ok := strings.CutPrefix(token, refreshPrefix)
	if !ok || len(rest) != 64 {
		return "", ErrMalformedToken
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) != 48 {
		return "", ErrMalformedToken
	}
	tid, err := uuid.FromBytes(b[:16])
	if err != nil {
		return "", ErrMalformedToken
	}
	return tid.String(), nil
}

// HashRefreshToken returns the stored form of a token: hex SHA-256. The token
// has 256 bits of entropy, so a fast hash is enough (no salt or stretching).
func HashRefreshToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Fingerprint returns the device fingerprint hash of a client's headers.
func Fingerprint(userAgent, acceptLanguage string) string {
	sum := sha256.Sum256([]byte(userAgent + "\x00" + acceptLanguage))
	return hex.EncodeToString(sum[:])
}

// TenantPolicy holds a tenant's security settings; zero fields take defaults.
type TenantPolicy struct {
	MaxSessionsPerUser int    `json:"max_sessions_per_user,omitempty"`
	IPChangePolicy     string `json:"ip_change_policy,omitempty"` // log | revoke
	RateLimitTier      string `json:"rate_limit_tier,omitempty"`
}

// Defaults of TenantPolicy.
const (
	DefaultMaxSessions   = 5
	IPChangeLog          = "log"
	IPChangeRevoke       = "revoke"
	DefaultRateLimitTier = "standard"
	MaxSessionsLimit     = 100
)

// WithDefaults returns p with every unset field at its default.
func (p TenantPolicy) WithDefaults() TenantPolicy {
	if p.MaxSessionsPerUser == 0 {
		p.MaxSessionsPerUser = DefaultMaxSessions
	}
	if p.IPChangePolicy == "" {
		p.IPChangePolicy = IPChangeLog
	}
	if p.RateLimitTier == "" {
		p.RateLimitTier = DefaultRateLimitTier
	}
	return p
}

// RateLimitTiers are the tiers of the chatbot platform's design.
var RateLimitTiers = []string{"basic", "standard", "premium", "enterprise"}

// MaskEmail keeps enough of an address for an audit reader to recognise it
// without storing it whole: the first letter of the local part and the domain.
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}

// Validate checks the settings a tenant may choose.
func (p TenantPolicy) Validate(field string) error {
	if p.MaxSessionsPerUser < 0 || p.MaxSessionsPerUser > MaxSessionsLimit {
		return FieldErrorf(field+".max_sessions_per_user", "must be from 1 to %d", MaxSessionsLimit)
	}
	if p.IPChangePolicy != "" && p.IPChangePolicy != IPChangeLog && p.IPChangePolicy != IPChangeRevoke {
		return FieldErrorf(field+".ip_change_policy", "must be log or revoke")
	}
	if p.RateLimitTier != "" {
		ok := false
		for _, t := range RateLimitTiers {
			ok = ok || t == p.RateLimitTier
		}
		if !ok {
			return FieldErrorf(field+".rate_limit_tier", "must be basic, standard, premium or enterprise")
		}
	}
	return nil
}
