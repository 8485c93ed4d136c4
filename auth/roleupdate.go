package auth

import (
	"context"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/store"
)

// UpdateRole changes a custom role's level and permissions under the rules
// of CreateRole: a recent second factor under step-up, the role's old and
// new levels no higher than the caller's, and permissions the caller holds.
// Its holders get the new permissions on their next request (the catalogue
// is dropped on every replica).
func (s *Service) UpdateRole(ctx context.Context, p *Principal, r authz.Role, meta Meta) error {
	if err := p.RequireRecentMFA(s.now()); err != nil {
		return err
	}
	cat, err := s.Catalogue(ctx, p.TenantID)
	if err != nil {
		return err
	}
	old, ok := cat.Role(r.Name)
	if !ok {
		return rampart.Errorf(rampart.ENotFound, "role not found")
	}
	if !old.Custom {
		return rampart.Errorf(rampart.EForbidden, "preset roles cannot be changed")
	}
	own := cat.Level(string(p.Role))
	if old.Level > own {
		return rampart.Errorf(rampart.EForbidden, "you cannot change a role above your own level")
	}
	if r.Level > own {
		return rampart.FieldError(rampart.EForbidden, "level", "a role cannot be above your own level (%d)", own)
	}
	for i, g := range r.Permissions {
		if !cat.Covers(p.Subject(), g) {
			return rampart.FieldError(rampart.EForbidden, fieldIndex("permissions", i), "you cannot grant %s: you do not hold it", g)
		}
	}
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if err := tx.UpdateRole(ctx, r); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "role:" + r.Name, Success: true, Details: map[string]any{"action": "role_updated",
				"level": map[string]any{"from": old.Level, "to": r.Level}, "permissions": map[string]any{"from": old.Permissions, "to": r.Permissions}}})
	})
	if err != nil {
		return err
	}
	s.publish(ctx, "c:"+p.TenantID)
	return nil
}
