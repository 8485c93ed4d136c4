package store

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/authz"
)

// CustomRoles returns the scoped tenant's custom roles.
func (tx *Tx) CustomRoles(ctx context.Context) ([]authz.Role, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT name, level, permissions FROM roles WHERE tenant_id = ? ORDER BY name", tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []authz.Role
	for rows.Next() {
		var r authz.Role
		var perms string
		if err := rows.Scan(&r.Name, &r.Level, &perms); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(perms), &r.Permissions); err != nil {
			return nil, err
		}
		r.Custom = true
		out = append(out, r)
	}
	return out, rows.Err()
}

// CreateRole stores a custom role; a taken name is a conflict.
func (tx *Tx) CreateRole(ctx context.Context, r authz.Role, createdBy string, now time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	perms, err := json.Marshal(nonNil(r.Permissions))
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO roles (tenant_id, name, level, permissions, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		tenantID, r.Name, r.Level, string(perms), createdBy, tx.d.timeArg(now))
	if isUniqueViolation(err) {
		return rampart.FieldError(rampart.EConflict, "name", "a role with this name already exists")
	}
	return err
}

// DeleteRole removes a custom role.
func (tx *Tx) DeleteRole(ctx context.Context, name string) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "DELETE FROM roles WHERE tenant_id = ? AND name = ?", tenantID, name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rampart.Errorf(rampart.ENotFound, "role not found")
	}
	return nil
}

// CountRoleHolders counts the scoped tenant's users and unrevoked API keys
// holding role.
func (tx *Tx) CountRoleHolders(ctx context.Context, role string) (int, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, err
	}
	var users, keys int
	if err := tx.queryRow(ctx, "SELECT count(*) FROM users WHERE tenant_id = ? AND role = ?", tenantID, role).Scan(&users); err != nil {
		return 0, err
	}
	err = tx.queryRow(ctx, "SELECT count(*) FROM api_keys WHERE tenant_id = ? AND role = ? AND revoked_at IS NULL", tenantID, role).Scan(&keys)
	return users + keys, err
}
