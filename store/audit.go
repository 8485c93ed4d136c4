package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/audit"
)

const auditColumns = "tenant_id, seq, id, event_type, user_id, ip_address, user_agent, resource, success, details, created_at, prev_hash, hash"

// AppendAudit appends e to the scoped tenant's hash chain. It fills in e's ID
// (when empty), TenantID, Seq, PrevHash, Hash and CreatedAt (when zero).
// Advancing the chain head first locks it, so concurrent appends of one
// tenant serialize and the chain stays linear.
func (tx *Tx) AppendAudit(ctx context.Context, e *audit.Event) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if e.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		e.ID = id.String()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = nowUTC()
	}
	e.CreatedAt = e.CreatedAt.UTC().Truncate(audit.Precision)
	e.TenantID = tenantID
	details, err := audit.EncodeDetails(e.Details)
	if err != nil {
		return err
	}
	if err := tx.queryRow(ctx, "UPDATE audit_heads SET seq = seq + 1 WHERE tenant_id = ? RETURNING seq, hash", tenantID).
		Scan(&e.Seq, &e.PrevHash); err != nil {
		return fmt.Errorf("advance audit chain head: %w", err)
	}
	e.Hash = audit.ComputeHash(e, details)
	if _, err := tx.exec(ctx, "INSERT INTO audit_events ("+auditColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		tenantID, e.Seq, e.ID, string(e.Type), e.UserID, e.IP, e.UserAgent, e.Resource, e.Success, details,
		tx.d.timeArg(e.CreatedAt), e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("insert audit event: %w", err)
	}
	_, err = tx.exec(ctx, "UPDATE audit_heads SET hash = ? WHERE tenant_id = ?", e.Hash, tenantID)
	return err
}

// AuditEvents returns up to limit events of the scoped tenant with seq greater
// than afterSeq, in chain order: the log can be read from any position.
func (tx *Tx) AuditEvents(ctx context.Context, afterSeq int64, limit int) ([]*audit.Event, error) {
	var out []*audit.Event
	err := tx.eachAudit(ctx, afterSeq, limit, func(e *audit.Event, _ string) error {
		out = append(out, e)
		return nil
	})
	return out, err
}

func (tx *Tx) eachAudit(ctx context.Context, afterSeq int64, limit int, fn func(*audit.Event, string) error) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	rows, err := tx.query(ctx, "SELECT "+auditColumns+" FROM audit_events WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		tenantID, afterSeq, limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, details, err := scanAudit(rows)
		if err != nil {
			return err
		}
		if err := fn(e, details); err != nil {
			return err
		}
	}
	return rows.Err()
}

// auditVerifyBatch is how many events verification reads per query.
const auditVerifyBatch = 1000

// VerifyAudit walks the scoped tenant's whole chain and returns the first
// broken link, or nil when the chain is intact.
func (tx *Tx) VerifyAudit(ctx context.Context) (*audit.Break, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	v := audit.NewVerifier(tenantID)
	var after int64
	for {
		n := 0
		var brk *audit.Break
		err := tx.eachAudit(ctx, after, auditVerifyBatch, func(e *audit.Event, details string) error {
			n++
			after = e.Seq
			if brk = v.Next(e, details); brk != nil {
				return errStop
			}
			return nil
		})
		if brk != nil {
			return brk, nil
		}
		if err != nil {
			return nil, err
		}
		if n < auditVerifyBatch {
			break
		}
	}
	var headSeq int64
	var headHash string
	if err := tx.queryRow(ctx, "SELECT seq, hash FROM audit_heads WHERE tenant_id = ?", tenantID).Scan(&headSeq, &headHash); err != nil {
		return nil, fmt.Errorf("read audit chain head: %w", err)
	}
	return v.End(headSeq, headHash), nil
}

var errStop = errors.New("stop")

// AuditFilter selects events for the audit API.
type AuditFilter = audit.Filter

// SearchAudit returns tenantID's events matching f, newest first, read in the
// tenant's own scope.
func (s *Store) SearchAudit(ctx context.Context, tenantID string, f audit.Filter) ([]*audit.Event, error) {
	var out []*audit.Event
	err := s.ReadTenant(ctx, tenantID, func(tx *Tx) (err error) {
		out, err = tx.SearchAudit(ctx, f)
		return err
	})
	return out, err
}

// SearchAudit returns the scoped tenant's events matching f, newest first.
func (tx *Tx) SearchAudit(ctx context.Context, f AuditFilter) ([]*audit.Event, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	q := "SELECT " + auditColumns + " FROM audit_events WHERE tenant_id = ?"
	args := []any{tenantID}
	if f.Type != "" {
		q += " AND event_type = ?"
		args = append(args, f.Type)
	}
	if f.UserID != "" {
		q += " AND user_id = ?"
		args = append(args, f.UserID)
	}
	if !f.Since.IsZero() {
		q += " AND created_at >= ?"
		args = append(args, tx.d.timeArg(f.Since))
	}
	if f.Resource != "" {
		q += " AND resource = ?"
		args = append(args, f.Resource)
	}
	if !f.Until.IsZero() {
		q += " AND created_at < ?"
		args = append(args, tx.d.timeArg(f.Until))
	}
	if f.BeforeSeq > 0 {
		q += " AND seq < ?"
		args = append(args, f.BeforeSeq)
	}
	q += " ORDER BY seq DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*audit.Event
	for rows.Next() {
		e, _, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

func scanAudit(rows *sql.Rows) (*audit.Event, string, error) {
	var e audit.Event
	var typ, details string
	if err := rows.Scan(&e.TenantID, &e.Seq, &e.ID, &typ, &e.UserID, &e.IP, &e.UserAgent, &e.Resource, &e.Success,
		scanText{&details}, scanTime{&e.CreatedAt}, &e.PrevHash, &e.Hash); err != nil {
		return nil, "", err
	}
	e.Type = audit.Type(typ)
	if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
		// Details that are not JSON are tampering; keep going so that the
		// verifier's hash check reports them.
		e.Details = map[string]any{"_unparsable": true}
	}
	return &e, details, nil
}
