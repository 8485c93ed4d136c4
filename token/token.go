// Package token issues and verifies Rampart's access tokens: JWS-signed JWTs
// whose header can never choose how they are verified.
package token

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rampart-dev/rampart/keys"
)

// Claims are the claims of an access token: the registered ones of RFC 7519
// and Rampart's own.
type Claims struct {
	Issuer    string      `json:"iss"`
	Subject   string      `json:"sub"` // user id
	Audience  []string    `json:"aud"`
	IssuedAt  NumericDate `json:"iat"`
	NotBefore NumericDate `json:"nbf"`
	Expiry    NumericDate `json:"exp"`
	ID        string      `json:"jti"`

	TenantID      string   `json:"tenant_id"`
	Role          string   `json:"role"`
	Permissions   []string `json:"permissions"`
	Scopes        []string `json:"scopes"`
	SessionID     string   `json:"sid"`
	AMR           []string `json:"amr"`
	MFAVerified   bool     `json:"mfa_verified"`
	RateLimitTier string   `json:"rate_limit_tier"`

	// The chatbot design's claims. The two flags are always present;
	// the others only when the user or tenant sets them (device_id when
	// the login named one).
	PasswordChangeRequired bool     `json:"password_change_required"`
	TermsAccepted          bool     `json:"terms_accepted"`
	FeatureFlags           []string `json:"feature_flags"`
	DataResidency          string   `json:"data_residency,omitempty"`
	ComplianceLevel        string   `json:"compliance_level,omitempty"`
	DailyQuota             int64    `json:"daily_quota,omitempty"`
	DeviceID               string   `json:"device_id,omitempty"`
	UserAgentHash          string   `json:"user_agent_hash,omitempty"`

	// Custom are the tenant's custom claims, at the top level of the
	// token beside the others; Issue never lets one replace a claim
	// above, and reading a token puts every claim not above here.
	Custom map[string]any `json:"-"`
}

// knownClaims are the JSON names of Claims' fields.
var knownClaims = func() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeFor[Claims]()
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}()

// UnmarshalJSON reads the claims above, and any other into Custom.
func (c *Claims) UnmarshalJSON(b []byte) error {
	type plain Claims
	if err := json.Unmarshal(b, (*plain)(c)); err != nil {
		return err
	}
	var all map[string]json.RawMessage
	if err := json.Unmarshal(b, &all); err != nil {
		return err
	}
	c.Custom = nil
	for k, raw := range all {
		if knownClaims[k] {
			continue
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		if c.Custom == nil {
			c.Custom = map[string]any{}
		}
		c.Custom[k] = v
	}
	return nil
}

// UserAgentHash is the user_agent_hash claim of a User-Agent: hex of the
// first 16 bytes of its SHA-256 ("" for none). It lets a resource server
// notice a token replayed from another client without learning the agent.
func UserAgentHash(userAgent string) string {
	if userAgent == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(userAgent))
	return hex.EncodeToString(sum[:16])
}

// ExpiresAt returns the expiry as a time.
func (c *Claims) ExpiresAt() time.Time { return time.Unix(int64(c.Expiry), 0) }

// NumericDate is seconds since the epoch (RFC 7519 section 2). Rampart writes
// integers; it reads any JSON number, fractions truncated, as the RFC allows.
type NumericDate int64

// UnmarshalJSON accepts integers and non-integer numbers.
func (d *NumericDate) UnmarshalJSON(b []byte) error {
	var f float64
	if err := json.Unmarshal(b, &f); err != nil {
		return err
	}
	if f < 0 || f > 1e15 {
		return errors.New("numeric date out of range")
	}
	*d = NumericDate(int64(f))
	return nil
}

// maxClockSkew is the leeway allowed on exp, nbf and iat between replicas.
const maxClockSkew = 30 * time.Second

// MaxTokenBytes bounds the size of a token accepted for parsing.
const MaxTokenBytes = 8 << 10

// ErrInvalid is the only error callers see for a token that does not verify:
// which check failed is not theirs to know.
var ErrInvalid = errors.New("invalid token")

// Issuer signs access tokens with the keyring's current key.
type Issuer struct {
	Keyring  *keys.Keyring
	Issuer   string
	Audience []string
}

// NewID returns a random token id (jti).
func NewID() string {
	b := make([]byte, 16)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Issue fills in iss, aud, iat, nbf, exp and jti and signs c.
func (is *Issuer) Issue(c Claims, now time.Time, ttl time.Duration) (string, *Claims, error) {
	k := is.Keyring.Current()
	if k == nil {
		return "", nil, errors.New("token: no signing key")
	}
	c.Issuer = is.Issuer
	c.Audience = is.Audience
	c.IssuedAt = NumericDate(now.Unix())
	c.NotBefore = NumericDate(now.Unix())
	c.Expiry = NumericDate(now.Add(ttl).Unix())
	c.ID = NewID()
	if c.Permissions == nil {
		c.Permissions = []string{}
	}
	if c.Scopes == nil {
		c.Scopes = []string{}
	}
	if c.FeatureFlags == nil {
		c.FeatureFlags = []string{}
	}
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.SignatureAlgorithm(k.Alg), Key: jose.JSONWebKey{Key: k.Private, KeyID: k.KID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return "", nil, fmt.Errorf("token: signer: %w", err)
	}
	// Custom claims first: the registered ones, merged after, win any
	// clash (the tenant's settings refuse such names anyway).
	b := jwt.Signed(signer)
	if len(c.Custom) > 0 {
		custom := make(map[string]interface{}, len(c.Custom))
		for k, v := range c.Custom {
			custom[k] = v
		}
		b = b.Claims(custom)
	}
	raw, err := b.Claims(c).Serialize()
	if err != nil {
		return "", nil, fmt.Errorf("token: sign: %w", err)
	}
	return raw, &c, nil
}

// KeySource finds a verification key by key id.
type KeySource interface {
	Lookup(kid string) (*keys.SigningKey, bool)
}

// Verifier checks access tokens: signature by a published key whose own
// algorithm matches the header (the header never picks the key type, and
// none, HS256 and unknown algorithms are refused before any key is touched),
// then issuer, audience and times. jku, x5u and embedded jwk headers are
// never followed.
type Verifier struct {
	Keys     KeySource
	Issuer   string
	Audience string
}

var allowedAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// Verify returns the claims of raw, or ErrInvalid.
func (v *Verifier) Verify(raw string, now time.Time) (*Claims, error) {
	c, err := v.Check(raw, now)
	if err != nil {
		return nil, ErrInvalid
	}
	return c, nil
}

// Refusal says which check a token failed. It is for the server's own
// (debug) log, never for the caller, who sees only ErrInvalid; errors.Is
// matches it to ErrInvalid.
type Refusal struct {
	Reason string // malformed | unknown key | algorithm | signature | issuer | audience | expired | not yet valid | missing claims
	Detail string // what was presented, when it helps an operator (an issuer, a key id)
}

func (r *Refusal) Error() string {
	if r.Detail != "" {
		return "invalid token: " + r.Reason + " (" + r.Detail + ")"
	}
	return "invalid token: " + r.Reason
}

// Is reports whether target is ErrInvalid.
func (r *Refusal) Is(target error) bool { return target == ErrInvalid }

// Check verifies raw as Verify does; a token that does not verify is a
// *Refusal naming the check it failed.
func (v *Verifier) Check(raw string, now time.Time) (*Claims, error) {
	if len(raw) > MaxTokenBytes {
		return nil, &Refusal{Reason: "malformed", Detail: "too large"}
	}
	tok, err := jwt.ParseSigned(raw, allowedAlgs)
	if err != nil || len(tok.Headers) != 1 {
		return nil, &Refusal{Reason: "malformed"}
	}
	h := tok.Headers[0]
	if h.JSONWebKey != nil || h.KeyID == "" {
		return nil, &Refusal{Reason: "malformed", Detail: "embedded key or no key id"}
	}
	k, ok := v.Keys.Lookup(h.KeyID)
	if !ok {
		return nil, &Refusal{Reason: "unknown key", Detail: "kid " + strconv.Quote(truncate(h.KeyID, 64))}
	}
	if h.Algorithm != k.Alg {
		return nil, &Refusal{Reason: "algorithm", Detail: h.Algorithm + " for a " + k.Alg + " key"}
	}
	var c Claims
	if err := tok.Claims(k.Public, &c); err != nil {
		return nil, &Refusal{Reason: "signature"}
	}
	if err := v.checkClaims(&c, now); err != nil {
		return nil, err
	}
	return &c, nil
}

func (v *Verifier) checkClaims(c *Claims, now time.Time) error {
	skew := NumericDate(maxClockSkew / time.Second)
	t := NumericDate(now.Unix())
	switch {
	case c.Issuer != v.Issuer:
		return &Refusal{Reason: "issuer", Detail: fmt.Sprintf("%q, want %q", truncate(c.Issuer, 256), v.Issuer)}
	case !contains(c.Audience, v.Audience):
		return &Refusal{Reason: "audience", Detail: fmt.Sprintf("want %q", v.Audience)}
	case c.Expiry == 0 || t > c.Expiry+skew:
		return &Refusal{Reason: "expired"}
	case t+skew < c.NotBefore, t+skew < c.IssuedAt:
		return &Refusal{Reason: "not yet valid"}
	case c.Subject == "" || c.TenantID == "" || c.SessionID == "" || c.ID == "":
		return &Refusal{Reason: "missing claims"}
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
