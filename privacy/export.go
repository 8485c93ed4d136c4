package privacy

// exportSection is one part of the access export: the columns of one of
// Rampart's tables it shows about the subject. Columns the registry
// withholds (secrets, hashes) are not read; the export says only that they
// exist (an authenticator enrolled, a password set).
type exportSection struct {
	Name    string
	Table   string
	Columns []string
}

// exportPlan is what the access export reads, in the bundle's order.
// TestExportPlanCoversRegistry keeps it and Rampart in step.
var exportPlan = []exportSection{
	{"user", "users", []string{"email", "email_verified_at", "attributes"}},
	{"sessions", "sessions", []string{"ip_address", "user_agent", "device_id"}},
	{"mfa", "mfa_channels", []string{"target"}},
	{"api_keys", "api_keys", []string{"name"}},
	{"consents", "consents", []string{"address", "user_agent"}},
	{"audit_events", "audit_events", []string{"user_id", "ip_address", "user_agent", "details"}},
	{"incidents", "incidents", []string{"subject_user", "subject_ip"}},
	{"ai_usage", "ai_usage", []string{"user_id"}},
}
