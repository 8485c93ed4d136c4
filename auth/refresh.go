package auth

import (
	"context"
	"errors"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// errIPChange aborts a refresh from another address under the revoke policy.
var errIPChange = errors.New("ip change")

// Refresh rotates a refresh token: the presented one stops working and a new
// pair is returned. A token that was already rotated is theft (or a replay):
// the whole session is ended, unless it is the session's latest rotated
// token presented again within the grace period, once (two browser tabs
// refreshing together).
func (s *Service) Refresh(ctx context.Context, raw string, meta Meta) (*TokenPair, error) {
	tenantID, err := identity.ParseRefreshToken(raw)
	if err != nil {
		return nil, errInvalidToken
	}
	if err := s.checkIPOf(ctx, tenantID, meta); err != nil {
		return nil, err
	}
	hash := identity.HashToken(raw)
	now := s.now().UTC().Truncate(time.Microsecond)
	var (
		tenant   *identity.Tenant
		user     *identity.User
		sess     *identity.Session
		newRaw   string
		reused   bool
		reuseBy  string
		ipChange bool
	)
	err = s.store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		st, err := tx.RefreshState(ctx, hash)
		if rampart.ErrorCode(err) == rampart.ENotFound {
			return errInvalidToken
		}
		if err != nil {
			return err // a database failure is not a bad token: the client keeps it
		}
		rt := &st.Token
		sess, user, tenant = &st.Session, &st.User, &st.Tenant
		if !sess.Active || !now.Before(sess.ExpiresAt) || !now.Before(rt.ExpiresAt) {
			return errInvalidToken
		}
		fresh := false
		if rt.UsedAt.IsZero() {
			if fresh, err = tx.UseRefreshToken(ctx, hash, now); err != nil {
				return err
			}
			if !fresh {
				// Another request rotated it a moment ago: read when.
				if rt, err = tx.RefreshToken(ctx, hash); err != nil {
					return err
				}
			}
		}
		if !fresh {
			inGrace := s.cfg.RefreshGrace > 0 && now.Sub(rt.UsedAt) <= s.cfg.RefreshGrace
			ok := false
			if inGrace {
				if ok, err = tx.UseGrace(ctx, rt); err != nil {
					return err
				}
			}
			if !ok {
				if _, err := tx.EndSession(ctx, sess.ID, identity.EndRefreshReuse, now); err != nil {
					return err
				}
				reused, reuseBy = true, sess.UserID
				return tx.AppendAudit(ctx, &audit.Event{Type: audit.RefreshReuse, UserID: sess.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
					Resource: "session:" + sess.ID, Success: false,
					Details: map[string]any{"action": "session revoked", "rotated_at": rt.UsedAt.Format(time.RFC3339Nano)}})
			}
		}
		if user.Status != identity.UserActive || tenant.Status != identity.TenantActive {
			return errInvalidToken
		}
		if sess.Restricted, err = mustEnrol(ctx, tx, tenant, user, sess); err != nil {
			return err
		}
		if meta.IP != "" && meta.IP != sess.IP {
			ipChange = true
			if tenant.Policy.WithDefaults().IPChangePolicy == identity.IPChangeRevoke {
				return errIPChange
			}
		}
		var next *identity.RefreshToken
		if newRaw, next, err = s.newRefresh(tenantID, sess, now); err != nil {
			return err
		}
		if err := tx.InsertRefreshToken(ctx, next); err != nil {
			return err
		}
		live, err := tx.TouchSession(ctx, sess.ID, now)
		if err == nil && !live {
			return errInvalidToken // ended while we worked (logout, eviction)
		}
		return err
	})
	if err == errIPChange || (err == nil && ipChange) {
		revoke := err == errIPChange
		if ended, rerr := s.recordIPChange(ctx, tenantID, sess.ID, sess.UserID, sess.IP, revoke, meta); rerr != nil {
			s.log.Error("record IP change", "err", rerr.Error())
		} else if ended {
			s.revokedSessions(ctx, []string{sess.ID})
		}
		if revoke {
			return nil, errInvalidToken
		}
	}
	if rampart.ErrorCode(err) == rampart.ENotFound {
		return nil, errInvalidToken // a tenant id that does not exist
	}
	if err != nil {
		return nil, err
	}
	if reused {
		s.log.Warn("refresh token reuse: session revoked", "tenant_id", tenantID, "user_id", reuseBy, "session_id", sess.ID, "ip", meta.IP)
		s.revokedSessions(ctx, []string{sess.ID})
		return nil, errInvalidToken
	}
	return s.sign(tenant, user, sess, newRaw, now)
}
