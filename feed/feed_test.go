package feed

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/storetest"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
)

// TestTwoReplicasHandleEachEventOnce: two followers of one consumer (two
// replicas), one of them stopped midway and a third started (a restart),
// while events keep coming in three tenants: every event's work is done,
// and the positions end at the heads.
func TestTwoReplicasHandleEachEventOnce(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, d)
			var tenants []string
			for i := 0; i < 3; i++ {
				tn := &identity.Tenant{ID: uuid.NewString(), Slug: "t" + uuid.NewString()[:8], Name: "T", Status: identity.TenantActive, CreatedAt: time.Now(), UpdatedAt: time.Now()}
				if err := st.AsOperator(ctx, func(tx *store.Tx) error { return tx.CreateTenant(ctx, tn) }); err != nil {
					t.Fatal(err)
				}
				tenants = append(tenants, tn.ID)
			}
			// The work: one outbox message per event, keyed by the event, in
			// the transaction that advances the position.
			work := func(ctx context.Context, tx *store.Tx, events []*audit.Event) error {
				for _, e := range events {
					if _, err := tx.Enqueue(ctx, &outbox.Message{Channel: "test", EventType: string(e.Type), IdempotencyKey: e.ID, Payload: []byte(`{}`), MaxAttempts: 1}, time.Now()); err != nil {
						return err
					}
				}
				return nil
			}
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			follower := func() *Follower {
				return &Follower{Store: st, Consumer: "test", Handle: work, Batch: 7, Poll: 5 * time.Millisecond, Log: log}
			}
			runFor := func(f *Follower) (stop func()) {
				c, cancel := context.WithCancel(ctx)
				done := make(chan struct{})
				go func() { f.Run(c); close(done) }()
				return func() { cancel(); <-done }
			}
			stopA := runFor(follower())
			stopB := runFor(follower())
			const perTenant = 120
			var wg sync.WaitGroup
			for _, id := range tenants {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := 0; i < perTenant; i++ {
						if err := st.InTenant(ctx, id, func(tx *store.Tx) error { return tx.AppendAudit(ctx, &audit.Event{Type: audit.LoginFailure}) }); err != nil {
							t.Error(err)
						}
						if i == perTenant/2 && id == tenants[0] {
							stopA()                    // a replica goes away...
							stopA = runFor(follower()) // ...and comes back
						}
					}
				}()
			}
			wg.Wait()
			deadline := time.Now().Add(20 * time.Second)
			for {
				pos, _ := st.Positions(ctx, "test")
				caught := 0
				for _, id := range tenants {
					if pos[id] == perTenant {
						caught++
					}
				}
				if caught == len(tenants) || time.Now().After(deadline) {
					break
				}
				time.Sleep(20 * time.Millisecond)
			}
			stopA()
			stopB()
			for _, id := range tenants {
				var n int
				st.ReadTenant(ctx, id, func(tx *store.Tx) error {
					l, err := tx.Deliveries(ctx, store.DeliveryFilter{Limit: 1000})
					n = len(l)
					return err
				})
				if n != perTenant {
					t.Errorf("tenant %s: work done for %d of %d events", id, n, perTenant)
				}
			}
			pos, _ := st.Positions(ctx, "test")
			for _, id := range tenants {
				if pos[id] != perTenant {
					t.Errorf("tenant %s: position %d, head %d", id, pos[id], perTenant)
				}
			}
		})
	}
}

// TestLockSkipsAndReleases: a tenant whose lock another replica holds is
// skipped, and a lock taken is released once its batch's transaction ends.
func TestLockSkipsAndReleases(t *testing.T) {
	ctx := context.Background()
	st := storetest.Open(t, "sqlite")
	tn := &identity.Tenant{ID: uuid.NewString(), Slug: "locks", Name: "L", Status: identity.TenantActive, CreatedAt: time.Now(), UpdatedAt: time.Now()}
	if err := st.AsOperator(ctx, func(tx *store.Tx) error { return tx.CreateTenant(ctx, tn) }); err != nil {
		t.Fatal(err)
	}
	st.InTenant(ctx, tn.ID, func(tx *store.Tx) error { return tx.AppendAudit(ctx, &audit.Event{Type: audit.LoginFailure}) })
	handled, released := 0, 0
	held := true
	f := &Follower{Store: st, Consumer: "locked", Log: slog.New(slog.NewTextHandler(io.Discard, nil)),
		Handle: func(context.Context, *store.Tx, []*audit.Event) error { handled++; return nil },
		Lock: func(context.Context, string) (func(), bool, error) {
			if held {
				return nil, false, nil
			}
			return func() { released++ }, true, nil
		}}
	more, err := f.Step(ctx)
	if err != nil || !more || handled != 0 {
		t.Fatalf("held elsewhere: more %v err %v handled %d", more, err, handled)
	}
	held = false
	if _, err := f.Step(ctx); err != nil || handled != 1 || released != 1 {
		t.Fatalf("taken: err %v handled %d released %d", err, handled, released)
	}
	if pos, _ := st.Positions(ctx, "locked"); pos[tn.ID] != 1 {
		t.Fatalf("position %v", pos)
	}
}
