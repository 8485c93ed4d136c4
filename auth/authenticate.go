package auth

import (
	"context"
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
}

// Authenticate checks an access token for Rampart's own API: signature and
// claims, then the session's current state (from the cache or the database)
// and the tenant's IP-change policy. Every refusal is the same error.
func (s *Service) Authenticate(ctx context.Context, raw string, meta Meta) (*Principal, error) {
	now := s.now()
	claims, err := s.verified.verify(s.verifier, raw, now)
	if err != nil {
		return nil, errInvalidToken
	}
	st, err := s.sessionState(ctx, claims)
	if err != nil {
		return nil, err
	}
	if !st.active || !now.Before(st.sessionEnd) {
		return nil, errInvalidToken
	}
	if meta.IP != "" && meta.IP != st.ip && !st.warnedIPs[meta.IP] {
		if revoked := s.ipChanged(ctx, claims, st, meta); revoked {
			return nil, errInvalidToken
		}
	}
	if now.Sub(st.touched) >= touchInterval {
		s.cache.update(claims.SessionID, func(c *sessionState) { c.touched = now })
		s.store.InTenant(ctx, claims.TenantID, func(tx *store.Tx) error { return tx.TouchSession(ctx, claims.SessionID, now) })
	}
	return &Principal{TenantID: st.tenantID, UserID: st.userID, Email: st.email, SessionID: claims.SessionID,
		Role: identity.Role(st.role), Permissions: st.permissions, Claims: claims,
		UserCreatedAt: st.userCreated, UserUpdatedAt: st.userUpdated}, nil
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
		st = sessionState{
			active:   sess.Active && user.Status == identity.UserActive && tenant.Status == identity.TenantActive,
			tenantID: sess.TenantID, userID: sess.UserID, role: string(user.Role), permissions: user.Permissions, email: user.Email,
			userCreated: user.CreatedAt, userUpdated: user.UpdatedAt,
			ip: sess.IP, ipPolicy: tenant.Policy.WithDefaults().IPChangePolicy, sessionEnd: sess.ExpiresAt, touched: sess.LastActivity,
			warnedIPs: map[string]bool{},
		}
		return nil
	})
	switch {
	case rampart.ErrorCode(err) == rampart.ENotFound || err == errInvalidToken:
		return sessionState{}, errInvalidToken
	case err != nil:
		return sessionState{}, err
	}
	s.cache.put(claims.SessionID, st)
	return st, nil
}

// ipChanged reports a request from another address than the session's as
// suspicious activity, once per address, and ends the session when the
// tenant's policy says so. It reports whether the session was ended.
func (s *Service) ipChanged(ctx context.Context, claims *token.Claims, st sessionState, meta Meta) bool {
	revoke := st.ipPolicy == identity.IPChangeRevoke
	s.cache.update(claims.SessionID, func(c *sessionState) {
		if c.warnedIPs == nil {
			c.warnedIPs = map[string]bool{}
		}
		c.warnedIPs[meta.IP] = true
	})
	action := "logged"
	if revoke {
		action = "session revoked"
	}
	err := s.store.InTenant(ctx, claims.TenantID, func(tx *store.Tx) error {
		if revoke {
			if _, err := tx.EndSession(ctx, claims.SessionID, identity.EndIPChange, s.now()); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.SuspiciousActivity, UserID: st.userID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "session:" + claims.SessionID, Success: false,
			Details: map[string]any{"reason": "ip_change", "session_ip": st.ip, "action": action}})
	})
	if err != nil {
		s.log.Error("record IP change", "err", err.Error())
		return revoke // fail closed when the policy is to revoke
	}
	if revoke {
		s.revokedSessions(ctx, []string{claims.SessionID})
	}
	return revoke
}

// Introspect answers RFC 7662 for an access token: its claims when it
// verifies and its session is still active, else nil.
func (s *Service) Introspect(ctx context.Context, raw string) (*token.Claims, error) {
	now := s.now()
	claims, err := s.verifier.Verify(raw, now)
	if err != nil {
		return nil, nil
	}
	st, err := s.sessionState(ctx, claims)
	if err == errInvalidToken || (err == nil && (!st.active || !now.Before(st.sessionEnd))) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return claims, nil
}
