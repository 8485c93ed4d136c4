package incident

import (
	"context"
	"fmt"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// VerifyChains walks every tenant's audit chain and, for each broken one,
// appends an audit_chain_broken event, which the audit_chain_broken rule
// (which no tenant can turn off) makes a critical incident. It runs as a
// job; the outcome counts tenants and breaks.
func (s *Service) VerifyChains(ctx context.Context) (string, error) {
	tenants, broken := 0, 0
	err := s.store.EachTenant(ctx, func(t *identity.Tenant) error {
		tenants++
		var brk *audit.Break
		if err := s.store.ReadTenant(ctx, t.ID, func(tx *store.Tx) (err error) {
			brk, err = tx.VerifyAudit(ctx)
			return err
		}); err != nil {
			return err
		}
		if brk == nil {
			return ctx.Err()
		}
		broken++
		s.log.Error("audit chain broken", "tenant_id", t.ID, "seq", brk.Seq, "reason", brk.Reason)
		return s.store.InTenant(ctx, t.ID, func(tx *store.Tx) error {
			return tx.AppendAudit(ctx, &audit.Event{Type: audit.AuditChainBroken, Resource: "audit", Success: false,
				Details: map[string]any{"seq": brk.Seq, "event_id": brk.EventID, "reason": brk.Reason}})
		})
	})
	return fmt.Sprintf("%d tenants verified, %d chains broken", tenants, broken), err
}
