package console

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/identity"
)

// maxAPIKeyName bounds an API key's display name (as the API).
const maxAPIKeyName = 100

// apiKeysData is the API keys page.
type apiKeysData struct {
	Keys   []*identity.APIKey
	Roles  []string
	Tiers  []string
	Secret string // a new key, shown once
	NewID  string
}

func (c *Console) apiKeysPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showAPIKeys(w, r, v, http.StatusOK, page{}, "", "")
}

func (c *Console) showAPIKeys(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page, secret, id string) {
	keys, err := c.d.Auth.APIKeys(r.Context(), v.principal.TenantID)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	cat, err := c.d.Auth.Catalogue(r.Context(), v.principal.TenantID)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := apiKeysData{Keys: keys, Tiers: identity.RateLimitTiers, Secret: secret, NewID: id}
	for _, role := range cat.Roles() {
		d.Roles = append(d.Roles, role.Name)
	}
	p.Title, p.Active, p.Data = "API keys", "/console/api-keys", d
	c.render(w, r, v, status, "apikeys", p)
}

// createAPIKey issues a key (auth.CreateAPIKey, as POST /v1/api-keys) and
// shows its secret this once, on a page that is never cached.
func (c *Console) createAPIKey(w http.ResponseWriter, r *http.Request, v *viewer) {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	req := auth.NewAPIKey{Name: f("name"), Role: f("role"), Permissions: lines(r.PostFormValue("permissions")), RateLimitTier: f("rate_limit_tier")}
	p := page{Values: map[string]string{"name": req.Name, "role": req.Role, "permissions": r.PostFormValue("permissions"), "expires": f("expires"), "rate_limit_tier": req.RateLimitTier}}
	fail := func(err error) {
		if statusOf(err) >= 500 {
			c.fail(w, r, v, err)
			return
		}
		formError(&p, err)
		p.Errors = settingsFields(p.Errors)
		c.showAPIKeys(w, r, v, statusOf(err), p, "", "")
	}
	if err := identity.ValidateName("name", req.Name); err != nil {
		fail(err)
		return
	}
	if len(req.Name) > maxAPIKeyName {
		fail(rampart.FieldError(rampart.EUnprocessable, "name", "At most %d characters.", maxAPIKeyName))
		return
	}
	if req.Role == "" && len(req.Permissions) == 0 {
		fail(rampart.FieldError(rampart.EUnprocessable, "role", "Give a role, permissions, or both."))
		return
	}
	if len(req.Permissions) > 200 {
		fail(rampart.FieldError(rampart.EUnprocessable, "permissions", "At most 200 permissions."))
		return
	}
	if err := identity.ValidatePermissions("permissions", req.Permissions); err != nil {
		fail(err)
		return
	}
	if req.RateLimitTier != "" && !slices.Contains(identity.RateLimitTiers, req.RateLimitTier) {
		fail(rampart.FieldError(rampart.EUnprocessable, "rate_limit_tier", "Choose a tier from the list."))
		return
	}
	if e := f("expires"); e != "" {
		t, err := time.Parse("2006-01-02", e)
		if err != nil || !t.After(c.now()) {
			fail(rampart.FieldError(rampart.EUnprocessable, "expires", "Enter a date in the future (YYYY-MM-DD)."))
			return
		}
		req.ExpiresAt = t.UTC()
	}
	raw, k, err := c.d.Auth.CreateAPIKey(r.Context(), v.principal, req, v.meta)
	if err != nil {
		fail(err)
		return
	}
	p = page{Flash: "API key " + k.Name + " created. Copy its secret now: it is not shown again."}
	c.showAPIKeys(w, r, v, http.StatusCreated, p, raw, k.ID)
}

// revokeAPIKey revokes a key (auth.RevokeAPIKey).
func (c *Console) revokeAPIKey(w http.ResponseWriter, r *http.Request, v *viewer) {
	if err := c.d.Auth.RevokeAPIKey(r.Context(), v.principal, r.PathValue("id"), v.meta); err != nil {
		c.fail(w, r, v, err)
		return
	}
	v.sess.setFlash("API key " + r.PathValue("id") + " revoked.")
	http.Redirect(w, r, "/console/api-keys", http.StatusSeeOther)
}
