package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
)

// AccountToken is a one-time link and/or code issued to a user for one
// purpose (password_reset, email_verification, invitation, ...). Only
// keyed hashes of the secrets are stored.
type AccountToken struct {
	ID            string
	UserID        string
	Purpose       string
	LinkHash      string // "" when no link was issued
	CodeHash      string // "" when no code was issued
	Channel       string // where the code went: email or sms
	Target        string // sealed destination (a phone being enrolled), or ""
	CreatedAt     time.Time
	LinkExpiresAt time.Time
	CodeExpiresAt time.Time
	Failures      int
	UsedAt        time.Time
}

const accountTokenColumns = "id, user_id, purpose, link_hash, code_hash, channel, target, created_at, link_expires_at, code_expires_at, failures, used_at"

func scanAccountToken(row interface{ Scan(...any) error }) (*AccountToken, error) {
	var t AccountToken
	var link sql.NullString
	err := row.Scan(&t.ID, &t.UserID, &t.Purpose, &link, &t.CodeHash, &t.Channel, &t.Target, scanTime{&t.CreatedAt},
		scanTime{&t.LinkExpiresAt}, scanTime{&t.CodeExpiresAt}, &t.Failures, scanNullTime{&t.UsedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "token not found")
	}
	t.LinkHash = link.String
	return &t, err
}

// IssueAccountToken stores t (its ID is set when empty) and retires the
// user's earlier unused tokens of the same purpose: one live link and code
// per user and purpose, so asking again never multiplies the guesses.
func (tx *Tx) IssueAccountToken(ctx context.Context, t *AccountToken, now time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "UPDATE account_tokens SET used_at = ? WHERE tenant_id = ? AND user_id = ? AND purpose = ? AND used_at IS NULL",
		tx.d.timeArg(now), tenantID, t.UserID, t.Purpose); err != nil {
		return err
	}
	return tx.AddAccountToken(ctx, t)
}

// AddAccountToken stores a new token beside the user's live tokens of its
// purpose, which stay live: for links that each stand on their own, such
// as the "this wasn't me" link of every security e-mail.
func (tx *Tx) AddAccountToken(ctx context.Context, t *AccountToken) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if t.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		t.ID = id.String()
	}
	var link any
	if t.LinkHash != "" {
		link = t.LinkHash
	}
	_, err = tx.exec(ctx, "INSERT INTO account_tokens ("+accountTokenColumns+", tenant_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, ?)",
		t.ID, t.UserID, t.Purpose, link, t.CodeHash, t.Channel, t.Target, tx.d.timeArg(t.CreatedAt),
		tx.d.timeArg(t.LinkExpiresAt), tx.d.timeArg(t.CodeExpiresAt), tenantID)
	return err
}

// AccountTokenByLink finds a live token of purpose by its link's hash: not
// used and its link not expired. Anything else is not found.
func (tx *Tx) AccountTokenByLink(ctx context.Context, linkHash, purpose string, now time.Time) (*AccountToken, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	return scanAccountToken(tx.queryRow(ctx, "SELECT "+accountTokenColumns+" FROM account_tokens WHERE tenant_id = ? AND link_hash = ? AND purpose = ? AND used_at IS NULL AND link_expires_at > ?",
		tenantID, linkHash, purpose, tx.d.timeArg(now)))
}

// LiveCode returns the user's newest unused code of purpose that has not
// expired and has attempts left.
func (tx *Tx) LiveCode(ctx context.Context, userID, purpose string, now time.Time, maxFailures int) (*AccountToken, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	return scanAccountToken(tx.queryRow(ctx, "SELECT "+accountTokenColumns+" FROM account_tokens WHERE tenant_id = ? AND user_id = ? AND purpose = ? AND code_hash <> '' AND used_at IS NULL AND code_expires_at > ? AND failures < ? ORDER BY created_at DESC LIMIT 1",
		tenantID, userID, purpose, tx.d.timeArg(now), maxFailures))
}

// AttemptCode spends one of a code's max attempts and reports whether one
// was left: deciding and counting are one statement, so parallel
// submissions never get more than max comparisons between them. A used or
// expired code has none. The caller compares only after true.
func (tx *Tx) AttemptCode(ctx context.Context, id string, now time.Time, max int) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "UPDATE account_tokens SET failures = failures + 1 WHERE tenant_id = ? AND id = ? AND failures < ? AND used_at IS NULL AND code_expires_at > ?",
		tenantID, id, max, tx.d.timeArg(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// CheckCode finds the user's live code of purpose, spends one of its max
// attempts and only then calls match with the stored hash: match runs at
// most max times per code, however many requests arrive at once. It
// returns the token when match said yes, nil otherwise (no live code, no
// attempt left, or no match). Using the token is a separate step
// (UseAccountToken), so that exactly one of several matches wins.
func (tx *Tx) CheckCode(ctx context.Context, userID, purpose string, now time.Time, max int, match func(codeHash string) bool) (*AccountToken, error) {
	row, err := tx.LiveCode(ctx, userID, purpose, now, max)
	if rampart.ErrorCode(err) == rampart.ENotFound {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ok, err := tx.AttemptCode(ctx, row.ID, now, max)
	if err != nil || !ok {
		return nil, err
	}
	if !match(row.CodeHash) {
		return nil, nil
	}
	return row, nil
}

// UseAccountToken marks a token used, only if nobody did first and (by its
// link or its code, as byLink says) it has not expired: exactly one of any
// number of parallel uses succeeds.
func (tx *Tx) UseAccountToken(ctx context.Context, id string, byLink bool, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	col := "code_expires_at"
	if byLink {
		col = "link_expires_at"
	}
	res, err := tx.exec(ctx, "UPDATE account_tokens SET used_at = ? WHERE tenant_id = ? AND id = ? AND used_at IS NULL AND "+col+" > ?",
		tx.d.timeArg(now), tenantID, id, tx.d.timeArg(now))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// RetireAccountTokens marks every unused token of the user for purpose used
// (all purposes when purpose is empty): after a password reset, say.
func (tx *Tx) RetireAccountTokens(ctx context.Context, userID, purpose string, now time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	q := "UPDATE account_tokens SET used_at = ? WHERE tenant_id = ? AND user_id = ? AND used_at IS NULL"
	args := []any{tx.d.timeArg(now), tenantID, userID}
	if purpose != "" {
		q += " AND purpose = ?"
		args = append(args, purpose)
	}
	_, err = tx.exec(ctx, q, args...)
	return err
}

// MarkEmailVerified records that the user proved their address, once.
func (tx *Tx) MarkEmailVerified(ctx context.Context, userID string, now time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "UPDATE users SET email_verified_at = ? WHERE tenant_id = ? AND id = ? AND email_verified_at IS NULL",
		tx.d.timeArg(now), tenantID, userID)
	return err
}

// EmailVerifiedAt returns when the user verified their address (zero: not).
func (tx *Tx) EmailVerifiedAt(ctx context.Context, userID string) (time.Time, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return time.Time{}, err
	}
	var t time.Time
	err = tx.queryRow(ctx, "SELECT email_verified_at FROM users WHERE tenant_id = ? AND id = ?", tenantID, userID).Scan(scanNullTime{&t})
	if errors.Is(err, sql.ErrNoRows) {
		return t, rampart.Errorf(rampart.ENotFound, "user not found")
	}
	return t, err
}

// MFAChannel is a confirmed second factor by e-mail or SMS.
type MFAChannel struct {
	Method      string // "email" or "sms"
	Target      string // sealed phone number (sms), "" for email
	ConfirmedAt time.Time
}

// MFAChannels returns the user's confirmed e-mail and SMS factors.
func (tx *Tx) MFAChannels(ctx context.Context, userID string) ([]MFAChannel, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT method, target, confirmed_at FROM mfa_channels WHERE tenant_id = ? AND user_id = ? ORDER BY method", tenantID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []MFAChannel
	for rows.Next() {
		var c MFAChannel
		if err := rows.Scan(&c.Method, &c.Target, scanTime{&c.ConfirmedAt}); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// StoredPhones returns the scoped tenant's confirmed SMS factors' numbers
// as stored (sealed), for the re-encryption job.
func (tx *Tx) StoredPhones(ctx context.Context) ([]SealedSecret, error) {
	return tx.sealedRows(ctx, "SELECT user_id, target FROM mfa_channels WHERE tenant_id = ? AND method = 'sms' ORDER BY user_id")
}

// ReplaceStoredPhone swaps a user's stored SMS number for its
// re-encryption, only if it is still the old one.
func (tx *Tx) ReplaceStoredPhone(ctx context.Context, userID, old, next string) (bool, error) {
	return tx.swapSealed(ctx, "UPDATE mfa_channels SET target = ? WHERE tenant_id = ? AND user_id = ? AND method = 'sms' AND target = ?", userID, old, next)
}

// PutMFAChannel stores (or replaces) a confirmed factor of the user.
func (tx *Tx) PutMFAChannel(ctx context.Context, userID string, c MFAChannel) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "DELETE FROM mfa_channels WHERE tenant_id = ? AND user_id = ? AND method = ?", tenantID, userID, c.Method); err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO mfa_channels (tenant_id, user_id, method, target, confirmed_at) VALUES (?, ?, ?, ?, ?)",
		tenantID, userID, c.Method, c.Target, tx.d.timeArg(c.ConfirmedAt))
	return err
}
