// Package outbox is Rampart's delivery layer: messages (webhooks, e-mail,
// SMS) written in the same transaction as the change that causes them, and
// workers on any replica that claim them, deliver them through a channel,
// retry failures with exponential backoff and jitter, and dead-letter them
// after a number of attempts. Nothing is ever sent inside a request.
//
// Delivery is at least once: a worker that dies between sending and
// recording the outcome leaves the message to be claimed again when its
// lease ends. Every message carries an idempotency key (the webhook-id
// header, X-Rampart-Message-Id for e-mail) so that a receiver sees a
// duplicate only as the same key.
package outbox

import (
	"context"
	"encoding/json"
	"math/rand/v2"
	"time"
)

// Channels a message is delivered through.
const (
	ChannelWebhook = "webhook"
	ChannelEmail   = "email"
	ChannelSMS     = "sms"
	// ChannelOperator is the deployment's operator webhook: messages of
	// every tenant (each row keeps the tenant it is about) to one URL.
	ChannelOperator = "operator"
)

// Statuses of a message.
const (
	StatusPending   = "pending"   // waiting for its next attempt (or being attempted)
	StatusDelivered = "delivered" // a receiver accepted it
	StatusDead      = "dead"      // dead-lettered: out of attempts, or refused for good
)

// Message is one delivery.
type Message struct {
	ID       string `json:"id"`
	TenantID string `json:"tenant_id"`
	Channel  string `json:"channel"`
	// Target is the webhook's id for webhooks; empty for e-mail and SMS,
	// whose recipient is in the payload.
	Target    string `json:"target,omitempty"`
	EventType string `json:"event_type"`
	// IdempotencyKey is unique per tenant: enqueueing a key twice keeps the
	// first message. Receivers see it as the message's id.
	IdempotencyKey string `json:"idempotency_key"`
	// Payload is the channel's JSON (a webhook's body, a Mail, an SMS). It
	// is sealed at rest and never shown by the deliveries API.
	Payload       json.RawMessage `json:"-"`
	Status        string          `json:"status"`
	Attempts      int             `json:"attempts"`
	MaxAttempts   int             `json:"max_attempts"`
	NextAttemptAt time.Time       `json:"next_attempt_at"`
	LastError     string          `json:"last_error,omitempty"`
	LastStatus    int             `json:"last_status,omitempty"`
	CreatedAt     time.Time       `json:"created_at"`
	UpdatedAt     time.Time       `json:"updated_at"`
	DeliveredAt   *time.Time      `json:"delivered_at,omitempty"`
}

// Result is the outcome of one attempt.
type Result struct {
	// Err is nil when the receiver accepted the message.
	Err error
	// Class is a short, secret-free description for admins: "timeout",
	// "connection", "http_500", "refused_address", ...
	Class string
	// Status is the receiver's HTTP status or SMTP code, when it answered.
	Status int
	// Permanent failures are dead-lettered at once.
	Permanent bool
}

// Channel delivers the messages of one channel.
type Channel interface {
	Deliver(ctx context.Context, m *Message) Result
}

// Policy is how attempts are spaced and when a message is given up.
type Policy struct {
	// MaxAttempts before a message is dead-lettered (default 8).
	MaxAttempts int
	// Backoff is the wait after each failed attempt: the n-th failure waits
	// Backoff[n-1], the last entry repeating; each wait is jittered by up to
	// a fifth either way so that messages that failed together spread out.
	Backoff []time.Duration
	// Lease is how long a claimed message is held by its worker before
	// another may claim it; it must exceed the longest attempt.
	Lease time.Duration
}

// DefaultPolicy makes eight attempts over about a day (the schedule Svix
// and Standard Webhooks receivers are used to): at once, then after 5 s,
// 5 min, 30 min, 2 h, 5 h, 10 h and 10 h.
var DefaultPolicy = Policy{
	MaxAttempts: 8,
	Backoff:     []time.Duration{5 * time.Second, 5 * time.Minute, 30 * time.Minute, 2 * time.Hour, 5 * time.Hour, 10 * time.Hour},
	Lease:       time.Minute,
}

// Delay is how long to wait after the attempt-th failed attempt (1-based).
func (p Policy) Delay(attempt int) time.Duration {
	if len(p.Backoff) == 0 {
		return 0
	}
	d := p.Backoff[min(max(attempt, 1), len(p.Backoff))-1]
	if j := int64(d / 5); j > 0 {
		d += time.Duration(rand.Int64N(2*j+1) - j)
	}
	return d
}

// Span is the longest time from the first attempt to the last, without
// jitter.
func (p Policy) Span() time.Duration {
	var total time.Duration
	for i := 1; i < p.MaxAttempts; i++ {
		total += p.Backoff[min(i, len(p.Backoff))-1]
	}
	return total
}
