package auth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/token"
)

// Meta describes the client of a request.
type Meta struct {
	IP             string
	UserAgent      string
	AcceptLanguage string
	// Route names the operation called (the API's route pattern) in
	// permission_denied events.
	Route string
}

func (m Meta) actor(userID string) audit.Actor {
	return audit.Actor{UserID: userID, IP: m.IP, UserAgent: m.UserAgent}
}

// LoginRequest is a password login.
type LoginRequest struct {
	Tenant   string // slug or id
	Email    string
	Password string
	// DeviceID names the client's device (optional): the device_id claim
	// of the session's tokens.
	DeviceID string
	Meta     Meta
}

// LoginResult is a token pair, or a challenge for users with MFA.
type LoginResult struct {
	Pair      *TokenPair
	Challenge *Challenge
}

// TokenPair is what a login or refresh hands out.
type TokenPair struct {
	AccessToken  string
	ExpiresIn    int
	RefreshToken string
	SessionID    string
	Claims       *token.Claims
}

// findTenant resolves a tenant by slug or id; nil when it does not exist.
func (s *Service) findTenant(ctx context.Context, ref string) (*identity.Tenant, error) {
	var t *identity.Tenant
	err := s.store.ReadAsOperator(ctx, func(tx *store.Tx) (err error) {
		if _, perr := uuid.Parse(ref); perr == nil {
			t, err = tx.Tenant(ctx, ref)
		} else {
			t, err = tx.TenantBySlug(ctx, ref)
		}
		return err
	})
	if rampart.ErrorCode(err) == rampart.ENotFound {
		return nil, nil
	}
	return t, err
}

// Login checks a password under the lockout and opens a session. Every
// failure (unknown tenant or email, wrong password, disabled tenant or user)
// is the same error after the same work: one Argon2 verification, against a
// dummy hash when there is no user.
func (s *Service) Login(ctx context.Context, req LoginRequest) (*LoginResult, error) {
	now := s.now()
	if len(req.Tenant) > 100 || len(req.Email) > identity.MaxEmailBytes || len(req.Password) > identity.MaxPasswordBytes {
		return nil, errInvalidCredentials
	}
	if req.DeviceID != "" {
		// Checked before any credential: the answer says nothing of them.
		if err := identity.ValidateDeviceID("device_id", req.DeviceID); err != nil {
			return nil, err
		}
	}
	tenant, err := s.findTenant(ctx, req.Tenant)
	if err != nil {
		return nil, err
	}
	// One counter per (tenant, email) however the tenant was named; tenants
	// that do not exist are counted by the name given, so that lockout
	// behaves the same for them and reveals nothing.
	lockRef := "unknown:" + req.Tenant
	if tenant != nil {
		lockRef = tenant.ID
		if err := s.CheckIP(ctx, tenant.ID, req.Meta); err != nil {
			return nil, err
		}
	}
	attempt, retry, err := s.lockout.Begin(ctx, s.lockout.Key(lockRef, req.Email), now)
	if err != nil {
		return nil, err
	}
	var user *identity.User
	if tenant != nil {
		err := s.store.ReadTenant(ctx, tenant.ID, func(tx *store.Tx) (err error) {
			user, err = tx.UserByEmail(ctx, req.Email)
			return err
		})
		if err != nil && rampart.ErrorCode(err) != rampart.ENotFound {
			return nil, err
		}
	}
	if attempt == nil {
		s.auditLoginFailure(ctx, tenant, user, req, "locked")
		return nil, lockedError(retry)
	}
	hash := ""
	if user != nil {
		hash = user.PasswordHash
	}
	ok, rehash, err := s.hasher.Verify(ctx, req.Password, hash)
	if err != nil {
		return nil, err
	}
	reason := ""
	switch {
	case tenant == nil:
		reason = "unknown_tenant"
	case user == nil:
		reason = "unknown_user"
	case !ok:
		reason = "bad_password"
	case tenant.Status != identity.TenantActive:
		reason = "tenant_disabled"
	case user.Status != identity.UserActive:
		reason = "user_disabled"
	}
	if reason != "" {
		locked, err := s.lockout.Fail(ctx, attempt, now)
		if err != nil {
			return nil, err
		}
		s.auditLoginFailure(ctx, tenant, user, req, reason)
		if locked && tenant != nil {
			s.appendEvents(ctx, tenant.ID, &audit.Event{Type: audit.AccountLocked, UserID: userID(user), IP: req.Meta.IP, UserAgent: req.Meta.UserAgent,
				Success: false, Details: map[string]any{"email": identity.MaskEmail(req.Email), "locked_for_seconds": int(s.lockout.Duration.Seconds())}})
		}
		return nil, errInvalidCredentials
	}
	if err := s.lockout.Succeed(ctx, attempt); err != nil {
		return nil, err
	}
	if rehash {
		s.rehash(ctx, user, req.Password)
	}
	enrolled, err := s.mfaEnrolled(ctx, tenant.ID, user.ID)
	if err != nil {
		return nil, err
	}
	if enrolled {
		c, err := s.challenge(ctx, tenant, user, req.DeviceID)
		if err != nil {
			return nil, err
		}
		return &LoginResult{Challenge: c}, nil
	}
	// A role the tenant requires MFA for, not enrolled yet: a session that
	// can only enrol.
	restricted := tenant.Policy.RequiresMFA(user.Role)
	pair, err := s.openSession(ctx, tenant, user, sessionOptions{amr: []string{"pwd"}, restricted: restricted, deviceID: req.DeviceID}, req.Meta)
	if err != nil {
		return nil, err
	}
	return &LoginResult{Pair: pair}, nil
}

// mfaEnrolled reports whether the user has a confirmed second factor: TOTP,
// or codes by e-mail or SMS (SMS only where the tenant allows it).
func (s *Service) mfaEnrolled(ctx context.Context, tenantID, userID string) (bool, error) {
	enrolled := false
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) error {
		t, err := tx.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		methods, _, err := s.methodsOf(ctx, tx, t, userID)
		enrolled = len(methods) > 0
		return err
	})
	return enrolled, err
}

// sessionOptions say how a session was authenticated.
type sessionOptions struct {
	amr        []string
	mfaAt      time.Time // zero without a second factor
	restricted bool
	deviceID   string // as the login request named the device
}

func userID(u *identity.User) string {
	if u == nil {
		return ""
	}
	return u.ID
}

// auditLoginFailure records a failed login in the tenant's log; attempts on
// tenants that do not exist have no log to go to and are logged only.
func (s *Service) auditLoginFailure(ctx context.Context, tenant *identity.Tenant, user *identity.User, req LoginRequest, reason string) {
	if tenant == nil {
		s.log.Info("login failure for an unknown tenant", "ip", req.Meta.IP, "reason", reason)
		return
	}
	s.appendEvents(ctx, tenant.ID, &audit.Event{Type: audit.LoginFailure, UserID: userID(user), IP: req.Meta.IP, UserAgent: req.Meta.UserAgent,
		Success: false, Details: map[string]any{"email": identity.MaskEmail(req.Email), "email_key": s.emailKey(tenant.ID, req.Email), "reason": reason}})
}

// emailKey is a pseudonym of an email for the monitoring rules (credential
// stuffing counts distinct emails, password spraying keys on one): the
// masked email is not distinct enough, the email itself must not be logged.
// It is a keyed hash, different in each tenant, cut to 64 bits.
func (s *Service) emailKey(tenantID, email string) string {
	email = identity.NormalizeEmail(email)
	var sum string
	if s.ownFields != nil && s.ownFields.Fields != nil {
		sum = strings.TrimPrefix(s.ownFields.Fields.BlindIndex(tenantID, "monitor.email", email), "bi1:")
	} else {
		h := sha256.Sum256([]byte(tenantID + "\x00" + email))
		sum = hex.EncodeToString(h[:])
	}
	return "ek1:" + sum[:16]
}

// appendEvents writes events in a transaction of their own. Failing to audit
// a refusal must not turn it into something else, so errors are logged.
func (s *Service) appendEvents(ctx context.Context, tenantID string, events ...*audit.Event) {
	ctx = context.WithoutCancel(ctx) // a client hanging up must not erase its trace
	err := s.store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		for _, e := range events {
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		s.log.Error("write audit event", "tenant_id", tenantID, "err", err.Error())
	}
}

// rehash replaces a hash made with other parameters; a failure only means
// the old hash stays for now.
func (s *Service) rehash(ctx context.Context, u *identity.User, password string) {
	h, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return
	}
	u.PasswordHash = h
	if err := s.store.InTenant(ctx, u.TenantID, func(tx *store.Tx) error { return tx.UpdateUser(ctx, u) }); err != nil {
		s.log.Warn("rehash password", "err", err.Error())
	}
}

// openSession creates the session (ending the oldest beyond the tenant's
// limit), its first refresh token and the login_success event in one
// transaction, then signs the access token.
func (s *Service) openSession(ctx context.Context, tenant *identity.Tenant, user *identity.User, opts sessionOptions, meta Meta) (*TokenPair, error) {
	amr := opts.amr
	now := s.now().UTC().Truncate(time.Microsecond)
	policy := tenant.Policy.WithDefaults()
	sid, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	sess := &identity.Session{ID: sid.String(), TenantID: tenant.ID, UserID: user.ID, CreatedAt: now, LastActivity: now,
		ExpiresAt: now.Add(s.cfg.SessionMaxAge), IP: meta.IP, UserAgent: meta.UserAgent,
		Fingerprint: identity.Fingerprint(meta.UserAgent, meta.AcceptLanguage), AMR: amr, Active: true,
		MFAVerified: !opts.mfaAt.IsZero(), MFAVerifiedAt: opts.mfaAt, Restricted: opts.restricted, DeviceID: opts.deviceID}
	refresh, rt, err := s.newRefresh(tenant.ID, sess, now)
	if err != nil {
		return nil, err
	}
	var evicted []string
	err = s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) error {
		if evicted, err = tx.CreateSession(ctx, sess, policy.MaxSessionsPerUser); err != nil {
			return err
		}
		if err := tx.InsertRefreshToken(ctx, rt); err != nil {
			return err
		}
		for _, id := range evicted {
			if err := tx.AppendAudit(ctx, &audit.Event{Type: audit.SessionEvicted, UserID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent,
				Resource: "session:" + id, Success: true, Details: map[string]any{"reason": "session limit", "limit": policy.MaxSessionsPerUser}}); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.LoginSuccess, UserID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "session:" + sess.ID, Success: true, Details: map[string]any{"amr": amr}})
	})
	if err != nil {
		return nil, err
	}
	s.revokedSessions(ctx, evicted)
	return s.sign(tenant, user, sess, refresh, now)
}

// newRefresh mints a refresh token for sess, expiring no later than it.
func (s *Service) newRefresh(tenantID string, sess *identity.Session, now time.Time) (string, *identity.RefreshToken, error) {
	raw, hash, err := identity.NewRefreshToken(tenantID)
	if err != nil {
		return "", nil, err
	}
	exp := now.Add(s.cfg.RefreshTTL)
	if exp.After(sess.ExpiresAt) {
		exp = sess.ExpiresAt
	}
	return raw, &identity.RefreshToken{Hash: hash, TenantID: tenantID, SessionID: sess.ID, CreatedAt: now, ExpiresAt: exp}, nil
}

// sign issues the access token of a session: the user's role and
// permissions, the session's authentication, and the claims of the user's
// attributes and tenant (see claimsOf).
func (s *Service) sign(tenant *identity.Tenant, user *identity.User, sess *identity.Session, refresh string, now time.Time) (*TokenPair, error) {
	scopes := []string{}
	if sess.Restricted {
		scopes = []string{restrictedScope}
	}
	c := token.Claims{
		Subject: user.ID, TenantID: tenant.ID, Role: string(user.Role), Permissions: user.Permissions, Scopes: scopes,
		SessionID: sess.ID, AMR: sess.AMR, MFAVerified: sess.MFAVerified, RateLimitTier: tenant.Policy.WithDefaults().RateLimitTier,
	}
	claimsOf(&c, tenant, user, sess, now)
	raw, claims, err := s.issuer.Issue(c, now, s.cfg.AccessTTL)
	if err != nil {
		return nil, err
	}
	return &TokenPair{AccessToken: raw, ExpiresIn: int(s.cfg.AccessTTL.Seconds()), RefreshToken: refresh, SessionID: sess.ID, Claims: claims}, nil
}

// errStop ends a transaction early without it counting as a failure.
var errStop = errors.New("stop")
