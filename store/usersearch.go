package store

import (
	"context"
	"strings"

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

// withMFA selects the ids of the scoped tenant's users with a confirmed TOTP
// or an e-mail or SMS factor (its two parameters are the tenant id).
const withMFA = `SELECT user_id FROM mfa_totp WHERE tenant_id = ? AND confirmed_at IS NOT NULL
  UNION ALL SELECT user_id FROM mfa_channels WHERE tenant_id = ?`

// SearchUsers returns up to f.Limit users of the scoped tenant matching f,
// in email-key order after f.After: the (tenant_id, email_key) index serves
// both the order and an email lookup.
func (tx *Tx) SearchUsers(ctx context.Context, f UserFilter) ([]UserRow, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	q := "SELECT " + userColumns + " FROM users WHERE tenant_id = ? AND email_key > ?"
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
		q += " AND id IN (" + withMFA + ")"
		args = append(args, tenantID, tenantID)
	case "off":
		q += " AND id NOT IN (" + withMFA + ")"
		args = append(args, tenantID, tenantID)
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
		u, err := tx.scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, UserRow{User: u})
	}
	if err := rows.Err(); err != nil || len(out) == 0 {
		return out, err
	}
	return out, tx.markMFA(ctx, tenantID, out)
}

// markMFA sets MFA on the rows of users with a second factor: one query for
// the page, whatever its size.
func (tx *Tx) markMFA(ctx context.Context, tenantID string, list []UserRow) error {
	ph := strings.Repeat(", ?", len(list))[2:]
	args := []any{tenantID}
	byID := make(map[string]*UserRow, len(list))
	for i := range list {
		args = append(args, list[i].ID)
		byID[list[i].ID] = &list[i]
	}
	args = append(args, tenantID)
	args = append(args, args[1:len(list)+1]...)
	rows, err := tx.query(ctx, "SELECT user_id FROM mfa_totp WHERE tenant_id = ? AND user_id IN ("+ph+") AND confirmed_at IS NOT NULL"+
		" UNION SELECT user_id FROM mfa_channels WHERE tenant_id = ? AND user_id IN ("+ph+")", args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return err
		}
		if r := byID[id]; r != nil {
			r.MFA = true
		}
	}
	return rows.Err()
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
