package ratelimit

import (
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func admitted(m *Memory, id string, l *Limit, n int, at time.Time) int {
	ok := 0
	var r Result
	for i := 0; i < n; i++ {
		m.Decide(id, []*Limit{l}, 1, at, &r)
		if r.Allowed {
			ok++
		}
	}
	return ok
}

var base = time.Unix(1_800_000_000, 0) // a minute boundary

func TestFixedWindowBoundaryBurst(t *testing.T) {
	m := NewMemory()
	l := &Limit{Name: "f", Rate: 10, Period: time.Minute, Algorithm: FixedWindow}
	// The documented weakness: the end of one window and the start of the
	// next admit twice the rate within two seconds.
	if n := admitted(m, "c", l, 20, base.Add(59*time.Second)) + admitted(m, "c", l, 20, base.Add(61*time.Second)); n != 20 {
		t.Fatalf("fixed window admitted %d across the boundary, want 20 (2x)", n)
	}
	var r Result
	m.Decide("c", []*Limit{l}, 1, base.Add(62*time.Second), &r)
	if r.Allowed || r.Decisions[0].RetryAfter != 58*time.Second {
		t.Fatalf("refusal %+v", r.Decisions[0])
	}
}

func TestSlidingWindowHasNoBoundaryBurst(t *testing.T) {
	m := NewMemory()
	l := &Limit{Name: "s", Rate: 10, Period: time.Minute, Algorithm: SlidingWindow}
	if n := admitted(m, "c", l, 20, base.Add(59*time.Second)) + admitted(m, "c", l, 20, base.Add(61*time.Second)); n != 10 {
		t.Fatalf("sliding window admitted %d across the boundary, want 10", n)
	}
	// Half a window later half the previous count has faded.
	if n := admitted(m, "c", l, 20, base.Add(90*time.Second)); n != 5 {
		t.Fatalf("after half a window: %d, want 5", n)
	}
}

func TestGCRA(t *testing.T) {
	m := NewMemory()
	l := &Limit{Name: "g", Rate: 60, Period: time.Minute, Algorithm: GCRA}
	if n := admitted(m, "c", l, 100, base); n != 60 {
		t.Fatalf("burst admitted %d, want 60", n)
	}
	var r Result
	m.Decide("c", []*Limit{l}, 1, base, &r)
	if r.Allowed || r.Decisions[0].RetryAfter != time.Second {
		t.Fatalf("refusal %+v", r.Decisions[0])
	}
	// One token comes back per second.
	if n := admitted(m, "c", l, 5, base.Add(3*time.Second)); n != 3 {
		t.Fatalf("after 3 s: %d, want 3", n)
	}
}

// TestRefusedRequestsCountNowhere: a request refused by one limit does not
// spend another limit's budget.
func TestRefusedRequestsCountNowhere(t *testing.T) {
	m := NewMemory()
	minute := &Limit{Name: "minute", Rate: 2, Period: time.Minute, Algorithm: FixedWindow}
	day := &Limit{Name: "day", Rate: 100, Period: 24 * time.Hour, Algorithm: FixedWindow}
	var r Result
	for i := 0; i < 10; i++ {
		m.Decide("c", []*Limit{minute, day}, 1, base, &r)
	}
	if r.Allowed || r.Decisions[1].Remaining != 98-1 && r.Decisions[1].Allowed {
		t.Fatalf("last decision %+v", r.Decisions)
	}
	m.Decide("c", []*Limit{day}, 1, base, &r)
	if r.Decisions[0].Remaining != 97 {
		t.Fatalf("day budget spent by refused requests: remaining %d, want 97", r.Decisions[0].Remaining)
	}
	if tight := r.Tightest(); tight.Limit != day {
		t.Fatal("tightest")
	}
}

// TestParallelExactness: 100 goroutines hammering a limit of 50 admit exactly 50.
func TestParallelExactness(t *testing.T) {
	for _, alg := range []Algorithm{FixedWindow, SlidingWindow, GCRA} {
		m := NewMemory()
		l := &Limit{Name: "p", Rate: 50, Period: time.Hour, Algorithm: alg}
		var ok atomic.Int64
		var wg sync.WaitGroup
		for g := 0; g < 100; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var r Result
				for i := 0; i < 10; i++ {
					m.Decide("shared", []*Limit{l}, 1, base, &r)
					if r.Allowed {
						ok.Add(1)
					}
				}
			}()
		}
		wg.Wait()
		if ok.Load() != 50 {
			t.Errorf("%s admitted %d, want 50", alg, ok.Load())
		}
	}
}

func TestSweepAndValidation(t *testing.T) {
	m := NewMemory()
	l := &Limit{Name: "f", Rate: 1, Period: time.Second, Algorithm: FixedWindow}
	admitted(m, "a", l, 1, base)
	if n := m.Sweep(base.Add(time.Minute)); n != 1 {
		t.Fatalf("swept %d", n)
	}
	if err := DefaultTiers().Validate(); err != nil {
		t.Fatal(err)
	}
	bad := DefaultTiers()
	bad["gold"] = bad["basic"]
	if err := bad.Validate(); err == nil || !contains(err.Error(), "gold") {
		t.Fatalf("unknown tier: %v", err)
	}
	bad = DefaultTiers()
	bad["basic"]["uploads"] = Limit{Name: "uploads", Rate: 1, Period: time.Second, Algorithm: GCRA}
	if err := bad.Validate(); err == nil || !contains(err.Error(), "uploads") {
		t.Fatalf("unknown operation: %v", err)
	}
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}

func TestDecideDoesNotAllocate(t *testing.T) {
	m := NewMemory()
	tiers := DefaultTiers()["standard"]
	limits := []*Limit{ptr(tiers[OpAPICalls]), ptr(tiers[OpModelRequests]), ptr(tiers[OpDailyQuota])}
	var r Result
	m.Decide("client", limits, 1, base, &r)
	if n := testing.AllocsPerRun(1000, func() { m.Decide("client", limits, 1, base, &r) }); n != 0 {
		t.Fatalf("%v allocations per decision", n)
	}
}

func ptr(l Limit) *Limit { return &l }

// BenchmarkMemoryDecide measures one in-memory decision of one limit, per
// core:
//
//	go test -run '^$' -bench MemoryDecide -benchmem -cpu 1 ./ratelimit
func BenchmarkMemoryDecide(b *testing.B) {
	m := NewMemory()
	l := &Limit{Name: "api_calls", Rate: 1_000_000_000, Period: time.Minute, Algorithm: GCRA}
	limits := []*Limit{l}
	var r Result
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		m.Decide("client-42", limits, 1, now, &r)
	}
}

func TestParseTiers(t *testing.T) {
	tiers, err := ParseTiers([]byte(`{"premium": {"api_calls": {"rate": 20000, "period": "30s", "algorithm": "gcra"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	if l := tiers["premium"][OpAPICalls]; l.Rate != 20000 || l.Period != 30*time.Second || l.Algorithm != GCRA {
		t.Fatalf("override: %+v", l)
	}
	if tiers["basic"][OpAPICalls].Rate != 100 || tiers["premium"][OpDailyQuota].Rate != 1_000_000 {
		t.Fatal("defaults lost")
	}
	for in, want := range map[string]string{
		`{"gold": {}}`:                                       `unknown tier "gold"`,
		`{"basic": {"uploads": {"rate": 1}}}`:                `unknown operation "uploads"`,
		`{"basic": {"api_calls": {"rate": 1, "per": "1m"}}}`: `unknown field "per"`,
		`{"basic": {"api_calls": {"algorithm": "leaky"}}}`:   `unknown algorithm "leaky"`,
		`{"basic": {"api_calls": {"period": "soon"}}}`:       `period "soon"`,
		`{"basic": {"api_calls": {"rate": -5}}}`:             `rate must be at least 1`,
		`[1]`:                                                `not a JSON object`,
	} {
		if _, err := ParseTiers([]byte(in)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", in, err, want)
		}
	}
}
