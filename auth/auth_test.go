package auth

import (
	"context"
	"encoding/base64"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/token"
)

// clock is a settable time source.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Now().UTC().Truncate(time.Second)} }
func masterKey(t testing.TB) *keys.MasterKey {
	mk, err := keys.ParseMasterKey(base64.StdEncoding.EncodeToString(make([]byte, 32)))
	if err != nil {
		t.Fatal(err)
	}
	return mk
}

func newService(t testing.TB, dialect, alg string, c *clock) *Service {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, testdb.URL(t, dialect), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	s := New(Deps{
		Store: st, Master: masterKey(t), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: c.now,
		Hasher:  identity.NewHasher(identity.Argon2Params{Time: 1, MemoryKiB: 1024, Threads: 1, SaltLen: 16, KeyLen: 32}, 1, 4),
		Policy:  identity.NewPasswordPolicy(),
		Lockout: &identity.Lockout{Store: st, Threshold: 5, Window: 15 * time.Minute, Duration: 15 * time.Minute},
		Settings: Settings{Issuer: "https://rampart.test", Audience: "rampart", Alg: alg, AccessTTL: 15 * time.Minute,
			RefreshTTL: time.Hour, SessionMaxAge: 24 * time.Hour, SessionCacheTTL: 5 * time.Second},
	})
	if err := s.LoadKeys(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func sign(t *testing.T, s *Service) string {
	t.Helper()
	raw, _, err := s.issuer.Issue(token.Claims{Subject: "u", TenantID: "t", SessionID: "s"}, s.now(), s.cfg.AccessTTL)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// TestRotatedKeyStaysPublishedUntilItsTokensExpire rotates the signing key
// and moves the clock: the old key verifies its tokens until every token it
// could have signed has expired, then it is gone from the JWKS and refused.
func TestRotatedKeyStaysPublishedUntilItsTokensExpire(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			c := newClock()
			s := newService(t, d, keys.ES256, c)
			old := s.keyring.Current()
			oldToken := sign(t, s)
			if _, err := s.RotateKey(context.Background()); err != nil {
				t.Fatal(err)
			}
			if s.keyring.Current().KID == old.KID {
				t.Fatal("rotation kept the key")
			}
			newToken := sign(t, s)
			if _, err := s.verifier.Verify(oldToken, c.now()); err != nil {
				t.Fatalf("old key's token refused right after rotation: %v", err)
			}
			if _, ok := s.keyring.Lookup(old.KID); !ok {
				t.Fatal("old key not published after rotation")
			}
			c.add(keyRetention + time.Second)
			if err := s.LoadKeys(context.Background()); err != nil {
				t.Fatal(err)
			}
			if _, ok := s.keyring.Lookup(old.KID); ok {
				t.Fatal("old key still published after every token it signed expired")
			}
			// Re-sign the old token's claims as if it were still valid in time:
			// only the key decides now.
			if _, err := s.verifier.Verify(oldToken, c.now().Add(-keyRetention)); err != token.ErrInvalid {
				t.Fatalf("token of a rotated-out key: %v", err)
			}
			if _, err := s.verifier.Verify(newToken, c.now().Add(-keyRetention)); err != nil {
				t.Fatalf("current key's token refused: %v", err)
			}
		})
	}
}

// TestAlgorithmChangeRotates: a server restarted with another algorithm
// signs with a new key of that algorithm and keeps the old one published.
func TestAlgorithmChangeRotates(t *testing.T) {
	c := newClock()
	ctx := context.Background()
	st, _ := store.Open(ctx, testdb.URL(t, "sqlite"), t.TempDir())
	defer st.Close()
	st.Migrate(ctx)
	mk := masterKey(t)
	mk2 := func(alg string) *Service {
		s := New(Deps{Store: st, Master: mk, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: c.now,
			Settings: Settings{Issuer: "i", Audience: "a", Alg: alg, AccessTTL: time.Minute}})
		if err := s.LoadKeys(ctx); err != nil {
			t.Fatal(err)
		}
		return s
	}
	a := mk2(keys.EdDSA)
	b := mk2(keys.ES256)
	if a.keyring.Current().Alg != keys.EdDSA || b.keyring.Current().Alg != keys.ES256 {
		t.Fatal("algorithms")
	}
	if _, ok := b.keyring.Lookup(a.keyring.Current().KID); !ok {
		t.Fatal("previous algorithm's key not published")
	}
	// A wrong master key fails closed.
	wrong, _ := keys.ParseMasterKey(base64.StdEncoding.EncodeToString([]byte("0123456789abcdef0123456789abcdef")))
	s := New(Deps{Store: st, Master: wrong, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: c.now,
		Settings: Settings{Alg: keys.ES256, AccessTTL: time.Minute}})
	if err := s.LoadKeys(ctx); err != keys.ErrWrongMasterKey {
		t.Fatalf("wrong master key: %v", err)
	}
}
