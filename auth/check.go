package auth

import (
	"context"
	"fmt"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/authz"
)

// DeniedError is a refusal for want of a permission, already recorded as a
// permission_denied event: whoever answers the caller need not record it
// again. It unwraps to an EForbidden *rampart.Error.
type DeniedError struct {
	Permission string
	err        *rampart.Error
}

func (e *DeniedError) Error() string { return e.err.Error() }

// Unwrap returns the caller-safe error.
func (e *DeniedError) Unwrap() error { return e.err }

// Require checks that the caller holds permission. A refusal is recorded as
// a permission_denied event naming the permission and meta.Route, and
// returned as a *DeniedError.
func (s *Service) Require(ctx context.Context, p *Principal, permission string, meta Meta) error {
	cat, err := s.Catalogue(ctx, p.TenantID)
	if err != nil {
		return err
	}
	if cat.Check(p.Subject(), permission, "").Allowed {
		return nil
	}
	s.appendEvents(ctx, p.TenantID, &audit.Event{Type: audit.PermissionDenied, UserID: p.UserID, IP: meta.IP,
		UserAgent: meta.UserAgent, Resource: meta.Route, Success: false, Details: map[string]any{"permission": permission}})
	return &DeniedError{Permission: permission, err: rampart.Errorf(rampart.EForbidden, "permission %s is required", permission)}
}

// mayManageSessions reports whether the caller may end other users'
// sessions (users:write); when the catalogue cannot be read, not.
func (s *Service) mayManageSessions(ctx context.Context, p *Principal) bool {
	cat, err := s.Catalogue(ctx, p.TenantID)
	return err == nil && cat.Check(p.Subject(), "users:write", "").Allowed
}

// MaxChecks bounds the questions of one CheckBatch.
const MaxChecks = 100

// Question is one question to the policy engine: may the caller (or, with
// UserID, that user of the caller's tenant) use Permission on Resource?
type Question struct {
	Permission string
	Resource   string // optional
	UserID     string // optional; another user's needs users:read
}

// Answer is the engine's answer and why.
type Answer struct {
	Allowed bool
	Reason  string
}

// Check answers one question against the caller's tenant's catalogue.
func (s *Service) Check(ctx context.Context, p *Principal, q Question) (Answer, error) {
	cat, err := s.Catalogue(ctx, p.TenantID)
	if err != nil {
		return Answer{}, err
	}
	return s.answer(ctx, cat, p, q, "")
}

// CheckBatch answers 1 to MaxChecks questions; the first that cannot be
// asked (an invalid permission, another user without users:read) fails the
// batch, naming it.
func (s *Service) CheckBatch(ctx context.Context, p *Principal, qs []Question) ([]Answer, error) {
	if len(qs) == 0 || len(qs) > MaxChecks {
		return nil, rampart.FieldError(rampart.EUnprocessable, "checks", "checks must hold 1 to %d checks", MaxChecks)
	}
	cat, err := s.Catalogue(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	out := make([]Answer, len(qs))
	for i, q := range qs {
		if out[i], err = s.answer(ctx, cat, p, q, fmt.Sprintf("checks[%d].", i)); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// answer answers q with cat; field prefixes the names of fields in errors.
func (s *Service) answer(ctx context.Context, cat *authz.Catalogue, p *Principal, q Question, field string) (Answer, error) {
	if msg := authz.ValidatePermission(q.Permission); msg != "" {
		return Answer{}, rampart.FieldError(rampart.EUnprocessable, field+"permission", "permission %s", msg)
	}
	if msg := authz.ValidateResource(q.Resource); msg != "" {
		return Answer{}, rampart.FieldError(rampart.EUnprocessable, field+"resource", "resource %s", msg)
	}
	subject := p.Subject()
	if q.UserID != "" && q.UserID != p.UserID {
		if !cat.Check(p.Subject(), "users:read", "").Allowed {
			return Answer{}, rampart.FieldError(rampart.EForbidden, field+"user_id", "checking another user needs users:read")
		}
		var err error
		if subject, err = s.SubjectOf(ctx, p.TenantID, q.UserID); err != nil {
			return Answer{}, err // another tenant's user is simply not found
		}
	}
	d := cat.Check(subject, q.Permission, q.Resource)
	return Answer{Allowed: d.Allowed, Reason: d.Reason()}, nil
}
