// Package httpapi is Rampart's JSON API: routes, handlers and middleware.
package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/config"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/delivery"
	"github.com/rampart-dev/rampart/encryption"
	"github.com/rampart-dev/rampart/gateway"
	"github.com/rampart-dev/rampart/guard"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/incident"
	"github.com/rampart-dev/rampart/pii"
	"github.com/rampart-dev/rampart/privacy"
	"github.com/rampart-dev/rampart/ratelimit"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/tenancy"
	"github.com/rampart-dev/rampart/upload"
	"github.com/rampart-dev/rampart/vault"
)

// Server holds what the handlers need. Build it with New.
type Server struct {
	cfg     *config.Config
	log     *slog.Logger
	auth    *auth.Service
	tenancy *tenancy.Service
	hasher  *identity.Hasher
	// operatorHash is the SHA-256 of the operator token; the token itself is
	// not kept, and presented tokens are compared by hash in constant time.
	operatorHash [32]byte
	readiness    []readinessCheck
	limiter      Limiter
	vault        *vault.Vault
	pii          *pii.Detector
	limiterName  string          // memory | redis
	limits       *tenancy.Limits // which limits apply to whom
	refusals     audit.Sampler   // of api_rate_limit events
	loginLimit   *ratelimit.Limit
	uploadLimits []*ratelimit.Limit
	fileLimits   []*ratelimit.Limit
	metrics      *metrics
	delivery     *delivery.Service
	sink         *courier.Sink // development only: what "sent" messages went to
	guard        *guard.Service
	incidents    *incident.Service
	// crypto encrypts and decrypts for callers and rotates their keys.
	crypto *encryption.Service
	// uploads validates uploaded files under the deployment's policy.
	uploads *upload.Service
	// gateway is the AI gateway (the /v1/ai/ routes).
	gateway *gateway.Service
	// consents records and checks consent (the /v1/consents routes).
	consents *privacy.Consents
	// systems is the registry of the platform's systems of personal data.
	systems *privacy.Systems
	// requests keeps data-subject requests and their deadlines.
	requests *privacy.Requests
	now      func() time.Time

	// retention keeps and previews retention policies.
	retention *privacy.Retention
	// console serves /console/ when set (SetConsole).
	console http.Handler
}

// SetConsole mounts the admin console at /console/, behind the same
// middleware as the API (IP rules, trusted hosts, body limits); call it
// before Handler.
func (s *Server) SetConsole(h http.Handler) { s.console = h }

// Meta describes the client of r for the auth service, as the API's
// handlers see it (for the console).
func (s *Server) Meta(r *http.Request) auth.Meta { return s.meta(r) }

// readinessCheck is one dependency /readyz checks.
type readinessCheck struct {
	name  string
	check func(r *http.Request) error
}

// Deps are the parts New wires together.
type Deps struct {
	Config *config.Config
	Logger *slog.Logger
	Store  *store.Store // for /readyz
	Hasher *identity.Hasher
	Auth   *auth.Service
	// Tenancy administers tenants and reads their audit logs.
	Tenancy *tenancy.Service
	// OperatorTokenHash is the SHA-256 of the operator token.
	OperatorTokenHash [32]byte
	// Limiter decides rate limits; nil disables them. Limits says which
	// apply (nil: the chatbot design's tiers).
	Limiter     Limiter
	Vault       *vault.Vault
	LimiterName string
	Limits      *tenancy.Limits
	// Ready lists extra dependencies for /readyz (for example Redis).
	Ready map[string]func(r *http.Request) error
	// Delivery answers the events-out API (feed, webhooks, deliveries, jobs).
	Delivery *delivery.Service
	// Sink, in development without a courier, holds what was "sent".
	Sink *courier.Sink
	// Guard answers the guardrails API.
	Guard *guard.Service
	// Collectors are other parts' metrics, served on /metrics too.
	Collectors []prometheus.Collector
	// Incidents answers the incidents API.
	Incidents *incident.Service
	// Uploads validates uploaded files (POST /v1/files/validate).
	Uploads *upload.Service
	// Encryption encrypts and decrypts for callers and rotates keys.
	Encryption *encryption.Service
	// Gateway is the AI gateway.
	Gateway *gateway.Service
	// Consents records and checks consent.
	Consents *privacy.Consents
	// Systems registers the platform's systems holding personal data.
	Systems *privacy.Systems
	// Requests keeps data-subject requests.
	Requests *privacy.Requests
	Now      func() time.Time

	// Retention keeps retention policies and previews them.
	Retention *privacy.Retention
}

// New returns a Server.
func New(d Deps) *Server {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	s := &Server{
		cfg:          d.Config,
		log:          d.Logger,
		hasher:       d.Hasher,
		auth:         d.Auth,
		tenancy:      d.Tenancy,
		operatorHash: d.OperatorTokenHash,
		now:          now,
		delivery:     d.Delivery,
		sink:         d.Sink,
		guard:        d.Guard,
		incidents:    d.Incidents,
		crypto:       d.Encryption,
		gateway:      d.Gateway,
		consents:     d.Consents,
		systems:      d.Systems,
		requests:     d.Requests,
		retention:    d.Retention,
	}
	s.readiness = append(s.readiness, readinessCheck{"database", func(r *http.Request) error { return d.Store.Ping(r.Context()) }})
	for name, fn := range d.Ready {
		s.readiness = append(s.readiness, readinessCheck{name, fn})
	}
	s.metrics = newMetrics(s)
	s.metrics.registry.MustRegister(d.Collectors...)
	s.limiter = d.Limiter
	s.vault = d.Vault
	s.uploads = d.Uploads
	s.pii = pii.NewDetector()
	s.limiterName = d.LimiterName
	// The per-route login limit: per client address, refused when the
	// shared backend is down.
	s.loginLimit = &ratelimit.Limit{Name: "login", Rate: int64(max(1, d.Config.LoginLimit)), Period: time.Minute,
		Algorithm: ratelimit.SlidingWindow, FailClosed: true}
	// The per-route upload limit: per caller, a security limit too.
	s.uploadLimits = []*ratelimit.Limit{{Name: "upload", Rate: int64(max(1, d.Config.UploadLimit)), Period: time.Minute,
		Algorithm: ratelimit.SlidingWindow, FailClosed: true}}
	s.fileLimits = []*ratelimit.Limit{{Name: "file_stream", Rate: fileStreamsPerMinute, Period: time.Minute, Algorithm: ratelimit.SlidingWindow}}
	s.limits = d.Limits
	if s.limits == nil {
		s.limits = tenancy.NewLimits(nil, d.Auth)
	}
	return s
}

// Handler returns the whole API with its middleware, in the order a request
// meets them.
func (s *Server) Handler() http.Handler {
	return chain(s.mux(),
		s.observe,
		s.recoverPanics,
		s.securityHeaders,
		s.trustedHosts,
		s.ipRules,
		s.cors,
		s.limitBody,
	)
}

// operatorOnly admits requests bearing the operator token.
func (s *Server) operatorOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := bearer(r)
		sum := sha256.Sum256([]byte(token))
		if !ok || subtle.ConstantTimeCompare(sum[:], s.operatorHash[:]) != 1 {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rampart"`)
			writeError(w, r, s.log, rampart.Errorf(rampart.EUnauthorized, "a valid operator token is required"))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// bearer returns the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	scheme, token, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") || token == "" {
		return "", false
	}
	return strings.TrimSpace(token), true
}

// metrics are the Prometheus collectors of one Server, in a registry of its
// own (no global registry: two servers in one test process do not collide).
type metrics struct {
	registry *prometheus.Registry
	requests *prometheus.CounterVec
	latency  *prometheus.HistogramVec
	ipDenied prometheus.Counter
}

func newMetrics(s *Server) *metrics {
	m := &metrics{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "rampart_http_requests_total", Help: "HTTP requests by route pattern and status.",
		}, []string{"route", "status"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name: "rampart_http_request_duration_seconds", Help: "HTTP request latency by route pattern.",
			Buckets: []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5},
		}, []string{"route"}),
		ipDenied: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "rampart_ip_denied_total", Help: "Requests refused by the deployment's IP rules.",
		}),
	}
	gauge := func(name, help string, f func() float64) prometheus.Collector {
		return prometheus.NewGaugeFunc(prometheus.GaugeOpts{Name: name, Help: help}, f)
	}
	m.registry.MustRegister(
		m.requests, m.latency, m.ipDenied,
		collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		gauge("rampart_password_hash_running", "Password hashes running now.", func() float64 { r, _, _, _ := s.hasher.Stats(); return float64(r) }),
		gauge("rampart_password_hash_waiting", "Password hashes waiting in the queue.", func() float64 { _, w, _, _ := s.hasher.Stats(); return float64(w) }),
		gauge("rampart_password_hash_slots", "Password hashes allowed to run at once.", func() float64 { _, _, _, n := s.hasher.Stats(); return float64(n) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "rampart_password_hash_computed_total", Help: "Argon2 computations run (hashes and verifications)."},
			func() float64 { return float64(s.hasher.Computed()) }),
		prometheus.NewCounterFunc(prometheus.CounterOpts{Name: "rampart_password_hash_refused_total", Help: "Password hashes refused because the queue was full."},
			func() float64 { _, _, f, _ := s.hasher.Stats(); return float64(f) }),
	)
	return m
}
