package delivery

import (
	"context"
	"encoding/json"
	"errors"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/outbox"
	"github.com/rampart-dev/rampart/store"
)

// QueueMail renders an e-mail of kind for to and queues it in tx, the
// transaction of the change that causes it: it is sent if and only if that
// change commits. key, when not empty, makes a second queueing of the same
// message a no-op. A kind or data the templates refuse is an error now,
// not a dead letter later.
func (s *Service) QueueMail(ctx context.Context, tx *store.Tx, to, kind string, data map[string]any, brand courier.Brand, key string) error {
	subject, text, html, err := courier.Render(kind, data, brand)
	if err != nil {
		return rampart.Errorf(rampart.EUnprocessable, "the %s message cannot be rendered", kind)
	}
	body, err := json.Marshal(courier.Mail{To: to, FromName: brand.Name, Kind: kind, Subject: subject, Text: text, HTML: html})
	if err != nil {
		return err
	}
	return s.queue(ctx, tx, &outbox.Message{Channel: outbox.ChannelEmail, EventType: kind, IdempotencyKey: key, Payload: body})
}

// QueueSMS renders a text message of kind for the number to (normalised to
// E.164 with the deployment's default region) and queues it in tx.
func (s *Service) QueueSMS(ctx context.Context, tx *store.Tx, to, kind string, data map[string]any, brand courier.Brand, key string) error {
	number, err := courier.NormalizePhone(to, s.phoneRegion)
	if err != nil {
		return rampart.FieldError(rampart.EUnprocessable, "phone", "not a valid phone number")
	}
	text, err := courier.RenderSMS(kind, data, brand)
	if err != nil {
		return rampart.Errorf(rampart.EUnprocessable, "the %s message cannot be rendered", kind)
	}
	body, err := json.Marshal(courier.SMS{To: number, Kind: kind, Body: text})
	if err != nil {
		return err
	}
	return s.queue(ctx, tx, &outbox.Message{Channel: outbox.ChannelSMS, EventType: kind, IdempotencyKey: key, Payload: body})
}

func (s *Service) queue(ctx context.Context, tx *store.Tx, m *outbox.Message) error {
	m.MaxAttempts = s.policy.MaxAttempts
	ok, err := tx.Enqueue(ctx, m, s.now())
	if ok {
		s.notify() // early, at worst: the worker finds nothing until the commit
	}
	return err
}

// MailChannel delivers e-mail messages through a Mailer (SMTP, or the
// development sink).
type MailChannel struct{ Mailer courier.Mailer }

// Deliver sends one e-mail; its outbox id is its Message-Id, the same on
// every attempt.
func (c MailChannel) Deliver(ctx context.Context, m *outbox.Message) outbox.Result {
	var mail courier.Mail
	if err := json.Unmarshal(m.Payload, &mail); err != nil {
		return outbox.Result{Err: err, Class: "invalid_message", Permanent: true}
	}
	mail.MessageID = m.IdempotencyKey
	return result(c.Mailer.Send(ctx, mail))
}

// SMSChannel delivers text messages through an SMSSender (the platform's
// bridge, or the development sink).
type SMSChannel struct{ Sender courier.SMSSender }

// Deliver sends one text message.
func (c SMSChannel) Deliver(ctx context.Context, m *outbox.Message) outbox.Result {
	var sms courier.SMS
	if err := json.Unmarshal(m.Payload, &sms); err != nil {
		return outbox.Result{Err: err, Class: "invalid_message", Permanent: true}
	}
	sms.MessageID = m.IdempotencyKey
	return result(c.Sender.SendSMS(ctx, sms))
}

func result(err error) outbox.Result {
	if err == nil {
		return outbox.Result{}
	}
	r := outbox.Result{Err: err, Class: "failed", Permanent: !courier.Retryable(err)}
	var e *courier.Error
	if errors.As(err, &e) {
		r.Class, r.Status = e.Class, e.Code
	}
	return r
}
