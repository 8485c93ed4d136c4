// Package storetest opens real, migrated stores for the tests of packages
// above the store (the store's own tests open theirs in package store).
package storetest

import (
	"context"
	"testing"

	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/store"
)

// Open returns a fresh, migrated store of the dialect ("sqlite" or
// "postgres"), closed when the test ends.
func Open(t testing.TB, dialect string) *store.Store {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, testdb.URL(t, dialect), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return st
}
