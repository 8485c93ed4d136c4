package identity

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"strings"

	"github.com/rampart-dev/rampart"
)

// One-time links and codes of the account lifecycle (password reset, e-mail
// verification, invitations, codes sent by e-mail or SMS).
const (
	linkPrefix = "rlt_" // a one-time link token

	// MinCodeDigits and MaxCodeDigits bound a one-time code's length.
	MinCodeDigits = 6
	MaxCodeDigits = 8
)

// NewLinkToken returns a one-time link token for tenantID: the tenant's id
// and 256 bits from crypto/rand, like the other opaque tokens. Store only
// HashLink of it.
func NewLinkToken(tenantID string) (string, error) {
	t, _, err := newOpaque(linkPrefix, tenantID)
	return t, err
}

// ParseLinkToken returns the tenant id a link token names (which says
// nothing of whether the token exists).
func ParseLinkToken(token string) (string, error) { return parseOpaque(linkPrefix, token) }

// HashLink is the stored form of a link token: HMAC-SHA256 under key (a key
// derived from the master key), so a copy of the database alone cannot
// forge or recognise links.
func HashLink(key []byte, token string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("link\x00" + token))
	return hex.EncodeToString(m.Sum(nil))
}

// NewCode returns a uniformly random code of digits decimal digits
// (crypto/rand).
func NewCode(digits int) (string, error) {
	if digits < MinCodeDigits || digits > MaxCodeDigits {
		digits = MinCodeDigits
	}
	max := big.NewInt(1)
	for range digits {
		max.Mul(max, big.NewInt(10))
	}
	n, err := rand.Int(rand.Reader, max)
	if err != nil {
		return "", err
	}
	s := n.String()
	return strings.Repeat("0", digits-len(s)) + s, nil
}

// HashCode is the stored form of a code: HMAC-SHA256 under key, bound to the
// tenant, the user and the purpose, so a code is worth nothing elsewhere.
func HashCode(key []byte, tenantID, userID, purpose, code string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte("code\x00" + tenantID + "\x00" + userID + "\x00" + purpose + "\x00" + code))
	return hex.EncodeToString(m.Sum(nil))
}

// NormalizeCode checks a typed one-time code: 6 to 8 digits once spaces and
// dashes are dropped.
func NormalizeCode(field, code string) (string, error) {
	c := strings.NewReplacer(" ", "", "-", "").Replace(strings.TrimSpace(code))
	if len(c) < MinCodeDigits || len(c) > MaxCodeDigits || strings.Trim(c, "0123456789") != "" {
		return "", rampart.FieldError(rampart.EInvalid, field, "%s must be %d to %d digits", field, MinCodeDigits, MaxCodeDigits)
	}
	return c, nil
}
