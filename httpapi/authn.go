package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/auth"
)

type principalKey struct{}

// principal returns the authenticated caller; routes behind authenticated
// always have one.
func principal(r *http.Request) *auth.Principal {
	p, _ := r.Context().Value(principalKey{}).(*auth.Principal)
	return p
}

// meta describes the client of r for the auth service.
func (s *Server) meta(r *http.Request) auth.Meta {
	return auth.Meta{IP: s.clientIP(r), UserAgent: truncate(r.UserAgent(), 512), AcceptLanguage: truncate(r.Header.Get("Accept-Language"), 256)}
}

// authenticated admits requests with a valid access token whose session is
// still active, and puts the caller in the request context. Restricted
// (enrolment-only) sessions are refused.
func (s *Server) authenticated(next http.Handler) http.Handler {
	return s.authenticatedMaybeRestricted(false, next)
}

// enrolling admits restricted sessions too: the MFA enrolment routes.
func (s *Server) enrolling(next http.Handler) http.Handler {
	return s.authenticatedMaybeRestricted(true, next)
}

func (s *Server) authenticatedMaybeRestricted(allowRestricted bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, ok := bearer(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rampart"`)
			writeError(w, r, s.log, rampart.Errorf(rampart.EUnauthorized, "an access token is required"))
			return
		}
		p, err := s.auth.Authenticate(r.Context(), raw, s.meta(r))
		if err != nil {
			if rampart.ErrorCode(err) == rampart.EUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="rampart", error="invalid_token"`)
			}
			writeError(w, r, s.log, err)
			return
		}
		if p.Restricted && !allowRestricted {
			writeError(w, r, s.log, rampart.Errorf(rampart.EForbidden, "your tenant requires MFA for your role: enrol with POST /v1/me/mfa/totp first"))
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)))
	})
}

// permitted admits authenticated callers whose role or custom permissions
// grant permission; a denial is a 403 and a permission_denied event naming
// the permission asked for.
func (s *Server) permitted(permission string, next http.Handler) http.Handler {
	return s.authenticated(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.require(r, permission); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// require checks one permission for the request's caller, auditing a denial.
func (s *Server) require(r *http.Request, permission string) error {
	p := principal(r)
	cat, err := s.auth.Catalogue(r.Context(), p.TenantID)
	if err != nil {
		return err
	}
	if cat.Check(p.Subject(), permission, "").Allowed {
		return nil
	}
	s.auth.Audit(r.Context(), p.TenantID, &audit.Event{Type: audit.PermissionDenied, UserID: p.UserID, IP: s.clientIP(r),
		UserAgent: truncate(r.UserAgent(), 512), Resource: r.Pattern, Success: false, Details: map[string]any{"permission": permission}})
	return rampart.Errorf(rampart.EForbidden, "permission %s is required", permission)
}

// mayManageSessions reports whether the caller may end other users' sessions.
func (s *Server) mayManageSessions(r *http.Request) bool {
	p := principal(r)
	cat, err := s.auth.Catalogue(r.Context(), p.TenantID)
	return err == nil && cat.Check(p.Subject(), "users:write", "").Allowed
}

// bearerOrForm reads a token from a JSON or form body field named "token".
func tokenFromBody(r *http.Request) (string, error) {
	ct := r.Header.Get("Content-Type")
	if strings.HasPrefix(ct, "application/x-www-form-urlencoded") {
		if err := r.ParseForm(); err != nil {
			return "", rampart.Errorf(rampart.EInvalid, "request body is not a valid form")
		}
		return r.PostForm.Get("token"), nil
	}
	var req struct {
		Token         string `json:"token"`
		TokenTypeHint string `json:"token_type_hint"`
	}
	if err := decode(r, &req); err != nil {
		return "", err
	}
	return req.Token, nil
}
