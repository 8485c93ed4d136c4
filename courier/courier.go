// Package courier sends the messages Rampart owes people: e-mail through an
// SMTP relay and SMS through the platform's provider bridge (a signed webhook),
// from templates embedded in the binary. A development Sink keeps what would
// have been sent instead.
//
// The outbox (elsewhere) renders a message with Render or RenderSMS, hands it
// to a Mailer or an SMSSender, and reads Retryable on failure to choose between
// another attempt and giving up.
package courier

import (
	"context"
	"errors"
	"fmt"
)

// Mail is one rendered e-mail to one recipient.
type Mail struct {
	To        string // an RFC 5322 address: "ada@example.com" or "Ada <ada@example.com>"
	FromName  string // display name replacing the configured From's, e.g. the tenant's brand; optional
	Kind      string // the template kind, for the dev outbox and logs
	Subject   string
	Text      string
	HTML      string
	MessageID string // the outbox message ID: the same on every retry so receivers can dedupe
}

// SMS is one rendered text message.
type SMS struct {
	To        string // E.164, see NormalizePhone
	Kind      string
	Body      string
	MessageID string // the outbox message ID, the same on every retry
}

// Mailer sends e-mail. SMTPMailer and Sink are Mailers.
type Mailer interface {
	Send(ctx context.Context, m Mail) error
}

// SMSSender sends text messages. SMSBridge and Sink are SMSSenders.
type SMSSender interface {
	SendSMS(ctx context.Context, s SMS) error
}

// Classes of Error, for the admin's delivery log.
const (
	ClassInvalidMessage = "invalid_message"      // the message cannot be built or addressed: permanent
	ClassConnection     = "connection"           // dial, reset or TLS failure
	ClassTimeout        = "timeout"              // the dial or send deadline passed
	ClassCanceled       = "canceled"             // the caller's context was canceled
	ClassNoSTARTTLS     = "starttls_unavailable" // the server offered no STARTTLS to a non-loopback host
	ClassAuth           = "auth"                 // the server refused or does not offer AUTH PLAIN
	// Replies of the server are "smtp_<code>"; webhook failures of the SMS
	// bridge keep the webhook package's classes ("http_503", "timeout", ...).
)

// Error is a failed send. Its text never holds a password or a secret.
//
// Retryable is false only when sending the same message again cannot succeed:
// a 5xx reply to the envelope or the data, a message that cannot be built,
// an address that is refused. Connection, TLS, timeout, authentication and 4xx
// failures are retryable, so that a queue held up by a misconfiguration goes
// out once it is fixed.
type Error struct {
	Class     string
	Code      int // the SMTP reply code or HTTP status, 0 if none
	Retryable bool
	Err       error
}

func (e *Error) Error() string {
	if e.Err == nil {
		return "courier: " + e.Class
	}
	return "courier: " + e.Class + ": " + e.Err.Error()
}

func (e *Error) Unwrap() error { return e.Err }

// Retryable reports whether a failed send may succeed later. An error that is
// not an *Error counts as retryable: the outbox's attempt limit ends it, and a
// message is never dropped because a failure was not understood.
func Retryable(err error) bool {
	var e *Error
	if errors.As(err, &e) {
		return e.Retryable
	}
	return err != nil
}

func invalid(format string, args ...any) *Error {
	return &Error{Class: ClassInvalidMessage, Err: fmt.Errorf(format, args...)}
}
