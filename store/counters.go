package store

import (
	"context"
	"time"

	"github.com/rampart-dev/rampart/identity"
)

// Hit implements identity.CounterStore with one atomic upsert: N parallel
// hits on one key return N distinct counts on both dialects.
func (s *Store) Hit(ctx context.Context, key string, now time.Time, window time.Duration, sliding bool) (identity.Count, error) {
	var c identity.Count
	n := s.d.timeArg(now)
	q := `INSERT INTO counters (key, count, window_end, blocked_until) VALUES (?, 1, ?, NULL)
ON CONFLICT (key) DO UPDATE SET
  count = CASE WHEN counters.window_end <= ? AND (counters.blocked_until IS NULL OR counters.blocked_until <= ?)
               THEN 1 ELSE counters.count + 1 END,
  blocked_until = CASE WHEN counters.window_end <= ? AND (counters.blocked_until IS NULL OR counters.blocked_until <= ?)
               THEN NULL ELSE counters.blocked_until END,
  window_end = CASE WHEN counters.window_end <= ? AND (counters.blocked_until IS NULL OR counters.blocked_until <= ?)
               THEN excluded.window_end
               WHEN ? AND (counters.blocked_until IS NULL OR counters.blocked_until <= ?) THEN excluded.window_end
               ELSE counters.window_end END
RETURNING count, window_end, blocked_until`
	err := s.run(ctx, s.w, false, "", true, func(tx *Tx) error {
		return tx.queryRow(ctx, q, key, s.d.timeArg(now.Add(window)), n, n, n, n, n, n, sliding, n).
			Scan(&c.N, scanTime{&c.WindowEnd}, scanNullTime{&c.BlockedUntil})
	})
	return c, err
}

// Block marks key blocked until the given time; its window ends then too.
func (s *Store) Block(ctx context.Context, key string, until time.Time) error {
	return s.run(ctx, s.w, false, "", true, func(tx *Tx) error {
		_, err := tx.exec(ctx, "UPDATE counters SET blocked_until = ?, window_end = ? WHERE key = ?",
			s.d.timeArg(until), s.d.timeArg(until), key)
		return err
	})
}

// Clear forgets key.
func (s *Store) Clear(ctx context.Context, key string) error {
	return s.run(ctx, s.w, false, "", true, func(tx *Tx) error {
		_, err := tx.exec(ctx, "DELETE FROM counters WHERE key = ?", key)
		return err
	})
}

// PurgeCounters deletes counters whose window and block ended before now;
// the server calls it periodically so the table stays small.
func (s *Store) PurgeCounters(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.run(ctx, s.w, false, "", true, func(tx *Tx) error {
		res, err := tx.exec(ctx, "DELETE FROM counters WHERE window_end < ? AND (blocked_until IS NULL OR blocked_until < ?)",
			s.d.timeArg(now), s.d.timeArg(now))
		if err != nil {
			return err
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}
