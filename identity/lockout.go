package identity

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"time"
)

// Count is the state of one counter after an increment.
type Count struct {
	N            int64
	WindowEnd    time.Time
	BlockedUntil time.Time // zero when not blocked
}

// CounterStore is the atomic increment-and-decide primitive: lockout, and
// later one-time codes and budgets, are built on it.
type CounterStore interface {
	// Hit adds one to key's counter in a fixed window ending now+window,
	// starting a new window when the old one has ended and no block holds,
	// and returns the state after the increment. It is atomic: N parallel
	// hits return N distinct counts.
	// With sliding, every hit moves the window's end to now+window, so the
	// count only restarts after a quiet window (no burst straddling two
	// fixed windows escapes the limit).
	Hit(ctx context.Context, key string, now time.Time, window time.Duration, sliding bool) (Count, error)
	// Block marks key blocked until the given time (its window lasts as long).
	Block(ctx context.Context, key string, until time.Time) error
	// Clear forgets key.
	Clear(ctx context.Context, key string) error
}

// Lockout limits password guesses per (tenant, email): Threshold failed
// attempts within Window lock the pair for Duration. Attempts are counted
// before the password is verified, so parallel guesses beyond the threshold
// are refused without spending a hash on them.
type Lockout struct {
	Store     CounterStore
	Threshold int
	Window    time.Duration
	Duration  time.Duration
}

// Key returns the counter key of a (tenant, email) pair: a hash, so the
// counters hold no personal data, and the same for tenants that do not exist.
func (l *Lockout) Key(tenant, email string) string {
	sum := sha256.Sum256([]byte("login\x00" + strings.ToLower(tenant) + "\x00" + NormalizeEmail(email)))
	return "login:" + hex.EncodeToString(sum[:])
}

// Attempt is one reserved login attempt.
type Attempt struct {
	key string
	n   int64
}

// Begin reserves an attempt. When the pair is locked, or the attempts in
// flight already reach the threshold, it returns how long to wait instead.
func (l *Lockout) Begin(ctx context.Context, key string, now time.Time) (*Attempt, time.Duration, error) {
	c, err := l.Store.Hit(ctx, key, now, l.Window, true)
	if err != nil {
		return nil, 0, err
	}
	if c.BlockedUntil.After(now) {
		return nil, c.BlockedUntil.Sub(now), nil
	}
	if c.N > int64(l.Threshold) {
		return nil, l.Duration, nil
	}
	return &Attempt{key: key, n: c.N}, 0, nil
}

// Fail records that the attempt's password was wrong; it reports whether the
// pair is now locked (this was the last allowed attempt).
func (l *Lockout) Fail(ctx context.Context, a *Attempt, now time.Time) (locked bool, err error) {
	if a.n < int64(l.Threshold) {
		return false, nil
	}
	// The block must land even if the client has hung up.
	return true, l.Store.Block(context.WithoutCancel(ctx), a.key, now.Add(l.Duration))
}

// Succeed clears the pair's count after a correct password.
func (l *Lockout) Succeed(ctx context.Context, a *Attempt) error {
	return l.Store.Clear(context.WithoutCancel(ctx), a.key)
}
