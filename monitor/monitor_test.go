package monitor

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/rampart-dev/rampart"
)

func loadFixtures(t testing.TB) map[string][]*Fixture {
	t.Helper()
	files, err := filepath.Glob("testdata/fixtures/*.json")
	if err != nil || len(files) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	out := map[string][]*Fixture{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		fx, err := ParseFixtures(b)
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out[strings.TrimSuffix(filepath.Base(f), ".json")] = fx
	}
	return out
}

// TestFixtures runs every fixture through a fresh engine: attacks produce
// exactly their detections, benign sequences none.
func TestFixtures(t *testing.T) {
	pack := MustBuiltin()
	all := loadFixtures(t)
	for _, r := range pack.Rules() {
		fx := all[r.Name]
		attack, benign := 0, 0
		for _, f := range fx {
			if f.Attack {
				attack++
			} else {
				benign++
			}
		}
		if attack == 0 || benign == 0 {
			t.Errorf("rule %s needs attack and benign fixtures (has %d and %d)", r.Name, attack, benign)
		}
	}
	for file, fx := range all {
		for _, f := range fx {
			t.Run(file+"/"+f.Name, func(t *testing.T) {
				events, err := f.Expand()
				if err != nil {
					t.Fatal(err)
				}
				g := NewEngine(pack, NewMemory(0))
				got := map[string]int{}
				// In batches, as the feed hands them over.
				for b := range slices.Chunk(events, 500) {
					ds, err := g.Process(context.Background(), "t1", b, f.Policy)
					if err != nil {
						t.Fatal(err)
					}
					for _, d := range ds {
						got[d.DedupKey] += d.Count
					}
				}
				keys := make([]string, 0, len(got))
				for k := range got {
					keys = append(keys, k)
				}
				slices.Sort(keys)
				want := slices.Clone(f.Expect)
				slices.Sort(want)
				if !slices.Equal(keys, want) {
					t.Fatalf("detections %v, want %v", got, want)
				}
			})
		}
	}
}

// TestIdenticalEventsOneDetection: after a key fires, its further events
// join the same detection (the store merges them into one incident).
func TestIdenticalEventsOneDetection(t *testing.T) {
	g := NewEngine(MustBuiltin(), NewMemory(0))
	events := make([]Event, 10000)
	for i := range events {
		events[i] = Event{ID: "e", Seq: int64(i + 1), Type: "login_failure", UserID: "u1", IP: "203.0.113.1",
			Time: FixtureStart.Add(time.Duration(i) * 10 * time.Millisecond), Details: map[string]string{"email_key": "k"}}
	}
	total, opening := 0, 0
	for b := range slices.Chunk(events, 500) {
		ds, err := g.Process(context.Background(), "t1", b, nil)
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range ds {
			total += d.Count
			if d.Opening {
				opening++
			}
		}
	}
	if opening != 1 || total != 10000 {
		t.Fatalf("opening %d detections counting %d events, want 1 and 10000", opening, total)
	}
}

// TestReplayCountsOnce: a batch handled again (rolled back, or raced by
// another replica) is not counted twice, and a key it made fire still
// reports.
func TestReplayCountsOnce(t *testing.T) {
	g := NewEngine(MustBuiltin(), NewMemory(0))
	ev := func(seq int) Event {
		return Event{ID: "e", Seq: int64(seq), Type: "mfa_failure", UserID: "u1", Time: FixtureStart.Add(time.Duration(seq) * time.Second)}
	}
	first := []Event{ev(1), ev(2), ev(3)}
	for range 3 {
		if ds, _ := g.Process(context.Background(), "t1", first, nil); len(ds) != 0 {
			t.Fatalf("3 failures counted as more: %v", ds)
		}
	}
	second := []Event{ev(4), ev(5)}
	ds, _ := g.Process(context.Background(), "t1", second, nil)
	if len(ds) != 1 || !ds[0].Opening {
		t.Fatalf("fifth failure: %v", ds)
	}
	ds, _ = g.Process(context.Background(), "t1", second, nil)
	if len(ds) != 1 {
		t.Fatalf("replayed batch lost its detection: %v", ds)
	}
}

func TestPolicy(t *testing.T) {
	pack := MustBuiltin()
	off := []string{}
	for _, c := range []struct {
		p     Policy
		field string
	}{
		{Policy{Rules: map[string]Override{"nope": {}}}, "s.rules.nope"},
		{Policy{Rules: map[string]Override{RuleCredentialStuffing: {Threshold: 1000}}}, "s.rules.credential_stuffing.threshold"},
		{Policy{Rules: map[string]Override{RuleCredentialStuffing: {Threshold: 2}}}, "s.rules.credential_stuffing.threshold"},
		{Policy{Rules: map[string]Override{RuleAuditChain: {Disabled: true}}}, "s.rules.audit_chain_broken.disabled"},
		{Policy{Rules: map[string]Override{RuleMFAFailureBurst: {Severity: "dire"}}}, "s.rules.mfa_failure_burst.severity"},
		{Policy{Rules: map[string]Override{RuleMFAFailureBurst: {WindowSeconds: -1}}}, "s.rules.mfa_failure_burst.window_seconds"},
		{Policy{Rules: map[string]Override{RuleMFAFailureBurst: {Remediate: &[]string{"nuke"}}}}, "s.rules.mfa_failure_burst.remediate[0]"},
		{Policy{SecurityContacts: []string{"not an address"}}, "s.security_contacts[0]"},
		{Policy{NotifySeverity: "loud"}, "s.notify_severity"},
		{Policy{Rules: map[string]Override{RuleMFAFailureBurst: {Disabled: true, Threshold: 3, Remediate: &off}}, SecurityContacts: []string{"sec@acme.io"}}, ""},
	} {
		err := c.p.Validate("s", pack)
		if c.field == "" {
			if err != nil {
				t.Errorf("%+v: %v", c.p, err)
			}
			continue
		}
		var re *rampart.Error
		if rampart.ErrorCode(err) != rampart.EUnprocessable || !asError(err, &re) || re.Field != c.field {
			t.Errorf("%+v: %v, want 422 naming %s", c.p, err, c.field)
		}
	}
}

func TestOverrides(t *testing.T) {
	g := NewEngine(MustBuiltin(), NewMemory(0))
	p := &Policy{Rules: map[string]Override{RuleMFAFailureBurst: {Threshold: 2, Severity: Critical}, RulePermissionDenied: {Disabled: true}}}
	events := []Event{
		{ID: "1", Seq: 1, Type: "mfa_failure", UserID: "u", Time: FixtureStart},
		{ID: "2", Seq: 2, Type: "mfa_failure", UserID: "u", Time: FixtureStart},
	}
	for i := range 30 {
		events = append(events, Event{ID: "p", Seq: int64(3 + i), Type: "permission_denied", UserID: "u", Time: FixtureStart})
	}
	ds, err := g.Process(context.Background(), "t", events, p)
	if err != nil || len(ds) != 1 || ds[0].Rule != RuleMFAFailureBurst || ds[0].Severity != Critical {
		t.Fatalf("got %v, %v", ds, err)
	}
}

func TestMemoryBounded(t *testing.T) {
	m := NewMemory(1000)
	ctx := context.Background()
	for i := range 10000 {
		m.Bucket(ctx, "k"+string(rune(i)), 1, time.Minute, 0, FixtureStart)
	}
	if n := m.Len(); n > 1000 {
		t.Fatalf("%d keys held, limit 1000", n)
	}
	m.Sweep(FixtureStart.Add(time.Hour))
	if n := m.Len(); n != 0 {
		t.Fatalf("%d keys after they expired", n)
	}
}

func asError(err error, target **rampart.Error) bool {
	e, ok := err.(*rampart.Error)
	*target = e
	return ok
}
