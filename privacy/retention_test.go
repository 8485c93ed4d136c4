package privacy

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

type fixedPreset string

func (p fixedPreset) RolePreset(context.Context, string) (string, error) { return string(p), nil }

// TestRetentionPolicies checks the defaults by preset, the validation (422
// naming the field) and that a stored set replaces the defaults.
func TestRetentionPolicies(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t, testdb.Dialects[0])
	r := NewRetention(Retention{Store: f.st, Presets: fixedPreset(authz.PresetCoaching)})
	set, err := r.Policies(ctx, f.tenant)
	if err != nil || set.Source != "default:coaching" {
		t.Fatalf("coaching defaults: %+v %v", set, err)
	}
	want := map[string]int{"user_interactions": 730, "conversation_history": 365, "analytics_data": 1095, "audit_logs": 2555, "billing_data": 2555}
	for _, p := range set.Policies {
		if d, ok := want[p.Category]; ok {
			if p.Days != d || !p.Platform {
				t.Errorf("%s: %+v", p.Category, p)
			}
			delete(want, p.Category)
		}
	}
	if len(want) != 0 {
		t.Fatalf("coaching table missing %v", want)
	}
	plain := NewRetention(Retention{Store: f.st})
	if set, _ := plain.Policies(ctx, f.tenant); set.Source != "default" || len(set.Policies) != len(OwnCategories) {
		t.Fatalf("standard defaults: %+v", set)
	}
	for _, bad := range []struct {
		in    []Policy
		field string
	}{
		{[]Policy{{Category: "sessions", Days: 0, Action: "delete"}}, "policies[0].days"},
		{[]Policy{{Category: "sessions", Days: 30, Action: "shred"}}, "policies[0].action"},
		{[]Policy{{Category: "audit_details", Days: 30, Action: "delete"}}, "policies[0].action"},
		{[]Policy{{Category: "chats", Days: 30, Action: "delete"}}, "policies[0].category"},
		{[]Policy{{Category: "sessions", Days: 30, Action: "delete", Platform: true}}, "policies[0].platform"},
		{[]Policy{{Category: "chats", Days: 30, Action: "delete", Platform: true, Systems: []string{"crm"}}}, "policies[0].systems[0]"},
		{[]Policy{{Category: "sessions", Days: 30, Action: "delete"}, {Category: "sessions", Days: 9, Action: "delete"}}, "policies[1].category"},
	} {
		_, err := plain.SetPolicies(ctx, f.tenant, audit.Actor{}, bad.in)
		var e *rampart.Error
		if rampart.ErrorCode(err) != rampart.EUnprocessable || !errors.As(err, &e) || e.Field != bad.field {
			t.Errorf("%+v: %v, want 422 naming %s", bad.in, err, bad.field)
		}
	}
	set, err = plain.SetPolicies(ctx, f.tenant, audit.Actor{UserID: "admin"}, []Policy{{Category: "usage_logs", Days: 10, Action: AnonymizeAlias}})
	if err != nil || set.Source != "tenant" || len(set.Policies) != 1 || set.Policies[0].Action != ActionAnonymise {
		t.Fatalf("set: %+v %v", set, err)
	}
	if set, _ = plain.SetPolicies(ctx, f.tenant, audit.Actor{}, nil); set.Source != "default" {
		t.Fatalf("reset: %+v", set)
	}
}

// seedRetention writes, in one tenant, usage records, consent records and
// audit events (guardrail ones among them) at old and recent times.
func seedRetention(t *testing.T, f *fixture, old, recent time.Time) {
	t.Helper()
	ctx := context.Background()
	err := f.st.InTenant(ctx, f.tenant, func(tx *store.Tx) error {
		var usage []*store.AIUsage
		for i := range 30 {
			usage = append(usage, &store.AIUsage{ID: uuid.NewString(), CreatedAt: old.Add(time.Duration(i) * time.Second), UserID: "u1", Endpoint: "chat", Model: "m", Status: 200})
		}
		for i := range 5 {
			usage = append(usage, &store.AIUsage{ID: uuid.NewString(), CreatedAt: recent.Add(time.Duration(i) * time.Second), UserID: "u1", Endpoint: "chat", Model: "m", Status: 200})
		}
		if err := tx.AddAIUsage(ctx, usage); err != nil {
			return err
		}
		// Subject a: an old grant superseded by an old withdrawal; b: an
		// old grant still in force.
		for i, c := range []*store.Consent{
			{SubjectIndex: "a", Purpose: "marketing", Granted: true, Address: "x", CreatedAt: old},
			{SubjectIndex: "a", Purpose: "marketing", Granted: false, Address: "x", CreatedAt: old.Add(time.Hour)},
			{SubjectIndex: "b", Purpose: "marketing", Granted: true, Address: "x", CreatedAt: old},
		} {
			c.PolicyVersion, c.Method = "v1", "form"
			if err := tx.AddConsent(ctx, c); err != nil {
				return err
			}
			_ = i
		}
		for i := range 20 {
			typ := audit.LoginSuccess
			if i%4 == 0 {
				typ = audit.GuardBlocked
			}
			if err := tx.AppendAudit(ctx, &audit.Event{Type: typ, UserID: "u1", IP: "203.0.113.9", UserAgent: "canary-agent", Success: true,
				Details: map[string]any{"note": "canary-detail"}, CreatedAt: old.Add(time.Duration(i) * time.Minute)}); err != nil {
				return err
			}
		}
		for range 3 {
			if err := tx.AppendAudit(ctx, &audit.Event{Type: audit.LoginSuccess, UserID: "u1", IP: "203.0.113.9", UserAgent: "fresh-agent", Success: true,
				Details: map[string]any{"note": "fresh"}, CreatedAt: recent}); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// TestRetentionApply runs policies on both stores: the preview counts what
// the run then does; deletion keeps recent rows and consent still in
// force; archive_then_delete archives before it deletes; audit events
// become tombstones and the chain still verifies; a second run finds
// nothing; an interrupted run resumes from its saved cursor.
func TestRetentionApply(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, d)
			clock := &movableClock{t: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
			old, recent := clock.now().Add(-500*24*time.Hour), clock.now().Add(-24*time.Hour)
			seedRetention(t, f, old, recent)
			archive := t.TempDir()
			r := NewRetention(Retention{Store: f.st, Now: clock.now, FirstBatch: 4, Archive: DirArchive{Dir: archive, Now: clock.now}})
			if _, err := r.SetPolicies(ctx, f.tenant, audit.Actor{UserID: "admin"}, []Policy{
				{Category: "usage_logs", Days: 400, Action: ActionArchive},
				{Category: "consent_records", Days: 400, Action: ActionDelete},
				{Category: "guardrail_events", Days: 30, Action: ActionAnonymise},
				{Category: "audit_details", Days: 400, Action: ActionAnonymise},
			}); err != nil {
				t.Fatal(err)
			}
			pv, err := r.Preview(ctx, f.tenant)
			if err != nil {
				t.Fatal(err)
			}
			rows := map[string]int64{}
			for _, c := range pv.Categories {
				rows[c.Category] = *c.Rows
			}
			want := map[string]int64{"usage_logs": 30, "consent_records": 1, "guardrail_events": 5, "audit_details": 20}
			for c, n := range want {
				if rows[c] != n {
					t.Errorf("preview %s: %d rows, want %d", c, rows[c], n)
				}
			}

			rep, err := r.Apply(ctx, f.tenant)
			if err != nil {
				t.Fatal(err)
			}
			// Policies run by category: audit_details blanks the 20 old
			// events, guard ones included, leaving guardrail_events none.
			if rep.Rows["usage_logs"] != 30 || rep.Rows["consent_records"] != 1 || rep.Rows["audit_details"] != 20 || rep.Rows["guardrail_events"] != 0 || rep.Batches < 4 {
				t.Fatalf("report %+v", rep)
			}
			var usage []*store.AIUsageGroup
			var consentsA, consentsB []*store.Consent
			var brk *audit.Break
			var events []*audit.Event
			if err := f.st.ReadTenant(ctx, f.tenant, func(tx *store.Tx) (err error) {
				if usage, err = tx.AIUsageBy(ctx, time.Time{}, clock.now(), "model"); err != nil {
					return err
				}
				if consentsA, err = tx.Consents(ctx, "a"); err != nil {
					return err
				}
				if consentsB, err = tx.Consents(ctx, "b"); err != nil {
					return err
				}
				if events, err = tx.AuditEvents(ctx, 0, 1000); err != nil {
					return err
				}
				brk, err = tx.VerifyAudit(ctx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(usage) != 1 || usage[0].Requests != 5 {
				t.Fatalf("usage left: %+v", usage)
			}
			if len(consentsA) != 1 || consentsA[0].Granted || len(consentsB) != 1 {
				t.Fatalf("consents left: a %d, b %d", len(consentsA), len(consentsB))
			}
			if brk != nil {
				t.Fatalf("chain broken after retention: %s", brk)
			}
			blanked, fresh := 0, 0
			for _, e := range events {
				switch {
				case e.CreatedAt.Before(old.Add(time.Hour)) && e.Resource == "":
					if e.IP != "" || e.UserAgent != "" || len(e.Details) != 0 {
						t.Fatalf("old event %d kept %q %q %v", e.Seq, e.IP, e.UserAgent, e.Details)
					}
					blanked++
				case e.UserAgent == "fresh-agent":
					fresh++
				}
			}
			if blanked != 20 || fresh != 3 {
				t.Fatalf("blanked %d, fresh %d", blanked, fresh)
			}
			lines := 0
			fh, err := os.Open(filepath.Join(archive, f.tenant, "usage_logs-"+clock.now().Format("2006-01-02")+".jsonl"))
			if err != nil {
				t.Fatal(err)
			}
			sc := bufio.NewScanner(fh)
			for sc.Scan() {
				var row map[string]any
				if err := json.Unmarshal(sc.Bytes(), &row); err != nil || row["user_id"] != "u1" {
					t.Fatalf("archived line %s: %v", sc.Text(), err)
				}
				lines++
			}
			fh.Close()
			if lines != 30 {
				t.Fatalf("archived %d rows, want 30", lines)
			}
			again, err := r.Apply(ctx, f.tenant)
			if err != nil || len(again.Rows) != 0 {
				t.Fatalf("second run: %+v %v", again, err)
			}

			// Resume: a run stopped after its first save goes on from it.
			seedRetention(t, f, old, recent)
			r2 := NewRetention(Retention{Store: f.st, Now: clock.now, FirstBatch: 2, SaveEvery: time.Nanosecond})
			if _, err := r2.SetPolicies(ctx, f.tenant, audit.Actor{}, []Policy{{Category: "usage_logs", Days: 400, Action: ActionDelete}}); err != nil {
				t.Fatal(err)
			}
			var saved string
			stop, cancel := context.WithCancel(ctx)
			_, err = r2.Run(stop, "", func(s string) error { saved = s; cancel(); return nil })
			if err == nil || saved == "" {
				t.Fatalf("interrupted run: %v, state %q", err, saved)
			}
			rep, err = r2.Run(ctx, saved, func(string) error { return nil })
			if err != nil || rep.Rows["usage_logs"] != 28 { // the first batch of 2 was done before the stop
				t.Fatalf("resumed: %+v %v", rep, err)
			}
		})
	}
}

// TestRetentionAnnounce: a due platform category is queued once a day for
// its registered systems, signed with the system's own secret, and
// delivered by SystemChannel to the system's URL.
func TestRetentionAnnounce(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, d)
			got := make(chan *http.Request, 4)
			bodies := make(chan []byte, 4)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				b := make([]byte, 4096)
				n, _ := r.Body.Read(b)
				got <- r
				bodies <- b[:n]
			}))
			defer srv.Close()
			systems := &Systems{Store: f.st, AllowPrivate: true}
			sys, err := systems.Register(ctx, f.tenant, System{Name: "crm", WebhookURL: srv.URL, Categories: []string{"content"}})
			if err != nil {
				t.Fatal(err)
			}
			secret := sys.Secret // announcements are signed with the system's own secret
			clock := &movableClock{t: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
			r := NewRetention(Retention{Store: f.st, Now: clock.now})
			if _, err := r.SetPolicies(ctx, f.tenant, audit.Actor{}, []Policy{{Category: "conversation_history", Days: 365, Action: ActionArchive, Platform: true, Systems: []string{"crm"}}}); err != nil {
				t.Fatal(err)
			}
			pv, _ := r.Preview(ctx, f.tenant)
			if len(pv.Categories) != 1 || !pv.Categories[0].Due || pv.Categories[0].Rows != nil || pv.Categories[0].Systems[0] != "crm" {
				t.Fatalf("preview %+v", pv.Categories)
			}
			rep, err := r.Apply(ctx, f.tenant)
			if err != nil || rep.Announcements != 1 {
				t.Fatalf("announce: %+v %v", rep, err)
			}
			clock.add(time.Hour)
			if rep, _ := r.Apply(ctx, f.tenant); rep.Announcements != 0 {
				t.Fatalf("announced again within the day")
			}
			var msgs []*outbox.Message
			if err := f.st.ReadTenant(ctx, f.tenant, func(tx *store.Tx) (err error) {
				msgs, err = tx.Deliveries(ctx, store.DeliveryFilter{Limit: 10})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if len(msgs) != 1 || msgs[0].Channel != ChannelSystem || msgs[0].Target != sys.ID {
				t.Fatalf("outbox: %+v", msgs)
			}
			claimed, err := f.st.Claim(ctx, "w", time.Now().Add(time.Hour), time.Minute, 10)
			if err != nil || len(claimed) != 1 {
				t.Fatalf("claim: %d %v", len(claimed), err)
			}
			m := claimed[0]
			ch := &SystemChannel{Store: f.st, Sender: webhook.NewSender(webhook.Config{AllowPrivate: true})}
			if res := ch.Deliver(ctx, m); res.Err != nil {
				t.Fatalf("deliver: %v (%s)", res.Err, res.Class)
			}
			req, body := <-got, <-bodies
			key, _ := webhook.ParseSecret(secret)
			if err := webhook.Verify(key, req.Header, body, time.Now(), 5*time.Minute); err != nil {
				t.Fatalf("signature: %v", err)
			}
			var a announcement
			if err := json.Unmarshal(body, &a); err != nil || a.Type != EventRetentionDue || a.Data.Category != "conversation_history" || a.Data.System != "crm" ||
				!a.Data.OlderThan.Equal(clock.now().Add(-time.Hour).Add(-365*24*time.Hour)) {
				t.Fatalf("announcement %s: %v", body, err)
			}
		})
	}
}

// TestRetentionGuardrailEvents: guardrail_events blanks only the
// guardrail events, and the chain verifies with those tombstones.
func TestRetentionGuardrailEvents(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, d)
			clock := &movableClock{t: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)}
			seedRetention(t, f, clock.now().Add(-500*24*time.Hour), clock.now().Add(-24*time.Hour))
			r := NewRetention(Retention{Store: f.st, Now: clock.now})
			if _, err := r.SetPolicies(ctx, f.tenant, audit.Actor{}, []Policy{{Category: "guardrail_events", Days: 30, Action: ActionAnonymise}}); err != nil {
				t.Fatal(err)
			}
			rep, err := r.Apply(ctx, f.tenant)
			if err != nil || rep.Rows["guardrail_events"] != 5 {
				t.Fatalf("apply: %+v %v", rep, err)
			}
			var events []*audit.Event
			var brk *audit.Break
			if err := f.st.ReadTenant(ctx, f.tenant, func(tx *store.Tx) (err error) {
				if events, err = tx.AuditEvents(ctx, 0, 1000); err != nil {
					return err
				}
				brk, err = tx.VerifyAudit(ctx)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if brk != nil {
				t.Fatalf("chain: %s", brk)
			}
			kept := 0
			for _, e := range events {
				switch {
				case e.Type == audit.GuardBlocked && (e.IP != "" || len(e.Details) != 0):
					t.Fatalf("guard event %d kept its content", e.Seq)
				case e.Type == audit.LoginSuccess && e.UserAgent == "canary-agent":
					kept++
				}
			}
			if kept != 15 {
				t.Fatalf("other old events kept: %d, want 15", kept)
			}
		})
	}
}
