// Package audit defines security events and the per-tenant hash chain that
// makes the append-only log tamper-evident.
package audit

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rampart-dev/rampart/pii"
)

// Type names a kind of security event.
type Type string

// Event types: those of the document-intelligence design, then Rampart's own.
const (
	LoginSuccess       Type = "login_success"
	LoginFailure       Type = "login_failure"
	Logout             Type = "logout"
	PasswordChange     Type = "password_change"
	PermissionDenied   Type = "permission_denied"
	DataAccess         Type = "data_access"
	DataModification   Type = "data_modification"
	FileUpload         Type = "file_upload"
	SuspiciousActivity Type = "suspicious_activity"
	APIRateLimit       Type = "api_rate_limit"
	ConfigChange       Type = "config_change"
	TenantCreated      Type = "tenant_created"
	UserCreated        Type = "user_created"
	UserUpdated        Type = "user_updated"
	UserDeleted        Type = "user_deleted"
	AccountLocked      Type = "account_locked"
	RefreshReuse       Type = "refresh_token_reuse"
	SessionEvicted     Type = "session_evicted"
	SessionRevoked     Type = "session_revoked"
	KeyRotated         Type = "signing_key_rotated"
	MFAEnrolled        Type = "mfa_enrolled"
	MFADisabled        Type = "mfa_disabled"
	MFASuccess         Type = "mfa_success"
	MFAFailure         Type = "mfa_failure"
	BackupCodeUsed     Type = "backup_code_used"
	BackupCodesRegen   Type = "backup_codes_regenerated"
	IPBlocked          Type = "ip_blocked"
	DataKeyRotated     Type = "data_key_rotated"
	GuardBlocked       Type = "guard_blocked"
	GuardFlagged       Type = "guard_flagged"
	CrisisDetected     Type = "crisis_detected"
	IncidentOpened     Type = "incident_opened"
	IncidentUpdated    Type = "incident_updated" // acknowledged, resolved, a note
	IncidentAction     Type = "incident_action"  // a remediation taken on an incident
	AuditChainBroken   Type = "audit_chain_broken"
	ResetRequested     Type = "password_reset_requested"
	PasswordReset      Type = "password_reset"
	VerificationSent   Type = "email_verification_sent"
	EmailVerified      Type = "email_verified"
	InvitationSent     Type = "invitation_sent"
	InvitationAccepted Type = "invitation_accepted"
	MFACodeSent        Type = "mfa_code_sent"
	TermsAccepted      Type = "terms_accepted"
	// Privacy operations (issue 18). Their details never name the data
	// subject: an erased subject's events must not keep them readable.
	ConsentRecorded         Type = "consent_recorded"
	ConsentWithdrawn        Type = "consent_withdrawn"
	PrivacyRequestCreated   Type = "privacy_request_created"
	PrivacyRequestExtended  Type = "privacy_request_extended"
	PrivacyRequestExported  Type = "privacy_request_exported"
	PrivacyRequestErased    Type = "privacy_request_erased"
	PrivacyRequestAnswered  Type = "privacy_request_system_answered"
	PrivacyRequestCompleted Type = "privacy_request_completed"
	// PrivacyRequestDueSoon is the reminder 7 days and 1 day before a
	// request's due date, written once each; tenant webhooks subscribed to
	// it get it through the outbox like any event.
	PrivacyRequestDueSoon Type = "privacy_request_due_soon"
)

// Types lists every event type, for validating subscriptions and filters.
func Types() []Type {
	return []Type{LoginSuccess, LoginFailure, Logout, PasswordChange, PermissionDenied, DataAccess, DataModification,
		FileUpload, SuspiciousActivity, APIRateLimit, ConfigChange, TenantCreated, UserCreated, UserUpdated, UserDeleted,
		AccountLocked, RefreshReuse, SessionEvicted, SessionRevoked, KeyRotated, MFAEnrolled, MFADisabled, MFASuccess,
		MFAFailure, BackupCodeUsed, BackupCodesRegen, IPBlocked, DataKeyRotated, GuardBlocked, GuardFlagged, CrisisDetected,
		IncidentOpened, IncidentUpdated, IncidentAction, AuditChainBroken,
		ResetRequested, PasswordReset, VerificationSent, EmailVerified, InvitationSent, InvitationAccepted, MFACodeSent,
		TermsAccepted, ConsentRecorded, ConsentWithdrawn, PrivacyRequestCreated, PrivacyRequestExtended, PrivacyRequestExported,
		PrivacyRequestErased, PrivacyRequestAnswered, PrivacyRequestCompleted, PrivacyRequestDueSoon}
}

// KnownType reports whether name is an event type.
func KnownType(name string) bool {
	for _, t := range Types() {
		if string(t) == name {
			return true
		}
	}
	return false
}

// GenesisHash is the previous hash of each tenant's first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// Event is one security event. Seq, PrevHash and Hash are assigned by the
// store when the event is appended to its tenant's chain.
type Event struct {
	ID        string
	TenantID  string
	Seq       int64
	Type      Type
	UserID    string // the acting or affected user; empty when none
	IP        string
	UserAgent string
	Resource  string
	Success   bool
	Details   map[string]any
	CreatedAt time.Time
	PrevHash  string
	Hash      string
	// Erased says the event's subject was erased: its address, user agent
	// and details were sealed under their key, now destroyed, and read as
	// empty.
	Erased bool
}

// Filter selects a tenant's events for reading, newest first.
type Filter struct {
	Type      string    // empty: any
	UserID    string    // empty: any
	Since     time.Time // zero: from the first
	BeforeSeq int64     // 0: from the newest
	Limit     int
	Resource  string    // empty: any; else exactly this resource
	Until     time.Time // zero: to the newest; else events before it
}

// Actor says who caused an event and from where.
type Actor struct {
	UserID    string
	IP        string
	UserAgent string
}

// sensitiveKey reports whether a details key could name a secret. Such keys
// are dropped from events: an audit log must never hold a password or token.
func sensitiveKey(k string) bool {
	k = strings.ToLower(k)
	for _, s := range []string{"password", "passwd", "secret", "token", "credential", "authorization", "cookie", "private", "api_key", "apikey", "master_key", "otp", "backup_code"} {
		if strings.Contains(k, s) {
			return true
		}
	}
	return false
}

// Sanitize returns a copy of details without keys that could hold secrets,
// recursing into nested objects.
func Sanitize(details map[string]any) map[string]any {
	out := make(map[string]any, len(details))
	for k, v := range details {
		if sensitiveKey(k) {
			continue
		}
		if m, ok := v.(map[string]any); ok {
			v = Sanitize(m)
		}
		out[k] = v
	}
	return out
}

// EncodeDetails returns the canonical JSON of sanitized details; encoding/json
// sorts map keys, so the bytes are stable for hashing.
// Personal data and secrets in string values are masked (package pii), so
// the log, which is append-only and kept long, never holds them whole.
func EncodeDetails(details map[string]any) (string, error) {
	b, err := json.Marshal(Sanitize(details))
	if err != nil {
		return "", fmt.Errorf("encode audit details: %w", err)
	}
	// Through JSON once more, so strings inside structs are reached too.
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return "", fmt.Errorf("encode audit details: %w", err)
	}
	changed := false
	v = maskStrings(v, &changed)
	if !changed {
		return string(b), nil
	}
	if b, err = json.Marshal(v); err != nil {
		return "", fmt.Errorf("encode audit details: %w", err)
	}
	return string(b), nil
}

// detailTypes are what audit details are masked for. Addresses and URLs
// stay: IP rules and configuration name them on purpose.
var detailTypes = []pii.Type{pii.Email, pii.Phone, pii.SSN, pii.CreditCard, pii.IBAN, pii.APIKey, pii.Secret, pii.PrivateKey, pii.JWT}

// detector is immutable and safe for concurrent use.
var detector = pii.NewDetector()

// MaskText masks personal data and secrets in one string as audit details
// are masked.
func MaskText(s string) string {
	f := detector.Detect(s, detailTypes)
	if len(f) == 0 {
		return s
	}
	out, _, err := pii.Masker{}.Mask(s, f, pii.StrategyMask, nil)
	if err != nil {
		return "[masked]"
	}
	return out
}

func maskStrings(v any, changed *bool) any {
	switch x := v.(type) {
	case string:
		m := MaskText(x)
		if m != x {
			*changed = true
		}
		return m
	case map[string]any:
		for k, e := range x {
			x[k] = maskStrings(e, changed)
		}
	case []any:
		for i, e := range x {
			x[i] = maskStrings(e, changed)
		}
	}
	return v
}

// chained is the exact content covered by an event's hash.
type chained struct {
	ID        string `json:"id"`
	TenantID  string `json:"tenant_id"`
	Seq       int64  `json:"seq"`
	Type      Type   `json:"event_type"`
	UserID    string `json:"user_id"`
	IP        string `json:"ip_address"`
	UserAgent string `json:"user_agent"`
	Resource  string `json:"resource"`
	Success   bool   `json:"success"`
	Details   string `json:"details"`
	CreatedAt string `json:"created_at"`
	PrevHash  string `json:"prev_hash"`
}

// Precision is the timestamp precision kept by every store; events are
// truncated to it before hashing so that the stored row hashes the same.
const Precision = time.Microsecond

// ComputeHash returns the SHA-256 (hex) of the event's content and its
// previous hash; detailsJSON is the stored canonical details text.
func ComputeHash(e *Event, detailsJSON string) string {
	c := chained{
		ID: e.ID, TenantID: e.TenantID, Seq: e.Seq, Type: e.Type, UserID: e.UserID, IP: e.IP,
		UserAgent: e.UserAgent, Resource: e.Resource, Success: e.Success, Details: detailsJSON,
		CreatedAt: e.CreatedAt.UTC().Truncate(Precision).Format(time.RFC3339Nano), PrevHash: e.PrevHash,
	}
	b, _ := json.Marshal(c) // a struct of strings, ints and bools cannot fail
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Break describes the first broken link found in a tenant's chain.
type Break struct {
	TenantID string
	Seq      int64
	EventID  string
	Reason   string
}

func (b *Break) String() string {
	return fmt.Sprintf("tenant %s: event seq=%d id=%s: %s", b.TenantID, b.Seq, b.EventID, b.Reason)
}

// Verifier walks one tenant's events in sequence order and finds the first
// broken link. Feed events with Next, then call End with the chain head.
type Verifier struct {
	tenantID string
	prevHash string
	seq      int64
	broken   *Break
}

// NewVerifier starts verifying tenantID's chain from its genesis.
func NewVerifier(tenantID string) *Verifier {
	return &Verifier{tenantID: tenantID, prevHash: GenesisHash}
}

// Next checks one event (with its stored details text) and reports the first
// break found so far, or nil.
func (v *Verifier) Next(e *Event, detailsJSON string) *Break {
	if v.broken != nil {
		return v.broken
	}
	fail := func(reason string) *Break {
		v.broken = &Break{TenantID: v.tenantID, Seq: e.Seq, EventID: e.ID, Reason: reason}
		return v.broken
	}
	switch {
	case e.Seq != v.seq+1:
		return fail(fmt.Sprintf("sequence gap: expected %d", v.seq+1))
	case e.PrevHash != v.prevHash:
		return fail("prev_hash does not match the previous event's hash")
	case ComputeHash(e, detailsJSON) != e.Hash:
		return fail("hash does not match the event's content")
	}
	v.seq, v.prevHash = e.Seq, e.Hash
	return nil
}

// End checks that the chain reaches the recorded head (seq and hash), which
// detects events deleted from the end of the log.
func (v *Verifier) End(headSeq int64, headHash string) *Break {
	if v.broken != nil {
		return v.broken
	}
	if headSeq != v.seq || headHash != v.prevHash {
		v.broken = &Break{TenantID: v.tenantID, Seq: v.seq + 1, Reason: fmt.Sprintf("chain ends at seq %d but the head records seq %d", v.seq, headSeq)}
	}
	return v.broken
}

// Sampler decides which of many like events (refusals under attack) are
// written: the first of each tenant, then one in every n, counted per
// tenant so that one tenant's noise never hides another's first event.
// The zero value is ready to use.
type Sampler struct {
	counts sync.Map // tenant id -> *atomic.Int64
}

// Take counts one event of tenantID and reports whether to write it.
func (s *Sampler) Take(tenantID string, every int64) bool {
	c, ok := s.counts.Load(tenantID)
	if !ok {
		c, _ = s.counts.LoadOrStore(tenantID, new(atomic.Int64))
	}
	return c.(*atomic.Int64).Add(1)%every == 1
}
