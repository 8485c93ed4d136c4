package privacy

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/internal/testdb"
)

type movableClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *movableClock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *movableClock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestRequestDeadlines moves the clock: a request is due 30 days after it
// was received (45 under CCPA), shows as overdue past that in Get and in
// the overdue listing, is extended once only and never after its due date.
func TestRequestDeadlines(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, d)
			clock := &movableClock{t: time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)}
			rs := &Requests{Store: f.st, Now: clock.now}
			for _, bad := range []struct {
				in    NewRequest
				field string
			}{
				{NewRequest{Type: "delete", Subject: Subject{UserID: "u"}}, "type"},
				{NewRequest{Type: "access", Subject: Subject{UserID: "u"}, Jurisdiction: "mars"}, "jurisdiction"},
				{NewRequest{Type: "access"}, "subject"},
				{NewRequest{Type: "access", Subject: Subject{UserID: "u", Email: "a@b.io"}}, "subject"},
				{NewRequest{Type: "access", Subject: Subject{Email: "not an email"}}, "subject.email"},
			} {
				_, err := rs.Create(ctx, f.tenant, bad.in)
				var e *rampart.Error
				if rampart.ErrorCode(err) != rampart.EUnprocessable || !asError(err, &e) || e.Field != bad.field {
					t.Fatalf("%+v: %v, want 422 naming %s", bad.in, err, bad.field)
				}
			}
			gdpr, err := rs.Create(ctx, f.tenant, NewRequest{Type: "erasure", Subject: Subject{Email: "nobody@acme.io"}})
			if err != nil || gdpr.Status != StatusReceived || !gdpr.DueAt.Equal(clock.now().Add(30*24*time.Hour)) {
				t.Fatalf("create: %+v %v", gdpr, err)
			}
			ccpa, _ := rs.Create(ctx, f.tenant, NewRequest{Type: "access", Subject: Subject{UserID: "u1"}, Jurisdiction: "ccpa"})
			if !ccpa.DueAt.Equal(clock.now().Add(45 * 24 * time.Hour)) {
				t.Fatalf("ccpa due %v", ccpa.DueAt)
			}
			if _, err := rs.Extend(ctx, f.tenant, ccpa.ID, 46, "complex"); rampart.ErrorCode(err) != rampart.EUnprocessable {
				t.Fatalf("ccpa extension beyond 45 days: %v", err)
			}
			ext, err := rs.Extend(ctx, f.tenant, ccpa.ID, 45, "many systems")
			if err != nil || ext.Extension == nil || ext.Extension.Reason != "many systems" || !ext.DueAt.Equal(ccpa.DueAt.Add(45*24*time.Hour)) {
				t.Fatalf("extend: %+v %v", ext, err)
			}
			if _, err := rs.Extend(ctx, f.tenant, ccpa.ID, 1, "again"); rampart.ErrorCode(err) != rampart.EConflict {
				t.Fatalf("second extension: %v", err)
			}

			clock.add(30*24*time.Hour + time.Minute)
			got, _ := rs.Get(ctx, f.tenant, gdpr.ID)
			if got.Status != StatusOverdue {
				t.Fatalf("past due: %s", got.Status)
			}
			overdue, _ := rs.List(ctx, f.tenant, StatusOverdue)
			open, _ := rs.List(ctx, f.tenant, StatusReceived)
			if len(overdue) != 1 || overdue[0].ID != gdpr.ID || len(open) != 1 || open[0].ID != ccpa.ID {
				t.Fatalf("overdue %d, open %d", len(overdue), len(open))
			}
			if _, err := rs.Extend(ctx, f.tenant, gdpr.ID, 30, "late"); rampart.ErrorCode(err) != rampart.EConflict {
				t.Fatalf("extension after the deadline: %v", err)
			}
		})
	}
}

func asError(err error, e **rampart.Error) bool { return errors.As(err, e) }
