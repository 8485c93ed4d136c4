package delivery

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

// OperatorPayload is the body of an operator webhook: the Standard Webhooks
// shape of tenant webhooks, with the tenant the event is about.
type OperatorPayload struct {
	Type      string         `json:"type"`
	Timestamp time.Time      `json:"timestamp"`
	TenantID  string         `json:"tenant_id"`
	Data      map[string]any `json:"data"`
}

// QueueOperator queues a message for the deployment's operator webhook in
// tx. The outbox keeps every message under a tenant (its rows are tenant
// scoped); an operator message is kept under the tenant it is about, which
// its payload names too, so a tenant's purge and listing see it as theirs
// while only the operator's URL receives it.
func (s *Service) QueueOperator(ctx context.Context, tx *store.Tx, eventType string, data map[string]any, key string) error {
	body, err := json.Marshal(OperatorPayload{Type: eventType, Timestamp: s.now().UTC(), TenantID: tx.TenantID(), Data: data})
	if err != nil {
		return err
	}
	return s.queue(ctx, tx, &outbox.Message{Channel: outbox.ChannelOperator, Target: "operator", EventType: eventType, IdempotencyKey: key, Payload: body})
}

// OperatorChannel delivers operator messages to one URL, signed with the
// operator's secret.
type OperatorChannel struct {
	Sender *webhook.Sender
	URL    string
	Secret []byte
}

// Deliver sends one message.
func (c OperatorChannel) Deliver(ctx context.Context, m *outbox.Message) outbox.Result {
	res, err := c.Sender.Send(ctx, webhook.Delivery{ID: m.IdempotencyKey, URL: c.URL, Secrets: [][]byte{c.Secret}, Body: m.Payload})
	if err != nil {
		r := outbox.Result{Err: err, Class: res.Class, Status: res.StatusCode, Permanent: !res.Retryable}
		if e, ok := err.(*webhook.Error); ok {
			r.Class, r.Permanent = e.Class, !e.Retryable
		}
		return r
	}
	return outbox.Result{Status: res.StatusCode}
}
