package delivery

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/internal/smtptest"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
)

// TestMailGoesOutThroughTheOutbox: a one-time code queued in a transaction
// reaches a real SMTP server once, through the outbox worker, with the
// outbox id as its Message-Id; a rolled-back transaction sends nothing.
func TestMailGoesOutThroughTheOutbox(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			srv := smtptest.Start(t)
			st, tn := openStore(t, d)
			mailer, err := courier.NewSMTPMailer(courier.SMTPConfig{URL: "smtp://127.0.0.1:" + srv.Port, From: "Rampart <no-reply@rampart.test>"})
			if err != nil {
				t.Fatal(err)
			}
			policy := outbox.Policy{MaxAttempts: 3, Backoff: []time.Duration{50 * time.Millisecond}, Lease: 10 * time.Second}
			w := &outbox.Worker{Queue: st, Channels: map[string]outbox.Channel{outbox.ChannelEmail: MailChannel{Mailer: mailer}}, Policy: policy, ID: "w", Poll: 20 * time.Millisecond, Log: quiet}
			svc := New(Deps{Store: st, Policy: policy, Logger: quiet, Notify: w.Notify})
			brand := courier.Brand{Name: "Acme"}
			data := map[string]any{"code": "493817", "expires_in_minutes": 10}
			if err := st.InTenant(ctx, tn.ID, func(tx *store.Tx) error {
				return svc.QueueMail(ctx, tx, "ada@example.com", courier.KindOTPCode, data, brand, "otp-1")
			}); err != nil {
				t.Fatal(err)
			}
			rolledBack := st.InTenant(ctx, tn.ID, func(tx *store.Tx) error {
				if err := svc.QueueMail(ctx, tx, "eve@example.com", courier.KindOTPCode, data, brand, "otp-2"); err != nil {
					return err
				}
				return context.Canceled // the change failed
			})
			if rolledBack == nil {
				t.Fatal("the failing change committed")
			}
			if err := st.InTenant(ctx, tn.ID, func(tx *store.Tx) error {
				return svc.QueueMail(ctx, tx, "ada@example.com", "no_such_kind", data, brand, "")
			}); err == nil {
				t.Fatal("an unknown kind was queued")
			}
			go w.Run(ctx)
			deadline := time.Now().Add(15 * time.Second)
			for len(srv.Messages(t)) < 1 && time.Now().Before(deadline) {
				time.Sleep(50 * time.Millisecond)
			}
			time.Sleep(300 * time.Millisecond)
			msgs := srv.Messages(t)
			if len(msgs) != 1 || msgs[0].RcptTos[0] != "ada@example.com" {
				t.Fatalf("server got %d messages: %+v", len(msgs), msgs)
			}
			raw := string(msgs[0].Raw)
			if !strings.Contains(raw, "493817") || !strings.Contains(raw, "X-Rampart-Message-Id: otp-1") {
				t.Fatalf("message lacks the code or its id:\n%s", raw)
			}
			list, _ := svc.Deliveries(ctx, tn.ID, outbox.StatusDelivered, "", 10)
			if len(list) != 1 || list[0].Channel != outbox.ChannelEmail {
				t.Fatalf("deliveries: %+v", list)
			}
		})
	}
}
