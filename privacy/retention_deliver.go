package privacy

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

// DirArchive archives rows as JSON lines in files under Dir, one per
// tenant, category and day (Dir/TENANT/CATEGORY-YYYY-MM-DD.jsonl, mode
// 0600), synced before Archive returns. A batch whose deletion then fails
// is archived again by the next run: lines may repeat, never go missing.
// The archive holds the rows as they were, personal data included: it is
// the operator's to protect and to delete in turn.
type DirArchive struct {
	Dir string
	Now func() time.Time
}

// Archive appends rows to the day's file.
func (a DirArchive) Archive(_ context.Context, tenantID, category string, rows []map[string]any) error {
	if a.Dir == "" {
		return errors.New("no archive directory")
	}
	now := time.Now
	if a.Now != nil {
		now = a.Now
	}
	dir := filepath.Join(a.Dir, filepath.Base(tenantID))
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	f, err := os.OpenFile(filepath.Join(dir, filepath.Base(category)+"-"+now().UTC().Format("2006-01-02")+".jsonl"), os.O_CREATE|os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	var buf []byte
	for _, row := range rows {
		b, err := json.Marshal(row)
		if err != nil {
			f.Close()
			return err
		}
		buf = append(append(buf, b...), '\n')
	}
	if _, err := f.Write(buf); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// SystemChannel delivers announcements to the platform's registered
// systems (outbox channel ChannelSystem). A system has no secret of its
// own: messages are signed, Standard Webhooks style, with every signing
// secret of the tenant's webhooks, which the platform already holds to
// verify Rampart's events. A tenant without a webhook gets nothing
// unsigned: the message is dead-lettered (class no_signing_secret).
type SystemChannel struct {
	Store  *store.Store
	Sender *webhook.Sender
}

// Deliver sends one announcement.
func (c *SystemChannel) Deliver(ctx context.Context, m *outbox.Message) outbox.Result {
	var sys *store.PrivacySystem
	var secrets [][]byte
	err := c.Store.ReadTenant(ctx, m.TenantID, func(tx *store.Tx) error {
		all, err := tx.PrivacySystems(ctx)
		if err != nil {
			return err
		}
		for _, s := range all {
			if s.ID == m.Target {
				sys = s
			}
		}
		hooks, err := tx.Webhooks(ctx)
		if err != nil {
			return err
		}
		for _, h := range hooks {
			if s, err := webhook.ParseSecret(h.Secret); err == nil {
				secrets = append(secrets, s)
			}
		}
		return nil
	})
	switch {
	case err != nil:
		return outbox.Result{Err: err, Class: "internal"}
	case sys == nil:
		return outbox.Result{Err: rampart.Errorf(rampart.ENotFound, "system removed"), Class: "system_deleted", Permanent: true}
	case len(secrets) == 0:
		return outbox.Result{Err: fmt.Errorf("the tenant has no webhook secret to sign with"), Class: "no_signing_secret", Permanent: true}
	}
	res, err := c.Sender.Send(ctx, webhook.Delivery{ID: m.IdempotencyKey, URL: sys.WebhookURL, Secrets: secrets, Body: m.Payload})
	if err != nil {
		r := outbox.Result{Err: err, Class: res.Class, Status: res.StatusCode, Permanent: !res.Retryable}
		var we *webhook.Error
		if errors.As(err, &we) {
			r.Class, r.Permanent = we.Class, !we.Retryable
		}
		return r
	}
	return outbox.Result{Status: res.StatusCode}
}
