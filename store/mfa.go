package store

import (
	"context"
	"crypto/subtle"
	"database/sql"
	"errors"
	"time"

	"github.com/rampart-dev/rampart"
)

// TOTP is a user's stored TOTP enrolment.
type TOTP struct {
	Sealed      []byte // secret sealed by the master key
	CreatedAt   time.Time
	ConfirmedAt time.Time // zero until confirmed
	LastStep    int64     // the last time step accepted; earlier ones never are
}

// TOTP returns the user's enrolment, or a not_found error.
func (tx *Tx) TOTP(ctx context.Context, userID string) (*TOTP, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	var t TOTP
	err = tx.queryRow(ctx, "SELECT secret, created_at, confirmed_at, last_step FROM mfa_totp WHERE tenant_id = ? AND user_id = ?", tenantID, userID).
		Scan(&t.Sealed, scanTime{&t.CreatedAt}, scanNullTime{&t.ConfirmedAt}, &t.LastStep)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "no TOTP enrolment")
	}
	return &t, err
}

// PutTOTP stores a new, unconfirmed enrolment, replacing an unconfirmed one.
// It is a conflict when a confirmed enrolment exists.
func (tx *Tx) PutTOTP(ctx context.Context, userID string, sealed []byte, now time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "DELETE FROM mfa_totp WHERE tenant_id = ? AND user_id = ? AND confirmed_at IS NULL", tenantID, userID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO mfa_totp (tenant_id, user_id, secret, created_at, confirmed_at, last_step) VALUES (?, ?, ?, ?, NULL, 0)",
		tenantID, userID, sealed, tx.d.timeArg(now))
	if isUniqueViolation(err) {
		return rampart.Errorf(rampart.EConflict, "TOTP is already enabled; disable it first")
	}
	return err
}

// UseTOTPStep records step as used, only if it is later than the last one:
// the guard makes replay protection hold under concurrent requests. With
// confirm, it also confirms the enrolment.
func (tx *Tx) UseTOTPStep(ctx context.Context, userID string, step int64, confirm bool, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	q := "UPDATE mfa_totp SET last_step = ? WHERE tenant_id = ? AND user_id = ? AND last_step < ?"
	args := []any{step, tenantID, userID, step}
	if confirm {
		q = "UPDATE mfa_totp SET last_step = ?, confirmed_at = ? WHERE tenant_id = ? AND user_id = ? AND last_step < ? AND confirmed_at IS NULL"
		args = []any{step, tx.d.timeArg(now), tenantID, userID, step}
	}
	res, err := tx.exec(ctx, q, args...)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DeleteMFA removes a user's TOTP enrolment, backup codes, e-mail and SMS
// factors and challenges.
func (tx *Tx) DeleteMFA(ctx context.Context, userID string) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	for _, q := range []string{
		"DELETE FROM mfa_backup_codes WHERE tenant_id = ? AND user_id = ?",
		"DELETE FROM mfa_challenges WHERE tenant_id = ? AND user_id = ?",
		"DELETE FROM mfa_channels WHERE tenant_id = ? AND user_id = ?",
	} {
		if _, err := tx.exec(ctx, q, tenantID, userID); err != nil {
			return false, err
		}
	}
	res, err := tx.exec(ctx, "DELETE FROM mfa_totp WHERE tenant_id = ? AND user_id = ?", tenantID, userID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// ReplaceBackupCodes stores a new set of backup-code hashes.
func (tx *Tx) ReplaceBackupCodes(ctx context.Context, userID string, hashes []string, now time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "DELETE FROM mfa_backup_codes WHERE tenant_id = ? AND user_id = ?", tenantID, userID); err != nil {
		return err
	}
	for _, h := range hashes {
		if _, err := tx.exec(ctx, "INSERT INTO mfa_backup_codes (tenant_id, user_id, code_hash, created_at) VALUES (?, ?, ?, ?)",
			tenantID, userID, h, tx.d.timeArg(now)); err != nil {
			return err
		}
	}
	return nil
}

// UseBackupCode removes the code with this hash if the user has it. The
// stored hashes are compared in constant time, all of them, so the answer's
// timing says nothing of which or how many codes exist.
func (tx *Tx) UseBackupCode(ctx context.Context, userID, hash string) (remaining int, ok bool, err error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, false, err
	}
	rows, err := tx.query(ctx, "SELECT code_hash FROM mfa_backup_codes WHERE tenant_id = ? AND user_id = ?", tenantID, userID)
	if err != nil {
		return 0, false, err
	}
	var stored []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			rows.Close()
			return 0, false, err
		}
		stored = append(stored, h)
	}
	rows.Close()
	match := ""
	for _, h := range stored {
		if subtle.ConstantTimeCompare([]byte(h), []byte(hash)) == 1 {
			match = h
		}
	}
	if match == "" {
		return len(stored), false, nil
	}
	res, err := tx.exec(ctx, "DELETE FROM mfa_backup_codes WHERE tenant_id = ? AND user_id = ? AND code_hash = ?", tenantID, userID, match)
	if err != nil {
		return 0, false, err
	}
	n, _ := res.RowsAffected()
	return len(stored) - 1, n == 1, nil
}

// Challenge is a pending MFA login: what an mfa_token stands for.
type Challenge struct {
	Hash      string
	UserID    string
	AMR       string // JSON list of methods already passed
	CreatedAt time.Time
	ExpiresAt time.Time
	Failures  int
	UsedAt    time.Time
	DeviceID  string // the login's device_id, for the session it opens
}

// InsertChallenge stores a new challenge.
func (tx *Tx) InsertChallenge(ctx context.Context, c *Challenge) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO mfa_challenges (hash, tenant_id, user_id, amr, created_at, expires_at, failures, used_at, device_id) VALUES (?, ?, ?, ?, ?, ?, 0, NULL, ?)",
		c.Hash, tenantID, c.UserID, c.AMR, tx.d.timeArg(c.CreatedAt), tx.d.timeArg(c.ExpiresAt), c.DeviceID)
	return err
}

// Challenge finds a challenge by its token's hash.
func (tx *Tx) Challenge(ctx context.Context, hash string) (*Challenge, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	var c Challenge
	err = tx.queryRow(ctx, "SELECT hash, user_id, amr, created_at, expires_at, failures, used_at, device_id FROM mfa_challenges WHERE tenant_id = ? AND hash = ?", tenantID, hash).
		Scan(&c.Hash, &c.UserID, &c.AMR, scanTime{&c.CreatedAt}, scanTime{&c.ExpiresAt}, &c.Failures, scanNullTime{&c.UsedAt}, &c.DeviceID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "challenge not found")
	}
	return &c, err
}

// AttemptChallenge spends one of a challenge's attempts and reports whether
// one was left: the decision and the increment are one statement, so
// parallel submissions of one mfa_token never get more than max attempts
// between them. A used or expired challenge has none left. The attempt that
// brings the right code is spent too, and completes the challenge.
func (tx *Tx) AttemptChallenge(ctx context.Context, hash string, now time.Time, max int) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "UPDATE mfa_challenges SET failures = failures + 1 WHERE tenant_id = ? AND hash = ? AND failures < ? AND used_at IS NULL AND expires_at > ?",
		tenantID, hash, max, tx.d.timeArg(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// UseChallenge marks a challenge used; false when another request did first.
func (tx *Tx) UseChallenge(ctx context.Context, hash string, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "UPDATE mfa_challenges SET used_at = ? WHERE tenant_id = ? AND hash = ? AND used_at IS NULL", tx.d.timeArg(now), tenantID, hash)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// MarkSessionMFA records a second factor on a session and lifts its
// enrolment-only restriction.
func (tx *Tx) MarkSessionMFA(ctx context.Context, sessionID string, now time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "UPDATE sessions SET mfa_verified = ?, mfa_verified_at = ?, restricted = ?, amr = ? WHERE tenant_id = ? AND id = ?",
		true, tx.d.timeArg(now), false, `["pwd","otp"]`, tenantID, sessionID)
	return err
}

// SealedSecret is one stored secret of a user, for re-encryption.
type SealedSecret struct {
	UserID string
	Sealed []byte
}

// TOTPSecrets returns every stored TOTP secret of the scoped tenant.
func (tx *Tx) TOTPSecrets(ctx context.Context) ([]SealedSecret, error) {
	return tx.sealedRows(ctx, "SELECT user_id, secret FROM mfa_totp WHERE tenant_id = ? ORDER BY user_id")
}

// ReplaceTOTPSecret swaps a user's stored secret for its re-encryption,
// only if it is still old (a concurrent re-enrolment wins).
func (tx *Tx) ReplaceTOTPSecret(ctx context.Context, userID string, old, next []byte) (bool, error) {
	return tx.swapSealed(ctx, "UPDATE mfa_totp SET secret = ? WHERE tenant_id = ? AND user_id = ? AND secret = ?", userID, old, next)
}

// sealedRows reads (user id, sealed value) pairs of the scoped tenant with
// q, whose one parameter is the tenant id.
func (tx *Tx) sealedRows(ctx context.Context, q string) ([]SealedSecret, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, q, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SealedSecret
	for rows.Next() {
		var r SealedSecret
		if err := rows.Scan(&r.UserID, &r.Sealed); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// swapSealed runs q (parameters: next, tenant, user, old), a compare-and-swap
// of one user's sealed value, and reports whether it replaced it.
func (tx *Tx) swapSealed(ctx context.Context, q, userID string, old, next any) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, q, next, tenantID, userID, old)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}
