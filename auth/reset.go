package auth

import (
	"context"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// ResetPath is where a password-reset link points: GET renders a page that
// asks for the new password, POST confirms.
const ResetPath = "/v1/auth/password-reset/confirm"

// RequestPasswordReset sends a reset link and code to the account of email
// in tenantRef (a slug or id), if there is an active one. Whatever the
// account, the answer is the same and so is the work: the tenant and user
// are looked up, a link and code are minted and hashed, and one transaction
// writes an audit event; only for an active account does it also store the
// token and queue the e-mail (sent later by the outbox, never here).
func (s *Service) RequestPasswordReset(ctx context.Context, tenantRef, email string, meta Meta) error {
	if err := identity.ValidateEmail("email", email); err != nil {
		return err
	}
	now := s.now()
	tenant, err := s.findTenant(ctx, tenantRef)
	if err != nil || tenant == nil {
		return err
	}
	if err := s.CheckIP(ctx, tenant.ID, meta); err != nil {
		return err
	}
	var user *identity.User
	err = s.store.ReadTenant(ctx, tenant.ID, func(tx *store.Tx) (err error) {
		user, err = tx.UserByEmail(ctx, email)
		return err
	})
	if err != nil && rampart.ErrorCode(err) != rampart.ENotFound {
		return err
	}
	reason := ""
	switch {
	case user == nil:
		reason = "unknown_user"
	case user.Status != identity.UserActive:
		reason = "user_disabled"
	case tenant.Status != identity.TenantActive:
		reason = "tenant_disabled"
	case s.messenger == nil:
		reason = "no_messenger"
	}
	// Every address spends the send limits, known or not; over them, the
	// answer stays the same and nothing is sent.
	if err := s.sendLimit(ctx, tenant.ID, email, "", meta.IP, now); rampart.ErrorCode(err) == rampart.ERateLimited {
		if reason == "" {
			reason = "send_limit"
		}
	} else if err != nil {
		return err
	}
	// The same minting either way; a user id is needed for the code's HMAC.
	uid := tenant.ID
	if user != nil {
		uid = user.ID
	}
	tok, err := s.mint(tenant, tenant.ID, uid, PurposeReset, true, true, now)
	if err != nil {
		return err
	}
	return s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) error {
		if reason == "" {
			if err := tx.IssueAccountToken(ctx, tok.row, now); err != nil {
				return err
			}
			linkTTL, codeTTL := lifetimes(tenant)
			data := map[string]any{"link": s.link(ResetPath, tok.link), "code": tok.code,
				"expires_in_minutes": int(codeTTL.Minutes()), "link_expires_in_minutes": int(linkTTL.Minutes())}
			if err := s.messenger.QueueMail(ctx, tx, user.Email, courier.KindPasswordReset, data, s.brand(tenant), "password_reset."+tok.row.ID); err != nil {
				return err
			}
		}
		details := map[string]any{"email": identity.MaskEmail(email)}
		if reason != "" {
			details["reason"] = reason
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ResetRequested, UserID: userID(user), IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: resourceOf(user), Success: reason == "", Details: details})
	})
}

func resourceOf(u *identity.User) string {
	if u == nil {
		return ""
	}
	return "user:" + u.ID
}

// ResetConfirmation completes a reset: Token (from the link), or Tenant,
// Email and Code (from the message); and the new password.
type ResetConfirmation struct {
	Token               string
	Tenant, Email, Code string
	NewPassword         string
}

// ConfirmPasswordReset sets a new password with a reset link or code. The
// link or code works once: every other use, and every unknown, expired or
// foreign one, is the same 400. Success ends every session (and so every
// refresh token) of the user, on every replica, retires their other links
// and codes, is audited, and tells the user on their other channel (SMS
// when they confirmed a number, e-mail otherwise).
func (s *Service) ConfirmPasswordReset(ctx context.Context, c ResetConfirmation, meta Meta) error {
	now := s.now()
	var (
		tenant *identity.Tenant
		user   *identity.User
		row    *store.AccountToken
		byLink = c.Token != ""
		err    error
	)
	if byLink {
		if tenant, user, row, err = s.redeemLink(ctx, c.Token, PurposeReset); err != nil {
			return err
		}
		if err := s.policy.Validate("new_password", c.NewPassword, user.Email); err != nil {
			return err
		}
	} else {
		if tenant, user, row, err = s.redeemCode(ctx, c, now, meta); err != nil {
			return err
		}
	}
	// Read (and decrypt) the channel to notify before the transaction: a
	// key load inside it would need a second connection.
	notifyPhone, err := s.verifiedPhone(ctx, tenant, user.ID)
	if err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, c.NewPassword)
	if err != nil {
		return err
	}
	var ended []string
	err = s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) error {
		ok, err := tx.UseAccountToken(ctx, row.ID, byLink, now)
		if err != nil {
			return err
		}
		if !ok {
			return errBadLink(field(byLink))
		}
		u, err := tx.UserByID(ctx, user.ID)
		if err != nil {
			return err
		}
		u.PasswordHash = hash
		u.Attributes.PasswordChangeRequired, u.Attributes.PasswordChangedAt = false, now.UTC().Truncate(time.Second)
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if ended, err = tx.EndUserSessions(ctx, u.ID, "", identity.EndPasswordChange, now); err != nil {
			return err
		}
		if err := tx.RaiseEpoch(ctx, u.ID, now); err != nil {
			return err
		}
		if err := tx.RetireAccountTokens(ctx, u.ID, PurposeReset, now); err != nil {
			return err
		}
		// The link or code came by e-mail: the address is proven.
		if err := tx.MarkEmailVerified(ctx, u.ID, now); err != nil {
			return err
		}
		method := "code"
		if byLink {
			method = "link"
		}
		if err := s.notifyReset(ctx, tx, tenant, u, notifyPhone, row.ID, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.PasswordReset, UserID: u.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + u.ID, Success: true, Details: map[string]any{"method": method, "sessions_revoked": len(ended)}})
	})
	if err != nil {
		return err
	}
	s.revokedSessions(ctx, ended)
	s.RevokedUser(ctx, user.ID)
	return nil
}

// verifiedPhone returns the number of the user's confirmed SMS factor,
// decrypted, or "" when there is none (or the tenant forbids SMS).
func (s *Service) verifiedPhone(ctx context.Context, t *identity.Tenant, userID string) (string, error) {
	if s.messenger == nil || t.Policy.ForbidSMS {
		return "", nil
	}
	var channels []store.MFAChannel
	err := s.store.ReadTenant(ctx, t.ID, func(tx *store.Tx) (err error) {
		channels, err = tx.MFAChannels(ctx, userID)
		return err
	})
	if err != nil {
		return "", err
	}
	for _, c := range channels {
		if c.Method == MethodSMS {
			return s.openPhone(ctx, t.ID, userID, c.Target)
		}
	}
	return "", nil
}

// notifyReset tells the user of a completed reset on their other channel:
// by SMS when they have a confirmed number (the reset came through e-mail,
// which whoever reset may control), by e-mail otherwise. Queued in tx.
func (s *Service) notifyReset(ctx context.Context, tx *store.Tx, t *identity.Tenant, u *identity.User, phone, rowID string, now time.Time) error {
	if s.messenger == nil {
		return nil
	}
	alert := map[string]any{"title": "Your password was reset",
		"description": "The password of your account was reset and every session was signed out. If this was not you, contact your administrator at once.",
		"severity":    "high", "time": now}
	if phone != "" {
		return s.messenger.QueueSMS(ctx, tx, phone, courier.KindSecurityAlert, alert, s.brand(t), "password_reset_done."+rowID)
	}
	return s.messenger.QueueMail(ctx, tx, u.Email, courier.KindSecurityAlert, alert, s.brand(t), "password_reset_done."+rowID)
}

func field(byLink bool) string {
	if byLink {
		return "token"
	}
	return "code"
}

// redeemCode checks a reset code under the per-code and per-account
// limits. The new password is checked first (it needs no secret), so a
// refused password spends no attempt.
func (s *Service) redeemCode(ctx context.Context, c ResetConfirmation, now time.Time, meta Meta) (*identity.Tenant, *identity.User, *store.AccountToken, error) {
	if err := required2("tenant", c.Tenant, "email", c.Email); err != nil {
		return nil, nil, nil, err
	}
	code, err := identity.NormalizeCode("code", c.Code)
	if err != nil {
		return nil, nil, nil, err
	}
	if err := identity.ValidateEmail("email", c.Email); err != nil {
		return nil, nil, nil, err
	}
	if err := s.policy.Validate("new_password", c.NewPassword, c.Email); err != nil {
		return nil, nil, nil, err
	}
	tenant, err := s.findTenant(ctx, c.Tenant)
	if err != nil {
		return nil, nil, nil, err
	}
	lockRef := "unknown:" + c.Tenant
	if tenant != nil {
		lockRef = tenant.ID
		if err := s.CheckIP(ctx, tenant.ID, meta); err != nil {
			return nil, nil, nil, err
		}
	}
	attempt, retry, err := s.lockout.Begin(ctx, s.codeLockKey(lockRef, PurposeReset, c.Email), now)
	if err != nil {
		return nil, nil, nil, err
	}
	if attempt == nil {
		return nil, nil, nil, lockedError(retry)
	}
	var (
		user *identity.User
		row  *store.AccountToken
	)
	if tenant != nil && tenant.Status == identity.TenantActive {
		err = s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) (err error) {
			if user, err = tx.UserByEmail(ctx, c.Email); err != nil {
				return err
			}
			if user.Status != identity.UserActive {
				return errStop
			}
			row, err = s.matchCode(ctx, tx, tenant.ID, user.ID, PurposeReset, code, now)
			return err
		})
		if err != nil && err != errStop && rampart.ErrorCode(err) != rampart.ENotFound {
			return nil, nil, nil, err
		}
	}
	if row == nil {
		if _, err := s.lockout.Fail(ctx, attempt, now); err != nil {
			return nil, nil, nil, err
		}
		return nil, nil, nil, errBadLink("code")
	}
	if err := s.lockout.Succeed(ctx, attempt); err != nil {
		return nil, nil, nil, err
	}
	return tenant, user, row, nil
}

// required2 names the first of two fields that is empty.
func required2(f1, v1, f2, v2 string) error {
	if v1 == "" {
		return rampart.FieldError(rampart.EInvalid, f1, "%s is required", f1)
	}
	if v2 == "" {
		return rampart.FieldError(rampart.EInvalid, f2, "%s is required", f2)
	}
	return nil
}
