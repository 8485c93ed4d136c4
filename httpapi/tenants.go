package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/tenancy"
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
		t, u, err := s.tenancy.CreateTenant(r.Context(), identity.NewTenant{
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
		list, err := s.tenancy.ListTenants(r.Context(), r.URL.Query().Get("after"), limit)
		if err != nil {
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
		t, err := s.tenancy.Tenant(r.Context(), r.PathValue("id"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toTenantJSON(t))
	})
}

// handleSetTenantStatus disables or enables a tenant.
func (s *Server) handleSetTenantStatus(status string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := s.tenancy.SetTenantStatus(r.Context(), r.PathValue("id"), status, s.actor(r, ""))
		if err != nil {
			writeError(w, r, s.log, err)
			return
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
// the two in step). tenancy.Service merges the document into the stored policy,
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
	IPDenyUntil        map[string]string                  `json:"ip_deny_until" validate:"max=256,dive,keys,max=64,endkeys,max=64,rfc3339"`
	RateLimits         map[string]rateLimitSettingRequest `json:"rate_limits" validate:"max=50,dive,keys,max=40,operation,endkeys"`
	PIIRegions         []string                           `json:"pii_regions" validate:"max=10,dive,max=2"`
	Guardrails         *guardrailsRequest                 `json:"guardrails"`
	LinkTTLMinutes     int                                `json:"link_ttl_minutes" validate:"min=0,max=10080"`
	CodeTTLMinutes     int                                `json:"code_ttl_minutes" validate:"min=0,max=60"`
	ForbidSMS          bool                               `json:"forbid_sms"`
	SMSRegions         []string                           `json:"sms_regions" validate:"max=10,dive,max=2"`
	Monitoring         *monitoringRequest                 `json:"monitoring"`
	Claims             *claimSettingsRequest              `json:"claims"`
	TermsVersion       string                             `json:"terms_version" validate:"omitempty,max=64"`
	TermsRequired      bool                               `json:"terms_required"`
	PasswordMaxAgeDays int                                `json:"password_max_age_days" validate:"min=0,max=3650"`
	AI                 *aiSettingsRequest                 `json:"ai"`
	Privacy            *privacySettingsRequest            `json:"privacy"`
}

// privacySettingsRequest is the tenant's privacy data (identity.PrivacySettings).
type privacySettingsRequest struct {
	Purposes []string `json:"purposes" validate:"max=100,dive,max=64"`
}

// aiSettingsRequest is the tenant's AI gateway limits (identity.AISettings).
type aiSettingsRequest struct {
	MaxMessages int `json:"max_messages" validate:"min=0,max=4096"`
}

// claimSettingsRequest is the tenant's claims (identity.ClaimSettings); the
// domain checks the names (never a registered claim) and the values.
type claimSettingsRequest struct {
	FeatureFlags    []string       `json:"feature_flags" validate:"max=50,dive,max=64"`
	DataResidency   string         `json:"data_residency" validate:"omitempty,max=16"`
	ComplianceLevel string         `json:"compliance_level" validate:"omitempty,max=32"`
	DailyQuota      int64          `json:"daily_quota" validate:"min=0,max=1000000000000"`
	CustomNames     []string       `json:"custom_names" validate:"max=20,dive,max=40"`
	CustomClaims    map[string]any `json:"custom_claims" validate:"max=20"`
}

// monitoringRequest is the tenant's monitoring policy (monitor.Policy); the
// domain checks rule names, each rule's threshold range and the actions.
type monitoringRequest struct {
	Rules            map[string]ruleOverrideRequest `json:"rules" validate:"max=64,dive,keys,max=64,endkeys"`
	SecurityContacts []string                       `json:"security_contacts" validate:"max=20,dive,max=254"`
	NotifySeverity   string                         `json:"notify_severity" validate:"omitempty,oneof=info low medium high critical"`
}

type ruleOverrideRequest struct {
	Disabled      bool     `json:"disabled"`
	Threshold     int      `json:"threshold" validate:"min=0,max=1000000"`
	WindowSeconds int      `json:"window_seconds" validate:"min=0,max=7776000"`
	Severity      string   `json:"severity" validate:"omitempty,max=16"`
	Remediate     []string `json:"remediate" validate:"max=6,dive,max=32"`
}

// guardrailsRequest is the tenant's guardrail policy (guard.Policy); the
// domain checks scanner and source names and the thresholds' order.
type guardrailsRequest struct {
	Thresholds      map[string]map[string]guardThresholdRequest `json:"thresholds" validate:"max=6,dive,keys,max=16,endkeys,max=5,dive,keys,max=16,endkeys"`
	Disabled        []string                                    `json:"disabled" validate:"max=6,dive,max=16"`
	Allow           []string                                    `json:"allow" validate:"max=200,dive,max=200"`
	CrisisResources map[string][]crisisResourceRequest          `json:"crisis_resources" validate:"max=50,dive,keys,max=35,endkeys,max=20,dive"`
	NoEscalation    bool                                        `json:"no_escalation"`
	MaxTextBytes    int                                         `json:"max_text_bytes" validate:"min=0,max=16777216"`
}

type guardThresholdRequest struct {
	Flag  float64 `json:"flag" validate:"min=0,max=1"`
	Block float64 `json:"block" validate:"min=0,max=1"`
}

type crisisResourceRequest struct {
	Name    string `json:"name" validate:"max=200"`
	Contact string `json:"contact" validate:"max=200"`
	URL     string `json:"url" validate:"max=500"`
	Locale  string `json:"locale" validate:"max=35"`
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
		if err := checkSettings(req.Settings); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		t, err := s.tenancy.UpdateTenant(r.Context(), r.PathValue("id"), tenancy.Update{Name: req.Name, Settings: req.Settings}, s.actor(r, ""))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toTenantJSON(t))
	})
}

// checkSettings checks a settings document (nil: none) against the limits
// of tenantSettingsRequest; tenancy merges it into the stored policy, which
// the domain then validates whole.
func checkSettings(settings json.RawMessage) error {
	if settings == nil {
		return nil
	}
	var limits tenantSettingsRequest
	if err := strictUnmarshal(settings, &limits); err != nil {
		return err
	}
	return validateRequest("settings", &limits)
}

// handleOwnTenant shows the caller's tenant and its settings.
func (s *Server) handleOwnTenant() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t, err := s.tenancy.OwnTenant(r.Context(), principal(r))
		if err != nil {
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
		var settings json.RawMessage
		if err := decode(r, &settings); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := checkSettings(settings); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		t, err := s.tenancy.UpdateOwnSettings(r.Context(), principal(r), settings, s.actor(r, ""))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toTenantJSON(t))
	})
}
