package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// RaiseEpoch moves the revocation epoch of a user of the scoped tenant
// (userID) or, with userID "", of the whole tenant, to at; an epoch already
// later stays. Access tokens issued before it are refused.
func (tx *Tx) RaiseEpoch(ctx context.Context, userID string, at time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `INSERT INTO revocation_epochs (tenant_id, subject, epoch) VALUES (?, ?, ?)
		ON CONFLICT (tenant_id, subject) DO UPDATE SET epoch = excluded.epoch WHERE revocation_epochs.epoch < excluded.epoch`,
		tenantID, userID, tx.d.timeArg(at))
	return err
}

// Epoch returns the later of the scoped tenant's epoch and userID's (the
// zero time when neither was ever raised).
func (tx *Tx) Epoch(ctx context.Context, userID string) (time.Time, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return time.Time{}, err
	}
	rows, err := tx.query(ctx, "SELECT epoch FROM revocation_epochs WHERE tenant_id = ? AND subject IN ('', ?)", tenantID, userID)
	if err != nil {
		return time.Time{}, err
	}
	defer rows.Close()
	var out time.Time
	for rows.Next() {
		var t time.Time
		if err := rows.Scan(scanTime{&t}); err != nil {
			return time.Time{}, err
		}
		if t.After(out) {
			out = t
		}
	}
	return out, rows.Err()
}

// SeenLogin records that a user logged in with kind ("ip" or "device") of
// hash valueHash at now, and reports whether it was seen before.
func (tx *Tx) SeenLogin(ctx context.Context, userID, kind, valueHash string, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	var last time.Time
	err = tx.queryRow(ctx, "SELECT last_seen FROM known_logins WHERE tenant_id = ? AND user_id = ? AND kind = ? AND value_hash = ?",
		tenantID, userID, kind, valueHash).Scan(scanTime{&last})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.exec(ctx, "INSERT INTO known_logins (tenant_id, user_id, kind, value_hash, last_seen) VALUES (?, ?, ?, ?, ?)",
			tenantID, userID, kind, valueHash, tx.d.timeArg(now))
		return false, err
	case err != nil:
		return false, err
	}
	_, err = tx.exec(ctx, "UPDATE known_logins SET last_seen = ? WHERE tenant_id = ? AND user_id = ? AND kind = ? AND value_hash = ?",
		tx.d.timeArg(now), tenantID, userID, kind, valueHash)
	return true, err
}

// HasKnownLogins reports whether any login of userID was recorded (the
// first login is nobody's "new device").
func (tx *Tx) HasKnownLogins(ctx context.Context, userID string) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	var n int
	err = tx.queryRow(ctx, "SELECT COUNT(*) FROM known_logins WHERE tenant_id = ? AND user_id = ?", tenantID, userID).Scan(&n)
	return n > 0, err
}
