package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/identity"
)

const apiKeyColumns = "id, tenant_id, name, hash, role, permissions, rate_limit_tier, created_by, created_at, expires_at, last_used_at, revoked_at"

func scanAPIKey(row interface{ Scan(...any) error }) (*identity.APIKey, error) {
	var k identity.APIKey
	var perms string
	err := row.Scan(&k.ID, &k.TenantID, &k.Name, &k.Hash, &k.Role, scanText{&perms}, &k.RateLimitTier, &k.CreatedBy,
		scanTime{&k.CreatedAt}, scanNullTime{&k.ExpiresAt}, scanNullTime{&k.LastUsedAt}, scanNullTime{&k.RevokedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "API key not found")
	}
	if err != nil {
		return nil, err
	}
	return &k, json.Unmarshal([]byte(perms), &k.Permissions)
}

// CreateAPIKey stores a key's metadata and hash.
func (tx *Tx) CreateAPIKey(ctx context.Context, k *identity.APIKey) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	perms, err := json.Marshal(nonNil(k.Permissions))
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO api_keys ("+apiKeyColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL)",
		k.ID, tenantID, k.Name, k.Hash, k.Role, string(perms), k.RateLimitTier, k.CreatedBy, tx.d.timeArg(k.CreatedAt), tx.d.nullTimeArg(k.ExpiresAt))
	return err
}

// APIKey returns a key of the scoped tenant by id.
func (tx *Tx) APIKey(ctx context.Context, id string) (*identity.APIKey, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	return scanAPIKey(tx.queryRow(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE tenant_id = ? AND id = ?", tenantID, id))
}

// APIKeys lists the scoped tenant's keys that are not revoked, newest first.
func (tx *Tx) APIKeys(ctx context.Context) ([]*identity.APIKey, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT "+apiKeyColumns+" FROM api_keys WHERE tenant_id = ? AND revoked_at IS NULL ORDER BY created_at DESC, id", tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.APIKey
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// RevokeAPIKey marks a key revoked; false when it was not active.
func (tx *Tx) RevokeAPIKey(ctx context.Context, id string, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "UPDATE api_keys SET revoked_at = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL", tx.d.timeArg(now), tenantID, id)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// TouchAPIKey records a use of a key.
func (tx *Tx) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	// Never backwards: replicas flush their uses independently.
	_, err = tx.exec(ctx, "UPDATE api_keys SET last_used_at = ? WHERE tenant_id = ? AND id = ? AND (last_used_at IS NULL OR last_used_at < ?)",
		tx.d.timeArg(at), tenantID, id, tx.d.timeArg(at))
	return err
}

// SetAPIKeyTier changes the rate-limit tier of a live key of the scoped
// tenant; it reports false when there is none.
func (tx *Tx) SetAPIKeyTier(ctx context.Context, id, tier string) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "UPDATE api_keys SET rate_limit_tier = ? WHERE tenant_id = ? AND id = ? AND revoked_at IS NULL", tier, tenantID, id)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
