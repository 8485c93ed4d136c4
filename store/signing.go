package store

import (
	"context"
	"time"

	"github.com/rampart-dev/rampart/keys"
)

// SigningKeys returns the stored signing keys retired after `since` or not
// retired at all, newest first.
func (s *Store) SigningKeys(ctx context.Context, since time.Time) ([]*keys.SealedKey, error) {
	var out []*keys.SealedKey
	err := s.run(ctx, s.r, true, "", true, func(tx *Tx) error {
		rows, err := tx.query(ctx, "SELECT kid, alg, private_key, created_at, retired_at FROM signing_keys WHERE retired_at IS NULL OR retired_at > ? ORDER BY created_at DESC",
			s.d.timeArg(since))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var k keys.SealedKey
			if err := rows.Scan(&k.KID, &k.Alg, &k.Sealed, scanTime{&k.CreatedAt}, scanNullTime{&k.RetiredAt}); err != nil {
				return err
			}
			out = append(out, &k)
		}
		return rows.Err()
	})
	return out, err
}

// AddSigningKey stores k as the current key. With rotate, every other current
// key is retired now; without it, k is stored only when no current key exists
// (first start: replicas starting together create one key, not several).
// It reports whether k was stored.
func (s *Store) AddSigningKey(ctx context.Context, k *keys.SealedKey, rotate bool) (bool, error) {
	stored := false
	err := s.run(ctx, s.w, false, "", true, func(tx *Tx) error {
		if s.d.name == "postgres" {
			if _, err := tx.exec(ctx, "LOCK TABLE signing_keys IN SHARE ROW EXCLUSIVE MODE"); err != nil {
				return err
			}
		}
		if rotate {
			if _, err := tx.exec(ctx, "UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL", s.d.timeArg(k.CreatedAt)); err != nil {
				return err
			}
		} else {
			var n int
			if err := tx.queryRow(ctx, "SELECT count(*) FROM signing_keys WHERE retired_at IS NULL").Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return nil
			}
		}
		_, err := tx.exec(ctx, "INSERT INTO signing_keys (kid, alg, private_key, created_at, retired_at) VALUES (?, ?, ?, ?, NULL)",
			k.KID, k.Alg, k.Sealed, s.d.timeArg(k.CreatedAt))
		stored = err == nil
		return err
	})
	return stored, err
}
