// Package store keeps Rampart's data in SQLite (the embedded default) or
// PostgreSQL (production) behind one API. Every read and write of tenant data
// happens in a transaction scoped to one tenant.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
)

// Store is the database. Its zero value is not usable; call Open.
type Store struct {
	d *dialect
	// w takes writes; r takes read-only transactions. On PostgreSQL both are
	// the same pool; on SQLite w holds one connection (SQLite has one writer)
	// and r several, which WAL lets read while w writes.
	w, r *sql.DB
	// fields seals users' emails and indexes them; nil stores them as given.
	fields FieldSealer
	// audit seals audit events' and sessions' personal fields per subject; nil stores
	// them as given.
	audit SubjectSealer
}

// FieldSealer encrypts the personal fields of Rampart's own records (user
// emails) and computes the blind indexes that lookups and uniqueness use
// instead of the values. The store knows nothing of keys.
type FieldSealer interface {
	SealField(tenantID, rowID, field, value string) (string, error)
	OpenField(tenantID, rowID, field, stored string) (string, error)
	BlindIndex(tenantID, field, value string) string
	// Sealed reports whether a stored value is already sealed.
	Sealed(stored string) bool
}

// SealFields makes the store encrypt users' emails with f and look them up
// by blind index. Call it before serving; SealUserEmails converts rows
// written without it.
func (s *Store) SealFields(f FieldSealer) { s.fields = f }

// Open connects to databaseURL: empty or "sqlite:PATH" selects SQLite (by
// default rampart.db in dataDir), "postgres://" or "postgresql://" selects
// PostgreSQL. It does not migrate; call Migrate.
func Open(ctx context.Context, databaseURL, dataDir string) (*Store, error) {
	switch {
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		db, err := sql.Open("pgx", databaseURL)
		if err != nil {
			return nil, fmt.Errorf("open postgres: %w", err)
		}
		db.SetMaxOpenConns(32)
		db.SetMaxIdleConns(32)
		db.SetConnMaxIdleTime(5 * time.Minute)
		if err := db.PingContext(ctx); err != nil {
			db.Close()
			return nil, fmt.Errorf("connect to postgres: %w", err)
		}
		return &Store{d: &dialect{name: postgresDialect.name}, w: db, r: db}, nil
	case databaseURL == "" || strings.HasPrefix(databaseURL, "sqlite:"):
		path := strings.TrimPrefix(databaseURL, "sqlite:")
		path = strings.TrimPrefix(path, "//")
		if path == "" {
			path = filepath.Join(dataDir, "rampart.db")
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, fmt.Errorf("create data folder: %w", err)
		}
		w, err := sql.Open("sqlite", sqliteDSN(path, true))
		if err != nil {
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		w.SetMaxOpenConns(1)
		w.SetConnMaxIdleTime(0)
		// Create the file and switch it to WAL before any reader opens it.
		if err := w.PingContext(ctx); err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite %s: %w", path, err)
		}
		if err := os.Chmod(path, 0o600); err != nil {
			w.Close()
			return nil, fmt.Errorf("protect sqlite file: %w", err)
		}
		r, err := sql.Open("sqlite", sqliteDSN(path, false))
		if err != nil {
			w.Close()
			return nil, fmt.Errorf("open sqlite: %w", err)
		}
		r.SetMaxOpenConns(8)
		r.SetMaxIdleConns(8)
		return &Store{d: sqliteDialect, w: w, r: r}, nil
	default:
		return nil, rampart.Errorf(rampart.EInvalid, "database URL must start with postgres://, postgresql:// or sqlite:")
	}
}

// Dialect names the database in use: "sqlite" or "postgres".
func (s *Store) Dialect() string { return s.d.name }

// Close closes the connection pools.
func (s *Store) Close() error {
	err := s.w.Close()
	if s.r != s.w {
		err = errors.Join(err, s.r.Close())
	}
	return err
}

// Ping checks that the database answers.
func (s *Store) Ping(ctx context.Context) error {
	return s.w.PingContext(ctx)
}

// Stats returns the writer pool's statistics, for metrics.
func (s *Store) Stats() sql.DBStats { return s.w.Stats() }

// Tx is a transaction scoped to one tenant, or to the operator. Every query it
// runs filters on its tenant, and on PostgreSQL row-level security enforces
// the same scope underneath.
type Tx struct {
	tx       *sql.Tx
	d        *dialect
	tenantID string
	operator bool
	readOnly bool
	fields   FieldSealer
	audit    SubjectSealer
}

// ReadOnly reports whether the transaction only reads: what it reads is
// committed, so key caches may keep it.
func (tx *Tx) ReadOnly() bool { return tx.readOnly }

// TenantID returns the tenant the transaction is scoped to.
func (tx *Tx) TenantID() string { return tx.tenantID }

// errNoTenant guards tenant queries run outside a tenant scope (fail closed).
var errNoTenant = errors.New("store: tenant query outside a tenant scope")

// tenant returns the scoped tenant id, or errNoTenant.
func (tx *Tx) tenant() (string, error) {
	if tx.tenantID == "" {
		return "", errNoTenant
	}
	return tx.tenantID, nil
}

// InTenant runs fn in a read-write transaction scoped to tenantID and commits
// when fn returns nil.
func (s *Store) InTenant(ctx context.Context, tenantID string, fn func(*Tx) error) error {
	if tenantID == "" {
		return errNoTenant
	}
	return s.run(ctx, s.w, false, tenantID, false, fn)
}

// ReadTenant runs fn in a read-only transaction scoped to tenantID.
func (s *Store) ReadTenant(ctx context.Context, tenantID string, fn func(*Tx) error) error {
	if tenantID == "" {
		return errNoTenant
	}
	return s.run(ctx, s.r, true, tenantID, false, fn)
}

// AsOperator runs fn in a read-write transaction with operator scope: it may
// create, list and change tenants, and nothing else until it scopes itself to
// a tenant (CreateTenant does so for the tenant it creates, ScopeTo for an
// existing one). This is the one narrow path around tenant isolation.
func (s *Store) AsOperator(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, s.w, false, "", true, fn)
}

func (s *Store) run(ctx context.Context, db *sql.DB, readOnly bool, tenantID string, operator bool, fn func(*Tx) error) error {
	// SQLite's read-only pool is query_only already; the ReadOnly option would
	// make database/sql refuse our BEGIN on modernc, so only PostgreSQL gets it.
	opts := &sql.TxOptions{ReadOnly: readOnly && s.d.name == "postgres"}
	sqlTx, err := db.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{tx: sqlTx, d: s.d, tenantID: tenantID, operator: operator, readOnly: readOnly, fields: s.fields, audit: s.audit}
	if err := s.d.beginScope(ctx, sqlTx, tenantID, operator); err != nil {
		sqlTx.Rollback()
		return fmt.Errorf("scope transaction: %w", err)
	}
	if err := fn(tx); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// ScopeTo narrows an operator transaction to one tenant, for operator work
// that writes that tenant's records (its owner, its audit events).
func (tx *Tx) ScopeTo(ctx context.Context, tenantID string) error {
	if !tx.operator {
		return errors.New("store: ScopeTo outside an operator transaction")
	}
	tx.tenantID = tenantID
	return tx.d.beginScope(ctx, tx.tx, tenantID, true)
}

func (tx *Tx) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return tx.tx.ExecContext(ctx, tx.d.rebind(q), args...)
}

func (tx *Tx) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return tx.tx.QueryContext(ctx, tx.d.rebind(q), args...)
}

func (tx *Tx) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return tx.tx.QueryRowContext(ctx, tx.d.rebind(q), args...)
}

// ReadAsOperator runs fn in a read-only operator transaction: for resolving a
// tenant by slug before any tenant is in scope.
func (s *Store) ReadAsOperator(ctx context.Context, fn func(*Tx) error) error {
	return s.run(ctx, s.r, true, "", true, fn)
}
