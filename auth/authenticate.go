package auth

import (
	"context"
	"errors"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/token"
)

// touchInterval is how often a session's last_activity is written at most.
const touchInterval = time.Minute

// Principal is the authenticated caller of a request.
type Principal struct {
	TenantID    string
	UserID      string
	Email       string
	SessionID   string
	Role        identity.Role // current role, not the token's (which may be stale)
	Permissions []string
	Claims      *token.Claims
	// UserCreatedAt and UserUpdatedAt come with the cached session state, so
	// that GET /v1/me needs no database read.
	UserCreatedAt time.Time
	UserUpdatedAt time.Time
	// Restricted principals may only enrol in MFA (the tenant requires it
	// for their role).
	Restricted bool
	// Gate, when set, is what the user must do before any route but their
	// own account's answers (identity.GatePasswordChange or GateTerms).
	Gate string
	// MFAVerifiedAt is when the session last passed a second factor; StepUp
	// is the tenant's limit on its age for sensitive operations (0: none).
	MFAVerifiedAt time.Time
	StepUp        time.Duration
	// APIKeyID is set when the caller authenticated with an API key; UserID
	// is then "apikey:<id>" (what audit events record), and the key's own
	// role and permissions apply. Such a principal is not a user session: self-service routes
	// (password, MFA, sessions) refuse it.
	APIKeyID      string
	KeyCreator    string // the user who created the API key
	RateLimitTier string
}

// RequireRecentMFA refuses a sensitive operation when the tenant asks for a
// second factor within StepUp and the session's is older (or missing).
func (p *Principal) RequireRecentMFA(now time.Time) error {
	if p.StepUp <= 0 || (!p.MFAVerifiedAt.IsZero() && now.Sub(p.MFAVerifiedAt) <= p.StepUp) {
		return nil
	}
	e := rampart.Errorf(rampart.EStepUp, "this operation needs a second factor checked within the last %d minutes; verify one with POST /v1/me/mfa/verify", int(p.StepUp.Minutes()))
	e.Extensions = map[string]any{"max_age_seconds": int(p.StepUp.Seconds())}
	return e
}

// Authenticate checks an access token for Rampart's own API: signature and
// claims, then the session's current state (from the cache or the database)
// and the tenant's IP-change policy. Every refusal is the same error.
func (s *Service) Authenticate(ctx context.Context, raw string, meta Meta) (*Principal, error) {
	now := s.now()
	claims, err := s.verified.verify(s.verifier, raw, now)
	if err != nil {
		s.refused(ctx, err)
		return nil, errInvalidToken
	}
	if err := s.checkIPOf(ctx, claims.TenantID, meta); err != nil {
		return nil, err
	}
	st, err := s.sessionState(ctx, claims)
	if err != nil {
		return nil, err
	}
	if !st.active || !now.Before(st.sessionEnd) {
		s.log.DebugContext(ctx, "access token refused", "reason", "session ended")
		return nil, errInvalidToken
	}
	if issuedBeforeEpoch(claims, st) {
		s.log.DebugContext(ctx, "access token refused", "reason", "issued before the revocation epoch")
		return nil, errInvalidToken
	}
	if meta.IP != "" && meta.IP != st.ip {
		if st.ipPolicy == identity.IPChangeRevoke {
			// Under revoke, a mismatch is refused every time, whether or
			// not ending the session (below, once) succeeds.
			s.ipChanged(ctx, claims, st, meta)
			return nil, errInvalidToken
		}
		if s.cache.markIP(claims.SessionID, meta.IP) {
			s.ipChanged(ctx, claims, st, meta)
		}
	}
	if now.Sub(st.touched) >= touchInterval {
		s.cache.update(claims.SessionID, func(c *sessionState) { c.touched = now })
		s.store.InTenant(ctx, claims.TenantID, func(tx *store.Tx) error {
			_, err := tx.TouchSession(ctx, claims.SessionID, now)
			return err
		})
	}
	return &Principal{TenantID: st.tenantID, UserID: st.userID, Email: st.email, SessionID: claims.SessionID,
		Role: identity.Role(st.role), Permissions: st.permissions, Claims: claims,
		UserCreatedAt: st.userCreated, UserUpdatedAt: st.userUpdated,
		Restricted: st.restricted, Gate: st.gate, MFAVerifiedAt: st.mfaAt, StepUp: st.stepUp}, nil
}

// refused logs at debug level why a token did not verify (the caller only
// ever sees "invalid token"): a wrong issuer or audience is how replicas
// configured apart show up.
func (s *Service) refused(ctx context.Context, err error) {
	var r *token.Refusal
	if errors.As(err, &r) {
		s.log.DebugContext(ctx, "access token refused", "reason", r.Reason, "detail", r.Detail)
	}
}

// sessionState returns the cached state of a token's session, reading the
// session, its user and its tenant when the cache has none.
func (s *Service) sessionState(ctx context.Context, claims *token.Claims) (sessionState, error) {
	if st, ok := s.cache.get(claims.SessionID); ok {
		if st.tenantID != claims.TenantID || st.userID != claims.Subject {
			return sessionState{}, errInvalidToken
		}
		return st, nil
	}
	var st sessionState
	gen := s.cache.generation()
	err := s.store.ReadTenant(ctx, claims.TenantID, func(tx *store.Tx) error {
		sess, err := tx.Session(ctx, claims.SessionID)
		if err != nil {
			return err
		}
		if sess.UserID != claims.Subject {
			return errInvalidToken
		}
		user, err := tx.UserByID(ctx, sess.UserID)
		if err != nil {
			return err
		}
		tenant, err := tx.Tenant(ctx, claims.TenantID)
		if err != nil {
			return err
		}
		restricted, err := mustEnrol(ctx, tx, tenant, user, sess)
		if err != nil {
			return err
		}
		epoch, err := tx.Epoch(ctx, sess.UserID)
		if err != nil {
			return err
		}
		st = sessionState{
			active:   sess.Active && user.Status == identity.UserActive && tenant.Status == identity.TenantActive,
			tenantID: sess.TenantID, userID: sess.UserID, role: string(user.Role), permissions: user.Permissions, email: user.Email,
			userCreated: user.CreatedAt, userUpdated: user.UpdatedAt,
			restricted: restricted, gate: tenant.Policy.GateOf(user, s.now()), mfaAt: sess.MFAVerifiedAt, stepUp: time.Duration(tenant.Policy.StepUpMinutes) * time.Minute,
			ip: sess.IP, ipPolicy: tenant.Policy.WithDefaults().IPChangePolicy, sessionEnd: sess.ExpiresAt, touched: sess.LastActivity,
			started: sess.CreatedAt, epoch: epoch,
		}
		return nil
	})
	switch {
	case rampart.ErrorCode(err) == rampart.ENotFound || err == errInvalidToken:
		return sessionState{}, errInvalidToken
	case err != nil:
		return sessionState{}, err
	}
	s.cache.put(claims.SessionID, st, gen)
	return st, nil
}

// ipChanged records a request from another address than the session's as
// suspicious activity and, when the tenant's policy is revoke, ends the
// session. It reports whether the session was ended.
func (s *Service) ipChanged(ctx context.Context, claims *token.Claims, st sessionState, meta Meta) bool {
	revoke := st.ipPolicy == identity.IPChangeRevoke
	ended, err := s.recordIPChange(ctx, claims.TenantID, claims.SessionID, st.userID, st.ip, revoke, meta)
	if err != nil {
		s.log.Error("record IP change", "err", err.Error())
	}
	if ended {
		s.revokedSessions(ctx, []string{claims.SessionID})
	}
	return ended
}

// recordIPChange writes the suspicious_activity event and, with revoke, ends
// the session, in one transaction.
func (s *Service) recordIPChange(ctx context.Context, tenantID, sessionID, userID, sessionIP string, revoke bool, meta Meta) (bool, error) {
	action := "logged"
	if revoke {
		action = "session revoked"
	}
	ended := false
	ctx = context.WithoutCancel(ctx) // the record must not depend on the client waiting
	err := s.store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if revoke {
			if ended, err = tx.EndSession(ctx, sessionID, identity.EndIPChange, s.now()); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.SuspiciousActivity, UserID: userID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "session:" + sessionID, Success: false,
			Details: map[string]any{"reason": "ip_change", "session_ip": sessionIP, "action": action}})
	})
	return ended, err
}

// Introspect answers RFC 7662 for an access token: its claims when it
// verifies and its session is still active, else nil.
func (s *Service) Introspect(ctx context.Context, raw string) (*token.Claims, error) {
	now := s.now()
	claims, err := s.verifier.Check(raw, now)
	if err != nil {
		s.refused(ctx, err)
		return nil, nil
	}
	st, err := s.sessionState(ctx, claims)
	if err == errInvalidToken || (err == nil && (!st.active || !now.Before(st.sessionEnd) || issuedBeforeEpoch(claims, st))) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	// Report the current role and permissions, not the token's copies.
	c := *claims
	c.Role, c.Permissions = st.role, st.permissions
	return &c, nil
}

// mustEnrol reports whether a session may only enrol in MFA: it was opened
// so, or its user's role now requires MFA (the tenant's policy or the role
// changed) and the user has not enrolled, nor passed a second factor in it.
func mustEnrol(ctx context.Context, tx *store.Tx, tenant *identity.Tenant, user *identity.User, sess *identity.Session) (bool, error) {
	if !tenant.Policy.RequiresMFA(user.Role) || sess.MFAVerified {
		return sess.Restricted && tenant.Policy.RequiresMFA(user.Role), nil
	}
	t, err := tx.TOTP(ctx, user.ID)
	if rampart.ErrorCode(err) == rampart.ENotFound {
		return true, nil
	}
	if err != nil {
		return false, err
	}
	return t.ConfirmedAt.IsZero(), nil
}

// Budget names the rate-limit budget the caller spends, and the tier it is
// limited at: its API key's, else its user's, at the tier of the key or of
// the access token (basic when none).
func (p *Principal) Budget() (id, tier string) {
	id = p.TenantID + ":user:" + p.UserID
	tier = p.RateLimitTier
	if p.APIKeyID != "" {
		id = p.TenantID + ":key:" + p.APIKeyID
	} else if p.Claims != nil {
		tier = p.Claims.RateLimitTier
	}
	if tier == "" {
		tier = "basic"
	}
	return id, tier
}
