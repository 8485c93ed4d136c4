package privacy

import (
	"context"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/store"
)

// TestReminders moves the clock: the 7-day reminder is written once when
// a request comes within 7 days of its due date, the 1-day one once
// within a day, none for a completed request; past due the request counts
// as overdue for the metric.
func TestReminders(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, d)
			clock := &movableClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
			rs := &Requests{Store: f.st, Now: clock.now}
			rem := &Reminders{Store: f.st, Now: clock.now}
			open, err := rs.Create(ctx, f.tenant, NewRequest{Type: "rectification", Subject: Subject{UserID: "u1"}})
			if err != nil {
				t.Fatal(err)
			}
			reminders := func() []*audit.Event {
				t.Helper()
				var out []*audit.Event
				if err := f.st.ReadTenant(ctx, f.tenant, func(tx *store.Tx) (err error) {
					out, err = tx.SearchAudit(ctx, audit.Filter{Type: string(audit.PrivacyRequestDueSoon), Limit: 100})
					return err
				}); err != nil {
					t.Fatal(err)
				}
				return out
			}
			run := func(wantSent int, wantOverdue int64) {
				t.Helper()
				for i := 0; i < 2; i++ { // the second run finds nothing more
					sent, overdue, err := rem.Run(ctx)
					if err != nil || (i == 0 && sent != wantSent) || (i == 1 && sent != 0) || overdue != wantOverdue || rem.Overdue(ctx) != wantOverdue {
						t.Fatalf("run %d: sent %d overdue %d %v; want %d, %d", i, sent, overdue, err, wantSent, wantOverdue)
					}
				}
			}
			run(0, 0)
			clock.add(22*24*time.Hour + time.Hour) // 7 days 23 hours left
			run(0, 0)
			clock.add(24 * time.Hour) // under 7 days
			run(1, 0)
			if got := reminders(); len(got) != 1 || got[0].Details["days_left"].(float64) != 7 || got[0].Details["request_id"] != open.ID {
				t.Fatalf("7-day reminder: %+v", got)
			}
			clock.add(6 * 24 * time.Hour) // under a day
			run(1, 0)
			if got := reminders(); len(got) != 2 || got[0].Details["days_left"].(float64) != 1 {
				t.Fatalf("1-day reminder: %+v", got)
			}
			clock.add(24 * time.Hour)
			run(0, 1)
			if got, _ := rs.Get(ctx, f.tenant, open.ID); got.Status != StatusOverdue {
				t.Fatalf("status %s", got.Status)
			}
			// Another replica, which never ran the job, counts the same.
			if n := (&Reminders{Store: f.st, Now: clock.now}).Overdue(ctx); n != 1 {
				t.Fatalf("overdue on another replica: %d", n)
			}
		})
	}
}
