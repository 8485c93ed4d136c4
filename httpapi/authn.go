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
	return auth.Meta{IP: s.clientIP(r), UserAgent: truncate(r.UserAgent(), 512), AcceptLanguage: truncate(r.Header.Get("Accept-Language"), 256),
		Route: r.Pattern}
}

// authenticated admits requests with a valid access token whose session is
// still active, and puts the caller in the request context. Restricted
// (enrolment-only) sessions and API keys are refused: these are the routes
// of a person's own session.
func (s *Server) authenticated(next http.Handler) http.Handler {
	return s.authenticate(false, false, false, next)
}

// enrolling admits restricted sessions too: the MFA enrolment routes.
func (s *Server) enrolling(next http.Handler) http.Handler {
	return s.authenticate(true, false, false, next)
}

// ownAccount admits every session of a person, however held back:
// restricted, or due to change its password or accept its tenant's terms.
// These are the routes that let it do so (and see itself, and log out).
func (s *Server) ownAccount(next http.Handler) http.Handler {
	return s.authenticate(true, false, true, next)
}

// callers admits sessions and API keys: routes decided by permissions.
func (s *Server) callers(next http.Handler) http.Handler {
	return s.authenticate(false, true, false, next)
}

// credential reads "Authorization: Bearer <token>" or "ApiKey <key>"; API
// keys are recognised by their prefix under either scheme.
func credential(r *http.Request) (token string, apiKey bool, ok bool) {
	scheme, value, found := strings.Cut(r.Header.Get("Authorization"), " ")
	value = strings.TrimSpace(value)
	if !found || value == "" {
		return "", false, false
	}
	switch {
	case strings.EqualFold(scheme, "ApiKey"):
		return value, true, true
	case strings.EqualFold(scheme, "Bearer"):
		return value, identity.IsAPIKey(value), true
	}
	return "", false, false
}

func (s *Server) authenticate(allowRestricted, allowAPIKeys, allowGated bool, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, apiKey, ok := credential(r)
		if !ok {
			w.Header().Set("WWW-Authenticate", `Bearer realm="rampart"`)
			writeError(w, r, s.log, rampart.Errorf(rampart.EUnauthorized, "an access token is required"))
			return
		}
		var p *auth.Principal
		var err error
		if apiKey {
			p, err = s.auth.AuthenticateAPIKey(r.Context(), raw, s.meta(r))
		} else {
			p, err = s.auth.Authenticate(r.Context(), raw, s.meta(r))
		}
		if err != nil {
			if rampart.ErrorCode(err) == rampart.EUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="rampart", error="invalid_token"`)
			}
			writeError(w, r, s.log, err)
			return
		}
		switch {
		case p.APIKeyID != "" && !allowAPIKeys:
			writeError(w, r, s.log, rampart.Errorf(rampart.EForbidden, "this endpoint is for a person's session, not an API key"))
			return
		case p.Gate != "" && !allowGated:
			writeError(w, r, s.log, p.GateError())
			return
		case p.Restricted && !allowRestricted:
			writeError(w, r, s.log, rampart.Errorf(rampart.EForbidden, "your tenant requires MFA for your role: enrol with POST /v1/me/mfa/totp first"))
			return
		}
		if !s.limitPrincipal(w, r.WithContext(context.WithValue(r.Context(), principalKey{}, p)), p) {
			return
		}
		denied := &denial{}
		ctx := context.WithValue(context.WithValue(r.Context(), principalKey{}, p), denialKey{}, denied)
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r.WithContext(ctx))
		if rec.status == http.StatusForbidden && !denied.audited {
			// Every refusal of an authenticated caller is audited, not only
			// those of the route's declared permission.
			s.auth.Audit(r.Context(), p.TenantID, &audit.Event{Type: audit.PermissionDenied, UserID: p.UserID, IP: s.clientIP(r),
				UserAgent: truncate(r.UserAgent(), 512), Resource: r.Pattern, Success: false,
				Details: map[string]any{"reason": denied.reason, "field": denied.field}})
		}
	})
}

// denial lets handlers say a 403 was already audited (an auth.DeniedError),
// or why.
type denial struct {
	audited       bool
	reason, field string
}

type denialKey struct{}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// operatorOrAPIKey admits the operator token or a tenant API key (for
// introspection by resource servers).
func (s *Server) operatorOrAPIKey(next http.Handler) http.Handler {
	keyed := s.callers(next)
	op := s.operatorOnly(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, apiKey, ok := credential(r); ok && apiKey {
			keyed.ServeHTTP(w, r)
			return
		}
		op.ServeHTTP(w, r)
	})
}

// permitted admits authenticated callers whose role or custom permissions
// grant permission; a denial is a 403 and a permission_denied event naming
// the permission asked for.
func (s *Server) permitted(permission string, next http.Handler) http.Handler {
	return s.callers(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.require(r, permission); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		next.ServeHTTP(w, r)
	}))
}

// require checks one permission for the request's caller; a denial is
// recorded by the auth service (see writeError).
func (s *Server) require(r *http.Request, permission string) error {
	return s.auth.Require(r.Context(), principal(r), permission, s.meta(r))
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
