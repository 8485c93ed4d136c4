package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/identity"
)

// maxAPIKeyName bounds a key's display name.
const maxAPIKeyName = 100

type apiKeyJSON struct {
	ID            string     `json:"id"`
	Name          string     `json:"name"`
	Prefix        string     `json:"prefix"`
	Role          string     `json:"role,omitempty"`
	Permissions   []string   `json:"permissions"`
	RateLimitTier string     `json:"rate_limit_tier,omitempty"`
	CreatedBy     string     `json:"created_by"`
	CreatedAt     time.Time  `json:"created_at"`
	ExpiresAt     *time.Time `json:"expires_at"`
	LastUsedAt    *time.Time `json:"last_used_at"`
}

func optTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

func toAPIKeyJSON(k *identity.APIKey) apiKeyJSON {
	perms := k.Permissions
	if perms == nil {
		perms = []string{}
	}
	return apiKeyJSON{ID: k.ID, Name: k.Name, Prefix: "rmp_…" + k.ID, Role: k.Role, Permissions: perms, RateLimitTier: k.RateLimitTier,
		CreatedBy: k.CreatedBy, CreatedAt: k.CreatedAt, ExpiresAt: optTime(k.ExpiresAt), LastUsedAt: optTime(k.LastUsedAt)}
}

// createAPIKeyRequest is the body of POST /v1/api-keys: a role,
// permissions, or both; expires_at must also be in the future.
type createAPIKeyRequest struct {
	Name          string   `json:"name" validate:"required,max=100"` // maxAPIKeyName
	Role          string   `json:"role" validate:"omitempty,max=63,role"`
	Permissions   []string `json:"permissions" validate:"max=200,dive,max=200,grant"`
	ExpiresAt     *string  `json:"expires_at" validate:"omitempty,max=64,rfc3339"`
	RateLimitTier string   `json:"rate_limit_tier" validate:"omitempty,oneof=basic standard premium enterprise"`
}

func (s *Server) handleCreateAPIKey() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req createAPIKeyRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := identity.ValidateName("name", req.Name); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if len(req.Name) > maxAPIKeyName {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "name", "name must be at most %d bytes", maxAPIKeyName))
			return
		}
		if req.Role == "" && len(req.Permissions) == 0 {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "role", "give a role, permissions, or both"))
			return
		}
		if err := identity.ValidatePermissions("permissions", req.Permissions); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		var expires time.Time
		if req.ExpiresAt != nil {
			t, err := time.Parse(time.RFC3339Nano, *req.ExpiresAt)
			if err != nil || !t.After(s.now()) {
				writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "expires_at", "expires_at must be an RFC 3339 time in the future"))
				return
			}
			expires = t.UTC()
		}
		if req.RateLimitTier != "" {
			if err := (identity.TenantPolicy{RateLimitTier: req.RateLimitTier}).Validate(""); err != nil {
				writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "rate_limit_tier", "rate_limit_tier must be one of %s", strings.Join(identity.RateLimitTiers, ", ")))
				return
			}
		}
		p := principal(r)
		raw, k, err := s.auth.CreateAPIKey(r.Context(), p, auth.NewAPIKey{Name: req.Name, Role: req.Role, Permissions: req.Permissions,
			ExpiresAt: expires, RateLimitTier: req.RateLimitTier}, s.meta(r))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		// The key is shown this once, beside its metadata (also nested as
		// api_key, the shape GET /v1/api-keys lists).
		meta := toAPIKeyJSON(k)
		out := map[string]any{"key": raw, "api_key": meta, "id": meta.ID, "name": meta.Name, "prefix": meta.Prefix,
			"role": meta.Role, "permissions": meta.Permissions, "expires_at": meta.ExpiresAt, "rate_limit_tier": meta.RateLimitTier, "created_at": meta.CreatedAt}
		w.Header().Set("Location", "/v1/api-keys/"+k.ID)
		encode(w, http.StatusCreated, out)
	})
}

func (s *Server) handleListAPIKeys() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		keys, err := s.auth.APIKeys(r.Context(), principal(r).TenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := make([]apiKeyJSON, len(keys))
		for i, k := range keys {
			out[i] = toAPIKeyJSON(k)
		}
		encode(w, http.StatusOK, map[string]any{"api_keys": out})
	})
}

func (s *Server) handleRevokeAPIKey() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.auth.RevokeAPIKey(r.Context(), principal(r), r.PathValue("id"), s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}
