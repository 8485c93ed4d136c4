package store

import (
	"context"
	"testing"

	"github.com/rampart-dev/rampart/audit"
)

// TestVerifyAuditRange checks ranges of a chain: intact from the genesis
// and from its middle (anchored on the event before), and a range running
// past the chain's end reported as broken where the events stop.
func TestVerifyAuditRange(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := newTenant(t, s, "acme")
		for i := 0; i < 12; i++ {
			if err := s.InTenant(ctx, a.ID, func(tx *Tx) error {
				return tx.AppendAudit(ctx, &audit.Event{Type: audit.LoginFailure, Resource: "r", Details: map[string]any{"i": i}})
			}); err != nil {
				t.Fatal(err)
			}
		}
		var head int64
		s.ReadTenant(ctx, a.ID, func(tx *Tx) error {
			return tx.queryRow(ctx, "SELECT seq FROM audit_heads WHERE tenant_id = ?", a.ID).Scan(&head)
		})
		for _, c := range []struct {
			from, to, n int64
			broken      bool
		}{{1, head, head, false}, {5, 9, 5, false}, {head, head, 1, false}, {head - 1, head + 3, 2, true}} {
			n, brk, err := s.VerifyAuditRange(ctx, a.ID, c.from, c.to)
			if err != nil {
				t.Fatal(err)
			}
			if n != c.n || (brk != nil) != c.broken {
				t.Errorf("range %d-%d: %d checked, break %v", c.from, c.to, n, brk)
			}
			if c.broken && brk.Seq != head+1 {
				t.Errorf("break at %d, want %d", brk.Seq, head+1)
			}
		}
		if _, _, err := s.VerifyAuditRange(ctx, a.ID, 5, 4); err == nil {
			t.Error("an empty range was verified")
		}
	})
}
