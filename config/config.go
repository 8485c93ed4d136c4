// Package config reads Rampart's settings from the environment and matching
// flags (flags win), and refuses insecure settings in production.
package config

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/iprules"
	"github.com/rampart-dev/rampart/ratelimit"
)

// Environments.
const (
	Development = "development"
	Production  = "production"
)

// MinOperatorTokenLen is the shortest operator token accepted.
const MinOperatorTokenLen = 32

// Config is every setting of `rampart serve` and the CLI.
type Config struct {
	Env            string
	Addr           string
	DataDir        string
	DatabaseURL    string
	RedisURL       string
	MasterKey      string // base64; never logged
	MasterKeyFile  string
	OperatorToken  string // never logged
	TLSCertFile    string
	TLSKeyFile     string
	TrustedProxies []netip.Prefix
	// TrustedProxiesSet records that the operator said explicitly which
	// proxies to trust ("none" counts), which production requires without TLS.
	TrustedProxiesSet bool
	CORSOrigins       []string
	TrustedHosts      []string
	MaxBodyBytes      int64
	Debug             bool
	LogLevel          string
	DeploymentName    string
	ShutdownTimeout   time.Duration
	// AIUpstreamTimeout bounds an AI gateway call to a provider (and a
	// stream's first byte and its silences); AIStreamWindow is how many
	// characters of a streamed answer are held back and scanned.
	AIUpstreamTimeout time.Duration
	AIStreamWindow    int
	HashSlots         int
	HashQueue         int
	Argon2            identity.Argon2Params

	// Tokens and sessions.
	Issuer string
	// IssuerDefaulted records that RAMPART_ISSUER was not set and Issuer is
	// this process's own listen address: replicas behind one load balancer
	// would each name a different issuer and refuse each other's tokens.
	IssuerDefaulted  bool
	Audience         string
	JWTAlg           string
	AccessTokenTTL   time.Duration
	RefreshTokenTTL  time.Duration
	SessionMaxAge    time.Duration
	RefreshGrace     time.Duration
	SessionCacheTTL  time.Duration
	LockoutThreshold int
	LockoutWindow    time.Duration
	LockoutDuration  time.Duration

	// RateLimits turns rate limiting on (the default); tests of other
	// features turn it off.
	RateLimits bool
	// SendLimits caps the links and codes sent to users (per recipient,
	// client address, tenant and SMS country; on by default); tests of
	// other features turn it off.
	SendLimits bool
	// LoginLimit is how many logins a minute one client address may try.
	LoginLimit int
	// RateLimitFailOpen lets requests through when the shared limiter is
	// unreachable, for limits that are not security limits (login and
	// upload limits always fail closed).
	RateLimitFailOpen bool
	// RateLimitTiers are the tiers' limits: the chatbot design's, with the
	// overrides of RAMPART_RATE_LIMIT_TIERS.
	RateLimitTiers ratelimit.Tiers
	// UploadLimit is how many uploads a minute one caller may validate;
	// UploadMaxBytes the largest file accepted.
	UploadLimit    int
	UploadMaxBytes int64
	// IPRules are the deployment's allow and deny lists, checked on every
	// /v1/ request before anything else.
	IPRules *iprules.Rules
	// Delivery is events out: webhooks, e-mail, SMS.
	Delivery Delivery

	// RetentionArchiveDir is where retention's archive_then_delete writes
	// the rows it removes; empty refuses that action at run time.
	RetentionArchiveDir string
}

// Limits of the token settings.
const (
	MaxAccessTokenTTL = 60 * time.Minute
	MaxRefreshGrace   = 60 * time.Second
)

// setting is one configuration item: its flag, its variable and its help.
type setting struct {
	flag, env, help string
	secret          bool // read from the environment only, never a flag
}

// Load builds a Config from getenv and args (flags). Unknown flags and
// malformed values are errors.
// extra, when not nil, registers a subcommand's own flags on the same set.
func Load(name string, args []string, getenv func(string) string, stderr io.Writer, extra func(*flag.FlagSet)) (*Config, error) {
	c := &Config{}
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	if extra != nil {
		extra(fs)
	}
	fs.SetOutput(stderr)
	env := func(name, def string) string {
		if v := getenv(name); v != "" {
			return v
		}
		return def
	}
	var trusted, cors, hosts, maxBody, debug, slots, queue, argT, argM, argP, shutdown string
	var failure, tiers, uploadLimit, uploadMax, ipAllow, ipDeny string
	var accessTTL, refreshTTL, maxAge, grace, cacheTTL, lockN, lockWindow, lockDuration, rateLimits, sendLimits, loginLimit string
	fs.StringVar(&c.Env, "env", env("RAMPART_ENV", Development), "development | production (RAMPART_ENV)")
	fs.StringVar(&c.Addr, "addr", env("RAMPART_ADDR", "127.0.0.1:8080"), "listen address (RAMPART_ADDR)")
	fs.StringVar(&c.DataDir, "data-dir", env("RAMPART_DATA_DIR", "./rampart-data"), "data folder for SQLite and the development key (RAMPART_DATA_DIR)")
	fs.StringVar(&c.DatabaseURL, "database-url", env("RAMPART_DATABASE_URL", ""), "sqlite:PATH or postgres://... (RAMPART_DATABASE_URL); default SQLite in the data folder")
	fs.StringVar(&c.RetentionArchiveDir, "retention-archive-dir", env("RAMPART_RETENTION_ARCHIVE_DIR", ""), "folder where retention's archive_then_delete archives rows before deleting them (RAMPART_RETENTION_ARCHIVE_DIR)")
	fs.StringVar(&c.RedisURL, "redis-url", env("RAMPART_REDIS_URL", ""), "redis://... for shared limits and revocation (RAMPART_REDIS_URL)")
	fs.StringVar(&c.MasterKeyFile, "master-key-file", env("RAMPART_MASTER_KEY_FILE", ""), "file holding the base64 master key (RAMPART_MASTER_KEY_FILE)")
	fs.StringVar(&c.TLSCertFile, "tls-cert", env("RAMPART_TLS_CERT_FILE", ""), "TLS certificate file (RAMPART_TLS_CERT_FILE)")
	fs.StringVar(&c.TLSKeyFile, "tls-key", env("RAMPART_TLS_KEY_FILE", ""), "TLS key file (RAMPART_TLS_KEY_FILE)")
	fs.StringVar(&trusted, "trusted-proxies", env("RAMPART_TRUSTED_PROXIES", ""), "comma-separated CIDRs of proxies whose X-Forwarded-For is believed, or none (RAMPART_TRUSTED_PROXIES)")
	fs.StringVar(&cors, "cors-origins", env("RAMPART_CORS_ORIGINS", ""), "comma-separated origins allowed by CORS (RAMPART_CORS_ORIGINS)")
	fs.StringVar(&hosts, "trusted-hosts", env("RAMPART_TRUSTED_HOSTS", ""), "comma-separated Host values accepted; empty accepts any (RAMPART_TRUSTED_HOSTS)")
	fs.StringVar(&maxBody, "max-body-bytes", env("RAMPART_MAX_BODY_BYTES", "1048576"), "largest request body (RAMPART_MAX_BODY_BYTES)")
	fs.StringVar(&debug, "debug", env("RAMPART_DEBUG", "false"), "debug logging; refused in production (RAMPART_DEBUG)")
	fs.StringVar(&c.LogLevel, "log-level", env("RAMPART_LOG_LEVEL", "info"), "debug | info | warn | error (RAMPART_LOG_LEVEL)")
	fs.StringVar(&c.DeploymentName, "deployment-name", env("RAMPART_DEPLOYMENT_NAME", "Rampart"), "name shown to users, e.g. in authenticator apps (RAMPART_DEPLOYMENT_NAME)")
	var aiTimeout, aiWindow string
	fs.StringVar(&aiTimeout, "ai-upstream-timeout", env("RAMPART_AI_UPSTREAM_TIMEOUT", "120s"), "AI gateway: limit of a provider call, and of a stream's silences (RAMPART_AI_UPSTREAM_TIMEOUT)")
	fs.StringVar(&aiWindow, "ai-stream-window", env("RAMPART_AI_STREAM_WINDOW", "256"), "AI gateway: characters of a streamed answer held back and scanned before release, at least 64 (RAMPART_AI_STREAM_WINDOW)")
	fs.StringVar(&shutdown, "shutdown-timeout", env("RAMPART_SHUTDOWN_TIMEOUT", "15s"), "graceful shutdown limit (RAMPART_SHUTDOWN_TIMEOUT)")
	fs.StringVar(&slots, "hash-slots", env("RAMPART_HASH_SLOTS", "0"), "password hashes run at once; 0 = one per CPU (RAMPART_HASH_SLOTS)")
	fs.StringVar(&queue, "hash-queue", env("RAMPART_HASH_QUEUE", "0"), "password hashes allowed to wait; 0 = 4 per slot (RAMPART_HASH_QUEUE)")
	fs.StringVar(&argT, "argon2-time", env("RAMPART_ARGON2_TIME", "3"), "Argon2id iterations (RAMPART_ARGON2_TIME)")
	fs.StringVar(&argM, "argon2-memory-kib", env("RAMPART_ARGON2_MEMORY_KIB", "65536"), "Argon2id memory in KiB (RAMPART_ARGON2_MEMORY_KIB)")
	fs.StringVar(&argP, "argon2-threads", env("RAMPART_ARGON2_THREADS", "1"), "Argon2id parallelism (RAMPART_ARGON2_THREADS)")
	fs.StringVar(&c.Issuer, "issuer", env("RAMPART_ISSUER", ""), "token issuer URL (RAMPART_ISSUER); default http://ADDR")
	fs.StringVar(&c.Audience, "audience", env("RAMPART_AUDIENCE", "rampart"), "audience of access tokens (RAMPART_AUDIENCE)")
	fs.StringVar(&c.JWTAlg, "jwt-alg", env("RAMPART_JWT_ALG", "RS256"), "RS256 | ES256 | EdDSA (RAMPART_JWT_ALG)")
	fs.StringVar(&accessTTL, "access-token-ttl", env("RAMPART_ACCESS_TOKEN_TTL", "15m"), "access token lifetime, at most 60m (RAMPART_ACCESS_TOKEN_TTL)")
	fs.StringVar(&refreshTTL, "refresh-token-ttl", env("RAMPART_REFRESH_TOKEN_TTL", "168h"), "refresh token lifetime (RAMPART_REFRESH_TOKEN_TTL)")
	fs.StringVar(&maxAge, "session-max-age", env("RAMPART_SESSION_MAX_AGE", "720h"), "a session's absolute lifetime (RAMPART_SESSION_MAX_AGE)")
	fs.StringVar(&grace, "refresh-grace", env("RAMPART_REFRESH_GRACE", "0s"), "reuse window of the previous refresh token, at most 60s (RAMPART_REFRESH_GRACE)")
	fs.StringVar(&cacheTTL, "session-cache-ttl", env("RAMPART_SESSION_CACHE_TTL", "5s"), "how long a replica trusts a cached session state (RAMPART_SESSION_CACHE_TTL)")
	fs.StringVar(&lockN, "lockout-threshold", env("RAMPART_LOCKOUT_THRESHOLD", "5"), "failed logins that lock a (tenant, email) (RAMPART_LOCKOUT_THRESHOLD)")
	fs.StringVar(&lockWindow, "lockout-window", env("RAMPART_LOCKOUT_WINDOW", "15m"), "window in which failures count (RAMPART_LOCKOUT_WINDOW)")
	fs.StringVar(&lockDuration, "lockout-duration", env("RAMPART_LOCKOUT_DURATION", "15m"), "how long a lock lasts (RAMPART_LOCKOUT_DURATION)")
	fs.StringVar(&rateLimits, "rate-limits", env("RAMPART_RATE_LIMITS", "on"), "on | off (RAMPART_RATE_LIMITS)")
	fs.StringVar(&sendLimits, "send-limits", env("RAMPART_SEND_LIMITS", "on"), "on | off: limits on messages with links and codes (RAMPART_SEND_LIMITS)")
	fs.StringVar(&loginLimit, "login-limit", env("RAMPART_LOGIN_LIMIT", "5"), "logins a minute per client address (RAMPART_LOGIN_LIMIT)")
	fs.StringVar(&failure, "rate-limit-failure", env("RAMPART_RATE_LIMIT_FAILURE", "open"), "open | closed: what non-security limits do when Redis is unreachable; login and upload limits always fail closed (RAMPART_RATE_LIMIT_FAILURE)")
	fs.StringVar(&tiers, "rate-limit-tiers", env("RAMPART_RATE_LIMIT_TIERS", ""), `tier overrides as JSON or @file, e.g. {"premium":{"api_calls":{"rate":20000,"period":"1m"}}} (RAMPART_RATE_LIMIT_TIERS)`)
	fs.StringVar(&uploadLimit, "upload-limit", env("RAMPART_UPLOAD_LIMIT", "10"), "uploads a minute per caller (RAMPART_UPLOAD_LIMIT)")
	fs.StringVar(&uploadMax, "upload-max-bytes", env("RAMPART_UPLOAD_MAX_BYTES", "104857600"), "largest file POST /v1/files/validate accepts (RAMPART_UPLOAD_MAX_BYTES)")
	fs.StringVar(&ipAllow, "ip-allow", env("RAMPART_IP_ALLOW", ""), "comma-separated CIDRs: when set, only these addresses reach /v1/ (RAMPART_IP_ALLOW)")
	fs.StringVar(&ipDeny, "ip-deny", env("RAMPART_IP_DENY", ""), "comma-separated CIDRs refused on /v1/ (RAMPART_IP_DENY)")
	checkDelivery := deliveryFlags(c, fs, env, getenv)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	// Secrets come from the environment only: flags show in `ps`.
	c.MasterKey = getenv("RAMPART_MASTER_KEY")
	c.OperatorToken = getenv("RAMPART_OPERATOR_TOKEN")

	var errs []error
	bad := func(name, format string, a ...any) { errs = append(errs, fmt.Errorf(name+": "+format, a...)) }
	if c.Env != Development && c.Env != Production {
		bad("RAMPART_ENV", "must be development or production, got %q", c.Env)
	}
	if trusted != "" {
		c.TrustedProxiesSet = true
		if trusted != "none" {
			for _, s := range splitList(trusted) {
				p, err := netip.ParsePrefix(s)
				if err != nil {
					if a, aerr := netip.ParseAddr(s); aerr == nil {
						p, err = a.Prefix(a.BitLen())
					}
				}
				if err != nil {
					bad("RAMPART_TRUSTED_PROXIES", "%q is not a CIDR or address", s)
					continue
				}
				c.TrustedProxies = append(c.TrustedProxies, p.Masked())
			}
		}
	}
	c.CORSOrigins = splitList(cors)
	for _, o := range c.CORSOrigins {
		if o == "*" {
			bad("RAMPART_CORS_ORIGINS", "a wildcard origin is not allowed with credentials; list the origins")
		} else if !strings.HasPrefix(o, "https://") && !strings.HasPrefix(o, "http://") {
			bad("RAMPART_CORS_ORIGINS", "%q must start with https:// or http://", o)
		}
	}
	c.TrustedHosts = splitList(hosts)
	var err error
	if c.MaxBodyBytes, err = strconv.ParseInt(maxBody, 10, 64); err != nil || c.MaxBodyBytes < 1024 {
		bad("RAMPART_MAX_BODY_BYTES", "must be an integer of at least 1024, got %q", maxBody)
	}
	if c.Debug, err = strconv.ParseBool(debug); err != nil {
		bad("RAMPART_DEBUG", "must be true or false, got %q", debug)
	}
	if c.ShutdownTimeout, err = time.ParseDuration(shutdown); err != nil || c.ShutdownTimeout <= 0 {
		bad("RAMPART_SHUTDOWN_TIMEOUT", "must be a positive duration such as 15s, got %q", shutdown)
	}
	if c.AIUpstreamTimeout, err = time.ParseDuration(aiTimeout); err != nil || c.AIUpstreamTimeout <= 0 {
		bad("RAMPART_AI_UPSTREAM_TIMEOUT", "must be a positive duration such as 120s, got %q", aiTimeout)
	}
	c.AIStreamWindow = parseInt(aiWindow, 64, 1<<20, "RAMPART_AI_STREAM_WINDOW", bad)
	c.HashSlots = parseInt(slots, 0, 1024, "RAMPART_HASH_SLOTS", bad)
	c.HashQueue = parseInt(queue, 0, 100000, "RAMPART_HASH_QUEUE", bad)
	c.Argon2 = identity.DefaultArgon2Params
	c.Argon2.Time = uint32(parseInt(argT, 1, 100, "RAMPART_ARGON2_TIME", bad))
	c.Argon2.MemoryKiB = uint32(parseInt(argM, 8, 4*1024*1024, "RAMPART_ARGON2_MEMORY_KIB", bad))
	c.Argon2.Threads = uint8(parseInt(argP, 1, 255, "RAMPART_ARGON2_THREADS", bad))
	dur := func(name, v string, min, max time.Duration) time.Duration {
		d, err := time.ParseDuration(v)
		if err != nil || d < min || (max > 0 && d > max) {
			if max > 0 {
				bad(name, "must be a duration from %s to %s, got %q", min, max, v)
			} else {
				bad(name, "must be a duration of at least %s, got %q", min, v)
			}
		}
		return d
	}
	c.AccessTokenTTL = dur("RAMPART_ACCESS_TOKEN_TTL", accessTTL, time.Minute, MaxAccessTokenTTL)
	c.RefreshTokenTTL = dur("RAMPART_REFRESH_TOKEN_TTL", refreshTTL, time.Minute, 0)
	c.SessionMaxAge = dur("RAMPART_SESSION_MAX_AGE", maxAge, time.Minute, 0)
	c.RefreshGrace = dur("RAMPART_REFRESH_GRACE", grace, 0, MaxRefreshGrace)
	c.SessionCacheTTL = dur("RAMPART_SESSION_CACHE_TTL", cacheTTL, 0, time.Minute)
	c.LockoutWindow = dur("RAMPART_LOCKOUT_WINDOW", lockWindow, time.Second, 0)
	c.LockoutDuration = dur("RAMPART_LOCKOUT_DURATION", lockDuration, time.Second, 0)
	c.LockoutThreshold = parseInt(lockN, 1, 1000, "RAMPART_LOCKOUT_THRESHOLD", bad)
	c.LoginLimit = parseInt(loginLimit, 1, 1_000_000, "RAMPART_LOGIN_LIMIT", bad)
	switch rateLimits {
	case "on":
		c.RateLimits = true
	case "off":
	default:
		bad("RAMPART_RATE_LIMITS", "must be on or off, got %q", rateLimits)
	}
	switch sendLimits {
	case "on":
		c.SendLimits = true
	case "off":
	default:
		bad("RAMPART_SEND_LIMITS", "must be on or off, got %q", sendLimits)
	}
	switch failure {
	case "open":
		c.RateLimitFailOpen = true
	case "closed":
	default:
		bad("RAMPART_RATE_LIMIT_FAILURE", "must be open or closed, got %q", failure)
	}
	c.RateLimitTiers = ratelimit.DefaultTiers()
	if tiers != "" {
		data := []byte(tiers)
		if path, ok := strings.CutPrefix(tiers, "@"); ok {
			if data, err = os.ReadFile(path); err != nil {
				bad("RAMPART_RATE_LIMIT_TIERS", "%v", err)
			}
		}
		if data != nil {
			if c.RateLimitTiers, err = ratelimit.ParseTiers(data); err != nil {
				bad("RAMPART_RATE_LIMIT_TIERS", "%v", err)
			}
		}
	}
	c.UploadLimit = parseInt(uploadLimit, 1, 1_000_000, "RAMPART_UPLOAD_LIMIT", bad)
	if c.UploadMaxBytes, err = strconv.ParseInt(uploadMax, 10, 64); err != nil || c.UploadMaxBytes < 1 {
		bad("RAMPART_UPLOAD_MAX_BYTES", "must be a positive integer, got %q", uploadMax)
	}
	if c.IPRules, err = iprules.FromStrings("RAMPART_IP_ALLOW", splitList(ipAllow), "RAMPART_IP_DENY", splitList(ipDeny)); err != nil {
		errs = append(errs, err)
	}
	switch c.JWTAlg {
	case "RS256", "ES256", "EdDSA":
	case "HS256":
		bad("RAMPART_JWT_ALG", "HS256 is not supported: a shared secret would let every verifier mint tokens; use RS256, ES256 or EdDSA")
	default:
		bad("RAMPART_JWT_ALG", "must be RS256, ES256 or EdDSA, got %q", c.JWTAlg)
	}
	if c.Issuer == "" {
		c.IssuerDefaulted = true
		c.Issuer = "http://" + c.Addr
		if strings.HasPrefix(c.Addr, ":") {
			c.Issuer = "http://localhost" + c.Addr
		}
	}
	checkDelivery(bad)
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		bad("RAMPART_TLS_CERT_FILE", "TLS needs both a certificate and a key file")
	}
	if c.MasterKey != "" && c.MasterKeyFile != "" {
		bad("RAMPART_MASTER_KEY", "set RAMPART_MASTER_KEY or RAMPART_MASTER_KEY_FILE, not both")
	}
	if c.OperatorToken != "" && len(c.OperatorToken) < MinOperatorTokenLen {
		bad("RAMPART_OPERATOR_TOKEN", "must be at least %d characters", MinOperatorTokenLen)
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return c, nil
}

func parseInt(s string, min, max int, name string, bad func(string, string, ...any)) int {
	n, err := strconv.Atoi(s)
	if err != nil || n < min || n > max {
		bad(name, "must be an integer from %d to %d, got %q", min, max, s)
		return min
	}
	return n
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// TLS reports whether the server serves TLS itself.
func (c *Config) TLS() bool { return c.TLSCertFile != "" }

// ProductionProblems lists, one line each, every setting that production
// refuses: the secure-settings validation of the document-intelligence design.
// It is empty outside production.
func (c *Config) ProductionProblems() []string {
	if c.Env != Production {
		return nil
	}
	var p []string
	if c.MasterKey == "" && c.MasterKeyFile == "" {
		p = append(p, "no master key: set RAMPART_MASTER_KEY or RAMPART_MASTER_KEY_FILE (base64 of 32 random bytes)")
	}
	if !c.TLS() && !c.TrustedProxiesSet {
		p = append(p, "neither TLS nor a trusted-proxy setting: set RAMPART_TLS_CERT_FILE and RAMPART_TLS_KEY_FILE, or RAMPART_TRUSTED_PROXIES to the CIDRs of the TLS-terminating proxy")
	}
	if c.IssuerDefaulted {
		p = append(p, "no token issuer: set RAMPART_ISSUER to the public URL all replicas share (by default each replica names its own address and refuses the others' tokens)")
	}
	if c.OperatorToken == "" {
		p = append(p, fmt.Sprintf("no operator token: set RAMPART_OPERATOR_TOKEN (at least %d characters)", MinOperatorTokenLen))
	}
	if c.Debug || strings.EqualFold(c.LogLevel, "debug") {
		p = append(p, "debug is on: unset RAMPART_DEBUG and use a log level above debug")
	}
	if c.Argon2.Time < identity.DefaultArgon2Params.Time || c.Argon2.MemoryKiB < identity.DefaultArgon2Params.MemoryKiB {
		p = append(p, "Argon2id cost below t=3, m=64 MiB: lowered costs are for tests only")
	}
	return p
}
