package monitor

import (
	"fmt"
	"net/mail"
	"slices"

	"github.com/rampart-dev/rampart"
)

// Policy is a tenant's monitoring settings (tenant settings under
// "monitoring"): overrides of the built-in rules and who hears of incidents.
type Policy struct {
	// Rules overrides built-in rules by name.
	Rules map[string]Override `json:"rules,omitempty"`
	// SecurityContacts are e-mail addresses told of every incident opened
	// at or above NotifySeverity.
	SecurityContacts []string `json:"security_contacts,omitempty"`
	// NotifySeverity is the lowest severity e-mailed (default medium).
	NotifySeverity Severity `json:"notify_severity,omitempty"`
}

// Override changes one rule for a tenant; zero fields keep the rule's own.
type Override struct {
	Disabled      bool     `json:"disabled,omitempty"`
	Threshold     int      `json:"threshold,omitempty"`
	WindowSeconds int      `json:"window_seconds,omitempty"`
	Severity      Severity `json:"severity,omitempty"`
	// Remediate replaces the rule's automatic actions; an empty list (not
	// absent) turns them off.
	Remediate *[]string `json:"remediate,omitempty"`
}

// Limits of the policy.
const (
	MaxSecurityContacts = 20
	maxEmailBytes       = 254
)

// Validate checks p against pack, naming the field at fault under field.
// An unknown rule, a threshold or window out of range, an unknown severity
// or action, or turning off a locked rule is a 422.
func (p *Policy) Validate(field string, pack *Pack) error {
	for name, o := range p.Rules {
		r := pack.Rule(name)
		f := field + ".rules." + name
		if r == nil {
			return rampart.FieldError(rampart.EUnprocessable, f, "unknown rule %q", name)
		}
		if o.Disabled && r.Locked {
			return rampart.FieldError(rampart.EUnprocessable, f+".disabled", "the %s rule cannot be turned off", name)
		}
		if o.Threshold != 0 && (o.Threshold < r.MinThreshold || o.Threshold > r.MaxThreshold) {
			return rampart.FieldError(rampart.EUnprocessable, f+".threshold", "must be from %d to %d", r.MinThreshold, r.MaxThreshold)
		}
		if o.WindowSeconds != 0 && (o.WindowSeconds < int(MinWindow.Seconds()) || o.WindowSeconds > int(MaxWindow.Seconds())) {
			return rampart.FieldError(rampart.EUnprocessable, f+".window_seconds", "must be from %d to %d", int(MinWindow.Seconds()), int(MaxWindow.Seconds()))
		}
		if o.Severity != "" && !ValidSeverity(string(o.Severity)) {
			return rampart.FieldError(rampart.EUnprocessable, f+".severity", "must be info, low, medium, high or critical")
		}
		if o.Remediate != nil {
			for i, a := range *o.Remediate {
				if !ValidAction(a) {
					return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.remediate[%d]", f, i), "unknown action %q", a)
				}
			}
		}
	}
	if len(p.SecurityContacts) > MaxSecurityContacts {
		return rampart.FieldError(rampart.EUnprocessable, field+".security_contacts", "at most %d", MaxSecurityContacts)
	}
	for i, c := range p.SecurityContacts {
		if a, err := mail.ParseAddress(c); err != nil || a.Address != c || len(c) > maxEmailBytes {
			return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.security_contacts[%d]", field, i), "not an e-mail address")
		}
	}
	if p.NotifySeverity != "" && !ValidSeverity(string(p.NotifySeverity)) {
		return rampart.FieldError(rampart.EUnprocessable, field+".notify_severity", "must be info, low, medium, high or critical")
	}
	return nil
}

// Notifies reports whether incidents of severity s are e-mailed.
func (p *Policy) Notifies(s Severity) bool {
	min := Medium
	if p != nil && p.NotifySeverity != "" {
		min = p.NotifySeverity
	}
	return SeverityRank(s) >= SeverityRank(min)
}

// SeverityRank orders severities (info 0 … critical 4; -1 for unknown).
func SeverityRank(s Severity) int { return slices.Index(Severities(), s) }

// Actions a rule or an admin may take on an incident.
const (
	ActionRevokeUserSessions   = "revoke_user_sessions"
	ActionRevokeTenantSessions = "revoke_tenant_sessions"
	ActionLockAccount          = "lock_account"
	ActionBlockIP              = "block_ip"
	ActionLowerAPIKey          = "lower_api_key"
	ActionRevokeAPIKey         = "revoke_api_key"
)

// Actions lists the remediation actions.
func Actions() []string {
	return []string{ActionRevokeUserSessions, ActionRevokeTenantSessions, ActionLockAccount, ActionBlockIP, ActionLowerAPIKey, ActionRevokeAPIKey}
}

// ValidAction reports whether a names a remediation action.
func ValidAction(a string) bool { return slices.Contains(Actions(), a) }
