// Package testdb gives tests real databases: a fresh SQLite file, or a fresh
// schema in the PostgreSQL named by RAMPART_TEST_DATABASE_URL. When CI=true a
// missing PostgreSQL fails the test instead of skipping it.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
	"github.com/redis/go-redis/v9"
)

// DefaultPostgresURL is the PostgreSQL of the development machine and CI.
const DefaultPostgresURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Dialects are the database URLs a suite runs against, by name. The SQLite
// one is "" (the data folder default); call URL for the concrete value.
var Dialects = []string{"sqlite", "postgres"}

// URL returns a database URL for a fresh database of the given dialect,
// removed when the test ends.
func URL(t testing.TB, dialect string) string {
	t.Helper()
	switch dialect {
	case "sqlite":
		return "sqlite:" + filepath.Join(t.TempDir(), "rampart.db")
	case "postgres":
		return postgresSchema(t)
	}
	t.Fatalf("unknown dialect %q", dialect)
	return ""
}

// postgresSchema creates a schema of its own for the test and returns a URL
// whose search_path selects it.
func postgresSchema(t testing.TB) string {
	t.Helper()
	base := os.Getenv("RAMPART_TEST_DATABASE_URL")
	if base == "" {
		base = DefaultPostgresURL
	}
	db, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = db.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("PostgreSQL is required in CI but unreachable at %s: %v", base, err)
		}
		t.Skipf("PostgreSQL unreachable (%v); set RAMPART_TEST_DATABASE_URL or start it", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	if _, err := db.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db.Exec("DROP SCHEMA " + schema + " CASCADE")
		db.Close()
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("parse %s: %v", base, err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// RedisURL returns the Redis URL for tests: RAMPART_TEST_REDIS_URL, by
// default redis://127.0.0.1:6379/15.
func RedisURL() string {
	if u := os.Getenv("RAMPART_TEST_REDIS_URL"); u != "" {
		return u
	}
	return "redis://127.0.0.1:6379/15"
}

// RequireRedis returns the test Redis URL after checking that it answers;
// it skips the test when Redis is unreachable, or fails it when CI=true.
func RequireRedis(t testing.TB) string {
	t.Helper()
	u := RedisURL()
	opts, err := redis.ParseURL(u)
	if err != nil {
		t.Fatalf("RAMPART_TEST_REDIS_URL: %v", err)
	}
	c := redis.NewClient(opts)
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
	defer cancel()
	if err := c.Ping(ctx).Err(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("Redis is required in CI but unreachable at %s: %v", u, err)
		}
		t.Skipf("Redis unreachable (%v); set RAMPART_TEST_REDIS_URL or start it", err)
	}
	return u
}
