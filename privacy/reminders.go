package privacy

import (
	"context"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// ReminderDays are when, before a request's due date, its tenant is
// reminded: 7 days and 1 day. A request first seen with less time left
// gets only the nearest reminder.
var ReminderDays = []int{7, 1}

// Reminders is the scheduled job that reminds tenants of requests coming
// due and counts the overdue ones for the metric
// rampart_privacy_requests_overdue.
//
// A reminder is an audit event privacy_request_due_soon (details: the
// request, its type, due date and days left; never the subject), written
// once per request and threshold: the request's row records the smallest
// threshold reminded, taken with a conditional update, so two replicas
// running the job write it once. The tenant's webhooks subscribed to that
// event type (or "*") receive it through the outbox, whose idempotency
// key (event and webhook) makes a retried delivery the same message; the
// event feed shows it too.
type Reminders struct {
	Store *store.Store
	Now   func() time.Time

	overdue atomic.Int64
	counted atomic.Int64 // unix nanoseconds of the last count
	mu      sync.Mutex   // one recount at a time
}

// OverdueTTL is how long a count of overdue requests serves the metric
// before a scrape recounts.
const OverdueTTL = time.Minute

func (r *Reminders) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// Overdue is the number of open requests past due in every tenant, for
// the metric: counted at most once per OverdueTTL on each replica (the
// job's runs count too), so that every replica reports the same figure.
// A failed count keeps the last one.
func (r *Reminders) Overdue(ctx context.Context) int64 {
	now := r.now()
	if now.UnixNano()-r.counted.Load() < int64(OverdueTTL) {
		return r.overdue.Load()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if now.UnixNano()-r.counted.Load() < int64(OverdueTTL) {
		return r.overdue.Load()
	}
	var total int64
	err := r.Store.EachTenant(ctx, func(t *identity.Tenant) error {
		return r.Store.ReadTenant(ctx, t.ID, func(tx *store.Tx) error {
			n, err := tx.CountOverduePrivacyRequests(ctx, now)
			total += n
			return err
		})
	})
	if err == nil {
		r.overdue.Store(total)
		r.counted.Store(now.UnixNano())
	}
	return r.overdue.Load()
}

// Run sends the reminders due at now in every tenant and recounts the
// overdue requests; it returns how many reminders it sent.
func (r *Reminders) Run(ctx context.Context) (sent int, overdue int64, err error) {
	now := r.now()
	horizon := now.Add(time.Duration(ReminderDays[0]) * 24 * time.Hour)
	err = r.Store.EachTenant(ctx, func(t *identity.Tenant) error {
		return r.Store.InTenant(ctx, t.ID, func(tx *store.Tx) error {
			n, err := tx.CountOverduePrivacyRequests(ctx, now)
			if err != nil {
				return err
			}
			overdue += n
			// At most a page per tenant per run; the next run takes the rest.
			open, err := tx.PrivacyRequests(ctx, store.PrivacyRequestFilter{OpenDueBefore: horizon, DueFrom: now})
			if err != nil {
				return err
			}
			for _, p := range open {
				days := 0
				for _, d := range ReminderDays {
					if p.DueAt.Sub(now) <= time.Duration(d)*24*time.Hour {
						days = d
					}
				}
				if days == 0 {
					continue
				}
				took, err := tx.MarkPrivacyReminder(ctx, p.ID, days)
				if err != nil {
					return err
				}
				if !took {
					continue
				}
				if err := tx.AppendAudit(ctx, &audit.Event{Type: audit.PrivacyRequestDueSoon, Resource: "privacy_request:" + p.ID, Success: true,
					Details: map[string]any{"request_id": p.ID, "type": p.Type, "due_at": p.DueAt.Format(time.RFC3339), "days_left": days}}); err != nil {
					return err
				}
				sent++
			}
			return nil
		})
	})
	if err == nil {
		r.overdue.Store(overdue)
		r.counted.Store(now.UnixNano())
	}
	return sent, overdue, err
}
