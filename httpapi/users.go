package httpapi

import (
	"encoding/base64"
	"net/http"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/identity"
)

type userJSON struct {
	ID          string    `json:"id"`
	TenantID    string    `json:"tenant_id"`
	Email       string    `json:"email"`
	Role        string    `json:"role"`
	Permissions []string  `json:"permissions"`
	Status      string    `json:"status"`
	Disabled    bool      `json:"disabled"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
	// Attributes are the user's own claim values (their tokens add the
	// tenant's defaults); absent where the answer does not read them.
	Attributes *attributesJSON `json:"attributes,omitempty"`
}

// attributesJSON shows a user's claim attributes.
type attributesJSON struct {
	PasswordChangeRequired bool           `json:"password_change_required"`
	FeatureFlags           []string       `json:"feature_flags"`
	DataResidency          string         `json:"data_residency,omitempty"`
	ComplianceLevel        string         `json:"compliance_level,omitempty"`
	DailyQuota             int64          `json:"daily_quota,omitempty"`
	CustomClaims           map[string]any `json:"custom_claims,omitempty"`
	TermsVersion           string         `json:"terms_version,omitempty"`
	TermsAcceptedAt        *time.Time     `json:"terms_accepted_at,omitempty"`
}

func toUserJSON(u *identity.User) userJSON {
	perms := u.Permissions
	if perms == nil {
		perms = []string{}
	}
	a := u.Attributes
	attrs := &attributesJSON{PasswordChangeRequired: a.PasswordChangeRequired, FeatureFlags: a.FeatureFlags, DataResidency: a.DataResidency,
		ComplianceLevel: a.ComplianceLevel, DailyQuota: a.DailyQuota, CustomClaims: a.CustomClaims, TermsVersion: a.TermsVersion}
	if attrs.FeatureFlags == nil {
		attrs.FeatureFlags = []string{}
	}
	if !a.TermsAcceptedAt.IsZero() {
		attrs.TermsAcceptedAt = &a.TermsAcceptedAt
	}
	return userJSON{ID: u.ID, TenantID: u.TenantID, Email: u.Email, Role: string(u.Role), Permissions: perms, Status: u.Status,
		Disabled: u.Status == identity.UserDisabled, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, Attributes: attrs}
}

// handleMe answers from the authenticated session's state (refreshed from
// the database at most every few seconds, and at once after a change).
func (s *Server) handleMe() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		u := &identity.User{ID: p.UserID, TenantID: p.TenantID, Email: p.Email, Role: p.Role, Permissions: p.Permissions,
			Status: identity.UserActive, CreatedAt: p.UserCreatedAt, UpdatedAt: p.UserUpdatedAt}
		uj := toUserJSON(u)
		uj.Attributes = nil // not in the session's cached state
		verified, err := s.auth.EmailVerified(r.Context(), p.TenantID, p.UserID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{
			"user": uj, "id": uj.ID, "tenant_id": uj.TenantID, "email": uj.Email, "role": uj.Role, "email_verified": verified,
			"permissions": uj.Permissions, "session_id": p.SessionID, "amr": p.Claims.AMR, "mfa_verified": p.Claims.MFAVerified,
			// What the session must do before other routes answer.
			"password_change_required": p.Gate == identity.GatePasswordChange, "terms_required": p.Gate == identity.GateTerms,
		})
	})
}

// changePasswordRequest is the body of POST /v1/me/password. An empty
// current_password stays a 400 (checked by the handler); the password policy
// says what else is wrong with the new one.
type changePasswordRequest struct {
	CurrentPassword string `json:"current_password" validate:"max=1024"`
	NewPassword     string `json:"new_password" validate:"max=1024"`
}

func (s *Server) handleChangePassword() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req changePasswordRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := required([2]string{"current_password", req.CurrentPassword}); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := s.auth.ChangePassword(r.Context(), principal(r), req.CurrentPassword, req.NewPassword, s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// createUserRequest is the body of POST /v1/users; an empty role is the
// tenant's member role.
type createUserRequest struct {
	Email       string   `json:"email" validate:"required,max=254,mailbox"`
	Password    string   `json:"password" validate:"max=1024"`
	Role        string   `json:"role" validate:"omitempty,max=63,role"`
	Permissions []string `json:"permissions" validate:"max=200,dive,max=200,grant"`
}

func (s *Server) handleCreateUser() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req createUserRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		u, err := s.auth.CreateUser(r.Context(), principal(r), auth.NewUser{Email: req.Email, Password: req.Password, Role: identity.Role(req.Role), Permissions: req.Permissions}, s.meta(r))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.Header().Set("Location", "/v1/users/"+u.ID)
		encode(w, http.StatusCreated, toUserJSON(u))
	})
}

func (s *Server) handleListUsers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		limit, err := pageSize(r)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		after := ""
		if c := r.URL.Query().Get("cursor"); c != "" {
			b, err := base64.RawURLEncoding.DecodeString(c)
			if err != nil {
				writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "cursor", "cursor is not valid"))
				return
			}
			after = string(b)
		}
		list, err := s.auth.Users(r.Context(), p.TenantID, after, limit)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := make([]userJSON, len(list))
		for i, u := range list {
			out[i] = toUserJSON(u)
		}
		resp := map[string]any{"users": out}
		if len(list) == limit {
			resp["next_cursor"] = base64.RawURLEncoding.EncodeToString([]byte(list[len(list)-1].EmailKey))
		}
		encode(w, http.StatusOK, resp)
	})
}

func (s *Server) handleGetUser() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, err := s.auth.User(r.Context(), principal(r).TenantID, r.PathValue("id"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toUserJSON(u))
	})
}

// updateUserRequest is the body of PATCH /v1/users/{id}: fields left out
// keep their values.
type updateUserRequest struct {
	Role        *string   `json:"role" validate:"omitempty,max=63,role"`
	Permissions *[]string `json:"permissions" validate:"omitempty,max=200,dive,max=200,grant"`
	Disabled    *bool     `json:"disabled"`
	// Claims (identity.Attributes); the domain checks the values and that
	// custom claims are of the names the tenant allows.
	PasswordChangeRequired *bool           `json:"password_change_required"`
	FeatureFlags           *[]string       `json:"feature_flags" validate:"omitempty,max=50,dive,max=64"`
	DataResidency          *string         `json:"data_residency" validate:"omitempty,max=16"`
	ComplianceLevel        *string         `json:"compliance_level" validate:"omitempty,max=32"`
	DailyQuota             *int64          `json:"daily_quota" validate:"omitempty,min=0,max=1000000000000"`
	CustomClaims           *map[string]any `json:"custom_claims" validate:"omitempty,max=20"`
}

func (s *Server) handleUpdateUser() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req updateUserRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		ch := auth.UserChange{Permissions: req.Permissions, Disabled: req.Disabled, Claims: auth.ClaimChange{
			PasswordChangeRequired: req.PasswordChangeRequired, FeatureFlags: req.FeatureFlags, DataResidency: req.DataResidency,
			ComplianceLevel: req.ComplianceLevel, DailyQuota: req.DailyQuota, CustomClaims: req.CustomClaims}}
		if req.Role != nil {
			role := identity.Role(*req.Role)
			ch.Role = &role
		}
		u, err := s.auth.UpdateUser(r.Context(), principal(r), r.PathValue("id"), ch, s.meta(r))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toUserJSON(u))
	})
}

// acceptTermsRequest is the body of POST /v1/me/terms.
type acceptTermsRequest struct {
	Version string `json:"version" validate:"required,max=64"`
}

func (s *Server) handleAcceptTerms() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req acceptTermsRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		a, err := s.auth.AcceptTerms(r.Context(), principal(r), req.Version, s.meta(r))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"terms_version": a.Version, "accepted_at": a.AcceptedAt})
	})
}

func (s *Server) handleDeleteUser() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.auth.DeleteUser(r.Context(), principal(r), r.PathValue("id"), s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

type sessionJSON struct {
	ID           string    `json:"id"`
	UserID       string    `json:"user_id"`
	CreatedAt    time.Time `json:"created_at"`
	LastActivity time.Time `json:"last_activity"`
	ExpiresAt    time.Time `json:"expires_at"`
	IP           string    `json:"ip_address"`
	UserAgent    string    `json:"user_agent"`
	Fingerprint  string    `json:"device_fingerprint"`
	Active       bool      `json:"active"`
	Current      bool      `json:"current"`
}

func (s *Server) handleListSessions() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		list, err := s.auth.Sessions(r.Context(), p.TenantID, p.UserID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := make([]sessionJSON, len(list))
		for i, x := range list {
			out[i] = sessionJSON{ID: x.ID, UserID: x.UserID, CreatedAt: x.CreatedAt, LastActivity: x.LastActivity, ExpiresAt: x.ExpiresAt,
				IP: x.IP, UserAgent: x.UserAgent, Fingerprint: x.Fingerprint, Active: x.Active, Current: x.ID == p.SessionID}
		}
		encode(w, http.StatusOK, map[string]any{"sessions": out})
	})
}

func (s *Server) handleDeleteSession() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		if err := s.auth.RevokeSession(r.Context(), p, r.PathValue("id"), s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

func (s *Server) handleRevokeUserSessions() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		n, err := s.auth.RevokeUserSessions(r.Context(), p, r.PathValue("id"), s.meta(r))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"revoked": n})
	})
}
