package auth

import (
	"context"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// Bulk actions on users (BulkUsers).
const (
	BulkEndSessions           = "end_sessions"
	BulkLock                  = "lock" // disable: sessions end, sign-in refused
	BulkRequirePasswordChange = "require_password_change"
	BulkDelete                = "delete"
)

// MaxBulkUsers bounds the users of one bulk action.
const MaxBulkUsers = 1000

// BulkActions are the actions BulkUsers knows, with the permission each needs.
var BulkActions = map[string]string{
	BulkEndSessions:           "users:write",
	BulkLock:                  "users:write",
	BulkRequirePasswordChange: "users:write",
	BulkDelete:                "users:delete",
}

// BulkResult says what a bulk action did: the batch id every audit event of
// it carries in details.batch_id, how many users it changed, and why the
// others were skipped (by user id).
type BulkResult struct {
	BatchID string
	Done    int
	Skipped map[string]string
}

// BulkUsers applies one action to up to MaxBulkUsers users of the caller's
// tenant in one transaction, with one audit event per user changed (the
// same event type and details as the single-user operation, plus the batch
// id). Each user is checked as the single-user operations check them:
// nobody acts on themselves or on a role above their own; delete needs a
// recent second factor under the tenant's step-up policy. A user who cannot
// be changed is skipped with the reason; a database failure changes nobody.
func (s *Service) BulkUsers(ctx context.Context, p *Principal, action string, userIDs []string, meta Meta) (*BulkResult, error) {
	perm, ok := BulkActions[action]
	if !ok {
		return nil, rampart.FieldError(rampart.EUnprocessable, "action", "action must be one of end_sessions, lock, require_password_change, delete")
	}
	if len(userIDs) == 0 || len(userIDs) > MaxBulkUsers {
		return nil, rampart.FieldError(rampart.EUnprocessable, "user_ids", "select 1 to %d users", MaxBulkUsers)
	}
	if err := s.Require(ctx, p, perm, meta); err != nil {
		return nil, err
	}
	if action == BulkDelete {
		if err := p.RequireRecentMFA(s.now()); err != nil {
			return nil, err
		}
	}
	res := &BulkResult{BatchID: uuid.NewString(), Skipped: map[string]string{}}
	var changed []string
	var ended []string
	err := s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		changed, ended = changed[:0], ended[:0]
		clear(res.Skipped)
		seen := make(map[string]bool, len(userIDs))
		now := s.now()
		for _, id := range userIDs {
			if seen[id] {
				continue
			}
			seen[id] = true
			if id == p.UserID || (p.APIKeyID != "" && id == p.KeyCreator) {
				res.Skipped[id] = "you cannot act on yourself"
				continue
			}
			u, err := s.checkTarget(ctx, tx, p, id)
			if err != nil {
				if c := rampart.ErrorCode(err); c == rampart.ENotFound || c == rampart.EForbidden {
					res.Skipped[id] = rampart.ErrorMessage(err)
					continue
				}
				return err
			}
			ev := &audit.Event{UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent, Resource: "user:" + id, Success: true,
				Details: map[string]any{"batch_id": res.BatchID}}
			switch action {
			case BulkEndSessions:
				ids, err := tx.EndUserSessions(ctx, id, "", identity.EndRevoked, now)
				if err != nil {
					return err
				}
				if err := tx.RaiseEpoch(ctx, id, now); err != nil {
					return err
				}
				ended = append(ended, ids...)
				ev.Type, ev.Details["sessions_revoked"] = audit.SessionRevoked, len(ids)
			case BulkLock:
				if u.Status == identity.UserDisabled {
					res.Skipped[id] = "already locked"
					continue
				}
				ev.Type, ev.Details["status"] = audit.UserUpdated, map[string]any{"from": u.Status, "to": identity.UserDisabled}
				u.Status = identity.UserDisabled
				if err := tx.UpdateUser(ctx, u); err != nil {
					return err
				}
				ids, err := tx.EndUserSessions(ctx, id, "", identity.EndUserDisabled, now)
				if err != nil {
					return err
				}
				ended = append(ended, ids...)
				if err := tx.RaiseEpoch(ctx, id, now); err != nil {
					return err
				}
			case BulkRequirePasswordChange:
				if u.Attributes.PasswordChangeRequired {
					res.Skipped[id] = "already required"
					continue
				}
				u.Attributes.PasswordChangeRequired = true
				if err := tx.UpdateUser(ctx, u); err != nil {
					return err
				}
				ev.Type, ev.Details["password_change_required"] = audit.UserUpdated, map[string]any{"from": false, "to": true}
			case BulkDelete:
				if err := tx.DeleteUser(ctx, id); err != nil {
					return err
				}
				ev.Type, ev.Details["role"], ev.Details["email"] = audit.UserDeleted, string(u.Role), identity.MaskEmail(u.Email)
			}
			if err := tx.AppendAudit(ctx, ev); err != nil {
				return err
			}
			changed = append(changed, id)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.revokedSessions(ctx, ended)
	for _, id := range changed {
		s.RevokedUser(ctx, id)
	}
	res.Done = len(changed)
	return res, nil
}

// SearchUsers returns a page of tenantID's users matching f, with whether
// each has a second factor (for the console's users page).
func (s *Service) SearchUsers(ctx context.Context, tenantID string, f store.UserFilter) ([]store.UserRow, error) {
	return s.store.SearchUsers(ctx, tenantID, f)
}

// MFAEnrolled reports whether a user of tenantID has a usable second factor.
func (s *Service) MFAEnrolled(ctx context.Context, tenantID, userID string) (bool, error) {
	return s.mfaEnrolled(ctx, tenantID, userID)
}
