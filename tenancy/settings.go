package tenancy

import (
	"bytes"
	"context"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/identity"
)

// Update is a change to a tenant; nil fields keep their values.
type Update struct {
	Name *string
	// Settings is a settings document: the JSON form of
	// identity.TenantPolicy (as the API shows it), holding the settings to
	// change. Settings left out keep their values; a map given replaces the
	// stored one whole.
	Settings json.RawMessage
}

// UpdateTenant renames a tenant and changes its settings for the operator,
// audited as config_change in the same transaction.
func (s *Service) UpdateTenant(ctx context.Context, id string, u Update, actor audit.Actor) (*identity.Tenant, error) {
	return s.update(ctx, id, u, actor, true)
}

// UpdateOwnSettings changes the settings of the caller's tenant: for its
// security administrators, with a recent second factor when the tenant
// requires step-up. The rate-limit tier is what the platform sells: only the
// operator sets it.
func (s *Service) UpdateOwnSettings(ctx context.Context, p *auth.Principal, settings json.RawMessage, actor audit.Actor) (*identity.Tenant, error) {
	if err := p.RequireRecentMFA(s.now()); err != nil {
		return nil, err
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(settings, &fields) == nil {
		if _, ok := fields["rate_limit_tier"]; ok {
			return nil, rampart.FieldError(rampart.EForbidden, "rate_limit_tier", "the rate-limit tier is set by the operator")
		}
	}
	actor.UserID = p.UserID
	return s.update(ctx, p.TenantID, Update{Settings: settings}, actor, false)
}

// update applies u to tenant id in one transaction with its config_change
// event (by the operator, or by actor.UserID), then drops the tenant's
// cached sessions and catalogue on every replica so that they pick up the
// new policy. The role preset never changes.
func (s *Service) update(ctx context.Context, id string, u Update, actor audit.Actor, operator bool) (*identity.Tenant, error) {
	if u.Name != nil {
		if err := identity.ValidateName("name", *u.Name); err != nil {
			return nil, err
		}
	}
	t, err := s.store.ChangeTenant(ctx, id, func(t *identity.Tenant) (*identity.TenantChange, error) {
		c := &identity.TenantChange{}
		details := map[string]any{}
		if operator {
			details["actor"] = "operator"
		}
		if u.Name != nil && *u.Name != t.Name {
			c.Name = u.Name
			details["name"] = *u.Name
		}
		if u.Settings != nil {
			policy, err := mergeSettings(t.Policy, u.Settings)
			if err != nil {
				return nil, err
			}
			c.Policy = &policy
			details["settings"] = policy
		}
		c.Event = &audit.Event{Type: audit.ConfigChange, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "tenant:" + t.ID, Success: true, Details: details}
		return c, nil
	})
	if err != nil {
		return nil, err
	}
	s.caches.RevokedTenant(ctx, t.ID)
	s.caches.CatalogueChanged(ctx, t.ID)
	return t, nil
}

// mergeSettings returns stored with the settings of doc laid over it,
// validated whole.
func mergeSettings(stored identity.TenantPolicy, doc json.RawMessage) (identity.TenantPolicy, error) {
	policy := stored
	// Decoding appends into slices and merges into maps: give it copies.
	policy.MFARequiredRoles = slices.Clone(stored.MFARequiredRoles)
	policy.IPAllow = slices.Clone(stored.IPAllow)
	policy.IPDeny = slices.Clone(stored.IPDeny)
	policy.IPDenyUntil = maps.Clone(stored.IPDenyUntil)
	policy.PIIRegions = slices.Clone(stored.PIIRegions)
	var present map[string]json.RawMessage
	pruneUntil := false
	if json.Unmarshal(doc, &present) == nil {
		// encoding/json matches names in any case; settings take their
		// exact names only, so that checks on a name (the tier) cannot be
		// sidestepped by its capitals.
		for k := range present {
			if !settingNames[k] {
				return policy, rampart.FieldError(rampart.EUnprocessable, "settings."+k, "unknown setting %q", k)
			}
		}
		// A map in the settings replaces the stored one (JSON would merge
		// it into the old map entry by entry).
		if _, ok := present["rate_limits"]; ok {
			policy.RateLimits = nil
		}
		if _, ok := present["guardrails"]; ok {
			policy.Guardrails = nil // replaced whole, like a map
		}
		if _, ok := present["monitoring"]; ok {
			policy.Monitoring = nil // replaced whole, like a map
		}
		if _, ok := present["claims"]; ok {
			policy.Claims = nil // replaced whole, like a map
		}
		if _, ok := present["ai"]; ok {
			policy.AI = nil // replaced whole, like a map
		}
		if _, ok := present["privacy"]; ok {
			policy.Privacy = nil // replaced whole, like a map
		}
		_, until := present["ip_deny_until"]
		if until {
			policy.IPDenyUntil = nil
		}
		_, deny := present["ip_deny"]
		pruneUntil = deny && !until
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&policy); err != nil {
		return policy, rampart.FieldError(rampart.EInvalid, "settings", "settings must be an object of known settings of the right types")
	}
	if pruneUntil {
		// Temporary blocks follow their entries: one removed from ip_deny
		// loses its end, and added again it is permanent.
		for d := range policy.IPDenyUntil {
			if !slices.Contains(policy.IPDeny, d) {
				delete(policy.IPDenyUntil, d)
			}
		}
	}
	if policy.WithDefaults().RolePreset != stored.WithDefaults().RolePreset {
		return policy, rampart.FieldError(rampart.EUnprocessable, "settings.role_preset", "the role preset is chosen at creation and cannot change")
	}
	if err := policy.Validate("settings"); err != nil {
		return policy, err
	}
	return policy, nil
}

// settingNames are the JSON names of the tenant settings, exactly.
var settingNames = func() map[string]bool {
	out := map[string]bool{}
	t := reflect.TypeOf(identity.TenantPolicy{})
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			out[name] = true
		}
	}
	return out
}()
