package config

import (
	"flag"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Delivery is how Rampart sends things out: webhooks, e-mail and SMS.
type Delivery struct {
	// WebhookAllowPrivate lets webhooks reach loopback, private and
	// link-local addresses (development default; refused by default in
	// production, where it would let a tenant probe the internal network).
	WebhookAllowPrivate bool
	// MaxAttempts before a message is dead-lettered; Backoff the waits
	// between attempts (the last repeating).
	MaxAttempts int
	Backoff     []time.Duration
	// Workers is how many deliveries a replica runs at once.
	Workers int
	// Lease is how long a claimed message is held by its replica; a
	// replica that dies leaves its messages to the others after it.
	Lease time.Duration
	// SMTPURL is smtp://user:pass@host:587 (STARTTLS required off
	// loopback) or smtps://...:465; never logged.
	SMTPURL  string
	MailFrom string
	// SMSWebhookURL receives SMS to send, signed with SMSWebhookSecret.
	SMSWebhookURL    string
	SMSWebhookSecret string
	// DefaultPhoneRegion parses SMS numbers written without a country code.
	DefaultPhoneRegion string
	// OperatorWebhookURL receives the incidents of every tenant, signed
	// with OperatorWebhookSecret like tenant webhooks.
	OperatorWebhookURL    string
	OperatorWebhookSecret string
}

// deliveryFlags registers the delivery settings and returns the function
// that checks them after parsing.
func deliveryFlags(c *Config, fs *flag.FlagSet, env func(name, def string) string, getenv func(string) string) func(bad func(string, string, ...any)) {
	var allowPrivate, attempts, backoff, workers, lease string
	fs.StringVar(&allowPrivate, "webhook-allow-private", env("RAMPART_WEBHOOK_ALLOW_PRIVATE", ""), "true lets webhooks reach loopback and private addresses; default true in development, false in production (RAMPART_WEBHOOK_ALLOW_PRIVATE)")
	fs.StringVar(&attempts, "delivery-max-attempts", env("RAMPART_DELIVERY_MAX_ATTEMPTS", "8"), "attempts before a message is dead-lettered (RAMPART_DELIVERY_MAX_ATTEMPTS)")
	fs.StringVar(&backoff, "delivery-backoff", env("RAMPART_DELIVERY_BACKOFF", "5s,5m,30m,2h,5h,10h"), "waits between attempts, the last repeating (RAMPART_DELIVERY_BACKOFF)")
	fs.StringVar(&workers, "delivery-workers", env("RAMPART_DELIVERY_WORKERS", "32"), "deliveries a replica runs at once (RAMPART_DELIVERY_WORKERS)")
	fs.StringVar(&lease, "delivery-lease", env("RAMPART_DELIVERY_LEASE", "60s"), "how long a replica holds a message it attempts; more than the 10 s webhook timeout (RAMPART_DELIVERY_LEASE)")
	fs.StringVar(&c.Delivery.MailFrom, "mail-from", env("RAMPART_MAIL_FROM", ""), "sender address of e-mail, e.g. Acme <no-reply@acme.io> (RAMPART_MAIL_FROM)")
	fs.StringVar(&c.Delivery.SMSWebhookURL, "sms-webhook-url", env("RAMPART_SMS_WEBHOOK_URL", ""), "URL that receives SMS to send, signed like webhooks (RAMPART_SMS_WEBHOOK_URL)")
	fs.StringVar(&c.Delivery.OperatorWebhookURL, "operator-webhook-url", env("RAMPART_OPERATOR_WEBHOOK_URL", ""), "URL that receives the incidents of every tenant, signed like webhooks (RAMPART_OPERATOR_WEBHOOK_URL)")
	fs.StringVar(&c.Delivery.DefaultPhoneRegion, "default-phone-region", env("RAMPART_DEFAULT_PHONE_REGION", "US"), "region of phone numbers written without a country code (RAMPART_DEFAULT_PHONE_REGION)")
	return func(bad func(string, string, ...any)) {
		d := &c.Delivery
		// Secrets come from the environment only.
		d.SMTPURL = getenv("RAMPART_SMTP_URL")
		d.SMSWebhookSecret = getenv("RAMPART_SMS_WEBHOOK_SECRET")
		d.OperatorWebhookSecret = getenv("RAMPART_OPERATOR_WEBHOOK_SECRET")
		switch allowPrivate {
		case "":
			d.WebhookAllowPrivate = c.Env != Production
		default:
			v, err := strconv.ParseBool(allowPrivate)
			if err != nil {
				bad("RAMPART_WEBHOOK_ALLOW_PRIVATE", "must be true or false, got %q", allowPrivate)
			}
			d.WebhookAllowPrivate = v
		}
		d.MaxAttempts = parseInt(attempts, 1, 100, "RAMPART_DELIVERY_MAX_ATTEMPTS", bad)
		d.Workers = parseInt(workers, 1, 1024, "RAMPART_DELIVERY_WORKERS", bad)
		if v, err := time.ParseDuration(lease); err != nil || v < time.Second || v > time.Hour {
			bad("RAMPART_DELIVERY_LEASE", "must be a duration from 1s to 1h, got %q", lease)
		} else {
			d.Lease = v
		}
		d.Backoff = nil
		for _, s := range splitList(backoff) {
			v, err := time.ParseDuration(s)
			if err != nil || v < time.Millisecond || v > 48*time.Hour {
				bad("RAMPART_DELIVERY_BACKOFF", "%q is not a duration from 1ms to 48h", s)
				continue
			}
			d.Backoff = append(d.Backoff, v)
		}
		if len(d.Backoff) == 0 {
			bad("RAMPART_DELIVERY_BACKOFF", "list at least one wait, e.g. 5s,5m,30m")
		}
		if d.SMTPURL != "" {
			u, err := url.Parse(d.SMTPURL)
			if err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Host == "" {
				bad("RAMPART_SMTP_URL", "must be smtp://user:pass@host:587 or smtps://user:pass@host:465") // the URL itself may hold a password: not echoed
			}
			if d.MailFrom == "" {
				bad("RAMPART_MAIL_FROM", "is required with RAMPART_SMTP_URL")
			}
		}
		if d.SMSWebhookURL != "" {
			if !strings.HasPrefix(d.SMSWebhookURL, "https://") && !(c.Env != Production && strings.HasPrefix(d.SMSWebhookURL, "http://")) {
				bad("RAMPART_SMS_WEBHOOK_URL", "must be an https:// URL")
			}
			if len(d.SMSWebhookSecret) < 24 {
				bad("RAMPART_SMS_WEBHOOK_SECRET", "is required with RAMPART_SMS_WEBHOOK_URL (at least 24 bytes, or whsec_ and base64)")
			}
		}
		if d.OperatorWebhookURL != "" {
			if !strings.HasPrefix(d.OperatorWebhookURL, "https://") && !(c.Env != Production && strings.HasPrefix(d.OperatorWebhookURL, "http://")) {
				bad("RAMPART_OPERATOR_WEBHOOK_URL", "must be an https:// URL")
			}
			if len(d.OperatorWebhookSecret) < 24 {
				bad("RAMPART_OPERATOR_WEBHOOK_SECRET", "is required with RAMPART_OPERATOR_WEBHOOK_URL (at least 24 bytes, or whsec_ and base64)")
			}
		}
	}
}
