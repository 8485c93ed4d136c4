package main

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/config"
	"github.com/rampart-dev/rampart/console"
	"github.com/rampart-dev/rampart/encryption"
	"github.com/rampart-dev/rampart/feed"
	"github.com/rampart-dev/rampart/gateway"
	"github.com/rampart-dev/rampart/guard"
	"github.com/rampart-dev/rampart/httpapi"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/privacy"
	"github.com/rampart-dev/rampart/pubsub"
	"github.com/rampart-dev/rampart/ratelimit"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/tenancy"
	"github.com/rampart-dev/rampart/upload"
	"github.com/rampart-dev/rampart/vault"
)

// HTTP server limits.
const (
	readHeaderTimeout = 10 * time.Second
	readTimeout       = 30 * time.Second
	writeTimeout      = 60 * time.Second
	idleTimeout       = 120 * time.Second
	maxHeaderBytes    = 256 << 10 // large enough that an oversized token is answered 401 by Rampart, not 431 by net/http
	// memoryBase is the heap allowed beside the hashing slots before the
	// collector works harder (the soft memory limit).
	memoryBase = 48 << 20
)

func newLogger(cfg *config.Config, w io.Writer) *slog.Logger {
	var level slog.Level
	if err := level.UnmarshalText([]byte(cfg.LogLevel)); err != nil {
		level = slog.LevelInfo
	}
	if cfg.Debug {
		level = slog.LevelDebug
	}
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// openStore opens and migrates the configured database.
func openStore(ctx context.Context, cfg *config.Config, log *slog.Logger) (*store.Store, error) {
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return nil, fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
	}
	st, err := store.Open(ctx, cfg.DatabaseURL, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	applied, err := st.Migrate(ctx)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	if len(applied) > 0 {
		log.Info("migrations applied", "migrations", applied)
	}
	return st, nil
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	return serveWith(ctx, args, getenv, stdout, stderr, serveOptions{})
}

// serveOptions are what tests change beyond configuration.
type serveOptions struct {
	// now is the API's clock (rate-limit headers, account timestamps);
	// tests skew it to show that shared limits are decided on Redis's clock.
	now func() time.Time
	// privacyNow is the clock of data-subject requests' deadlines,
	// reminders and overdue metric; tests move it by weeks.
	privacyNow func() time.Time
}

func serveWith(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer, opt serveOptions) error {
	cfg, err := config.Load("rampart serve", args, getenv, stderr, nil)
	if err != nil {
		return err
	}
	if problems := cfg.ProductionProblems(); len(problems) > 0 {
		fmt.Fprintln(stderr, "rampart: refusing to start in production:")
		for _, p := range problems {
			fmt.Fprintln(stderr, "  -", p)
		}
		return errReported
	}
	log := newLogger(cfg, stderr)
	if err := os.MkdirAll(cfg.DataDir, 0o700); err != nil {
		return fmt.Errorf("create data folder %s: %w", cfg.DataDir, err)
	}

	master, err := masterKey(cfg, log, stderr)
	if err != nil {
		return err
	}
	operatorHash, err := operatorToken(cfg, stdout)
	if err != nil {
		return err
	}

	st, err := openStore(ctx, cfg, log)
	if err != nil {
		return err
	}
	defer st.Close()
	// Users' emails are sealed at rest and found by blind index; rows of
	// older releases are converted now.
	vlt := vault.New(st, master, vault.Options{})
	own := &vault.OwnFields{Fields: keys.NewFields(master), Vault: vlt}
	st.SealFields(own)
	// Audit events' addresses, user agents and details are sealed under
	// their subject's key (erasure shreds it).
	st.SealSubjects(vault.SubjectFields{Vault: vlt})
	if n, err := st.SealUserEmails(ctx); err != nil {
		return fmt.Errorf("seal user emails: %w", err)
	} else if n > 0 {
		log.Info("sealed the emails of users written by an older release", "count", n)
	}

	ready := map[string]func(*http.Request) error{}
	var bus auth.Bus
	var rdb *redis.Client
	if cfg.RedisURL != "" {
		opts, err := redis.ParseURL(cfg.RedisURL)
		if err != nil {
			return errors.New("RAMPART_REDIS_URL is not a valid redis:// URL")
		}
		rdb = redis.NewClient(opts)
		defer rdb.Close()
		ready["redis"] = func(r *http.Request) error { return rdb.Ping(r.Context()).Err() }
		bus = &pubsub.Redis{Client: rdb}
	}

	hasher := identity.NewHasher(cfg.Argon2, cfg.HashSlots, cfg.HashQueue)
	slots := hasher.Slots()
	// Hashing workers hold their threads (see identity.Hasher); extra Ps keep
	// request handling from waiting behind them. GOMAXPROCS, when set, wins.
	if getenv("GOMAXPROCS") == "" {
		runtime.GOMAXPROCS(runtime.GOMAXPROCS(0) + slots)
	}
	// Each running hash holds Argon2 memory; a soft limit sized to the pool
	// makes the collector return that memory promptly instead of letting the
	// heap double. GOMEMLIMIT, when set, wins.
	if getenv("GOMEMLIMIT") == "" {
		debug.SetMemoryLimit(memoryBase + int64(slots)*int64(cfg.Argon2.MemoryKiB)<<10)
	}

	policy := identity.NewPasswordPolicy()
	authn := newAuth(cfg, st, hasher, policy, master, vlt, bus, log)
	authn.SetOwnFields(own)
	if err := authn.LoadKeys(ctx); err != nil {
		return err
	}
	bg, stopBackground := context.WithCancel(ctx)
	defer stopBackground()
	go func() {
		for bg.Err() == nil {
			if err := authn.Listen(bg); err != nil {
				log.Error("revocation listener stopped; restarting", "err", err.Error())
			}
			select {
			case <-bg.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	go maintain(bg, authn, st, log)
	name := replicaName()
	var shared redis.UniversalClient
	if rdb != nil {
		shared = rdb
	}
	evs, err := newEvents(cfg, st, name, shared, authn, log)
	if err != nil {
		return err
	}
	authn.SetMessenger(evs.svc)
	var background sync.WaitGroup
	defer background.Wait() // deliveries in flight end (bounded by their timeouts) before serve returns
	defer stopBackground()
	evs.run(bg, &background)
	// User notifications (new sign-in, MFA on or off, password changed)
	// follow the audit stream.
	notices := &feed.Follower{Store: st, Consumer: auth.NoticesConsumer, Handle: authn.Notices, Poll: noticesPoll, Log: log}
	background.Add(1)
	go func() { defer background.Done(); notices.Run(bg) }()
	retention := privacy.NewRetention(privacy.Retention{Store: st, Presets: tenantPresets{authn}, Notify: evs.worker.Notify, Log: log})
	if cfg.RetentionArchiveDir != "" {
		retention.Archive = privacy.DirArchive{Dir: cfg.RetentionArchiveDir}
	}
	sched := newScheduler(st, authn, vlt, evs.incidents, retention, name, log)
	reminders := &privacy.Reminders{Store: st, Now: opt.privacyNow}
	sched.Jobs = append(sched.Jobs, privacyRemindersJob(reminders))
	background.Add(1)
	go func() { defer background.Done(); sched.Run(bg) }()

	var limiter httpapi.Limiter
	limiterName := "memory"
	if cfg.RateLimits {
		if rdb != nil {
			limiter, limiterName = &ratelimit.Redis{Client: rdb}, "redis"
			mode := "let through (RAMPART_RATE_LIMIT_FAILURE=open)"
			if !cfg.RateLimitFailOpen {
				mode = "refused (RAMPART_RATE_LIMIT_FAILURE=closed)"
			}
			log.Info("rate limits shared in Redis; if Redis is unreachable, login and upload requests are refused and other requests are " + mode)
		} else {
			mem := ratelimit.NewMemory()
			limiter = ratelimit.Local{M: mem, Now: time.Now}
			go sweepLimits(bg, mem)
		}
	}
	now := opt.now
	if now == nil {
		now = time.Now
	}
	tenants := tenancy.New(tenancy.Deps{
		Store:    st,
		Accounts: &identity.Accounts{Store: st, Hasher: hasher, Policy: policy, Now: now},
		Caches:   authn,
		Now:      now,
	})
	guards, err := guard.New()
	if err != nil {
		return err
	}
	guardSvc := &guard.Service{Guard: guards, Policies: guardPolicies{authn}, Audit: authn, MaxBodyBytes: int(cfg.MaxBodyBytes)}
	// Budget counters live in Redis when there is one (shared by every
	// replica without a database write per request), else in the database.
	var budgets gateway.Budgets
	// Upstream changes reach the other replicas' caches on a channel of
	// their own.
	var upstreamBus gateway.Bus
	if rdb != nil {
		budgets = &gateway.RedisBudgets{Client: rdb, Store: st}
		upstreamBus = &pubsub.Redis{Client: rdb, Channel: pubsub.UpstreamChannel}
	}
	ai := gateway.New(gateway.Deps{
		Store: st, Sealer: providerKeys{vlt}, Guard: guardSvc, Logger: log, Now: now, Budgets: budgets, Limits: aiLimits{authn}, Bus: upstreamBus,
		Config: gateway.Config{AllowPrivate: cfg.Delivery.WebhookAllowPrivate, RequireHTTPS: cfg.Env == config.Production,
			UpstreamTimeout: cfg.AIUpstreamTimeout, StreamIdle: cfg.AIUpstreamTimeout, Window: cfg.AIStreamWindow},
	})
	defer ai.Close() // writes the usage records it holds
	go func() {
		for bg.Err() == nil && upstreamBus != nil {
			if err := ai.Listen(bg); err != nil {
				log.Error("AI upstream listener stopped; restarting", "err", err.Error())
			}
			select {
			case <-bg.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	// Consent decisions are cached per replica; changes reach the others
	// on a Redis channel of their own.
	var consentBus privacy.Bus
	if rdb != nil {
		consentBus = &pubsub.Redis{Client: rdb, Channel: pubsub.ConsentChannel}
	}
	consents := privacy.NewConsents(privacy.ConsentDeps{Store: st, Vault: vlt, Purposes: tenantPurposes{authn}, Bus: consentBus, Logger: log, Now: now})
	go func() {
		for bg.Err() == nil {
			if err := consents.Listen(bg); err != nil {
				log.Error("consent listener stopped; restarting", "err", err.Error())
			}
			if consentBus == nil {
				return
			}
			select {
			case <-bg.Done():
			case <-time.After(time.Second):
			}
		}
	}()
	requests := &privacy.Requests{Store: st, Vault: vlt, Consents: consents, Now: cmpOr(opt.privacyNow, now), Notify: evs.worker.Notify}
	enc := encryption.New(encryption.Deps{
		Vault: vlt, Auditor: authn, Tenants: authn, Secrets: authn, SigningKeys: authn, Jobs: sched, Logger: log,
	})
	srv := httpapi.New(httpapi.Deps{
		Gateway: ai, Consents: consents,
		Requests: requests,
		Systems:  &privacy.Systems{Store: st, RequireHTTPS: cfg.Env == config.Production, AllowPrivate: cfg.Delivery.WebhookAllowPrivate, Now: now},
		Config:   cfg, Logger: log, Store: st, Hasher: hasher, Auth: authn, Tenancy: tenants,
		Vault:             vlt,
		OperatorTokenHash: operatorHash, Ready: ready, Limiter: limiter, LimiterName: limiterName, Now: now,
		Limits:   tenancy.NewLimits(cfg.RateLimitTiers, authn),
		Delivery: evs.svc, Sink: evs.sink, Guard: guardSvc, Collectors: append(append(evs.collectors(), retention.Collectors()...), privacyOverdueGauge(reminders)), Incidents: evs.incidents, Retention: retention,
		Uploads:    upload.NewService(upload.Policy{MaxBytes: cfg.UploadMaxBytes}, authn),
		Encryption: enc,
	})
	srv.SetConsole(console.New(console.Deps{Auth: authn, Tenancy: tenants, Encryption: enc, Delivery: evs.svc,
		Incidents: evs.incidents, Requests: requests, Consents: consents, Guard: guardSvc,
		Sessions: st, SessionKey: master,
		OperatorTokenHash: operatorHash, Meta: srv.Meta, Logger: log, Now: now}))
	hs := &http.Server{
		Handler:           srv.Handler(),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      writeTimeout,
		IdleTimeout:       idleTimeout,
		MaxHeaderBytes:    maxHeaderBytes,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
		TLSConfig:         &tls.Config{MinVersion: tls.VersionTLS12},
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	scheme := "http"
	if cfg.TLS() {
		scheme = "https"
	}
	log.Info("rampart listening", "addr", ln.Addr().String(), "env", cfg.Env, "database", st.Dialect(), "tls", cfg.TLS(), "hash_slots", slots,
		"issuer", cfg.Issuer)
	if cfg.IssuerDefaulted {
		// Production refuses this; in development it is worth one line.
		log.Info("RAMPART_ISSUER is not set: tokens name this process's address as their issuer, so other replicas will refuse them", "issuer", cfg.Issuer)
	}
	fmt.Fprintf(stdout, "rampart: listening on %s://%s\n", scheme, ln.Addr())

	errc := make(chan error, 1)
	go func() {
		if cfg.TLS() {
			errc <- hs.ServeTLS(ln, cfg.TLSCertFile, cfg.TLSKeyFile)
		} else {
			errc <- hs.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.ShutdownTimeout)
	defer cancel()
	if err := hs.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	log.Info("stopped")
	return nil
}

// newAuth builds the login, token and session service from the settings.
func newAuth(cfg *config.Config, st *store.Store, hasher *identity.Hasher, policy *identity.PasswordPolicy, master *keys.MasterKey, vlt *vault.Vault, bus auth.Bus, log *slog.Logger) *auth.Service {
	return auth.New(auth.Deps{
		Store: st, Hasher: hasher, Policy: policy, Master: master, Vault: vlt, Bus: bus, Logger: log,
		Lockout: &identity.Lockout{Store: st, Threshold: cfg.LockoutThreshold, Window: cfg.LockoutWindow, Duration: cfg.LockoutDuration},
		Settings: auth.Settings{
			Issuer: cfg.Issuer, Audience: cfg.Audience, Alg: cfg.JWTAlg, AccessTTL: cfg.AccessTokenTTL, RefreshTTL: cfg.RefreshTokenTTL,
			SessionMaxAge: cfg.SessionMaxAge, RefreshGrace: cfg.RefreshGrace, SessionCacheTTL: cfg.SessionCacheTTL,
			DeploymentName: cfg.DeploymentName, SendLimits: cfg.SendLimits,
			PhoneRegion: cfg.Delivery.DefaultPhoneRegion,
		},
	})
}

// maintenanceInterval is how often keys are reloaded (to pick up rotations
// made by other replicas and drop expired keys) and old counters purged.
const maintenanceInterval = time.Minute

// sweepLimits forgets whole in-memory budgets every minute.
func sweepLimits(ctx context.Context, m *ratelimit.Memory) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			m.Sweep(now)
		}
	}
}

// keyUseFlushInterval is how often API key uses reach last_used_at.
const keyUseFlushInterval = 2 * time.Second

// noticesPoll is how often user notifications look for new events.
const noticesPoll = 500 * time.Millisecond

// maintain does this replica's own periodic work: reloading signing keys
// (rotations by other replicas), flushing API key uses and purging old
// counters. Deployment-wide work runs as jobs (newScheduler).
func maintain(ctx context.Context, a *auth.Service, st *store.Store, log *slog.Logger) {
	t := time.NewTicker(maintenanceInterval)
	defer t.Stop()
	uses := time.NewTicker(keyUseFlushInterval)
	defer uses.Stop()
	for {
		select {
		case <-ctx.Done():
			a.FlushKeyUses(context.WithoutCancel(ctx))
			return
		case <-uses.C:
			a.FlushKeyUses(ctx)
			continue
		case <-t.C:
		}
		if err := a.LoadKeys(ctx); err != nil && ctx.Err() == nil {
			log.Error("reload signing keys", "err", err.Error())
		}
		if _, err := st.PurgeCounters(ctx, time.Now()); err != nil && ctx.Err() == nil {
			log.Warn("purge counters", "err", err.Error())
		}
	}
}

// masterKey loads the configured master key or, in development only, the one
// generated into the data folder, with a loud warning.
func masterKey(cfg *config.Config, log *slog.Logger, stderr io.Writer) (*keys.MasterKey, error) {
	switch {
	case cfg.MasterKey != "":
		k, err := keys.ParseMasterKey(cfg.MasterKey)
		if err != nil {
			return nil, fmt.Errorf("RAMPART_MASTER_KEY: %w", err)
		}
		return k, nil
	case cfg.MasterKeyFile != "":
		k, err := keys.LoadMasterKeyFile(cfg.MasterKeyFile)
		if err != nil {
			return nil, fmt.Errorf("RAMPART_MASTER_KEY_FILE: %w", err)
		}
		return k, nil
	}
	k, path, created, err := keys.DevMasterKey(cfg.DataDir)
	if err != nil {
		return nil, err
	}
	banner := strings.Repeat("!", 78)
	fmt.Fprintf(stderr, "%s\n!! WARNING: using a DEVELOPMENT master key stored next to the data (%s).\n!! Anyone who can read the data folder can decrypt every secret in it.\n!! Set RAMPART_MASTER_KEY or RAMPART_MASTER_KEY_FILE for real use.\n%s\n", banner, path, banner)
	log.Warn("development master key in use", "path", path, "created", created)
	return k, nil
}

// operatorTokenFile keeps the SHA-256 of a generated operator token, so the
// token is printed once and still works after a restart.
const operatorTokenFile = "operator-token.sha256"

// operatorToken returns the hash of the operator token: the configured one,
// else the one generated earlier into the data folder, else a new one that is
// printed once on stdout.
func operatorToken(cfg *config.Config, stdout io.Writer) ([32]byte, error) {
	if cfg.OperatorToken != "" {
		return sha256.Sum256([]byte(cfg.OperatorToken)), nil
	}
	path := filepath.Join(cfg.DataDir, operatorTokenFile)
	if b, err := os.ReadFile(path); err == nil {
		var h [32]byte
		raw, err := hex.DecodeString(strings.TrimSpace(string(b)))
		if err != nil || len(raw) != 32 {
			return h, fmt.Errorf("%s is corrupt; delete it to generate a new operator token", path)
		}
		copy(h[:], raw)
		return h, nil
	}
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return [32]byte{}, err
	}
	token := "rop_" + base64.RawURLEncoding.EncodeToString(raw)
	h := sha256.Sum256([]byte(token))
	if err := os.WriteFile(path, []byte(hex.EncodeToString(h[:])+"\n"), 0o600); err != nil {
		return h, fmt.Errorf("store operator token hash: %w", err)
	}
	fmt.Fprintf(stdout, "\nOperator token (shown once; delete %s to get a new one):\n\n    %s\n\n", path, token)
	return h, nil
}

// keyCare rotates every tenant's data keys that have reached their maximum
// age (even without writes) and re-encrypts Rampart's own stored secrets
// under the newest versions. Both steps are idempotent, so a run that a
// crash interrupts is simply run again.
func keyCare(ctx context.Context, a *auth.Service, v *vault.Vault, st *store.Store, log *slog.Logger) (string, error) {
	tenants, moved, failed := 0, 0, 0
	err := st.EachTenant(ctx, func(t *identity.Tenant) error {
		tenants++
		if rotated, err := v.RotateDue(ctx, t.ID); err != nil {
			failed++
			log.Warn("key care: rotate due keys", "tenant", t.ID, "err", err.Error())
		} else if len(rotated) > 0 {
			log.Info("data keys rotated by age", "tenant", t.ID, "purposes", rotated)
		}
		n, err := a.ReencryptSecrets(ctx, t.ID, nil)
		if err != nil {
			failed++
			log.Warn("key care: re-encrypt secrets", "tenant", t.ID, "err", err.Error())
		} else if n > 0 {
			log.Info("stored secrets re-encrypted", "tenant", t.ID, "count", n)
		}
		moved += n
		return ctx.Err()
	})
	outcome := fmt.Sprintf("%d tenants, %d secrets re-encrypted", tenants, moved)
	if err == nil && failed > 0 {
		err = fmt.Errorf("%d tenant steps failed (see the log)", failed)
	}
	return outcome, err
}

// providerKeys seals the AI gateway's provider keys under the tenant's
// api_keys key, bound to the upstream's row.
type providerKeys struct{ v *vault.Vault }

func (p providerKeys) Seal(ctx context.Context, tenantID, context string, plaintext []byte) (string, error) {
	return p.v.Encrypt(ctx, vault.Field{TenantID: tenantID, Purpose: keys.PurposeAPIKeys, Context: context}, plaintext)
}

func (p providerKeys) Open(ctx context.Context, tenantID, context, sealed string) ([]byte, error) {
	pt, _, err := p.v.Decrypt(ctx, tenantID, context, sealed)
	return pt, err
}
