package privacy

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

// BenchmarkExportZip measures an access export of a user with 10,000
// audit events, sealed under their key, on SQLite: the bundle read (events
// opened) and written as a zip of JSON and CSV. The issue asks for under
// 5 s.
func BenchmarkExportZip(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, "sqlite")
	f.st.SealSubjects(vault.SubjectFields{Vault: f.vault})
	now := time.Now().UTC()
	u := &identity.User{ID: uuid.NewString(), TenantID: f.tenant, Email: "bench@acme.io", Role: identity.RoleMember, Status: "active", CreatedAt: now, UpdatedAt: now}
	if err := f.st.InTenant(ctx, f.tenant, func(tx *store.Tx) error { return tx.CreateUser(ctx, u) }); err != nil {
		b.Fatal(err)
	}
	const events = 10_000
	for done := 0; done < events; done += 500 {
		if err := f.st.InTenant(ctx, f.tenant, func(tx *store.Tx) error {
			for i := 0; i < 500; i++ {
				if err := tx.AppendAudit(ctx, &audit.Event{Type: audit.LoginSuccess, UserID: u.ID, IP: "203.0.113.7", UserAgent: "Mozilla/5.0 (X11; Linux x86_64)",
					Success: true, Details: map[string]any{"method": "password"}}); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			b.Fatal(err)
		}
	}
	rs := &Requests{Store: f.st, Vault: f.vault}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		req, err := rs.Create(ctx, f.tenant, NewRequest{Type: "access", Subject: Subject{UserID: u.ID}})
		if err != nil {
			b.Fatal(err)
		}
		link, err := rs.CreateExportLink(ctx, f.tenant, req.ID)
		if err != nil {
			b.Fatal(err)
		}
		bundle, err := rs.RedeemExport(ctx, link.Path[len("/v1/privacy/exports/"):])
		if err != nil {
			b.Fatal(err)
		}
		if len(bundle.AuditEvents) < events || bundle.AuditEvents[0].UserAgent == "" {
			b.Fatalf("events %d", len(bundle.AuditEvents))
		}
		if err := WriteZip(io.Discard, bundle); err != nil {
			b.Fatal(err)
		}
	}
}
