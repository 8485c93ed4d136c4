// Package encryption is encryption as a service for a tenant's callers: it
// checks what they ask to seal or open, encrypts and decrypts values,
// documents and files through the vault, records reads of protected data as
// data_access events, and rotates the tenant's data keys. The API and the
// admin console both go through it, so both apply the same rules. It knows
// nothing of HTTP or SQL.
package encryption

import (
	"context"
	"log/slog"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/vault"
)

// Bounds of what callers may ask.
const (
	// MaxContextBytes bounds a context.
	MaxContextBytes = 1024
	// MaxSubjectBytes bounds a subject (a person's key, for crypto-shredding).
	MaxSubjectBytes = 256
	// MaxBatch bounds the items of one batch call.
	MaxBatch = 1000
	// MaxCiphertextText bounds one text ciphertext.
	MaxCiphertextText = 2 << 20
	// maxPathBytes bounds a dotted field path of a document.
	maxPathBytes = 256
)

// InternalContextPrefix starts the contexts of Rampart's own ciphertexts
// (TOTP secrets, say): callers may not use them, so a caller holding
// crypto:decrypt cannot open Rampart's secrets from a database copy.
const InternalContextPrefix = "rampart/"

// Auditor records events in a tenant's audit log, in a transaction of their
// own (auth.Service does).
type Auditor interface {
	Audit(ctx context.Context, tenantID string, events ...*audit.Event)
}

// Tenants answers whether a tenant exists (auth.Service does, from its
// cache).
type Tenants interface {
	// TenantPolicy returns a tenant's settings (not found: rampart.ENotFound).
	TenantPolicy(ctx context.Context, tenantID string) (identity.TenantPolicy, error)
}

// Secrets counts Rampart's own stored secrets of a tenant and those already
// under the newest versions of their keys (auth.Service does).
type Secrets interface {
	SecretStatus(ctx context.Context, tenantID string) (total, current int, err error)
}

// SigningKeys rotates the deployment's token-signing key (auth.Service does).
type SigningKeys interface {
	RotateKey(ctx context.Context) (*keys.SigningKey, error)
}

// Jobs triggers deployment-wide jobs, which run once on whichever replica
// takes them and resume after a crash.
type Jobs interface {
	Trigger(ctx context.Context, name string) error
}

// Service does the work. Build it with New.
type Service struct {
	vault   *vault.Vault
	audit   Auditor
	tenants Tenants
	secrets Secrets
	signing SigningKeys
	jobs    Jobs
	log     *slog.Logger
}

// Deps are what New needs.
type Deps struct {
	Vault       *vault.Vault
	Auditor     Auditor
	Tenants     Tenants
	Secrets     Secrets
	SigningKeys SigningKeys
	// Jobs runs the re-encryption of Rampart's own secrets after a
	// rotation; nil leaves it to the next periodic key care.
	Jobs   Jobs
	Logger *slog.Logger
}

// New returns a Service.
func New(d Deps) *Service {
	log := d.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Service{vault: d.Vault, audit: d.Auditor, tenants: d.Tenants, secrets: d.Secrets, signing: d.SigningKeys, jobs: d.Jobs, log: log}
}

// ParsePurpose reads a key purpose by name ("" is the default purpose);
// field names it in errors.
func ParsePurpose(field, s string) (keys.Purpose, error) {
	if s == "" {
		return keys.PurposeDefault, nil
	}
	p, ok := keys.ParsePurpose(s)
	if !ok {
		names := make([]string, 0, 9)
		for _, p := range keys.Purposes() {
			names = append(names, string(p))
		}
		return "", rampart.FieldError(rampart.EUnprocessable, field, "unknown purpose %q; use one of %s", s, strings.Join(names, ", "))
	}
	return p, nil
}

// CheckContext checks the context of a caller's ciphertext: required, at
// most MaxContextBytes, and not one of Rampart's own.
func CheckContext(field, c string) error {
	if strings.HasPrefix(c, InternalContextPrefix) {
		return rampart.FieldError(rampart.EUnprocessable, field, "contexts starting with %q are Rampart's own", InternalContextPrefix)
	}
	if c == "" || len(c) > MaxContextBytes {
		return rampart.FieldError(rampart.EUnprocessable, field, "context is required: a string or an object of at most %d bytes that names where the value belongs (for a stored field: table, row id, field)", MaxContextBytes)
	}
	return nil
}

// Value is a plaintext to encrypt and where it belongs.
type Value struct {
	Purpose string // a purpose name; "" is the default purpose
	// Subject, with purpose personal_data, is the person whose own key
	// seals the value (for crypto-shredding).
	Subject   string
	Context   string
	Plaintext []byte
}

// Check checks v's purpose, context and subject (not its plaintext),
// naming fields after prefix ("" or "items[3].").
func (v Value) Check(prefix string) error {
	_, err := v.field("", prefix)
	return err
}

// field checks v and returns its vault field in tenantID.
func (v Value) field(tenantID, prefix string) (vault.Field, error) {
	purpose, err := ParsePurpose(prefix+"purpose", v.Purpose)
	if err != nil {
		return vault.Field{}, err
	}
	if err := CheckContext(prefix+"context", v.Context); err != nil {
		return vault.Field{}, err
	}
	if v.Subject != "" && purpose != keys.PurposePersonalData {
		return vault.Field{}, rampart.FieldError(rampart.EUnprocessable, prefix+"subject", "a subject (a key per person, for crypto-shredding) goes with purpose personal_data")
	}
	if len(v.Subject) > MaxSubjectBytes {
		return vault.Field{}, rampart.FieldError(rampart.EUnprocessable, prefix+"subject", "at most %d bytes", MaxSubjectBytes)
	}
	return vault.Field{TenantID: tenantID, Purpose: purpose, Subject: v.Subject, Context: v.Context}, nil
}

// Sealed is a ciphertext to open and the context it was sealed in.
type Sealed struct {
	Ciphertext string
	Context    string
}

// Check checks s, naming fields after prefix.
func (s Sealed) Check(prefix string) error {
	if s.Ciphertext == "" {
		return rampart.FieldError(rampart.EUnprocessable, prefix+"ciphertext", "ciphertext is required")
	}
	if len(s.Ciphertext) > MaxCiphertextText {
		return rampart.FieldError(rampart.EUnprocessable, prefix+"ciphertext", "ciphertext is too long")
	}
	return CheckContext(prefix+"context", s.Context)
}

// checkBatch bounds the items of a batch.
func checkBatch(n int) error {
	if n == 0 || n > MaxBatch {
		return rampart.FieldError(rampart.EUnprocessable, "items", "send 1 to %d items", MaxBatch)
	}
	return nil
}
