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
	for {
		rows, err := tx.query(ctx, "SELECT "+auditColumns+", redacted FROM audit_events WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?",
			tenantID, seq, auditVerifyBatch)
		if err != nil {
			return nil, err
		}
		n := 0
		var brk *audit.Break
		for rows.Next() {
			n++
			var e audit.Event
			var typ, details string
			var redacted bool
			if err := rows.Scan(&e.TenantID, &e.Seq, &e.ID, &typ, &e.UserID, &e.IP, &e.UserAgent, &e.Resource, &e.Success,
				scanText{&details}, scanTime{&e.CreatedAt}, &e.PrevHash, &e.Hash, &redacted); err != nil {
				rows.Close()
				return nil, err
			}
			e.Type = audit.Type(typ)
			switch {
			case e.Seq != seq+1:
				brk = fail(&e, fmt.Sprintf("sequence gap: expected %d", seq+1))
			case e.PrevHash != prevHash:
				brk = fail(&e, "prev_hash does not match the previous event's hash")
			case redacted && (e.IP != "" || e.UserAgent != "" || details != "{}"):
				brk = fail(&e, "a tombstone holds content")
			case !redacted && audit.ComputeHash(&e, details) != e.Hash:
				brk = fail(&e, "hash does not match the event's content")
			}
			if brk != nil {
				break
			}
			switch {
			case redacted && slices.Contains(GuardEventTypes, e.Type):
				c := e
				lastGuardTombstone = &c
			case redacted:
				c := e
				lastTombstone = &c
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
		rows.Close()
		if brk != nil {
			return brk, nil
		}
		if err := rows.Err(); err != nil {
			return nil, err
		}
		if n < auditVerifyBatch {
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
