package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/outbox"
)

const outboxColumns = "id, tenant_id, channel, target, event_type, idempotency_key, payload, status, attempts, max_attempts, next_attempt_at, last_error, last_status, created_at, updated_at, delivered_at"

// payloadField names the sealed payload column for the field sealer.
const payloadField = "outbox.payload"

// Enqueue writes m to the outbox of the scoped tenant, in the caller's
// transaction, so that it is sent if and only if the change commits. It fills
// in ID, TenantID, Status and the times. A message whose idempotency key the
// tenant has used before is dropped: Enqueue reports false and m is left
// as it was.
func (tx *Tx) Enqueue(ctx context.Context, m *outbox.Message, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return false, err
	}
	key := m.IdempotencyKey
	if key == "" {
		key = id.String()
	}
	payload := string(m.Payload)
	if tx.fields != nil {
		if payload, err = tx.fields.SealField(tenantID, id.String(), payloadField, payload); err != nil {
			return false, err
		}
	}
	now = now.UTC().Truncate(time.Microsecond)
	res, err := tx.exec(ctx, "INSERT INTO outbox ("+outboxColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, '', 0, ?, ?, NULL) ON CONFLICT (tenant_id, idempotency_key) DO NOTHING",
		id.String(), tenantID, m.Channel, m.Target, m.EventType, key, payload, outbox.StatusPending, m.MaxAttempts,
		tx.d.timeArg(now), tx.d.timeArg(now), tx.d.timeArg(now))
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	m.ID, m.TenantID, m.IdempotencyKey, m.Status = id.String(), tenantID, key, outbox.StatusPending
	m.NextAttemptAt, m.CreatedAt, m.UpdatedAt = now, now, now
	return true, nil
}

// scanMessage reads a message; open also unseals its payload with fields.
func scanMessage(rows interface{ Scan(...any) error }, fields FieldSealer, open bool) (*outbox.Message, error) {
	var m outbox.Message
	var payload string
	var delivered time.Time
	err := rows.Scan(&m.ID, &m.TenantID, &m.Channel, &m.Target, &m.EventType, &m.IdempotencyKey, &payload, &m.Status,
		&m.Attempts, &m.MaxAttempts, scanTime{&m.NextAttemptAt}, &m.LastError, &m.LastStatus,
		scanTime{&m.CreatedAt}, scanTime{&m.UpdatedAt}, scanNullTime{&delivered})
	if err != nil {
		return nil, err
	}
	if !delivered.IsZero() {
		m.DeliveredAt = &delivered
	}
	if open {
		if fields != nil {
			if payload, err = fields.OpenField(m.TenantID, m.ID, payloadField, payload); err != nil {
				return nil, err
			}
		}
		m.Payload = []byte(payload)
	}
	return &m, nil
}

// Claim takes up to n due messages of any tenant for worker: each one's
// attempt count goes up and its next attempt moves past the lease, so no
// other worker takes it until the lease ends (a worker that dies leaves it
// to be claimed again then). On PostgreSQL, workers of several replicas
// skip each other's rows; SQLite has one writer.
func (s *Store) Claim(ctx context.Context, worker string, now time.Time, lease time.Duration, n int) ([]*outbox.Message, error) {
	var out []*outbox.Message
	err := s.AsOperator(ctx, func(tx *Tx) error {
		rows, err := tx.query(ctx, "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, claimed_by = ?, updated_at = ? "+
			"WHERE id IN (SELECT id FROM outbox WHERE status = ? AND next_attempt_at <= ? ORDER BY next_attempt_at LIMIT ?"+s.d.skipLocked()+") "+
			"RETURNING "+outboxColumns,
			tx.d.timeArg(now.Add(lease)), worker, tx.d.timeArg(now), outbox.StatusPending, tx.d.timeArg(now), n)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			m, err := scanMessage(rows, s.fields, true)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return rows.Err()
	})
	return out, err
}

// Settle records the outcome of one claimed attempt; see SettleMany.
func (s *Store) Settle(ctx context.Context, m *outbox.Message, worker string, r outbox.Result, next, now time.Time) error {
	return s.SettleMany(ctx, worker, []outbox.Settled{{Message: m, Result: r, Next: next, Now: now}})
}

// SettleMany records the outcomes of claimed attempts in one transaction:
// delivered, retried at Next, or dead. Each applies only while worker still
// holds that claim, so a worker whose lease ran out cannot overwrite a later
// attempt's outcome.
func (s *Store) SettleMany(ctx context.Context, worker string, items []outbox.Settled) error {
	return s.AsOperator(ctx, func(tx *Tx) error {
		for _, it := range items {
			m, r := it.Message, it.Result
			status := outbox.StatusPending
			var delivered any
			switch {
			case r.Err == nil:
				status, delivered = outbox.StatusDelivered, tx.d.timeArg(it.Now)
			case r.Permanent || m.Attempts >= m.MaxAttempts:
				status = outbox.StatusDead
			}
			if _, err := tx.exec(ctx, "UPDATE outbox SET status = ?, next_attempt_at = ?, last_error = ?, last_status = ?, updated_at = ?, delivered_at = ?, claimed_by = '' "+
				"WHERE id = ? AND claimed_by = ? AND attempts = ? AND status = ?",
				status, tx.d.timeArg(it.Next), r.Class, r.Status, tx.d.timeArg(it.Now), delivered, m.ID, worker, m.Attempts, outbox.StatusPending); err != nil {
				return err
			}
		}
		return nil
	})
}

// DeliveryFilter selects deliveries for the admin list.
type DeliveryFilter struct {
	Status string // "" for all
	Before string // id to page before (newest first)
	Limit  int
}

// Deliveries lists the scoped tenant's messages, newest first, without
// their payloads.
func (tx *Tx) Deliveries(ctx context.Context, f DeliveryFilter) ([]*outbox.Message, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	q := "SELECT " + outboxColumns + " FROM outbox WHERE tenant_id = ?"
	args := []any{tenantID}
	if f.Status != "" {
		q += " AND status = ?"
		args = append(args, f.Status)
	}
	if f.Before != "" {
		q += " AND id < ?"
		args = append(args, f.Before)
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*outbox.Message
	for rows.Next() {
		m, err := scanMessage(rows, nil, false)
		if err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// Delivery returns one of the scoped tenant's messages, without its payload.
func (tx *Tx) Delivery(ctx context.Context, id string) (*outbox.Message, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, rampart.Errorf(rampart.ENotFound, "delivery not found")
	}
	m, err := scanMessage(tx.queryRow(ctx, "SELECT "+outboxColumns+" FROM outbox WHERE tenant_id = ? AND id = ?", tenantID, id), nil, false)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "delivery not found")
	}
	return m, err
}

// RetryDelivery makes a dead or pending message due now with a fresh set of
// attempts. A delivered message is a conflict (its receiver has it).
func (tx *Tx) RetryDelivery(ctx context.Context, id string, now time.Time) (*outbox.Message, error) {
	m, err := tx.Delivery(ctx, id)
	if err != nil {
		return nil, err
	}
	if m.Status == outbox.StatusDelivered {
		return nil, rampart.Errorf(rampart.EConflict, "delivery %s was delivered already", id)
	}
	if m.Channel == outbox.ChannelOperator {
		// Stored under the tenant it concerns, but the operator's: a
		// tenant admin may not send it again.
		return nil, rampart.Errorf(rampart.EForbidden, "delivery %s goes to the deployment's operator; only the operator's own tools retry it", id)
	}
	_, err = tx.exec(ctx, "UPDATE outbox SET status = ?, attempts = 0, next_attempt_at = ?, claimed_by = '', updated_at = ? WHERE tenant_id = ? AND id = ? AND status <> ?",
		outbox.StatusPending, tx.d.timeArg(now), tx.d.timeArg(now), tx.tenantID, id, outbox.StatusDelivered)
	if err != nil {
		return nil, err
	}
	return tx.Delivery(ctx, id)
}

// PurgeDeliveries deletes the scoped tenant's delivered and dead messages
// last changed before cutoff.
func (tx *Tx) PurgeDeliveries(ctx context.Context, cutoff time.Time) (int64, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, err
	}
	res, err := tx.exec(ctx, "DELETE FROM outbox WHERE tenant_id = ? AND status <> ? AND updated_at < ?", tenantID, outbox.StatusPending, tx.d.timeArg(cutoff))
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}
