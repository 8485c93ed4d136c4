package incident

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/feed"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/storetest"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/monitor"
	"github.com/rampart-dev/rampart/store"
)

func newTenant(t testing.TB, st *store.Store, p *monitor.Policy) *identity.Tenant {
	t.Helper()
	now := time.Now()
	id := uuid.NewString()
	tn := &identity.Tenant{ID: id, Slug: "t-" + id[:8], Name: "Acme", Status: identity.TenantActive, CreatedAt: now, UpdatedAt: now,
		Policy: identity.TenantPolicy{Monitoring: p}}
	if err := st.AsOperator(context.Background(), func(tx *store.Tx) error { return tx.CreateTenant(context.Background(), tn) }); err != nil {
		t.Fatal(err)
	}
	return tn
}

// appendEvents writes fixture events into the tenant's audit log.
func appendEvents(t testing.TB, st *store.Store, tenantID string, events []monitor.Event) {
	t.Helper()
	ctx := context.Background()
	for b := range slices.Chunk(events, 2000) {
		err := st.InTenant(ctx, tenantID, func(tx *store.Tx) error {
			for _, e := range b {
				d := map[string]any{}
				for k, v := range e.Details {
					d[k] = v
				}
				if err := tx.AppendAudit(ctx, &audit.Event{Type: audit.Type(e.Type), UserID: e.UserID, IP: e.IP, Resource: e.Resource,
					Success: e.Success, Details: d, CreatedAt: e.Time}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

func drain(t testing.TB, f *feed.Follower) {
	t.Helper()
	for {
		more, err := f.Step(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		if !more {
			return
		}
	}
}

type mails struct{ sent []string }

func (m *mails) QueueMail(ctx context.Context, tx *store.Tx, to, kind string, data map[string]any, brand courier.Brand, key string) error {
	if _, _, _, err := courier.Render(kind, data, brand); err != nil {
		return err
	}
	m.sent = append(m.sent, to)
	return nil
}

// TestFixturesOnStores runs every fixture through the audit log, the feed
// and the incidents table of both stores: attacks open exactly their
// incidents, benign sequences none.
func TestFixturesOnStores(t *testing.T) {
	files, _ := filepath.Glob("../monitor/testdata/fixtures/*.json")
	if len(files) == 0 {
		t.Fatal("no fixtures")
	}
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			st := storetest.Open(t, d)
			svc := New(Deps{Store: st, Engine: monitor.NewEngine(monitor.BuiltinPack(), monitor.NewMemory(0))})
			f := &feed.Follower{Store: st, Consumer: Consumer, Handle: svc.Handle, Batch: 500}
			for _, file := range files {
				b, err := os.ReadFile(file)
				if err != nil {
					t.Fatal(err)
				}
				fixtures, err := monitor.ParseFixtures(b)
				if err != nil {
					t.Fatal(err)
				}
				for _, fx := range fixtures {
					name := strings.TrimSuffix(filepath.Base(file), ".json") + "/" + fx.Name
					events, err := fx.Expand()
					if err != nil {
						t.Fatal(err)
					}
					tn := newTenant(t, st, fx.Policy)
					appendEvents(t, st, tn.ID, events)
					drain(t, f)
					list, err := svc.List(context.Background(), tn.ID, store.IncidentFilter{})
					if err != nil {
						t.Fatal(err)
					}
					var got []string
					total := int64(0)
					for _, in := range list {
						got = append(got, in.DedupKey)
						total += in.EventCount
					}
					slices.Sort(got)
					want := slices.Clone(fx.Expect)
					slices.Sort(want)
					if !slices.Equal(got, want) {
						t.Errorf("%s: incidents %v, want %v", name, got, want)
					}
					if strings.HasPrefix(fx.Name, "ten thousand") && (len(list) != 1 || list[0].EventCount != 10000) {
						t.Errorf("%s: %d incidents, first counting %d events; want one of 10000", name, len(list), list[0].EventCount)
					}
				}
			}
		})
	}
}

func TestIncidentLifecycle(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			st := storetest.Open(t, d)
			m := &mails{}
			svc := New(Deps{Store: st, Engine: monitor.NewEngine(monitor.BuiltinPack(), monitor.NewMemory(0)), Mail: m})
			f := &feed.Follower{Store: st, Consumer: Consumer, Handle: svc.Handle}
			tn := newTenant(t, st, &monitor.Policy{SecurityContacts: []string{"sec@acme.io", "soc@acme.io"}})
			now := time.Now()
			var events []monitor.Event
			for i := range 6 {
				events = append(events, monitor.Event{Type: "mfa_failure", UserID: "u1", IP: "203.0.113.5", Time: now.Add(time.Duration(i) * time.Second)})
			}
			appendEvents(t, st, tn.ID, events)
			drain(t, f)
			list, _ := svc.List(ctx, tn.ID, store.IncidentFilter{Status: "open"})
			if len(list) != 1 || list[0].Rule != monitor.RuleMFAFailureBurst || list[0].Severity != "medium" || len(m.sent) != 2 {
				t.Fatalf("incidents %+v, mails %v", list, m.sent)
			}
			in := list[0]
			if len(in.EventIDs) != 6 || in.EventCount != 6 {
				t.Errorf("events %v, count %d", in.EventIDs, in.EventCount)
			}
			// The opening is audited (and so reaches webhooks).
			var opened []*audit.Event
			st.ReadTenant(ctx, tn.ID, func(tx *store.Tx) (err error) {
				opened, err = tx.FeedEvents(ctx, 0, []string{string(audit.IncidentOpened)}, 10)
				return err
			})
			if len(opened) != 1 || opened[0].Details["incident_id"] != in.ID {
				t.Fatalf("incident_opened events: %v", opened)
			}
			actor := audit.Actor{UserID: "admin-1", IP: "198.51.100.1"}
			for _, c := range []struct {
				ch   Change
				code string
			}{
				{Change{Status: "open"}, rampart.EUnprocessable},
				{Change{}, rampart.EUnprocessable},
				{Change{Status: "acknowledged", Note: "looking"}, ""},
				{Change{Note: "it was a test"}, ""},
				{Change{Status: "resolved"}, ""},
				{Change{Status: "acknowledged"}, rampart.EConflict},
			} {
				_, err := svc.Update(ctx, tn.ID, in.ID, c.ch, actor)
				if (c.code == "" && err != nil) || (c.code != "" && rampart.ErrorCode(err) != c.code) {
					t.Errorf("%+v: %v, want %q", c.ch, err, c.code)
				}
			}
			got, err := svc.Get(ctx, tn.ID, in.ID)
			if err != nil || got.Status != "resolved" {
				t.Fatalf("%+v %v", got, err)
			}
			kinds := []string{}
			for _, e := range got.Timeline {
				kinds = append(kinds, e.Kind)
			}
			if !slices.Equal(kinds, []string{"opened", "notified", "status", "note", "status"}) {
				t.Errorf("timeline %v", kinds)
			}
			var updated []*audit.Event
			st.ReadTenant(ctx, tn.ID, func(tx *store.Tx) (err error) {
				updated, err = tx.FeedEvents(ctx, 0, []string{string(audit.IncidentUpdated)}, 10)
				return err
			})
			if len(updated) != 3 {
				t.Errorf("%d incident_updated events, want 3", len(updated))
			}
			if _, err := svc.List(ctx, tn.ID, store.IncidentFilter{Severity: "dire"}); rampart.ErrorCode(err) != rampart.EUnprocessable {
				t.Errorf("unknown severity: %v", err)
			}
			// The same key again within five minutes: a new incident, no
			// second e-mail.
			events = events[:0]
			for i := range 6 {
				events = append(events, monitor.Event{Type: "mfa_failure", UserID: "u1", IP: "203.0.113.5", Time: now.Add(time.Duration(20+i) * time.Second)})
			}
			appendEvents(t, st, tn.ID, events)
			drain(t, f)
			list, _ = svc.List(ctx, tn.ID, store.IncidentFilter{})
			if len(list) != 2 || len(m.sent) != 2 {
				t.Errorf("%d incidents, %d mails; want 2 and 2", len(list), len(m.sent))
			}
		})
	}
}

// TestBrokenChainOpensCriticalIncident: a chain whose head was altered is
// found by the verification job, and the rule opens a critical incident
// even for a tenant whose settings try to turn it off.
func TestBrokenChainOpensCriticalIncident(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "r.db")
	st, err := store.Open(ctx, "sqlite:"+path, "")
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	svc := New(Deps{Store: st, Engine: monitor.NewEngine(monitor.BuiltinPack(), monitor.NewMemory(0))})
	f := &feed.Follower{Store: st, Consumer: Consumer, Handle: svc.Handle}
	intact := newTenant(t, st, nil)
	tn := newTenant(t, st, &monitor.Policy{Rules: map[string]monitor.Override{monitor.RuleAuditChain: {Disabled: true}}})
	appendEvents(t, st, tn.ID, []monitor.Event{{Type: "logout", UserID: "u1", Time: time.Now()}})
	if out, err := svc.VerifyChains(ctx); err != nil || out != "2 tenants verified, 0 chains broken" {
		t.Fatalf("%s %v", out, err)
	}
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec("UPDATE audit_heads SET hash = ? WHERE tenant_id = ?", strings.Repeat("0", 64), tn.ID); err != nil {
		t.Fatal(err)
	}
	if out, err := svc.VerifyChains(ctx); err != nil || out != "2 tenants verified, 1 chains broken" {
		t.Fatalf("%s %v", out, err)
	}
	drain(t, f)
	list, _ := svc.List(ctx, tn.ID, store.IncidentFilter{})
	if len(list) != 1 || list[0].Rule != monitor.RuleAuditChain || list[0].Severity != "critical" {
		t.Fatalf("incidents %+v", list)
	}
	if list, _ := svc.List(ctx, intact.ID, store.IncidentFilter{}); len(list) != 0 {
		t.Fatalf("intact tenant: %+v", list)
	}
}
