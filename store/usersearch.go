package store

import (
	"context"

	"github.com/rampart-dev/rampart/identity"
)

// UserFilter narrows a search of a tenant's users. Emails are sealed at
// rest, so an email is found only whole (by its blind index), in any case.
type UserFilter struct {
	Email  string // exact email, any case; "" for all
	Role   string // "" for all
	Status string // identity.UserActive, UserDisabled, UserInvited; "" for all
	MFA    string // "on": a confirmed second factor; "off": none; "" for all
	After  string // the email key to continue after (the order of ListUsers)
	Limit  int
}

// UserRow is a user with whether they have a confirmed second factor.
type UserRow struct {
	*identity.User
	MFA bool
}

// mfaExpr is 1 when the users row has a confirmed TOTP or an e-mail or SMS
// factor, else 0 (an integer in both dialects).
const mfaExpr = `CASE WHEN EXISTS (SELECT 1 FROM mfa_totp m WHERE m.tenant_id = users.tenant_id AND m.user_id = users.id AND m.confirmed_at IS NOT NULL)
  OR EXISTS (SELECT 1 FROM mfa_channels c WHERE c.tenant_id = users.tenant_id AND c.user_id = users.id) THEN 1 ELSE 0 END`

// SearchUsers returns up to f.Limit users of the scoped tenant matching f,
// in email-key order after f.After: the (tenant_id, email_key) index serves
// both the order and an email lookup.
func (tx *Tx) SearchUsers(ctx context.Context, f UserFilter) ([]UserRow, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	q := "SELECT " + userColumns + ", " + mfaExpr + " FROM users WHERE tenant_id = ? AND email_key > ?"
	args := []any{tenantID, f.After}
	if f.Email != "" {
		q += " AND email_key = ?"
		args = append(args, tx.emailKey(tenantID, f.Email))
	}
	if f.Role != "" {
		q += " AND role = ?"
		args = append(args, f.Role)
	}
	if f.Status != "" {
		q += " AND status = ?"
		args = append(args, f.Status)
	}
	switch f.MFA {
	case "on":
		q += " AND " + mfaExpr + " = 1"
	case "off":
		q += " AND " + mfaExpr + " = 0"
	}
	q += " ORDER BY email_key LIMIT ?"
	args = append(args, f.Limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []UserRow
	for rows.Next() {
		var mfa int
		u, err := tx.scanUser(extraScan{rows, []any{&mfa}})
		if err != nil {
			return nil, err
		}
		out = append(out, UserRow{User: u, MFA: mfa == 1})
	}
	return out, rows.Err()
}

// SearchUsers runs Tx.SearchUsers in a read transaction of tenantID.
func (s *Store) SearchUsers(ctx context.Context, tenantID string, f UserFilter) ([]UserRow, error) {
	var out []UserRow
	err := s.ReadTenant(ctx, tenantID, func(tx *Tx) (err error) {
		out, err = tx.SearchUsers(ctx, f)
		return err
	})
	return out, err
}

// extraScan scans a row's leading columns with a scanner of its own and
// the trailing ones into extra.
type extraScan struct {
	row   interface{ Scan(...any) error }
	extra []any
}

func (e extraScan) Scan(dest ...any) error { return e.row.Scan(append(dest, e.extra...)...) }
