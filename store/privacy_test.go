package store

import (
	"context"
	"testing"
	"time"

	"github.com/rampart-dev/rampart"
)

func TestPrivacyRecords(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a, b := newTenant(t, s, "acme"), newTenant(t, s, "beta")
		at := time.Now().UTC()
		// Records of the same instant are ordered by their UUIDv7 ids.
		err := s.InTenant(ctx, a.ID, func(tx *Tx) error {
			for _, g := range []bool{true, false, true, false} {
				if err := tx.AddConsent(ctx, &Consent{SubjectIndex: "h1", Purpose: "marketing", Granted: g, PolicyVersion: "1", Method: "api", CreatedAt: at}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var latest *Consent
		var list []*Consent
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) {
			if latest, err = tx.LatestConsent(ctx, "h1", "marketing"); err != nil {
				return err
			}
			list, err = tx.Consents(ctx, "h1")
			return err
		})
		if latest == nil || latest.Granted || len(list) != 4 || !list[0].Granted {
			t.Fatalf("latest %+v, list %d", latest, len(list))
		}
		s.ReadTenant(ctx, b.ID, func(tx *Tx) (err error) { latest, err = tx.LatestConsent(ctx, "h1", "marketing"); return })
		if latest != nil {
			t.Fatal("another tenant's record")
		}

		sys := &PrivacySystem{Name: "crm", WebhookURL: "https://crm.acme.io/privacy", Categories: []string{"contact"}, CreatedAt: at}
		if err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.AddPrivacySystem(ctx, sys) }); err != nil {
			t.Fatal(err)
		}
		dup := &PrivacySystem{Name: "crm", WebhookURL: "https://x", CreatedAt: at}
		if err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.AddPrivacySystem(ctx, dup) }); rampart.ErrorCode(err) != rampart.EConflict {
			t.Fatalf("duplicate name: %v", err)
		}
		var systems []*PrivacySystem
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) { systems, err = tx.PrivacySystems(ctx); return })
		if len(systems) != 1 || systems[0].Categories[0] != "contact" {
			t.Fatalf("systems %+v", systems)
		}

		req := &PrivacyRequest{Type: "access", SubjectUserID: "u1", Status: "received", ReceivedAt: at, DueAt: at.Add(30 * 24 * time.Hour)}
		if err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.AddPrivacyRequest(ctx, req) }); err != nil {
			t.Fatal(err)
		}
		if err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.ExtendPrivacyRequest(ctx, req.ID, 60, "complex", at) }); err != nil {
			t.Fatal(err)
		}
		if err := s.InTenant(ctx, a.ID, func(tx *Tx) error { return tx.ExtendPrivacyRequest(ctx, req.ID, 10, "again", at) }); rampart.ErrorCode(err) != rampart.EConflict {
			t.Fatalf("second extension: %v", err)
		}
		var got *PrivacyRequest
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) { got, err = tx.PrivacyRequest(ctx, req.ID); return })
		if !got.DueAt.Equal(at.Add(90*24*time.Hour).Truncate(time.Microsecond)) || got.ExtensionReason != "complex" || got.ExtendedAt.IsZero() {
			t.Fatalf("extended %+v", got)
		}
		var overdue []*PrivacyRequest
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) {
			overdue, err = tx.PrivacyRequests(ctx, PrivacyRequestFilter{OpenDueBefore: at.Add(91 * 24 * time.Hour)})
			return
		})
		if len(overdue) != 1 {
			t.Fatalf("overdue %d", len(overdue))
		}
		if err := s.ReadTenant(ctx, b.ID, func(tx *Tx) (err error) { _, err = tx.PrivacyRequest(ctx, req.ID); return }); rampart.ErrorCode(err) != rampart.ENotFound {
			t.Fatalf("another tenant's request: %v", err)
		}
	})
}
