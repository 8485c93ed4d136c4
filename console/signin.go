package console

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
)

// signInPage shows the tenant sign-in form and the operator's.
func (c *Console) signInPage(w http.ResponseWriter, r *http.Request) {
	if s := c.sessions.get(cookieValue(r)); s != nil && (s.operator || s.access != "") {
		http.Redirect(w, r, safeNext(r.URL.Query().Get("next")), http.StatusSeeOther)
		return
	}
	p := page{Title: "Sign in", Values: map[string]string{"next": r.URL.Query().Get("next"), "tenant": r.URL.Query().Get("tenant")}}
	switch {
	case r.URL.Query().Get("ended") != "":
		p.Flash = "Your console session has ended. Sign in again."
	case r.URL.Query().Get("signedout") != "":
		p.Flash = "You have signed out."
	}
	c.render(w, r, nil, http.StatusOK, "signin", p)
}

// signIn runs the tenant's login (or checks the operator token) and opens a
// console session; a user with a second factor is asked for it next.
func (c *Console) signIn(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil || !c.checkPreToken(r) {
		c.render(w, r, nil, http.StatusForbidden, "error", page{Title: "Forbidden",
			Error: "This sign-in form has expired or did not come from the console. Reload the sign-in page and try again."})
		return
	}
	next := safeNext(r.PostFormValue("next"))
	p := page{Title: "Sign in", Values: map[string]string{"next": r.PostFormValue("next"), "tenant": r.PostFormValue("tenant"), "email": r.PostFormValue("email")}}
	if r.PostFormValue("mode") == "operator" {
		token := r.PostFormValue("operator_token")
		sum := sha256.Sum256([]byte(token))
		if token == "" || subtle.ConstantTimeCompare(sum[:], c.d.OperatorTokenHash[:]) != 1 {
			p.Errors = map[string]string{"operator_token": "This is not the operator token."}
			c.render(w, r, nil, http.StatusUnauthorized, "signin", p)
			return
		}
		c.open(w, r, &session{operator: true}, "/console/operator/tenants")
		return
	}
	tenant, email, password := strings.TrimSpace(r.PostFormValue("tenant")), strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	for _, f := range [][2]string{{"tenant", tenant}, {"email", email}, {"password", password}} {
		if f[1] == "" {
			formError(&p, rampart.FieldError(rampart.EInvalid, f[0], "Enter your %s.", map[string]string{"tenant": "tenant", "email": "e-mail address", "password": "password"}[f[0]]))
		}
	}
	if len(tenant) > 100 || len(email) > 254 || len(password) > 1024 {
		p.Error = "A field is too long."
	}
	if p.Errors != nil || p.Error != "" {
		c.render(w, r, nil, http.StatusBadRequest, "signin", p)
		return
	}
	res, err := c.d.Auth.Login(r.Context(), auth.LoginRequest{Tenant: tenant, Email: email, Password: password, Meta: c.meta(r)})
	if err != nil {
		if statusOf(err) >= 500 {
			c.fail(w, r, nil, err)
			return
		}
		p.Error = rampart.ErrorMessage(err)
		c.render(w, r, nil, statusOf(err), "signin", p)
		return
	}
	if res.Challenge != nil {
		c.open(w, r, &session{tenant: tenant, email: email, mfaToken: res.Challenge.MFAToken, methods: res.Challenge.Methods},
			"/console/signin/mfa?next="+urlQuery(next))
		return
	}
	c.open(w, r, &session{tenant: tenant, email: email, access: res.Pair.AccessToken, refresh: res.Pair.RefreshToken}, next)
}

// open stores a new console session under a fresh cookie (never one the
// browser brought: no fixation) and redirects.
func (c *Console) open(w http.ResponseWriter, r *http.Request, s *session, next string) {
	if old := c.sessions.get(cookieValue(r)); old != nil {
		c.sessions.drop(old)
	}
	raw, err := c.sessions.create(s)
	if err != nil {
		c.fail(w, r, nil, err)
		return
	}
	setCookie(w, r, raw, 0)
	http.Redirect(w, r, next, http.StatusSeeOther)
}

// mfaPage asks for the second factor of a sign-in.
func (c *Console) mfaPage(w http.ResponseWriter, r *http.Request) {
	s := c.sessions.get(cookieValue(r))
	if s == nil || s.mfaToken == "" {
		c.toSignIn(w, r, s == nil && cookieValue(r) != "")
		return
	}
	c.render(w, r, &viewer{sess: s, c: c, ctx: r.Context(), checked: map[string]bool{}}, http.StatusOK, "mfa",
		page{Title: "Second factor", Values: map[string]string{"next": r.URL.Query().Get("next")}, Data: s.methods})
}

// completeMFA checks the second factor and turns the pending sign-in into a
// console session.
func (c *Console) completeMFA(w http.ResponseWriter, r *http.Request) {
	s := c.sessions.get(cookieValue(r))
	if s == nil || s.mfaToken == "" {
		c.toSignIn(w, r, true)
		return
	}
	v := &viewer{sess: s, c: c, ctx: r.Context(), checked: map[string]bool{}}
	if err := r.ParseForm(); err != nil || !checkCSRF(r, s) {
		c.render(w, r, v, http.StatusForbidden, "error", page{Title: "Forbidden",
			Error: "This form has expired or did not come from the console. Sign in again."})
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	f := factorOf(code)
	p := page{Title: "Second factor", Values: map[string]string{"next": r.PostFormValue("next")}, Data: s.methods}
	if code == "" || len(code) > 32 {
		p.Errors = map[string]string{"code": "Enter the code from your authenticator app, or a backup code."}
		c.render(w, r, v, http.StatusBadRequest, "mfa", p)
		return
	}
	pair, err := c.d.Auth.CompleteMFA(r.Context(), s.mfaToken, f, c.meta(r))
	if err != nil {
		if statusOf(err) >= 500 {
			c.fail(w, r, nil, err)
			return
		}
		p.Errors = map[string]string{"code": rampart.ErrorMessage(err)}
		c.render(w, r, v, statusOf(err), "mfa", p)
		return
	}
	c.open(w, r, &session{tenant: s.tenant, email: s.email, access: pair.AccessToken, refresh: pair.RefreshToken}, safeNext(r.PostFormValue("next")))
}

// signOut ends the Rampart session behind a tenant user's console session
// (auth.Logout) and forgets the console session.
func (c *Console) signOut(w http.ResponseWriter, r *http.Request) {
	s := c.sessions.get(cookieValue(r))
	if s == nil {
		c.toSignIn(w, r, false)
		return
	}
	if err := r.ParseForm(); err != nil || !checkCSRF(r, s) {
		c.render(w, r, nil, http.StatusForbidden, "error", page{Title: "Forbidden",
			Error: "This form has expired or did not come from the console. Go back, reload the page and try again."})
		return
	}
	if s.access != "" {
		meta := c.meta(r)
		if p, err := c.authenticate(r.Context(), s, meta); err == nil {
			if err := c.d.Auth.Logout(r.Context(), p, meta); err != nil {
				c.log.Warn("console: logout", "err", err)
			}
		}
	}
	c.sessions.drop(s)
	setCookie(w, r, "", -1)
	http.Redirect(w, r, "/console/signin?signedout=1", http.StatusSeeOther)
}
