package identity

import (
	"context"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/authz"
)

// AccountStore is what Accounts needs of the database.
type AccountStore interface {
	// CreateTenantWithOwner writes the tenant, its owner and the events in
	// one transaction: all of them or none.
	CreateTenantWithOwner(ctx context.Context, t *Tenant, owner *User, events []*audit.Event) error
	// SlugTaken reports whether a tenant already uses slug.
	SlugTaken(ctx context.Context, slug string) (bool, error)
}

// TenantChange is one administrative change to a tenant: what the store
// writes, with its audit event, in the transaction that read the tenant.
// Zero fields change nothing.
type TenantChange struct {
	Name   *string
	Policy *TenantPolicy
	Status string
	// EndSessions, when set, ends every session of the tenant with this
	// reason, as of At.
	EndSessions string
	At          time.Time
	// Event is appended to the tenant's own log.
	Event *audit.Event
}

// Accounts creates tenants and users under the password policy.
type Accounts struct {
	Store  AccountStore
	Hasher *Hasher
	Policy *PasswordPolicy
	Now    func() time.Time
}

// NewTenant is a request to create a tenant and its owner.
type NewTenant struct {
	Slug          string
	Name          string
	OwnerEmail    string
	OwnerPassword string
	RolePreset    string // empty: the chatbot set
}

// ValidateNewTenant checks every field of req, returning the first problem
// with the request field it concerns.
func (a *Accounts) ValidateNewTenant(req NewTenant) error {
	if err := ValidateSlug("slug", req.Slug); err != nil {
		return err
	}
	if err := ValidateName("name", req.Name); err != nil {
		return err
	}
	if req.RolePreset != "" && !authz.ValidPreset(req.RolePreset) {
		return FieldErrorf("role_preset", "must be one of %s", strings.Join(authz.PresetNames(), ", "))
	}
	if err := ValidateEmail("owner.email", req.OwnerEmail); err != nil {
		return err
	}
	return a.Policy.Validate("owner.password", req.OwnerPassword, req.OwnerEmail)
}

// CreateTenant validates req, hashes the owner's password (outside any
// transaction: hashing is slow) and stores tenant, owner and the
// tenant_created and user_created events together.
func (a *Accounts) CreateTenant(ctx context.Context, req NewTenant, actor audit.Actor) (*Tenant, *User, error) {
	if err := a.ValidateNewTenant(req); err != nil {
		return nil, nil, err
	}
	// Answer a taken slug before spending a password hash on it; the unique
	// index still decides races.
	if taken, err := a.Store.SlugTaken(ctx, req.Slug); err != nil {
		return nil, nil, err
	} else if taken {
		return nil, nil, rampart.FieldError(rampart.EConflict, "slug", "a tenant with this slug already exists")
	}
	hash, err := a.Hasher.Hash(ctx, req.OwnerPassword)
	if err != nil {
		return nil, nil, err
	}
	now := a.Now().UTC().Truncate(time.Microsecond)
	tid, err1 := uuid.NewV7()
	uid, err2 := uuid.NewV7()
	if err := errors.Join(err1, err2); err != nil {
		return nil, nil, err
	}
	t := &Tenant{ID: tid.String(), Slug: req.Slug, Name: req.Name, Status: TenantActive, CreatedAt: now, UpdatedAt: now,
		Policy: TenantPolicy{RolePreset: req.RolePreset}}
	owner := &User{ID: uid.String(), TenantID: t.ID, Email: req.OwnerEmail, EmailKey: NormalizeEmail(req.OwnerEmail),
		PasswordHash: hash, Role: RoleOwner, Permissions: []string{}, Status: UserActive, CreatedAt: now, UpdatedAt: now}
	events := []*audit.Event{
		{Type: audit.TenantCreated, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent, Resource: "tenant:" + t.ID,
			Success: true, Details: map[string]any{"slug": t.Slug, "name": t.Name, "role_preset": t.Policy.WithDefaults().RolePreset}, CreatedAt: now},
		{Type: audit.UserCreated, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent, Resource: "user:" + owner.ID,
			Success: true, Details: map[string]any{"role": string(owner.Role), "user_id": owner.ID}, CreatedAt: now},
	}
	if err := a.Store.CreateTenantWithOwner(ctx, t, owner, events); err != nil {
		return nil, nil, err
	}
	return t, owner, nil
}
