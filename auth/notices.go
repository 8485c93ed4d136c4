package auth

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// User notifications: a sign-in from a new device or address, MFA turned on
// or off, a password changed. Each e-mail carries a one-time "this wasn't
// me" link (NotMePath) that ends every session of the account and starts a
// password reset. Every e-mail's link works until it expires or one of the
// user's links is used (which retires the others).
const (
	// NoticesConsumer is the feed position of user notifications.
	NoticesConsumer = "user_notices"
	// NotMePath is where a "this wasn't me" link points: GET renders a
	// page that asks to confirm, POST confirms.
	NotMePath = "/v1/auth/not-me"
	// PurposeNotMe is the purpose of "this wasn't me" links.
	PurposeNotMe = "not_me"
	// NoticeInterval is the least time between two notifications of one
	// kind to one user: a flood of sign-ins sends one e-mail.
	NoticeInterval = 10 * time.Minute
	// NotMeLinkTTL is how long a "this wasn't me" link works: longer
	// than other links, since people read such mail late.
	NotMeLinkTTL = 7 * 24 * time.Hour
	// NoticeMaxAge is the oldest event told: history (a follower catching
	// up after its first start, or a long outage) is not news.
	NoticeMaxAge   = time.Hour
	knownLoginsKey = "known-logins" // master-key derivation of the known-logins HMAC key
)

// Notices is the feed handler of user notifications: in the transaction
// that advances its position, it queues the e-mails the batch's events
// call for. Events older than NoticeMaxAge are passed over.
func (s *Service) Notices(ctx context.Context, tx *store.Tx, events []*audit.Event) error {
	if s.messenger == nil {
		return nil
	}
	var tenant *identity.Tenant
	for _, e := range events {
		if e.UserID == "" || !e.Success || s.now().Sub(e.CreatedAt) > NoticeMaxAge {
			continue
		}
		var kind, title, what string
		switch e.Type {
		case audit.LoginSuccess:
			isNew, err := s.newLogin(ctx, tx, e)
			if err != nil || !isNew {
				if err != nil {
					return err
				}
				continue
			}
			kind = courier.KindNewDeviceLogin
		case audit.MFAEnrolled:
			kind, title, what = courier.KindSecurityAlert, "Two-step verification was turned on", "Two-step verification was turned on for your account."
		case audit.MFADisabled:
			kind, title, what = courier.KindSecurityAlert, "Two-step verification was turned off", "Two-step verification was turned off for your account."
		case audit.PasswordChange:
			kind, title, what = courier.KindSecurityAlert, "Your password was changed", "The password of your account was changed."
		default:
			continue
		}
		ok, err := tx.TakeNotice(ctx, "user:"+e.UserID+":"+string(e.Type), "user_email", NoticeInterval, e.CreatedAt)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		user, err := tx.UserByID(ctx, e.UserID)
		if err != nil {
			continue // deleted since, or an API key's "apikey:" subject
		}
		if tenant == nil {
			if tenant, err = tx.Tenant(ctx, tx.TenantID()); err != nil {
				return err
			}
		}
		tok, err := s.mint(tenant, tenant.ID, user.ID, PurposeNotMe, true, false, s.now())
		if err != nil {
			return err
		}
		tok.row.LinkExpiresAt = tok.row.CreatedAt.Add(NotMeLinkTTL)
		// Each e-mail's link stays live beside the others until it expires
		// or one of them is used: were a newer notice to retire the older
		// links, whoever it wasn't could cancel the owner's link by causing
		// one (a sign-in from yet another device, say). NoticeInterval and
		// NotMeLinkTTL bound how many a user holds.
		if err := tx.AddAccountToken(ctx, tok.row); err != nil {
			return err
		}
		data := map[string]any{"link": s.link(NotMePath, tok.link), "time": e.CreatedAt}
		if kind == courier.KindNewDeviceLogin {
			data["ip"], data["device"] = e.IP, e.UserAgent
		} else {
			data["title"], data["severity"] = title, "high"
			data["description"] = what + " If this was not you, open the link to sign out everywhere and reset your password."
		}
		if err := s.messenger.QueueMail(ctx, tx, user.Email, kind, data, s.brand(tenant), "notice."+e.ID); err != nil {
			return err
		}
	}
	return nil
}

// newLogin records a sign-in's address and device and reports whether
// either is new for a user who had signed in before.
func (s *Service) newLogin(ctx context.Context, tx *store.Tx, e *audit.Event) (bool, error) {
	before, err := tx.HasKnownLogins(ctx, e.UserID)
	if err != nil {
		return false, err
	}
	isNew := false
	for _, kv := range [][2]string{{"ip", e.IP}, {"device", e.UserAgent}} {
		if kv[1] == "" {
			continue
		}
		seen, err := tx.SeenLogin(ctx, e.UserID, kv[0], s.loginHash(kv[0], kv[1]), e.CreatedAt)
		if err != nil {
			return false, err
		}
		isNew = isNew || !seen
	}
	return before && isNew, nil
}

// loginHash is what known_logins keeps of an address or a user agent.
func (s *Service) loginHash(kind, v string) string {
	m := hmac.New(sha256.New, s.master.Derive(knownLoginsKey))
	m.Write([]byte(kind + "\x00" + v))
	return hex.EncodeToString(m.Sum(nil))
}

// NotMe redeems a "this wasn't me" link: every session of the account ends
// (and its access tokens, through the revocation epoch) on every replica,
// its other such links are retired, and a password reset link and code are
// e-mailed to it. The link works once.
func (s *Service) NotMe(ctx context.Context, raw string, meta Meta) error {
	tenant, user, row, err := s.redeemLink(ctx, raw, PurposeNotMe)
	if err != nil {
		return err
	}
	now := s.now()
	reset, err := s.mint(tenant, tenant.ID, user.ID, PurposeReset, true, true, now)
	if err != nil {
		return err
	}
	var ended []string
	err = s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) error {
		ok, err := tx.UseAccountToken(ctx, row.ID, true, now)
		if err != nil {
			return err
		}
		if !ok {
			return errBadLink("token")
		}
		if ended, err = tx.EndUserSessions(ctx, user.ID, "", identity.EndRevoked, now); err != nil {
			return err
		}
		// The password may be known to whoever it wasn't: until it is
		// changed (by the reset, or by the user who still knows it), the
		// account's tokens reach only its password routes.
		u, err := tx.UserByID(ctx, user.ID)
		if err != nil {
			return err
		}
		u.Attributes.PasswordChangeRequired = true
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.RaiseEpoch(ctx, user.ID, now); err != nil {
			return err
		}
		if err := tx.RetireAccountTokens(ctx, user.ID, PurposeNotMe, now); err != nil {
			return err
		}
		if err := tx.IssueAccountToken(ctx, reset.row, now); err != nil {
			return err
		}
		linkTTL, codeTTL := lifetimes(tenant)
		data := map[string]any{"link": s.link(ResetPath, reset.link), "code": reset.code,
			"expires_in_minutes": int(codeTTL.Minutes()), "link_expires_in_minutes": int(linkTTL.Minutes())}
		if s.messenger != nil {
			if err := s.messenger.QueueMail(ctx, tx, user.Email, courier.KindPasswordReset, data, s.brand(tenant), "password_reset."+reset.row.ID); err != nil {
				return err
			}
		}
		if err := tx.AppendAudit(ctx, &audit.Event{Type: audit.SessionRevoked, UserID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + user.ID, Success: true, Details: map[string]any{"reason": "not_me", "sessions_revoked": len(ended)}}); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ResetRequested, UserID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + user.ID, Success: true, Details: map[string]any{"email": identity.MaskEmail(user.Email), "reason": "not_me"}})
	})
	if err != nil {
		return err
	}
	s.revokedSessions(ctx, ended)
	s.RevokedUser(ctx, user.ID)
	return nil
}
