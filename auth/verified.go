package auth

import (
	"crypto/sha256"
	"sync"
	"time"

	"github.com/rampart-dev/rampart/token"
)

// maxVerifiedTokens bounds the verified-token cache.
const maxVerifiedTokens = 50_000

// verifiedTokens remembers tokens whose signature and claims checked out, by
// the SHA-256 of the whole token, for the session cache's TTL: a token is
// immutable, so the same bytes verify the same way, and the signature check
// (tens of microseconds for RS256) is skipped on the hot path. Expiry is
// still checked on every use.
type verifiedTokens struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[[32]byte]verifiedEntry
}

type verifiedEntry struct {
	claims *token.Claims
	until  time.Time
}

func newVerifiedTokens(ttl time.Duration) *verifiedTokens {
	return &verifiedTokens{ttl: ttl, m: map[[32]byte]verifiedEntry{}}
}

// verify returns the claims of raw from the cache or from v (a refusal is a
// *token.Refusal).
func (c *verifiedTokens) verify(v *token.Verifier, raw string, now time.Time) (*token.Claims, error) {
	if c.ttl <= 0 || len(raw) > token.MaxTokenBytes {
		return v.Check(raw, now)
	}
	key := sha256.Sum256([]byte(raw))
	c.mu.Lock()
	e, ok := c.m[key]
	c.mu.Unlock()
	if ok && now.Before(e.until) && now.Before(e.claims.ExpiresAt()) {
		return e.claims, nil
	}
	claims, err := v.Check(raw, now)
	if err != nil {
		return nil, err
	}
	until := now.Add(c.ttl)
	c.mu.Lock()
	if len(c.m) >= maxVerifiedTokens {
		for k, x := range c.m {
			if !now.Before(x.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxVerifiedTokens {
			c.m = map[[32]byte]verifiedEntry{}
		}
	}
	c.m[key] = verifiedEntry{claims: claims, until: until}
	c.mu.Unlock()
	return claims, nil
}
