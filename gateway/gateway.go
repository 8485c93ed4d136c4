// Package gateway is Rampart's AI gateway: an OpenAI-compatible proxy per
// tenant. A request is checked by the tenant's guardrails on its way in and
// on its way out (streams included, through a held-back window), personal
// data is replaced by placeholders before the provider sees it and restored
// in the answer, model requests and token budgets are spent before the
// provider is called, and every request lands in a usage log.
//
// The package speaks OpenAI's JSON with the provider and hands the HTTP
// layer ready bodies and Server-Sent Events; it knows nothing of routes.
package gateway

import (
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"sync"
	"syscall"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/guard"
	"github.com/rampart-dev/rampart/pii"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

// Defaults and bounds; each is a field of Config.
const (
	// DefaultWindow is how many characters of a streamed answer are held
	// back and scanned before they are released.
	DefaultWindow = 256
	// DefaultUpstreamTimeout bounds a whole non-streamed upstream call, and
	// the wait for a stream's first byte.
	DefaultUpstreamTimeout = 120 * time.Second
	// DefaultStreamIdle bounds the silence between two events of a stream.
	DefaultStreamIdle = 60 * time.Second
	// DefaultMaxMessages bounds a conversation's length.
	DefaultMaxMessages = 256
	// DefaultMaxOutputTokens is reserved for a request that names no
	// max_tokens.
	DefaultMaxOutputTokens = 4096
	// MaxUpstreamBody bounds what is read of an upstream's answer.
	MaxUpstreamBody = 16 << 20
	// MaxUpstreams bounds a tenant's upstreams.
	MaxUpstreams = 32
	// UpstreamCacheTTLWithBus is how long a replica reuses a tenant's
	// upstreams when changes reach it on the bus: a safety net for a lost
	// message (changes apply at once here and on the other replicas).
	UpstreamCacheTTLWithBus = 10 * time.Second
	// UpstreamCacheTTLWithoutBus bounds how long another replica without
	// a bus may serve a changed or deleted upstream.
	UpstreamCacheTTLWithoutBus = time.Second
	// publishTimeout bounds telling the other replicas of a change.
	publishTimeout = time.Second
)

// Bus carries upstream changes between replicas (Redis pub/sub on its own
// channel, pubsub.UpstreamChannel). Subscribe calls fn with "*" whenever
// it (re)subscribes: messages sent while it was down are lost.
type Bus interface {
	Publish(ctx context.Context, msg string) error
	Subscribe(ctx context.Context, fn func(msg string)) error
}

// Scanner is the guardrails service (guard.Service) as the gateway uses it.
type Scanner interface {
	Scan(ctx context.Context, tenantID string, actor audit.Actor, r guard.Request) (*guard.Result, error)
}

// Sealer encrypts and decrypts provider keys under the tenant's keys,
// bound to a context (the upstream's row).
type Sealer interface {
	Seal(ctx context.Context, tenantID, context string, plaintext []byte) (string, error)
	Open(ctx context.Context, tenantID, context, sealed string) ([]byte, error)
}

// Limits reads a tenant's own limits of the gateway (its settings).
type Limits interface {
	// MaxMessages is the tenant's bound on a chat's messages; 0 leaves
	// the deployment's (Config.MaxMessages).
	MaxMessages(ctx context.Context, tenantID string) (int, error)
}

// Config are the gateway's settings.
type Config struct {
	Window          int           // held-back characters of a stream (DefaultWindow)
	UpstreamTimeout time.Duration // DefaultUpstreamTimeout
	StreamIdle      time.Duration // DefaultStreamIdle
	MaxMessages     int           // DefaultMaxMessages
	// AllowPrivate lets upstreams live on loopback and private addresses
	// (development and tests; RAMPART_WEBHOOK_ALLOW_PRIVATE), checked on
	// the address dialled.
	AllowPrivate bool
	RequireHTTPS bool
	// UsageQueue bounds the usage records waiting to be written.
	UsageQueue int
}

// Deps are what New needs.
type Deps struct {
	Store   *store.Store
	Sealer  Sealer
	Guard   Scanner
	Budgets Budgets // nil: budget counters in the database (SQLBudgets)
	Limits  Limits  // nil: the deployment's limits for every tenant
	Bus     Bus     // nil: one replica (or a short cache TTL)
	Config  Config
	Logger  *slog.Logger
	Now     func() time.Time
	// Transport, when set, replaces the dialling transport (benchmarks).
	Transport http.RoundTripper
}

// Service is the gateway. Build it with New.
type Service struct {
	store   *store.Store
	sealer  Sealer
	guard   Scanner
	budgets Budgets
	limits  Limits
	cfg     Config
	log     *slog.Logger
	now     func() time.Time
	client  *http.Client
	pii     *pii.Detector
	usage   *usageQueue
	bus     Bus
	ttl     time.Duration // of the upstream cache

	mu       sync.Mutex
	gen      uint64 // counts invalidations, so a read that raced one is not cached
	cache    map[string]cachedUpstreams
	budgeted map[string]budgetedSubjects
}

type cachedUpstreams struct {
	list []*Upstream
	at   time.Time
}

// New returns the gateway.
func New(d Deps) *Service {
	c := d.Config
	if c.Window <= 0 {
		c.Window = DefaultWindow
	}
	c.Window = max(c.Window, minWindow)
	if c.UpstreamTimeout <= 0 {
		c.UpstreamTimeout = DefaultUpstreamTimeout
	}
	if c.StreamIdle <= 0 {
		c.StreamIdle = DefaultStreamIdle
	}
	if c.MaxMessages <= 0 {
		c.MaxMessages = DefaultMaxMessages
	}
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.Default()
	}
	s := &Service{store: d.Store, sealer: d.Sealer, guard: d.Guard, cfg: c, log: d.Logger, now: d.Now,
		pii: pii.NewDetector(), cache: map[string]cachedUpstreams{}, budgeted: map[string]budgetedSubjects{}}
	s.budgets = d.Budgets
	s.limits = d.Limits
	s.bus, s.ttl = d.Bus, UpstreamCacheTTLWithoutBus
	if d.Bus != nil {
		s.ttl = UpstreamCacheTTLWithBus
	}
	if s.budgets == nil {
		s.budgets = &SQLBudgets{Store: d.Store}
	}
	s.client = &http.Client{Transport: d.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	if d.Transport == nil {
		s.client.Transport = transport(c)
	}
	s.usage = newUsageQueue(d.Store, c.UsageQueue, d.Logger)
	return s
}

// transport dials upstreams, refusing private addresses unless allowed (on
// the address actually connected to, so DNS rebinding gains nothing).
func transport(c Config) *http.Transport {
	dialer := &net.Dialer{
		Timeout: 10 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			if c.AllowPrivate {
				return nil
			}
			ap, err := netip.ParseAddrPort(address)
			if err != nil || !webhook.PublicAddress(ap.Addr()) {
				return errPrivate
			}
			return nil
		},
	}
	return &http.Transport{
		Proxy:                 nil,
		DialContext:           dialer.DialContext,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          256,
		MaxIdleConnsPerHost:   64,
		IdleConnTimeout:       90 * time.Second,
		TLSHandshakeTimeout:   10 * time.Second,
		ResponseHeaderTimeout: c.UpstreamTimeout,
	}
}

var errPrivate = rampart.Errorf(rampart.EForbidden, "the upstream's address is not public")

// Close stops the usage writer after writing what it holds.
func (s *Service) Close() { s.usage.close() }

// Caller is who makes a request: the tenant, the user and the API key (when
// the caller used one), for guardrail events, budgets and the usage log.
type Caller struct {
	TenantID string
	UserID   string
	KeyID    string
	Actor    audit.Actor
}

// OpenAI error codes and types this package answers with; they travel as
// extensions of a rampart.Error to the HTTP layer, which shapes them.
const (
	CodeContentFilter     = "content_filter"
	CodeModelNotFound     = "model_not_found"
	CodeInsufficientQuota = "insufficient_quota"
	CodeUpstream          = "upstream_error"
	CodeUpstreamTimeout   = "upstream_timeout"
)

// openAIError is a rampart.Error carrying the OpenAI code (and the
// scanner that blocked, for content_filter).
func openAIError(code, openaiCode, msg string, ext map[string]any) *rampart.Error {
	e := &rampart.Error{Code: code, Message: msg, Extensions: map[string]any{"openai_code": openaiCode}}
	for k, v := range ext {
		e.Extensions[k] = v
	}
	return e
}
