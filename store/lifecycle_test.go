package store

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/identity"
)

// issueCode stores a code (and link) of purpose for a new user of a new
// tenant and returns the tenant, the user and the token.
func issueCode(t *testing.T, s *Store, slug, codeHash, linkHash string, now time.Time) (*identity.Tenant, *identity.User, *AccountToken) {
	t.Helper()
	ctx := context.Background()
	tn := newTenant(t, s, slug)
	u := newUser(tn.ID, "a@"+slug+".io")
	tok := &AccountToken{UserID: u.ID, Purpose: "password_reset", CodeHash: codeHash, LinkHash: linkHash, Channel: "email",
		CreatedAt: now, LinkExpiresAt: now.Add(30 * time.Minute), CodeExpiresAt: now.Add(10 * time.Minute)}
	err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		return tx.IssueAccountToken(ctx, tok, now)
	})
	if err != nil {
		t.Fatal(err)
	}
	return tn, u, tok
}

// TestOneValidCodeSucceedsOnce: 100 parallel submissions of one valid code,
// each checking and using it as the reset does: exactly one succeeds.
func TestOneValidCodeSucceedsOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now()
		tn, u, _ := issueCode(t, s, "valid", "right", "", now)
		var compared atomic.Int64
		won := countParallel(t, 100, func(int) (ok bool, err error) {
			err = s.InTenant(ctx, tn.ID, func(tx *Tx) error {
				row, err := tx.CheckCode(ctx, u.ID, "password_reset", now, 5, func(h string) bool { compared.Add(1); return h == "right" })
				if err != nil || row == nil {
					return err
				}
				ok, err = tx.UseAccountToken(ctx, row.ID, false, now)
				return err
			})
			return ok, err
		})
		if won != 1 {
			t.Fatalf("%d submissions of one code succeeded, want exactly 1", won)
		}
		if n := compared.Load(); n < 1 || n > 5 {
			t.Fatalf("%d comparisons, want 1 to 5", n)
		}
	})
}

// TestWrongCodesCompareAtMostFive: 100 parallel wrong codes get at most 5
// comparisons between them; afterwards even the right code is refused.
func TestWrongCodesCompareAtMostFive(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now()
		tn, u, _ := issueCode(t, s, "wrong", "right", "", now)
		var compared atomic.Int64
		matched := countParallel(t, 100, func(int) (ok bool, err error) {
			err = s.InTenant(ctx, tn.ID, func(tx *Tx) error {
				row, err := tx.CheckCode(ctx, u.ID, "password_reset", now, 5, func(h string) bool { compared.Add(1); return h == "wrong" })
				ok = row != nil
				return err
			})
			return ok, err
		})
		if matched != 0 || compared.Load() > 5 {
			t.Fatalf("%d matched, %d comparisons; want 0 and at most 5", matched, compared.Load())
		}
		err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
			row, err := tx.CheckCode(ctx, u.ID, "password_reset", now, 5, func(h string) bool { return h == "right" })
			if row != nil {
				t.Error("the right code was accepted after 5 wrong ones")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestLinkUsedOnce: a link is found only while live, 100 parallel uses let
// exactly one through, and an expired or reissued one is not found.
func TestLinkUsedOnce(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now()
		tn, u, tok := issueCode(t, s, "links", "", "link-hash", now)
		won := countParallel(t, 100, func(int) (ok bool, err error) {
			err = s.InTenant(ctx, tn.ID, func(tx *Tx) (err error) {
				ok, err = tx.UseAccountToken(ctx, tok.ID, true, now)
				return err
			})
			return ok, err
		})
		if won != 1 {
			t.Fatalf("%d uses of one link succeeded, want 1", won)
		}
		err := s.ReadTenant(ctx, tn.ID, func(tx *Tx) error {
			if _, err := tx.AccountTokenByLink(ctx, "link-hash", "password_reset", now); err == nil {
				t.Error("a used link is still found")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// A new link replaces the old one; an expired one is not found.
		second := &AccountToken{UserID: u.ID, Purpose: "password_reset", LinkHash: "second", CreatedAt: now,
			LinkExpiresAt: now.Add(time.Minute), CodeExpiresAt: now}
		third := &AccountToken{UserID: u.ID, Purpose: "password_reset", LinkHash: "third", CreatedAt: now,
			LinkExpiresAt: now.Add(time.Minute), CodeExpiresAt: now}
		err = s.InTenant(ctx, tn.ID, func(tx *Tx) error {
			if err := tx.IssueAccountToken(ctx, second, now); err != nil {
				return err
			}
			if err := tx.IssueAccountToken(ctx, third, now); err != nil {
				return err
			}
			if _, err := tx.AccountTokenByLink(ctx, "second", "password_reset", now); err == nil {
				t.Error("a replaced link is still found")
			}
			if _, err := tx.AccountTokenByLink(ctx, "third", "password_reset", now.Add(2*time.Minute)); err == nil {
				t.Error("an expired link is found")
			}
			if _, err := tx.AccountTokenByLink(ctx, "third", "email_verification", now); err == nil {
				t.Error("a link is found for another purpose")
			}
			_, err := tx.AccountTokenByLink(ctx, "third", "password_reset", now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
