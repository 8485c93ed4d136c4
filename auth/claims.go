package auth

import (
	"context"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/token"
)

// claimsOf fills in the claims of c that come from the user's attributes,
// the tenant's settings and the session: the chatbot design's flags,
// feature flags, residency, compliance level and quota, custom claims, and
// the device and user agent of the login.
func claimsOf(c *token.Claims, tenant *identity.Tenant, user *identity.User, sess *identity.Session, now time.Time) {
	uc := tenant.Policy.ClaimsOf(user, now)
	c.PasswordChangeRequired, c.TermsAccepted = uc.PasswordChangeRequired, uc.TermsAccepted
	c.FeatureFlags, c.DataResidency, c.ComplianceLevel, c.DailyQuota = uc.FeatureFlags, uc.DataResidency, uc.ComplianceLevel, uc.DailyQuota
	c.Custom = uc.Custom
	c.DeviceID = sess.DeviceID
	c.UserAgentHash = token.UserAgentHash(sess.UserAgent)
}

// gateError is the 403 of a session that must do something first (see
// identity.TenantPolicy.GateOf), with a code naming what.
func gateError(gate string) error {
	switch gate {
	case identity.GatePasswordChange:
		return rampart.Errorf(rampart.EPasswordChange, "you must change your password first: POST /v1/me/password")
	case identity.GateTerms:
		return rampart.Errorf(rampart.ETermsRequired, "you must accept the current terms first: POST /v1/me/terms")
	}
	return nil
}

// GateError returns the refusal of a route the caller may not reach until
// they change their password or accept the tenant's terms; nil when they
// may.
func (p *Principal) GateError() error { return gateError(p.Gate) }

// TermsAcceptance is what POST /v1/me/terms records.
type TermsAcceptance struct {
	Version    string
	AcceptedAt time.Time
}

// AcceptTerms records that the caller accepted version of their tenant's
// terms, which must be the current one (a client showing an older text
// must show the new one first). Audited as terms_accepted; the caller's
// next token says terms_accepted, and a tenant's terms requirement stops
// holding the session back at once.
func (s *Service) AcceptTerms(ctx context.Context, p *Principal, version string, meta Meta) (*TermsAcceptance, error) {
	if p.APIKeyID != "" {
		return nil, rampart.Errorf(rampart.EForbidden, "terms are accepted by a person, not an API key")
	}
	now := s.now().UTC().Truncate(time.Second)
	err := s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		t, err := tx.Tenant(ctx, p.TenantID)
		if err != nil {
			return err
		}
		if t.Policy.TermsVersion == "" {
			return rampart.FieldError(rampart.EConflict, "version", "this tenant publishes no terms to accept")
		}
		if version != t.Policy.TermsVersion {
			e := rampart.FieldError(rampart.EUnprocessable, "version", "%q is not the current version of the terms", version)
			e.Extensions = map[string]any{"current_version": t.Policy.TermsVersion}
			return e
		}
		u, err := tx.UserByID(ctx, p.UserID)
		if err != nil {
			return err
		}
		u.Attributes.TermsVersion, u.Attributes.TermsAcceptedAt = version, now
		if err := tx.UpdateUser(ctx, u); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.TermsAccepted, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "user:" + p.UserID, Success: true, Details: map[string]any{"version": version}})
	})
	if err != nil {
		return nil, err
	}
	s.RevokedUser(ctx, p.UserID) // drop cached session states: the gate lifts at once
	return &TermsAcceptance{Version: version, AcceptedAt: now}, nil
}

// ClaimChange is a partial update of a user's claim attributes (PATCH
// /v1/users/{id}); nil fields stay as they are. An empty list, string or
// map, or a zero quota, clears the user's own value (the tenant's applies).
type ClaimChange struct {
	PasswordChangeRequired *bool
	FeatureFlags           *[]string
	DataResidency          *string
	ComplianceLevel        *string
	DailyQuota             *int64
	CustomClaims           *map[string]any
}

// first names the first field the change sets, "" when none.
func (c ClaimChange) first() string {
	switch {
	case c.PasswordChangeRequired != nil:
		return "password_change_required"
	case c.FeatureFlags != nil:
		return "feature_flags"
	case c.DataResidency != nil:
		return "data_residency"
	case c.ComplianceLevel != nil:
		return "compliance_level"
	case c.DailyQuota != nil:
		return "daily_quota"
	case c.CustomClaims != nil:
		return "custom_claims"
	}
	return ""
}

// applyClaims lays c over u's attributes inside tx, validated against the
// tenant's claim settings (custom claims only of the names it allows), and
// records what changed in details.
func (s *Service) applyClaims(ctx context.Context, tx *store.Tx, u *identity.User, c ClaimChange, details map[string]any) error {
	if c.first() == "" {
		return nil
	}
	t, err := tx.Tenant(ctx, u.TenantID)
	if err != nil {
		return err
	}
	a := u.Attributes
	if c.PasswordChangeRequired != nil {
		a.PasswordChangeRequired = *c.PasswordChangeRequired
	}
	if c.FeatureFlags != nil {
		a.FeatureFlags = *c.FeatureFlags
	}
	if c.DataResidency != nil {
		a.DataResidency = *c.DataResidency
	}
	if c.ComplianceLevel != nil {
		a.ComplianceLevel = *c.ComplianceLevel
	}
	if c.DailyQuota != nil {
		a.DailyQuota = *c.DailyQuota
	}
	if c.CustomClaims != nil {
		a.CustomClaims = *c.CustomClaims
	}
	if err := a.Validate("", t.Policy.Claims); err != nil {
		return err
	}
	details["claims"] = map[string]any{"password_change_required": a.PasswordChangeRequired, "feature_flags": a.FeatureFlags,
		"data_residency": a.DataResidency, "compliance_level": a.ComplianceLevel, "daily_quota": a.DailyQuota, "custom_claims": a.CustomClaims}
	u.Attributes = a
	return nil
}
