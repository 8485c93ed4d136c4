package store

import (
	"context"
	"encoding/json"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/authz"
)

// UpdateRole changes a custom role's level and permissions.
func (tx *Tx) UpdateRole(ctx context.Context, r authz.Role) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	perms, err := json.Marshal(nonNil(r.Permissions))
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "UPDATE roles SET level = ?, permissions = ? WHERE tenant_id = ? AND name = ?", r.Level, string(perms), tenantID, r.Name)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rampart.Errorf(rampart.ENotFound, "role not found")
	}
	return nil
}
