package courier

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/nyaruka/phonenumbers"

	"github.com/rampart-dev/rampart/webhook"
)

// MaxSMSLength bounds an SMS body, in runes: ten concatenated segments.
const MaxSMSLength = 1530

// NormalizePhone parses a phone number and returns it in E.164 form
// ("+447911123456"). A number without a leading + or 00 is read in
// defaultRegion (an ISO 3166 code such as "GB"; may be empty when every
// number is international). A number that is not valid for its region is an
// *Error of class invalid_message.
func NormalizePhone(raw, defaultRegion string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 64 {
		return "", invalid("the phone number is empty or too long")
	}
	n, err := phonenumbers.Parse(raw, strings.ToUpper(defaultRegion))
	if err != nil || !phonenumbers.IsValidNumber(n) {
		return "", invalid("the phone number is not valid")
	}
	return phonenumbers.Format(n, phonenumbers.E164), nil
}

// SMSBridge sends text messages through the platform's provider bridge
// (RAMPART_SMS_WEBHOOK_URL): a POST of {to, body, kind, message_id}, signed
// like every Rampart webhook, so the bridge verifies it with a Standard
// Webhooks library and the secret it shares with Rampart.
type SMSBridge struct {
	url    string
	secret []byte
	sender *webhook.Sender
	region string
}

// NewSMSBridge returns a bridge that posts to url with the HMAC key secret
// (from webhook.ParseSecret) through sender (whose configuration decides,
// among others, whether a private address is allowed). defaultRegion reads
// numbers without a country code; it may be empty.
func NewSMSBridge(url string, secret []byte, sender *webhook.Sender, defaultRegion string) (*SMSBridge, error) {
	if err := webhook.ValidateURL(url, false, true); err != nil {
		return nil, errors.New("courier: the SMS webhook URL is not valid")
	}
	if len(secret) < webhook.MinSecretBytes {
		return nil, errors.New("courier: the SMS webhook secret is too short")
	}
	if sender == nil {
		return nil, errors.New("courier: no webhook sender")
	}
	return &SMSBridge{url: url, secret: secret, sender: sender, region: defaultRegion}, nil
}

// smsPayload is the JSON the bridge receives.
type smsPayload struct {
	To        string `json:"to"`
	Body      string `json:"body"`
	Kind      string `json:"kind"`
	MessageID string `json:"message_id"`
}

// SendSMS posts s to the bridge. The number is normalised to E.164 first. The
// message ID is the webhook-id, the same on every retry, so the bridge can
// drop duplicates. Failures keep the webhook package's classes and
// retryability (every non-2xx reply is retryable).
func (b *SMSBridge) SendSMS(ctx context.Context, s SMS) error {
	to, err := NormalizePhone(s.To, b.region)
	if err != nil {
		return err
	}
	if strings.TrimSpace(s.Body) == "" || len([]rune(s.Body)) > MaxSMSLength {
		return invalid("the SMS body is empty or longer than %d characters", MaxSMSLength)
	}
	if !safeToken(s.MessageID) {
		return invalid("the SMS needs a message ID of printable ASCII without spaces")
	}
	body, err := json.Marshal(smsPayload{To: to, Body: s.Body, Kind: s.Kind, MessageID: s.MessageID})
	if err != nil {
		return invalid("encoding the SMS: %v", err)
	}
	res, err := b.sender.Send(ctx, webhook.Delivery{ID: s.MessageID, URL: b.url, Secrets: [][]byte{b.secret}, Body: body})
	if err != nil {
		return &Error{Class: res.Class, Code: res.StatusCode, Retryable: res.Retryable, Err: fmt.Errorf("SMS bridge: %w", err)}
	}
	return nil
}
