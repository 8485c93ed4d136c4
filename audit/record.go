package audit

import "time"

// Record is an event as the API, the feed and webhooks show it.
type Record struct {
	ID        string         `json:"id"`
	Seq       int64          `json:"seq"`
	Type      string         `json:"event_type"`
	TenantID  string         `json:"tenant_id"`
	UserID    string         `json:"user_id"`
	IP        string         `json:"ip_address"`
	UserAgent string         `json:"user_agent"`
	Resource  string         `json:"resource"`
	Success   bool           `json:"success"`
	Details   map[string]any `json:"details"`
	CreatedAt time.Time      `json:"created_at"`
	Hash      string         `json:"hash"`
	// Erased marks an event whose subject was erased: ip_address,
	// user_agent and details are empty because their key is destroyed.
	Erased bool `json:"erased,omitempty"`
}

// Record returns e as shown outside.
func (e *Event) Record() Record {
	d := e.Details
	if d == nil {
		d = map[string]any{}
	}
	return Record{ID: e.ID, Seq: e.Seq, Type: string(e.Type), TenantID: e.TenantID, UserID: e.UserID, IP: e.IP,
		UserAgent: e.UserAgent, Resource: e.Resource, Success: e.Success, Details: d, CreatedAt: e.CreatedAt, Hash: e.Hash, Erased: e.Erased}
}
