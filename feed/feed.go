// Package feed follows the tenants' audit streams for in-process consumers
// (webhook fan-out, monitoring rules): each named consumer keeps one
// position per tenant, advanced in the same transaction as its work, so that
// across restarts and replicas every event is handled once, in order.
package feed

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/store"
)

// Handler does a consumer's work for a batch of one tenant's events, in tx,
// the transaction that also advances the consumer's position: if it fails,
// neither its work nor the position is kept, and the batch comes again.
type Handler func(ctx context.Context, tx *store.Tx, events []*audit.Event) error

// Follower runs one consumer over every tenant's stream.
type Follower struct {
	Store    *store.Store
	Consumer string // the position's name; one per kind of work
	Handle   Handler
	// Committed, when set, is called after a batch of tenantID's events
	// has been handled and its transaction committed: for work that must
	// not run before the handler's writes are visible (automatic
	// remediation), nor at all if they roll back.
	Committed func(ctx context.Context, tenantID string)
	// Lock, when set, is taken before a tenant's batch and released after
	// its transaction ends (and after Committed): a consumer whose work is
	// not all in the transaction (counters in Redis) needs replicas to take
	// a tenant's batches in turns, or a replica that loses the race for the
	// position would roll back work another replica's count relied on. A
	// tenant whose lock is held elsewhere is skipped until the next step.
	Lock func(ctx context.Context, tenantID string) (release func(), ok bool, err error)
	// Batch is the most events handled in one transaction (default 500).
	Batch int
	// Poll is how often the heads are checked when idle (default 1 s);
	// Notify checks at once.
	Poll time.Duration
	// FromHead starts a tenant the consumer has never read at its current
	// head instead of its first event.
	FromHead bool
	Log      *slog.Logger
	Now      func() time.Time

	wake chan struct{}
	once sync.Once
}

func (f *Follower) init() {
	f.once.Do(func() {
		f.wake = make(chan struct{}, 1)
		if f.Batch <= 0 {
			f.Batch = 500
		}
		if f.Poll <= 0 {
			f.Poll = time.Second
		}
		if f.Now == nil {
			f.Now = time.Now
		}
	})
}

// Notify makes the follower look for new events now.
func (f *Follower) Notify() {
	f.init()
	select {
	case f.wake <- struct{}{}:
	default:
	}
}

// Run follows until ctx ends.
func (f *Follower) Run(ctx context.Context) {
	f.init()
	t := time.NewTicker(f.Poll)
	defer t.Stop()
	for ctx.Err() == nil {
		more, err := f.Step(ctx)
		if err != nil && ctx.Err() == nil {
			f.Log.Warn("follow audit stream", "consumer", f.Consumer, "err", err.Error())
		}
		if more && err == nil {
			continue
		}
		select {
		case <-ctx.Done():
		case <-t.C:
		case <-f.wake:
		}
	}
}

// errRaced rolls back a batch another replica handled first.
var errRaced = errors.New("feed: position moved")

// Step handles at most one batch of every tenant that has new events and
// reports whether some tenant has more.
func (f *Follower) Step(ctx context.Context) (more bool, err error) {
	f.init()
	heads, err := f.Store.AuditHeads(ctx)
	if err != nil {
		return false, err
	}
	pos, err := f.Store.Positions(ctx, f.Consumer)
	if err != nil {
		return false, err
	}
	var errs []error
	for tenant, head := range heads {
		from, seen := pos[tenant]
		if !seen && f.FromHead {
			if err := f.Store.InTenant(ctx, tenant, func(tx *store.Tx) error {
				_, err := tx.AdvancePosition(ctx, f.Consumer, 0, head, f.Now())
				return err
			}); err != nil {
				errs = append(errs, err)
			}
			continue
		}
		if head <= from {
			continue
		}
		release := func() {}
		if f.Lock != nil {
			r, ok, err := f.Lock(ctx, tenant)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			if !ok {
				more = true // another replica has it: look again soon
				continue
			}
			release = r
		}
		n := 0
		err := f.Store.InTenant(ctx, tenant, func(tx *store.Tx) error {
			events, err := tx.FeedEvents(ctx, from, nil, f.Batch)
			if err != nil || len(events) == 0 {
				return err
			}
			n = len(events)
			if err := f.Handle(ctx, tx, events); err != nil {
				return err
			}
			ok, err := tx.AdvancePosition(ctx, f.Consumer, from, events[len(events)-1].Seq, f.Now())
			if err == nil && !ok {
				err = errRaced
			}
			return err
		})
		if err == nil && n > 0 && f.Committed != nil {
			f.Committed(ctx, tenant)
		}
		release()
		switch {
		case errors.Is(err, errRaced):
			more = true // look again from the new position
		case err != nil:
			errs = append(errs, err)
		case n == f.Batch:
			more = true
		}
	}
	return more, errors.Join(errs...)
}
