package incident

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/feed"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/storetest"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/monitor"
	"github.com/rampart-dev/rampart/store"
)

// revocations records what remediation told the replicas.
type revocations struct {
	mu   sync.Mutex
	msgs []string
}

func (r *revocations) add(m string)                                  { r.mu.Lock(); r.msgs = append(r.msgs, m); r.mu.Unlock() }
func (r *revocations) RevokedUser(_ context.Context, id string)      { r.add("u:" + id) }
func (r *revocations) RevokedTenant(_ context.Context, id string)    { r.add("t:" + id) }
func (r *revocations) RevokedAPIKey(_ context.Context, id string)    { r.add("a:" + id) }
func (r *revocations) CatalogueChanged(_ context.Context, id string) { r.add("c:" + id) }
func (r *revocations) has(m string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Contains(r.msgs, m)
}
func stuffing(ip string, n int, at time.Time) (out []monitor.Event) {
	for i := range n {
		out = append(out, monitor.Event{Type: "login_failure", IP: ip, Time: at.Add(time.Duration(i) * time.Second),
			Details: map[string]string{"email_key": fmt.Sprintf("stuffed-%d", i), "reason": "unknown_user"}})
	}
	return out
}

func tenantPolicy(t *testing.T, st *store.Store, id string) identity.TenantPolicy {
	t.Helper()
	var tn *identity.Tenant
	if err := st.ReadTenant(context.Background(), id, func(tx *store.Tx) (err error) { tn, err = tx.Tenant(context.Background(), id); return err }); err != nil {
		t.Fatal(err)
	}
	return tn.Policy
}

// TestAutomaticRemediation: credential stuffing declares block_ip, which
// runs once the incident's transaction has committed: the address is
// denied for AutoBlockFor (then no longer, and the purge removes it), the
// action is audited naming the incident and is on the timeline. A tenant's
// override replaces the actions; one that cannot apply is noted as failed.
func TestAutomaticRemediation(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, d)
			clock := time.Now()
			now := func() time.Time { return clock }
			rv := &revocations{}
			svc := New(Deps{Store: st, Engine: monitor.NewEngine(monitor.BuiltinPack(), monitor.NewMemory(0)), Revoke: rv, Block: st, Now: now})
			f := &feed.Follower{Store: st, Consumer: Consumer, Handle: svc.Handle, Committed: svc.Committed}
			tn := newTenant(t, st, nil)
			appendEvents(t, st, tn.ID, stuffing("203.0.113.9", 25, clock))
			drain(t, f)
			p := tenantPolicy(t, st, tn.ID)
			until, ok := p.IPDenyUntil["203.0.113.9/32"]
			if !slices.Contains(p.IPDeny, "203.0.113.9/32") || !ok || until.Sub(clock) > AutoBlockFor || until.Sub(clock) < AutoBlockFor-2*time.Second {
				t.Fatalf("policy after the incident: %+v", p)
			}
			if !rv.has("c:" + tn.ID) {
				t.Errorf("no catalogue drop: %v", rv.msgs)
			}
			list, _ := svc.List(ctx, tn.ID, store.IncidentFilter{})
			if len(list) != 1 {
				t.Fatalf("incidents %v", list)
			}
			in := list[0]
			last := in.Timeline[len(in.Timeline)-1]
			if last.Kind != "action" || last.Actor != AutoActor || last.Action != monitor.ActionBlockIP {
				t.Errorf("timeline %+v", in.Timeline)
			}
			var acts []*audit.Event
			st.ReadTenant(ctx, tn.ID, func(tx *store.Tx) (err error) {
				acts, err = tx.FeedEvents(ctx, 0, []string{string(audit.IncidentAction)}, 10)
				return err
			})
			if len(acts) != 1 || acts[0].Details["incident_id"] != in.ID || acts[0].Details["automatic"] != true {
				t.Fatalf("incident_action events: %v", acts)
			}
			// The block honours its end at once; the purge removes it.
			if r, _, _ := p.IPRulesAt(clock); r.Check("203.0.113.9") == 0 {
				t.Error("address not denied")
			}
			if r, _, _ := p.IPRulesAt(until); r.Check("203.0.113.9") != 0 {
				t.Error("address still denied after the block's end")
			}
			if n, err := svc.ExpireBlocks(ctx); err != nil || n != 0 {
				t.Fatalf("expire before the end: %d %v", n, err)
			}
			clock = until.Add(time.Second)
			if n, err := svc.ExpireBlocks(ctx); err != nil || n != 1 {
				t.Fatalf("expire: %d %v", n, err)
			}
			if p := tenantPolicy(t, st, tn.ID); len(p.IPDeny) != 0 || len(p.IPDenyUntil) != 0 {
				t.Errorf("policy after the purge: %+v", p)
			}

			// A tenant turns block_ip off for the rule and asks for an
			// action that cannot apply (the incident names no user).
			none, bad := []string{}, []string{monitor.ActionRevokeUserSessions}
			for _, c := range []struct {
				remediate *[]string
				kind      string
			}{{&none, "opened"}, {&bad, "action_failed"}} {
				tn := newTenant(t, st, &monitor.Policy{Rules: map[string]monitor.Override{monitor.RuleCredentialStuffing: {Remediate: c.remediate}}})
				appendEvents(t, st, tn.ID, stuffing("203.0.113.10", 25, clock))
				drain(t, f)
				if p := tenantPolicy(t, st, tn.ID); len(p.IPDeny) != 0 {
					t.Errorf("remediate %v: address denied", *c.remediate)
				}
				list, _ := svc.List(ctx, tn.ID, store.IncidentFilter{})
				if len(list) != 1 || list[0].Timeline[len(list[0].Timeline)-1].Kind != c.kind {
					t.Errorf("remediate %v: incidents %+v", *c.remediate, list)
				}
			}
		})
	}
}

// TestLowerAPIKey: lower_api_key moves the key of an incident one tier
// down (never below basic) instead of revoking it.
func TestLowerAPIKey(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, d)
			rv := &revocations{}
			svc := New(Deps{Store: st, Engine: monitor.NewEngine(monitor.BuiltinPack(), monitor.NewMemory(0)), Revoke: rv, Block: st})
			tn := newTenant(t, st, nil)
			now := time.Now().UTC()
			k := &identity.APIKey{ID: uuid.NewString(), TenantID: tn.ID, Name: "ci", Hash: "h", Role: "member", RateLimitTier: "premium", CreatedBy: "u", CreatedAt: now}
			var in *store.Incident
			if err := st.InTenant(ctx, tn.ID, func(tx *store.Tx) (err error) {
				if err := tx.CreateAPIKey(ctx, k); err != nil {
					return err
				}
				in, _, err = tx.RecordIncident(ctx, store.IncidentHit{Rule: monitor.RuleRateLimitSurge, Severity: "medium", DedupKey: "k",
					UserID: "apikey:" + k.ID, First: now, Last: now, Count: 1}, now)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			for _, want := range []string{"standard", "basic", "basic"} {
				if _, err := svc.Act(ctx, tn.ID, in.ID, Action{Name: monitor.ActionLowerAPIKey}, audit.Actor{UserID: "admin"}); err != nil {
					t.Fatal(err)
				}
				var got *identity.APIKey
				st.ReadTenant(ctx, tn.ID, func(tx *store.Tx) (err error) { got, err = tx.APIKey(ctx, k.ID); return err })
				if got.RateLimitTier != want || !got.RevokedAt.IsZero() {
					t.Fatalf("key after lowering: tier %q revoked %v, want %q", got.RateLimitTier, got.RevokedAt, want)
				}
			}
			if !rv.has("a:" + k.ID) {
				t.Errorf("no key cache drop: %v", rv.msgs)
			}
		})
	}
}
