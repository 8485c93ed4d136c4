package store

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
)

// TestAuditTombstones: the log admits one update, blanking an event's
// address, user agent and details; verification accepts such a tombstone
// only below a retention record's through_seq, so blanking a recent event
// is reported like any other rewrite.
func TestAuditTombstones(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "tomb")
		append5 := func() {
			if err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
				for range 5 {
					if err := tx.AppendAudit(ctx, &audit.Event{Type: audit.LoginSuccess, IP: "198.51.100.7", UserAgent: "ua", Success: true, Details: map[string]any{"k": "v"}}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		exec := func(q string, args ...any) error {
			return s.InTenant(ctx, tn.ID, func(tx *Tx) error { _, err := tx.exec(ctx, q, args...); return err })
		}
		verify := func() *audit.Break {
			var brk *audit.Break
			if err := s.ReadTenant(ctx, tn.ID, func(tx *Tx) (err error) { brk, err = tx.VerifyAudit(ctx); return }); err != nil {
				t.Fatal(err)
			}
			return brk
		}
		append5()
		for _, q := range []string{
			"UPDATE audit_events SET ip_address = '', user_agent = '', details = '{}', redacted = true, success = false WHERE tenant_id = ? AND seq = 2",
			"UPDATE audit_events SET ip_address = '', user_agent = '', details = '{\"k\":1}', redacted = true WHERE tenant_id = ? AND seq = 2",
			"UPDATE audit_events SET ip_address = '10.0.0.1' WHERE tenant_id = ? AND seq = 2",
		} {
			if err := exec(q, tn.ID); err == nil {
				t.Fatalf("the log accepted %s", q)
			}
		}
		blank := "UPDATE audit_events SET ip_address = '', user_agent = '', details = '{}', redacted = true WHERE tenant_id = ? AND seq = ?"
		if err := exec(blank, tn.ID, 2); err != nil {
			t.Fatal(err)
		}
		if err := exec("UPDATE audit_events SET ip_address = '', user_agent = '', details = '{}', redacted = true WHERE tenant_id = ? AND seq = 2", tn.ID); err == nil {
			t.Fatal("a tombstone was updated again")
		}
		if brk := verify(); brk == nil || brk.Seq != 2 || !strings.Contains(brk.Reason, "no retention record") {
			t.Fatalf("uncovered tombstone: %v", brk)
		}
		if err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
			return tx.AppendAudit(ctx, &audit.Event{Type: audit.DataModification, Resource: RetentionResource, Success: true,
				Details: map[string]any{"category": RetainAuditDetails, "through_seq": 3}})
		}); err != nil {
			t.Fatal(err)
		}
		if brk := verify(); brk != nil {
			t.Fatalf("covered tombstone: %v", brk)
		}
		append5()
		if err := exec(blank, tn.ID, 9); err != nil {
			t.Fatal(err)
		}
		if brk := verify(); brk == nil || brk.Seq != 9 {
			t.Fatalf("tombstone above the record's bound: %v", brk)
		}
	})
}

// TestSessionRetention: only ended or expired sessions are reached;
// anonymise blanks their addresses and devices, delete removes them.
func TestSessionRetention(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "sess")
		u := newUser(tn.ID, "s@acme.io")
		now := time.Now().UTC()
		old := now.Add(-200 * 24 * time.Hour)
		var ended, live string
		if err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			for i, active := range []bool{false, true} {
				ss := &identity.Session{ID: uuid.NewString(), TenantID: tn.ID, UserID: u.ID, CreatedAt: old, LastActivity: old, ExpiresAt: now.Add(time.Hour),
					IP: "192.0.2.1", UserAgent: "ua", Fingerprint: "fp", DeviceID: "dev", Active: true}
				if _, err := tx.CreateSession(ctx, ss, 10); err != nil {
					return err
				}
				if i == 0 {
					ended = ss.ID
				} else {
					live = ss.ID
				}
				if !active {
					if _, err := tx.exec(ctx, "UPDATE sessions SET active = false, ended_at = ? WHERE id = ?", tx.d.timeArg(old), ss.ID); err != nil {
						return err
					}
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		sc := RetentionScope{Category: RetainSessions, Action: RetainAnonymise, Cutoff: now.Add(-90 * 24 * time.Hour), Now: now}
		run := func(sc RetentionScope) int {
			var n int
			if err := s.RetentionTx(ctx, tn.ID, 100*time.Millisecond, 100*time.Millisecond, func(tx *Tx) (err error) {
				n, _, err = tx.RetentionBatch(ctx, sc, 10, nil)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return n
		}
		if n := run(sc); n != 1 {
			t.Fatalf("anonymised %d sessions, want the ended one", n)
		}
		if n := run(sc); n != 0 {
			t.Fatalf("anonymised again: %d", n)
		}
		var ip, dev string
		s.ReadTenant(ctx, tn.ID, func(tx *Tx) error {
			return tx.queryRow(ctx, "SELECT ip_address, device_id FROM sessions WHERE id = ?", ended).Scan(&ip, &dev)
		})
		if ip != "" || dev != "" {
			t.Fatalf("ended session kept %q %q", ip, dev)
		}
		sc.Action = RetainDelete
		if n := run(sc); n != 1 {
			t.Fatalf("deleted %d sessions", n)
		}
		var left int
		s.ReadTenant(ctx, tn.ID, func(tx *Tx) error {
			return tx.queryRow(ctx, "SELECT count(*) FROM sessions WHERE tenant_id = ? AND id = ?", tn.ID, live).Scan(&left)
		})
		if left != 1 {
			t.Fatal("the live session was reached")
		}
	})
}
