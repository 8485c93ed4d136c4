package auth

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// catalogues caches each tenant's role catalogue (preset plus custom roles)
// for the session cache's TTL; role changes drop it at once, here and through
// the bus on other replicas ("c:<tenant>").
type catalogues struct {
	mu  sync.Mutex
	ttl time.Duration
	m   map[string]catalogueEntry
	gen uint64
}

type catalogueEntry struct {
	c     *authz.Catalogue
	until time.Time
}

func (c *catalogues) drop(tenantID string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if tenantID == "*" {
		c.m = map[string]catalogueEntry{}
		return
	}
	delete(c.m, tenantID)
}

// Catalogue returns a tenant's role catalogue.
func (s *Service) Catalogue(ctx context.Context, tenantID string) (*authz.Catalogue, error) {
	now := s.now()
	s.roles.mu.Lock()
	e, ok := s.roles.m[tenantID]
	gen := s.roles.gen
	s.roles.mu.Unlock()
	if ok && now.Before(e.until) {
		return e.c, nil
	}
	var cat *authz.Catalogue
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) error {
		t, err := tx.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		custom, err := tx.CustomRoles(ctx)
		if err != nil {
			return err
		}
		cat, err = authz.NewCatalogue(t.Policy.WithDefaults().RolePreset, custom)
		return err
	})
	if err != nil {
		return nil, err
	}
	if s.cfg.SessionCacheTTL > 0 {
		s.roles.mu.Lock()
		if s.roles.gen == gen {
			s.roles.m[tenantID] = catalogueEntry{c: cat, until: now.Add(s.cfg.SessionCacheTTL)}
		}
		s.roles.mu.Unlock()
	}
	return cat, nil
}

// CatalogueChanged drops a tenant's cached catalogue on every replica.
func (s *Service) CatalogueChanged(ctx context.Context, tenantID string) {
	s.publish(ctx, "c:"+tenantID)
}

// Subject returns the principal as the engine sees it.
func (p *Principal) Subject() authz.Subject {
	return authz.Subject{Role: string(p.Role), Permissions: p.Permissions}
}

// CreateRole adds a custom role to the caller's tenant: a new name, a level no
// higher than the caller's, and permissions the caller holds.
func (s *Service) CreateRole(ctx context.Context, p *Principal, r authz.Role, meta Meta) error {
	if err := p.RequireRecentMFA(s.now()); err != nil {
		return err
	}
	cat, err := s.Catalogue(ctx, p.TenantID)
	if err != nil {
		return err
	}
	if _, exists := cat.Role(r.Name); exists {
		return rampart.FieldError(rampart.EConflict, "name", "a role with this name already exists")
	}
	if r.Level > cat.Level(string(p.Role)) {
		return rampart.FieldError(rampart.EForbidden, "level", "a role cannot be above your own level (%d)", cat.Level(string(p.Role)))
	}
	for i, g := range r.Permissions {
		if !cat.Covers(p.Subject(), g) {
			return rampart.FieldError(rampart.EForbidden, fieldIndex("permissions", i), "you cannot grant %s: you do not hold it", g)
		}
	}
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if err := tx.CreateRole(ctx, r, p.UserID, s.now()); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "role:" + r.Name, Success: true, Details: map[string]any{"action": "role_created", "level": r.Level, "permissions": r.Permissions}})
	})
	if err != nil {
		return err
	}
	s.publish(ctx, "c:"+p.TenantID)
	return nil
}

// DeleteRole removes a custom role nobody holds.
func (s *Service) DeleteRole(ctx context.Context, p *Principal, name string, meta Meta) error {
	cat, err := s.Catalogue(ctx, p.TenantID)
	if err != nil {
		return err
	}
	r, ok := cat.Role(name)
	if !ok {
		return rampart.Errorf(rampart.ENotFound, "role not found")
	}
	if !r.Custom {
		return rampart.Errorf(rampart.EForbidden, "preset roles cannot be deleted")
	}
	if r.Level > cat.Level(string(p.Role)) {
		return rampart.Errorf(rampart.EForbidden, "you cannot delete a role above your own level")
	}
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		n, err := tx.CountRoleHolders(ctx, name)
		if err != nil {
			return err
		}
		if n > 0 {
			return rampart.Errorf(rampart.EConflict, "%d users or API keys hold this role; change them first", n)
		}
		if err := tx.DeleteRole(ctx, name); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "role:" + name, Success: true, Details: map[string]any{"action": "role_deleted"}})
	})
	if err != nil {
		return err
	}
	s.publish(ctx, "c:"+p.TenantID)
	return nil
}

// SubjectOf returns the engine's view of a user of the caller's tenant.
func (s *Service) SubjectOf(ctx context.Context, tenantID, userID string) (authz.Subject, error) {
	var u *identity.User
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		u, err = tx.UserByID(ctx, userID)
		return err
	})
	if err != nil {
		return authz.Subject{}, err
	}
	return authz.Subject{Role: string(u.Role), Permissions: u.Permissions}, nil
}

func fieldIndex(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }
