package auth

import (
	"context"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
)

// TestEpochRefusesOlderTokens raises a user's and then a tenant's
// revocation epoch without ending any session: access tokens issued before
// are refused (once the cache is dropped, as the bus does), tokens of
// sessions opened after are accepted, even within the epoch's second.
func TestEpochRefusesOlderTokens(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			s := newService(t, d, keys.ES256, c)
			tenant, user := seedUser(t, s)
			open := func() *TokenPair {
				t.Helper()
				pair, err := s.openSession(ctx, tenant, user, sessionOptions{amr: []string{"pwd"}}, Meta{})
				if err != nil {
					t.Fatal(err)
				}
				return pair
			}
			old := open()
			if _, err := s.Authenticate(ctx, old.AccessToken, Meta{}); err != nil {
				t.Fatalf("fresh token: %v", err)
			}
			raise := func(subject string) {
				t.Helper()
				c.add(300 * time.Millisecond)
				if err := s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) error { return tx.RaiseEpoch(ctx, subject, c.now()) }); err != nil {
					t.Fatal(err)
				}
				if subject == "" {
					s.RevokedTenant(ctx, tenant.ID)
				} else {
					s.RevokedUser(ctx, subject)
				}
			}
			raise(user.ID)
			if _, err := s.Authenticate(ctx, old.AccessToken, Meta{}); err != errInvalidToken {
				t.Fatalf("token issued before the user's epoch: %v", err)
			}
			if cl, err := s.Introspect(ctx, old.AccessToken); err != nil || cl != nil {
				t.Fatalf("introspection of a token before the epoch: %v %v", cl, err)
			}
			c.add(100 * time.Millisecond) // the same second as the epoch
			fresh := open()
			if _, err := s.Authenticate(ctx, fresh.AccessToken, Meta{}); err != nil {
				t.Fatalf("token of a session opened after the epoch, same second: %v", err)
			}
			// A later epoch of the tenant refuses it; an earlier one of the
			// user does not lower it.
			c.add(time.Second)
			raise("")
			if _, err := s.Authenticate(ctx, fresh.AccessToken, Meta{}); err != errInvalidToken {
				t.Fatalf("token issued before the tenant's epoch: %v", err)
			}
			if err := s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) error {
				if err := tx.RaiseEpoch(ctx, "", c.now().Add(-time.Hour)); err != nil {
					return err
				}
				e, err := tx.Epoch(ctx, user.ID)
				if err == nil && !e.Equal(c.now().UTC()) {
					t.Errorf("epoch %v, want %v", e, c.now())
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
			c.add(time.Second)
			if _, err := s.Authenticate(ctx, open().AccessToken, Meta{}); err != nil {
				t.Fatalf("new session after the tenant's epoch: %v", err)
			}
		})
	}
}
