package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"os"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/redis/go-redis/v9"

	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/config"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/delivery"
	"github.com/rampart-dev/rampart/feed"
	"github.com/rampart-dev/rampart/guard"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/incident"
	"github.com/rampart-dev/rampart/jobs"
	"github.com/rampart-dev/rampart/monitor"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/privacy"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
	"github.com/rampart-dev/rampart/webhook"
)

// replicaName names this process in outbox claims and job leases.
func replicaName() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	rand.Read(b)
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b))
}

// events is the delivery layer of one replica: the service behind the API,
// the outbox worker, the webhook fan-out and the development sink.
type events struct {
	svc    *delivery.Service
	worker *outbox.Worker
	fanout *feed.Follower
	sink   *courier.Sink // development without a courier; nil otherwise
	// metrics count attempts by channel and outcome, and time them.
	attempts *prometheus.CounterVec
	duration *prometheus.HistogramVec
	// monitor runs the security rules over every tenant's stream and
	// incidents answers the incidents API.
	monitor   *feed.Follower
	incidents *incident.Service
	rules     *monitor.Memory // nil when the rules' state is in Redis
}

// collectors are the delivery metrics for /metrics.
func (e *events) collectors() []prometheus.Collector {
	return []prometheus.Collector{e.attempts, e.duration}
}

// observe records one attempt in the metrics.
func (e *events) observe(m *outbox.Message, r outbox.Result, took time.Duration) {
	outcome := "delivered"
	switch {
	case r.Err != nil && (r.Permanent || m.Attempts >= m.MaxAttempts):
		outcome = "dead"
	case r.Err != nil:
		outcome = "retry"
	}
	e.attempts.WithLabelValues(m.Channel, outcome).Inc()
	e.duration.WithLabelValues(m.Channel).Observe(took.Seconds())
}

// monitorPoll is how often the rules look for new events: with the
// processing of a batch, it bounds the time from an event to its incident.
const monitorPoll = 200 * time.Millisecond

// monitorLockTTL bounds how long a replica that dies holds a tenant's
// batch lock.
const monitorLockTTL = 30 * time.Second

// newEvents builds the delivery layer from the configuration.
// With rdb, the monitoring rules count in Redis, together with the other
// replicas; without it, in this process.
func newEvents(cfg *config.Config, st *store.Store, name string, rdb redis.UniversalClient, revoke incident.Revoker, log *slog.Logger) (*events, error) {
	d := cfg.Delivery
	policy := outbox.Policy{MaxAttempts: d.MaxAttempts, Backoff: d.Backoff, Lease: d.Lease}
	prod := cfg.Env == config.Production
	sender := webhook.NewSender(webhook.Config{AllowPrivate: d.WebhookAllowPrivate, RequireHTTPS: prod})
	e := &events{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "rampart_delivery_attempts_total",
			Help: "Outbox delivery attempts by channel and outcome (delivered, retry, dead)."}, []string{"channel", "outcome"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "rampart_delivery_attempt_duration_seconds",
			Help: "Outbox delivery attempt duration by channel.", Buckets: []float64{.005, .01, .05, .1, .25, .5, 1, 2.5, 5, 10}}, []string{"channel"}),
	}
	channels := map[string]outbox.Channel{outbox.ChannelWebhook: &delivery.WebhookChannel{Store: st, Sender: sender},
		privacy.ChannelSystem: &privacy.SystemChannel{Store: st, Sender: sender}}
	if !prod && (d.SMTPURL == "" || d.SMSWebhookURL == "") {
		e.sink = courier.NewSink(courier.DefaultSinkSize, time.Now)
	}
	switch {
	case d.SMTPURL != "":
		m, err := courier.NewSMTPMailer(courier.SMTPConfig{URL: d.SMTPURL, From: d.MailFrom})
		if err != nil {
			return nil, fmt.Errorf("RAMPART_SMTP_URL: %w", err)
		}
		channels[outbox.ChannelEmail] = delivery.MailChannel{Mailer: m}
	case e.sink != nil:
		channels[outbox.ChannelEmail] = delivery.MailChannel{Mailer: e.sink}
		log.Info("no RAMPART_SMTP_URL: e-mail goes to the development sink (GET /v1/dev/outbox)")
	default:
		log.Info("no RAMPART_SMTP_URL: e-mail is not sent (features that need it stay off)")
	}
	switch {
	case d.SMSWebhookURL != "":
		secret, err := webhook.ParseSecret(d.SMSWebhookSecret)
		if err != nil {
			return nil, fmt.Errorf("RAMPART_SMS_WEBHOOK_SECRET: %w", err)
		}
		b, err := courier.NewSMSBridge(d.SMSWebhookURL, secret, sender, d.DefaultPhoneRegion)
		if err != nil {
			return nil, fmt.Errorf("RAMPART_SMS_WEBHOOK_URL: %w", err)
		}
		channels[outbox.ChannelSMS] = delivery.SMSChannel{Sender: b}
	case e.sink != nil:
		channels[outbox.ChannelSMS] = delivery.SMSChannel{Sender: e.sink}
	}
	var operator incident.OperatorQueue
	if d.OperatorWebhookURL != "" {
		secret, err := webhook.ParseSecret(d.OperatorWebhookSecret)
		if err != nil {
			return nil, fmt.Errorf("RAMPART_OPERATOR_WEBHOOK_SECRET: %w", err)
		}
		channels[outbox.ChannelOperator] = delivery.OperatorChannel{Sender: sender, URL: d.OperatorWebhookURL, Secret: secret}
	}
	e.worker = &outbox.Worker{Queue: st, Channels: channels, Policy: policy, ID: name, Concurrency: d.Workers, Log: log, Observe: e.observe}
	e.svc = delivery.New(delivery.Deps{Store: st, Policy: policy, Rules: delivery.WebhookRules{RequireHTTPS: prod, AllowPrivate: d.WebhookAllowPrivate},
		Notify: e.worker.Notify, PhoneRegion: d.DefaultPhoneRegion, Logger: log})
	e.fanout = &feed.Follower{Store: st, Consumer: delivery.FanOutConsumer, Handle: e.svc.FanOut, Log: log}
	shared := &monitor.Redis{Client: rdb}
	var state monitor.State = shared
	if rdb == nil {
		e.rules = monitor.NewMemory(0)
		state = e.rules
	}
	if d.OperatorWebhookURL != "" {
		operator = e.svc
	}
	e.incidents = incident.New(incident.Deps{Store: st, Engine: monitor.NewEngine(monitor.BuiltinPack(), state), Mail: e.svc, Operator: operator,
		Revoke: revoke, Block: st, Logger: log})
	e.monitor = &feed.Follower{Store: st, Consumer: incident.Consumer, Handle: e.incidents.Handle, Committed: e.incidents.Committed,
		Poll: monitorPoll, Log: log}
	if rdb != nil {
		// Replicas count a tenant's events in turns (see feed.Follower.Lock).
		e.monitor.Lock = func(ctx context.Context, tenant string) (func(), bool, error) {
			ok, err := shared.Lock(ctx, tenant, name, monitorLockTTL)
			if err != nil || !ok {
				return nil, ok, err
			}
			return func() { shared.Unlock(context.WithoutCancel(ctx), tenant, name) }, true, nil
		}
	}
	return e, nil
}

// run works until ctx ends and then waits for the deliveries in flight.
func (e *events) run(ctx context.Context, wg *sync.WaitGroup) {
	wg.Add(3)
	go func() { defer wg.Done(); e.worker.Run(ctx) }()
	go func() { defer wg.Done(); e.fanout.Run(ctx) }()
	go func() { defer wg.Done(); e.monitor.Run(ctx) }()
	if e.rules == nil {
		return
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case now := <-t.C:
				e.rules.Sweep(now)
			}
		}
	}()
}

// Job names.
const (
	jobPurge      = "purge"
	jobKeyCare    = "key_care"
	jobReencrypt  = "reencrypt:" // + tenant id, after a rotation
	jobAuditCheck = "audit_verify"
	jobRetention  = "retention"
)

// deliveryRetention is how long delivered and dead messages stay listed.
const deliveryRetention = 30 * 24 * time.Hour

// newScheduler returns the deployment's jobs: each runs on one replica at a
// time, and a replica that dies mid-run hands it over when its lease ends.
func newScheduler(st *store.Store, a *auth.Service, v *vault.Vault, inc *incident.Service, ret *privacy.Retention, name string, log *slog.Logger) *jobs.Scheduler {
	return &jobs.Scheduler{Store: st, Worker: name, Log: log, Jobs: []jobs.Job{
		{Name: jobPurge, Every: time.Hour, First: time.Hour, Run: func(ctx context.Context, _, _ string, _ func(string) error) (string, error) {
			n, err := purgeExpired(ctx, st)
			if err != nil {
				return fmt.Sprintf("%d rows purged", n), err
			}
			blocks, err := inc.ExpireBlocks(ctx)
			return fmt.Sprintf("%d rows purged, %d tenants' expired IP blocks removed", n, blocks), err
		}},
		{Name: jobKeyCare, Every: time.Hour, First: 5 * time.Second, Run: func(ctx context.Context, _, _ string, _ func(string) error) (string, error) {
			return keyCare(ctx, a, v, st, log)
		}},
		// A broken chain becomes a critical incident (audit_chain_broken).
		{Name: jobAuditCheck, Every: time.Hour, First: 10 * time.Minute, Run: func(ctx context.Context, _, _ string, _ func(string) error) (string, error) {
			return inc.VerifyChains(ctx)
		}},
		// Retention policies, in batches that save their cursor: a run cut
		// short resumes where it stopped.
		{Name: jobRetention, Every: 24 * time.Hour, First: 30 * time.Minute, Run: func(ctx context.Context, _, state string, save func(string) error) (string, error) {
			rep, err := ret.Run(ctx, state, save)
			return rep.String(), err
		}},
		{Name: jobReencrypt, Run: func(ctx context.Context, name, _ string, _ func(string) error) (string, error) {
			tenantID := name[len(jobReencrypt):]
			n, err := a.ReencryptSecrets(ctx, tenantID, nil)
			return fmt.Sprintf("%d secrets re-encrypted", n), err
		}},
	}}
}

// purgeExpired deletes expired sessions, refresh tokens and MFA challenges,
// and old delivered and dead messages, of every tenant.
func purgeExpired(ctx context.Context, st *store.Store) (int64, error) {
	var total int64
	now := time.Now()
	err := st.EachTenant(ctx, func(t *identity.Tenant) error {
		return st.InTenant(ctx, t.ID, func(tx *store.Tx) error {
			n, err := tx.PurgeExpired(ctx, now)
			total += n
			if err != nil {
				return err
			}
			n, err = tx.PurgeDeliveries(ctx, now.Add(-deliveryRetention))
			total += n
			return err
		})
	})
	return total, err
}

// aiLimits reads tenants' AI gateway limits from the cached tenant settings.
type aiLimits struct{ a *auth.Service }

func (l aiLimits) MaxMessages(ctx context.Context, tenantID string) (int, error) {
	p, err := l.a.TenantPolicy(ctx, tenantID)
	if err != nil || p.AI == nil {
		return 0, err
	}
	return p.AI.MaxMessages, nil
}

// guardPolicies reads tenants' guardrail policies from the cached tenant
// settings.
type guardPolicies struct{ a *auth.Service }

func (g guardPolicies) GuardPolicy(ctx context.Context, tenantID string) (guard.Policy, error) {
	p, err := g.a.TenantPolicy(ctx, tenantID)
	if err != nil || p.Guardrails == nil {
		return guard.Policy{}, err
	}
	return *p.Guardrails, nil
}

// tenantPurposes reads tenants' consent purposes from the cached tenant
// settings.
type tenantPurposes struct{ a *auth.Service }

func (t tenantPurposes) Purposes(ctx context.Context, tenantID string) ([]string, error) {
	p, err := t.a.TenantPolicy(ctx, tenantID)
	if err != nil || p.Privacy == nil {
		return nil, err
	}
	return p.Privacy.Purposes, nil
}

// tenantPresets reads the role preset tenants were created with, for their
// default retention policies.
type tenantPresets struct{ a *auth.Service }

func (t tenantPresets) RolePreset(ctx context.Context, tenantID string) (string, error) {
	p, err := t.a.TenantPolicy(ctx, tenantID)
	return p.RolePreset, err
}
