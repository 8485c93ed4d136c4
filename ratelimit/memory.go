package ratelimit

import (
	"context"
	"hash/maphash"
	"math"
	"sync"
	"time"
)

// shards spreads identifiers over locks; all limits of one identifier live in
// one shard, so a request's limits are decided under one lock.
const shards = 64

// Memory keeps budgets in this process: the embedded default.
type Memory struct {
	seed   maphash.Seed
	shards [shards]shard
}

type shard struct {
	mu sync.Mutex
	m  map[stateKey]state
}

type stateKey struct {
	limit string
	id    string
}

// state is one budget's counters; which fields matter depends on the
// algorithm. Times are Unix nanoseconds.
type state struct {
	start int64 // window start (fixed, sliding)
	count int64 // requests in the current window
	prev  int64 // requests in the previous window (sliding)
	tat   int64 // theoretical arrival time (GCRA)
	until int64 // when the state can be forgotten
}

// NewMemory returns an empty in-memory backend.
func NewMemory() *Memory {
	m := &Memory{seed: maphash.MakeSeed()}
	for i := range m.shards {
		m.shards[i].m = map[stateKey]state{}
	}
	return m
}

// Decide applies cost to every limit for id at once: if any limit refuses,
// none counts the request. It does not allocate once the budgets exist.
func (m *Memory) Decide(id string, limits []*Limit, cost int64, now time.Time, out *Result) {
	sh := &m.shards[maphash.String(m.seed, id)%shards]
	t := now.UnixNano()
	var next [8]state
	nexts := next[:0]
	if len(limits) > len(next) {
		nexts = make([]state, 0, len(limits))
	}
	out.Allowed = true
	out.Decisions = out.Decisions[:0]
	sh.mu.Lock()
	defer sh.mu.Unlock()
	for _, l := range limits {
		s := sh.m[stateKey{l.Name, id}]
		ns, d := step(l, s, cost, t)
		nexts = append(nexts, ns)
		out.Decisions = append(out.Decisions, d)
		out.Allowed = out.Allowed && d.Allowed
	}
	if !out.Allowed {
		return
	}
	for i, l := range limits {
		sh.m[stateKey{l.Name, id}] = nexts[i]
	}
}

// Sweep forgets budgets that are whole again; call it now and then.
func (m *Memory) Sweep(now time.Time) int {
	t := now.UnixNano()
	n := 0
	for i := range m.shards {
		sh := &m.shards[i]
		sh.mu.Lock()
		for k, s := range sh.m {
			if s.until < t {
				delete(sh.m, k)
				n++
			}
		}
		sh.mu.Unlock()
	}
	return n
}

// step computes a limit's decision and the state it leaves if admitted. The
// same arithmetic runs in the Redis script, so both backends agree.
func step(l *Limit, s state, cost, t int64) (state, Decision) {
	p := int64(l.Period)
	d := Decision{Limit: l}
	switch l.Algorithm {
	case GCRA:
		interval := max(1, p/l.Rate) // time one request costs (at least 1 ns)
		tat := max(s.tat, t)
		newTat := tat + cost*interval
		// The bucket holds Rate requests: admitted while the debt stays
		// within one period.
		if newTat-t > p {
			d.RetryAfter = time.Duration(newTat - t - p)
			d.Remaining = max(0, (p-(tat-t))/interval)
			d.Reset = time.Duration(tat - t)
			return s, d
		}
		d.Allowed = true
		d.Remaining = (p - (newTat - t)) / interval
		d.Reset = time.Duration(newTat - t)
		return state{tat: newTat, until: newTat}, d
	case SlidingWindow:
		start := t - t%p
		prev, count := s.prev, s.count
		switch {
		case s.start == start:
		case s.start == start-p:
			prev, count = s.count, 0
		default:
			prev, count = 0, 0
		}
		// The previous window's count, weighed by how much of it is still
		// within the last period.
		// Rounded up, so the estimate never undercounts.
		weight := float64(p-(t-start)) / float64(p)
		used := int64(math.Ceil(float64(prev)*weight)) + count
		if used+cost > l.Rate {
			d.Remaining = max(0, l.Rate-used)
			d.Reset = time.Duration(start + p - t)
			d.RetryAfter = slidingRetry(l.Rate, prev, count, cost, p, t-start)
			return s, d
		}
		d.Allowed = true
		d.Remaining = l.Rate - used - cost
		d.Reset = time.Duration(start + p - t)
		return state{start: start, count: count + cost, prev: prev, until: start + 2*p}, d
	default: // FixedWindow
		start := t - t%p
		count := s.count
		if s.start != start {
			count = 0
		}
		d.Reset = time.Duration(start + p - t)
		if count+cost > l.Rate {
			d.RetryAfter = d.Reset
			return s, d
		}
		d.Allowed = true
		d.Remaining = l.Rate - count - cost
		return state{start: start, count: count + cost, until: start + p}, d
	}
}

// slidingRetry finds how long until the weighted count leaves room for cost:
// within this window as the previous one's weight fades, or at the next.
func slidingRetry(rate, prev, count, cost, p, elapsed int64) time.Duration {
	if prev > 0 && count+cost <= rate {
		// prev*(p-e)/p + count + cost <= rate  =>  e >= p - (rate-count-cost)*p/prev
		e := p - (rate-count-cost)*p/prev
		if e > elapsed && e <= p {
			return time.Duration(e - elapsed)
		}
	}
	return time.Duration(p - elapsed)
}

// Local adapts Memory to the context-taking signature the server uses, on
// this process's clock.
type Local struct {
	M   *Memory
	Now func() time.Time
}

// Decide decides on the local clock; it cannot fail.
func (l Local) Decide(_ context.Context, id string, limits []*Limit, cost int64, out *Result) error {
	l.M.Decide(id, limits, cost, l.Now(), out)
	return nil
}
