package store

import (
	"context"

	"github.com/rampart-dev/rampart/identity"
)

// UserSessions returns every session of the user, ended ones included,
// newest first: what the access export shows.
func (tx *Tx) UserSessions(ctx context.Context, userID string) ([]*identity.Session, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE tenant_id = ? AND user_id = ? ORDER BY created_at DESC, id", tenantID, userID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, tx.openSessions(ctx, rows, out)
}

// UserAPIKeys returns the API keys the user created, revoked ones
// included.
func (tx *Tx) UserAPIKeys(ctx context.Context, userID string) ([]*identity.APIKey, error) {
	all, err := tx.APIKeys(ctx)
	if err != nil {
		return nil, err
	}
	var out []*identity.APIKey
	for _, k := range all {
		if k.CreatedBy == userID {
			out = append(out, k)
		}
	}
	return out, nil
}

// ErasedRows counts what EraseUser removed.
type ErasedRows struct {
	Users    int64 `json:"users"`
	Sessions int64 `json:"sessions"`
	APIKeys  int64 `json:"api_keys"`
	MFA      int64 `json:"mfa"`
	Other    int64 `json:"other"`
}

// EraseUser deletes the user's row and every row that exists only for
// them (sessions and refresh tokens, MFA enrolments and challenges,
// account tokens, known logins, the API keys they created) and takes their
// id off AI usage records. A user already gone erases nothing and is no
// error: a second erasure is a no-op. Audit events are not touched; their
// hash chain covers them.
func (tx *Tx) EraseUser(ctx context.Context, userID string) (*ErasedRows, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	out := &ErasedRows{}
	if !validUUID(userID) {
		return out, nil
	}
	del := func(n *int64, q string, args ...any) error {
		res, err := tx.exec(ctx, q, args...)
		if err != nil {
			return err
		}
		m, _ := res.RowsAffected()
		*n += m
		return nil
	}
	steps := []struct {
		n    *int64
		q    string
		args []any
	}{
		{&out.Other, "DELETE FROM refresh_tokens WHERE tenant_id = ? AND session_id IN (SELECT id FROM sessions WHERE tenant_id = ? AND user_id = ?)", []any{tenantID, tenantID, userID}},
		{&out.Sessions, "DELETE FROM sessions WHERE tenant_id = ? AND user_id = ?", []any{tenantID, userID}},
		{&out.MFA, "DELETE FROM mfa_totp WHERE tenant_id = ? AND user_id = ?", []any{tenantID, userID}},
		{&out.MFA, "DELETE FROM mfa_backup_codes WHERE tenant_id = ? AND user_id = ?", []any{tenantID, userID}},
		{&out.MFA, "DELETE FROM mfa_channels WHERE tenant_id = ? AND user_id = ?", []any{tenantID, userID}},
		{&out.Other, "DELETE FROM mfa_challenges WHERE tenant_id = ? AND user_id = ?", []any{tenantID, userID}},
		{&out.Other, "DELETE FROM account_tokens WHERE tenant_id = ? AND user_id = ?", []any{tenantID, userID}},
		{&out.Other, "DELETE FROM known_logins WHERE tenant_id = ? AND user_id = ?", []any{tenantID, userID}},
		{&out.APIKeys, "DELETE FROM api_keys WHERE tenant_id = ? AND created_by = ?", []any{tenantID, userID}},
		{&out.Other, "UPDATE ai_usage SET user_id = '' WHERE tenant_id = ? AND user_id = ?", []any{tenantID, userID}},
		{&out.Users, "DELETE FROM users WHERE tenant_id = ? AND id = ?", []any{tenantID, userID}},
	}
	for _, s := range steps {
		if err := del(s.n, s.q, s.args...); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UserByEmailIndex returns the user whose email has this blind index (see
// EmailIndex): how a request that named an email finds its subject.
func (tx *Tx) UserByEmailIndex(ctx context.Context, index string) (*identity.User, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	return tx.scanUser(tx.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE tenant_id = ? AND email_key = ?", tenantID, index))
}
