package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/outbox"
)

func enqueue(t *testing.T, s *Store, tenantID, key string, now time.Time) *outbox.Message {
	t.Helper()
	m := &outbox.Message{Channel: outbox.ChannelWebhook, Target: "w", EventType: "login_failure", IdempotencyKey: key,
		Payload: []byte(`{"k":"` + key + `"}`), MaxAttempts: 3}
	if err := s.InTenant(context.Background(), tenantID, func(tx *Tx) error {
		_, err := tx.Enqueue(context.Background(), m, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestOutboxClaimSettle: a message is claimed once, retried after its
// backoff, dead-lettered after its attempts, retried by an admin, and an
// idempotency key used twice keeps the first message.
func TestOutboxClaimSettle(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "outbox")
		now := time.Now().UTC().Truncate(time.Second)
		m := enqueue(t, s, tn.ID, "k1", now)
		var dup bool
		s.InTenant(ctx, tn.ID, func(tx *Tx) (err error) {
			dup, err = tx.Enqueue(ctx, &outbox.Message{Channel: outbox.ChannelWebhook, EventType: "x", IdempotencyKey: "k1", Payload: []byte(`{}`), MaxAttempts: 3}, now)
			return err
		})
		if dup {
			t.Fatal("a reused idempotency key was queued again")
		}
		got, err := s.Claim(ctx, "w1", now, time.Minute, 10)
		if err != nil || len(got) != 1 || got[0].ID != m.ID || string(got[0].Payload) != `{"k":"k1"}` || got[0].Attempts != 1 {
			t.Fatalf("claim: %v %+v", err, got)
		}
		if again, _ := s.Claim(ctx, "w2", now, time.Minute, 10); len(again) != 0 {
			t.Fatal("a claimed message was claimed again within its lease")
		}
		// The lease ends without an outcome (a crashed worker): claimable again.
		got2, _ := s.Claim(ctx, "w2", now.Add(2*time.Minute), time.Minute, 10)
		if len(got2) != 1 || got2[0].Attempts != 2 {
			t.Fatalf("after the lease: %+v", got2)
		}
		// The first worker's late outcome no longer applies.
		if err := s.Settle(ctx, got[0], "w1", outbox.Result{}, now, now); err != nil {
			t.Fatal(err)
		}
		if err := s.Settle(ctx, got2[0], "w2", outbox.Result{Err: errors.New("x"), Class: "http_500", Status: 500}, now.Add(3*time.Minute), now.Add(2*time.Minute)); err != nil {
			t.Fatal(err)
		}
		var d *outbox.Message
		s.ReadTenant(ctx, tn.ID, func(tx *Tx) (err error) { d, err = tx.Delivery(ctx, m.ID); return err })
		if d.Status != outbox.StatusPending || d.LastError != "http_500" || d.LastStatus != 500 || d.Payload != nil {
			t.Fatalf("after a failure: %+v", d)
		}
		got3, _ := s.Claim(ctx, "w3", now.Add(3*time.Minute), time.Minute, 10)
		if len(got3) != 1 || got3[0].Attempts != 3 {
			t.Fatalf("third attempt: %+v", got3)
		}
		s.Settle(ctx, got3[0], "w3", outbox.Result{Err: errors.New("x"), Class: "timeout"}, now.Add(time.Hour), now.Add(3*time.Minute))
		var dead []*outbox.Message
		s.ReadTenant(ctx, tn.ID, func(tx *Tx) (err error) {
			dead, err = tx.Deliveries(ctx, DeliveryFilter{Status: outbox.StatusDead, Limit: 10})
			return err
		})
		if len(dead) != 1 || dead[0].Attempts != 3 {
			t.Fatalf("dead letters: %+v", dead)
		}
		if err := s.InTenant(ctx, tn.ID, func(tx *Tx) error { _, err := tx.RetryDelivery(ctx, m.ID, now.Add(4*time.Minute)); return err }); err != nil {
			t.Fatal(err)
		}
		got4, _ := s.Claim(ctx, "w4", now.Add(4*time.Minute), time.Minute, 10)
		if len(got4) != 1 || got4[0].Attempts != 1 {
			t.Fatalf("after an admin's retry: %+v", got4)
		}
		s.Settle(ctx, got4[0], "w4", outbox.Result{Status: 200}, now, now.Add(4*time.Minute))
		err = s.InTenant(ctx, tn.ID, func(tx *Tx) error { _, err := tx.RetryDelivery(ctx, m.ID, now); return err })
		if err == nil {
			t.Fatal("a delivered message was retried")
		}
		// Another tenant sees none of it.
		other := newTenant(t, s, "other")
		s.ReadTenant(ctx, other.ID, func(tx *Tx) error {
			if l, _ := tx.Deliveries(ctx, DeliveryFilter{Limit: 10}); len(l) != 0 {
				t.Errorf("another tenant lists %d deliveries", len(l))
			}
			return nil
		})
	})
}

// TestOutboxParallelClaimers: four workers claiming 200 messages together
// take each exactly once.
func TestOutboxParallelClaimers(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "claims")
		now := time.Now()
		err := s.InTenant(ctx, tn.ID, func(tx *Tx) error {
			for i := 0; i < 200; i++ {
				if _, err := tx.Enqueue(ctx, &outbox.Message{Channel: outbox.ChannelWebhook, EventType: "x", Payload: []byte(`{}`), MaxAttempts: 3}, now); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var mu sync.Mutex
		seen := map[string]int{}
		var wg sync.WaitGroup
		for w := 0; w < 4; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					got, err := s.Claim(ctx, fmt.Sprint("w", w), now, time.Minute, 7)
					if err != nil {
						t.Error(err)
						return
					}
					if len(got) == 0 {
						return
					}
					mu.Lock()
					for _, m := range got {
						seen[m.ID]++
					}
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		if len(seen) != 200 {
			t.Fatalf("%d distinct messages claimed, want 200", len(seen))
		}
		for id, n := range seen {
			if n != 1 {
				t.Fatalf("message %s claimed %d times", id, n)
			}
		}
	})
}

// TestFeedAndPositions: the feed reads in chain order from a position, by
// type; a consumer's position advances only from where it was.
func TestFeedAndPositions(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		tn := newTenant(t, s, "feed")
		s.InTenant(ctx, tn.ID, func(tx *Tx) error {
			for i := 0; i < 10; i++ {
				typ := audit.LoginFailure
				if i%2 == 0 {
					typ = audit.LoginSuccess
				}
				if err := tx.AppendAudit(ctx, &audit.Event{Type: typ, Success: typ == audit.LoginSuccess}); err != nil {
					return err
				}
			}
			return nil
		})
		var page []*audit.Event
		s.ReadTenant(ctx, tn.ID, func(tx *Tx) (err error) {
			page, err = tx.FeedEvents(ctx, 3, []string{string(audit.LoginFailure)}, 2)
			return err
		})
		if len(page) != 2 || page[0].Seq != 4 || page[1].Seq != 6 {
			t.Fatalf("feed page: %+v", page)
		}
		heads, err := s.AuditHeads(ctx)
		if err != nil || heads[tn.ID] != 10 {
			t.Fatalf("heads: %v %v", heads, err)
		}
		advance := func(from, to int64) bool {
			var ok bool
			if err := s.InTenant(ctx, tn.ID, func(tx *Tx) (err error) {
				ok, err = tx.AdvancePosition(ctx, "rules", from, to, time.Now())
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return ok
		}
		if !advance(0, 5) || advance(0, 5) || advance(3, 7) || !advance(5, 10) {
			t.Fatal("positions must advance only from where they are")
		}
		pos, _ := s.Positions(ctx, "rules")
		if pos[tn.ID] != 10 {
			t.Fatalf("positions: %v", pos)
		}
	})
}

// TestJobLeases: a due job is leased by one worker at a time, taken over
// after its lease ends, and keeps its state across runs.
func TestJobLeases(t *testing.T) {
	eachDialect(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		now := time.Now().UTC()
		if err := s.EnsureJob(ctx, "purge", now); err != nil {
			t.Fatal(err)
		}
		s.EnsureJob(ctx, "purge", now.Add(time.Hour)) // a second replica starting: no change
		winners := countParallel(t, 10, func(i int) (bool, error) {
			j, err := s.LeaseJob(ctx, "purge", fmt.Sprint("r", i), now, time.Minute)
			return j != nil, err
		})
		if winners != 1 {
			t.Fatalf("%d replicas leased the job", winners)
		}
		j, _ := s.LeaseJob(ctx, "purge", "late", now.Add(2*time.Minute), time.Minute)
		if j == nil || j.Runs != 2 {
			t.Fatalf("takeover after the lease: %+v", j)
		}
		if ok, _ := s.RenewJob(ctx, "purge", "late", now.Add(5*time.Minute), `{"done":3}`); !ok {
			t.Fatal("renew failed")
		}
		if err := s.FinishJob(ctx, "purge", "late", now.Add(3*time.Minute), now.Add(time.Hour), "ok", "", `{"done":3}`); err != nil {
			t.Fatal(err)
		}
		if j, _ := s.LeaseJob(ctx, "purge", "x", now.Add(10*time.Minute), time.Minute); j != nil {
			t.Fatal("leased before it was due")
		}
		s.RunJobSoon(ctx, "purge", now.Add(10*time.Minute))
		j, _ = s.LeaseJob(ctx, "purge", "x", now.Add(10*time.Minute), time.Minute)
		if j == nil || j.State != `{"done":3}` || j.LastOutcome != "ok" {
			t.Fatalf("after RunJobSoon: %+v", j)
		}
		jobs, _ := s.Jobs(ctx)
		if len(jobs) != 1 || jobs[0].Name != "purge" {
			t.Fatalf("jobs: %+v", jobs)
		}
	})
}

// TestOperatorDeliveriesNotRetriedByTenants: a message to the deployment's
// operator, stored under the tenant it concerns, is not the tenant's to
// send again.
func TestOperatorDeliveriesNotRetriedByTenants(t *testing.T) {
	s := openMigrated(t, "sqlite")
	ctx := context.Background()
	tn := newTenant(t, s, "op")
	m := &outbox.Message{Channel: outbox.ChannelOperator, EventType: "incident_opened", Payload: []byte(`{}`), MaxAttempts: 1}
	if err := s.InTenant(ctx, tn.ID, func(tx *Tx) error { _, err := tx.Enqueue(ctx, m, time.Now()); return err }); err != nil {
		t.Fatal(err)
	}
	err := s.InTenant(ctx, tn.ID, func(tx *Tx) error { _, err := tx.RetryDelivery(ctx, m.ID, time.Now()); return err })
	if rampart.ErrorCode(err) != rampart.EForbidden {
		t.Fatalf("retry of an operator delivery: %v", err)
	}
}
