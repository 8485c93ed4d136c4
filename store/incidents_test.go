package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/rampart-dev/rampart"
)

func TestIncidents(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		a, b := newTenant(t, s, "acme"), newTenant(t, s, "beta")
		now := time.Now().UTC().Truncate(time.Microsecond)
		hit := IncidentHit{Rule: "credential_stuffing", Severity: "high", DedupKey: "credential_stuffing:ip=203.0.113.9", Summary: "many accounts",
			IP: "203.0.113.9", First: now, Last: now, Count: 20}
		var first *Incident
		// One incident for the key however many hits join it.
		for i := range 50 {
			h := hit
			h.Count, h.EventIDs = 1, []string{fmt.Sprintf("e%d", i)}
			if i == 0 {
				h.Count = 20
			}
			h.Last = now.Add(time.Duration(i) * time.Second)
			err := s.InTenant(ctx, a.ID, func(tx *Tx) error {
				in, opened, err := tx.RecordIncident(ctx, h, now)
				if opened != (i == 0) {
					t.Errorf("hit %d opened=%v", i, opened)
				}
				if i == 0 {
					first = in
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
		}
		var list []*Incident
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) { list, err = tx.Incidents(ctx, IncidentFilter{}); return err })
		if len(list) != 1 || list[0].EventCount != 69 || len(list[0].EventIDs) != MaxIncidentEvents || !list[0].LastSeen.Equal(now.Add(49*time.Second)) ||
			list[0].ID != first.ID || len(list[0].Timeline) != 1 || list[0].Timeline[0].Kind != "opened" {
			t.Fatalf("incidents %+v", list)
		}
		// Another tenant sees none of it.
		s.ReadTenant(ctx, b.ID, func(tx *Tx) (err error) { list, err = tx.Incidents(ctx, IncidentFilter{}); return err })
		if len(list) != 0 {
			t.Fatalf("tenant b sees %v", list)
		}
		err := s.ReadTenant(ctx, b.ID, func(tx *Tx) error { _, err := tx.IncidentByID(ctx, first.ID); return err })
		if rampart.ErrorCode(err) != rampart.ENotFound {
			t.Fatalf("tenant b reads a's incident: %v", err)
		}
		// Resolved, the key opens a new incident.
		err = s.InTenant(ctx, a.ID, func(tx *Tx) error {
			in, err := tx.IncidentByID(ctx, first.ID)
			if err != nil {
				return err
			}
			in.Status = IncidentResolved
			in.Timeline = append(in.Timeline, TimelineEntry{At: now, Kind: "status", Status: IncidentResolved, Note: "blocked", Actor: "u1"})
			if err := tx.UpdateIncident(ctx, in, now); err != nil {
				return err
			}
			_, opened, err := tx.RecordIncident(ctx, hit, now)
			if !opened {
				t.Error("a resolved incident took a new hit")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			f    IncidentFilter
			want int
		}{{IncidentFilter{}, 2}, {IncidentFilter{Status: "open"}, 1}, {IncidentFilter{Status: "resolved"}, 1},
			{IncidentFilter{Severity: "high"}, 2}, {IncidentFilter{Severity: "low"}, 0}, {IncidentFilter{Limit: 1}, 1}} {
			s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) { list, err = tx.Incidents(ctx, c.f); return err })
			if len(list) != c.want {
				t.Errorf("%+v: %d incidents, want %d", c.f, len(list), c.want)
			}
		}
		s.ReadTenant(ctx, a.ID, func(tx *Tx) (err error) {
			list, err = tx.Incidents(ctx, IncidentFilter{Status: "resolved"})
			return err
		})
		if len(list) != 1 || list[0].Timeline[1].Note != "blocked" {
			t.Fatalf("resolved: %+v", list)
		}
		// At most one notice per channel per key per interval.
		for i, c := range []struct {
			channel string
			at      time.Duration
			want    bool
		}{{"email", 0, true}, {"email", time.Minute, false}, {"webhook", time.Minute, true}, {"email", 4 * time.Minute, false}, {"email", 6 * time.Minute, true}, {"email", 7 * time.Minute, false}} {
			s.InTenant(ctx, a.ID, func(tx *Tx) error {
				ok, err := tx.TakeNotice(ctx, hit.DedupKey, c.channel, 5*time.Minute, now.Add(c.at))
				if err != nil || ok != c.want {
					t.Errorf("notice %d: %v %v, want %v", i, ok, err, c.want)
				}
				return err
			})
		}
	})
}
