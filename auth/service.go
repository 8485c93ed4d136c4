// Package auth is login, tokens and sessions: it checks passwords under the
// lockout, opens sessions, issues and rotates tokens, and answers whether an
// access token is still good. It knows nothing of HTTP.
package auth

import (
	"context"
	"log/slog"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/token"
	"github.com/rampart-dev/rampart/vault"
)

// Settings are the token and session parameters.
type Settings struct {
	Issuer          string
	Audience        string
	Alg             string
	AccessTTL       time.Duration
	RefreshTTL      time.Duration
	SessionMaxAge   time.Duration
	RefreshGrace    time.Duration
	SessionCacheTTL time.Duration
	DeploymentName  string // shown in authenticator apps as "<deployment> (<tenant>)"
	// SendLimits caps the messages with links and codes (see sendLimit).
	SendLimits bool
	// PhoneRegion reads phone numbers written without a country code, and
	// is the one region allowed SMS codes when a tenant names none.
	PhoneRegion string
}

// Service does the work. Build it with New.
type Service struct {
	// store runs the transactions of login, sessions, MFA and accounts;
	// users and signingKeys are the narrow parts read on their own.
	store       *store.Store
	users       UserDirectory
	signingKeys KeyStore
	hasher      *identity.Hasher
	policy      *identity.PasswordPolicy
	lockout     *identity.Lockout
	master      *keys.MasterKey
	vault       *vault.Vault
	keyring     *keys.Keyring
	issuer      *token.Issuer
	verifier    *token.Verifier
	cache       *sessionCache
	verified    *verifiedTokens
	roles       catalogues
	keyCache    keyCache
	keyUses     keyUses
	// ipRefusals counts IP-rule refusals for audit sampling.
	ipRefusals audit.Sampler
	// ownFields seals users' emails (nil: the job leaves them alone).
	ownFields *vault.OwnFields
	bus       Bus
	// messenger queues the messages of the account lifecycle (nil: none
	// are sent).
	messenger Messenger
	// sendCounters count messages against the send limits (the lockout's
	// counter store).
	sendCounters identity.CounterStore
	reload       reloadState
	log          *slog.Logger
	cfg          Settings
	now          func() time.Time
}

// UserDirectory is what reading a tenant's users needs of the database.
type UserDirectory interface {
	// User returns a user of tenantID (not found: rampart.ENotFound).
	User(ctx context.Context, tenantID, id string) (*identity.User, error)
	// Users returns up to limit users of tenantID in email-key order,
	// after the email key after.
	Users(ctx context.Context, tenantID, after string, limit int) ([]*identity.User, error)
}

// KeyStore is what the token signing keys need of the database.
type KeyStore interface {
	// SigningKeys returns the keys retired after since or not at all,
	// newest first.
	SigningKeys(ctx context.Context, since time.Time) ([]*keys.SealedKey, error)
	// AddSigningKey stores k as the current key: with rotate, retiring the
	// others; without, only when there is no current key. It reports
	// whether k was stored.
	AddSigningKey(ctx context.Context, k *keys.SealedKey, rotate bool) (bool, error)
}

// Bus carries revocations between replicas (Redis pub/sub in production).
// Publish must not block for long; Subscribe delivers each message to fn
// until ctx ends.
type Bus interface {
	Publish(ctx context.Context, msg string) error
	Subscribe(ctx context.Context, fn func(msg string)) error
}

// Deps are what New needs.
type Deps struct {
	Store   *store.Store
	Hasher  *identity.Hasher
	Policy  *identity.PasswordPolicy
	Lockout *identity.Lockout
	Master  *keys.MasterKey
	// Vault seals TOTP secrets under the tenant's tokens key; nil keeps
	// them sealed directly under the master key (tests of other things).
	Vault    *vault.Vault
	Bus      Bus // nil: this replica alone
	Logger   *slog.Logger
	Settings Settings
	Now      func() time.Time
}

// New returns a Service; call LoadKeys before issuing tokens.
func New(d Deps) *Service {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	kr := &keys.Keyring{}
	s := &Service{
		store: d.Store, users: d.Store, signingKeys: d.Store, hasher: d.Hasher, policy: d.Policy, lockout: d.Lockout, master: d.Master, vault: d.Vault, keyring: kr,
		issuer: &token.Issuer{Keyring: kr, Issuer: d.Settings.Issuer, Audience: []string{d.Settings.Audience}},

		cache:    newSessionCache(d.Settings.SessionCacheTTL, now),
		verified: newVerifiedTokens(d.Settings.SessionCacheTTL),
		roles:    catalogues{m: map[string]catalogueEntry{}},
		bus:      d.Bus, log: d.Logger, cfg: d.Settings, now: now,
	}
	if d.Lockout != nil && d.Settings.SendLimits {
		s.sendCounters = d.Lockout.Store
	}
	s.verifier = &token.Verifier{Keys: keySource{s}, Issuer: d.Settings.Issuer, Audience: d.Settings.Audience}
	return s
}

// Keyring returns the keys tokens are signed and verified with.
func (s *Service) Keyring() *keys.Keyring { return s.keyring }

// Verifier returns the access-token verifier (signature and claims only).
func (s *Service) Verifier() *token.Verifier { return s.verifier }

// Settings returns the token settings.
func (s *Service) Settings() Settings { return s.cfg }

// errInvalidCredentials is the one answer for every failed login: wrong
// password, unknown email, unknown or disabled tenant, disabled user.
var errInvalidCredentials = rampart.Errorf(rampart.EUnauthorized, "invalid credentials")

// errInvalidToken is the one answer for every token that does not work.
var errInvalidToken = rampart.Errorf(rampart.EUnauthorized, "invalid token")

// lockedError is the 423 answer while a (tenant, email) is locked.
func lockedError(retry time.Duration) error {
	if retry < time.Second {
		retry = time.Second
	}
	return &rampart.Error{Code: rampart.ELocked, Message: "too many failed attempts; try again later", RetryAfter: retry}
}
