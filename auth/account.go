package auth

import (
	"context"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// Logout ends the caller's session: its access and refresh tokens stop
// working at once, here and (through the bus) on every replica.
func (s *Service) Logout(ctx context.Context, p *Principal, meta Meta) error {
	err := s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if _, err := tx.EndSession(ctx, p.SessionID, identity.EndLogout, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.Logout, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "session:" + p.SessionID, Success: true})
	})
	if err != nil {
		return err
	}
	s.revokedSessions(ctx, []string{p.SessionID})
	return nil
}

// ChangePassword checks the current password (under the same lockout as
// login), sets the new one and ends every other session of the user.
func (s *Service) ChangePassword(ctx context.Context, p *Principal, current, next string, meta Meta) error {
	if err := s.policy.Validate("new_password", next, p.Email); err != nil {
		return err
	}
	now := s.now()
	key := s.lockout.Key(p.TenantID, p.Email)
	attempt, retry, err := s.lockout.Begin(ctx, key, now)
	if err != nil {
		return err
	}
	if attempt == nil {
		return lockedError(retry)
	}
	var user *identity.User
	if err := s.store.ReadTenant(ctx, p.TenantID, func(tx *store.Tx) (err error) {
		user, err = tx.UserByID(ctx, p.UserID)
		return err
	}); err != nil {
		return err
	}
	ok, _, err := s.hasher.Verify(ctx, current, user.PasswordHash)
	if err != nil {
		return err
	}
	if !ok {
		if _, err := s.lockout.Fail(ctx, attempt, now); err != nil {
			return err
		}
		s.appendEvents(ctx, p.TenantID, &audit.Event{Type: audit.PasswordChange, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + p.UserID, Success: false, Details: map[string]any{"reason": "wrong current password"}})
		return rampart.FieldError(rampart.EForbidden, "current_password", "the current password is not correct")
	}
	if err := s.lockout.Succeed(ctx, attempt); err != nil {
		return err
	}
	hash, err := s.hasher.Hash(ctx, next)
	if err != nil {
		return err
	}
	var ended []string
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		u, err := tx.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		u.PasswordHash = hash
		u.Attributes.PasswordChangeRequired, u.Attributes.PasswordChangedAt = false, now.UTC().Truncate(time.Second)
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		if ended, err = tx.EndUserSessions(ctx, p.UserID, p.SessionID, identity.EndPasswordChange, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.PasswordChange, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + p.UserID, Success: true, Details: map[string]any{"sessions_revoked": len(ended)}})
	})
	if err != nil {
		return err
	}
	s.revokedSessions(ctx, ended)
	s.RevokedUser(ctx, p.UserID) // this session's cached state held the old password requirement
	return nil
}

// User returns a user of tenantID.
func (s *Service) User(ctx context.Context, tenantID, userID string) (*identity.User, error) {
	return s.users.User(ctx, tenantID, userID)
}

// Users returns up to limit users of tenantID in a stable order (their email
// keys, which reveal nothing of sealed emails), after the email key after.
func (s *Service) Users(ctx context.Context, tenantID, after string, limit int) ([]*identity.User, error) {
	return s.users.Users(ctx, tenantID, after, limit)
}

// Sessions lists a user's active sessions.
func (s *Service) Sessions(ctx context.Context, tenantID, userID string) ([]*identity.Session, error) {
	var out []*identity.Session
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		out, err = tx.ActiveSessions(ctx, userID)
		return err
	})
	return out, err
}

// errAboveCaller refuses acting on a user whose role outranks the caller's.
var errAboveCaller = rampart.Errorf(rampart.EForbidden, "you cannot act on a user whose role is above your own")

// checkTarget loads a user of the caller's tenant inside tx and refuses when
// their role is above the caller's: checked in the same transaction as the
// change, so a promotion in between cannot slip through.
func (s *Service) checkTarget(ctx context.Context, tx *store.Tx, p *Principal, userID string) (*identity.User, error) {
	u, err := tx.UserByID(ctx, userID)
	if err != nil {
		return nil, err
	}
	cat, err := s.Catalogue(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	if cat.Level(string(u.Role)) > cat.Level(string(p.Role)) {
		return nil, errAboveCaller
	}
	return u, nil
}

// RevokeSession ends one session of the caller's tenant. Unless the caller
// holds users:write, it must be the caller's own; a session of another
// tenant (or, without users:write, of another user) is not found.
func (s *Service) RevokeSession(ctx context.Context, p *Principal, sessionID string, meta Meta) error {
	anyUser := s.mayManageSessions(ctx, p)
	err := s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		sess, err := tx.Session(ctx, sessionID)
		if err != nil {
			return err
		}
		if !anyUser && sess.UserID != p.UserID {
			return rampart.Errorf(rampart.ENotFound, "session not found")
		}
		if sess.UserID != p.UserID {
			if _, err := s.checkTarget(ctx, tx, p, sess.UserID); err != nil {
				return err
			}
		}
		if _, err := tx.EndSession(ctx, sessionID, identity.EndRevoked, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.SessionRevoked, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "session:" + sessionID, Success: true, Details: map[string]any{"session_user_id": sess.UserID}})
	})
	if err != nil {
		return err
	}
	s.revokedSessions(ctx, []string{sessionID})
	return nil
}

// RevokeUserSessions ends every session of a user of the caller's tenant.
func (s *Service) RevokeUserSessions(ctx context.Context, p *Principal, userID string, meta Meta) (int, error) {
	var ended []string
	err := s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if _, err := s.checkTarget(ctx, tx, p, userID); err != nil {
			return err
		}
		var err error
		now := s.now()
		if ended, err = tx.EndUserSessions(ctx, userID, "", identity.EndRevoked, now); err != nil {
			return err
		}
		// Access tokens already issued stop working too.
		if err := tx.RaiseEpoch(ctx, userID, now); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.SessionRevoked, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + userID, Success: true, Details: map[string]any{"sessions_revoked": len(ended)}})
	})
	if err != nil {
		return 0, err
	}
	s.RevokedUser(ctx, userID)
	return len(ended), nil
}

// NewUser is a request to add a user to a tenant.
type NewUser struct {
	Email       string
	Password    string
	Role        identity.Role
	Permissions []string
}

// CreateUser validates and stores a user of the caller's tenant. An empty
// role is the tenant's member role. Without a password the user is invited:
// status invited, and an invitation link queued in the same transaction. The caller may only hand out roles of
// the tenant's catalogue up to their own level and permissions they hold,
// with a recent second factor when the tenant requires step-up. Custom
// permissions also need users:roles (see Require).
func (s *Service) CreateUser(ctx context.Context, p *Principal, req NewUser, meta Meta) (*identity.User, error) {
	// Custom permissions are a role change: users:invite alone is not
	// enough.
	if len(req.Permissions) > 0 {
		if err := s.Require(ctx, p, "users:roles", meta); err != nil {
			return nil, err
		}
	}
	cat, err := s.Catalogue(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	if req.Role == "" {
		if _, ok := cat.Role(string(identity.RoleMember)); !ok {
			return nil, rampart.FieldError(rampart.EInvalid, "role", "role is required")
		}
		req.Role = identity.RoleMember
	}
	if err := checkAssignable(cat, p, "role", req.Role); err != nil {
		return nil, err
	}
	if err := p.RequireRecentMFA(s.now()); err != nil {
		return nil, err
	}
	if err := checkGrantable(cat, p, req.Permissions); err != nil {
		return nil, err
	}
	if err := identity.ValidateEmail("email", req.Email); err != nil {
		return nil, err
	}
	invite := req.Password == ""
	if invite && s.messenger == nil {
		return nil, rampart.FieldError(rampart.EUnprocessable, "password", "e-mail is not configured on this deployment: give a password")
	}
	hash, status := "", identity.UserInvited
	if !invite {
		if err := s.policy.Validate("password", req.Password, req.Email); err != nil {
			return nil, err
		}
		if hash, err = s.hasher.Hash(ctx, req.Password); err != nil {
			return nil, err
		}
		status = identity.UserActive
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	u := &identity.User{ID: id.String(), TenantID: p.TenantID, Email: req.Email, EmailKey: identity.NormalizeEmail(req.Email),
		PasswordHash: hash, Role: req.Role, Permissions: req.Permissions, Status: status, CreatedAt: now, UpdatedAt: now}
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if err := tx.CreateUser(ctx, u); err != nil {
			return err
		}
		if invite {
			if err := s.invite(ctx, tx, p, u, meta); err != nil {
				return err
			}
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.UserCreated, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + u.ID, Success: true, Details: map[string]any{"role": string(u.Role), "email": identity.MaskEmail(u.Email)}})
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

// checkAssignable refuses a role the caller may not hand out: roles not in
// the tenant's catalogue, and roles above the caller's own level.
func checkAssignable(cat *authz.Catalogue, p *Principal, field string, role identity.Role) error {
	r, ok := cat.Role(string(role))
	if !ok {
		return rampart.FieldError(rampart.EUnprocessable, field, "%s %q is not a role of this tenant", field, role)
	}
	if r.Level > cat.Level(string(p.Role)) {
		return rampart.FieldError(rampart.EForbidden, field, "you cannot assign a role above your own")
	}
	for _, g := range r.Permissions {
		if !cat.Covers(p.Subject(), g) {
			return rampart.FieldError(rampart.EForbidden, field, "role %s grants %s, which you do not hold", r.Name, g)
		}
	}
	return nil
}

// checkGrantable validates custom permissions and refuses any the caller
// does not hold: nobody can grant a permission they do not have.
func checkGrantable(cat *authz.Catalogue, p *Principal, perms []string) error {
	if err := identity.ValidatePermissions("permissions", perms); err != nil {
		return err
	}
	for i, x := range perms {
		if !cat.Covers(p.Subject(), x) {
			return rampart.FieldError(rampart.EForbidden, fmt.Sprintf("permissions[%d]", i), "you cannot grant %s: you do not hold it", x)
		}
	}
	return nil
}

// UserChange is a partial update of a user; nil fields stay as they are.
type UserChange struct {
	Role        *identity.Role
	Permissions *[]string
	Disabled    *bool
	Claims      ClaimChange
}

// UpdateUser applies a change; disabling a user ends their sessions, and any
// change drops their cached sessions so the new role applies at once. Nobody
// changes their own role or permissions or disables themselves (nor an API
// key its creator); roles and permissions are handed out as by CreateUser,
// and changing either needs users:roles (see Require).
func (s *Service) UpdateUser(ctx context.Context, p *Principal, userID string, ch UserChange, meta Meta) (*identity.User, error) {
	if ch.Role != nil || ch.Permissions != nil {
		if err := s.Require(ctx, p, "users:roles", meta); err != nil {
			return nil, err
		}
	}
	cat, err := s.Catalogue(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	if ch.Role != nil || ch.Permissions != nil {
		if err := p.RequireRecentMFA(s.now()); err != nil {
			return nil, err
		}
	}
	self := userID == p.UserID || (p.APIKeyID != "" && userID == p.KeyCreator)
	if ch.Role != nil {
		if self {
			return nil, rampart.FieldError(rampart.EForbidden, "role", "you cannot change your own role")
		}
		if err := checkAssignable(cat, p, "role", *ch.Role); err != nil {
			return nil, err
		}
	}
	if ch.Permissions != nil {
		if self {
			return nil, rampart.FieldError(rampart.EForbidden, "permissions", "you cannot change your own permissions")
		}
		if err := checkGrantable(cat, p, *ch.Permissions); err != nil {
			return nil, err
		}
	}
	if ch.Disabled != nil && self {
		return nil, rampart.FieldError(rampart.EForbidden, "disabled", "you cannot disable yourself")
	}
	if f := ch.Claims.first(); f != "" && self {
		return nil, rampart.FieldError(rampart.EForbidden, f, "you cannot change your own claims")
	}
	var u *identity.User
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) (err error) {
		if u, err = s.checkTarget(ctx, tx, p, userID); err != nil {
			return err
		}
		details := map[string]any{}
		if ch.Role != nil && *ch.Role != u.Role {
			details["role"] = map[string]any{"from": string(u.Role), "to": string(*ch.Role)}
			u.Role = *ch.Role
		}
		if ch.Permissions != nil {
			details["permissions"] = map[string]any{"from": u.Permissions, "to": *ch.Permissions}
			u.Permissions = *ch.Permissions
		}
		if err := s.applyClaims(ctx, tx, u, ch.Claims, details); err != nil {
			return err
		}
		if ch.Disabled != nil {
			status := identity.UserActive
			if *ch.Disabled {
				status = identity.UserDisabled
			} else if u.Status == identity.UserInvited {
				status = u.Status // enabled by accepting the invitation, not by an admin
			}
			if status != u.Status {
				details["status"] = map[string]any{"from": u.Status, "to": status}
				u.Status = status
				if *ch.Disabled {
					if _, err := tx.EndUserSessions(ctx, u.ID, "", identity.EndUserDisabled, s.now()); err != nil {
						return err
					}
					if err := tx.RaiseEpoch(ctx, u.ID, s.now()); err != nil {
						return err
					}
				}
			}
		}
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.UserUpdated, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + u.ID, Success: true, Details: details})
	})
	if err != nil {
		return nil, err
	}
	s.RevokedUser(ctx, userID)
	return u, nil
}

// DeleteUser removes a user and their sessions; nobody deletes themselves.
func (s *Service) DeleteUser(ctx context.Context, p *Principal, userID string, meta Meta) error {
	if userID == p.UserID {
		return rampart.Errorf(rampart.EForbidden, "you cannot delete yourself")
	}
	err := s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		u, err := s.checkTarget(ctx, tx, p, userID)
		if err != nil {
			return err
		}
		if err := tx.DeleteUser(ctx, userID); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.UserDeleted, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + userID, Success: true, Details: map[string]any{"role": string(u.Role), "email": identity.MaskEmail(u.Email)}})
	})
	if err != nil {
		return err
	}
	s.RevokedUser(ctx, userID)
	return nil
}

// Audit writes events in a transaction of their own (for refusals, which
// have no transaction to join); failures are logged, not returned.
func (s *Service) Audit(ctx context.Context, tenantID string, events ...*audit.Event) {
	s.appendEvents(ctx, tenantID, events...)
}
