package delivery

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/feed"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/storetest"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

func openStore(t testing.TB, dialect string) (*store.Store, *identity.Tenant) {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, dialect)
	now := time.Now()
	tn := &identity.Tenant{ID: uuid.NewString(), Slug: "hooks", Name: "Hooks", Status: identity.TenantActive, CreatedAt: now, UpdatedAt: now}
	if err := st.AsOperator(ctx, func(tx *store.Tx) error { return tx.CreateTenant(ctx, tn) }); err != nil {
		t.Fatal(err)
	}
	return st, tn
}

// receiver is a real HTTP endpoint that verifies signatures, fails until a
// moment, and counts what it accepted by webhook-id.
type receiver struct {
	mu        sync.Mutex
	secret    []byte
	failUntil time.Time
	accepted  map[string]int
	failed    int
	bad       int
}

func (rc *receiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	rc.mu.Lock()
	defer rc.mu.Unlock()
	if err := webhook.Verify(rc.secret, r.Header, body, time.Now(), 5*time.Minute); err != nil {
		rc.bad++
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	if time.Now().Before(rc.failUntil) {
		rc.failed++
		w.WriteHeader(http.StatusInternalServerError)
		return
	}
	rc.accepted[r.Header.Get("webhook-id")]++
	w.WriteHeader(http.StatusOK)
}

func (rc *receiver) distinct() (n, dups int) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	for _, c := range rc.accepted {
		if c > 1 {
			dups += c - 1
		}
	}
	return len(rc.accepted), dups
}

// TestWebhooksSurviveAnOutage: the receiver answers 500 for a while (the
// issue's ten minutes, shortened with the backoff), then 200; two workers
// deliver every event once: none lost, none twice.
func TestWebhooksSurviveAnOutage(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st, tn := openStore(t, d)
			policy := outbox.Policy{MaxAttempts: 100, Backoff: []time.Duration{20 * time.Millisecond, 50 * time.Millisecond, 100 * time.Millisecond}, Lease: 10 * time.Second}
			var svc *Service
			var w1, w2 *outbox.Worker
			svc = New(Deps{Store: st, Policy: policy, Rules: WebhookRules{AllowPrivate: true}, Logger: quiet, Notify: func() { w1.Notify(); w2.Notify() }})
			secret, _ := webhook.GenerateSecret()
			key, _ := webhook.ParseSecret(secret)
			rc := &receiver{secret: key, accepted: map[string]int{}, failUntil: time.Now().Add(1500 * time.Millisecond)}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			hook, err := svc.CreateWebhook(ctx, tn.ID, audit.Actor{}, NewWebhook{URL: srv.URL + "/hook", Events: []string{"login_failure"}, Secret: secret})
			if err != nil {
				t.Fatal(err)
			}
			const n = 200
			if err := st.InTenant(ctx, tn.ID, func(tx *store.Tx) error {
				for i := 0; i < n; i++ {
					typ := audit.LoginFailure
					if i%10 == 0 {
						typ = audit.LoginSuccess // not subscribed
					}
					if err := tx.AppendAudit(ctx, &audit.Event{Type: typ}); err != nil {
						return err
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
			sender := webhook.NewSender(webhook.Config{AllowPrivate: true, Timeout: 2 * time.Second})
			channels := map[string]outbox.Channel{outbox.ChannelWebhook: &WebhookChannel{Store: st, Sender: sender}}
			w1 = &outbox.Worker{Queue: st, Channels: channels, Policy: policy, ID: "w1", Poll: 20 * time.Millisecond, Log: quiet}
			w2 = &outbox.Worker{Queue: st, Channels: channels, Policy: policy, ID: "w2", Poll: 20 * time.Millisecond, Log: quiet}
			f := &feed.Follower{Store: st, Consumer: FanOutConsumer, Handle: svc.FanOut, Poll: 20 * time.Millisecond, Log: quiet}
			go f.Run(ctx)
			go w1.Run(ctx)
			go w2.Run(ctx)
			want := n - n/10
			deadline := time.Now().Add(30 * time.Second)
			for {
				got, _ := rc.distinct()
				if got >= want || time.Now().After(deadline) {
					break
				}
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(200 * time.Millisecond) // anything more would be a duplicate
			got, dups := rc.distinct()
			if got != want || dups != 0 || rc.bad != 0 {
				t.Fatalf("accepted %d distinct (want %d), %d duplicates, %d badly signed", got, want, dups, rc.bad)
			}
			if rc.failed == 0 {
				t.Fatal("the outage was never hit")
			}
			list, err := svc.Deliveries(ctx, tn.ID, outbox.StatusDelivered, "", MaxDeliveriesPage)
			if err != nil || len(list) != want {
				t.Fatalf("delivered list: %d %v", len(list), err)
			}
			for _, m := range list {
				if m.Target != hook.ID || m.Channel != outbox.ChannelWebhook || m.Payload != nil {
					t.Fatalf("delivery: %+v", m)
				}
			}
		})
	}
}

func TestWebhookValidation(t *testing.T) {
	ctx := context.Background()
	st, tn := openStore(t, "sqlite")
	prod := New(Deps{Store: st, Rules: WebhookRules{RequireHTTPS: true}, Logger: quiet})
	dev := New(Deps{Store: st, Rules: WebhookRules{AllowPrivate: true}, Logger: quiet})
	cases := []struct {
		svc   *Service
		in    NewWebhook
		field string
	}{
		{prod, NewWebhook{URL: "http://hooks.example.com/x", Events: []string{"*"}}, "url"},
		{prod, NewWebhook{URL: "https://127.0.0.1/x", Events: []string{"*"}}, "url"},
		{prod, NewWebhook{URL: "not a url", Events: []string{"*"}}, "url"},
		{dev, NewWebhook{URL: "http://127.0.0.1:9/x", Events: []string{"login_failure", "no_such_event"}}, "events[1]"},
		{dev, NewWebhook{URL: "http://127.0.0.1:9/x"}, "events"},
		{dev, NewWebhook{URL: "http://127.0.0.1:9/x", Events: []string{"*"}, Secret: "short-secret"}, "secret"},
	}
	for _, c := range cases {
		_, err := c.svc.CreateWebhook(ctx, tn.ID, audit.Actor{}, c.in)
		var e *rampart.Error
		if err == nil || !errors.As(err, &e) || e.Code != rampart.EUnprocessable || e.Field != c.field {
			t.Errorf("%+v: %v, want 422 naming %s", c.in, err, c.field)
		}
	}
	w, err := dev.CreateWebhook(ctx, tn.ID, audit.Actor{UserID: "u1"}, NewWebhook{URL: "http://127.0.0.1:9/x", Events: []string{"*"}})
	if err != nil || len(w.Secret) < 30 {
		t.Fatalf("generated secret: %v %q", err, w.Secret)
	}
	list, _ := dev.Webhooks(ctx, tn.ID)
	b, _ := json.Marshal(list)
	if len(list) != 1 || strings.Contains(string(b), w.Secret) {
		t.Fatalf("list shows %d webhooks or the secret: %s", len(list), b)
	}
	if err := dev.DeleteWebhook(ctx, tn.ID, audit.Actor{}, w.ID); err != nil {
		t.Fatal(err)
	}
	if err := dev.DeleteWebhook(ctx, tn.ID, audit.Actor{}, w.ID); rampart.ErrorCode(err) != rampart.ENotFound {
		t.Fatalf("second delete: %v", err)
	}
}

// TestDeliveriesCursorNotAnID: a cursor that is not a delivery id is the
// caller's mistake (invalid), on every dialect; PostgreSQL answered it
// with an internal error.
func TestDeliveriesCursorNotAnID(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			st, tn := openStore(t, d)
			svc := New(Deps{Store: st, Logger: quiet})
			_, err := svc.Deliveries(context.Background(), tn.ID, "", "not-a-uuid", 10)
			if rampart.ErrorCode(err) != rampart.EInvalid {
				t.Fatalf("cursor not an id: %v", err)
			}
			list, err := svc.Deliveries(context.Background(), tn.ID, "", uuid.NewString(), 10)
			if err != nil || len(list) != 0 {
				t.Fatalf("cursor an id: %v, %d", err, len(list))
			}
		})
	}
}

// TestFeedTypesDeduplicated: a type repeated in the query is asked once.
func TestFeedTypesDeduplicated(t *testing.T) {
	st, tn := openStore(t, "sqlite")
	svc := New(Deps{Store: st, Logger: quiet})
	types := make([]string, 5000)
	for i := range types {
		types[i] = "login_failure"
	}
	if _, err := svc.Feed(context.Background(), tn.ID, 0, 10, types); err != nil {
		t.Fatal(err)
	}
}
