package privacy

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/delivery"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

// ChannelSystem is the outbox channel of webhooks to registered systems.
const ChannelSystem = "privacy_system"

// Webhook event types sent to registered systems.
const (
	EventRequestCreated = "privacy_request.created"
	EventRequestDue     = "privacy_request.due_soon"
)

// System answers to a request.
const (
	SystemPending  = "pending"
	SystemDone     = "done"
	SystemNotFound = "not_found"
	SystemFailed   = "failed"
)

// SystemAnswers are the statuses a system (or an admin marking it) may give.
var SystemAnswers = []string{SystemDone, SystemNotFound, SystemFailed}

// systemPayload is the body of a webhook to a registered system, in the
// Standard Webhooks shape of Rampart's other webhooks.
type systemPayload struct {
	Type      string            `json:"type"`
	Timestamp time.Time         `json:"timestamp"`
	Data      systemPayloadData `json:"data"`
}

type systemPayloadData struct {
	RequestID    string    `json:"request_id"`
	RequestType  string    `json:"request_type"`
	Subject      Subject   `json:"subject"`
	Jurisdiction string    `json:"jurisdiction,omitempty"`
	DueAt        time.Time `json:"due_at"`
	System       string    `json:"system"`
	// AnswerPath is where the system answers, with an API key of the
	// tenant holding admin:compliance.
	AnswerPath string `json:"answer_path"`
	DaysLeft   int    `json:"days_left,omitempty"`
}

// fanOut queues, in the transaction that records the request, one signed
// webhook per registered system and records each as pending. The email
// a request named travels only in the message's payload, which the outbox
// seals at rest. The idempotency key (request and system) makes a retry of
// the same creation a no-op.
func (s *Requests) fanOut(ctx context.Context, tx *store.Tx, p *store.PrivacyRequest, email string, now time.Time) (bool, error) {
	systems, err := tx.PrivacySystems(ctx)
	if err != nil || len(systems) == 0 {
		return false, err
	}
	names := make([]string, 0, len(systems))
	for _, sys := range systems {
		names = append(names, sys.Name)
	}
	if err := tx.AddPrivacyRequestSystems(ctx, p.ID, names); err != nil {
		return false, err
	}
	for _, sys := range systems {
		body, err := json.Marshal(systemPayload{Type: EventRequestCreated, Timestamp: now, Data: systemPayloadData{
			RequestID: p.ID, RequestType: p.Type, Subject: Subject{UserID: p.SubjectUserID, Email: email}, Jurisdiction: p.Jurisdiction,
			DueAt: p.DueAt, System: sys.Name, AnswerPath: "/v1/privacy/requests/" + p.ID + "/systems/" + sys.Name}})
		if err != nil {
			return false, err
		}
		m := &outbox.Message{Channel: ChannelSystem, Target: sys.ID, EventType: EventRequestCreated,
			IdempotencyKey: "privreq_" + p.ID + "_" + sys.ID, Payload: body, MaxAttempts: outbox.DefaultPolicy.MaxAttempts}
		if _, err := tx.Enqueue(ctx, m, now); err != nil {
			return false, err
		}
	}
	return true, nil
}

// Answer records a system's answer to a request, or an admin's mark for
// it (markedBy names the admin), and completes the request when every
// system has answered and Rampart's own part is done. status is done,
// not_found or failed; an unknown one is a 422 naming the field.
func (s *Requests) Answer(ctx context.Context, tenantID, id, system, status, details, markedBy string) (*Request, error) {
	if !slices.Contains(SystemAnswers, status) {
		return nil, rampart.FieldError(rampart.EUnprocessable, "status", "must be one of %s", strings.Join(SystemAnswers, ", "))
	}
	now := s.now()
	err := s.Store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		p, err := tx.PrivacyRequest(ctx, id)
		if err != nil {
			return err
		}
		if err := tx.AnswerPrivacyRequestSystem(ctx, p.ID, system, status, details, markedBy, now); err != nil {
			return err
		}
		if err := appendEvent(ctx, tx, audit.PrivacyRequestAnswered, "privacy_request:"+p.ID, map[string]any{"system": system, "status": status, "marked": markedBy != ""}); err != nil {
			return err
		}
		return s.completeIfDone(ctx, tx, p, now)
	})
	if err != nil {
		return nil, err
	}
	return s.Get(ctx, tenantID, id)
}

// ownPartDone reports whether Rampart's own processing of a request is
// done: the export made or the erasure carried out; requests of other
// types (rectification, restriction) are the systems' alone.
func ownPartDone(p *store.PrivacyRequest) bool {
	switch p.Type {
	case "access", "portability", "erasure":
		return p.Result != ""
	}
	return true
}

// completeIfDone completes an open request whose own part is done and
// whose every system has answered or been marked.
func (s *Requests) completeIfDone(ctx context.Context, tx *store.Tx, p *store.PrivacyRequest, now time.Time) error {
	if p.Status == StatusCompleted || !ownPartDone(p) {
		return nil
	}
	systems, err := tx.PrivacyRequestSystems(ctx, p.ID)
	if err != nil {
		return err
	}
	if len(systems) == 0 && (p.Type == "rectification" || p.Type == "restriction") {
		return nil // nothing answered it yet: an admin completes it by marking
	}
	for _, sys := range systems {
		if sys.Status == SystemPending {
			return nil
		}
	}
	if err := tx.CompletePrivacyRequest(ctx, p.ID, p.Result, now); err != nil {
		return err
	}
	return appendEvent(ctx, tx, audit.PrivacyRequestCompleted, "privacy_request:"+p.ID, map[string]any{"systems": len(systems)})
}

// finishOwnPart records Rampart's part of a request (result) and
// completes it when no system is still pending.
func (s *Requests) finishOwnPart(ctx context.Context, tx *store.Tx, p *store.PrivacyRequest, result string, now time.Time) error {
	if err := tx.SetPrivacyRequestResult(ctx, p.ID, result); err != nil {
		return err
	}
	q := *p
	q.Result = result
	return s.completeIfDone(ctx, tx, &q, now)
}

// SystemChannel delivers webhooks to registered systems, signed with each
// system's own secret (Standard Webhooks headers, as tenant webhooks).
type SystemChannel struct {
	Store  *store.Store
	Sender *webhook.Sender
}

// Deliver sends one message; a system deleted since dead-letters it.
func (c *SystemChannel) Deliver(ctx context.Context, m *outbox.Message) outbox.Result {
	var sys *store.PrivacySystem
	err := c.Store.ReadTenant(ctx, m.TenantID, func(tx *store.Tx) (err error) {
		sys, err = tx.PrivacySystemByID(ctx, m.Target)
		return err
	})
	if err != nil {
		if rampart.ErrorCode(err) == rampart.ENotFound {
			return outbox.Result{Err: err, Class: "system_deleted", Permanent: true}
		}
		return outbox.Result{Err: err, Class: "internal"}
	}
	return delivery.SendSigned(ctx, c.Sender, m, sys.WebhookURL, sys.Secret)
}
