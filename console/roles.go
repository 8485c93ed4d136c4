package console

import (
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
)

// rolesData is the roles page: the preset's roles and the custom ones.
type rolesData struct {
	Preset   string
	Roles    []*authz.Role
	Levels   []int
	MayRoles bool
}

func (c *Console) rolesPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showRoles(w, r, v, http.StatusOK, page{})
}

func (c *Console) showRoles(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page) {
	cat, err := c.d.Auth.Catalogue(r.Context(), v.principal.TenantID)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := rolesData{Preset: cat.Preset, Roles: cat.Roles(), MayRoles: v.may("users:roles")}
	for l := authz.MinLevel; l < authz.MaxLevel; l++ {
		d.Levels = append(d.Levels, l)
	}
	p.Title, p.Active, p.Data = "Roles", "/console/roles", d
	c.render(w, r, v, status, "roles", p)
}

// createRole adds a custom role (auth.CreateRole, as POST /v1/roles: a
// level up to the viewer's, permissions they hold, step-up).
func (c *Console) createRole(w http.ResponseWriter, r *http.Request, v *viewer) {
	name, levelText, permsText := strings.TrimSpace(r.PostFormValue("name")), r.PostFormValue("level"), r.PostFormValue("permissions")
	p := page{Values: map[string]string{"name": name, "level": levelText, "permissions": permsText}}
	back := func(err error) {
		if rampart.ErrorCode(err) == rampart.EStepUp {
			p.StepUp = true
			c.showRoles(w, r, v, http.StatusUnauthorized, withField(p, "stepup_code", "Enter a code from your authenticator app to create a role."))
			return
		}
		formError(&p, err)
		p.Errors = settingsFields(p.Errors)
		c.showRoles(w, r, v, statusOf(err), p)
	}
	if err := stepUpError(r); err != nil {
		back(rampart.FieldError(rampart.EUnauthorized, "stepup_code", "%s", rampart.ErrorMessage(err)))
		return
	}
	if !identity.ValidRoleName(name) {
		back(rampart.FieldError(rampart.EUnprocessable, "name", "2 to 63 lowercase letters, digits or _, starting with a letter."))
		return
	}
	level, perms, err := roleForm(levelText, permsText)
	if err != nil {
		back(err)
		return
	}
	if err := c.d.Auth.CreateRole(r.Context(), v.principal, authz.Role{Name: name, Level: level, Permissions: perms, Custom: true}, v.meta); err != nil {
		if statusOf(err) >= 500 {
			c.fail(w, r, v, err)
			return
		}
		back(err)
		return
	}
	v.sess.setFlash("Role " + name + " created.")
	http.Redirect(w, r, "/console/roles", http.StatusSeeOther)
}

// deleteRoleConfirm shows what deleting a custom role changes.
func (c *Console) deleteRoleConfirm(w http.ResponseWriter, r *http.Request, v *viewer) {
	cat, err := c.d.Auth.Catalogue(r.Context(), v.principal.TenantID)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	role, ok := cat.Role(r.PathValue("name"))
	if !ok || !role.Custom {
		c.fail(w, r, v, rampart.Errorf(rampart.ENotFound, "There is no such custom role."))
		return
	}
	c.render(w, r, v, http.StatusOK, "confirm", page{Title: "Delete a role", Active: "/console/roles", Data: confirmData{
		Heading: "Delete the role " + role.Name + "?",
		Changes: []string{fmt.Sprintf("The custom role %s (level %d, %d permission(s)) leaves the tenant's catalogue.", role.Name, role.Level, len(role.Permissions)),
			"It can no longer be assigned; deleting is refused while a user or API key holds it."},
		Action: "/console/roles/" + role.Name + "/delete", Submit: "Delete the role", Cancel: "/console/roles"}})
}

// deleteRole removes a custom role nobody holds (auth.DeleteRole).
func (c *Console) deleteRole(w http.ResponseWriter, r *http.Request, v *viewer) {
	name := r.PathValue("name")
	if err := c.d.Auth.DeleteRole(r.Context(), v.principal, name, v.meta); err != nil {
		if statusOf(err) >= 500 || rampart.ErrorCode(err) == rampart.ENotFound {
			c.fail(w, r, v, err)
			return
		}
		c.showRoles(w, r, v, statusOf(err), page{Error: rampart.ErrorMessage(err)})
		return
	}
	v.sess.setFlash("Role " + name + " deleted.")
	http.Redirect(w, r, "/console/roles", http.StatusSeeOther)
}

// editRolePage shows a custom role's form, filled in.
func (c *Console) editRolePage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showEditRole(w, r, v, http.StatusOK, page{})
}

// roleEditData is the form of a custom role's change.
type roleEditData struct {
	Role   *authz.Role
	Levels []int
}

func (c *Console) showEditRole(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page) {
	cat, err := c.d.Auth.Catalogue(r.Context(), v.principal.TenantID)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	role, ok := cat.Role(r.PathValue("name"))
	if !ok || !role.Custom {
		c.fail(w, r, v, rampart.Errorf(rampart.ENotFound, "There is no such custom role."))
		return
	}
	if p.Values == nil {
		p.Values = map[string]string{"level": strconv.Itoa(role.Level), "permissions": strings.Join(role.Permissions, "\n")}
	}
	d := roleEditData{Role: role}
	for l := authz.MinLevel; l < authz.MaxLevel; l++ {
		d.Levels = append(d.Levels, l)
	}
	p.Title, p.Active, p.Data = "Edit the role "+role.Name, "/console/roles", d
	c.render(w, r, v, status, "role", p)
}

// editRole changes a custom role's level and permissions (auth.UpdateRole:
// the rules of a new role, step-up included).
func (c *Console) editRole(w http.ResponseWriter, r *http.Request, v *viewer) {
	name, levelText, permsText := r.PathValue("name"), r.PostFormValue("level"), r.PostFormValue("permissions")
	p := page{Values: map[string]string{"level": levelText, "permissions": permsText}}
	back := func(err error) {
		if statusOf(err) >= 500 || rampart.ErrorCode(err) == rampart.ENotFound {
			c.fail(w, r, v, err)
			return
		}
		if rampart.ErrorCode(err) == rampart.EStepUp {
			p.StepUp = true
			c.showEditRole(w, r, v, http.StatusUnauthorized, withField(p, "stepup_code", "Enter a code from your authenticator app to change the role."))
			return
		}
		formError(&p, err)
		p.Errors = settingsFields(p.Errors)
		c.showEditRole(w, r, v, statusOf(err), p)
	}
	if err := stepUpError(r); err != nil {
		back(rampart.FieldError(rampart.EUnauthorized, "stepup_code", "%s", rampart.ErrorMessage(err)))
		return
	}
	level, perms, err := roleForm(levelText, permsText)
	if err != nil {
		back(err)
		return
	}
	if err := c.d.Auth.UpdateRole(r.Context(), v.principal, authz.Role{Name: name, Level: level, Permissions: perms, Custom: true}, v.meta); err != nil {
		back(err)
		return
	}
	v.sess.setFlash("Role " + name + " changed; its holders have the new permissions from their next request.")
	http.Redirect(w, r, "/console/roles", http.StatusSeeOther)
}

// roleForm reads a role form's level and permissions (one per line), with
// the field errors the create and edit forms show.
func roleForm(levelText, permsText string) (int, []string, error) {
	level, err := strconv.Atoi(levelText)
	if err != nil || level < authz.MinLevel || level >= authz.MaxLevel {
		return 0, nil, rampart.FieldError(rampart.EUnprocessable, "level", "Choose a level from %d to %d.", authz.MinLevel, authz.MaxLevel-1)
	}
	perms := lines(permsText)
	if len(perms) > 200 {
		return 0, nil, rampart.FieldError(rampart.EUnprocessable, "permissions", "At most 200 permissions.")
	}
	if err := identity.ValidatePermissions("permissions", perms); err != nil {
		return 0, nil, err
	}
	return level, perms, nil
}
