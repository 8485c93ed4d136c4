package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/identity"
)

const userColumns = "id, tenant_id, email, email_key, password_hash, role, permissions, status, created_at, updated_at, attributes"

func nowUTC() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// validUUID guards lookups by id: PostgreSQL rejects a malformed uuid with an
// error, SQLite finds nothing; both should simply be "not found".
func validUUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// emailField names users' email column to the field sealer.
const emailField = "users.email"

// emailKey is what users.email_key holds for an email: its blind index, or
// with no sealer the normalised email.
func (tx *Tx) emailKey(tenantID, email string) string {
	if tx.fields == nil {
		return identity.NormalizeEmail(email)
	}
	return tx.fields.BlindIndex(tenantID, "email", identity.NormalizeEmail(email))
}

// openEmail decrypts a stored email.
func (tx *Tx) openEmail(u *identity.User) error {
	if tx.fields == nil {
		return nil
	}
	email, err := tx.fields.OpenField(u.TenantID, u.ID, emailField, u.Email)
	if err != nil {
		return fmt.Errorf("store: user %s email does not decrypt: %w", u.ID, err)
	}
	u.Email = email
	return nil
}

func (tx *Tx) scanUser(row interface{ Scan(...any) error }) (*identity.User, error) {
	u, err := scanUser(row)
	if err != nil {
		return nil, err
	}
	return u, tx.openEmail(u)
}

func scanUser(row interface{ Scan(...any) error }) (*identity.User, error) {
	var u identity.User
	var role, perms, attrs string
	err := row.Scan(&u.ID, &u.TenantID, &u.Email, &u.EmailKey, &u.PasswordHash, &role, scanText{&perms}, &u.Status,
		scanTime{&u.CreatedAt}, scanTime{&u.UpdatedAt}, scanText{&attrs})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "user not found")
	}
	if err != nil {
		return nil, err
	}
	u.Role = identity.Role(role)
	if err := json.Unmarshal([]byte(perms), &u.Permissions); err != nil {
		return nil, fmt.Errorf("store: user %s permissions: %w", u.ID, err)
	}
	if err := unmarshalAttributes(attrs, &u.Attributes); err != nil {
		return nil, fmt.Errorf("store: user %s attributes: %w", u.ID, err)
	}
	return &u, nil
}

// unmarshalAttributes reads users.attributes ('{}' by default).
func unmarshalAttributes(s string, a *identity.Attributes) error {
	if s == "" {
		return nil
	}
	return json.Unmarshal([]byte(s), a)
}

// CreateUser inserts u into the scoped tenant. An email already used in the
// tenant (in any letter case) is a conflict.
func (tx *Tx) CreateUser(ctx context.Context, u *identity.User) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if u.TenantID != tenantID {
		return errors.New("store: user belongs to another tenant than the transaction's")
	}
	perms, err := json.Marshal(nonNil(u.Permissions))
	if err != nil {
		return err
	}
	email, key := u.Email, tx.emailKey(tenantID, u.Email)
	switch {
	case tx.audit != nil && tx.fields != nil:
		// Under the user's own key, so that erasing them leaves no copy
		// that opens, in this database or an older backup. The field
		// sealer opens it (the same context, "rampart/users.email/<id>").
		if email, err = tx.audit.SealSubject(ctx, tx, u.ID, emailField+"/"+u.ID, []byte(u.Email)); err != nil {
			return fmt.Errorf("seal email: %w", err)
		}
	case tx.fields != nil:
		if email, err = tx.fields.SealField(tenantID, u.ID, emailField, u.Email); err != nil {
			return err
		}
	}
	u.EmailKey = key
	attrs, err := json.Marshal(u.Attributes)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO users ("+userColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		u.ID, tenantID, email, key, u.PasswordHash, string(u.Role), string(perms), u.Status,
		tx.d.timeArg(u.CreatedAt), tx.d.timeArg(u.UpdatedAt), string(attrs))
	if isUniqueViolation(err) {
		return rampart.FieldError(rampart.EConflict, "email", "a user with this email already exists in the tenant")
	}
	return err
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// UserByID returns a user of the scoped tenant.
func (tx *Tx) UserByID(ctx context.Context, id string) (*identity.User, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	if !validUUID(id) {
		return nil, rampart.Errorf(rampart.ENotFound, "user not found")
	}
	return tx.scanUser(tx.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE tenant_id = ? AND id = ?", tenantID, id))
}

// UserByEmail returns the user of the scoped tenant with this email, in any case.
func (tx *Tx) UserByEmail(ctx context.Context, email string) (*identity.User, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	return tx.scanUser(tx.queryRow(ctx, "SELECT "+userColumns+" FROM users WHERE tenant_id = ? AND email_key = ?",
		tenantID, tx.emailKey(tenantID, email)))
}

// ListUsers returns up to limit users of the scoped tenant ordered by email
// key (the email's blind index when emails are sealed: a stable order that
// reveals nothing), after the email key `after`.
func (tx *Tx) ListUsers(ctx context.Context, after string, limit int) ([]*identity.User, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT "+userColumns+" FROM users WHERE tenant_id = ? AND email_key > ? ORDER BY email_key LIMIT ?",
		tenantID, after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.User
	for rows.Next() {
		u, err := tx.scanUser(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// User returns a user of tenantID, read in the tenant's scope.
func (s *Store) User(ctx context.Context, tenantID, id string) (*identity.User, error) {
	var u *identity.User
	err := s.ReadTenant(ctx, tenantID, func(tx *Tx) (err error) {
		u, err = tx.UserByID(ctx, id)
		return err
	})
	return u, err
}

// Users lists up to limit users of tenantID after the email key after (see
// Tx.ListUsers).
func (s *Store) Users(ctx context.Context, tenantID, after string, limit int) ([]*identity.User, error) {
	var out []*identity.User
	err := s.ReadTenant(ctx, tenantID, func(tx *Tx) (err error) {
		out, err = tx.ListUsers(ctx, after, limit)
		return err
	})
	return out, err
}

// UpdateUser writes u's role, permissions, status, password hash and
// attributes.
func (tx *Tx) UpdateUser(ctx context.Context, u *identity.User) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	perms, err := json.Marshal(nonNil(u.Permissions))
	if err != nil {
		return err
	}
	attrs, err := json.Marshal(u.Attributes)
	if err != nil {
		return err
	}
	u.UpdatedAt = nowUTC()
	res, err := tx.exec(ctx, "UPDATE users SET role = ?, permissions = ?, status = ?, password_hash = ?, attributes = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
		string(u.Role), string(perms), u.Status, u.PasswordHash, string(attrs), tx.d.timeArg(u.UpdatedAt), tenantID, u.ID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rampart.Errorf(rampart.ENotFound, "user not found")
	}
	return nil
}

// DeleteUser removes a user of the scoped tenant; their sessions and refresh
// tokens go with them. Audit events keep the user's id.
func (tx *Tx) DeleteUser(ctx context.Context, id string) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if !validUUID(id) {
		return rampart.Errorf(rampart.ENotFound, "user not found")
	}
	if _, err := tx.exec(ctx, "DELETE FROM refresh_tokens WHERE tenant_id = ? AND session_id IN (SELECT id FROM sessions WHERE tenant_id = ? AND user_id = ?)",
		tenantID, tenantID, id); err != nil {
		return err
	}
	if _, err := tx.exec(ctx, "DELETE FROM sessions WHERE tenant_id = ? AND user_id = ?", tenantID, id); err != nil {
		return err
	}
	res, err := tx.exec(ctx, "DELETE FROM users WHERE tenant_id = ? AND id = ?", tenantID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rampart.Errorf(rampart.ENotFound, "user not found")
	}
	return nil
}

// SealUserEmails seals the emails of users written before the store sealed
// them (and replaces their plain email keys by blind indexes), tenant by
// tenant; it returns how many it sealed. Safe to run on every start and on
// several replicas at once: sealed rows are skipped, and each row is
// replaced only if it still holds the plain email.
func (s *Store) SealUserEmails(ctx context.Context) (int, error) {
	if s.fields == nil {
		return 0, nil
	}
	sealed := 0
	err := s.EachTenant(ctx, func(t *identity.Tenant) error {
		return s.InTenant(ctx, t.ID, func(tx *Tx) error {
			stored, err := tx.StoredEmails(ctx)
			if err != nil {
				return err
			}
			for _, r := range stored {
				email := string(r.Sealed)
				if s.fields.Sealed(email) {
					continue
				}
				enc, err := s.fields.SealField(t.ID, r.UserID, emailField, email)
				if err != nil {
					return err
				}
				res, err := tx.exec(ctx, "UPDATE users SET email = ?, email_key = ? WHERE tenant_id = ? AND id = ? AND email = ?",
					enc, tx.emailKey(t.ID, email), t.ID, r.UserID, email)
				if err != nil {
					return err
				}
				if n, _ := res.RowsAffected(); n == 1 {
					sealed++
				}
			}
			return nil
		})
	})
	return sealed, err
}

// StoredEmails returns the scoped tenant's users' emails as stored (sealed),
// for the re-encryption job.
func (tx *Tx) StoredEmails(ctx context.Context) ([]SealedSecret, error) {
	return tx.sealedRows(ctx, "SELECT id, email FROM users WHERE tenant_id = ? ORDER BY id")
}

// ReplaceStoredEmail swaps a user's stored email for its re-encryption,
// only if it is still the old one.
func (tx *Tx) ReplaceStoredEmail(ctx context.Context, userID, old, next string) (bool, error) {
	return tx.swapSealed(ctx, "UPDATE users SET email = ? WHERE tenant_id = ? AND id = ? AND email = ?", userID, old, next)
}
