package vault

import (
	"context"
	"strings"
	"testing"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/store"
)

// TestAuditSealing: an event about a user is stored sealed (no address,
// user agent or detail in clear), reads open it, the chain verifies; after
// Shred it reads as erased, still verifies, and a later event about the
// erased user keeps nothing personal. Events without a user stay as they
// were.
func TestAuditSealing(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, d)
			v := New(f.st, f.master, Options{Now: f.clock.now})
			f.st.SealSubjects(SubjectFields{Vault: v})
			user := uuid.NewString()
			appendEvent := func(e *audit.Event) {
				t.Helper()
				if err := f.st.InTenant(ctx, f.a, func(tx *store.Tx) error { return tx.AppendAudit(ctx, e) }); err != nil {
					t.Fatal(err)
				}
			}
			// The first event makes the subject's key inside the transaction.
			appendEvent(&audit.Event{Type: audit.LoginSuccess, UserID: user, IP: "203.0.113.50", UserAgent: "UA-c4n4ry", Success: true,
				Details: map[string]any{"name": "KeyName-c4n4ry"}})
			appendEvent(&audit.Event{Type: audit.LoginFailure, IP: "203.0.113.51", UserAgent: "anon-agent", Details: map[string]any{"reason": "unknown"}})
			appendEvent(&audit.Event{Type: audit.Logout, UserID: user, IP: "203.0.113.50", UserAgent: "UA-c4n4ry", Success: true})
			var raw []*audit.Event
			read := func() []*audit.Event {
				var out []*audit.Event
				if err := f.st.ReadTenant(ctx, f.a, func(tx *store.Tx) (err error) {
					out, err = tx.AuditEvents(ctx, 0, 100)
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return out
			}
			f.st.SealSubjects(nil)
			raw = read()
			f.st.SealSubjects(SubjectFields{Vault: v})
			for _, e := range []*audit.Event{raw[0], raw[2]} {
				if e.IP != "" || e.UserAgent != "" || !strings.HasPrefix(e.Details["$sealed"].(string), "rc1:") {
					t.Fatalf("stored in clear: %+v", e)
				}
			}
			if raw[1].IP != "203.0.113.51" || raw[1].Details["reason"] != "unknown" {
				t.Fatalf("an event without a user changed: %+v", raw[1])
			}
			got := read()
			if got[0].IP != "203.0.113.50" || got[0].UserAgent != "UA-c4n4ry" || got[0].Details["name"] != "KeyName-c4n4ry" || got[0].Erased {
				t.Fatalf("opened: %+v", got[0])
			}
			verify := func() {
				t.Helper()
				var brk *audit.Break
				if err := f.st.ReadTenant(ctx, f.a, func(tx *store.Tx) (err error) {
					brk, err = tx.VerifyAudit(ctx)
					return err
				}); err != nil || brk != nil {
					t.Fatalf("verify: %v %v", brk, err)
				}
			}
			verify()
			if _, err := v.Shred(ctx, f.a, user); err != nil {
				t.Fatal(err)
			}
			// Another replica (a fresh vault) and this one both read tombstones.
			for _, vv := range []*Vault{v, New(f.st, f.master, Options{Now: f.clock.now})} {
				f.st.SealSubjects(SubjectFields{Vault: vv})
				got = read()
				if !got[0].Erased || got[0].IP != "" || got[0].UserAgent != "" || len(got[0].Details) != 0 || got[1].Erased {
					t.Fatalf("after shred: %+v", got[0])
				}
			}
			appendEvent(&audit.Event{Type: audit.UserDeleted, UserID: user, IP: "203.0.113.50", UserAgent: "UA-c4n4ry", Details: map[string]any{"x": "y"}})
			f.st.SealSubjects(nil)
			raw = read()
			if last := raw[len(raw)-1]; last.IP != "" || last.UserAgent != "" || len(last.Details) != 0 || !last.Erased {
				t.Fatalf("event about an erased user: %+v", last)
			}
			verify()
		})
	}
}

// BenchmarkAppendAudit measures one event appended in its own transaction
// on SQLite, as a login writes it: "plain" without sealing, "sealed" under
// the subject's cached key (one of 100 users).
func BenchmarkAppendAudit(b *testing.B) {
	for _, sealed := range []bool{false, true} {
		name := "plain"
		if sealed {
			name = "sealed"
		}
		b.Run(name, func(b *testing.B) {
			ctx := context.Background()
			f := newFixture(b, "sqlite")
			if sealed {
				f.st.SealSubjects(SubjectFields{Vault: New(f.st, f.master, Options{})})
			}
			users := make([]string, 100)
			for i := range users {
				users[i] = uuid.NewString()
			}
			b.ReportAllocs()
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				e := &audit.Event{Type: audit.LoginSuccess, UserID: users[i%len(users)], IP: "203.0.113.50", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
					Success: true, Details: map[string]any{"method": "password", "session_id": "0190a6a0-0000-7000-8000-000000000000"}}
				if err := f.st.InTenant(ctx, f.a, func(tx *store.Tx) error { return tx.AppendAudit(ctx, e) }); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
