// Package tenancy is the administration of tenants: creating, listing,
// enabling and disabling them, changing their name and security settings,
// and reading their audit log. The API and the admin console both go through
// it, so both apply the same rules. It knows nothing of HTTP or SQL.
package tenancy

import (
	"context"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/identity"
)

// Store is what Service needs of the database.
type Store interface {
	// ListTenants returns up to limit tenants in slug order, after the slug
	// after.
	ListTenants(ctx context.Context, after string, limit int) ([]*identity.Tenant, error)
	// Tenant returns any tenant (not found: rampart.ENotFound).
	Tenant(ctx context.Context, id string) (*identity.Tenant, error)
	// OwnTenant returns a tenant read within its own scope.
	OwnTenant(ctx context.Context, tenantID string) (*identity.Tenant, error)
	// ChangeTenant reads tenant id, calls change with it and writes the
	// change it returns (nil: none) in the same transaction, returning the
	// tenant as written. An error from change writes nothing.
	ChangeTenant(ctx context.Context, id string, change func(*identity.Tenant) (*identity.TenantChange, error)) (*identity.Tenant, error)
	// SearchAudit returns tenantID's events matching f, newest first.
	SearchAudit(ctx context.Context, tenantID string, f audit.Filter) ([]*audit.Event, error)
}

// Caches are the views of a tenant kept by every replica, dropped after a
// change (auth.Service keeps them).
type Caches interface {
	// RevokedTenant drops the tenant's cached sessions, which hold its
	// policy and status.
	RevokedTenant(ctx context.Context, tenantID string)
	// CatalogueChanged drops the tenant's cached role catalogue.
	CatalogueChanged(ctx context.Context, tenantID string)
}

// Service administers tenants. Build it with New.
type Service struct {
	store    Store
	accounts *identity.Accounts
	caches   Caches
	now      func() time.Time
}

// Deps are what New needs.
type Deps struct {
	Store    Store
	Accounts *identity.Accounts // creates tenants and their owners
	Caches   Caches
	Now      func() time.Time
}

// New returns a Service.
func New(d Deps) *Service {
	now := d.Now
	if now == nil {
		now = time.Now
	}
	return &Service{store: d.Store, accounts: d.Accounts, caches: d.Caches, now: now}
}

// CreateTenant creates a tenant and its owner (see identity.Accounts).
func (s *Service) CreateTenant(ctx context.Context, req identity.NewTenant, actor audit.Actor) (*identity.Tenant, *identity.User, error) {
	return s.accounts.CreateTenant(ctx, req, actor)
}

// ListTenants returns up to limit tenants in slug order after the slug
// after, for the operator.
func (s *Service) ListTenants(ctx context.Context, after string, limit int) ([]*identity.Tenant, error) {
	return s.store.ListTenants(ctx, after, limit)
}

// Tenant returns any tenant, for the operator.
func (s *Service) Tenant(ctx context.Context, id string) (*identity.Tenant, error) {
	return s.store.Tenant(ctx, id)
}

// OwnTenant returns the caller's tenant.
func (s *Service) OwnTenant(ctx context.Context, p *auth.Principal) (*identity.Tenant, error) {
	return s.store.OwnTenant(ctx, p.TenantID)
}

// SetTenantStatus enables or disables a tenant for the operator, recording a
// config_change event in the tenant's own log in the same transaction.
// Disabling ends every session of the tenant. Setting the status a tenant
// already has changes and records nothing.
func (s *Service) SetTenantStatus(ctx context.Context, id, status string, actor audit.Actor) (*identity.Tenant, error) {
	if status != identity.TenantActive && status != identity.TenantDisabled {
		return nil, rampart.FieldError(rampart.EInvalid, "status", "status must be %s or %s", identity.TenantActive, identity.TenantDisabled)
	}
	t, err := s.store.ChangeTenant(ctx, id, func(before *identity.Tenant) (*identity.TenantChange, error) {
		if before.Status == status {
			return nil, nil
		}
		c := &identity.TenantChange{Status: status, Event: &audit.Event{Type: audit.ConfigChange, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "tenant:" + before.ID, Success: true,
			Details: map[string]any{"status": map[string]any{"from": before.Status, "to": status}, "actor": "operator"}}}
		if status == identity.TenantDisabled {
			c.EndSessions, c.At = identity.EndTenantDisabled, s.now()
		}
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	if status == identity.TenantDisabled {
		s.caches.RevokedTenant(ctx, t.ID)
	}
	return t, nil
}

// AuditEvents returns the events of a tenant's log matching f, newest first.
func (s *Service) AuditEvents(ctx context.Context, tenantID string, f audit.Filter) ([]*audit.Event, error) {
	return s.store.SearchAudit(ctx, tenantID, f)
}
