package auth

import (
	"context"
	"time"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// InvitationPath is where an invitation link points: GET renders a page
// that asks for a password, POST accepts.
const InvitationPath = "/v1/auth/invitations/accept"

// InvitationTTL is how long an invitation link works: days, not the
// minutes of a reset link, since the invitee did not ask for it and may
// read it later.
const InvitationTTL = 72 * time.Hour

// invite issues an invitation link for the new user u inside tx (the
// transaction that creates u) and queues the e-mail.
func (s *Service) invite(ctx context.Context, tx *store.Tx, p *Principal, u *identity.User, meta Meta) error {
	tenant, err := tx.Tenant(ctx, p.TenantID)
	if err != nil {
		return err
	}
	now := s.now()
	tok, err := s.mint(tenant, tenant.ID, u.ID, PurposeInvitation, true, false, now)
	if err != nil {
		return err
	}
	tok.row.LinkExpiresAt = tok.row.CreatedAt.Add(InvitationTTL)
	if err := tx.IssueAccountToken(ctx, tok.row, now); err != nil {
		return err
	}
	data := map[string]any{"link": s.link(InvitationPath, tok.link), "expires_in_hours": int(InvitationTTL.Hours()), "role": string(u.Role)}
	if err := s.messenger.QueueMail(ctx, tx, u.Email, courier.KindInvitation, data, s.brand(tenant), "invitation."+tok.row.ID); err != nil {
		return err
	}
	return tx.AppendAudit(ctx, &audit.Event{Type: audit.InvitationSent, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
		Resource: "user:" + u.ID, Success: true, Details: map[string]any{"email": identity.MaskEmail(u.Email), "role": string(u.Role)}})
}

// AcceptInvitation sets the invited user's password with the invitation
// link: the account becomes active and its address verified. The link
// works once; unknown, expired, used and foreign links are one 400.
func (s *Service) AcceptInvitation(ctx context.Context, token, password string, meta Meta) error {
	tenant, user, row, err := s.redeemLink(ctx, token, PurposeInvitation)
	if err != nil {
		return err
	}
	if user.Status != identity.UserInvited {
		return errBadLink("token")
	}
	if err := s.policy.Validate("password", password, user.Email); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, password)
	if err != nil {
		return err
	}
	now := s.now()
	return s.store.InTenant(ctx, tenant.ID, func(tx *store.Tx) error {
		ok, err := tx.UseAccountToken(ctx, row.ID, true, now)
		if err != nil {
			return err
		}
		u, err := tx.UserByID(ctx, user.ID)
		if err != nil {
			return err
		}
		if !ok || u.Status != identity.UserInvited {
			return errBadLink("token")
		}
		u.PasswordHash, u.Status = hash, identity.UserActive
		u.Attributes.PasswordChangedAt = now.UTC().Truncate(time.Second)
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if err := tx.MarkEmailVerified(ctx, u.ID, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.InvitationAccepted, UserID: u.ID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + u.ID, Success: true, Details: map[string]any{"email": identity.MaskEmail(u.Email)}})
	})
}
