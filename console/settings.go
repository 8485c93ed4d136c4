package console

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/iprules"
)

// maxSettingsText bounds a settings form's text areas (the API's settings
// document is at most 64 KiB).
const maxSettingsText = 64 << 10

// settingsData is the tenant security settings page.
type settingsData struct {
	Tenant     *identity.Tenant
	Roles      []string
	MFARoles   map[string]bool
	RateLimits string // one limit a line: operation rate period_seconds [algorithm]
	Guardrails string // the guardrail policy as JSON
	IPAllow    string
	IPDeny     string
}

func (c *Console) settingsPage(w http.ResponseWriter, r *http.Request, v *viewer) {
	c.showSettings(w, r, v, http.StatusOK, page{})
}

// showSettings renders the settings page; values of p (a form sent back
// with errors) replace the stored ones.
func (c *Console) showSettings(w http.ResponseWriter, r *http.Request, v *viewer, status int, p page) {
	t, err := c.d.Tenancy.OwnTenant(r.Context(), v.principal)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	cat, err := c.d.Auth.Catalogue(r.Context(), v.principal.TenantID)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	pol := t.Policy
	d := settingsData{Tenant: t, MFARoles: map[string]bool{}, IPAllow: strings.Join(pol.IPAllow, "\n"), IPDeny: strings.Join(pol.IPDeny, "\n")}
	for _, role := range cat.Roles() {
		d.Roles = append(d.Roles, role.Name)
	}
	for _, role := range pol.MFARequiredRoles {
		d.MFARoles[string(role)] = true
	}
	ops := make([]string, 0, len(pol.RateLimits))
	for op := range pol.RateLimits {
		ops = append(ops, op)
	}
	slices.Sort(ops)
	var lines []string
	for _, op := range ops {
		l := pol.RateLimits[op]
		lines = append(lines, strings.TrimSpace(fmt.Sprintf("%s %d %d %s", op, l.Rate, l.PeriodSeconds, l.Algorithm)))
	}
	d.RateLimits = strings.Join(lines, "\n")
	if pol.Guardrails != nil {
		b, _ := json.MarshalIndent(pol.Guardrails, "", "  ")
		d.Guardrails = string(b)
	}
	for k, x := range p.Values {
		switch k {
		case "rate_limits":
			d.RateLimits = x
		case "guardrails":
			d.Guardrails = x
		case "ip_allow":
			d.IPAllow = x
		case "ip_deny":
			d.IPDeny = x
		}
	}
	p.Title, p.Active, p.Data = "Security settings", "/console/settings", d
	c.render(w, r, v, status, "settings", p)
}

// saveSettings applies one form of the settings page through
// tenancy.UpdateOwnSettings (as PATCH /v1/tenant/settings: admin:security
// and a recent second factor under step-up; the domain validates the
// whole policy). The form's errors come back next to their fields.
func (c *Console) saveSettings(w http.ResponseWriter, r *http.Request, v *viewer) {
	form := r.PostFormValue("form")
	p := page{Values: map[string]string{}}
	fieldErr := func(field, format string, a ...any) {
		c.showSettings(w, r, v, http.StatusBadRequest, withField(p, field, fmt.Sprintf(format, a...)))
	}
	doc := map[string]any{}
	switch form {
	case "sessions":
		for _, f := range []struct {
			name string
			max  int
		}{{"max_sessions_per_user", identity.MaxSessionsLimit}, {"step_up_minutes", 1440}, {"password_max_age_days", 3650}} {
			s := strings.TrimSpace(r.PostFormValue(f.name))
			if s == "" {
				s = "0"
			}
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n > f.max {
				fieldErr(f.name, "Enter a whole number from 0 to %d.", f.max)
				return
			}
			doc[f.name] = n
		}
		ipc := r.PostFormValue("ip_change_policy")
		if !oneOf(ipc, "", identity.IPChangeLog, identity.IPChangeRevoke) {
			fieldErr("ip_change_policy", "Choose log or revoke.")
			return
		}
		doc["ip_change_policy"] = ipc
		roles := r.PostForm["mfa_required_roles"]
		if len(roles) > 100 {
			fieldErr("mfa_required_roles", "Choose at most 100 roles.")
			return
		}
		if roles == nil {
			roles = []string{}
		}
		doc["mfa_required_roles"] = roles
	case "rate_limits":
		text := r.PostFormValue("rate_limits")
		p.Values["rate_limits"] = text
		limits, err := parseRateLimits(text)
		if err != nil {
			fieldErr("rate_limits", "%s", rampart.ErrorMessage(err))
			return
		}
		doc["rate_limits"] = limits
	case "guardrails":
		text := strings.TrimSpace(r.PostFormValue("guardrails"))
		p.Values["guardrails"] = text
		if len(text) > maxSettingsText {
			fieldErr("guardrails", "The policy is at most %d KiB.", maxSettingsText>>10)
			return
		}
		var g json.RawMessage = []byte("null")
		if text != "" {
			if !json.Valid([]byte(text)) || text[0] != '{' {
				fieldErr("guardrails", "Enter the policy as a JSON object, or nothing for the defaults.")
				return
			}
			g = json.RawMessage(text)
		}
		doc["guardrails"] = g
	default:
		c.fail(w, r, v, rampart.Errorf(rampart.EInvalid, "This form is not known."))
		return
	}
	c.applySettings(w, r, v, p, doc, "Settings saved.")
}

// applySettings sends doc to the tenancy service and answers the form.
func (c *Console) applySettings(w http.ResponseWriter, r *http.Request, v *viewer, p page, doc map[string]any, done string) {
	if err := stepUpError(r); err != nil {
		c.showSettings(w, r, v, statusOf(err), withField(p, "stepup_code", rampart.ErrorMessage(err)))
		return
	}
	b, err := json.Marshal(doc)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	if _, err := c.d.Tenancy.UpdateOwnSettings(r.Context(), v.principal, b, c.actor(v)); err != nil {
		if statusOf(err) >= 500 {
			c.fail(w, r, v, err)
			return
		}
		if rampart.ErrorCode(err) == rampart.EStepUp {
			p.StepUp = true
			c.showSettings(w, r, v, http.StatusUnauthorized, withField(p, "stepup_code", "Enter a code from your authenticator app to change the settings."))
			return
		}
		formError(&p, err)
		p.Errors = settingsFields(p.Errors)
		c.showSettings(w, r, v, statusOf(err), p)
		return
	}
	v.sess.setFlash(done)
	http.Redirect(w, r, "/console/settings", http.StatusSeeOther)
}

// settingsFields names the service's field errors (settings.ip_allow[2],
// settings.guardrails.thresholds...) by the form field that holds them.
func settingsFields(errs map[string]string) map[string]string {
	out := map[string]string{}
	for k, m := range errs {
		k = strings.TrimPrefix(k, "settings.")
		if i := strings.IndexAny(k, ".["); i > 0 {
			k = k[:i]
		}
		out[k] = m
	}
	return out
}

func withField(p page, field, msg string) page {
	if p.Errors == nil {
		p.Errors = map[string]string{}
	}
	p.Errors[field] = msg
	return p
}

// parseRateLimits reads one limit a line: operation, rate, period in
// seconds and, optionally, the algorithm.
func parseRateLimits(text string) (map[string]identity.RateLimitSetting, error) {
	out := map[string]identity.RateLimitSetting{}
	if len(text) > maxSettingsText {
		return nil, rampart.Errorf(rampart.EInvalid, "At most %d KiB.", maxSettingsText>>10)
	}
	for i, line := range strings.Split(text, "\n") {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		if len(f) < 3 || len(f) > 4 {
			return nil, rampart.Errorf(rampart.EInvalid, "Line %d: write operation, rate, period in seconds and, optionally, the algorithm.", i+1)
		}
		rate, err1 := strconv.ParseInt(f[1], 10, 64)
		period, err2 := strconv.ParseInt(f[2], 10, 64)
		if err1 != nil || err2 != nil || rate < 1 || rate > 1_000_000_000 || period < 1 || period > 2_678_400 {
			return nil, rampart.Errorf(rampart.EInvalid, "Line %d: the rate is 1 to 1,000,000,000 and the period 1 to 2,678,400 seconds.", i+1)
		}
		s := identity.RateLimitSetting{Rate: rate, PeriodSeconds: period}
		if len(f) == 4 {
			s.Algorithm = f[3]
		}
		if len(f[0]) > 40 || len(out) >= 50 {
			return nil, rampart.Errorf(rampart.EInvalid, "Line %d: at most 50 operations of 40 characters.", i+1)
		}
		out[f[0]] = s
	}
	return out, nil
}

// ipRulesData is the confirmation of a change of IP rules.
type ipRulesData struct {
	Allow, Deny    string
	Added, Removed []string
	LockoutRisk    bool
}

// ipRules asks to confirm a change of the tenant's IP rules, showing what
// changes (entries added and removed; whether the viewer's own address
// would be refused); with confirm=1 and a recent second factor, applies it.
func (c *Console) ipRules(w http.ResponseWriter, r *http.Request, v *viewer) {
	allowText, denyText := r.PostFormValue("ip_allow"), r.PostFormValue("ip_deny")
	p := page{Values: map[string]string{"ip_allow": allowText, "ip_deny": denyText}}
	if len(allowText) > maxSettingsText || len(denyText) > maxSettingsText {
		c.showSettings(w, r, v, http.StatusBadRequest, withField(p, "ip_allow", "The lists are too long."))
		return
	}
	allow, deny := lines(allowText), lines(denyText)
	if len(allow) > 256 || len(deny) > 256 {
		c.showSettings(w, r, v, http.StatusBadRequest, withField(p, "ip_allow", "At most 256 entries a list."))
		return
	}
	doc := map[string]any{"ip_allow": allow, "ip_deny": deny}
	if r.PostFormValue("confirm") == "1" {
		if err := stepUpError(r); err == nil && v.principal.RequireRecentMFA(c.now()) == nil {
			c.applySettings(w, r, v, p, doc, "IP rules saved.")
			return
		}
	}
	t, err := c.d.Tenancy.OwnTenant(r.Context(), v.principal)
	if err != nil {
		c.fail(w, r, v, err)
		return
	}
	d := ipRulesData{Allow: strings.Join(allow, "\n"), Deny: strings.Join(deny, "\n")}
	for _, l := range []struct {
		old, new []string
		name     string
	}{{t.Policy.IPAllow, allow, "allow"}, {t.Policy.IPDeny, deny, "deny"}} {
		for _, x := range l.new {
			if !slices.Contains(l.old, x) {
				d.Added = append(d.Added, l.name+" "+x)
			}
		}
		for _, x := range l.old {
			if !slices.Contains(l.new, x) {
				d.Removed = append(d.Removed, l.name+" "+x)
			}
		}
	}
	rules, err := identity.TenantPolicy{IPAllow: allow, IPDeny: deny}.IPRules()
	if err != nil {
		var ie *iprules.Error
		if errors.As(err, &ie) {
			err = rampart.FieldError(rampart.EUnprocessable, ie.Field, "%s", ie.Msg)
		}
		formError(&p, err)
		p.Errors = settingsFields(p.Errors)
		c.showSettings(w, r, v, http.StatusUnprocessableEntity, p)
		return
	}
	d.LockoutRisk = rules.Check(v.meta.IP) != iprules.Allowed // an unknown address is refused once rules exist
	p.Title, p.Active, p.Data = "Confirm IP rules", "/console/settings", d
	status := http.StatusOK
	if r.PostFormValue("confirm") == "1" {
		status = http.StatusUnauthorized
		msg := "Enter a code from your authenticator app to confirm."
		if err := stepUpError(r); err != nil {
			msg = rampart.ErrorMessage(err)
		}
		p = withField(p, "stepup_code", msg)
	}
	p.StepUp = v.principal.RequireRecentMFA(c.now()) != nil
	c.render(w, r, v, status, "iprules", p)
}

// lines splits a text area into its trimmed, non-empty lines.
func lines(s string) []string {
	out := []string{}
	for _, l := range strings.Split(s, "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, l)
		}
	}
	return out
}
