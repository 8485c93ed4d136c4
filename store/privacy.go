package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
)

// Consent is one consent record: a grant or a withdrawal of one purpose by
// one subject. Address and UserAgent arrive sealed (the store keeps them as
// given); SubjectIndex is a keyed hash of the subject.
type Consent struct {
	ID            string
	SubjectIndex  string
	Purpose       string
	Granted       bool
	PolicyVersion string
	Method        string
	Address       string
	UserAgent     string
	RecordedBy    string
	CreatedAt     time.Time
}

// MaxConsentsPage bounds the records one listing returns.
const MaxConsentsPage = 1000

const consentColumns = "id, subject_index, purpose, granted, policy_version, method, address, user_agent, recorded_by, created_at"

// AddConsent appends a consent record for the scoped tenant; its ID (a
// UUIDv7, ordering records of the same instant) is filled in when empty.
func (tx *Tx) AddConsent(ctx context.Context, c *Consent) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if c.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		c.ID = id.String()
	}
	_, err = tx.exec(ctx, "INSERT INTO consents (tenant_id, "+consentColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		tenantID, c.ID, c.SubjectIndex, c.Purpose, c.Granted, c.PolicyVersion, c.Method, c.Address, c.UserAgent, c.RecordedBy, tx.d.timeArg(c.CreatedAt))
	return err
}

func scanConsent(row interface{ Scan(...any) error }) (*Consent, error) {
	var c Consent
	err := row.Scan(&c.ID, &c.SubjectIndex, &c.Purpose, &c.Granted, &c.PolicyVersion, &c.Method, &c.Address, &c.UserAgent, &c.RecordedBy, scanTime{&c.CreatedAt})
	return &c, err
}

// Consents lists a subject's records, oldest first (at most MaxConsentsPage).
func (tx *Tx) Consents(ctx context.Context, subjectIndex string) ([]*Consent, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT "+consentColumns+" FROM consents WHERE tenant_id = ? AND subject_index = ? ORDER BY created_at, id LIMIT ?",
		tenantID, subjectIndex, MaxConsentsPage)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Consent
	for rows.Next() {
		c, err := scanConsent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// LatestConsent returns a subject's newest record for purpose, or nil.
func (tx *Tx) LatestConsent(ctx context.Context, subjectIndex, purpose string) (*Consent, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	c, err := scanConsent(tx.queryRow(ctx, "SELECT "+consentColumns+" FROM consents WHERE tenant_id = ? AND subject_index = ? AND purpose = ? ORDER BY created_at DESC, id DESC LIMIT 1",
		tenantID, subjectIndex, purpose))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return c, err
}

// PrivacySystem is a system of the platform that holds personal data.
type PrivacySystem struct {
	ID         string    `json:"id"`
	Name       string    `json:"name"`
	WebhookURL string    `json:"webhook_url"`
	Categories []string  `json:"categories"`
	CreatedBy  string    `json:"created_by,omitempty"`
	CreatedAt  time.Time `json:"created_at"`
	// Secret signs the system's webhooks; sealed at rest, shown once.
	Secret string `json:"-"`
}

// systemSecretField names the sealed secret column for the field sealer.
const systemSecretField = "privacy_systems.secret"

// MaxPrivacySystems bounds a tenant's registered systems.
const MaxPrivacySystems = 100

const systemColumns = "id, name, webhook_url, categories, created_by, created_at"

// AddPrivacySystem registers a system for the scoped tenant; a taken name
// is a conflict, and so is a tenant at MaxPrivacySystems.
func (tx *Tx) AddPrivacySystem(ctx context.Context, p *PrivacySystem) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	var n int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM privacy_systems WHERE tenant_id = ?", tenantID).Scan(&n); err != nil {
		return err
	}
	if n >= MaxPrivacySystems {
		return rampart.Errorf(rampart.EConflict, "a tenant registers at most %d systems", MaxPrivacySystems)
	}
	var taken int
	if err := tx.queryRow(ctx, "SELECT COUNT(*) FROM privacy_systems WHERE tenant_id = ? AND name = ?", tenantID, p.Name).Scan(&taken); err != nil {
		return err
	}
	if taken > 0 {
		return rampart.FieldError(rampart.EConflict, "name", "a system named %q is registered already", p.Name)
	}
	if p.ID == "" {
		p.ID = uuid.NewString()
	}
	cats, err := json.Marshal(p.Categories)
	if err != nil {
		return err
	}
	secret := p.Secret
	if tx.fields != nil && secret != "" {
		if secret, err = tx.fields.SealField(tenantID, p.ID, systemSecretField, secret); err != nil {
			return err
		}
	}
	_, err = tx.exec(ctx, "INSERT INTO privacy_systems (tenant_id, "+systemColumns+", secret) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		tenantID, p.ID, p.Name, p.WebhookURL, string(cats), p.CreatedBy, tx.d.timeArg(p.CreatedAt), secret)
	return err
}

// PrivacySystemByID returns a system with its signing secret opened.
func (tx *Tx) PrivacySystemByID(ctx context.Context, id string) (*PrivacySystem, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	var p PrivacySystem
	var cats string
	err = tx.queryRow(ctx, "SELECT "+systemColumns+", secret FROM privacy_systems WHERE tenant_id = ? AND id = ?", tenantID, id).
		Scan(&p.ID, &p.Name, &p.WebhookURL, scanText{&cats}, &p.CreatedBy, scanTime{&p.CreatedAt}, &p.Secret)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "system not found")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(cats), &p.Categories); err != nil {
		return nil, err
	}
	if tx.fields != nil && p.Secret != "" {
		if p.Secret, err = tx.fields.OpenField(tenantID, p.ID, systemSecretField, p.Secret); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// PrivacySystems lists the scoped tenant's systems by name.
func (tx *Tx) PrivacySystems(ctx context.Context) ([]*PrivacySystem, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT "+systemColumns+" FROM privacy_systems WHERE tenant_id = ? ORDER BY name", tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*PrivacySystem{}
	for rows.Next() {
		var p PrivacySystem
		var cats string
		if err := rows.Scan(&p.ID, &p.Name, &p.WebhookURL, scanText{&cats}, &p.CreatedBy, scanTime{&p.CreatedAt}); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(cats), &p.Categories); err != nil {
			return nil, err
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// PrivacyRequest is a data-subject request as stored. Status is the stored
// one (open statuses or completed); overdue is decided by the caller.
type PrivacyRequest struct {
	ID              string
	Type            string
	SubjectUserID   string
	SubjectEmail    string // blind index of the email the request named
	Jurisdiction    string
	Status          string
	ReceivedAt      time.Time
	DueAt           time.Time
	ExtendedAt      time.Time
	ExtensionDays   int
	ExtensionReason string
	CompletedAt     time.Time
	Result          string
	CreatedBy       string
}

// PrivacyRequestFilter selects requests: Status (stored), OpenDueBefore (a
// non-zero time selects open requests due before it), Limit.
type PrivacyRequestFilter struct {
	Status        string
	OpenDueBefore time.Time
	// DueFrom, when set, selects requests due at or after it.
	DueFrom time.Time
	Limit   int
}

// MaxPrivacyRequestsPage bounds one listing.
const MaxPrivacyRequestsPage = 500

// PrivacyRequestDone is the stored status of a finished request; every
// other status is open.
const PrivacyRequestDone = "completed"

const requestColumns = "id, type, subject_user_id, subject_email, jurisdiction, status, received_at, due_at, extended_at, extension_days, extension_reason, completed_at, result, created_by"

// AddPrivacyRequest stores a new request; its ID is filled in when empty.
func (tx *Tx) AddPrivacyRequest(ctx context.Context, p *PrivacyRequest) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if p.ID == "" {
		p.ID = uuid.NewString()
	}
	_, err = tx.exec(ctx, "INSERT INTO privacy_requests (tenant_id, "+requestColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		tenantID, p.ID, p.Type, p.SubjectUserID, p.SubjectEmail, p.Jurisdiction, p.Status, tx.d.timeArg(p.ReceivedAt), tx.d.timeArg(p.DueAt),
		tx.d.nullTimeArg(p.ExtendedAt), p.ExtensionDays, p.ExtensionReason, tx.d.nullTimeArg(p.CompletedAt), p.Result, p.CreatedBy)
	return err
}

func scanPrivacyRequest(row interface{ Scan(...any) error }) (*PrivacyRequest, error) {
	var p PrivacyRequest
	err := row.Scan(&p.ID, &p.Type, &p.SubjectUserID, &p.SubjectEmail, &p.Jurisdiction, &p.Status, scanTime{&p.ReceivedAt}, scanTime{&p.DueAt},
		scanNullTime{&p.ExtendedAt}, &p.ExtensionDays, &p.ExtensionReason, scanNullTime{&p.CompletedAt}, scanText{&p.Result}, &p.CreatedBy)
	return &p, err
}

// PrivacyRequest returns one request of the scoped tenant.
func (tx *Tx) PrivacyRequest(ctx context.Context, id string) (*PrivacyRequest, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, rampart.Errorf(rampart.ENotFound, "request not found")
	}
	p, err := scanPrivacyRequest(tx.queryRow(ctx, "SELECT "+requestColumns+" FROM privacy_requests WHERE tenant_id = ? AND id = ?", tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "request not found")
	}
	return p, err
}

// PrivacyRequests lists the scoped tenant's requests, newest first.
func (tx *Tx) PrivacyRequests(ctx context.Context, f PrivacyRequestFilter) ([]*PrivacyRequest, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	q := "SELECT " + requestColumns + " FROM privacy_requests WHERE tenant_id = ?"
	args := []any{tenantID}
	if f.Status != "" {
		q += " AND status = ?"
		args = append(args, f.Status)
	}
	if !f.OpenDueBefore.IsZero() {
		q += " AND status <> ? AND due_at < ?"
		args = append(args, PrivacyRequestDone, tx.d.timeArg(f.OpenDueBefore))
	}
	if !f.DueFrom.IsZero() {
		q += " AND due_at >= ?"
		args = append(args, tx.d.timeArg(f.DueFrom))
	}
	if f.Limit <= 0 || f.Limit > MaxPrivacyRequestsPage {
		f.Limit = MaxPrivacyRequestsPage
	}
	q += " ORDER BY received_at DESC, id LIMIT ?"
	args = append(args, f.Limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*PrivacyRequest
	for rows.Next() {
		p, err := scanPrivacyRequest(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ExtendPrivacyRequest moves an open request's due date once: it fails
// with a conflict when the request was extended already or is completed.
func (tx *Tx) ExtendPrivacyRequest(ctx context.Context, id string, days int, reason string, at time.Time) error {
	p, err := tx.PrivacyRequest(ctx, id)
	if err != nil {
		return err
	}
	if p.Status == PrivacyRequestDone {
		return rampart.Errorf(rampart.EConflict, "the request is completed")
	}
	due := p.DueAt.Add(time.Duration(days) * 24 * time.Hour)
	res, err := tx.exec(ctx, "UPDATE privacy_requests SET due_at = ?, extended_at = ?, extension_days = ?, extension_reason = ? WHERE tenant_id = ? AND id = ? AND extended_at IS NULL AND status <> ?",
		tx.d.timeArg(due), tx.d.timeArg(at), days, reason, tx.tenantID, id, PrivacyRequestDone)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rampart.Errorf(rampart.EConflict, "the request was extended already; a request is extended once")
	}
	return nil
}

// SetPrivacyRequestResult records Rampart's own part of a request (the
// export made, the erasure's result) without completing it: registered
// systems may still have to answer.
func (tx *Tx) SetPrivacyRequestResult(ctx context.Context, id, result string) error {
	_, err := tx.exec(ctx, "UPDATE privacy_requests SET result = ? WHERE tenant_id = ? AND id = ?", result, tx.tenantID, id)
	return err
}

// CompletePrivacyRequest marks a request completed with its result.
func (tx *Tx) CompletePrivacyRequest(ctx context.Context, id, result string, at time.Time) error {
	_, err := tx.exec(ctx, "UPDATE privacy_requests SET status = ?, result = ?, completed_at = ? WHERE tenant_id = ? AND id = ?",
		PrivacyRequestDone, result, tx.d.timeArg(at), tx.tenantID, id)
	return err
}

// EmailIndex is the blind index users' emails are found by: what a
// request naming an email keeps instead of the address.
func (tx *Tx) EmailIndex(email string) (string, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return "", err
	}
	return tx.emailKey(tenantID, email), nil
}
