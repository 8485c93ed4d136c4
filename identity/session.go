package identity

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/guard"
	"github.com/rampart-dev/rampart/iprules"
	"github.com/rampart-dev/rampart/monitor"
	"github.com/rampart-dev/rampart/pii"
)

// Session is one login of a user: what its tokens are checked against.
type Session struct {
	ID            string
	TenantID      string
	UserID        string
	CreatedAt     time.Time
	LastActivity  time.Time
	ExpiresAt     time.Time
	IP            string
	UserAgent     string
	Fingerprint   string // SHA-256 of the device's user agent and accept headers
	AMR           []string
	MFAVerified   bool
	MFAVerifiedAt time.Time // when the second factor was last checked; zero if never
	Restricted    bool      // the tenant requires MFA for the user's role and it is not enrolled yet: the session may only enrol
	DeviceID      string    // as the client named its device at login (optional)
	Active        bool
	EndedAt       time.Time
	EndReason     string
}

// Reasons a session ends.
const (
	EndLogout         = "logout"
	EndEvicted        = "evicted"         // the user's session limit was reached
	EndRefreshReuse   = "refresh_reuse"   // a rotated refresh token came back: theft
	EndPasswordChange = "password_change" // the user changed their password
	EndRevoked        = "revoked"         // an admin or the user ended it
	EndUserDisabled   = "user_disabled"   // the user was disabled or deleted
	EndTenantDisabled = "tenant_disabled" // the tenant was disabled
	EndIPChange       = "ip_change"       // the tenant's IP-change policy is revoke
)

// RefreshToken is the stored form of a refresh token: only its hash.
type RefreshToken struct {
	Hash      string
	TenantID  string
	SessionID string
	CreatedAt time.Time
	ExpiresAt time.Time
	UsedAt    time.Time // zero until rotated
	GraceUsed bool
}

// Prefixes of Rampart's opaque tokens, so secret scanners can find them.
const (
	refreshPrefix = "rrt_" // refresh token
	mfaPrefix     = "rmt_" // MFA challenge token (mfa_token)
)

// newOpaque returns prefix + base64url of the tenant's 16-byte id and 32
// bytes (256 bits) from crypto/rand, and the hash it is stored under. The
// tenant id is not secret; it lets the server open the right tenant's scope.
func newOpaque(prefix, tenantID string) (token, hash string, err error) {
	tid, err := uuid.Parse(tenantID)
	if err != nil {
		return "", "", err
	}
	b := make([]byte, 16+32)
	copy(b, tid[:])
	if _, err := rand.Read(b[16:]); err != nil {
		return "", "", err
	}
	token = prefix + base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token), nil
}

// parseOpaque returns the tenant id an opaque token names.
func parseOpaque(prefix, token string) (string, error) {
	rest, ok := strings.CutPrefix(token, prefix)
	if !ok || len(rest) != 64 {
		return "", ErrMalformedToken
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil || len(b) != 48 {
		return "", ErrMalformedToken
	}
	tid, err := uuid.FromBytes(b[:16])
	if err != nil {
		return "", ErrMalformedToken
	}
	return tid.String(), nil
}

// ErrMalformedToken is returned for an opaque token of the wrong shape.
var ErrMalformedToken = errors.New("malformed token")

// NewRefreshToken returns a new refresh token for tenantID and its hash.
func NewRefreshToken(tenantID string) (token, hash string, err error) {
	return newOpaque(refreshPrefix, tenantID)
}

// ParseRefreshToken returns the tenant id a refresh token belongs to.
func ParseRefreshToken(token string) (string, error) { return parseOpaque(refreshPrefix, token) }

// NewMFAToken returns a new MFA challenge token for tenantID and its hash.
func NewMFAToken(tenantID string) (token, hash string, err error) {
	return newOpaque(mfaPrefix, tenantID)
}

// ParseMFAToken returns the tenant id an MFA challenge token belongs to.
func ParseMFAToken(token string) (string, error) { return parseOpaque(mfaPrefix, token) }

// HashToken returns the stored form of an opaque token: hex SHA-256. The
// token has 256 bits of entropy, so a fast hash is enough (no salt or
// stretching).
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// Fingerprint returns the device fingerprint hash of a client's headers.
func Fingerprint(userAgent, acceptLanguage string) string {
	sum := sha256.Sum256([]byte(userAgent + "\x00" + acceptLanguage))
	return hex.EncodeToString(sum[:])
}

// TenantPolicy holds a tenant's security settings; zero fields take defaults.
type TenantPolicy struct {
	MaxSessionsPerUser int    `json:"max_sessions_per_user,omitempty"`
	IPChangePolicy     string `json:"ip_change_policy,omitempty"` // log | revoke
	RateLimitTier      string `json:"rate_limit_tier,omitempty"`
	// MFARequiredRoles lists roles that must use MFA; such a user who has
	// not enrolled gets a restricted token that can only enrol.
	MFARequiredRoles []Role `json:"mfa_required_roles,omitempty"`
	// RolePreset is the role catalogue the tenant chose at creation:
	// chatbot (default), document_intelligence or coaching.
	RolePreset string `json:"role_preset,omitempty"`
	// StepUpMinutes, when set, makes sensitive operations (role changes)
	// require a second factor checked within that many minutes.
	StepUpMinutes int `json:"step_up_minutes,omitempty"`
	// IPAllow and IPDeny are CIDR prefixes checked before any credential of
	// this tenant is: deny wins; a non-empty allow list admits only its own.
	IPAllow []string `json:"ip_allow,omitempty"`
	IPDeny  []string `json:"ip_deny,omitempty"`
	// IPDenyUntil makes entries of IPDeny temporary (blocks by a
	// remediation): past its time an entry no longer denies, and the hourly
	// purge removes it. Entries not listed here stay until removed.
	IPDenyUntil map[string]time.Time `json:"ip_deny_until,omitempty"`
	// RateLimits are the tenant's own limits by operation: new operations
	// for POST /v1/ratelimit/check, or tighter versions of the tiers' ones.
	RateLimits map[string]RateLimitSetting `json:"rate_limits,omitempty"`
	// PIIRegions are the regions (ISO 3166 alpha-2) whose national phone
	// formats PII detection tries when a request names none: the countries
	// the tenant's users write from.
	PIIRegions []string `json:"pii_regions,omitempty"`
	// Guardrails is the tenant's guardrail policy: thresholds per scanner
	// and source, scanners off, allow-listed phrases, crisis resources.
	Guardrails *guard.Policy `json:"guardrails,omitempty"`
	// Monitoring is the tenant's security monitoring: rule overrides
	// (thresholds, on/off, automatic remediation) and security contacts.
	Monitoring *monitor.Policy `json:"monitoring,omitempty"`
	// LinkTTLMinutes and CodeTTLMinutes are how long links (password
	// reset, verification, invitation) and codes sent to users work; 0 is
	// the default (30 and 10 minutes).
	LinkTTLMinutes int `json:"link_ttl_minutes,omitempty"`
	CodeTTLMinutes int `json:"code_ttl_minutes,omitempty"`
	// ForbidSMS turns off codes by SMS, the weakest factor (SIM swaps,
	// SS7 interception).
	ForbidSMS bool `json:"forbid_sms,omitempty"`
	// SMSRegions are the regions (ISO 3166 alpha-2) whose numbers may
	// receive codes; empty: the deployment's default region only.
	SMSRegions []string `json:"sms_regions,omitempty"`
	// Claims are the tenant's defaults for its users' token claims and the
	// custom claim names it allows (replaced whole, like a map).
	Claims *ClaimSettings `json:"claims,omitempty"`
	// TermsVersion is the current version of the tenant's terms; with
	// TermsRequired, users who have not accepted it reach only their own
	// account's routes (POST /v1/me/terms) until they do.
	TermsVersion  string `json:"terms_version,omitempty"`
	TermsRequired bool   `json:"terms_required,omitempty"`
	// PasswordMaxAgeDays, when set, requires a password change (see
	// PasswordChangeDue) once a password is that old. NIST SP 800-63B
	// advises against periodic changes: set it only where a compliance
	// regime demands it.
	PasswordMaxAgeDays int `json:"password_max_age_days,omitempty"`
	// AI are the tenant's own limits of the AI gateway (replaced whole,
	// like a map).
	AI *AISettings `json:"ai,omitempty"`
	// Privacy are the tenant's privacy settings: the purposes its users
	// consent to (replaced whole, like a map).
	Privacy *PrivacySettings `json:"privacy,omitempty"`
}

// PrivacySettings are a tenant's privacy data.
type PrivacySettings struct {
	// Purposes are the names of the purposes consent is recorded for
	// (POST /v1/consents refuses any other).
	Purposes []string `json:"purposes,omitempty"`
}

// MaxPurposes bounds a tenant's consent purposes.
const MaxPurposes = 100

// ValidPurpose reports whether name may name a consent purpose: 1 to 64
// of a-z, 0-9, _, - and ., starting with a letter.
func ValidPurpose(name string) bool {
	if name == "" || len(name) > 64 || name[0] < 'a' || name[0] > 'z' {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-' || c == '.') {
			return false
		}
	}
	return true
}

// AISettings are a tenant's limits of the AI gateway; zero fields take the
// deployment's.
type AISettings struct {
	// MaxMessages bounds the messages of one chat request.
	MaxMessages int `json:"max_messages,omitempty"`
}

// MaxAIMessagesLimit is the largest message limit a tenant may set.
const MaxAIMessagesLimit = 4096

// RateLimitSetting is one limit a tenant configures.
type RateLimitSetting struct {
	Rate          int64  `json:"rate"`
	PeriodSeconds int64  `json:"period_seconds"`
	Algorithm     string `json:"algorithm,omitempty"` // fixed_window | sliding_window (default) | gcra
}

// IPRules parses the tenant's lists (validated when they were saved).
func (p TenantPolicy) IPRules() (*iprules.Rules, error) {
	return iprules.FromStrings("settings.ip_allow", p.IPAllow, "settings.ip_deny", p.IPDeny)
}

// IPRulesAt is IPRules without the temporary deny entries expired at now;
// next is when the next of those left expires (zero: none).
func (p TenantPolicy) IPRulesAt(now time.Time) (r *iprules.Rules, next time.Time, err error) {
	deny := p.IPDeny
	if len(p.IPDenyUntil) > 0 {
		deny = make([]string, 0, len(p.IPDeny))
		for _, d := range p.IPDeny {
			until, ok := p.IPDenyUntil[d]
			switch {
			case !ok:
			case !now.Before(until):
				continue
			case next.IsZero() || until.Before(next):
				next = until
			}
			deny = append(deny, d)
		}
	}
	r, err = iprules.FromStrings("settings.ip_allow", p.IPAllow, "settings.ip_deny", deny)
	return r, next, err
}

// ExpireIPDeny removes the temporary deny entries expired at now, and
// reports whether there were any.
func (p *TenantPolicy) ExpireIPDeny(now time.Time) bool {
	changed := false
	for d, until := range p.IPDenyUntil {
		if now.Before(until) {
			continue
		}
		delete(p.IPDenyUntil, d)
		p.IPDeny = slices.DeleteFunc(slices.Clone(p.IPDeny), func(x string) bool { return x == d })
		changed = true
	}
	if len(p.IPDenyUntil) == 0 {
		p.IPDenyUntil = nil
	}
	return changed
}

// RequiresMFA reports whether the policy requires MFA for role.
func (p TenantPolicy) RequiresMFA(role Role) bool {
	for _, r := range p.MFARequiredRoles {
		if r == role {
			return true
		}
	}
	return false
}

// Defaults of TenantPolicy.
const (
	DefaultMaxSessions   = 5
	IPChangeLog          = "log"
	IPChangeRevoke       = "revoke"
	DefaultRateLimitTier = "standard"
	MaxSessionsLimit     = 100
)

// WithDefaults returns p with every unset field at its default.
func (p TenantPolicy) WithDefaults() TenantPolicy {
	if p.MaxSessionsPerUser == 0 {
		p.MaxSessionsPerUser = DefaultMaxSessions
	}
	if p.IPChangePolicy == "" {
		p.IPChangePolicy = IPChangeLog
	}
	if p.RateLimitTier == "" {
		p.RateLimitTier = DefaultRateLimitTier
	}
	if p.RolePreset == "" {
		p.RolePreset = authz.DefaultPreset
	}
	return p
}

// MaxTenantRateLimits bounds how many limits one tenant configures.
const MaxTenantRateLimits = 50

func validOperation(op string) bool {
	if len(op) < 1 || len(op) > 40 || op[0] < 'a' || op[0] > 'z' {
		return false
	}
	for _, c := range op {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '-') {
			return false
		}
	}
	return true
}

// RateLimitTiers are the tiers of the chatbot platform's design, lowest first.
var RateLimitTiers = []string{"basic", "standard", "premium", "enterprise"}

// TierRank orders tiers (basic 1 … enterprise 4); 0 for unknown ones.
func TierRank(tier string) int {
	for i, t := range RateLimitTiers {
		if t == tier {
			return i + 1
		}
	}
	return 0
}

// MaskEmail keeps enough of an address for an audit reader to recognise it
// without storing it whole: the first letter of the local part and the domain.
func MaskEmail(email string) string {
	local, domain, ok := strings.Cut(email, "@")
	if !ok || local == "" {
		return "***"
	}
	return local[:1] + "***@" + domain
}

// Validate checks the settings a tenant may choose.
func (p TenantPolicy) Validate(field string) error {
	if p.MaxSessionsPerUser < 0 || p.MaxSessionsPerUser > MaxSessionsLimit {
		return FieldErrorf(field+".max_sessions_per_user", "must be from 1 to %d", MaxSessionsLimit)
	}
	if p.IPChangePolicy != "" && p.IPChangePolicy != IPChangeLog && p.IPChangePolicy != IPChangeRevoke {
		return FieldErrorf(field+".ip_change_policy", "must be log or revoke")
	}
	for i, r := range p.MFARequiredRoles {
		if !ValidRoleName(string(r)) {
			return FieldErrorf(fmt.Sprintf("%s.mfa_required_roles[%d]", field, i), "%q is not a role", r)
		}
	}
	if p.RolePreset != "" && !authz.ValidPreset(p.RolePreset) {
		return FieldErrorf(field+".role_preset", "must be one of %s", strings.Join(authz.PresetNames(), ", "))
	}
	if p.StepUpMinutes < 0 || p.StepUpMinutes > 24*60 {
		return FieldErrorf(field+".step_up_minutes", "must be from 0 to 1440")
	}
	for d := range p.IPDenyUntil {
		if !slices.Contains(p.IPDeny, d) {
			return FieldErrorf(field+".ip_deny_until."+d, "not an entry of ip_deny")
		}
	}
	if _, err := iprules.FromStrings(field+".ip_allow", p.IPAllow, field+".ip_deny", p.IPDeny); err != nil {
		var e *iprules.Error
		if errors.As(err, &e) {
			return FieldErrorf(e.Field, "%s", e.Msg)
		}
		return err
	}
	if len(p.PIIRegions) > pii.MaxRegions {
		return FieldErrorf(field+".pii_regions", "at most %d regions", pii.MaxRegions)
	}
	for i, r := range p.PIIRegions {
		if !pii.ValidRegion(r) {
			return FieldErrorf(fmt.Sprintf("%s.pii_regions[%d]", field, i), "%q is not a region code (ISO 3166 alpha-2, such as DE or FR)", r)
		}
	}
	if p.LinkTTLMinutes < 0 || p.LinkTTLMinutes > 7*24*60 {
		return FieldErrorf(field+".link_ttl_minutes", "must be from 0 (the default) to %d", 7*24*60)
	}
	if p.CodeTTLMinutes < 0 || p.CodeTTLMinutes > 60 {
		return FieldErrorf(field+".code_ttl_minutes", "must be from 0 (the default) to 60")
	}
	if len(p.SMSRegions) > pii.MaxRegions {
		return FieldErrorf(field+".sms_regions", "at most %d regions", pii.MaxRegions)
	}
	for i, r := range p.SMSRegions {
		if !pii.ValidRegion(r) {
			return FieldErrorf(fmt.Sprintf("%s.sms_regions[%d]", field, i), "%q is not a region code (ISO 3166 alpha-2, such as DE or FR)", r)
		}
	}
	if p.Claims != nil {
		if err := p.Claims.Validate(field + ".claims"); err != nil {
			return err
		}
	}
	if p.TermsVersion != "" && !ValidTermsVersion(p.TermsVersion) {
		return FieldErrorf(field+".terms_version", "a terms version is 1 to 64 of letters, digits, . _ and -")
	}
	if p.TermsRequired && p.TermsVersion == "" {
		return FieldErrorf(field+".terms_required", "requiring terms needs a terms_version")
	}
	if p.PasswordMaxAgeDays < 0 || p.PasswordMaxAgeDays > 3650 {
		return FieldErrorf(field+".password_max_age_days", "must be from 0 (none) to 3650")
	}
	if p.AI != nil && (p.AI.MaxMessages < 0 || p.AI.MaxMessages > MaxAIMessagesLimit) {
		return FieldErrorf(field+".ai.max_messages", "must be from 0 (the deployment's limit) to %d", MaxAIMessagesLimit)
	}
	if p.Privacy != nil {
		if len(p.Privacy.Purposes) > MaxPurposes {
			return FieldErrorf(field+".privacy.purposes", "at most %d purposes", MaxPurposes)
		}
		for i, name := range p.Privacy.Purposes {
			if !ValidPurpose(name) {
				return FieldErrorf(fmt.Sprintf("%s.privacy.purposes[%d]", field, i), "a purpose is 1 to 64 of a-z, 0-9, _, - and ., starting with a letter")
			}
		}
	}
	if p.Monitoring != nil {
		if err := p.Monitoring.Validate(field+".monitoring", monitor.BuiltinPack()); err != nil {
			return err
		}
	}
	if p.Guardrails != nil {
		if err := p.Guardrails.Validate(field + ".guardrails"); err != nil {
			return err
		}
	}
	if len(p.RateLimits) > MaxTenantRateLimits {
		return FieldErrorf(field+".rate_limits", "at most %d limits", MaxTenantRateLimits)
	}
	for op, l := range p.RateLimits {
		f := field + ".rate_limits." + op
		switch {
		case !validOperation(op):
			return FieldErrorf(f, "an operation name is 1 to 40 of a-z, 0-9, _ and -, starting with a letter")
		case l.Rate < 1 || l.Rate > 1_000_000_000:
			return FieldErrorf(f+".rate", "must be from 1 to 1000000000")
		case l.PeriodSeconds < 1 || l.PeriodSeconds > 31*24*3600:
			return FieldErrorf(f+".period_seconds", "must be from 1 to 2678400 (31 days)")
		case l.Algorithm != "" && l.Algorithm != "fixed_window" && l.Algorithm != "sliding_window" && l.Algorithm != "gcra":
			return FieldErrorf(f+".algorithm", "must be fixed_window, sliding_window or gcra")
		}
	}
	if p.RateLimitTier != "" {
		ok := false
		for _, t := range RateLimitTiers {
			ok = ok || t == p.RateLimitTier
		}
		if !ok {
			return FieldErrorf(field+".rate_limit_tier", "must be basic, standard, premium or enterprise")
		}
	}
	return nil
}
