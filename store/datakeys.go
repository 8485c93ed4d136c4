package store

import (
	"context"
	"time"
)

// StoredKey is one version of a tenant's key as stored: sealed key material
// (nil once destroyed) and the encryptions reserved against it.
type StoredKey struct {
	Purpose   string // a data-key purpose, or "kek"
	Owner     string // the user of a per-user key; "" for tenant-wide keys
	Version   uint32
	Sealed    []byte
	Reserved  int64
	CreatedAt time.Time
	Destroyed bool
}

// DataKeys returns every version of the scoped tenant's key for purpose and
// owner, newest first.
func (tx *Tx) DataKeys(ctx context.Context, purpose, owner string) ([]*StoredKey, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT purpose, owner, version, sealed, reserved, created_at, destroyed_at FROM data_keys WHERE tenant_id = ? AND purpose = ? AND owner = ? ORDER BY version DESC",
		tenantID, purpose, owner)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*StoredKey
	for rows.Next() {
		var k StoredKey
		var destroyed time.Time
		if err := rows.Scan(&k.Purpose, &k.Owner, &k.Version, &k.Sealed, &k.Reserved, scanTime{&k.CreatedAt}, scanNullTime{&destroyed}); err != nil {
			return nil, err
		}
		k.Destroyed = !destroyed.IsZero()
		out = append(out, &k)
	}
	return out, rows.Err()
}

// AddDataKey stores k at its version and reports whether it was stored: a
// replica that lost the race to create the same version gets false and
// reads the winner's key instead.
func (tx *Tx) AddDataKey(ctx context.Context, k *StoredKey) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "INSERT INTO data_keys (tenant_id, purpose, owner, version, sealed, reserved, created_at) VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT DO NOTHING",
		tenantID, k.Purpose, k.Owner, k.Version, k.Sealed, tx.d.timeArg(k.CreatedAt))
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// ReserveUses adds n to a key version's reserved encryptions and returns the
// new total.
func (tx *Tx) ReserveUses(ctx context.Context, purpose, owner string, version uint32, n int64) (int64, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, err
	}
	var total int64
	err = tx.queryRow(ctx, "UPDATE data_keys SET reserved = reserved + ? WHERE tenant_id = ? AND purpose = ? AND owner = ? AND version = ? RETURNING reserved",
		n, tenantID, purpose, owner, version).Scan(&total)
	return total, err
}

// DestroyUserKeys erases the key material of every per-user key of userID
// (crypto-shredding): what was encrypted under them can no longer be read,
// in this database or in any backup taken after the master key's rotation.
// It returns how many key versions were destroyed.
func (tx *Tx) DestroyUserKeys(ctx context.Context, userID string, now time.Time) (int64, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, err
	}
	res, err := tx.exec(ctx, "UPDATE data_keys SET sealed = NULL, destroyed_at = ? WHERE tenant_id = ? AND owner = ? AND sealed IS NOT NULL",
		tx.d.timeArg(now), tenantID, userID)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// LatestDataKeys lists, for each tenant-wide purpose of the scoped tenant, the
// newest version and when it was created, for rotation by age.
func (tx *Tx) LatestDataKeys(ctx context.Context) ([]*StoredKey, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, `SELECT k.purpose, k.owner, k.version, k.reserved, k.created_at FROM data_keys k
		WHERE k.tenant_id = ? AND k.owner = '' AND k.version = (SELECT max(version) FROM data_keys m WHERE m.tenant_id = k.tenant_id AND m.purpose = k.purpose AND m.owner = k.owner)
		ORDER BY k.purpose`, tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*StoredKey
	for rows.Next() {
		var k StoredKey
		if err := rows.Scan(&k.Purpose, &k.Owner, &k.Version, &k.Reserved, scanTime{&k.CreatedAt}); err != nil {
			return nil, err
		}
		out = append(out, &k)
	}
	return out, rows.Err()
}
