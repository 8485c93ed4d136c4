package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// This file holds every difference between the SQLite and PostgreSQL dialects.
// Queries elsewhere are written once, with ? placeholders.

// appRole is the PostgreSQL role the server's transactions run as when the
// connecting role would bypass row-level security (a superuser, or a role with
// BYPASSRLS). Under it, the tenant policies always apply.
const appRole = "rampart_app"

type dialect struct {
	name string // "sqlite" or "postgres"
	// setRole is true on PostgreSQL when the connection bypasses RLS, so each
	// transaction switches to appRole.
	setRole bool
}

var (
	sqliteDialect   = &dialect{name: "sqlite"}
	postgresDialect = &dialect{name: "postgres"}
)

// rebind turns ? placeholders into $1, $2, ... for PostgreSQL.
func (d *dialect) rebind(q string) string {
	if d.name != "postgres" {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 8)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

// sqliteTimeLayout is fixed-width so that text order is time order.
const sqliteTimeLayout = "2006-01-02T15:04:05.000000Z"

// timeArg converts t to the value stored for a time column.
func (d *dialect) timeArg(t time.Time) any {
	t = t.UTC().Truncate(time.Microsecond)
	if d.name == "sqlite" {
		return t.Format(sqliteTimeLayout)
	}
	return t
}

// scanTime reads a time column of either dialect.
type scanTime struct{ t *time.Time }

func (s scanTime) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		*s.t = v.UTC()
	case string:
		return s.parse(v)
	case []byte:
		return s.parse(string(v))
	default:
		return fmt.Errorf("store: cannot scan %T into time", src)
	}
	return nil
}

func (s scanTime) parse(v string) error {
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		return fmt.Errorf("store: bad time %q: %w", v, err)
	}
	*s.t = t.UTC()
	return nil
}

// scanNullTime reads a nullable time column; NULL leaves the zero time.
type scanNullTime struct{ t *time.Time }

func (s scanNullTime) Scan(src any) error {
	if src == nil {
		*s.t = time.Time{}
		return nil
	}
	return scanTime(s).Scan(src)
}

// nullTimeArg stores the zero time as NULL.
func (d *dialect) nullTimeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.timeArg(t)
}

// scanText reads a text or JSON column (jsonb may arrive as bytes).
type scanText struct{ s *string }

func (s scanText) Scan(src any) error {
	switch v := src.(type) {
	case string:
		*s.s = v
	case []byte:
		*s.s = string(v)
	case nil:
		*s.s = ""
	default:
		return fmt.Errorf("store: cannot scan %T into text", src)
	}
	return nil
}

// isUniqueViolation reports whether err is a unique-constraint violation.
func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		return pgErr.Code == "23505"
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		return sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || sqErr.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// beginScope applies the transaction's tenant scope. On PostgreSQL it sets
// rampart.tenant_id and rampart.operator for this transaction only
// (set_config(..., true) is SET LOCAL), and the role when needed; on SQLite,
// which has no row-level security, scoping is the tenant_id filter every
// query of Tx carries.
func (d *dialect) beginScope(ctx context.Context, tx *sql.Tx, tenantID string, operator bool) error {
	if d.name != "postgres" {
		return nil
	}
	op := "off"
	if operator {
		op = "on"
	}
	q := "SELECT set_config('rampart.tenant_id', $1, true), set_config('rampart.operator', $2, true)"
	if d.setRole {
		q += ", set_config('role', '" + appRole + "', true)"
	}
	_, err := tx.ExecContext(ctx, q, tenantID, op)
	return err
}

// sqliteDSN returns the DSN of the SQLite file at path: WAL, a busy timeout,
// foreign keys, and BEGIN IMMEDIATE for writers so that a write transaction
// never fails to upgrade its lock.
func sqliteDSN(path string, writer bool) string {
	dsn := "file:" + path + "?_pragma=busy_timeout(10000)&_pragma=foreign_keys(1)&_pragma=synchronous(NORMAL)"
	if writer {
		return dsn + "&_pragma=journal_mode(WAL)&_txlock=immediate"
	}
	return dsn + "&_pragma=query_only(1)"
}

// skipLocked ends a claiming subquery: on PostgreSQL concurrent claimers
// skip each other's rows instead of waiting; SQLite has one writer.
func (d *dialect) skipLocked() string {
	if d.name == "postgres" {
		return " FOR UPDATE SKIP LOCKED"
	}
	return ""
}
