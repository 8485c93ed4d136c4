package gateway

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/store"
)

// Usage log bounds.
const (
	// DefaultUsageQueue bounds the records waiting to be written; beyond it
	// records are dropped and counted, never waited for.
	DefaultUsageQueue = 10_000
	usageBatch        = 256
	usageFlushEvery   = 200 * time.Millisecond
	// MaxUsageRange bounds the time range of one usage query.
	MaxUsageRange = 366 * 24 * time.Hour
)

// usageQueue writes usage records off the request path, in batches per
// tenant.
type usageQueue struct {
	store   *store.Store
	log     *slog.Logger
	ch      chan usageItem
	dropped atomic.Int64
	written atomic.Int64
	done    chan struct{}
	once    sync.Once
}

type usageItem struct {
	tenantID string
	rec      *store.AIUsage
}

func newUsageQueue(st *store.Store, size int, log *slog.Logger) *usageQueue {
	if size <= 0 {
		size = DefaultUsageQueue
	}
	q := &usageQueue{store: st, log: log, ch: make(chan usageItem, size), done: make(chan struct{})}
	go q.run()
	return q
}

// add queues a record, or drops and counts it when the queue is full.
func (q *usageQueue) add(tenantID string, rec *store.AIUsage) {
	select {
	case q.ch <- usageItem{tenantID, rec}:
	default:
		q.dropped.Add(1)
	}
}

func (q *usageQueue) run() {
	defer close(q.done)
	tick := time.NewTicker(usageFlushEvery)
	defer tick.Stop()
	batch := map[string][]*store.AIUsage{}
	n := 0
	flush := func() {
		for tenantID, recs := range batch {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			err := q.store.InTenant(ctx, tenantID, func(tx *store.Tx) error { return tx.AddAIUsage(ctx, recs) })
			cancel()
			if err != nil {
				q.dropped.Add(int64(len(recs)))
				q.log.Error("gateway: writing usage records failed; dropped", "count", len(recs), "err", err.Error())
			} else {
				q.written.Add(int64(len(recs)))
			}
		}
		clear(batch)
		n = 0
	}
	for {
		select {
		case it, ok := <-q.ch:
			if !ok {
				flush()
				return
			}
			batch[it.tenantID] = append(batch[it.tenantID], it.rec)
			if n++; n >= usageBatch {
				flush()
			}
		case <-tick.C:
			if n > 0 {
				flush()
			}
		}
	}
}

func (q *usageQueue) close() {
	q.once.Do(func() { close(q.ch) })
	<-q.done
}

// UsageStats are the usage writer's counters.
type UsageStats struct {
	Queued, Written, Dropped int64
}

// UsageStats reports the usage writer's counters (for metrics).
func (s *Service) UsageStats() UsageStats {
	return UsageStats{Queued: int64(len(s.usage.ch)), Written: s.usage.written.Load(), Dropped: s.usage.dropped.Load()}
}

// UsageReport is the answer of GET /v1/ai/usage.
type UsageReport struct {
	From    time.Time    `json:"from"`
	To      time.Time    `json:"to"`
	GroupBy string       `json:"group_by"`
	Groups  []UsageGroup `json:"data"`
	// Dropped counts the records this replica could not log since it
	// started (the queue was full or the database failed).
	Dropped int64 `json:"dropped"`
}

// UsageGroup is the usage of one key, model or user.
type UsageGroup struct {
	store.AIUsageGroup
	CostUSD float64 `json:"cost_usd"`
}

// Usage sums the tenant's usage in [from, to) by key, model or user.
func (s *Service) Usage(ctx context.Context, tenantID string, from, to time.Time, groupBy string) (*UsageReport, error) {
	if groupBy == "" {
		groupBy = "key"
	}
	if !to.After(from) || to.Sub(from) > MaxUsageRange {
		return nil, rampart.FieldError(rampart.EUnprocessable, "to", "to must be after from, at most %d days later", int(MaxUsageRange.Hours()/24))
	}
	var groups []*store.AIUsageGroup
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		groups, err = tx.AIUsageBy(ctx, from, to, groupBy)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := &UsageReport{From: from, To: to, GroupBy: groupBy, Groups: make([]UsageGroup, 0, len(groups)), Dropped: s.usage.dropped.Load()}
	for _, g := range groups {
		out.Groups = append(out.Groups, UsageGroup{AIUsageGroup: *g, CostUSD: float64(g.CostMicros) / 1e6})
	}
	return out, nil
}
