package httpapi

import (
	"encoding/json"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// Page sizes of list endpoints.
const (
	defaultPageSize = 50
	maxPageSize     = 200
)

type tenantJSON struct {
	ID        string                `json:"id"`
	Slug      string                `json:"slug"`
	Name      string                `json:"name"`
	Status    string                `json:"status"`
	Settings  identity.TenantPolicy `json:"settings"`
	CreatedAt time.Time             `json:"created_at"`
	UpdatedAt time.Time             `json:"updated_at"`
}

func toTenantJSON(t *identity.Tenant) tenantJSON {
	return tenantJSON{ID: t.ID, Slug: t.Slug, Name: t.Name, Status: t.Status, Settings: t.Policy.WithDefaults(), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt}
}

// actor describes the caller of r for audit events.
func (s *Server) actor(r *http.Request, userID string) audit.Actor {
	return audit.Actor{UserID: userID, IP: s.clientIP(r), UserAgent: truncate(r.UserAgent(), 512)}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// createTenantRequest is the body of POST /v1/tenants.
type createTenantRequest struct {
	Slug       string             `json:"slug" validate:"required,max=63,slug"`
	Name       string             `json:"name" validate:"required,max=200"`
	Owner      tenantOwnerRequest `json:"owner"`
	RolePreset string             `json:"role_preset" validate:"omitempty,oneof=chatbot document_intelligence coaching"`
}

// tenantOwnerRequest is the first user of a new tenant.
type tenantOwnerRequest struct {
	Email    string `json:"email" validate:"required,max=254,mailbox"`
	Password string `json:"password" validate:"max=1024"` // the password policy says what else is wrong
}

func (s *Server) handleCreateTenant() http.Handler {
	type response struct {
		tenantJSON
		Owner struct {
			ID    string `json:"id"`
			Email string `json:"email"`
			Role  string `json:"role"`
		} `json:"owner"`
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req createTenantRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		t, u, err := s.accounts.CreateTenant(r.Context(), identity.NewTenant{
			Slug: req.Slug, Name: req.Name, OwnerEmail: req.Owner.Email, OwnerPassword: req.Owner.Password, RolePreset: req.RolePreset,
		}, s.actor(r, ""))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		var resp response
		resp.tenantJSON = toTenantJSON(t)
		resp.Owner.ID, resp.Owner.Email, resp.Owner.Role = u.ID, u.Email, string(u.Role)
		w.Header().Set("Location", "/v1/tenants/"+t.ID)
		encode(w, http.StatusCreated, resp)
	})
}

func (s *Server) handleListTenants() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limit, err := pageSize(r)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		after := r.URL.Query().Get("after")
		var list []*identity.Tenant
		if err := s.store.AsOperator(r.Context(), func(tx *store.Tx) (err error) {
			list, err = tx.ListTenants(r.Context(), after, limit)
			return err
		}); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := make([]tenantJSON, len(list))
		for i, t := range list {
			out[i] = toTenantJSON(t)
		}
		resp := map[string]any{"tenants": out}
		if len(list) == limit {
			resp["next_after"] = list[len(list)-1].Slug
		}
		encode(w, http.StatusOK, resp)
	})
}

// pageSize reads the limit query parameter.
func pageSize(r *http.Request) (int, error) {
	v := r.URL.Query().Get("limit")
	if v == "" {
		return defaultPageSize, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > maxPageSize {
		return 0, rampart.FieldError(rampart.EInvalid, "limit", "limit must be an integer from 1 to %d", maxPageSize)
	}
	return n, nil
}

func (s *Server) handleGetTenant() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var t *identity.Tenant
		if err := s.store.AsOperator(r.Context(), func(tx *store.Tx) (err error) {
			t, err = tx.Tenant(r.Context(), r.PathValue("id"))
			return err
		}); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toTenantJSON(t))
	})
}

// handleSetTenantStatus disables or enables a tenant and records a
// config_change event in the tenant's own log, in the same transaction.
func (s *Server) handleSetTenantStatus(status string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var t *identity.Tenant
		actor := s.actor(r, "")
		err := s.store.AsOperator(r.Context(), func(tx *store.Tx) error {
			before, err := tx.Tenant(r.Context(), r.PathValue("id"))
			if err != nil {
				return err
			}
			if t, err = tx.SetTenantStatus(r.Context(), before.ID, status); err != nil {
				return err
			}
			if before.Status == status {
				return nil
			}
			if err := tx.ScopeTo(r.Context(), t.ID); err != nil {
				return err
			}
			if status == identity.TenantDisabled {
				if _, err := tx.EndTenantSessions(r.Context(), identity.EndTenantDisabled, s.now()); err != nil {
					return err
				}
			}
			return tx.AppendAudit(r.Context(), &audit.Event{Type: audit.ConfigChange, IP: actor.IP, UserAgent: actor.UserAgent,
				Resource: "tenant:" + t.ID, Success: true, Details: map[string]any{"status": map[string]any{"from": before.Status, "to": status}, "actor": "operator"}})
		})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if status == identity.TenantDisabled {
			s.auth.RevokedTenant(r.Context(), t.ID)
		}
		encode(w, http.StatusOK, toTenantJSON(t))
	})
}

// updateTenantRequest is the body of PATCH /v1/tenants/{id}; settings is
// checked as a tenantSettingsRequest once decoded.
type updateTenantRequest struct {
	Name     *string         `json:"name" validate:"omitempty,max=200"`
	Settings json.RawMessage `json:"settings" validate:"max=65536"`
}

// tenantSettingsRequest declares the limits of a settings document: the
// JSON form of identity.TenantPolicy, whose fields it mirrors (a test keeps
// the two in step). updateTenant merges the document into the stored policy,
// which the domain then validates whole.
type tenantSettingsRequest struct {
	MaxSessionsPerUser int                                `json:"max_sessions_per_user" validate:"min=0,max=100"`
	IPChangePolicy     string                             `json:"ip_change_policy" validate:"omitempty,oneof=log revoke"`
	RateLimitTier      string                             `json:"rate_limit_tier" validate:"omitempty,oneof=basic standard premium enterprise"`
	MFARequiredRoles   []string                           `json:"mfa_required_roles" validate:"max=100,dive,max=63,role"`
	RolePreset         string                             `json:"role_preset" validate:"omitempty,oneof=chatbot document_intelligence coaching"`
	StepUpMinutes      int                                `json:"step_up_minutes" validate:"min=0,max=1440"`
	IPAllow            []string                           `json:"ip_allow" validate:"max=256,dive,max=64,ipprefix"`
	IPDeny             []string                           `json:"ip_deny" validate:"max=256,dive,max=64,ipprefix"`
	RateLimits         map[string]rateLimitSettingRequest `json:"rate_limits" validate:"max=50,dive,keys,max=40,operation,endkeys"`
}

// rateLimitSettingRequest is one of a tenant's own limits
// (identity.RateLimitSetting).
type rateLimitSettingRequest struct {
	Rate          int64  `json:"rate" validate:"min=1,max=1000000000"`
	PeriodSeconds int64  `json:"period_seconds" validate:"min=1,max=2678400"`
	Algorithm     string `json:"algorithm" validate:"omitempty,oneof=fixed_window sliding_window gcra"`
}

// handleUpdateTenant changes a tenant's name and security settings.
func (s *Server) handleUpdateTenant() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req updateTenantRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		t, err := s.updateTenant(r, r.PathValue("id"), req.Name, req.Settings, "")
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toTenantJSON(t))
	})
}

// updateTenant renames a tenant and merges settings into its policy (fields
// left out keep their values; the role preset never changes), audited as
// config_change by userID ("" for the operator), in one transaction.
func (s *Server) updateTenant(r *http.Request, tenantID string, name *string, settings json.RawMessage, userID string) (*identity.Tenant, error) {
	if name != nil {
		if err := identity.ValidateName("name", *name); err != nil {
			return nil, err
		}
	}
	if settings != nil {
		var limits tenantSettingsRequest
		if err := strictUnmarshal(settings, &limits); err != nil {
			return nil, err
		}
		if err := validateRequest("settings", &limits); err != nil {
			return nil, err
		}
	}
	var t *identity.Tenant
	actor := s.actor(r, userID)
	err := s.store.AsOperator(r.Context(), func(tx *store.Tx) (err error) {
		if t, err = tx.Tenant(r.Context(), tenantID); err != nil {
			return err
		}
		details := map[string]any{}
		if userID == "" {
			details["actor"] = "operator"
		}
		if name != nil && *name != t.Name {
			if t, err = tx.RenameTenant(r.Context(), t.ID, *name); err != nil {
				return err
			}
			details["name"] = *name
		}
		if settings != nil {
			policy := t.Policy
			// A map in the settings replaces the stored one (JSON would
			// merge it into the old map entry by entry).
			var present map[string]json.RawMessage
			if json.Unmarshal(settings, &present) == nil {
				// encoding/json matches names in any case; settings take
				// their exact names only, so that checks on a name (the
				// tier, above) cannot be sidestepped by its capitals.
				for k := range present {
					if !settingNames[k] {
						return rampart.FieldError(rampart.EUnprocessable, "settings."+k, "unknown setting %q", k)
					}
				}
				if _, ok := present["rate_limits"]; ok {
					policy.RateLimits = nil
				}
			}
			if err := strictUnmarshal(settings, &policy); err != nil {
				return err
			}
			if policy.WithDefaults().RolePreset != t.Policy.WithDefaults().RolePreset {
				return rampart.FieldError(rampart.EUnprocessable, "settings.role_preset", "the role preset is chosen at creation and cannot change")
			}
			if err := policy.Validate("settings"); err != nil {
				return err
			}
			if t, err = tx.SetTenantPolicy(r.Context(), t.ID, policy); err != nil {
				return err
			}
			details["settings"] = policy
		}
		if err := tx.ScopeTo(r.Context(), t.ID); err != nil {
			return err
		}
		return tx.AppendAudit(r.Context(), &audit.Event{Type: audit.ConfigChange, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "tenant:" + t.ID, Success: true, Details: details})
	})
	if err != nil {
		return nil, err
	}
	s.auth.RevokedTenant(r.Context(), t.ID) // cached sessions pick up the new policy
	s.auth.CatalogueChanged(r.Context(), t.ID)
	return t, nil
}

// handleOwnTenant shows the caller's tenant and its settings.
func (s *Server) handleOwnTenant() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		var t *identity.Tenant
		if err := s.store.ReadTenant(r.Context(), p.TenantID, func(tx *store.Tx) (err error) {
			t, err = tx.Tenant(r.Context(), p.TenantID)
			return err
		}); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toTenantJSON(t))
	})
}

// handleOwnTenantSettings lets a tenant's security administrators change its
// settings (admin:security, with a recent second factor when step-up is on).
func (s *Server) handleOwnTenantSettings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		if err := p.RequireRecentMFA(s.now()); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		var settings json.RawMessage
		if err := decode(r, &settings); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		// The tier is what the platform sells: only the operator sets it.
		var fields map[string]json.RawMessage
		if json.Unmarshal(settings, &fields) == nil {
			if _, ok := fields["rate_limit_tier"]; ok {
				writeError(w, r, s.log, rampart.FieldError(rampart.EForbidden, "rate_limit_tier", "the rate-limit tier is set by the operator"))
				return
			}
		}
		t, err := s.updateTenant(r, p.TenantID, nil, settings, p.UserID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toTenantJSON(t))
	})
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
