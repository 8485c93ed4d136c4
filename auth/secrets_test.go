package auth

import (
	"bytes"
	"context"
	"testing"

	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

// TestSecretsMoveIntoTheTenantsKeys: a TOTP secret sealed by an older
// release (under the master key) is re-encrypted into the tenant's tokens
// key, then moved again after a rotation; the second factor keeps working
// throughout, and a second run has nothing to do.
func TestSecretsMoveIntoTheTenantsKeys(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			s := newService(t, d, keys.ES256, c)
			tenant, user := seedUser(t, s)
			pair, err := s.openSession(ctx, tenant, user, sessionOptions{amr: []string{"pwd"}}, Meta{})
			if err != nil {
				t.Fatal(err)
			}
			p := &Principal{TenantID: tenant.ID, UserID: user.ID, Email: user.Email, SessionID: pair.SessionID, Role: user.Role}
			e, err := s.StartTOTP(ctx, p) // no vault yet: a master-key seal
			if err != nil {
				t.Fatal(err)
			}
			if _, err := s.ConfirmTOTP(ctx, p, codeAt(t, e.Secret, c.now()), Meta{}); err != nil {
				t.Fatal(err)
			}
			stored := func() []byte {
				var rows []store.SealedSecret
				s.store.ReadTenant(ctx, tenant.ID, func(tx *store.Tx) (err error) {
					rows, err = tx.TOTPSecrets(ctx)
					return err
				})
				if len(rows) != 1 {
					t.Fatalf("%d rows", len(rows))
				}
				return rows[0].Sealed
			}
			legacy := stored()
			if bytes.HasPrefix(legacy, []byte(keys.CiphertextPrefix)) {
				t.Fatal("expected a master-key seal")
			}
			s.vault = vault.New(s.store, s.master, vault.Options{Now: c.now})
			if n, err := s.ReencryptSecrets(ctx, tenant.ID, nil); err != nil || n != 1 {
				t.Fatalf("first run: %d %v", n, err)
			}
			v1 := stored()
			if !bytes.HasPrefix(v1, []byte(keys.CiphertextPrefix)) {
				t.Fatalf("not moved: %q", v1[:8])
			}
			if n, _ := s.ReencryptSecrets(ctx, tenant.ID, nil); n != 0 {
				t.Fatalf("second run moved %d", n)
			}
			if _, err := s.vault.Rotate(ctx, tenant.ID, keys.PurposeTokens); err != nil {
				t.Fatal(err)
			}
			if total, current, _ := s.SecretStatus(ctx, tenant.ID); total != 1 || current != 0 {
				t.Fatalf("status after rotation: %d/%d", current, total)
			}
			var done, of int
			if n, err := s.ReencryptSecrets(ctx, tenant.ID, func(d, t int) { done, of = d, t }); err != nil || n != 1 || done != 1 || of != 1 {
				t.Fatalf("after rotation: %d %v (%d/%d)", n, err, done, of)
			}
			if total, current, _ := s.SecretStatus(ctx, tenant.ID); total != 1 || current != 1 {
				t.Fatalf("status after the job: %d/%d", current, total)
			}
			// The second factor still works with the re-encrypted secret.
			ch, err := s.challenge(ctx, tenant, user, "")
			if err != nil {
				t.Fatal(err)
			}
			c.add(31e9)
			if _, err := s.CompleteMFA(ctx, ch.MFAToken, Factor{Code: codeAt(t, e.Secret, c.now())}, Meta{}); err != nil {
				t.Fatalf("MFA after re-encryption: %v", err)
			}
		})
	}
}

// TestPhonesMoveIntoTheTenantsKeys: an SMS factor's number sealed under the
// master key (older rows) moves under the tenant's phone key, and again
// after the phone key rotates; it decrypts to the same number throughout.
func TestPhonesMoveIntoTheTenantsKeys(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			c := newClock()
			s := newService(t, d, keys.ES256, c)
			tenant, user := seedUser(t, s)
			const phone = "+12025550143"
			legacy, err := s.sealPhone(ctx, tenant.ID, user.ID, phone) // no vault yet: a master-key seal
			if err != nil {
				t.Fatal(err)
			}
			if err := s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) error {
				return tx.PutMFAChannel(ctx, user.ID, store.MFAChannel{Method: MethodSMS, Target: legacy, ConfirmedAt: c.now()})
			}); err != nil {
				t.Fatal(err)
			}
			stored := func() string {
				var rows []store.SealedSecret
				s.store.ReadTenant(ctx, tenant.ID, func(tx *store.Tx) (err error) {
					rows, err = tx.StoredPhones(ctx)
					return err
				})
				if len(rows) != 1 {
					t.Fatalf("%d rows", len(rows))
				}
				return string(rows[0].Sealed)
			}
			s.vault = vault.New(s.store, s.master, vault.Options{Now: c.now})
			if n, err := s.ReencryptSecrets(ctx, tenant.ID, nil); err != nil || n != 1 {
				t.Fatalf("first run: %d %v", n, err)
			}
			v1 := stored()
			if got, err := s.openPhone(ctx, tenant.ID, user.ID, v1); err != nil || got != phone || v1[:4] != keys.CiphertextPrefix {
				t.Fatalf("after the move: %q %q %v", v1[:4], got, err)
			}
			if _, err := s.vault.Rotate(ctx, tenant.ID, keys.PurposePhone); err != nil {
				t.Fatal(err)
			}
			if total, current, _ := s.SecretStatus(ctx, tenant.ID); total != 1 || current != 0 {
				t.Fatalf("status after rotation: %d/%d", current, total)
			}
			if n, err := s.ReencryptSecrets(ctx, tenant.ID, nil); err != nil || n != 1 {
				t.Fatalf("after rotation: %d %v", n, err)
			}
			if v2 := stored(); v2 == v1 {
				t.Fatal("not re-encrypted")
			} else if got, err := s.openPhone(ctx, tenant.ID, user.ID, v2); err != nil || got != phone {
				t.Fatalf("after rotation: %q %v", got, err)
			}
			// A number bound to another user does not open.
			if _, err := s.openPhone(ctx, tenant.ID, tenant.ID, stored()); err == nil {
				t.Fatal("a number opened for another user")
			}
		})
	}
}
