package store

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/rampart-dev/rampart/audit"
)

// verifyChain walks the scoped tenant's chain as audit.Verifier does, and
// admits tombstones: events whose address, user agent and details
// retention blanked. A tombstone's content can no longer be hashed, so for
// it only its place is checked (sequence, prev_hash; its own hash is
// covered by the next event's). Its type, user, resource and time are then
// protected only by that place, and it must lie at or below the
// through_seq of a retention record (an event of RetentionResource, whose
// own content verifies) of its category: blanking any other event breaks
// the chain as any rewrite does.
func (tx *Tx) verifyChain(ctx context.Context) (*audit.Break, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	prevHash, seq := audit.GenesisHash, int64(0)
	var throughAudit, throughGuard int64               // the retention records' bounds
	var lastTombstone, lastGuardTombstone *audit.Event // the highest tombstones of each kind
	fail := func(e *audit.Event, reason string) *audit.Break {
		return &audit.Break{TenantID: tenantID, Seq: e.Seq, EventID: e.ID, Reason: reason}
	}
	type row struct {
		e       *audit.Event
		details string
	}
	for {
		// The events through eachAudit and scanAudit, as every reader of
		// the log; which of them are tombstones, by a query of its own.
		var batch []row
		if err := tx.eachAudit(ctx, seq, auditVerifyBatch, func(e *audit.Event, details string) error {
			batch = append(batch, row{e, details})
			return nil
		}); err != nil {
			return nil, err
		}
		if len(batch) == 0 {
			break
		}
		redacted, err := tx.tombstones(ctx, seq, batch[len(batch)-1].e.Seq)
		if err != nil {
			return nil, err
		}
		for _, r := range batch {
			e, details := r.e, r.details
			tomb := redacted[e.Seq]
			switch {
			case e.Seq != seq+1:
				return fail(e, fmt.Sprintf("sequence gap: expected %d", seq+1)), nil
			case e.PrevHash != prevHash:
				return fail(e, "prev_hash does not match the previous event's hash"), nil
			case tomb && (e.IP != "" || e.UserAgent != "" || details != "{}"):
				return fail(e, "a tombstone holds content"), nil
			case !tomb && audit.ComputeHash(e, details) != e.Hash:
				return fail(e, "hash does not match the event's content"), nil
			}
			switch {
			case tomb && slices.Contains(GuardEventTypes, e.Type):
				lastGuardTombstone = e
			case tomb:
				lastTombstone = e
			case e.Resource == RetentionResource:
				var d struct {
					Category   string `json:"category"`
					ThroughSeq int64  `json:"through_seq"`
				}
				if json.Unmarshal([]byte(details), &d) == nil && d.ThroughSeq < e.Seq {
					switch d.Category {
					case RetainAuditDetails:
						throughAudit = max(throughAudit, d.ThroughSeq)
					case RetainGuardrailEvents:
						throughGuard = max(throughGuard, d.ThroughSeq)
					}
				}
			}
			seq, prevHash = e.Seq, e.Hash
		}
		if len(batch) < auditVerifyBatch {
			break
		}
	}
	if lastTombstone != nil && lastTombstone.Seq > throughAudit {
		return fail(lastTombstone, "a tombstone no retention record covers"), nil
	}
	if lastGuardTombstone != nil && lastGuardTombstone.Seq > max(throughAudit, throughGuard) {
		return fail(lastGuardTombstone, "a tombstone no retention record covers"), nil
	}
	var headSeq int64
	var headHash string
	if err := tx.queryRow(ctx, "SELECT seq, hash FROM audit_heads WHERE tenant_id = ?", tenantID).Scan(&headSeq, &headHash); err != nil {
		return nil, fmt.Errorf("read audit chain head: %w", err)
	}
	if headSeq != seq || headHash != prevHash {
		return &audit.Break{TenantID: tenantID, Seq: seq + 1, Reason: fmt.Sprintf("chain ends at seq %d but the head records seq %d", seq, headSeq)}, nil
	}
	return nil, nil
}

// tombstones returns which events of the scoped tenant with seq in
// (after, through] are tombstones.
func (tx *Tx) tombstones(ctx context.Context, after, through int64) (map[int64]bool, error) {
	rows, err := tx.query(ctx, "SELECT seq FROM audit_events WHERE tenant_id = ? AND seq > ? AND seq <= ? AND redacted = true", tx.tenantID, after, through)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[int64]bool{}
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out[n] = true
	}
	return out, rows.Err()
}
