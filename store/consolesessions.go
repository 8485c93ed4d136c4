package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// ConsoleSession is an admin console session as stored: the SHA-256 (hex)
// of its cookie value, its state sealed by the console, and its times.
type ConsoleSession struct {
	KeyHash   string
	Sealed    []byte
	Operator  bool
	CreatedAt time.Time
	LastSeen  time.Time
	ExpiresAt time.Time
}

// PutConsoleSession writes a console session, replacing its previous state.
func (s *Store) PutConsoleSession(ctx context.Context, cs *ConsoleSession) error {
	return s.AsOperator(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "INSERT INTO console_sessions (key_hash, sealed, operator, created_at, last_seen, expires_at) VALUES (?, ?, ?, ?, ?, ?) "+
			"ON CONFLICT (key_hash) DO UPDATE SET sealed = excluded.sealed, last_seen = excluded.last_seen, expires_at = excluded.expires_at",
			cs.KeyHash, cs.Sealed, cs.Operator, tx.d.timeArg(cs.CreatedAt), tx.d.timeArg(cs.LastSeen), tx.d.timeArg(cs.ExpiresAt))
		return err
	})
}

// ConsoleSession returns the console session of keyHash unexpired at now,
// or nil.
func (s *Store) ConsoleSession(ctx context.Context, keyHash string, now time.Time) (*ConsoleSession, error) {
	var cs ConsoleSession
	err := s.run(ctx, s.r, true, "", true, func(tx *Tx) error {
		return tx.queryRow(ctx, "SELECT key_hash, sealed, operator, created_at, last_seen, expires_at FROM console_sessions WHERE key_hash = ? AND expires_at > ?",
			keyHash, tx.d.timeArg(now)).Scan(&cs.KeyHash, &cs.Sealed, &cs.Operator, scanTime{&cs.CreatedAt}, scanTime{&cs.LastSeen}, scanTime{&cs.ExpiresAt})
	})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &cs, nil
}

// DeleteConsoleSession removes a console session (signed out, replaced or
// expired).
func (s *Store) DeleteConsoleSession(ctx context.Context, keyHash string) error {
	return s.AsOperator(ctx, func(tx *Tx) error {
		_, err := tx.exec(ctx, "DELETE FROM console_sessions WHERE key_hash = ?", keyHash)
		return err
	})
}

// PurgeConsoleSessions deletes the console sessions expired at now.
func (s *Store) PurgeConsoleSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.AsOperator(ctx, func(tx *Tx) error {
		res, err := tx.exec(ctx, "DELETE FROM console_sessions WHERE expires_at <= ?", tx.d.timeArg(now))
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return n, err
}
