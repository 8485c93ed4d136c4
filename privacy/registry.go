package privacy

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

// Categories of personal data, for Rampart's columns and the platform's
// systems alike.
var Categories = []string{"identity", "contact", "credentials", "network", "device", "activity", "consent", "content", "billing", "other"}

// How erasure reaches a column of Rampart's.
const (
	// EraseDelete: the rows go with the user (deleted, or by cascade).
	EraseDelete = "delete"
	// EraseShred: the value is sealed under the subject's own key, which
	// erasure destroys; the row may stay as a tombstone.
	EraseShred = "shred"
	// EraseAnonymise: the value is replaced in place.
	EraseAnonymise = "anonymise"
)

// Column is one column of Rampart's own tables that holds personal data,
// with how the access export shows it and how erasure reaches it.
type Column struct {
	Table    string `json:"table"`
	Column   string `json:"column"`
	Category string `json:"category"`
	// Export is what the access export does with it: "include" (the
	// value, opened when sealed), or "withhold" with Why (a secret, whose
	// existence alone is exported).
	Export string `json:"export"`
	Why    string `json:"why,omitempty"`
	Erase  string `json:"erase"`
}

// Rampart lists every column of Rampart's tables that holds personal data
// about a person: the one place to tag a new one. TestRegistryCoversSchema
// fails when a column named like personal data is in neither Rampart nor
// notPersonal, and TestExportPlanCoversRegistry when a column listed here
// is missing from the export plan.
var Rampart = []Column{
	{"users", "email", "contact", "include", "", EraseShred},
	{"users", "email_key", "contact", "withhold", "a blind index of the email, not the email", EraseAnonymise},
	{"users", "password_hash", "credentials", "withhold", "a secret", EraseAnonymise},
	{"users", "attributes", "identity", "include", "", EraseAnonymise},
	{"users", "email_verified_at", "contact", "include", "", EraseAnonymise},
	{"sessions", "ip_address", "network", "include", "", EraseDelete},
	{"sessions", "user_agent", "device", "include", "", EraseDelete},
	{"sessions", "device_id", "device", "include", "", EraseDelete},
	{"sessions", "fingerprint", "device", "withhold", "a hash used to detect token theft", EraseDelete},
	{"mfa_totp", "secret", "credentials", "withhold", "a secret", EraseDelete},
	{"mfa_backup_codes", "code_hash", "credentials", "withhold", "a secret", EraseDelete},
	{"mfa_channels", "target", "contact", "include", "", EraseDelete},
	{"account_tokens", "target", "contact", "withhold", "a one-time secret's delivery address, short-lived", EraseDelete},
	{"known_logins", "value_hash", "network", "withhold", "a keyed hash of an address or device", EraseDelete},
	{"api_keys", "name", "identity", "include", "", EraseDelete},
	{"audit_events", "user_id", "identity", "include", "", EraseShred},
	{"audit_events", "ip_address", "network", "include", "", EraseShred},
	{"audit_events", "user_agent", "device", "include", "", EraseShred},
	{"audit_events", "details", "activity", "include", "", EraseShred},
	{"incidents", "subject_user", "identity", "include", "", EraseShred},
	{"incidents", "subject_ip", "network", "include", "", EraseShred},
	{"consents", "address", "consent", "include", "", EraseShred},
	{"consents", "user_agent", "consent", "include", "", EraseShred},
	{"ai_usage", "user_id", "activity", "include", "", EraseAnonymise},
	{"outbox", "payload", "contact", "withhold", "messages in transit, sealed, kept until delivered", EraseShred},
	{"privacy_requests", "subject_email", "contact", "withhold", "a blind index of the email, not the email", EraseAnonymise},
}

// personalNames are column names that usually hold personal data; a
// column so named must be in Rampart or notPersonal.
var personalNames = []string{"email", "ip", "address", "user_agent", "phone", "target", "device", "fingerprint", "user_id", "subject", "name", "secret", "payload", "details", "attributes"}

// notPersonal are columns named like personal data that hold none about a
// person, each with why.
var notPersonal = map[string]string{
	"tenants.name": "the tenant's (an organisation's) name", "roles.name": "a role", "jobs.name": "a job",
	"ai_upstreams.name": "a provider", "privacy_systems.name": "a system", "privacy_systems.secret": "a system's signing secret, sealed", "privacy_systems.webhook_url": "a system's endpoint",
	"webhooks.secret": "a tenant's signing secret", "outbox.target": "a webhook id or a sealed address (payload)",
	"ai_budgets.subject": "the tenant or an API key", "revocation_epochs.subject": "a user or tenant id, a counter",
	"mfa_totp.user_id": "the key of rows exported under the user", "mfa_backup_codes.user_id": "as above",
	"mfa_channels.user_id": "as above", "mfa_challenges.user_id": "as above", "sessions.user_id": "as above",
	"account_tokens.user_id": "as above", "known_logins.user_id": "as above", "privacy_requests.subject_user_id": "as above",
	"mfa_challenges.device_id": "a login in progress, minutes long", "consents.subject_index": "a keyed hash of the subject",
	"data_keys.owner": "a keyed hash of the subject", "schema_migrations.name": "a migration", "incidents.summary": "built without personal data",
	"privacy_request_systems.details": "a system's answer about a request, without personal data",
}

// Systems registers and lists the platform's systems holding personal
// data. Build it with NewSystems.
type Systems struct {
	Store *store.Store
	// RequireHTTPS and AllowPrivate are the webhook rules of the
	// deployment.
	RequireHTTPS, AllowPrivate bool
	Now                        func() time.Time
}

// System is a system to register.
type System struct {
	Name, WebhookURL string
	Categories       []string
	CreatedBy        string
}

// ValidSystemName reports whether name may name a system: the rule of
// purpose names (it appears in URLs).
func ValidSystemName(name string) bool { return identity.ValidPurpose(name) }

// Register stores a system: 422 naming the field for a bad name, URL or
// category, 409 for a taken name.
func (s *Systems) Register(ctx context.Context, tenantID string, in System) (*RegisteredSystem, error) {
	if !ValidSystemName(in.Name) {
		return nil, rampart.FieldError(rampart.EUnprocessable, "name", "a system name is 1 to 64 of a-z, 0-9, _, - and ., starting with a letter")
	}
	if err := webhook.ValidateURL(in.WebhookURL, s.RequireHTTPS, s.AllowPrivate); err != nil {
		return nil, rampart.FieldError(rampart.EUnprocessable, "webhook_url", "%s", rampart.ErrorMessage(err))
	}
	if len(in.Categories) == 0 {
		return nil, rampart.FieldError(rampart.EUnprocessable, "categories", "name at least one category: %s", strings.Join(Categories, ", "))
	}
	for i, c := range in.Categories {
		if !slices.Contains(Categories, c) {
			return nil, rampart.FieldError(rampart.EUnprocessable, "categories["+strconv.Itoa(i)+"]", "must be one of %s", strings.Join(Categories, ", "))
		}
	}
	now := time.Now
	if s.Now != nil {
		now = s.Now
	}
	secret, err := webhook.GenerateSecret()
	if err != nil {
		return nil, err
	}
	p := &store.PrivacySystem{Name: in.Name, WebhookURL: in.WebhookURL, Categories: in.Categories, CreatedBy: in.CreatedBy, CreatedAt: now().UTC(), Secret: secret}
	if err := s.Store.InTenant(ctx, tenantID, func(tx *store.Tx) error { return tx.AddPrivacySystem(ctx, p) }); err != nil {
		return nil, err
	}
	return &RegisteredSystem{PrivacySystem: p, Secret: secret}, nil
}

// RegisteredSystem is a system just registered, with the secret its
// webhooks are signed with (Standard Webhooks, whsec_...): shown once.
type RegisteredSystem struct {
	*store.PrivacySystem
	Secret string `json:"secret"`
}

// List returns the tenant's systems by name.
func (s *Systems) List(ctx context.Context, tenantID string) (out []*store.PrivacySystem, err error) {
	err = s.Store.ReadTenant(ctx, tenantID, func(tx *store.Tx) error {
		out, err = tx.PrivacySystems(ctx)
		return err
	})
	return out, err
}
