package monitor

import (
	"context"
	"math"
	"sync"
	"time"
)

// State keeps the rules' counters between events. Memory keeps them in this
// process; Redis shares them between replicas so that they count together.
// Keys are opaque and already carry the tenant and the rule.
type State interface {
	// Claim records that tenant's events up to seq are counted and returns
	// the previous mark: events at or below it were counted before (a batch
	// handled again after a rollback, or by a racing replica) and are only
	// checked against keys already firing, never counted twice.
	Claim(ctx context.Context, tenant string, seq int64) (int64, error)
	// Bucket adds w to key's count within a sliding window and returns the
	// count: the current fixed window's plus the previous one's weighted by
	// how much of it the sliding window still covers (the sliding-window
	// counter of rate limiters: 12 bytes, exact for evenly spread events).
	// With period > 0 it also keeps an exponentially decaying count over
	// period and returns it (the usual rate is base/period).
	Bucket(ctx context.Context, key string, w float64, window, period time.Duration, now time.Time) (level, base float64, err error)
	// Drain empties key's count or distinct set (after it fired).
	Drain(ctx context.Context, key string) error
	// Distinct adds value to key's set of values seen within window and
	// returns how many distinct values it holds. The set never holds more
	// than limit values.
	Distinct(ctx context.Context, key string, value uint32, limit int, window time.Duration, now time.Time) (int, error)
	// Novel reports whether value is new for key within window and whether
	// key had any value before; it remembers value either way.
	Novel(ctx context.Context, key string, value uint32, window time.Duration, now time.Time) (isNew, history bool, err error)
	// Hot reports whether key fired and is still within its hot period;
	// Heat starts or extends that period.
	Hot(ctx context.Context, key string, now time.Time) (bool, error)
	Heat(ctx context.Context, key string, until time.Time) error
}

// DefaultMaxKeys bounds the keys Memory keeps.
const DefaultMaxKeys = 1 << 20

// Memory is State in this process: bounded (MaxKeys, oldest and expired
// keys evicted) and safe for concurrent use. Build it with NewMemory.
type Memory struct {
	mu      sync.Mutex
	max     int
	entries map[string]*entry
	claims  map[string]int64
	sweeps  int
}

// entry is one key's state: 32 bytes plus the values of a Distinct or
// Novel rule (8 bytes each, bounded by the rule's limit).
type entry struct {
	cur, prev float32 // counts of the current and previous fixed windows
	win       uint32  // the current fixed window's number
	base      float32
	last      uint32 // unix seconds of the last baseline update
	hot       uint32 // unix seconds until which the key is firing
	exp       uint32 // unix seconds after which the entry is worth nothing
	vals      []uint64
}

// NewMemory returns an empty State holding at most maxKeys keys (0:
// DefaultMaxKeys).
func NewMemory(maxKeys int) *Memory {
	if maxKeys <= 0 {
		maxKeys = DefaultMaxKeys
	}
	return &Memory{max: maxKeys, entries: map[string]*entry{}, claims: map[string]int64{}}
}

// Len returns the number of keys held.
func (m *Memory) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.entries)
}

func secs(t time.Time) uint32 { return uint32(t.Unix()) }

func (m *Memory) get(key string, now time.Time) *entry {
	if e, ok := m.entries[key]; ok {
		return e
	}
	if len(m.entries) >= m.max {
		m.evict(now)
	}
	e := &entry{}
	m.entries[key] = e
	return e
}

// evict drops expired entries and, if that is not enough, an eighth of the
// rest (map order is random, so this is a random sample).
func (m *Memory) evict(now time.Time) {
	n := secs(now)
	for k, e := range m.entries {
		if e.exp < n && e.hot < n {
			delete(m.entries, k)
		}
	}
	if len(m.entries) < m.max {
		return
	}
	drop := len(m.entries) / 8
	for k := range m.entries {
		if drop == 0 {
			break
		}
		delete(m.entries, k)
		drop--
	}
}

// Sweep drops every expired entry; call it now and then.
func (m *Memory) Sweep(now time.Time) {
	m.mu.Lock()
	defer m.mu.Unlock()
	n := secs(now)
	for k, e := range m.entries {
		if e.exp < n && e.hot < n {
			delete(m.entries, k)
		}
	}
}

func extend(e *entry, t time.Time) {
	if s := secs(t); s > e.exp {
		e.exp = s
	}
}

// Claim implements State.
func (m *Memory) Claim(_ context.Context, tenant string, seq int64) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	prev := m.claims[tenant]
	if seq > prev {
		m.claims[tenant] = seq
	}
	return prev, nil
}

// Bucket implements State.
func (m *Memory) Bucket(_ context.Context, key string, w float64, window, period time.Duration, now time.Time) (float64, float64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.get(key, now)
	level := slide(&e.cur, &e.prev, &e.win, w, window, now)
	base := 0.0
	if period > 0 {
		n := secs(now)
		dt := 0.0
		if e.last != 0 && n > e.last {
			dt = float64(n - e.last)
		}
		base = float64(e.base)*math.Exp(-dt/period.Seconds()) + w
		e.base, e.last = float32(base), n
		extend(e, now.Add(period))
	}
	extend(e, now.Add(2*window))
	return level, base, nil
}

// slide adds w to a sliding-window counter and returns its estimate.
func slide(cur, prev *float32, win *uint32, w float64, window time.Duration, now time.Time) float64 {
	ns := now.UnixNano()
	size := window.Nanoseconds()
	k := uint32(ns / size)
	switch {
	case k == *win:
	case k == *win+1:
		*prev, *cur, *win = *cur, 0, k
	case k > *win:
		*prev, *cur, *win = 0, 0, k
	default: // an event from an earlier window: count it as current
	}
	*cur += float32(w)
	covered := 1 - float64(ns%size)/float64(size)
	return float64(*prev)*covered + float64(*cur)
}

// Drain implements State.
func (m *Memory) Drain(_ context.Context, key string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if e, ok := m.entries[key]; ok {
		e.cur, e.prev, e.vals = 0, 0, nil
	}
	return nil
}

// Distinct implements State.
func (m *Memory) Distinct(_ context.Context, key string, value uint32, limit int, window time.Duration, now time.Time) (int, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.get(key, now)
	n := secs(now)
	from := secs(now.Add(-window))
	vals := e.vals[:0]
	found := false
	for _, v := range e.vals {
		if uint32(v) < from {
			continue // left the window
		}
		if uint32(v>>32) == value {
			v, found = uint64(value)<<32|uint64(n), true
		}
		vals = append(vals, v)
	}
	if !found {
		if len(vals) >= limit && len(vals) > 0 {
			vals = vals[1:] // the oldest goes
		}
		if cap(vals) == len(vals) {
			// Grow by small steps: the set of most keys stays tiny.
			grown := make([]uint64, len(vals), min(max(2*len(vals), 2), max(limit, 1)))
			copy(grown, vals)
			vals = grown
		}
		vals = append(vals, uint64(value)<<32|uint64(n))
	}
	e.vals = vals
	extend(e, now.Add(window))
	return len(vals), nil
}

// Novel implements State.
func (m *Memory) Novel(_ context.Context, key string, value uint32, window time.Duration, now time.Time) (bool, bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.get(key, now)
	n := secs(now)
	from := secs(now.Add(-window))
	vals := e.vals[:0]
	isNew := true
	for _, v := range e.vals {
		if uint32(v) < from {
			continue
		}
		if uint32(v>>32) == value {
			v, isNew = uint64(value)<<32|uint64(n), false
		}
		vals = append(vals, v)
	}
	history := len(vals) > 0
	if isNew {
		if len(vals) >= MaxNovel {
			// Forget the value seen longest ago.
			oldest := 0
			for i, v := range vals {
				if uint32(v) < uint32(vals[oldest]) {
					oldest = i
				}
			}
			vals = append(vals[:oldest], vals[oldest+1:]...)
		}
		vals = append(vals, uint64(value)<<32|uint64(n))
	}
	e.vals = vals
	extend(e, now.Add(window))
	return isNew, history, nil
}

// Hot implements State.
func (m *Memory) Hot(_ context.Context, key string, now time.Time) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	e, ok := m.entries[key]
	return ok && e.hot >= secs(now), nil
}

// Heat implements State.
func (m *Memory) Heat(_ context.Context, key string, until time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	e := m.get(key, until)
	if s := secs(until); s > e.hot {
		e.hot = s
	}
	return nil
}
