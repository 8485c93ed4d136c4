package httpapi

import (
	"context"
	"net/http"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/identity"
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

// permitted admits authenticated callers holding permission. Until the
// authorization engine lands, the tenant's owner and admins hold every
// permission of Rampart's own API and other roles none.
func (s *Server) permitted(permission string, next http.Handler) http.Handler {
	return s.authenticated(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		if p.Role == identity.RoleOwner || p.Role == identity.RoleAdmin {
			next.ServeHTTP(w, r)
			return
		}
		s.auth.Audit(r.Context(), p.TenantID, &audit.Event{Type: audit.PermissionDenied, UserID: p.UserID, IP: s.clientIP(r),
			UserAgent: truncate(r.UserAgent(), 512), Resource: r.Pattern, Success: false, Details: map[string]any{"permission": permission}})
		writeError(w, r, s.log, rampart.Errorf(rampart.EForbidden, "permission %s is required", permission))
	}))
}

// isAdmin reports whether the caller administers their tenant.
func isAdmin(p *auth.Principal) bool {
	return p.Role == identity.RoleOwner || p.Role == identity.RoleAdmin
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
