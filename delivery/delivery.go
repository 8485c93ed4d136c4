// Package delivery is the service behind Rampart's events out: tenants'
// webhook subscriptions, the fan-out of audit events to them through the
// outbox, the deliveries admins inspect and retry, the event feed, and the
// channels that deliver outbox messages (webhooks, e-mail, SMS). It knows
// nothing of HTTP.
package delivery

import (
	"context"
	"log/slog"
	"net/url"
	"strconv"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

// Limits of the API.
const (
	MaxWebhooksPerTenant = 20
	MaxFeedPage          = 1000
	DefaultFeedPage      = 100
	MaxDeliveriesPage    = 500
	minSecretBytes       = 24
)

// Service answers the events-out API. Build it with New.
type Service struct {
	store  *store.Store
	policy outbox.Policy
	hooks  WebhookRules
	notify func()
	// phoneRegion reads SMS numbers written without a country code.
	phoneRegion string
	log         *slog.Logger
	now         func() time.Time
}

// WebhookRules are the deployment's rules for webhook URLs.
type WebhookRules struct {
	RequireHTTPS bool // production: only https:// endpoints
	AllowPrivate bool // development and tests: loopback and private addresses
}

// Deps are what New needs.
type Deps struct {
	Store  *store.Store
	Policy outbox.Policy
	Rules  WebhookRules
	// Notify, when set, is called after messages are queued (it wakes this
	// replica's worker).
	Notify func()
	// PhoneRegion reads SMS numbers written without a country code.
	PhoneRegion string
	Logger      *slog.Logger
	Now         func() time.Time
}

// New returns the service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Notify == nil {
		d.Notify = func() {}
	}
	if d.Policy.MaxAttempts == 0 {
		d.Policy = outbox.DefaultPolicy
	}
	return &Service{store: d.Store, policy: d.Policy, hooks: d.Rules, notify: d.Notify, phoneRegion: d.PhoneRegion, log: d.Logger, now: d.Now}
}

// NewWebhook is a subscription to create.
type NewWebhook struct {
	URL    string
	Events []string
	Secret string // optional; generated when empty
}

// CreatedWebhook is a new subscription with its secret, shown this once.
type CreatedWebhook struct {
	store.Webhook
	Secret string `json:"secret"`
}

// CreateWebhook validates and stores a subscription of the tenant.
func (s *Service) CreateWebhook(ctx context.Context, tenantID string, actor audit.Actor, in NewWebhook) (*CreatedWebhook, error) {
	if err := webhook.ValidateURL(in.URL, s.hooks.RequireHTTPS, s.hooks.AllowPrivate); err != nil {
		return nil, rampart.FieldError(rampart.EUnprocessable, "url", "%s", urlProblem(err))
	}
	events, err := checkEvents(in.Events)
	if err != nil {
		return nil, err
	}
	secret := in.Secret
	if secret == "" {
		if secret, err = webhook.GenerateSecret(); err != nil {
			return nil, err
		}
	} else if _, err := webhook.ParseSecret(secret); err != nil {
		return nil, rampart.FieldError(rampart.EUnprocessable, "secret", "the secret must be at least %d bytes (or whsec_ and base64 of at least %d bytes)", minSecretBytes, minSecretBytes)
	}
	w := &CreatedWebhook{Webhook: store.Webhook{URL: in.URL, Events: events, Secret: secret, CreatedBy: actor.UserID, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}, Secret: secret}
	err = s.store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		list, err := tx.Webhooks(ctx)
		if err != nil {
			return err
		}
		if len(list) >= MaxWebhooksPerTenant {
			return rampart.Errorf(rampart.EConflict, "a tenant may have at most %d webhooks; delete one first", MaxWebhooksPerTenant)
		}
		if err := tx.CreateWebhook(ctx, &w.Webhook); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "webhook:" + w.ID, Success: true, Details: map[string]any{"action": "webhook_created", "host": hostOf(in.URL), "events": events}})
	})
	if err != nil {
		return nil, err
	}
	return w, nil
}

func urlProblem(err error) string {
	if e, ok := err.(*webhook.Error); ok && e.Err != nil {
		return e.Err.Error()
	}
	return err.Error()
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

func checkEvents(events []string) ([]string, error) {
	if len(events) == 0 {
		return nil, rampart.FieldError(rampart.EUnprocessable, "events", "list the event types to send, or \"*\" for all")
	}
	seen := map[string]bool{}
	out := make([]string, 0, len(events))
	for i, e := range events {
		if e != "*" && !audit.KnownType(e) {
			return nil, rampart.FieldError(rampart.EUnprocessable, "events["+strconv.Itoa(i)+"]", "unknown event type %q", e)
		}
		if !seen[e] {
			seen[e] = true
			out = append(out, e)
		}
	}
	return out, nil
}

// Webhooks lists the tenant's subscriptions (without secrets).
func (s *Service) Webhooks(ctx context.Context, tenantID string) ([]*store.Webhook, error) {
	var list []*store.Webhook
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		list, err = tx.Webhooks(ctx)
		return err
	})
	if list == nil {
		list = []*store.Webhook{}
	}
	return list, err
}

// DeleteWebhook ends a subscription; its queued messages are dead-lettered.
func (s *Service) DeleteWebhook(ctx context.Context, tenantID string, actor audit.Actor, id string) error {
	return s.store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		if err := tx.DeleteWebhook(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "webhook:" + id, Success: true, Details: map[string]any{"action": "webhook_deleted"}})
	})
}

// Deliveries lists the tenant's messages, newest first; status is "",
// pending, delivered or dead.
func (s *Service) Deliveries(ctx context.Context, tenantID, status, before string, limit int) ([]*outbox.Message, error) {
	switch status {
	case "", outbox.StatusPending, outbox.StatusDelivered, outbox.StatusDead:
	default:
		return nil, rampart.FieldError(rampart.EUnprocessable, "status", "status is pending, delivered or dead")
	}
	if limit <= 0 || limit > MaxDeliveriesPage {
		limit = 100
	}
	// The cursor is a delivery id: PostgreSQL refuses anything else as a
	// uuid, which was a 500 instead of the caller's mistake.
	if before != "" {
		if _, err := uuid.Parse(before); err != nil {
			return nil, rampart.FieldError(rampart.EInvalid, "cursor", "cursor is a next_cursor from an earlier page")
		}
	}
	var list []*outbox.Message
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		list, err = tx.Deliveries(ctx, store.DeliveryFilter{Status: status, Before: before, Limit: limit})
		return err
	})
	if list == nil {
		list = []*outbox.Message{}
	}
	return list, err
}

// RetryDelivery makes a pending or dead message due now with fresh attempts.
func (s *Service) RetryDelivery(ctx context.Context, tenantID string, actor audit.Actor, id string) (*outbox.Message, error) {
	var m *outbox.Message
	err := s.store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if m, err = tx.RetryDelivery(ctx, id, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "delivery:" + id, Success: true, Details: map[string]any{"action": "delivery_retried"}})
	})
	if err == nil {
		s.notify()
	}
	return m, err
}

// Feed reads the tenant's events after a position, in chain order.
func (s *Service) Feed(ctx context.Context, tenantID string, after int64, limit int, types []string) ([]*audit.Event, error) {
	if after < 0 {
		return nil, rampart.FieldError(rampart.EUnprocessable, "after", "after is a sequence number, 0 or more")
	}
	if limit <= 0 {
		limit = DefaultFeedPage
	}
	if limit > MaxFeedPage {
		return nil, rampart.FieldError(rampart.EUnprocessable, "limit", "limit is at most %d", MaxFeedPage)
	}
	seen := map[string]bool{}
	distinct := types[:0:0]
	for _, t := range types {
		if !audit.KnownType(t) {
			return nil, rampart.FieldError(rampart.EUnprocessable, "type", "unknown event type %q", t)
		}
		if !seen[t] {
			seen[t] = true
			distinct = append(distinct, t)
		}
	}
	types = distinct // at most the number of event types, however long the query
	var events []*audit.Event
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		events, err = tx.FeedEvents(ctx, after, types, limit)
		return err
	})
	return events, err
}

// Job is a scheduled job as the operator sees it: a one-off job that has
// run has no next run.
type Job struct {
	*store.Job
	NextRunAt *time.Time `json:"next_run_at"`
}

// never is the next run of a finished one-off job (jobs.Never).
var never = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC)

// Jobs lists the deployment's scheduled jobs.
func (s *Service) Jobs(ctx context.Context) ([]Job, error) {
	list, err := s.store.Jobs(ctx)
	out := make([]Job, len(list))
	for i, j := range list {
		out[i].Job = j
		if j.NextRunAt.Before(never) {
			next := j.NextRunAt
			out[i].NextRunAt = &next
		}
	}
	return out, err
}
