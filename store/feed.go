package store

import (
	"context"
	"strings"
	"time"

	"github.com/rampart-dev/rampart/audit"
)

// FeedEvents returns up to limit events of the scoped tenant after seq, in
// chain order, of the given types (all when types is empty): the event feed
// that platforms mirror into their SIEM and in-process consumers follow.
func (tx *Tx) FeedEvents(ctx context.Context, after int64, types []string, limit int) ([]*audit.Event, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	q := "SELECT " + auditColumns + " FROM audit_events WHERE tenant_id = ? AND seq > ?"
	args := []any{tenantID, after}
	if len(types) > 0 {
		q += " AND event_type IN (?" + strings.Repeat(", ?", len(types)-1) + ")"
		for _, t := range types {
			args = append(args, t)
		}
	}
	q += " ORDER BY seq LIMIT ?"
	args = append(args, limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := make([]*audit.Event, 0, min(limit, 1024))
	for rows.Next() {
		e, _, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, tx.openAudit(ctx, out)
}

// AuditHeads returns the last sequence number of every tenant's chain, so
// that a follower reads only the tenants with new events.
func (s *Store) AuditHeads(ctx context.Context) (map[string]int64, error) {
	heads := map[string]int64{}
	err := s.ReadAsOperator(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT tenant_id, seq FROM audit_heads")
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var seq int64
			if err := rows.Scan(&id, &seq); err != nil {
				return err
			}
			heads[id] = seq
		}
		return rows.Err()
	})
	return heads, err
}

// Positions returns where consumer has got to in each tenant's stream
// (tenants it has never read are absent).
func (s *Store) Positions(ctx context.Context, consumer string) (map[string]int64, error) {
	pos := map[string]int64{}
	err := s.ReadAsOperator(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT tenant_id, position FROM consumer_positions WHERE consumer = ?", consumer)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			var p int64
			if err := rows.Scan(&id, &p); err != nil {
				return err
			}
			pos[id] = p
		}
		return rows.Err()
	})
	return pos, err
}

// AdvancePosition moves consumer's position in the scoped tenant's stream
// from from to to, in the caller's transaction (the one that does the
// consumer's work). It reports false when the stored position is no longer
// from: another replica did this work first, and the caller must roll back.
func (tx *Tx) AdvancePosition(ctx context.Context, consumer string, from, to int64, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	if from == 0 {
		res, err := tx.exec(ctx, "INSERT INTO consumer_positions (consumer, tenant_id, position, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (consumer, tenant_id) DO NOTHING",
			consumer, tenantID, to, tx.d.timeArg(now))
		if err != nil {
			return false, err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return true, nil
		}
	}
	res, err := tx.exec(ctx, "UPDATE consumer_positions SET position = ?, updated_at = ? WHERE consumer = ? AND tenant_id = ? AND position = ?",
		to, tx.d.timeArg(now), consumer, tenantID, from)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
