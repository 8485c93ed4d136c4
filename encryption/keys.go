package encryption

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/keys"
)

// Rotation asks for keys to be rotated.
type Rotation struct {
	// Tenant, for the operator, names the tenant whose data keys to
	// rotate; left empty (and without a purpose) the operator rotates the
	// deployment's token-signing key. A tenant's caller may name only its
	// own tenant.
	Tenant string
	// Purpose rotates one purpose's key; empty rotates every purpose.
	Purpose string
}

// Rotated is what a rotation did: a new signing key, or new versions of a
// tenant's data keys.
type Rotated struct {
	// Signing is the new token-signing key (the operator's rotation
	// without a tenant); the rest is then empty.
	Signing *keys.SigningKey
	Tenant  string
	Keys    []KeyVersion
}

// KeyVersion is a version of a tenant's data key.
type KeyVersion struct {
	Purpose   keys.Purpose
	Version   uint32
	CreatedAt time.Time
	// Reserved counts the encryptions replicas reserved under it.
	Reserved int64
}

// RotateKeys rotates keys. The operator (by nil) rotates the signing key, or
// with a tenant that tenant's data keys; a tenant's admin:security holder
// (by) rotates its own tenant's data keys. New writes use the new versions
// at once; old ciphertexts keep decrypting, and Rewrap moves them forward.
// A data-key rotation is recorded as a data_key_rotated event by actor (or
// "operator") and starts the re-encryption of Rampart's own stored secrets.
func (s *Service) RotateKeys(ctx context.Context, by *auth.Principal, req Rotation, actor audit.Actor) (*Rotated, error) {
	tenantID, who := req.Tenant, "operator"
	if by != nil {
		if req.Tenant != "" && req.Tenant != by.TenantID {
			return nil, rampart.FieldError(rampart.EForbidden, "tenant", "you may rotate only your own tenant's keys")
		}
		tenantID, who = by.TenantID, by.UserID
	} else if tenantID == "" {
		if req.Purpose != "" {
			return nil, rampart.FieldError(rampart.EUnprocessable, "tenant", "name the tenant whose data keys to rotate")
		}
		k, err := s.signing.RotateKey(ctx)
		if err != nil {
			return nil, err
		}
		s.log.Info("signing key rotated", "kid", k.KID, "alg", k.Alg)
		return &Rotated{Signing: k}, nil
	}
	purposes := keys.Purposes()
	if req.Purpose != "" {
		pp, err := ParsePurpose("purpose", req.Purpose)
		if err != nil {
			return nil, err
		}
		purposes = []keys.Purpose{pp}
	}
	if by == nil {
		if err := s.checkTenant(ctx, tenantID, "tenant is a tenant id"); err != nil {
			return nil, err
		}
	}
	out := &Rotated{Tenant: tenantID, Keys: make([]KeyVersion, 0, len(purposes))}
	// The event's details as the API shows them.
	rotated := []map[string]any{}
	for _, pp := range purposes {
		n, err := s.vault.Rotate(ctx, tenantID, pp)
		if err != nil {
			return nil, err
		}
		out.Keys = append(out.Keys, KeyVersion{Purpose: pp, Version: n})
		rotated = append(rotated, map[string]any{"purpose": pp, "version": n})
	}
	s.audit.Audit(ctx, tenantID, &audit.Event{Type: audit.DataKeyRotated, UserID: who, IP: actor.IP, UserAgent: actor.UserAgent,
		Resource: "data_keys", Success: true, Details: map[string]any{"rotated": rotated}})
	// Move Rampart's own stored secrets forward in a job that runs once
	// across the replicas and resumes after a crash; KeyStatus shows the
	// progress.
	if s.jobs != nil {
		if err := s.jobs.Trigger(ctx, "reencrypt:"+tenantID); err != nil {
			s.log.Warn("schedule re-encryption after rotation; it runs at the next key care", "tenant", tenantID, "err", err.Error())
		}
	}
	return out, nil
}

// checkTenant checks that the operator named an existing tenant by id.
func (s *Service) checkTenant(ctx context.Context, tenantID, notID string) error {
	if _, err := uuid.Parse(tenantID); err != nil {
		return rampart.FieldError(rampart.EUnprocessable, "tenant", "%s", notID)
	}
	_, err := s.tenants.TenantPolicy(ctx, tenantID)
	return err
}

// KeyStatus is a tenant's data keys and the progress of re-encrypting
// Rampart's own stored secrets under them.
type KeyStatus struct {
	Tenant string
	// Keys are the newest version of each tenant-wide key.
	Keys []KeyVersion
	// Secrets counts Rampart's stored secrets of the tenant; Current, those
	// under the newest versions of their keys.
	Secrets, Current int
}

// KeyStatus returns the key status of the caller's own tenant, or, for the
// operator (by nil), of tenant.
func (s *Service) KeyStatus(ctx context.Context, by *auth.Principal, tenant string) (*KeyStatus, error) {
	tenantID := tenant
	if by != nil {
		tenantID = by.TenantID
		if _, err := s.tenants.TenantPolicy(ctx, tenantID); err != nil {
			return nil, err
		}
	} else if err := s.checkTenant(ctx, tenantID, "name the tenant by id: ?tenant="); err != nil {
		return nil, err
	}
	latest, err := s.vault.Latest(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	total, current, err := s.secrets.SecretStatus(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	out := &KeyStatus{Tenant: tenantID, Keys: make([]KeyVersion, 0, len(latest)), Secrets: total, Current: current}
	for _, k := range latest {
		out.Keys = append(out.Keys, KeyVersion{Purpose: keys.Purpose(k.Purpose), Version: k.Version, CreatedAt: k.CreatedAt, Reserved: k.Reserved})
	}
	return out, nil
}
