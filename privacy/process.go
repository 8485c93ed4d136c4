package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// MaxExportEvents bounds the audit events one export carries.
const MaxExportEvents = 100_000

// exportEventsBatch is how many audit events the export reads per query.
const exportEventsBatch = 1000

// Bundle is the access and portability export: everything Rampart holds
// about the subject, in the export plan's sections. Secrets and hashes are
// not in it; Withheld lists them with why.
type Bundle struct {
	RequestID   string                 `json:"request_id"`
	GeneratedAt time.Time              `json:"generated_at"`
	User        *ExportUser            `json:"user"` // nil: no account
	Sessions    []ExportSession        `json:"sessions"`
	MFA         ExportMFA              `json:"mfa"`
	APIKeys     []ExportAPIKey         `json:"api_keys"`
	Consents    []*Consent             `json:"consents"`
	AuditEvents []*ExportEvent         `json:"audit_events"`
	Withheld    []Column               `json:"withheld"`
	Systems     []*store.PrivacySystem `json:"systems"` // the platform's, to be asked as well
}

// ExportUser is the subject's account, email opened.
type ExportUser struct {
	ID          string              `json:"id"`
	Email       string              `json:"email"`
	Role        string              `json:"role"`
	Status      string              `json:"status"`
	PasswordSet bool                `json:"password_set"`
	Attributes  identity.Attributes `json:"attributes"`
	CreatedAt   time.Time           `json:"created_at"`
	UpdatedAt   time.Time           `json:"updated_at"`
}

// ExportSession is one session, ended ones included.
type ExportSession struct {
	ID           string     `json:"id"`
	CreatedAt    time.Time  `json:"created_at"`
	LastActivity time.Time  `json:"last_activity"`
	IPAddress    string     `json:"ip_address"`
	UserAgent    string     `json:"user_agent"`
	DeviceID     string     `json:"device_id,omitempty"`
	Active       bool       `json:"active"`
	EndedAt      *time.Time `json:"ended_at,omitempty"`
}

// ExportMFA says which second factors are enrolled, never their secrets.
type ExportMFA struct {
	TOTP     *ExportTOTP     `json:"totp,omitempty"`
	Channels []ExportChannel `json:"channels"`
}

// ExportTOTP is an authenticator enrolment, without its secret.
type ExportTOTP struct {
	CreatedAt   time.Time  `json:"created_at"`
	ConfirmedAt *time.Time `json:"confirmed_at,omitempty"`
}

// ExportChannel is an e-mail or SMS factor. The phone number stays
// sealed in the store; the export says only that one is enrolled.
type ExportChannel struct {
	Method      string    `json:"method"`
	ConfirmedAt time.Time `json:"confirmed_at"`
}

// ExportAPIKey is an API key's metadata, never its hash.
type ExportAPIKey struct {
	ID         string     `json:"id"`
	Name       string     `json:"name"`
	Role       string     `json:"role,omitempty"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at,omitempty"`
	RevokedAt  *time.Time `json:"revoked_at,omitempty"`
}

// ExportEvent is an audit event about the subject, with its details.
type ExportEvent struct {
	Seq       int64          `json:"seq"`
	Type      string         `json:"type"`
	IPAddress string         `json:"ip_address,omitempty"`
	UserAgent string         `json:"user_agent,omitempty"`
	Resource  string         `json:"resource,omitempty"`
	Success   bool           `json:"success"`
	Details   map[string]any `json:"details,omitempty"`
	CreatedAt time.Time      `json:"created_at"`
}

// Erasure is what an erasure did; it is the completed request's result.
type Erasure struct {
	RequestID    string           `json:"request_id"`
	KeysShredded int64            `json:"keys_shredded"`
	Rows         store.ErasedRows `json:"rows"`
	ErasedAt     time.Time        `json:"erased_at"`
}

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// subjectOf finds the account a request is about, or nil when there is
// none (a request for a person without an account is answered all the
// same, with an empty bundle or nothing to erase).
func subjectOf(ctx context.Context, tx *store.Tx, p *store.PrivacyRequest) (*identity.User, error) {
	var u *identity.User
	var err error
	if p.SubjectUserID != "" {
		u, err = tx.UserByID(ctx, p.SubjectUserID)
	} else {
		u, err = tx.UserByEmailIndex(ctx, p.SubjectEmail)
	}
	if rampart.ErrorCode(err) == rampart.ENotFound {
		return nil, nil
	}
	return u, err
}

// openRequest returns a request of one of types.
func (s *Requests) openRequest(ctx context.Context, tenantID, id string, types ...string) (*store.PrivacyRequest, error) {
	var p *store.PrivacyRequest
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		p, err = tx.PrivacyRequest(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	for _, t := range types {
		if p.Type == t {
			return p, nil
		}
	}
	return nil, rampart.Errorf(rampart.EConflict, "this is a request of type %s", p.Type)
}

// Export builds the bundle of an access or portability request and marks
// the request completed (an export made again later reads the data as it
// is then).
func (s *Requests) Export(ctx context.Context, tenantID, id string) (*Bundle, error) {
	p, err := s.openRequest(ctx, tenantID, id, "access", "portability")
	if err != nil {
		return nil, err
	}
	now := s.now()
	b := &Bundle{RequestID: p.ID, GeneratedAt: now, Sessions: []ExportSession{}, MFA: ExportMFA{Channels: []ExportChannel{}},
		APIKeys: []ExportAPIKey{}, Consents: []*Consent{}, AuditEvents: []*ExportEvent{}}
	for _, c := range Rampart {
		if c.Export == "withhold" {
			b.Withheld = append(b.Withheld, c)
		}
	}
	var u *identity.User
	err = s.Store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if b.Systems, err = tx.PrivacySystems(ctx); err != nil {
			return err
		}
		if u, err = subjectOf(ctx, tx, p); err != nil || u == nil {
			return err
		}
		return exportAccount(ctx, tx, u, b)
	})
	if err != nil {
		return nil, err
	}
	if u != nil {
		if err := s.exportConsents(ctx, tenantID, u, b); err != nil {
			return nil, err
		}
	}
	err = s.Store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		if p.Result == "" {
			if err := s.finishOwnPart(ctx, tx, p, "exported", now); err != nil {
				return err
			}
		}
		return appendEvent(ctx, tx, audit.PrivacyRequestExported, "privacy_request:"+p.ID, map[string]any{"events": len(b.AuditEvents)})
	})
	if err != nil {
		return nil, err
	}
	return b, nil
}

func exportAccount(ctx context.Context, tx *store.Tx, u *identity.User, b *Bundle) error {
	b.User = &ExportUser{ID: u.ID, Email: u.Email, Role: string(u.Role), Status: u.Status, PasswordSet: u.PasswordHash != "",
		Attributes: u.Attributes, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt}
	sessions, err := tx.UserSessions(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, s := range sessions {
		b.Sessions = append(b.Sessions, ExportSession{ID: s.ID, CreatedAt: s.CreatedAt, LastActivity: s.LastActivity, IPAddress: s.IP,
			UserAgent: s.UserAgent, DeviceID: s.DeviceID, Active: s.Active, EndedAt: timePtr(s.EndedAt)})
	}
	totp, err := tx.TOTP(ctx, u.ID)
	switch {
	case err == nil:
		b.MFA.TOTP = &ExportTOTP{CreatedAt: totp.CreatedAt, ConfirmedAt: timePtr(totp.ConfirmedAt)}
	case rampart.ErrorCode(err) != rampart.ENotFound:
		return err
	}
	channels, err := tx.MFAChannels(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, c := range channels {
		b.MFA.Channels = append(b.MFA.Channels, ExportChannel{Method: c.Method, ConfirmedAt: c.ConfirmedAt})
	}
	apiKeys, err := tx.UserAPIKeys(ctx, u.ID)
	if err != nil {
		return err
	}
	for _, k := range apiKeys {
		b.APIKeys = append(b.APIKeys, ExportAPIKey{ID: k.ID, Name: k.Name, Role: k.Role, CreatedAt: k.CreatedAt,
			LastUsedAt: timePtr(k.LastUsedAt), RevokedAt: timePtr(k.RevokedAt)})
	}
	f := audit.Filter{UserID: u.ID, Limit: exportEventsBatch}
	for len(b.AuditEvents) < MaxExportEvents {
		events, err := tx.SearchAudit(ctx, f)
		if err != nil {
			return err
		}
		for _, e := range events {
			b.AuditEvents = append(b.AuditEvents, &ExportEvent{Seq: e.Seq, Type: string(e.Type), IPAddress: e.IP, UserAgent: e.UserAgent,
				Resource: e.Resource, Success: e.Success, Details: e.Details, CreatedAt: e.CreatedAt})
			f.BeforeSeq = e.Seq
		}
		if len(events) < exportEventsBatch {
			break
		}
	}
	return nil
}

// subjectNames are the names consent records may know the user by: the id
// and the email.
func subjectNames(u *identity.User) []string {
	names := []string{u.ID}
	if u.Email != "" {
		names = append(names, u.Email)
		if n := identity.NormalizeEmail(u.Email); n != u.Email {
			names = append(names, n)
		}
	}
	return names
}

func (s *Requests) exportConsents(ctx context.Context, tenantID string, u *identity.User, b *Bundle) error {
	if s.Consents == nil {
		return nil
	}
	for _, name := range subjectNames(u) {
		list, err := s.Consents.List(ctx, tenantID, name)
		if err != nil {
			return err
		}
		b.Consents = append(b.Consents, list...)
	}
	return nil
}

// Erase carries out an erasure request: the subject's data keys are
// destroyed first (crypto-shredding: what was sealed under them, here and
// in every backup, can no longer be opened), then their account and every
// row that exists only for them is deleted. Audit events stay, their hash
// chain intact. Erasing again (the same request, or another for the same
// subject) is harmless: the request answers its first result, and a
// subject already gone has nothing left to erase.
func (s *Requests) Erase(ctx context.Context, tenantID, id string) (*Erasure, error) {
	p, err := s.openRequest(ctx, tenantID, id, "erasure")
	if err != nil {
		return nil, err
	}
	if p.Result != "" {
		var done Erasure
		if err := json.Unmarshal([]byte(p.Result), &done); err == nil {
			return &done, nil
		}
	}
	var u *identity.User
	if err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		u, err = subjectOf(ctx, tx, p)
		return err
	}); err != nil {
		return nil, err
	}
	out := &Erasure{RequestID: p.ID, ErasedAt: s.now()}
	names := []string{p.SubjectUserID}
	if u != nil {
		names = subjectNames(u)
	}
	if s.Vault == nil {
		return nil, errors.New("privacy: erasure needs the vault")
	}
	for _, name := range names {
		if name == "" {
			continue
		}
		n, err := s.Vault.Shred(ctx, tenantID, name)
		if err != nil {
			return nil, err
		}
		out.KeysShredded += n
	}
	err = s.Store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		if u != nil {
			rows, err := tx.EraseUser(ctx, u.ID)
			if err != nil {
				return err
			}
			out.Rows = *rows
		}
		result, err := json.Marshal(out)
		if err != nil {
			return err
		}
		if err := s.finishOwnPart(ctx, tx, p, string(result), out.ErasedAt); err != nil {
			return err
		}
		return appendEvent(ctx, tx, audit.PrivacyRequestErased, "privacy_request:"+p.ID, map[string]any{"keys_shredded": out.KeysShredded, "users": out.Rows.Users})
	})
	if err != nil {
		return nil, err
	}
	if s.Consents != nil {
		for _, name := range names {
			s.Consents.invalidate(ctx, tenantID, s.Consents.subjectIndex(tenantID, name))
		}
	}
	return out, nil
}
