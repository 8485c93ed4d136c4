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

// Webhook is a tenant's endpoint for events.
type Webhook struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	Events    []string  `json:"events"`
	Secret    string    `json:"-"` // the signing secret, sealed at rest
	CreatedBy string    `json:"created_by,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

// secretField names the sealed secret column for the field sealer.
const secretField = "webhooks.secret"

const webhookColumns = "id, url, events, secret, created_by, created_at"

// CreateWebhook stores w (its ID is filled in when empty) for the scoped
// tenant, with its secret sealed.
func (tx *Tx) CreateWebhook(ctx context.Context, w *Webhook) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if w.ID == "" {
		w.ID = uuid.NewString()
	}
	events, err := json.Marshal(w.Events)
	if err != nil {
		return err
	}
	secret := w.Secret
	if tx.fields != nil {
		if secret, err = tx.fields.SealField(tenantID, w.ID, secretField, secret); err != nil {
			return err
		}
	}
	_, err = tx.exec(ctx, "INSERT INTO webhooks (tenant_id, "+webhookColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
		tenantID, w.ID, w.URL, string(events), secret, w.CreatedBy, tx.d.timeArg(w.CreatedAt))
	return err
}

func (tx *Tx) scanWebhook(tenantID string, row interface{ Scan(...any) error }) (*Webhook, error) {
	var w Webhook
	var events string
	if err := row.Scan(&w.ID, &w.URL, &events, &w.Secret, &w.CreatedBy, scanTime{&w.CreatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(events), &w.Events); err != nil {
		return nil, err
	}
	if tx.fields != nil {
		s, err := tx.fields.OpenField(tenantID, w.ID, secretField, w.Secret)
		if err != nil {
			return nil, err
		}
		w.Secret = s
	}
	return &w, nil
}

// Webhooks lists the scoped tenant's webhooks, oldest first.
func (tx *Tx) Webhooks(ctx context.Context) ([]*Webhook, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT "+webhookColumns+" FROM webhooks WHERE tenant_id = ? ORDER BY created_at, id", tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*Webhook
	for rows.Next() {
		w, err := tx.scanWebhook(tenantID, rows)
		if err != nil {
			return nil, err
		}
		out = append(out, w)
	}
	return out, rows.Err()
}

// WebhookByID returns one webhook of the scoped tenant.
func (tx *Tx) WebhookByID(ctx context.Context, id string) (*Webhook, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, rampart.Errorf(rampart.ENotFound, "webhook not found")
	}
	w, err := tx.scanWebhook(tenantID, tx.queryRow(ctx, "SELECT "+webhookColumns+" FROM webhooks WHERE tenant_id = ? AND id = ?", tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "webhook not found")
	}
	return w, err
}

// DeleteWebhook removes a webhook; messages already queued for it are
// dead-lettered when their turn comes.
func (tx *Tx) DeleteWebhook(ctx context.Context, id string) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if _, err := uuid.Parse(id); err != nil {
		return rampart.Errorf(rampart.ENotFound, "webhook not found")
	}
	res, err := tx.exec(ctx, "DELETE FROM webhooks WHERE tenant_id = ? AND id = ?", tenantID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rampart.Errorf(rampart.ENotFound, "webhook not found")
	}
	return nil
}
