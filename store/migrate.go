package store

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
	"time"
)

//go:embed migrations
var migrations embed.FS

// migrationLock is the PostgreSQL advisory lock key held while migrating, so
// that replicas starting together migrate once.
const migrationLock = 0x72616d70 // "ramp"

type migration struct {
	version int
	name    string
	sql     string
}

func (s *Store) migrations() ([]migration, error) {
	dir := "migrations/" + s.d.name
	entries, err := fs.ReadDir(migrations, dir)
	if err != nil {
		return nil, err
	}
	var out []migration
	for _, e := range entries {
		num, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.sql", e.Name())
		}
		b, err := migrations.ReadFile(dir + "/" + e.Name())
		if err != nil {
			return nil, err
		}
		out = append(out, migration{version: v, name: e.Name(), sql: string(b)})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].version < out[j].version })
	return out, nil
}

// Migrate applies the embedded migrations not yet applied, each in its own
// transaction, and on PostgreSQL sets up the role that keeps row-level
// security in force. It returns the names of the migrations it applied.
func (s *Store) Migrate(ctx context.Context) ([]string, error) {
	all, err := s.migrations()
	if err != nil {
		return nil, err
	}
	conn, err := s.w.Conn(ctx)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	if s.d.name == "postgres" {
		if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", migrationLock); err != nil {
			return nil, fmt.Errorf("migration lock: %w", err)
		}
		defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", migrationLock)
	}
	if _, err := conn.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)`); err != nil {
		return nil, fmt.Errorf("create schema_migrations: %w", err)
	}
	applied := map[int]bool{}
	rows, err := conn.QueryContext(ctx, "SELECT version FROM schema_migrations")
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var v int
		if err := rows.Scan(&v); err != nil {
			rows.Close()
			return nil, err
		}
		applied[v] = true
	}
	rows.Close()
	var done []string
	for _, m := range all {
		if applied[m.version] {
			continue
		}
		if err := s.apply(ctx, conn, m); err != nil {
			return done, err
		}
		done = append(done, m.name)
	}
	if s.d.name == "postgres" {
		if err := s.setupRole(ctx, conn); err != nil {
			return done, err
		}
	}
	return done, nil
}

func (s *Store) apply(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, m.sql); err != nil {
		return fmt.Errorf("migration %s: %w", m.name, err)
	}
	if _, err := tx.ExecContext(ctx, s.d.rebind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
		m.version, m.name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return fmt.Errorf("record migration %s: %w", m.name, err)
	}
	return tx.Commit()
}

// setupRole makes row-level security hold for the server's own queries. A
// superuser or BYPASSRLS role ignores RLS even when forced, so the server then
// runs every transaction as appRole, which may read and write tenant tables
// (and only append to the audit log). A plain owner role is subject to the
// forced policies already and needs nothing.
func (s *Store) setupRole(ctx context.Context, conn *sql.Conn) error {
	var bypass bool
	if err := conn.QueryRowContext(ctx,
		"SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&bypass); err != nil {
		return fmt.Errorf("inspect database role: %w", err)
	}
	if !bypass {
		return nil
	}
	stmts := []string{
		`DO $$ BEGIN
			IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '` + appRole + `') THEN
				CREATE ROLE ` + appRole + ` NOLOGIN NOSUPERUSER NOBYPASSRLS;
			END IF;
		END $$`,
		`DO $$ BEGIN
			EXECUTE format('GRANT USAGE ON SCHEMA %I TO ` + appRole + `', current_schema());
			EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA %I TO ` + appRole + `', current_schema());
		END $$`,
		"REVOKE ALL ON schema_migrations FROM " + appRole,
		"REVOKE UPDATE, DELETE, TRUNCATE ON audit_events FROM " + appRole,
		// Retention's tombstones (migration 0014): these columns only, and
		// the append-only trigger admits only blanking them.
		"GRANT UPDATE (ip_address, user_agent, details, redacted) ON audit_events TO " + appRole,
	}
	for _, q := range stmts {
		if _, err := conn.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("set up role %s (the connecting role bypasses row-level security, so the server needs it): %w", appRole, err)
		}
	}
	s.d.setRole = true
	return nil
}

// PrepareRole decides, without migrating, whether transactions must switch to
// the application role; Migrate does the same as part of its work.
func (s *Store) PrepareRole(ctx context.Context) error {
	if s.d.name != "postgres" {
		return nil
	}
	var bypass bool
	if err := s.w.QueryRowContext(ctx,
		"SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user").Scan(&bypass); err != nil {
		return fmt.Errorf("inspect database role: %w", err)
	}
	s.d.setRole = bypass
	return nil
}
