package console

import (
	"net/http"

	"github.com/rampart-dev/rampart"
)

// navItem is one entry of the nav; a viewer sees it when they may.
type navItem struct {
	Label, Path string
	// Permission a tenant user needs to see it; operator items are the
	// operator's only.
	Permission string
	Operator   bool
}

// nav is every page of the console's nav, in order.
var nav = []navItem{
	{Label: "Users", Path: "/console/users", Permission: "users:read"},
	{Label: "Tenants", Path: "/console/operator/tenants", Operator: true},
	{Label: "Signing keys", Path: "/console/operator/keys", Operator: true},
	{Label: "Jobs", Path: "/console/operator/jobs", Operator: true},
	// pages of the second set
	{Label: "Audit log", Path: "/console/audit", Permission: "admin:audit"},
	{Label: "Roles", Path: "/console/roles", Permission: "users:read"},
	{Label: "API keys", Path: "/console/api-keys", Permission: "api:keys"},
	{Label: "Security settings", Path: "/console/settings", Permission: "admin:security"},
	{Label: "Data keys", Path: "/console/data-keys", Permission: "admin:security"},
	{Label: "Incidents", Path: "/console/incidents", Permission: "admin:security"},
	{Label: "Deliveries", Path: "/console/deliveries", Permission: "admin:security"},
	{Label: "Privacy requests", Path: "/console/privacy/requests", Permission: "admin:compliance"},
	{Label: "Consents", Path: "/console/consents", Permission: "admin:compliance"},
	{Label: "Guardrail bench", Path: "/console/guard", Permission: "guard:scan"},
}

// navFor is the nav a viewer may see.
func (c *Console) navFor(r *http.Request, v *viewer) []navItem {
	var out []navItem
	for _, it := range nav {
		if it.Operator && v.principal == nil || !it.Operator && v.principal != nil && v.may(it.Permission) {
			out = append(out, it)
		}
	}
	return out
}

// routes lists every console page and action with the permission it needs
// (the service checks again what it checks for the API).
func (c *Console) routes() {
	m := c.mux
	static := http.StripPrefix("/console/", http.FileServerFS(staticFS))
	m.Handle("GET /console/static/{file}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "public, max-age=3600")
		static.ServeHTTP(w, r)
	}))
	m.HandleFunc("GET /console/{$}", c.home)
	m.HandleFunc("GET /console/signin", c.signInPage)
	m.HandleFunc("POST /console/signin", c.signIn)
	m.HandleFunc("GET /console/signin/mfa", c.mfaPage)
	m.HandleFunc("POST /console/signin/mfa", c.completeMFA)
	m.HandleFunc("POST /console/signout", c.signOut)

	m.Handle("GET /console/users", c.tenant("users:read", c.usersPage))
	m.Handle("POST /console/users/bulk", c.tenant("users:read", c.bulk)) // the action's own permission is checked inside
	m.Handle("GET /console/users/bulk/confirm", c.tenant("users:read", c.bulkConfirmPage))
	m.Handle("POST /console/users/bulk/confirm", c.tenant("users:read", c.bulkConfirm))
	m.Handle("GET /console/users/{id}", c.tenant("users:read", c.userPage))
	m.Handle("POST /console/users/{id}/sessions/end", c.tenant("users:write", c.endAllSessions))
	m.Handle("POST /console/users/{id}/sessions/{sid}/end", c.tenant("users:write", c.endSession))
	m.Handle("GET /console/users/{id}/mfa/disable", c.tenant("users:write", c.disableMFAPage))
	m.Handle("POST /console/users/{id}/mfa/disable", c.tenant("users:write", c.disableMFA))
	m.Handle("POST /console/users/{id}/role", c.tenant("users:roles", c.setRole))
	m.Handle("POST /console/users/{id}/grants", c.tenant("users:roles", c.changeGrants))

	m.Handle("GET /console/operator/tenants", c.operatorOnly(c.tenantsPage))
	m.Handle("POST /console/operator/tenants", c.operatorOnly(c.createTenant))
	m.Handle("POST /console/operator/tenants/{id}/status", c.operatorOnly(c.setTenantStatus))
	m.Handle("GET /console/operator/keys", c.operatorOnly(c.keysPage))
	m.Handle("GET /console/operator/keys/rotate", c.operatorOnly(c.rotateConfirmPage))
	m.Handle("POST /console/operator/keys/rotate", c.operatorOnly(c.rotateKeys))
	m.Handle("GET /console/operator/jobs", c.operatorOnly(c.jobsPage))

	// pages of the second set
	m.Handle("GET /console/audit", c.tenant("admin:audit", c.auditPage))
	m.Handle("GET /console/audit/export", c.tenant("admin:audit", c.auditExport))
	m.Handle("POST /console/audit/verify", c.tenant("admin:audit", c.auditVerify))
	m.Handle("GET /console/roles", c.tenant("users:read", c.rolesPage))
	m.Handle("POST /console/roles", c.tenant("users:roles", c.createRole))
	m.Handle("GET /console/roles/{name}/edit", c.tenant("users:roles", c.editRolePage))
	m.Handle("POST /console/roles/{name}/edit", c.tenant("users:roles", c.editRole))
	m.Handle("GET /console/roles/{name}/delete", c.tenant("users:roles", c.deleteRoleConfirm))
	m.Handle("POST /console/roles/{name}/delete", c.tenant("users:roles", c.deleteRole))
	m.Handle("GET /console/api-keys", c.tenant("api:keys", c.apiKeysPage))
	m.Handle("POST /console/api-keys", c.tenant("api:keys", c.createAPIKey))
	m.Handle("POST /console/api-keys/{id}/revoke", c.tenant("api:keys", c.revokeAPIKey))
	m.Handle("GET /console/settings", c.tenant("admin:security", c.settingsPage))
	m.Handle("POST /console/settings", c.tenant("admin:security", c.saveSettings))
	m.Handle("POST /console/settings/ip", c.tenant("admin:security", c.ipRules)) // shows the change, applies it with confirm=1 and step-up
	m.Handle("GET /console/data-keys", c.tenant("admin:security", c.dataKeysPage))
	m.Handle("GET /console/data-keys/rotate", c.tenant("admin:security", c.rotateDataKeysPage))
	m.Handle("POST /console/data-keys/rotate", c.tenant("admin:security", c.rotateDataKeys))
	if c.d.Incidents != nil {
		m.Handle("GET /console/incidents", c.tenant("admin:security", c.incidentsPage))
		m.Handle("GET /console/incidents/{id}", c.tenant("admin:security", c.incidentPage))
		m.Handle("POST /console/incidents/{id}", c.tenant("admin:security", c.updateIncident))
	}
	if c.d.Delivery != nil {
		m.Handle("GET /console/deliveries", c.tenant("admin:security", c.deliveriesPage))
		m.Handle("POST /console/deliveries/{id}/retry", c.tenant("admin:security", c.retryDelivery))
	}
	if c.d.Requests != nil {
		m.Handle("GET /console/privacy/requests", c.tenant("admin:compliance", c.requestsPage))
		m.Handle("GET /console/privacy/requests/{id}", c.tenant("admin:compliance", c.requestPage))
		m.Handle("POST /console/privacy/requests/{id}/extend", c.tenant("admin:compliance", c.extendRequest))
	}
	if c.d.Consents != nil {
		m.Handle("GET /console/consents", c.tenant("admin:compliance", c.consentsPage))
	}
	if c.d.Guard != nil {
		m.Handle("GET /console/guard", c.tenant("guard:scan", c.benchPage))
		m.Handle("POST /console/guard", c.tenant("guard:scan", c.benchScan))
	}

	m.HandleFunc("/console/", func(w http.ResponseWriter, r *http.Request) {
		c.fail(w, r, nil, rampart.Errorf(rampart.ENotFound, "There is no such page in the console."))
	})
}

// home sends a viewer to their first page.
func (c *Console) home(w http.ResponseWriter, r *http.Request) {
	s := c.sessions.get(cookieValue(r))
	switch {
	case s == nil || (!s.operator && s.access == ""):
		http.Redirect(w, r, "/console/signin", http.StatusSeeOther)
	case s.operator:
		http.Redirect(w, r, "/console/operator/tenants", http.StatusSeeOther)
	default:
		http.Redirect(w, r, "/console/users", http.StatusSeeOther)
	}
}
