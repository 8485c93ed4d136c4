package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/keys"
)

func testFields(t *testing.T) *keys.Fields {
	raw := make([]byte, 32)
	rand.Read(raw)
	mk, err := keys.ParseMasterKey(base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	return keys.NewFields(mk)
}

// TestEmailsAreSealed: with a field sealer, the users table holds no email
// in the clear (neither the email nor its key), yet lookups by email in any
// case, uniqueness and refresh state work; rows written before are sealed
// by SealUserEmails, once.
func TestEmailsAreSealed(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := newTenant(t, s, "acme")
		old := newUser(a.ID, "legacy@example.com")
		if err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.CreateUser(ctx, old) }); err != nil {
			t.Fatal(err)
		}
		s.SealFields(testFields(t))
		u := newUser(a.ID, "Alice@Example.com")
		if err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
			t.Fatal(err)
		}
		err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.CreateUser(ctx, newUser(a.ID, "alice@example.COM")) })
		if rampart.ErrorCode(err) != rampart.EConflict {
			t.Fatalf("duplicate email: %v", err)
		}
		if n, err := s.SealUserEmails(ctx); err != nil || n != 1 {
			t.Fatalf("seal legacy rows: %d %v", n, err)
		}
		if n, _ := s.SealUserEmails(ctx); n != 0 {
			t.Fatalf("second run sealed %d", n)
		}
		err = s.ReadTenant(ctx, a.ID, func(tx *Tx) error {
			rows, err := tx.query(ctx, "SELECT email, email_key FROM users WHERE tenant_id = ?", a.ID)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var email, key string
				rows.Scan(&email, &key)
				if strings.Contains(strings.ToLower(email+key), "example") {
					t.Errorf("stored in the clear: %q %q", email, key)
				}
			}
			for _, e := range []string{"ALICE@example.com", "legacy@example.com"} {
				got, err := tx.UserByEmail(ctx, e)
				if err != nil || !strings.EqualFold(got.Email, e) {
					t.Errorf("lookup %s: %v %v", e, got, err)
				}
			}
			got, err := tx.UserByID(ctx, u.ID)
			if err != nil || got.Email != "Alice@Example.com" {
				t.Errorf("by id: %v %v", got, err)
			}
			list, err := tx.ListUsers(ctx, "", 10)
			if err != nil || len(list) != 2 || !strings.Contains(list[0].Email+list[1].Email, "@example.com") {
				t.Errorf("list: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
