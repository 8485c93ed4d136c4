package store

import (
	"context"
	"time"

	"github.com/rampart-dev/rampart"
)

// AddPrivacyExport stores a one-time export link by its token's hash.
func (tx *Tx) AddPrivacyExport(ctx context.Context, tokenHash, requestID string, created, expires time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO privacy_exports (tenant_id, token_hash, request_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
		tenantID, tokenHash, requestID, tx.d.timeArg(created), tx.d.timeArg(expires))
	return err
}

// UsePrivacyExport spends a link: it returns the request id when the link
// exists, is unused and unexpired at now, and marks it used, so that two
// concurrent downloads cannot both get it. Anything else is not found.
func (tx *Tx) UsePrivacyExport(ctx context.Context, tokenHash string, now time.Time) (string, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return "", err
	}
	var id string
	err = tx.queryRow(ctx, "UPDATE privacy_exports SET used_at = ? WHERE tenant_id = ? AND token_hash = ? AND used_at IS NULL AND expires_at > ? RETURNING request_id",
		tx.d.timeArg(now), tenantID, tokenHash, tx.d.timeArg(now)).Scan(&id)
	if err != nil {
		return "", rampart.Errorf(rampart.ENotFound, "this export link does not exist, was used or has expired")
	}
	return id, nil
}

// PrivacyRequestSystem is one registered system's state for a request.
type PrivacyRequestSystem struct {
	System     string     `json:"system"`
	Status     string     `json:"status"` // pending, done, not_found, failed
	Details    string     `json:"details,omitempty"`
	AnsweredAt *time.Time `json:"answered_at,omitempty"`
	MarkedBy   string     `json:"marked_by,omitempty"` // an admin who marked it, not the system
}

// AddPrivacyRequestSystems records systems as pending for a request.
func (tx *Tx) AddPrivacyRequestSystems(ctx context.Context, requestID string, systems []string) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	for _, s := range systems {
		if _, err := tx.exec(ctx, "INSERT INTO privacy_request_systems (tenant_id, request_id, system, status) VALUES (?, ?, ?, 'pending') ON CONFLICT DO NOTHING",
			tenantID, requestID, s); err != nil {
			return err
		}
	}
	return nil
}

// AnswerPrivacyRequestSystem records a system's answer (or an admin's
// mark); not found when the system was not asked about the request.
func (tx *Tx) AnswerPrivacyRequestSystem(ctx context.Context, requestID, system, status, details, markedBy string, at time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "UPDATE privacy_request_systems SET status = ?, details = ?, marked_by = ?, answered_at = ? WHERE tenant_id = ? AND request_id = ? AND system = ?",
		status, details, markedBy, tx.d.timeArg(at), tenantID, requestID, system)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rampart.Errorf(rampart.ENotFound, "system %s was not asked about this request", system)
	}
	return nil
}

// PrivacyRequestSystems returns the systems' states for a request, by name.
func (tx *Tx) PrivacyRequestSystems(ctx context.Context, requestID string) ([]*PrivacyRequestSystem, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT system, status, details, answered_at, marked_by FROM privacy_request_systems WHERE tenant_id = ? AND request_id = ? ORDER BY system",
		tenantID, requestID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*PrivacyRequestSystem{}
	for rows.Next() {
		var s PrivacyRequestSystem
		var at time.Time
		if err := rows.Scan(&s.System, &s.Status, &s.Details, scanNullTime{&at}, &s.MarkedBy); err != nil {
			return nil, err
		}
		if !at.IsZero() {
			s.AnsweredAt = &at
		}
		out = append(out, &s)
	}
	return out, rows.Err()
}

// MarkPrivacyReminder records that the reminder days before due was sent
// for an open request, and reports whether this call did it: a reminder
// for days is taken once, by one replica, and a later (smaller) one still
// can be.
func (tx *Tx) MarkPrivacyReminder(ctx context.Context, id string, days int) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "UPDATE privacy_requests SET reminded_days = ? WHERE tenant_id = ? AND id = ? AND status <> ? AND (reminded_days = 0 OR reminded_days > ?)",
		days, tenantID, id, PrivacyRequestDone, days)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CountOverduePrivacyRequests counts the scoped tenant's open requests due
// before now.
func (tx *Tx) CountOverduePrivacyRequests(ctx context.Context, now time.Time) (int64, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, err
	}
	var n int64
	err = tx.queryRow(ctx, "SELECT COUNT(*) FROM privacy_requests WHERE tenant_id = ? AND status <> ? AND due_at < ?",
		tenantID, PrivacyRequestDone, tx.d.timeArg(now)).Scan(&n)
	return n, err
}
