package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/rampart-dev/rampart/audit"
)

// MaxAuditVerifyRange bounds the events VerifyAuditRange reads at once.
const MaxAuditVerifyRange = 1_000_000

// VerifyAuditRange checks the links of tenantID's chain from sequence number
// from to to (both included): each event's hash over its content, each
// prev_hash against the event before it (the first against the stored hash
// of event from-1, or the genesis), and no gap. It returns how many events
// it checked and the first broken link, or nil when the range is intact.
func (s *Store) VerifyAuditRange(ctx context.Context, tenantID string, from, to int64) (int64, *audit.Break, error) {
	if from < 1 || to < from || to-from >= MaxAuditVerifyRange {
		return 0, nil, fmt.Errorf("audit range %d-%d: out of bounds", from, to)
	}
	var n int64
	var brk *audit.Break
	err := s.ReadTenant(ctx, tenantID, func(tx *Tx) error {
		prev := audit.GenesisHash
		if from > 1 {
			err := tx.queryRow(ctx, "SELECT hash FROM audit_events WHERE tenant_id = ? AND seq = ?", tenantID, from-1).Scan(&prev)
			if errors.Is(err, sql.ErrNoRows) {
				brk = &audit.Break{TenantID: tenantID, Seq: from - 1, Reason: "the event before the range is missing"}
				return nil
			}
			if err != nil {
				return err
			}
		}
		v := audit.ResumeVerifier(tenantID, from-1, prev)
		after := from - 1
		for after < to && brk == nil {
			read := 0
			err := tx.eachAudit(ctx, after, auditVerifyBatch, func(e *audit.Event, details string) error {
				read++
				if e.Seq > to {
					return errStop
				}
				after = e.Seq
				n++
				if brk = v.Next(e, details); brk != nil {
					return errStop
				}
				return nil
			})
			if err != nil && !errors.Is(err, errStop) {
				return err
			}
			if read < auditVerifyBatch || errors.Is(err, errStop) {
				break
			}
		}
		if brk == nil && after < to {
			brk = &audit.Break{TenantID: tenantID, Seq: after + 1, Reason: fmt.Sprintf("the range ends at seq %d, before %d", after, to)}
		}
		return nil
	})
	return n, brk, err
}
