package monitor

import (
	"context"
	"fmt"
	"runtime"
	"testing"
	"time"
)

// benchPack is the built-in pack and copies of four of its rules under
// other names: twenty rules.
func benchPack(tb testing.TB) *Pack {
	rules := Builtin()
	for i, r := range rules[:4] {
		r.Name = fmt.Sprintf("extra_%d", i)
		rules = append(rules, r)
	}
	if len(rules) != 20 {
		tb.Fatalf("%d rules", len(rules))
	}
	p, err := NewPack(rules)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

// benchEvents is a mix of what a busy tenant writes: logins and failures
// over many users and addresses, denials, data access, rate limits.
func benchEvents(n, keys int) []Event {
	types := []string{"login_success", "login_failure", "login_failure", "permission_denied", "data_access", "api_rate_limit", "mfa_failure", "guard_blocked", "config_change", "logout"}
	out := make([]Event, n)
	for i := range out {
		k := (i * 7919) % keys
		out[i] = Event{ID: fmt.Sprintf("e%d", i), Seq: int64(i + 1), Type: types[i%len(types)], UserID: fmt.Sprintf("u-%d", k),
			IP: fmt.Sprintf("10.%d.%d.%d", k>>16&255, k>>8&255, k&255), Time: FixtureStart.Add(time.Duration(i) * time.Millisecond),
			Details: map[string]string{"email_key": fmt.Sprintf("k%d", k), "sampled_one_in": "1"}}
	}
	return out
}

// BenchmarkEngine measures events through twenty rules on one core, with
// in-memory state; events/s is the figure (docs/benchmarks.md).
func BenchmarkEngine(b *testing.B) {
	g := NewEngine(benchPack(b), NewMemory(0))
	events := benchEvents(1<<16, 10000)
	ctx := context.Background()
	b.ReportAllocs()
	b.ResetTimer()
	seq := int64(0)
	for i := 0; i < b.N; i += 500 {
		chunk := events[(i%len(events))&^511:][:500]
		for j := range chunk {
			seq++
			chunk[j].Seq = seq
		}
		if _, err := g.Process(ctx, "tenant-00000000-0000-0000-0000-000000000000", chunk, nil); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// TestStatePerKey measures the memory of live keys: the heap grown by a
// hundred thousand keys' state, divided by their number.
func TestStatePerKey(t *testing.T) {
	if testing.Short() {
		t.Skip("measures the heap")
	}
	g := NewEngine(benchPack(t), NewMemory(0))
	events := benchEvents(200000, 100000)
	m := g.state.(*Memory)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := 0; i < len(events); i += 500 {
		if _, err := g.Process(context.Background(), "tenant-00000000-0000-0000-0000-000000000000", events[i:i+500], nil); err != nil {
			t.Fatal(err)
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	runtime.KeepAlive(events)
	per := float64(after.HeapAlloc-before.HeapAlloc) / float64(m.Len())
	t.Logf("%d live keys, %.0f bytes each", m.Len(), per)
	if per > 200 {
		t.Errorf("%.0f bytes per live key, want <= 200", per)
	}
	runtime.KeepAlive(m)
}
