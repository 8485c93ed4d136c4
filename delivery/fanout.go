package delivery

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

// FanOutConsumer is the feed position of the webhook fan-out.
const FanOutConsumer = "webhooks"

// webhookPayload is a webhook's body, in the Standard Webhooks shape.
type webhookPayload struct {
	Type      string       `json:"type"`
	Timestamp time.Time    `json:"timestamp"`
	Data      audit.Record `json:"data"`
}

// FanOut queues, for each event, one message per webhook of the tenant that
// subscribes to its type and existed when it happened. It runs in the feed
// transaction that advances its position, and each message's idempotency
// key is the event and the webhook, so an event reaches a webhook once.
func (s *Service) FanOut(ctx context.Context, tx *store.Tx, events []*audit.Event) error {
	hooks, err := tx.Webhooks(ctx)
	if err != nil || len(hooks) == 0 {
		return err
	}
	queued := false
	now := s.now()
	for _, e := range events {
		if ok, err := takeIncidentNotice(ctx, tx, e); err != nil {
			return err
		} else if !ok {
			continue
		}
		var body []byte
		for _, h := range hooks {
			if e.CreatedAt.Before(h.CreatedAt.Truncate(audit.Precision)) || !subscribed(h.Events, string(e.Type)) {
				continue
			}
			if body == nil {
				if body, err = json.Marshal(webhookPayload{Type: string(e.Type), Timestamp: e.CreatedAt, Data: e.Record()}); err != nil {
					return err
				}
			}
			m := &outbox.Message{Channel: outbox.ChannelWebhook, Target: h.ID, EventType: string(e.Type),
				IdempotencyKey: "evt_" + e.ID + "_" + h.ID, Payload: body, MaxAttempts: s.policy.MaxAttempts}
			ok, err := tx.Enqueue(ctx, m, now)
			if err != nil {
				return err
			}
			queued = queued || ok
		}
	}
	if queued {
		s.notify()
	}
	return nil
}

// IncidentNoticeInterval is the least time between two webhook
// notifications of one incident dedup key (incident.NoticeInterval, which
// e-mail keeps too): a key that reopens at once is not announced again.
const IncidentNoticeInterval = 5 * time.Minute

// takeIncidentNotice reports whether e may go to webhooks: any event but
// incident_opened may; that one at most once per dedup key per
// IncidentNoticeInterval (counted only when the tenant has webhooks).
func takeIncidentNotice(ctx context.Context, tx *store.Tx, e *audit.Event) (bool, error) {
	if e.Type != audit.IncidentOpened {
		return true, nil
	}
	// The event's dedup_key is masked (audit details hide keys): the
	// incident has it whole.
	id, _ := e.Details["incident_id"].(string)
	in, err := tx.IncidentByID(ctx, id)
	if rampart.ErrorCode(err) == rampart.ENotFound {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	key := in.DedupKey
	// By the event's time: a fan-out catching up judges as it would have.
	return tx.TakeNotice(ctx, key, outbox.ChannelWebhook, IncidentNoticeInterval, e.CreatedAt)
}

func subscribed(events []string, typ string) bool {
	for _, e := range events {
		if e == "*" || e == typ {
			return true
		}
	}
	return false
}

// WebhookChannel delivers webhook messages to their subscription's URL.
type WebhookChannel struct {
	Store  *store.Store
	Sender *webhook.Sender
}

// Deliver sends one message; a deleted subscription dead-letters it.
func (c *WebhookChannel) Deliver(ctx context.Context, m *outbox.Message) outbox.Result {
	var h *store.Webhook
	err := c.Store.ReadTenant(ctx, m.TenantID, func(tx *store.Tx) (err error) {
		h, err = tx.WebhookByID(ctx, m.Target)
		return err
	})
	if err != nil {
		if rampart.ErrorCode(err) == rampart.ENotFound {
			return outbox.Result{Err: err, Class: "webhook_deleted", Permanent: true}
		}
		return outbox.Result{Err: err, Class: "internal"}
	}
	return SendSigned(ctx, c.Sender, m, h.URL, h.Secret)
}

// SendSigned sends an outbox message to url, signed (Standard Webhooks)
// with the sealed-then-opened secret, and reads the outcome as the outbox
// wants it: a bad secret or a refusing endpoint is permanent, a timeout or
// a 5xx is retried.
func SendSigned(ctx context.Context, sender *webhook.Sender, m *outbox.Message, url, secret string) outbox.Result {
	key, err := webhook.ParseSecret(secret)
	if err != nil {
		return outbox.Result{Err: err, Class: "invalid_secret", Permanent: true}
	}
	res, err := sender.Send(ctx, webhook.Delivery{ID: m.IdempotencyKey, URL: url, Secrets: [][]byte{key}, Body: m.Payload})
	if err != nil {
		r := outbox.Result{Err: err, Class: res.Class, Status: res.StatusCode, Permanent: !res.Retryable}
		if e, ok := err.(*webhook.Error); ok {
			r.Class, r.Permanent = e.Class, !e.Retryable
		}
		return r
	}
	return outbox.Result{Status: res.StatusCode}
}
