package httpapi

import (
	"net/http"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
)

type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	SessionID    string `json:"session_id"`
	MFAVerified  bool   `json:"mfa_verified"`
	Restricted   bool   `json:"restricted,omitempty"` // the token may only enrol in MFA
}

func toTokenResponse(p *auth.TokenPair) tokenResponse {
	restricted := len(p.Claims.Scopes) == 1 && p.Claims.Scopes[0] == "mfa:enroll"
	return tokenResponse{AccessToken: p.AccessToken, TokenType: "Bearer", ExpiresIn: p.ExpiresIn, RefreshToken: p.RefreshToken,
		SessionID: p.SessionID, MFAVerified: p.Claims.MFAVerified, Restricted: restricted}
}

// required names the first empty field.
func required(fields ...[2]string) error {
	for _, f := range fields {
		if strings.TrimSpace(f[1]) == "" {
			return rampart.FieldError(rampart.EInvalid, f[0], "%s is required", f[0])
		}
	}
	return nil
}

// loginRequest is the body of POST /v1/auth/login. Missing fields are a 400
// (checked by the handler); the bounds are the ones auth.Login applies, and
// nothing else is checked here, so that every wrong credential answers alike.
type loginRequest struct {
	Tenant   string `json:"tenant" validate:"max=100"` // a slug or a tenant id
	Email    string `json:"email" validate:"max=254"`
	Password string `json:"password" validate:"max=1024"`
	DeviceID string `json:"device_id" validate:"omitempty,max=128"` // optional: the device_id claim
}

func (s *Server) handleLogin() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req loginRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := required([2]string{"tenant", req.Tenant}, [2]string{"email", req.Email}, [2]string{"password", req.Password}); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		res, err := s.auth.Login(r.Context(), auth.LoginRequest{Tenant: req.Tenant, Email: req.Email, Password: req.Password, DeviceID: req.DeviceID, Meta: s.meta(r)})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if res.Challenge != nil {
			encode(w, http.StatusOK, map[string]any{"mfa_required": true, "mfa_token": res.Challenge.MFAToken, "methods": res.Challenge.Methods})
			return
		}
		encode(w, http.StatusOK, toTokenResponse(res.Pair))
	})
}

// refreshRequest is the body of POST /v1/auth/refresh. The bound is the
// token parser's (token.MaxTokenBytes): a malformed token of any shorter
// length is a 401 like any other token that does not verify.
type refreshRequest struct {
	RefreshToken string `json:"refresh_token" validate:"max=8192"`
}

func (s *Server) handleRefresh() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req refreshRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := required([2]string{"refresh_token", req.RefreshToken}); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		pair, err := s.auth.Refresh(r.Context(), req.RefreshToken, s.meta(r))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, toTokenResponse(pair))
	})
}

func (s *Server) handleLogout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.auth.Logout(r.Context(), principal(r), s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// handleIntrospect answers RFC 7662: inactive tokens, of whatever kind or
// shape, are just {"active": false}.
func (s *Server) handleIntrospect() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, err := tokenFromBody(r)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if raw == "" {
			writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "token", "token is required"))
			return
		}
		c, err := s.auth.Introspect(r.Context(), raw)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		// A tenant's API key learns nothing of other tenants' tokens.
		if p := principal(r); c != nil && p != nil && p.TenantID != c.TenantID {
			c = nil
		}
		if c == nil {
			encode(w, http.StatusOK, map[string]any{"active": false})
			return
		}
		encode(w, http.StatusOK, map[string]any{
			"active": true, "token_type": "Bearer", "scope": strings.Join(c.Scopes, " "),
			"sub": c.Subject, "aud": c.Audience, "iss": c.Issuer, "exp": c.Expiry, "iat": c.IssuedAt, "nbf": c.NotBefore, "jti": c.ID,
			"tenant_id": c.TenantID, "role": c.Role, "permissions": c.Permissions, "sid": c.SessionID, "amr": c.AMR,
			"mfa_verified": c.MFAVerified, "rate_limit_tier": c.RateLimitTier,
			"password_change_required": c.PasswordChangeRequired, "terms_accepted": c.TermsAccepted, "feature_flags": c.FeatureFlags,
			"data_residency": c.DataResidency, "compliance_level": c.ComplianceLevel, "daily_quota": c.DailyQuota,
			"device_id": c.DeviceID, "user_agent_hash": c.UserAgentHash,
		})
	})
}

func (s *Server) handleJWKS() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Header().Set("Cache-Control", "public, max-age=60")
		w.Write(s.auth.Keyring().JWKS())
	})
}

func (s *Server) handleOpenIDConfiguration() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		iss := s.auth.Settings().Issuer
		w.Header().Set("Cache-Control", "public, max-age=300")
		encode(w, http.StatusOK, map[string]any{
			"issuer":                                iss,
			"jwks_uri":                              iss + "/.well-known/jwks.json",
			"token_endpoint":                        iss + "/v1/auth/login",
			"introspection_endpoint":                iss + "/v1/auth/introspect",
			"grant_types_supported":                 []string{"password", "refresh_token"},
			"response_types_supported":              []string{"token"},
			"subject_types_supported":               []string{"public"},
			"id_token_signing_alg_values_supported": []string{s.auth.Settings().Alg},
			"token_endpoint_auth_methods_supported": []string{"none"},
			"claims_supported": []string{"iss", "sub", "aud", "iat", "nbf", "exp", "jti", "tenant_id", "role", "permissions", "scopes",
				"sid", "amr", "mfa_verified", "rate_limit_tier", "password_change_required", "terms_accepted", "feature_flags",
				"data_residency", "compliance_level", "daily_quota", "device_id", "user_agent_hash"},
		})
	})
}
