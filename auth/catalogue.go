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
	"github.com/rampart-dev/rampart/iprules"
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
	c      *authz.Catalogue
	policy identity.TenantPolicy
	ip     *iprules.Rules
	until  time.Time
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
	e, err := s.tenantEntry(ctx, tenantID)
	return e.c, err
}

// TenantPolicy returns a tenant's settings (with defaults), cached as its
// catalogue is.
func (s *Service) TenantPolicy(ctx context.Context, tenantID string) (identity.TenantPolicy, error) {
	e, err := s.tenantEntry(ctx, tenantID)
	return e.policy, err
}

// tenantEntry returns what the cache keeps of a tenant: its catalogue,
// settings and IP rules.
func (s *Service) tenantEntry(ctx context.Context, tenantID string) (catalogueEntry, error) {
	now := s.now()
	s.roles.mu.Lock()
	e, ok := s.roles.m[tenantID]
	gen := s.roles.gen
	s.roles.mu.Unlock()
	if ok && now.Before(e.until) {
		return e, nil
	}
	var ipNext time.Time // when a temporary block ends
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) error {
		t, err := tx.Tenant(ctx, tenantID)
		if err != nil {
			return err
		}
		custom, err := tx.CustomRoles(ctx)
		if err != nil {
			return err
		}
		e.policy = t.Policy.WithDefaults()
		if e.ip, ipNext, err = e.policy.IPRulesAt(now); err != nil {
			return err
		}
		e.c, err = authz.NewCatalogue(e.policy.RolePreset, custom)
		return err
	})
	if err != nil {
		return catalogueEntry{}, err
	}
	if s.cfg.SessionCacheTTL > 0 {
		e.until = now.Add(s.cfg.SessionCacheTTL)
		if !ipNext.IsZero() && ipNext.Before(e.until) {
			e.until = ipNext
		}
		s.roles.mu.Lock()
		if s.roles.gen == gen {
			s.roles.m[tenantID] = e
		}
		s.roles.mu.Unlock()
	}
	return e, nil
}

// ipAuditSample writes one ip_blocked event per this many refusals on a
// replica, so a blocked address hammering Rampart does not flood the log.
const ipAuditSample = 100

// checkIPOf is CheckIP for a tenant named by an unverified credential: a
// tenant that does not exist makes the credential invalid.
func (s *Service) checkIPOf(ctx context.Context, tenantID string, meta Meta) error {
	err := s.CheckIP(ctx, tenantID, meta)
	if rampart.ErrorCode(err) == rampart.ENotFound {
		return errInvalidToken
	}
	return err
}

// CheckIP refuses a client address the tenant's IP rules do not admit: 403,
// and an ip_blocked audit event (sampled; the first always). Call it before
// any credential of the tenant is checked.
func (s *Service) CheckIP(ctx context.Context, tenantID string, meta Meta) error {
	e, err := s.tenantEntry(ctx, tenantID)
	if err != nil {
		return err
	}
	v := e.ip.Check(meta.IP)
	if v == iprules.Allowed {
		return nil
	}
	if s.ipRefusals.Take(tenantID, ipAuditSample) {
		s.appendEvents(ctx, tenantID, &audit.Event{Type: audit.IPBlocked, IP: meta.IP, UserAgent: meta.UserAgent, Success: false,
			Details: map[string]any{"rule": v.String(), "scope": "tenant", "sampled_one_in": ipAuditSample}})
	}
	return rampart.Errorf(rampart.EForbidden, "requests from your address are not allowed for this tenant")
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
	u, err := s.users.User(ctx, tenantID, userID)
	if err != nil {
		return authz.Subject{}, err
	}
	return authz.Subject{Role: string(u.Role), Permissions: u.Permissions}, nil
}

func fieldIndex(field string, i int) string { return field + "[" + strconv.Itoa(i) + "]" }
