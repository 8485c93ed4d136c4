package auth

import (
	"context"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// VerifyPath is where an e-mail verification link points: GET renders a
// page with a button, POST confirms.
const VerifyPath = "/v1/auth/email/verify"

var errAlreadyVerified = rampart.Errorf(rampart.EConflict, "the address is already verified")

// EmailVerified reports whether the user proved their address.
func (s *Service) EmailVerified(ctx context.Context, tenantID, userID string) (bool, error) {
	verified := false
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) error {
		at, err := tx.EmailVerifiedAt(ctx, userID)
		verified = !at.IsZero()
		return err
	})
	return verified, err
}

// SendVerification mails the caller a link that proves their address,
// replacing any earlier one. An address already verified is a conflict.
func (s *Service) SendVerification(ctx context.Context, p *Principal, meta Meta) error {
	if s.messenger == nil {
		return rampart.Errorf(rampart.EUnavailable, "e-mail is not configured on this deployment")
	}
	now := s.now()
	verified, err := s.EmailVerified(ctx, p.TenantID, p.UserID)
	if err != nil {
		return err
	}
	if verified {
		return errAlreadyVerified
	}
	if err := s.sendLimit(ctx, p.TenantID, p.Email, "", meta.IP, now); err != nil {
		return err
	}
	return s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		at, err := tx.EmailVerifiedAt(ctx, p.UserID)
		if err != nil {
			return err
		}
		if !at.IsZero() {
			return errAlreadyVerified
		}
		tenant, err := tx.Tenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		tok, err := s.mint(tenant, tenant.ID, p.UserID, PurposeVerification, true, false, now)
		if err != nil {
			return err
		}
		if err := tx.IssueAccountToken(ctx, tok.row, now); err != nil {
			return err
		}
		linkTTL, _ := lifetimes(tenant)
		data := map[string]any{"link": s.link(VerifyPath, tok.link), "expires_in_minutes": int(linkTTL.Minutes())}
		if err := s.messenger.QueueMail(ctx, tx, p.Email, courier.KindEmailVerification, data, s.brand(tenant), "email_verification."+tok.row.ID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.VerificationSent, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + p.UserID, Success: true, Details: map[string]any{"email": identity.MaskEmail(p.Email)}})
	})
}

// ConfirmEmail uses a verification link: the user's address is verified.
// Unknown, expired, used and foreign links are one 400.
func (s *Service) ConfirmEmail(ctx context.Context, token string, meta Meta) error {
	tenant, user, row, err := s.redeemLink(ctx, token, PurposeVerification)
	if err != nil {
		return err
	}
	now := s.now()
	return s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) error {
		ok, err := tx.UseAccountToken(ctx, row.ID, true, now)
		if err != nil {
			return err
		}
		if !ok {
			return errBadLink("token")
		}
		if err := tx.MarkEmailVerified(ctx, user.ID, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.EmailVerified, UserID: user.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + user.ID, Success: true, Details: map[string]any{"email": identity.MaskEmail(user.Email)}})
	})
}
