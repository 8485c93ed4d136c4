package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
)

const tenantColumns = "id, slug, name, status, settings, created_at, updated_at"

func scanTenant(row interface{ Scan(...any) error }) (*identity.Tenant, error) {
	var t identity.Tenant
	var settings string
	err := row.Scan(&t.ID, &t.Slug, &t.Name, &t.Status, scanText{&settings}, scanTime{&t.CreatedAt}, scanTime{&t.UpdatedAt})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "tenant not found")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(settings), &t.Policy); err != nil {
		return nil, fmt.Errorf("store: tenant %s settings: %w", t.ID, err)
	}
	return &t, nil
}

// CreateTenant inserts t and the head of its audit chain, and scopes the
// operator transaction to the new tenant so that its owner and first events
// can be written in the same transaction. A taken slug is a conflict.
func (tx *Tx) CreateTenant(ctx context.Context, t *identity.Tenant) error {
	if !tx.operator {
		return errors.New("store: CreateTenant outside an operator transaction")
	}
	settings, err := json.Marshal(t.Policy)
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO tenants (id, slug, name, status, settings, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		t.ID, t.Slug, t.Name, t.Status, string(settings), tx.d.timeArg(t.CreatedAt), tx.d.timeArg(t.UpdatedAt))
	if isUniqueViolation(err) {
		return rampart.FieldError(rampart.EConflict, "slug", "a tenant with this slug already exists")
	}
	if err != nil {
		return err
	}
	if err := tx.ScopeTo(ctx, t.ID); err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO audit_heads (tenant_id, seq, hash) VALUES (?, 0, ?)", t.ID, audit.GenesisHash)
	return err
}

// Tenant returns the scoped tenant (or, for the operator, the tenant id).
func (tx *Tx) Tenant(ctx context.Context, id string) (*identity.Tenant, error) {
	if !tx.operator && id != tx.tenantID {
		return nil, rampart.Errorf(rampart.ENotFound, "tenant not found")
	}
	if !validUUID(id) {
		return nil, rampart.Errorf(rampart.ENotFound, "tenant not found")
	}
	return scanTenant(tx.queryRow(ctx, "SELECT "+tenantColumns+" FROM tenants WHERE id = ?", id))
}

// TenantBySlug finds a tenant by slug; operator scope only, because it is how
// a request names its tenant before any tenant is in scope.
func (tx *Tx) TenantBySlug(ctx context.Context, slug string) (*identity.Tenant, error) {
	if !tx.operator {
		return nil, errors.New("store: TenantBySlug outside an operator transaction")
	}
	return scanTenant(tx.queryRow(ctx, "SELECT "+tenantColumns+" FROM tenants WHERE slug = ?", slug))
}

// ListTenants returns up to limit tenants ordered by slug, after the slug
// `after` (keyset pagination); operator scope only.
func (tx *Tx) ListTenants(ctx context.Context, after string, limit int) ([]*identity.Tenant, error) {
	if !tx.operator {
		return nil, errors.New("store: ListTenants outside an operator transaction")
	}
	rows, err := tx.query(ctx, "SELECT "+tenantColumns+" FROM tenants WHERE slug > ? ORDER BY slug LIMIT ?", after, limit)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.Tenant
	for rows.Next() {
		t, err := scanTenant(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// SetTenantStatus changes a tenant's status and returns the updated tenant.
func (tx *Tx) SetTenantStatus(ctx context.Context, id, status string) (*identity.Tenant, error) {
	t, err := tx.Tenant(ctx, id)
	if err != nil {
		return nil, err
	}
	if t.Status == status {
		return t, nil
	}
	now := nowUTC()
	if _, err := tx.exec(ctx, "UPDATE tenants SET status = ?, updated_at = ? WHERE id = ?", status, tx.d.timeArg(now), id); err != nil {
		return nil, err
	}
	t.Status, t.UpdatedAt = status, now
	return t, nil
}

// CreateTenantWithOwner writes a new tenant, its owner and their events in one
// operator transaction.
func (s *Store) CreateTenantWithOwner(ctx context.Context, t *identity.Tenant, owner *identity.User, events []*audit.Event) error {
	return s.AsOperator(ctx, func(tx *Tx) error {
		if err := tx.CreateTenant(ctx, t); err != nil {
			return err
		}
		if err := tx.CreateUser(ctx, owner); err != nil {
			return err
		}
		for _, e := range events {
			if err := tx.AppendAudit(ctx, e); err != nil {
				return err
			}
		}
		return nil
	})
}

// SlugTaken reports whether a tenant already uses slug.
func (s *Store) SlugTaken(ctx context.Context, slug string) (bool, error) {
	taken := false
	err := s.ReadAsOperator(ctx, func(tx *Tx) error {
		_, err := tx.TenantBySlug(ctx, slug)
		if rampart.ErrorCode(err) == rampart.ENotFound {
			return nil
		}
		taken = err == nil
		return err
	})
	return taken, err
}

// SetTenantPolicy replaces a tenant's security settings.
func (tx *Tx) SetTenantPolicy(ctx context.Context, id string, p identity.TenantPolicy) (*identity.Tenant, error) {
	t, err := tx.Tenant(ctx, id)
	if err != nil {
		return nil, err
	}
	settings, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	now := nowUTC()
	if _, err := tx.exec(ctx, "UPDATE tenants SET settings = ?, updated_at = ? WHERE id = ?", string(settings), tx.d.timeArg(now), t.ID); err != nil {
		return nil, err
	}
	t.Policy, t.UpdatedAt = p, now
	return t, nil
}

// RenameTenant changes a tenant's display name.
func (tx *Tx) RenameTenant(ctx context.Context, id, name string) (*identity.Tenant, error) {
	t, err := tx.Tenant(ctx, id)
	if err != nil {
		return nil, err
	}
	now := nowUTC()
	if _, err := tx.exec(ctx, "UPDATE tenants SET name = ?, updated_at = ? WHERE id = ?", name, tx.d.timeArg(now), t.ID); err != nil {
		return nil, err
	}
	t.Name, t.UpdatedAt = name, now
	return t, nil
}

// EachTenant calls fn for every tenant, in slug order, a page at a time,
// each page read in an operator transaction of its own (fn may open
// transactions of its own). It stops at the first error fn returns.
func (s *Store) EachTenant(ctx context.Context, fn func(*identity.Tenant) error) error {
	const page = 200
	after := ""
	for {
		var list []*identity.Tenant
		if err := s.ReadAsOperator(ctx, func(tx *Tx) (err error) {
			list, err = tx.ListTenants(ctx, after, page)
			return err
		}); err != nil {
			return err
		}
		for _, t := range list {
			if err := fn(t); err != nil {
				return err
			}
		}
		if len(list) < page {
			return nil
		}
		after = list[len(list)-1].Slug
	}
}

// ListTenants returns up to limit tenants ordered by slug after the slug
// after, for the operator.
func (s *Store) ListTenants(ctx context.Context, after string, limit int) ([]*identity.Tenant, error) {
	var out []*identity.Tenant
	err := s.AsOperator(ctx, func(tx *Tx) (err error) {
		out, err = tx.ListTenants(ctx, after, limit)
		return err
	})
	return out, err
}

// Tenant returns any tenant, for the operator.
func (s *Store) Tenant(ctx context.Context, id string) (*identity.Tenant, error) {
	var t *identity.Tenant
	err := s.AsOperator(ctx, func(tx *Tx) (err error) {
		t, err = tx.Tenant(ctx, id)
		return err
	})
	return t, err
}

// OwnTenant returns a tenant read in its own scope.
func (s *Store) OwnTenant(ctx context.Context, tenantID string) (*identity.Tenant, error) {
	var t *identity.Tenant
	err := s.ReadTenant(ctx, tenantID, func(tx *Tx) (err error) {
		t, err = tx.Tenant(ctx, tenantID)
		return err
	})
	return t, err
}

// ChangeTenant reads tenant id, asks change what to write (nil: nothing) and
// writes it, its sessions' end and its audit event in the same operator
// transaction; it returns the tenant as written. An error from change
// writes nothing.
func (s *Store) ChangeTenant(ctx context.Context, id string, change func(*identity.Tenant) (*identity.TenantChange, error)) (*identity.Tenant, error) {
	var t *identity.Tenant
	err := s.AsOperator(ctx, func(tx *Tx) (err error) {
		if t, err = tx.Tenant(ctx, id); err != nil {
			return err
		}
		c, err := change(t)
		if err != nil || c == nil {
			return err
		}
		if c.Status != "" {
			if t, err = tx.SetTenantStatus(ctx, t.ID, c.Status); err != nil {
				return err
			}
		}
		if c.Name != nil {
			if t, err = tx.RenameTenant(ctx, t.ID, *c.Name); err != nil {
				return err
			}
		}
		if c.Policy != nil {
			if t, err = tx.SetTenantPolicy(ctx, t.ID, *c.Policy); err != nil {
				return err
			}
		}
		if c.EndSessions == "" && c.Event == nil {
			return nil
		}
		if err := tx.ScopeTo(ctx, t.ID); err != nil {
			return err
		}
		if c.EndSessions != "" {
			if _, err := tx.EndTenantSessions(ctx, c.EndSessions, c.At); err != nil {
				return err
			}
			if err := tx.RaiseEpoch(ctx, "", c.At); err != nil {
				return err
			}
		}
		if c.Event != nil {
			return tx.AppendAudit(ctx, c.Event)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}
