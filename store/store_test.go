package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/testdb"
)

// eachDialect runs the test body against a fresh, migrated SQLite and
// PostgreSQL store: the one store test suite.
func eachDialect(t *testing.T, fn func(t *testing.T, s *Store)) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, openMigrated(t, d)) })
	}
}

// openMigrated opens a fresh, migrated store of the dialect, closed when the
// test ends.
func openMigrated(t testing.TB, dialect string) *Store {
	t.Helper()
	ctx := context.Background()
	s, err := Open(ctx, testdb.URL(t, dialect), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if _, err := s.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	return s
}

func newTenant(t testing.TB, s *Store, slug string) *identity.Tenant {
	t.Helper()
	now := time.Now()
	tn := &identity.Tenant{ID: uuid.NewString(), Slug: slug, Name: "Tenant " + slug, Status: identity.TenantActive, CreatedAt: now, UpdatedAt: now}
	if err := s.AsOperator(context.Background(), func(tx *Tx) error { return tx.CreateTenant(context.Background(), tn) }); err != nil {
		t.Fatal(err)
	}
	return tn
}

func newUser(tenantID, email string) *identity.User {
	now := time.Now()
	return &identity.User{ID: uuid.NewString(), TenantID: tenantID, Email: email, EmailKey: identity.NormalizeEmail(email),
		PasswordHash: "$argon2id$v=19$m=8,t=1,p=1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA", Role: identity.RoleMember,
		Permissions: []string{"conversations:delete:c-42"}, Status: identity.UserActive, CreatedAt: now, UpdatedAt: now}
}

func TestMigrateIsIdempotent(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		applied, err := s.Migrate(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if len(applied) != 0 {
			t.Fatalf("second migrate applied %v", applied)
		}
	})
}

func TestTenants(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := newTenant(t, s, "acme")
		newTenant(t, s, "beta")
		dup := &identity.Tenant{ID: uuid.NewString(), Slug: "acme", Name: "Other", Status: identity.TenantActive, CreatedAt: time.Now(), UpdatedAt: time.Now()}
		err := s.AsOperator(ctx, func(tx *Tx) error { return tx.CreateTenant(ctx, dup) })
		if rampart.ErrorCode(err) != rampart.EConflict {
			t.Fatalf("duplicate slug: got %v, want conflict", err)
		}
		var list []*identity.Tenant
		if err := s.AsOperator(ctx, func(tx *Tx) (err error) { list, err = tx.ListTenants(ctx, "", 10); return }); err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].Slug != "acme" || list[1].Slug != "beta" {
			t.Fatalf("list = %+v", list)
		}
		if !list[0].CreatedAt.Equal(a.CreatedAt.UTC().Truncate(time.Microsecond)) {
			t.Fatalf("created_at round trip: %v != %v", list[0].CreatedAt, a.CreatedAt)
		}
		var page []*identity.Tenant
		s.AsOperator(ctx, func(tx *Tx) (err error) { page, err = tx.ListTenants(ctx, "acme", 10); return })
		if len(page) != 1 || page[0].Slug != "beta" {
			t.Fatalf("page after acme = %+v", page)
		}
		var got *identity.Tenant
		if err := s.AsOperator(ctx, func(tx *Tx) (err error) { got, err = tx.SetTenantStatus(ctx, a.ID, identity.TenantDisabled); return }); err != nil {
			t.Fatal(err)
		}
		if got.Status != identity.TenantDisabled {
			t.Fatalf("status = %s", got.Status)
		}
		err = s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) { got, err = tx.Tenant(ctx, a.ID); return })
		if err != nil || got.Status != identity.TenantDisabled {
			t.Fatalf("read back: %v %+v", err, got)
		}
		err = s.AsOperator(ctx, func(tx *Tx) (err error) { _, err = tx.Tenant(ctx, "not-a-uuid"); return })
		if rampart.ErrorCode(err) != rampart.ENotFound {
			t.Fatalf("bad id: %v", err)
		}
	})
}

func TestUsersUniquePerTenantCaseInsensitive(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a, b := newTenant(t, s, "acme"), newTenant(t, s, "beta")
		u := newUser(a.ID, "Alice@Example.com")
		if err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
			t.Fatal(err)
		}
		err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.CreateUser(ctx, newUser(a.ID, "alice@EXAMPLE.com")) })
		if rampart.ErrorCode(err) != rampart.EConflict {
			t.Fatalf("same email other case: %v, want conflict", err)
		}
		if err := s.InTenant(ctx, b.ID, func(tx *Tx) error { return tx.CreateUser(ctx, newUser(b.ID, "alice@example.com")) }); err != nil {
			t.Fatalf("same email in another tenant: %v", err)
		}
		var got *identity.User
		if err := s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) { got, err = tx.UserByEmail(ctx, "ALICE@example.COM"); return }); err != nil {
			t.Fatal(err)
		}
		if got.ID != u.ID || got.Email != "Alice@Example.com" || got.Role != identity.RoleMember || len(got.Permissions) != 1 || got.Permissions[0] != "conversations:delete:c-42" {
			t.Fatalf("got %+v", got)
		}
		// Another tenant's scope does not see the user, even by id.
		err = s.ReadTenant(ctx, b.ID, func(tx *Tx) (err error) { _, err = tx.UserByID(ctx, u.ID); return })
		if rampart.ErrorCode(err) != rampart.ENotFound {
			t.Fatalf("cross-tenant read: %v", err)
		}
		got.Role = identity.RoleAdmin
		got.Permissions = nil
		if err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.UpdateUser(ctx, got) }); err != nil {
			t.Fatal(err)
		}
		var users []*identity.User
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) { users, err = tx.ListUsers(ctx, "", 10); return })
		if len(users) != 1 || users[0].Role != identity.RoleAdmin || len(users[0].Permissions) != 0 {
			t.Fatalf("users = %+v", users)
		}
	})
}

func TestTransactionRollsBackWhole(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := newTenant(t, s, "acme")
		boom := errors.New("boom")
		err := s.InTenant(ctx, a.ID, func(tx *Tx) error {
			if err := tx.CreateUser(ctx, newUser(a.ID, "bob@example.com")); err != nil {
				return err
			}
			if err := tx.AppendAudit(ctx, &audit.Event{Type: audit.UserCreated, Success: true}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatal(err)
		}
		var users []*identity.User
		var events []*audit.Event
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) {
			users, _ = tx.ListUsers(ctx, "", 10)
			events, err = tx.AuditEvents(ctx, 0, 10)
			return
		})
		if len(users) != 0 || len(events) != 0 {
			t.Fatalf("half-written: %d users, %d events", len(users), len(events))
		}
	})
}

func TestAuditChain(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a, b := newTenant(t, s, "acme"), newTenant(t, s, "beta")
		for i := 0; i < 5; i++ {
			for _, tn := range []*identity.Tenant{a, b} {
				err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
					return tx.AppendAudit(ctx, &audit.Event{Type: audit.LoginFailure, IP: "203.0.113.9", Details: map[string]any{
						"attempt": i, "password": "hunter2", "nested": map[string]any{"refresh_token": "x", "ok": true}}})
				})
				if err != nil {
					t.Fatal(err)
				}
			}
		}
		var events []*audit.Event
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) { events, err = tx.AuditEvents(ctx, 2, 100); return })
		if len(events) != 3 || events[0].Seq != 3 || events[0].TenantID != a.ID {
			t.Fatalf("read from position 2: %d events, first %+v", len(events), events[0])
		}
		if _, ok := events[0].Details["password"]; ok {
			t.Fatal("password kept in audit details")
		}
		if nested := events[0].Details["nested"].(map[string]any); nested["refresh_token"] != nil || nested["ok"] != true {
			t.Fatalf("nested details = %v", nested)
		}
		if events[1].PrevHash != events[0].Hash {
			t.Fatal("chain not linked")
		}
		for _, tn := range []*identity.Tenant{a, b} {
			var brk *audit.Break
			if err := s.ReadTenant(ctx, tn.ID, func(tx *Tx) (err error) { brk, err = tx.VerifyAudit(ctx); return }); err != nil {
				t.Fatal(err)
			}
			if brk != nil {
				t.Fatalf("intact chain reported broken: %s", brk)
			}
		}
		// The log refuses updates and deletes.
		err := s.InTenant(ctx, a.ID, func(tx *Tx) error {
			_, err := tx.exec(ctx, "UPDATE audit_events SET success = ? WHERE tenant_id = ?", false, a.ID)
			return err
		})
		if err == nil {
			t.Fatal("audit_events accepted an UPDATE")
		}
		err = s.InTenant(ctx, a.ID, func(tx *Tx) error {
			_, err := tx.exec(ctx, "DELETE FROM audit_events WHERE tenant_id = ?", a.ID)
			return err
		})
		if err == nil {
			t.Fatal("audit_events accepted a DELETE")
		}
	})
}

func TestAuditConcurrentAppendsStayLinear(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := newTenant(t, s, "acme")
		var wg sync.WaitGroup
		errs := make(chan error, 40)
		for i := 0; i < 40; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				errs <- s.InTenant(ctx, a.ID, func(tx *Tx) error {
					return tx.AppendAudit(ctx, &audit.Event{Type: audit.DataAccess, Success: true, Details: map[string]any{"i": i}})
				})
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		var brk *audit.Break
		var events []*audit.Event
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) {
			events, _ = tx.AuditEvents(ctx, 0, 100)
			brk, err = tx.VerifyAudit(ctx)
			return
		})
		if len(events) != 40 || brk != nil {
			t.Fatalf("%d events, break %v", len(events), brk)
		}
	})
}

func TestScopeIsRequired(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		err := s.AsOperator(ctx, func(tx *Tx) error { _, err := tx.ListUsers(ctx, "", 10); return err })
		if !errors.Is(err, errNoTenant) {
			t.Fatalf("tenant query in operator scope: %v", err)
		}
		if err := s.ReadTenant(ctx, "", func(*Tx) error { return nil }); !errors.Is(err, errNoTenant) {
			t.Fatalf("empty tenant: %v", err)
		}
	})
}

// TestPostgresRowLevelSecurity proves that isolation holds below the store's
// own filters: raw queries with no tenant filter see only the scoped tenant,
// and with no tenant set see nothing at all.
func TestPostgresRowLevelSecurity(t *testing.T) {
	ctx := context.Background()
	s := openMigrated(t, "postgres")
	a, b := newTenant(t, s, "acme"), newTenant(t, s, "beta")
	now := time.Now()
	for _, tn := range []*identity.Tenant{a, b} {
		if err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
			u := newUser(tn.ID, "x@example.com")
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			// One row in every tenant table.
			sess := &identity.Session{ID: uuid.NewString(), TenantID: tn.ID, UserID: u.ID, CreatedAt: now, LastActivity: now, ExpiresAt: now.Add(time.Hour), Active: true}
			if _, err := tx.CreateSession(ctx, sess, 5); err != nil {
				return err
			}
			if err := tx.InsertRefreshToken(ctx, &identity.RefreshToken{Hash: uuid.NewString(), SessionID: sess.ID, CreatedAt: now, ExpiresAt: now.Add(time.Hour)}); err != nil {
				return err
			}
			if err := tx.PutTOTP(ctx, u.ID, []byte("sealed"), now); err != nil {
				return err
			}
			if err := tx.ReplaceBackupCodes(ctx, u.ID, []string{"h1"}, now); err != nil {
				return err
			}
			if err := tx.InsertChallenge(ctx, &Challenge{Hash: uuid.NewString(), UserID: u.ID, AMR: "[]", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
				return err
			}
			if err := tx.CreateRole(ctx, authz.Role{Name: "custom", Level: 1, Permissions: []string{"a:b"}}, u.ID, now); err != nil {
				return err
			}
			if err := tx.CreateAPIKey(ctx, &identity.APIKey{ID: "k" + tn.Slug, Name: "k", Hash: "h", CreatedBy: u.ID, CreatedAt: now}); err != nil {
				return err
			}
			return tx.AppendAudit(ctx, &audit.Event{Type: audit.UserCreated, Success: true})
		}); err != nil {
			t.Fatal(err)
		}
	}
	count := func(tx *Tx, table string) int {
		var n int
		// Deliberately no tenant filter: this is the handler with a bug.
		if err := tx.tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
			t.Fatalf("count %s: %v", table, err)
		}
		return n
	}
	tables := []string{"tenants", "users", "audit_events", "audit_heads", "sessions", "refresh_tokens",
		"mfa_totp", "mfa_backup_codes", "mfa_challenges", "roles", "api_keys"}
	for _, table := range tables {
		s.ReadTenant(ctx, a.ID, func(tx *Tx) error {
			if n := count(tx, table); n != 1 {
				t.Errorf("%s under tenant a: %d rows, want 1", table, n)
			}
			return nil
		})
		// A transaction with the role applied but no tenant set sees nothing.
		s.run(ctx, s.r, true, "", false, func(tx *Tx) error {
			if n := count(tx, table); n != 0 {
				t.Errorf("%s with no tenant set: %d rows, want 0", table, n)
			}
			return nil
		})
	}
	// Writing a row for another tenant is refused by the policy's WITH CHECK.
	err := s.InTenant(ctx, a.ID, func(tx *Tx) error {
		u := newUser(b.ID, "intruder@example.com")
		_, err := tx.tx.ExecContext(ctx, "INSERT INTO users (id, tenant_id, email, email_key, password_hash, role, permissions, status, created_at, updated_at) VALUES ($1,$2,$3,$4,$5,$6,'[]',$7,now(),now())",
			u.ID, b.ID, u.Email, u.EmailKey, u.PasswordHash, string(u.Role), u.Status)
		return err
	})
	if err == nil {
		t.Fatal("insert into another tenant was accepted")
	}
	// The operator scope sees every tenant but still no users.
	s.AsOperator(ctx, func(tx *Tx) error {
		if n := count(tx, "tenants"); n != 2 {
			t.Errorf("operator sees %d tenants, want 2", n)
		}
		if n := count(tx, "users"); n != 0 {
			t.Errorf("operator sees %d users, want 0", n)
		}
		return nil
	})
}

// TestCounterHitIsAtomic is the race test of the increment-and-decide
// primitive: 100 parallel hits on one key see 100 distinct counts.
func TestCounterHitIsAtomic(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now()
		var wg sync.WaitGroup
		var mu sync.Mutex
		seen := map[int64]bool{}
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c, err := s.Hit(ctx, "k", now, time.Minute, false)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				seen[c.N] = true
				mu.Unlock()
			}()
		}
		wg.Wait()
		for n := int64(1); n <= 100; n++ {
			if !seen[n] {
				t.Fatalf("count %d never returned: %d distinct counts", n, len(seen))
			}
		}
		// A block holds past the window; after both end the count restarts.
		if err := s.Block(ctx, "k", now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		c, _ := s.Hit(ctx, "k", now.Add(90*time.Second), time.Minute, false)
		if c.N != 101 || !c.BlockedUntil.Equal(now.Add(2*time.Minute).UTC().Truncate(time.Microsecond)) {
			t.Fatalf("during block: %+v", c)
		}
		c, _ = s.Hit(ctx, "k", now.Add(3*time.Minute), time.Minute, false)
		if c.N != 1 || !c.BlockedUntil.IsZero() {
			t.Fatalf("after block: %+v", c)
		}
		if n, err := s.PurgeCounters(ctx, now.Add(time.Hour)); err != nil || n != 1 {
			t.Fatalf("purge: %d %v", n, err)
		}
	})
}

// TestCounterWindows: a fixed window restarts on schedule; a sliding one only
// after a quiet window, so a burst across a window boundary still counts.
func TestCounterWindows(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now()
		for _, tc := range []struct {
			sliding bool
			want    []int64
		}{{false, []int64{1, 2, 1}}, {true, []int64{1, 2, 3}}} {
			key := fmt.Sprintf("w-%v", tc.sliding)
			for i, at := range []time.Duration{0, 50 * time.Second, 100 * time.Second} {
				c, err := s.Hit(ctx, key, now.Add(at), time.Minute, tc.sliding)
				if err != nil {
					t.Fatal(err)
				}
				if c.N != tc.want[i] {
					t.Fatalf("sliding=%v hit %d: count %d, want %d", tc.sliding, i, c.N, tc.want[i])
				}
			}
		}
	})
}

// TestPostgresEveryTenantTableHasRLS guards future migrations: every table
// with a tenant_id column has row-level security enabled and forced, with a
// policy.
func TestPostgresEveryTenantTableHasRLS(t *testing.T) {
	ctx := context.Background()
	s := openMigrated(t, "postgres")
	rows, err := s.w.QueryContext(ctx, `SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity,
		(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid)
		FROM pg_class c JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'tenant_id'
		WHERE c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	n := 0
	for rows.Next() {
		var name string
		var enabled, forced bool
		var policies int
		if err := rows.Scan(&name, &enabled, &forced, &policies); err != nil {
			t.Fatal(err)
		}
		n++
		if !enabled || !forced || policies == 0 {
			t.Errorf("table %s: rls=%v forced=%v policies=%d", name, enabled, forced, policies)
		}
	}
	if n < 10 {
		t.Fatalf("only %d tenant tables found", n)
	}
}

func TestPurgeExpired(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a := newTenant(t, s, "acme")
		u := newUser(a.ID, "x@example.com")
		old := time.Now().Add(-60 * 24 * time.Hour)
		now := time.Now()
		err := s.InTenant(ctx, a.ID, func(tx *Tx) error {
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			for i, start := range []time.Time{old, now} {
				sess := &identity.Session{ID: uuid.NewString(), TenantID: a.ID, UserID: u.ID, CreatedAt: start, LastActivity: start, ExpiresAt: start.Add(time.Hour), Active: true}
				if _, err := tx.CreateSession(ctx, sess, 5); err != nil {
					return err
				}
				if err := tx.InsertRefreshToken(ctx, &identity.RefreshToken{Hash: fmt.Sprint("h", i), SessionID: sess.ID, CreatedAt: start, ExpiresAt: start.Add(time.Hour)}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var n int64
		if err := s.InTenant(ctx, a.ID, func(tx *Tx) (err error) { n, err = tx.PurgeExpired(ctx, now); return }); err != nil {
			t.Fatal(err)
		}
		var live []*identity.Session
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) { live, err = tx.ActiveSessions(ctx, u.ID); return })
		if n != 2 || len(live) != 1 {
			t.Fatalf("purged %d rows, %d sessions left", n, len(live))
		}
	})
}

// TestChallengeAttemptsAreAtomic: 100 parallel attempts on one challenge get
// exactly the five it allows, and a used or expired challenge gives none.
func TestChallengeAttemptsAreAtomic(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "attempts")
		u := newUser(tn.ID, "a@attempts.io")
		now := time.Now()
		hash, used, expired := uuid.NewString(), uuid.NewString(), uuid.NewString()
		err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
			if err := tx.CreateUser(ctx, u); err != nil {
				return err
			}
			for _, h := range []string{hash, used} {
				if err := tx.InsertChallenge(ctx, &Challenge{Hash: h, UserID: u.ID, AMR: "[]", CreatedAt: now, ExpiresAt: now.Add(time.Minute)}); err != nil {
					return err
				}
			}
			if err := tx.InsertChallenge(ctx, &Challenge{Hash: expired, UserID: u.ID, AMR: "[]", CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}); err != nil {
				return err
			}
			_, err := tx.UseChallenge(ctx, used, now)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		granted := countParallel(t, 100, func(int) (ok bool, err error) {
			err = s.InTenant(ctx, tn.ID, func(tx *Tx) (err error) {
				ok, err = tx.AttemptChallenge(ctx, hash, now, 5)
				return err
			})
			return ok, err
		})
		if granted != 5 {
			t.Fatalf("%d attempts granted, want 5", granted)
		}
		for _, h := range []string{used, expired} {
			err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
				ok, err := tx.AttemptChallenge(ctx, h, now, 5)
				if ok {
					return fmt.Errorf("attempt granted on a used or expired challenge")
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

// countParallel runs fn n times at once and counts the calls that said yes.
func countParallel(t *testing.T, n int, fn func(i int) (bool, error)) int {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	yes := 0
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ok, err := fn(i)
			if err != nil {
				t.Error(err)
			}
			if ok {
				mu.Lock()
				yes++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return yes
}
