package authz

// Role presets a tenant chooses at creation. Each has the owner role (`*`,
// level 6), the root of the tenant whatever the preset.
const (
	PresetChatbot   = "chatbot"               // the chatbot platform's design (default)
	PresetDocuments = "document_intelligence" // the document-intelligence design
	PresetCoaching  = "coaching"              // the coaching platform's design
	DefaultPreset   = PresetChatbot
	OwnerRole       = "owner"
	ownerLevel      = MaxLevel
)

// Rampart's own API permissions, held by the chatbot set's admin through its
// wildcards and added to the other presets' admins so that they can run the
// tenant in Rampart (users, audit log, API keys).
// crypto:encrypt and crypto:decrypt (the encryption API) go to every
// preset's admin through crypto:*; guard:scan (the guardrails API) to every
// admin and to every role that writes conversations or content or calls
// the API. ai:chat and ai:embeddings (the AI gateway) go where guard:scan
// goes. admin:compliance (consent, data-subject requests, the registry of
// personal data) goes to every preset's admin.
var management = []string{"users:*", "admin:audit", "admin:compliance", "api:keys", "crypto:*", "guard:scan", "ai:chat", "ai:embeddings"}

var presets = map[string][]Role{
	PresetChatbot: {
		{Name: "owner", Level: 6, Permissions: []string{"*"}},
		{Name: "admin", Level: 5, Permissions: []string{"conversations:*", "config:*", "users:*", "analytics:*", "api:*", "integrations:*", "admin:billing", "admin:audit", "admin:compliance", "crypto:*", "guard:scan", "ai:chat", "ai:embeddings"}},
		{Name: "developer", Level: 4, Permissions: []string{"conversations:read", "config:read", "config:flows", "config:integrations", "config:models", "analytics:read", "api:*", "integrations:*", "guard:scan", "ai:chat", "ai:embeddings"}},
		{Name: "manager", Level: 3, Permissions: []string{"conversations:read", "conversations:export", "config:read", "users:read", "users:invite", "analytics:*"}},
		{Name: "member", Level: 2, Permissions: []string{"conversations:read", "conversations:write", "config:read", "analytics:read", "guard:scan", "ai:chat", "ai:embeddings"}},
		{Name: "viewer", Level: 1, Permissions: []string{"conversations:read", "config:read", "analytics:read"}},
		{Name: "api_user", Level: 1, Permissions: []string{"api:read", "api:write", "conversations:read", "conversations:write", "guard:scan", "ai:chat", "ai:embeddings"}},
	},
	PresetDocuments: {
		{Name: "owner", Level: 6, Permissions: []string{"*"}},
		{Name: "admin", Level: 5, Permissions: append([]string{"document:*", "ontology:*", "extraction:*", "database:*", "user:manage", "system:config", "audit:read"}, management...)},
		{Name: "power_user", Level: 4, Permissions: []string{"document:create", "document:read", "document:update", "ontology:create", "ontology:read", "ontology:update", "extraction:create", "extraction:read", "extraction:cancel", "database:connect", "database:import", "database:export", "guard:scan", "ai:chat", "ai:embeddings"}},
		{Name: "standard_user", Level: 3, Permissions: []string{"document:create", "document:read", "ontology:read", "ontology:update", "extraction:create", "extraction:read", "database:export", "guard:scan", "ai:chat", "ai:embeddings"}},
		{Name: "viewer", Level: 1, Permissions: []string{"document:read", "ontology:read", "extraction:read"}},
	},
	PresetCoaching: {
		{Name: "owner", Level: 6, Permissions: []string{"*"}},
		// The admin also holds the creator's and support's permissions, so
		// that it can hand those roles out (nobody grants what they lack).
		{Name: "admin", Level: 5, Permissions: append([]string{"read:all_data", "write:all_data", "delete:all_data", "manage:users", "manage:system", "read:system_analytics",
			"read:own_data", "write:own_data", "delete:own_data", "read:own_users", "write:own_users", "read:own_analytics", "manage:own_channels",
			"read:user_data", "read:creator_data", "write:support_tickets"}, management...)},
		{Name: "creator", Level: 3, Permissions: []string{"read:own_data", "write:own_data", "delete:own_data", "read:own_users", "write:own_users", "read:own_analytics", "manage:own_channels", "guard:scan", "ai:chat", "ai:embeddings"}},
		{Name: "support", Level: 2, Permissions: []string{"read:user_data", "read:creator_data", "write:support_tickets"}},
	},
}

// ValidPreset reports whether name is a preset.
func ValidPreset(name string) bool {
	_, ok := presets[name]
	return ok
}

// PresetNames lists the presets.
func PresetNames() []string { return []string{PresetChatbot, PresetDocuments, PresetCoaching} }
