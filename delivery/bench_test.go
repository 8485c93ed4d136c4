package delivery

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

// BenchmarkDeliver1000Webhooks: one op queues 1,000 webhook messages and
// delivers them all, signed, to a local receiver (goal: under 10 s).
//
//	go test ./delivery -run XX -bench Deliver1000 -benchtime 3x
func BenchmarkDeliver1000Webhooks(b *testing.B) {
	for _, d := range []string{"sqlite", "postgres"} {
		b.Run(d, func(b *testing.B) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			st, tn := openStore(b, d)
			var got atomic.Int64
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { got.Add(1) }))
			defer srv.Close()
			policy := outbox.Policy{MaxAttempts: 8, Backoff: []time.Duration{time.Second}, Lease: 30 * time.Second}
			sender := webhook.NewSender(webhook.Config{AllowPrivate: true})
			w := &outbox.Worker{Queue: st, Channels: map[string]outbox.Channel{outbox.ChannelWebhook: &WebhookChannel{Store: st, Sender: sender}},
				Policy: policy, ID: "bench", Poll: 10 * time.Millisecond, Log: quiet}
			svc := New(Deps{Store: st, Policy: policy, Rules: WebhookRules{AllowPrivate: true}, Logger: quiet})
			hook, err := svc.CreateWebhook(ctx, tn.ID, audit.Actor{}, NewWebhook{URL: srv.URL, Events: []string{"*"}})
			if err != nil {
				b.Fatal(err)
			}
			go w.Run(ctx)
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				target := got.Load() + 1000
				b.StartTimer()
				if err := st.InTenant(ctx, tn.ID, func(tx *store.Tx) error {
					for j := 0; j < 1000; j++ {
						m := &outbox.Message{Channel: outbox.ChannelWebhook, Target: hook.ID, EventType: "login_failure", Payload: []byte(`{"type":"login_failure"}`), MaxAttempts: 8}
						if _, err := tx.Enqueue(ctx, m, time.Now()); err != nil {
							return err
						}
					}
					return nil
				}); err != nil {
					b.Fatal(err)
				}
				w.Notify()
				for got.Load() < target {
					time.Sleep(time.Millisecond)
				}
			}
		})
	}
}
