package privacy

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// Retention actions, as policies spell them. AnonymizeAlias is accepted on
// input and stored as ActionAnonymise.
const (
	// ActionDelete deletes the rows.
	ActionDelete = store.RetainDelete
	// ActionAnonymise blanks the personal columns and keeps the rest (for
	// audit events: a tombstone, see store.verifyChain).
	ActionAnonymise = store.RetainAnonymise
	// ActionArchive hands the rows to the archive, then deletes them.
	ActionArchive = store.RetainArchive
	// AnonymizeAlias is the American spelling, read as ActionAnonymise.
	AnonymizeAlias = "anonymize"
)

// Actions lists the actions a policy may name.
var Actions = []string{ActionDelete, ActionAnonymise, ActionArchive}

// OwnCategories are Rampart's own categories of personal data that
// retention applies to itself.
var OwnCategories = []string{store.RetainSessions, store.RetainAuditDetails, store.RetainUsageLogs, store.RetainConsentRecords, store.RetainGuardrailEvents}

// Bounds of a policy.
const (
	MinRetentionDays = 1
	MaxRetentionDays = 36500
	// MaxPolicies bounds a tenant's policies (own and platform).
	MaxPolicies = 50
)

// Policy is one retention policy: rows of Category older than Days get
// Action. A platform category (Platform) is the platform's own data:
// Rampart cannot reach it, so it announces it when due to the registered
// systems named in Systems (empty: every one), by signed webhook.
type Policy struct {
	Category    string     `json:"category"`
	Days        int        `json:"days"`
	Action      string     `json:"action"`
	Platform    bool       `json:"platform"`
	Systems     []string   `json:"systems,omitempty"`
	AnnouncedAt *time.Time `json:"announced_at,omitempty"`
}

// PolicySet is a tenant's policies and where they come from: "tenant"
// (set through the API), "default" or "default:coaching" (the preset's).
type PolicySet struct {
	Source   string   `json:"source"`
	Policies []Policy `json:"policies"`
}

const (
	day   = 24 * time.Hour
	years = 365
)

// DefaultPolicies returns the policies of a tenant that set none. The
// coaching preset gets the coaching design's table (user interactions 2
// years, conversation history 1, analytics 3, audit logs and billing 7) as
// platform categories, and Rampart's own categories matched to it; other
// tenants get Rampart's own categories only.
func DefaultPolicies(preset string) []Policy {
	if preset == authz.PresetCoaching {
		return []Policy{
			{Category: store.RetainSessions, Days: 2 * years, Action: ActionDelete},                // user interactions
			{Category: store.RetainAuditDetails, Days: 7 * years, Action: ActionAnonymise},         // audit logs
			{Category: store.RetainUsageLogs, Days: 3 * years, Action: ActionAnonymise},            // analytics: kept without the person
			{Category: store.RetainConsentRecords, Days: 7 * years, Action: ActionDelete},          // proof, as long as audit logs
			{Category: store.RetainGuardrailEvents, Days: 1 * years, Action: ActionAnonymise},      // conversation history
			{Category: "user_interactions", Days: 2 * years, Action: ActionDelete, Platform: true}, // the design's table
			{Category: "conversation_history", Days: 1 * years, Action: ActionArchive, Platform: true},
			{Category: "analytics_data", Days: 3 * years, Action: ActionAnonymise, Platform: true},
			{Category: "audit_logs", Days: 7 * years, Action: ActionDelete, Platform: true},
			{Category: "billing_data", Days: 7 * years, Action: ActionArchive, Platform: true},
		}
	}
	return []Policy{
		{Category: store.RetainSessions, Days: 90, Action: ActionDelete},
		{Category: store.RetainAuditDetails, Days: 2 * years, Action: ActionAnonymise},
		{Category: store.RetainUsageLogs, Days: 400, Action: ActionDelete}, // a year and its comparison month
		{Category: store.RetainConsentRecords, Days: 3 * years, Action: ActionDelete},
		{Category: store.RetainGuardrailEvents, Days: 180, Action: ActionAnonymise},
	}
}

// PresetSource tells which role preset a tenant was created with.
type PresetSource interface {
	RolePreset(ctx context.Context, tenantID string) (string, error)
}

// Archiver keeps rows that archive_then_delete removes, before they go.
// It must have them durably when it returns nil.
type Archiver interface {
	Archive(ctx context.Context, tenantID, category string, rows []map[string]any) error
}

func (r *Retention) now() time.Time {
	if r.Now != nil {
		return r.Now().UTC()
	}
	return time.Now().UTC()
}

// Policies returns the tenant's policies: its own, or its defaults.
func (r *Retention) Policies(ctx context.Context, tenantID string) (*PolicySet, error) {
	var stored []*store.RetentionPolicy
	if err := r.Store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		stored, err = tx.RetentionPolicies(ctx)
		return err
	}); err != nil {
		return nil, err
	}
	if len(stored) == 0 {
		preset := ""
		if r.Presets != nil {
			p, err := r.Presets.RolePreset(ctx, tenantID)
			if err != nil {
				return nil, err
			}
			preset = p
		}
		set := &PolicySet{Source: "default", Policies: DefaultPolicies(preset)}
		if preset == authz.PresetCoaching {
			set.Source = "default:coaching"
		}
		return set, nil
	}
	set := &PolicySet{Source: "tenant", Policies: make([]Policy, 0, len(stored))}
	for _, p := range stored {
		pol := Policy{Category: p.Category, Days: p.Days, Action: p.Action, Platform: p.Platform, Systems: p.Systems}
		if !p.AnnouncedAt.IsZero() {
			at := p.AnnouncedAt
			pol.AnnouncedAt = &at
		}
		set.Policies = append(set.Policies, pol)
	}
	return set, nil
}

// validatePolicies checks and normalises policies: 422 naming the field.
func validatePolicies(in []Policy) error {
	if len(in) > MaxPolicies {
		return rampart.FieldError(rampart.EUnprocessable, "policies", "at most %d policies", MaxPolicies)
	}
	seen := map[string]bool{}
	for i := range in {
		p := &in[i]
		field := "policies[" + strconv.Itoa(i) + "]."
		if p.Action == AnonymizeAlias {
			p.Action = ActionAnonymise
		}
		own, isOwn := store.RetentionActions[p.Category]
		switch {
		case isOwn && p.Platform:
			return rampart.FieldError(rampart.EUnprocessable, field+"platform", "%s is one of Rampart's own categories, not a platform one", p.Category)
		case !isOwn && !p.Platform:
			return rampart.FieldError(rampart.EUnprocessable, field+"category", "must be one of %s, or a platform category with \"platform\": true", strings.Join(OwnCategories, ", "))
		case !isOwn && !identity.ValidPurpose(p.Category):
			return rampart.FieldError(rampart.EUnprocessable, field+"category", "a platform category is 1 to 64 of a-z, 0-9, _, - and ., starting with a letter")
		case seen[p.Category]:
			return rampart.FieldError(rampart.EUnprocessable, field+"category", "%s appears twice", p.Category)
		case p.Days < MinRetentionDays || p.Days > MaxRetentionDays:
			return rampart.FieldError(rampart.EUnprocessable, field+"days", "must be %d to %d", MinRetentionDays, MaxRetentionDays)
		case !slices.Contains(Actions, p.Action):
			return rampart.FieldError(rampart.EUnprocessable, field+"action", "must be one of %s", strings.Join(Actions, ", "))
		case isOwn && !slices.Contains(own, p.Action):
			// Audit events are hash-chained: they can only become tombstones.
			return rampart.FieldError(rampart.EUnprocessable, field+"action", "%s admits only %s", p.Category, strings.Join(own, ", "))
		case !p.Platform && len(p.Systems) > 0:
			return rampart.FieldError(rampart.EUnprocessable, field+"systems", "only platform categories are announced to systems")
		case len(p.Systems) > store.MaxPrivacySystems:
			return rampart.FieldError(rampart.EUnprocessable, field+"systems", "at most %d systems", store.MaxPrivacySystems)
		}
		for j, s := range p.Systems {
			if !ValidSystemName(s) {
				return rampart.FieldError(rampart.EUnprocessable, field+"systems["+strconv.Itoa(j)+"]", "not a system name")
			}
		}
		seen[p.Category] = true
	}
	return nil
}

// SetPolicies replaces the tenant's policies (an empty list returns it to
// its defaults) and records the change in the audit log.
func (r *Retention) SetPolicies(ctx context.Context, tenantID string, actor audit.Actor, in []Policy) (*PolicySet, error) {
	if err := validatePolicies(in); err != nil {
		return nil, err
	}
	now := r.now()
	err := r.Store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		if len(in) > 0 {
			systems, err := tx.PrivacySystems(ctx)
			if err != nil {
				return err
			}
			for i, p := range in {
				for j, name := range p.Systems {
					if !slices.ContainsFunc(systems, func(s *store.PrivacySystem) bool { return s.Name == name }) {
						return rampart.FieldError(rampart.EUnprocessable, "policies["+strconv.Itoa(i)+"].systems["+strconv.Itoa(j)+"]", "no registered system %s", name)
					}
				}
			}
		}
		ps := make([]*store.RetentionPolicy, 0, len(in))
		summary := map[string]any{}
		for _, p := range in {
			ps = append(ps, &store.RetentionPolicy{Category: p.Category, Days: p.Days, Action: p.Action, Platform: p.Platform, Systems: p.Systems,
				UpdatedBy: actor.UserID, UpdatedAt: now})
			summary[p.Category] = p.Action + " after " + strconv.Itoa(p.Days) + " days"
		}
		if err := tx.ReplaceRetentionPolicies(ctx, ps); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "privacy.retention_policies", Success: true, Details: map[string]any{"policies": summary}, CreatedAt: now})
	})
	if err != nil {
		return nil, err
	}
	return r.Policies(ctx, tenantID)
}

// PreviewItem is what one policy would do now.
type PreviewItem struct {
	Category string    `json:"category"`
	Action   string    `json:"action"`
	Days     int       `json:"days"`
	Cutoff   time.Time `json:"older_than"`
	// Rows is how many rows the action would reach now; null for platform
	// categories, whose rows are the platform's.
	Rows     *int64 `json:"rows"`
	Platform bool   `json:"platform"`
	// Systems are the systems a platform category would be announced to,
	// and Due whether it would be announced now.
	Systems []string `json:"systems,omitempty"`
	Due     bool     `json:"due"`
}

// Preview is the dry run: what a retention run would do now, without
// doing it.
type Preview struct {
	Source      string        `json:"source"`
	GeneratedAt time.Time     `json:"generated_at"`
	Categories  []PreviewItem `json:"categories"`
}

// Preview counts, for each policy, the rows it would reach now.
func (r *Retention) Preview(ctx context.Context, tenantID string) (*Preview, error) {
	set, err := r.Policies(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	now := r.now()
	out := &Preview{Source: set.Source, GeneratedAt: now, Categories: []PreviewItem{}}
	err = r.Store.ReadTenant(ctx, tenantID, func(tx *store.Tx) error {
		systems, err := tx.PrivacySystems(ctx)
		if err != nil {
			return err
		}
		for _, p := range set.Policies {
			item := PreviewItem{Category: p.Category, Action: p.Action, Days: p.Days, Cutoff: now.Add(-time.Duration(p.Days) * day), Platform: p.Platform}
			if p.Platform {
				item.Systems = systemNames(targetSystems(systems, p.Systems))
				item.Due = len(item.Systems) > 0 && announceDue(p, now)
				out.Categories = append(out.Categories, item)
				continue
			}
			sc := store.RetentionScope{Category: p.Category, Action: p.Action, Cutoff: item.Cutoff, Now: now, ThroughSeq: 1<<63 - 1}
			n, err := tx.CountRetention(ctx, sc)
			if err != nil {
				return err
			}
			item.Rows = &n
			item.Due = n > 0
			out.Categories = append(out.Categories, item)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

func systemNames(list []*store.PrivacySystem) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		out = append(out, s.Name)
	}
	return out
}

// targetSystems returns the registered systems a platform policy names
// (all of them when it names none).
func targetSystems(all []*store.PrivacySystem, names []string) []*store.PrivacySystem {
	if len(names) == 0 {
		return all
	}
	var out []*store.PrivacySystem
	for _, s := range all {
		if slices.Contains(names, s.Name) {
			out = append(out, s)
		}
	}
	return out
}

// AnnounceEvery is how often a platform category is announced again while
// its policy stands: its cutoff moves on each day.
const AnnounceEvery = day

func announceDue(p Policy, now time.Time) bool {
	return p.AnnouncedAt == nil || now.Sub(*p.AnnouncedAt) >= AnnounceEvery
}

// retentionRecordDetails are the details of the audit records of a run.
func retentionRecordDetails(category, action string, cutoff time.Time, through int64, rows int64) map[string]any {
	d := map[string]any{"category": category, "action": action, "older_than": cutoff.Format(time.RFC3339)}
	if through > 0 {
		d["through_seq"] = through
	}
	if rows >= 0 {
		d["rows"] = rows
	}
	return d
}

// encodeState and decodeState keep a run's progress for the job's lease.
func encodeState(s runState) string {
	b, _ := json.Marshal(s) // strings and integers cannot fail
	return string(b)
}

func decodeState(s string) runState {
	var st runState
	if s != "" {
		_ = json.Unmarshal([]byte(s), &st) // an unreadable state starts afresh
	}
	return st
}
