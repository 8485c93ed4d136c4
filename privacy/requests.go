package privacy

import (
	"context"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

// Types of data-subject requests.
var RequestTypes = []string{"access", "portability", "erasure", "rectification", "restriction"}

// Request statuses as callers see them: received (open, within its
// deadline), overdue (open, past it; never stored), completed.
const (
	StatusReceived  = "received"
	StatusOverdue   = "overdue"
	StatusCompleted = store.PrivacyRequestDone
)

// Deadline is how long a jurisdiction gives to answer, and how much one
// extension may add.
type Deadline struct {
	Days          int `json:"days"`
	MaxExtendDays int `json:"max_extension_days"`
}

// DefaultDeadline applies when a request names no jurisdiction: GDPR's
// one month (Art. 12(3)), read as 30 days, extendable by two more.
var DefaultDeadline = Deadline{Days: 30, MaxExtendDays: 60}

// Deadlines by jurisdiction. GDPR and UK GDPR: one month plus two (Art.
// 12(3)); CCPA/CPRA: 45 days plus 45 (Cal. Civ. Code §1798.130); LGPD: 15
// days (Art. 19), no extension in law, 15 granted for complex cases by
// practice; PIPEDA: 30 days plus 30 (s. 8(3)-(4)).
var Deadlines = map[string]Deadline{
	"gdpr":    DefaultDeadline,
	"uk_gdpr": DefaultDeadline,
	"ccpa":    {Days: 45, MaxExtendDays: 45},
	"cpra":    {Days: 45, MaxExtendDays: 45},
	"lgpd":    {Days: 15, MaxExtendDays: 15},
	"pipeda":  {Days: 30, MaxExtendDays: 30},
}

// SelfServiceStepUp is how recent a user's second factor must be to make
// a request about themselves (POST /v1/me/privacy/requests) when the
// tenant sets no shorter step-up window: a stolen session alone must not
// be able to ask for a person's data or their erasure.
const SelfServiceStepUp = 10 * time.Minute

// MaxExtendDays bounds any extension.
const MaxExtendDays = 60

func jurisdictions() []string {
	out := make([]string, 0, len(Deadlines))
	for j := range Deadlines {
		out = append(out, j)
	}
	sort.Strings(out)
	return out
}

func deadlineOf(jurisdiction string) Deadline {
	if d, ok := Deadlines[jurisdiction]; ok {
		return d
	}
	return DefaultDeadline
}

// Subject names the person a request is about: a user id or an email.
// Neither is checked against the accounts when the request is made, so the
// answer is the same whether the person has an account or not.
type Subject struct {
	UserID string `json:"user_id,omitempty"`
	// Email is shown only in the answer to the request that gave it; the
	// request keeps its blind index.
	Email string `json:"email,omitempty"`
}

// Extension is a request's one extension.
type Extension struct {
	Days   int       `json:"days"`
	Reason string    `json:"reason"`
	At     time.Time `json:"extended_at"`
}

// Request is a data-subject request as callers see it.
type Request struct {
	ID           string     `json:"id"`
	Type         string     `json:"type"`
	Subject      Subject    `json:"subject"`
	Jurisdiction string     `json:"jurisdiction,omitempty"`
	Status       string     `json:"status"`
	ReceivedAt   time.Time  `json:"received_at"`
	DueAt        time.Time  `json:"due_at"`
	Extension    *Extension `json:"extension,omitempty"`
	CompletedAt  *time.Time `json:"completed_at,omitempty"`
	CreatedBy    string     `json:"created_by,omitempty"`
	// Systems are the registered systems asked about the request, with
	// their answers (GET of one request only).
	Systems []*store.PrivacyRequestSystem `json:"systems,omitempty"`
}

// NewRequest is a request to make.
type NewRequest struct {
	Type         string
	Subject      Subject
	Jurisdiction string
	CreatedBy    string
}

// Requests keeps data-subject requests and their deadlines.
type Requests struct {
	Store *store.Store
	// Vault destroys a subject's keys on erasure.
	Vault *vault.Vault
	// Consents lists the subject's consent records for the export and
	// forgets cached decisions on erasure; nil leaves consent out.
	Consents *Consents
	Now      func() time.Time
	// Notify, when set, wakes the outbox worker after webhooks to
	// registered systems are queued.
	Notify func()
}

func (s *Requests) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

// view turns a stored request into what callers see at now.
func view(p *store.PrivacyRequest, now time.Time) *Request {
	r := &Request{ID: p.ID, Type: p.Type, Subject: Subject{UserID: p.SubjectUserID}, Jurisdiction: p.Jurisdiction, Status: p.Status,
		ReceivedAt: p.ReceivedAt, DueAt: p.DueAt, CreatedBy: p.CreatedBy}
	if p.SubjectEmail != "" {
		r.Subject.Email = "(by email)"
	}
	if !p.ExtendedAt.IsZero() {
		r.Extension = &Extension{Days: p.ExtensionDays, Reason: p.ExtensionReason, At: p.ExtendedAt}
	}
	if !p.CompletedAt.IsZero() {
		at := p.CompletedAt
		r.CompletedAt = &at
	}
	if r.Status != StatusCompleted && now.After(r.DueAt) {
		r.Status = StatusOverdue
	}
	return r
}

// Create records a request received now, due by its jurisdiction's
// deadline. A bad type, jurisdiction or subject is a 422 naming the field.
func (s *Requests) Create(ctx context.Context, tenantID string, in NewRequest) (*Request, error) {
	if !slices.Contains(RequestTypes, in.Type) {
		return nil, rampart.FieldError(rampart.EUnprocessable, "type", "must be one of %s", strings.Join(RequestTypes, ", "))
	}
	if _, ok := Deadlines[in.Jurisdiction]; in.Jurisdiction != "" && !ok {
		return nil, rampart.FieldError(rampart.EUnprocessable, "jurisdiction", "must be one of %s", strings.Join(jurisdictions(), ", "))
	}
	switch {
	case (in.Subject.UserID == "") == (in.Subject.Email == ""):
		return nil, rampart.FieldError(rampart.EUnprocessable, "subject", "name the subject by exactly one of user_id and email")
	case in.Subject.Email != "":
		if err := identity.ValidateEmail("subject.email", in.Subject.Email); err != nil {
			return nil, err
		}
	}
	now := s.now()
	p := &store.PrivacyRequest{Type: in.Type, SubjectUserID: in.Subject.UserID, Jurisdiction: in.Jurisdiction, Status: StatusReceived,
		ReceivedAt: now, DueAt: now.Add(time.Duration(deadlineOf(in.Jurisdiction).Days) * 24 * time.Hour), CreatedBy: in.CreatedBy}
	queued := false
	err := s.Store.InTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if in.Subject.Email != "" {
			if p.SubjectEmail, err = tx.EmailIndex(in.Subject.Email); err != nil {
				return err
			}
		}
		if err := tx.AddPrivacyRequest(ctx, p); err != nil {
			return err
		}
		if queued, err = s.fanOut(ctx, tx, p, in.Subject.Email, now); err != nil {
			return err
		}
		return appendEvent(ctx, tx, audit.PrivacyRequestCreated, "privacy_request:"+p.ID, map[string]any{"type": p.Type, "jurisdiction": p.Jurisdiction})
	})
	if err != nil {
		return nil, err
	}
	if queued && s.Notify != nil {
		s.Notify()
	}
	r := view(p, now)
	r.Subject.Email = in.Subject.Email
	return r, nil
}

// Get returns one request.
func (s *Requests) Get(ctx context.Context, tenantID, id string) (*Request, error) {
	var p *store.PrivacyRequest
	var systems []*store.PrivacyRequestSystem
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		if p, err = tx.PrivacyRequest(ctx, id); err != nil {
			return err
		}
		systems, err = tx.PrivacyRequestSystems(ctx, id)
		return err
	})
	if err != nil {
		return nil, err
	}
	r := view(p, s.now())
	if len(systems) > 0 {
		r.Systems = systems
	}
	return r, nil
}

// List returns the tenant's requests of a status (empty: all), newest
// first.
func (s *Requests) List(ctx context.Context, tenantID, status string) ([]*Request, error) {
	now := s.now()
	f := store.PrivacyRequestFilter{}
	switch status {
	case "":
	case StatusOverdue:
		f.OpenDueBefore = now
	case StatusReceived:
		f.Status, f.DueFrom = StatusReceived, now
	case StatusCompleted:
		f.Status = StatusCompleted
	default:
		return nil, rampart.FieldError(rampart.EUnprocessable, "status", "must be one of received, overdue, completed")
	}
	var list []*store.PrivacyRequest
	err := s.Store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		list, err = tx.PrivacyRequests(ctx, f)
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]*Request, 0, len(list))
	for _, p := range list {
		out = append(out, view(p, now))
	}
	return out, nil
}

// Extend moves a request's due date once, by at most its jurisdiction's
// extension (and never more than MaxExtendDays), with the reason recorded.
func (s *Requests) Extend(ctx context.Context, tenantID, id string, days int, reason string) (*Request, error) {
	if strings.TrimSpace(reason) == "" {
		return nil, rampart.FieldError(rampart.EUnprocessable, "reason", "say why the request needs more time")
	}
	r, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	// The law asks for the extension within the first deadline.
	if r.Status == StatusOverdue {
		return nil, rampart.Errorf(rampart.EConflict, "the request is overdue; an extension is made before the deadline")
	}
	limit := min(deadlineOf(r.Jurisdiction).MaxExtendDays, MaxExtendDays)
	if days < 1 || days > limit {
		return nil, rampart.FieldError(rampart.EUnprocessable, "days", "must be from 1 to %d", limit)
	}
	err = s.Store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		if err := tx.ExtendPrivacyRequest(ctx, id, days, reason, s.now()); err != nil {
			return err
		}
		return appendEvent(ctx, tx, audit.PrivacyRequestExtended, "privacy_request:"+id, map[string]any{"days": days})
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, tenantID, id)
}
