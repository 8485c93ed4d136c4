// Package webhook delivers events to URLs that platforms register, signed the
// Standard Webhooks way (https://www.standardwebhooks.com/) so that receivers
// can check them with the existing Standard Webhooks and Svix libraries.
//
// A delivery carries three headers:
//
//	webhook-id:        the message ID, the same on every retry (receivers dedupe on it)
//	webhook-timestamp: the attempt time in Unix seconds (part of what is signed)
//	webhook-signature: "v1," + base64(HMAC-SHA256(key, id + "." + timestamp + "." + body)),
//	                   one such entry per key, separated by spaces
//
// The package knows nothing of the store or HTTP API: the outbox hands a
// Sender one Delivery at a time and keeps the retry schedule itself.
package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
)

// Header names of the Standard Webhooks specification.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts a secret in the form the Standard Webhooks libraries take.
const SecretPrefix = "whsec_"

// Secret size limits. The specification recommends keys of 24 to 64 bytes;
// the issue asks for 422 on a secret shorter than 24 bytes.
const (
	MinSecretBytes      = 24
	MaxSecretBytes      = 64  // for a whsec_ key, after base64 decoding
	MaxRawSecretBytes   = 256 // for a raw secret string, taken as it is
	GeneratedSecretSize = 32  // bytes of randomness in GenerateSecret
)

// DefaultTolerance is how far a timestamp may be from now for Verify when the
// caller has no better figure; it is the reference libraries' five minutes.
const DefaultTolerance = 5 * time.Minute

// Errors of ParseSecret. They are unprocessable (HTTP 422) and name no part
// of the secret.
var (
	ErrSecretTooShort  = &rampart.Error{Code: rampart.EUnprocessable, Field: "secret", Message: "the secret must be at least 24 bytes"}
	ErrSecretTooLong   = &rampart.Error{Code: rampart.EUnprocessable, Field: "secret", Message: "the secret is too long"}
	ErrSecretMalformed = &rampart.Error{Code: rampart.EUnprocessable, Field: "secret", Message: "a whsec_ secret must be followed by standard base64"}
)

// Errors of Verify.
var (
	ErrMissingHeaders      = errors.New("webhook: missing webhook-id, webhook-timestamp or webhook-signature")
	ErrInvalidTimestamp    = errors.New("webhook: webhook-timestamp is not Unix seconds")
	ErrTimestampTooOld     = errors.New("webhook: timestamp too old")
	ErrTimestampTooNew     = errors.New("webhook: timestamp too new")
	ErrNoMatchingSignature = errors.New("webhook: no matching signature")
)

// GenerateSecret returns a new signing secret of GeneratedSecretSize random
// bytes in the whsec_<base64> form.
func GenerateSecret() (string, error) {
	b := make([]byte, GeneratedSecretSize)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return SecretPrefix + base64.StdEncoding.EncodeToString(b), nil
}

// ParseSecret returns the HMAC key of a secret. A secret that starts with
// whsec_ is decoded as the libraries do (the key is the base64-decoded rest);
// any other string is a raw secret used byte for byte, which lets a platform
// bring the key it already has. Either way the key must be MinSecretBytes
// long at least. Errors are *rampart.Error with code unprocessable.
func ParseSecret(s string) ([]byte, error) {
	if rest, ok := strings.CutPrefix(s, SecretPrefix); ok {
		key, err := base64.StdEncoding.DecodeString(rest)
		if err != nil {
			return nil, ErrSecretMalformed
		}
		switch {
		case len(key) < MinSecretBytes:
			return nil, ErrSecretTooShort
		case len(key) > MaxSecretBytes:
			return nil, ErrSecretTooLong
		}
		return key, nil
	}
	switch {
	case len(s) < MinSecretBytes:
		return nil, ErrSecretTooShort
	case len(s) > MaxRawSecretBytes:
		return nil, ErrSecretTooLong
	}
	return []byte(s), nil
}

// Sign returns one webhook-signature entry, "v1,<base64 HMAC-SHA256>", over
// id + "." + Unix seconds of ts + "." + body.
func Sign(secret []byte, id string, ts time.Time, body []byte) string {
	return "v1," + base64.StdEncoding.EncodeToString(mac(secret, id, ts.Unix(), body))
}

// SignatureHeader returns the webhook-signature value for several keys (the
// current one and, during a rotation, the previous one), space-separated as
// the specification has it.
func SignatureHeader(secrets [][]byte, id string, ts time.Time, body []byte) string {
	parts := make([]string, 0, len(secrets))
	for _, s := range secrets {
		parts = append(parts, Sign(s, id, ts, body))
	}
	return strings.Join(parts, " ")
}

func mac(secret []byte, id string, unix int64, body []byte) []byte {
	h := hmac.New(sha256.New, secret)
	h.Write([]byte(id))
	h.Write([]byte{'.'})
	h.Write(strconv.AppendInt(nil, unix, 10))
	h.Write([]byte{'.'})
	h.Write(body)
	return h.Sum(nil)
}

// Verify checks a delivery as a receiver would: the three headers present,
// the timestamp within tolerance of now (either way), and at least one v1
// signature among the space-separated entries equal, in constant time, to the
// one computed with secret. Entries of other versions are ignored.
func Verify(secret []byte, headers http.Header, body []byte, now time.Time, tolerance time.Duration) error {
	id := headers.Get(HeaderID)
	tsText := headers.Get(HeaderTimestamp)
	sigs := headers.Get(HeaderSignature)
	if id == "" || tsText == "" || sigs == "" {
		return ErrMissingHeaders
	}
	unix, err := strconv.ParseInt(tsText, 10, 64)
	if err != nil {
		return ErrInvalidTimestamp
	}
	ts := time.Unix(unix, 0)
	if now.Sub(ts) > tolerance {
		return ErrTimestampTooOld
	}
	if ts.Sub(now) > tolerance {
		return ErrTimestampTooNew
	}
	want := mac(secret, id, unix, body)
	for _, entry := range strings.Fields(sigs) {
		version, sig, ok := strings.Cut(entry, ",")
		if !ok || version != "v1" {
			continue
		}
		got, err := base64.StdEncoding.DecodeString(sig)
		if err != nil {
			continue
		}
		if hmac.Equal(got, want) {
			return nil
		}
	}
	return ErrNoMatchingSignature
}
