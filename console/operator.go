package console

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/delivery"
	"github.com/rampart-dev/rampart/encryption"
	"github.com/rampart-dev/rampart/identity"
)

// tenantsPageSize is how many tenants the operator's page lists at once.
const tenantsPageSize = 100

func (c *Console) actor(v *viewer) audit.Actor {
	return audit.Actor{IP: v.meta.IP, UserAgent: v.meta.UserAgent}
}

func (c *Console) tenantsPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showTenants(w, r, v, http.StatusOK, page{})
}

type tenantsData struct {
	Tenants []*identity.Tenant
	Next    string
	Presets []string
}

func (c *Console) showTenants(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page) {
	after := r.URL.Query().Get("after")
	if len(after) > 100 {
		after = ""
	}
	list, err := c.d.Tenancy.ListTenants(r.Context(), after, tenantsPageSize)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := tenantsData{Tenants: list, Presets: authz.PresetNames()}
	if len(list) == tenantsPageSize {
		d.Next = list[len(list)-1].ID
	}
	p.Title, p.Active, p.Data = "Tenants", "/console/operator/tenants", d
	c.render(w, r, v, status, "tenants", p)
}

// createTenant creates a tenant and its owner (tenancy.CreateTenant, as
// POST /v1/tenants).
func (c *Console) createTenant(w http.ResponseWriter, r *http.Request, v *viewer) {
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	req := identity.NewTenant{Slug: f("slug"), Name: f("name"), OwnerEmail: f("owner_email"), OwnerPassword: r.PostFormValue("owner_password"), RolePreset: f("role_preset")}
	p := page{Values: map[string]string{"slug": req.Slug, "name": req.Name, "owner_email": req.OwnerEmail, "role_preset": req.RolePreset}}
	if len(req.Slug) > 100 || len(req.Name) > 200 || len(req.OwnerEmail) > 254 || len(req.OwnerPassword) > 1024 || len(req.RolePreset) > 40 {
		p.Error = "A field is too long."
		c.showTenants(w, r, v, http.StatusBadRequest, p)
		return
	}
	t, _, err := c.d.Tenancy.CreateTenant(r.Context(), req, c.actor(v))
	if err != nil {
		if statusOf(err) >= 500 {
			c.fail(w, r, v, err)
			return
		}
		formError(&p, err)
		if p.Errors != nil { // the API's field names: owner.email -> owner_email
			for k, m := range p.Errors {
				p.Errors[strings.ReplaceAll(k, ".", "_")] = m
			}
		}
		c.showTenants(w, r, v, statusOf(err), p)
		return
	}
	v.sess.setFlash("Tenant " + t.Slug + " created.")
	http.Redirect(w, r, "/console/operator/tenants", http.StatusSeeOther)
}

// setTenantStatus disables or enables a tenant (tenancy.SetTenantStatus:
// disabling ends its sessions).
func (c *Console) setTenantStatus(w http.ResponseWriter, r *http.Request, v *viewer) {
	status := r.PostFormValue("status")
	if status != identity.TenantActive && status != identity.TenantDisabled {
		c.fail(w, r, v, rampart.FieldError(rampart.EInvalid, "status", "status must be active or disabled"))
		return
	}
	t, err := c.d.Tenancy.SetTenantStatus(r.Context(), r.PathValue("id"), status, c.actor(v))
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	v.sess.setFlash("Tenant " + t.Slug + " is now " + t.Status + ".")
	http.Redirect(w, r, "/console/operator/tenants", http.StatusSeeOther)
}

// keysData is the signing keys page: the current key and those published.
type keysData struct {
	Current   string
	Alg       string
	Published []string
}

func (c *Console) keysPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	kr := c.d.Auth.Keyring()
	d := keysData{}
	if k := kr.Current(); k != nil {
		d.Current, d.Alg = k.KID, k.Alg
	}
	var set struct {
		Keys []struct {
			KID string `json:"kid"`
		} `json:"keys"`
	}
	if err := json.Unmarshal(kr.JWKS(), &set); err == nil {
		for _, k := range set.Keys {
			d.Published = append(d.Published, k.KID)
		}
	}
	c.render(w, r, v, http.StatusOK, "keys", page{Title: "Signing keys", Active: "/console/operator/keys", Data: d})
}

func (c *Console) rotateConfirmPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	cur := ""
	if k := c.d.Auth.Keyring().Current(); k != nil {
		cur = k.KID
	}
	c.render(w, r, v, http.StatusOK, "confirm", page{Title: "Rotate the signing key", Active: "/console/operator/keys", Data: confirmData{
		Heading: "Rotate the token-signing key?",
		Changes: []string{"A new key signs every token from now on.", "The current key " + cur + " stays published so tokens it signed verify until they expire."},
		Action:  "/console/operator/keys/rotate", Submit: "Rotate the signing key", Cancel: "/console/operator/keys"}})
}

// rotateKeys rotates the signing key (encryption.RotateKeys as the
// operator, as POST /v1/keys/rotate with an empty body).
func (c *Console) rotateKeys(w http.ResponseWriter, r *http.Request, v *viewer) {
	res, err := c.d.Encryption.RotateKeys(r.Context(), nil, encryption.Rotation{}, c.actor(v))
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	if res.Signing != nil {
		v.sess.setFlash("New signing key " + res.Signing.KID + ".")
	}
	http.Redirect(w, r, "/console/operator/keys", http.StatusSeeOther)
}

func (c *Console) jobsPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	var jobs []delivery.Job
	var err error
	if c.d.Delivery != nil {
		if jobs, err = c.d.Delivery.Jobs(r.Context()); err != nil {
			c.fail(w, r, v, err)
			return
		}
	}
	c.render(w, r, v, http.StatusOK, "jobs", page{Title: "Jobs", Active: "/console/operator/jobs", Data: jobs})
}
