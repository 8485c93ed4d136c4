package console

import (
	"fmt"
	"net/http"
	"slices"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
)

// userData is a user's detail page.
type userData struct {
	User     *identity.User
	MFA      bool
	Sessions []*identity.Session
	APIKeys  []*identity.APIKey
	Roles    []string
	Self     bool
	MayWrite bool
	MayRoles bool
	MayKeys  bool
}

func (c *Console) userPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showUser(w, r, v, http.StatusOK, page{})
}

// showUser renders a user's page, with the errors of a form when p has them.
func (c *Console) showUser(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page) {
	ctx, tenantID, id := r.Context(), v.principal.TenantID, r.PathValue("id")
	u, err := c.d.Auth.User(ctx, tenantID, id)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := userData{User: u, Self: u.ID == v.principal.UserID, MayWrite: v.may("users:write"), MayRoles: v.may("users:roles"), MayKeys: v.may("api:keys")}
	if d.MFA, err = c.d.Auth.MFAEnrolled(ctx, tenantID, id); err != nil {
		c.fail(w, r, v, err)
		return
	}
	if d.Sessions, err = c.d.Auth.Sessions(ctx, tenantID, id); err != nil {
		c.fail(w, r, v, err)
		return
	}
	if d.MayKeys {
		keys, err := c.d.Auth.APIKeys(ctx, tenantID)
		if err != nil {
			c.fail(w, r, v, err)
			return
		}
		for _, k := range keys {
			if k.CreatedBy == id {
				d.APIKeys = append(d.APIKeys, k)
			}
		}
	}
	cat, err := c.d.Auth.Catalogue(ctx, tenantID)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	for _, role := range cat.Roles() {
		d.Roles = append(d.Roles, role.Name)
	}
	p.Title, p.Active, p.Data = u.Email, "/console/users", d
	c.render(w, r, v, status, "user", p)
}

// afterAction shows the user's page again: with the error next to its field,
// or redirected with a message.
func (c *Console) afterAction(w http.ResponseWriter, r *http.Request, v *viewer, err error, done string) {
	if err != nil {
		if statusOf(err) >= 500 || rampart.ErrorCode(err) == rampart.ENotFound {
			c.fail(w, r, v, err)
			return
		}
		var p page
		if rampart.ErrorCode(err) == rampart.EStepUp {
			p.Errors = map[string]string{"stepup_code": "Enter a code from your authenticator app to confirm this change."}
			p.StepUp = true
		} else {
			formError(&p, err)
		}
		c.showUser(w, r, v, statusOf(err), p)
		return
	}
	v.sess.setFlash(done)
	http.Redirect(w, r, "/console/users/"+r.PathValue("id"), http.StatusSeeOther)
}

func (c *Console) endSession(w http.ResponseWriter, r *http.Request, v *viewer) {
	err := c.d.Auth.RevokeSession(r.Context(), v.principal, r.PathValue("sid"), v.meta)
	c.afterAction(w, r, v, err, "The session has ended.")
}

func (c *Console) endAllSessions(w http.ResponseWriter, r *http.Request, v *viewer) {
	n, err := c.d.Auth.RevokeUserSessions(r.Context(), v.principal, r.PathValue("id"), v.meta)
	c.afterAction(w, r, v, err, fmt.Sprintf("%d session(s) ended.", n))
}

// disableMFAPage shows what disabling a user's second factor changes.
func (c *Console) disableMFAPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showDisableMFA(w, r, v, http.StatusOK, page{})
}

func (c *Console) showDisableMFA(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page) {
	u, err := c.d.Auth.User(r.Context(), v.principal.TenantID, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	p.Title, p.Active = "Disable MFA", "/console/users"
	p.Data = confirmData{Heading: "Disable the second factor of " + u.Email + "?",
		Changes: []string{"Their authenticator app, backup codes and e-mail or SMS factors are removed.",
			"They sign in with their password alone until they enrol again (or are asked to, if the tenant requires MFA for their role)."},
		Action: "/console/users/" + u.ID + "/mfa/disable", Submit: "Disable MFA", Cancel: "/console/users/" + u.ID}
	c.render(w, r, v, status, "confirm", p)
}

// disableMFA removes a user's second factors; a dangerous action, so it
// needs a second factor of the viewer's within the tenant's step-up window.
func (c *Console) disableMFA(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := stepUpError(r); err != nil {
		c.showDisableMFA(w, r, v, statusOf(err), page{Errors: map[string]string{"stepup_code": rampart.ErrorMessage(err)}})
		return
	}
	if err := v.principal.RequireRecentMFA(c.now()); err != nil {
		c.showDisableMFA(w, r, v, http.StatusUnauthorized, page{StepUp: true, Errors: map[string]string{"stepup_code": "Enter a code from your authenticator app to confirm."}})
		return
	}
	err := c.d.Auth.ResetMFA(r.Context(), v.principal, r.PathValue("id"), v.meta)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	v.sess.setFlash("The user's second factor is disabled.")
	http.Redirect(w, r, "/console/users/"+r.PathValue("id"), http.StatusSeeOther)
}

// setRole assigns a role (auth.UpdateUser: users:roles, a role up to the
// viewer's own, and the tenant's step-up).
func (c *Console) setRole(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := stepUpError(r); err != nil {
		c.afterAction(w, r, v, rampart.FieldError(rampart.EUnauthorized, "stepup_code", "%s", rampart.ErrorMessage(err)), "")
		return
	}
	role := identity.Role(strings.TrimSpace(r.PostFormValue("role")))
	if role == "" || len(role) > 63 {
		c.afterAction(w, r, v, rampart.FieldError(rampart.EInvalid, "role", "Choose a role."), "")
		return
	}
	_, err := c.d.Auth.UpdateUser(r.Context(), v.principal, r.PathValue("id"), auth.UserChange{Role: &role}, v.meta)
	c.afterAction(w, r, v, err, "Role changed to "+string(role)+".")
}

// changeGrants adds or removes one of the user's own grants (permissions,
// on a resource or not), through auth.UpdateUser like the API.
func (c *Console) changeGrants(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := stepUpError(r); err != nil {
		c.afterAction(w, r, v, rampart.FieldError(rampart.EUnauthorized, "stepup_code", "%s", rampart.ErrorMessage(err)), "")
		return
	}
	u, err := c.d.Auth.User(r.Context(), v.principal.TenantID, r.PathValue("id"))
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	grant := strings.TrimSpace(r.PostFormValue("grant"))
	if grant == "" || len(grant) > 200 {
		c.afterAction(w, r, v, rampart.FieldError(rampart.EInvalid, "grant", "Enter a permission such as documents:read or documents:read:doc-1."), "")
		return
	}
	if msg := authz.ValidateGrant(grant); msg != "" && r.PostFormValue("op") != "remove" {
		c.afterAction(w, r, v, rampart.FieldError(rampart.EUnprocessable, "grant", "This is not a permission: %s.", msg), "")
		return
	}
	perms := slices.Clone(u.Permissions)
	msg := "Grant " + grant + " added."
	if r.PostFormValue("op") == "remove" {
		perms = slices.DeleteFunc(perms, func(g string) bool { return g == grant })
		msg = "Grant " + grant + " removed."
	} else if !slices.Contains(perms, grant) {
		perms = append(perms, grant)
	}
	_, err = c.d.Auth.UpdateUser(r.Context(), v.principal, u.ID, auth.UserChange{Permissions: &perms}, v.meta)
	if e := new(rampart.Error); err != nil && asError(err, &e) && strings.HasPrefix(e.Field, "permissions") {
		err = rampart.FieldError(e.Code, "grant", "%s", e.Message)
	}
	c.afterAction(w, r, v, err, msg)
}
