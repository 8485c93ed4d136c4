package console

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
)

// viewer is who is looking at a page: a tenant user with their principal
// (authenticated again on this request), or the operator.
type viewer struct {
	sess      *session
	principal *auth.Principal // nil for the operator
	ctx       context.Context
	c         *Console
	meta      auth.Meta
	checked   map[string]bool
}

func (v *viewer) name() string {
	if v.principal == nil {
		return "Operator"
	}
	return v.principal.Email + " (" + v.sess.tenant + ")"
}

func (v *viewer) area() string {
	if v.principal == nil {
		return "operator"
	}
	return "tenant"
}

// may reports whether the viewer holds permission, to decide what a page
// shows (the action itself is checked again by the service). It records no
// denial: not showing a button is not a refusal.
func (v *viewer) may(permission string) bool {
	if v.principal == nil {
		return false
	}
	if ok, seen := v.checked[permission]; seen {
		return ok
	}
	a, err := v.c.d.Auth.Check(v.ctx, v.principal, auth.Question{Permission: permission})
	ok := err == nil && a.Allowed
	v.checked[permission] = ok
	return ok
}

// handlerFunc is a console page or action.
type handlerFunc func(w http.ResponseWriter, r *http.Request, v *viewer)

// tenant guards a tenant user's page: a live console session (else the
// sign-in page, saying why), its access token authenticated again (and
// refreshed once when expired), the CSRF token of a POST, a step-up code
// when the form carries one, and permission (auth.Require: a denial is
// audited and answered with a 403 page). permission "" admits any user.
func (c *Console) tenant(permission string, h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := c.sessions.get(cookieValue(r))
		if s != nil && s.operator {
			c.render(w, r, &viewer{sess: s, ctx: r.Context(), c: c, checked: map[string]bool{}}, http.StatusForbidden, "error",
				page{Title: "Forbidden", Error: "This page is a tenant's. Sign out and sign in to the tenant."})
			return
		}
		if s == nil || s.access == "" {
			c.toSignIn(w, r, s == nil && cookieValue(r) != "")
			return
		}
		v := &viewer{sess: s, ctx: r.Context(), c: c, meta: c.meta(r), checked: map[string]bool{}}
		p, err := c.authenticate(r.Context(), s, v.meta)
		if err != nil {
			if rampart.ErrorCode(err) == rampart.EUnauthorized {
				c.sessions.drop(s)
				c.toSignIn(w, r, true)
				return
			}
			c.fail(w, r, nil, err)
			return
		}
		v.principal = p
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil || !checkCSRF(r, s) {
				c.render(w, r, v, http.StatusForbidden, "error", page{Title: "Forbidden",
					Error: "This form has expired or did not come from the console. Go back, reload the page and try again."})
				return
			}
		}
		switch {
		case p.Restricted:
			c.render(w, r, v, http.StatusForbidden, "error", page{Title: "Forbidden",
				Error: "Your tenant requires a second factor for your role: enrol one in your application, then sign in again."})
			return
		case p.Gate != "":
			c.render(w, r, v, http.StatusForbidden, "error", page{Title: "Forbidden", Error: rampart.ErrorMessage(p.GateError())})
			return
		}
		if permission != "" {
			if err := c.d.Auth.Require(r.Context(), p, permission, v.meta); err != nil {
				c.fail(w, r, v, err)
				return
			}
		}
		if r.Method == http.MethodPost && strings.TrimSpace(r.PostFormValue("stepup_code")) != "" {
			if err := c.stepUp(r.Context(), s, v, r.PostFormValue("stepup_code")); err != nil {
				r = withStepUpError(r, err)
			}
		}
		h(w, r, v)
	})
}

// stepUp checks a second factor for the viewer's session (auth.StepUp) and
// keeps the new access token.
func (c *Console) stepUp(ctx context.Context, s *session, v *viewer, code string) error {
	pair, err := c.d.Auth.StepUp(ctx, v.principal, factorOf(code), v.meta)
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.access = pair.AccessToken
	s.mu.Unlock()
	p, err := c.d.Auth.Authenticate(ctx, pair.AccessToken, v.meta)
	if err != nil {
		return err
	}
	v.principal = p
	return nil
}

type stepUpErrKey struct{}

func withStepUpError(r *http.Request, err error) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), stepUpErrKey{}, err))
}

// stepUpError is the error of the step-up code a form carried, if any.
func stepUpError(r *http.Request) error {
	err, _ := r.Context().Value(stepUpErrKey{}).(error)
	return err
}

// authenticate checks the session's access token, refreshing it once (under
// the session's lock) when it no longer verifies; a refused refresh means
// the Rampart session has ended.
func (c *Console) authenticate(ctx context.Context, s *session, meta auth.Meta) (*auth.Principal, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, err := c.d.Auth.Authenticate(ctx, s.access, meta)
	if err == nil || rampart.ErrorCode(err) != rampart.EUnauthorized || s.refresh == "" {
		return p, err
	}
	pair, err := c.d.Auth.Refresh(ctx, s.refresh, meta)
	if err != nil {
		return nil, err
	}
	s.access, s.refresh = pair.AccessToken, pair.RefreshToken
	return c.d.Auth.Authenticate(ctx, s.access, meta)
}

// operatorOnly guards an operator page: an operator console session and
// the CSRF token of a POST.
func (c *Console) operatorOnly(h handlerFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s := c.sessions.get(cookieValue(r))
		if s == nil || !s.operator {
			if s != nil && s.access != "" {
				v := &viewer{sess: s, ctx: r.Context(), c: c, meta: c.meta(r), checked: map[string]bool{}}
				if p, err := c.authenticate(r.Context(), s, v.meta); err == nil {
					v.principal = p
					c.render(w, r, v, http.StatusForbidden, "error",
						page{Title: "Forbidden", Error: "This page is the operator's. Sign out and sign in with the operator token."})
					return
				}
				c.sessions.drop(s)
			}
			c.toSignIn(w, r, cookieValue(r) != "")
			return
		}
		v := &viewer{sess: s, ctx: r.Context(), c: c, meta: c.meta(r), checked: map[string]bool{}}
		if r.Method == http.MethodPost {
			if err := r.ParseForm(); err != nil || !checkCSRF(r, s) {
				c.render(w, r, v, http.StatusForbidden, "error", page{Title: "Forbidden",
					Error: "This form has expired or did not come from the console. Go back, reload the page and try again."})
				return
			}
		}
		h(w, r, v)
	})
}

// toSignIn sends the browser to the sign-in page; ended says its session
// has ended (the page says so).
func (c *Console) toSignIn(w http.ResponseWriter, r *http.Request, ended bool) {
	u := "/console/signin"
	if ended {
		u += "?ended=1"
	}
	if r.Method == http.MethodGet {
		if ended {
			u += "&next=" + url.QueryEscape(r.URL.RequestURI())
		} else {
			u += "?next=" + url.QueryEscape(r.URL.RequestURI())
		}
	}
	http.Redirect(w, r, u, http.StatusSeeOther)
}

func (c *Console) meta(r *http.Request) auth.Meta {
	if c.d.Meta != nil {
		m := c.d.Meta(r)
		m.Route = "console " + r.Pattern
		return m
	}
	return auth.Meta{UserAgent: r.UserAgent(), Route: "console " + r.Pattern}
}

// safeNext keeps a post-sign-in destination inside the console.
func safeNext(next string) string {
	if strings.HasPrefix(next, "/console/") && !strings.HasPrefix(next, "//") && !strings.Contains(next, "\\") {
		return next
	}
	return "/console/"
}

// factorOf reads a code typed into a form: digits are an authenticator
// app's code, anything else a backup code (XXXX-XXXX).
func factorOf(code string) auth.Factor {
	code = strings.TrimSpace(code)
	if strings.Trim(code, "0123456789 ") == "" {
		return auth.Factor{Code: strings.ReplaceAll(code, " ", "")}
	}
	return auth.Factor{BackupCode: code}
}
