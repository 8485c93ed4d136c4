package identity

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strings"
	"time"
)

// Attributes are what a user's access tokens say about them beyond role and
// permissions (the chatbot design's claims), stored with the user. Zero
// fields take the tenant's defaults (ClaimSettings).
type Attributes struct {
	FeatureFlags    []string       `json:"feature_flags,omitempty"`
	DataResidency   string         `json:"data_residency,omitempty"`
	ComplianceLevel string         `json:"compliance_level,omitempty"`
	DailyQuota      int64          `json:"daily_quota,omitempty"` // 0: the tenant's, or none
	CustomClaims    map[string]any `json:"custom_claims,omitempty"`
	// PasswordChangeRequired is set by an admin; while it holds (or the
	// tenant's password_max_age_days has passed since PasswordChangedAt)
	// the user's tokens reach only the routes that change the password.
	PasswordChangeRequired bool      `json:"password_change_required,omitempty"`
	PasswordChangedAt      time.Time `json:"password_changed_at,omitzero"` // zero: when the account was created
	// TermsVersion is the version of the tenant's terms the user accepted.
	TermsVersion    string    `json:"terms_version,omitempty"`
	TermsAcceptedAt time.Time `json:"terms_accepted_at,omitzero"`
}

// ClaimSettings are a tenant's claims: defaults for its users' attributes,
// and the custom claim names its users may carry.
type ClaimSettings struct {
	FeatureFlags    []string `json:"feature_flags,omitempty"` // every user's, besides their own
	DataResidency   string   `json:"data_residency,omitempty"`
	ComplianceLevel string   `json:"compliance_level,omitempty"`
	DailyQuota      int64    `json:"daily_quota,omitempty"`
	// CustomNames are the custom claims the tenant allows (never a
	// registered claim); CustomClaims are their values for every user,
	// which a user's own values override.
	CustomNames  []string       `json:"custom_names,omitempty"`
	CustomClaims map[string]any `json:"custom_claims,omitempty"`
}

// Bounds of claim attributes: an access token must stay well under the
// parsers' 8 KiB.
const (
	MaxFeatureFlags      = 50
	MaxCustomClaims      = 20
	MaxCustomClaimsBytes = 2048 // the JSON of one user's or tenant's custom claims
	MaxCustomStringBytes = 256
	MaxCustomListItems   = 20
	MaxDailyQuota        = 1_000_000_000_000
	MaxTermsVersionBytes = 64
)

// RegisteredClaims are the names no custom claim may take: those of RFC
// 7519 and the OpenID and OAuth registries that verifiers act on, and every
// claim Rampart issues.
var RegisteredClaims = []string{
	"iss", "sub", "aud", "exp", "nbf", "iat", "jti", // RFC 7519
	"azp", "acr", "amr", "auth_time", "nonce", "at_hash", "c_hash", "sid", "cnf", "act", "may_act",
	"client_id", "scope", "scopes", "typ", "kid", "alg", "org_id", "email", "email_verified", "name",
	"tenant", "tenant_id", "tenant_ids", "role", "roles", "user_role", "permissions", "groups", "entitlements",
	"session_id", "mfa_verified", "rate_limit_tier", "password_change_required", "terms_accepted",
	"feature_flags", "data_residency", "compliance_level", "daily_quota", "device_id", "user_agent_hash", "ip_address",
}

var (
	claimNamePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,39}$`)
	flagPattern      = regexp.MustCompile(`^[a-z0-9][a-z0-9_.:-]{0,63}$`)
	residencyPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z0-9]{1,13})?$`)
	levelPattern     = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,31}$`)
	termsPattern     = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
)

// Registered reports whether name is a registered claim (or Rampart's own
// prefix), which custom claims never override.
func Registered(name string) bool {
	return slices.Contains(RegisteredClaims, name) || strings.HasPrefix(name, "rampart")
}

// MaxDeviceIDBytes bounds the device_id a login names.
const MaxDeviceIDBytes = 128

var deviceIDPattern = regexp.MustCompile(`^[\x21-\x7e]{1,128}$`)

// ValidateDeviceID checks a device id named at login: 1 to 128 printable
// ASCII characters without spaces (a UUID, a hash, an app's install id).
func ValidateDeviceID(field, id string) error {
	if !deviceIDPattern.MatchString(id) {
		return FieldErrorf(field, "a device id is 1 to %d printable ASCII characters without spaces", MaxDeviceIDBytes)
	}
	return nil
}

// ValidTermsVersion reports whether v can name a version of terms.
func ValidTermsVersion(v string) bool { return termsPattern.MatchString(v) }

// ValidateFeatureFlags checks a list of feature flags: lowercase names of
// up to 64 characters, at most MaxFeatureFlags, no repeats.
func ValidateFeatureFlags(field string, flags []string) error {
	if len(flags) > MaxFeatureFlags {
		return FieldErrorf(field, "at most %d feature flags", MaxFeatureFlags)
	}
	seen := map[string]bool{}
	for i, f := range flags {
		if !flagPattern.MatchString(f) || seen[f] {
			return FieldErrorf(fmt.Sprintf("%s[%d]", field, i), "a feature flag is 1 to 64 of a-z, 0-9, _ . : and -, once")
		}
		seen[f] = true
	}
	return nil
}

// validateCommon checks the claims a user and a tenant both set.
func validateCommon(field string, flags []string, residency, level string, quota int64) error {
	if err := ValidateFeatureFlags(field+"feature_flags", flags); err != nil {
		return err
	}
	if residency != "" && !residencyPattern.MatchString(residency) {
		return FieldErrorf(field+"data_residency", "a data residency is a lowercase region code such as us, eu or eu-west")
	}
	if level != "" && !levelPattern.MatchString(level) {
		return FieldErrorf(field+"compliance_level", "a compliance level is 1 to 32 of a-z, 0-9, _ and -, starting with a letter")
	}
	if quota < 0 || quota > MaxDailyQuota {
		return FieldErrorf(field+"daily_quota", "must be from 0 (none) to %d", int64(MaxDailyQuota))
	}
	return nil
}

// Validate checks a tenant's claim settings; field prefixes the names of
// the fields at fault (e.g. "settings.claims").
func (c *ClaimSettings) Validate(field string) error {
	if err := validateCommon(field+".", c.FeatureFlags, c.DataResidency, c.ComplianceLevel, c.DailyQuota); err != nil {
		return err
	}
	if len(c.CustomNames) > MaxCustomClaims {
		return FieldErrorf(field+".custom_names", "at most %d custom claims", MaxCustomClaims)
	}
	for i, n := range c.CustomNames {
		f := fmt.Sprintf("%s.custom_names[%d]", field, i)
		if err := checkClaimName(f, n); err != nil {
			return err
		}
		if slices.Index(c.CustomNames, n) != i {
			return FieldErrorf(f, "%q is listed twice", n)
		}
	}
	return ValidateCustomClaims(field+".custom_claims", c.CustomClaims, c.CustomNames)
}

// checkClaimName refuses a name that is not an identifier or that is a
// registered claim.
func checkClaimName(field, name string) error {
	if Registered(name) {
		return FieldErrorf(field, "%q is a registered claim: custom claims never override one", name)
	}
	if !claimNamePattern.MatchString(name) {
		return FieldErrorf(field, "a custom claim name is 2 to 40 of a-z, 0-9 and _, starting with a letter")
	}
	return nil
}

// ValidateCustomClaims checks custom claim values: each name among allowed
// (the tenant's custom_names) and never registered, each value a string
// (up to 256 bytes), a number, a boolean or a list of up to 20 short
// strings; the whole under MaxCustomClaimsBytes of JSON.
func ValidateCustomClaims(field string, claims map[string]any, allowed []string) error {
	if len(claims) > MaxCustomClaims {
		return FieldErrorf(field, "at most %d custom claims", MaxCustomClaims)
	}
	names := make([]string, 0, len(claims))
	for n := range claims {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		f := field + "." + n
		if err := checkClaimName(f, n); err != nil {
			return err
		}
		if !slices.Contains(allowed, n) {
			return FieldErrorf(f, "%q is not a custom claim this tenant allows (settings claims.custom_names)", n)
		}
		if !validClaimValue(claims[n]) {
			return FieldErrorf(f, "a custom claim is a string of up to %d bytes, a number, a boolean or a list of up to %d strings", MaxCustomStringBytes, MaxCustomListItems)
		}
	}
	if b, _ := json.Marshal(claims); len(b) > MaxCustomClaimsBytes {
		return FieldErrorf(field, "custom claims take at most %d bytes of JSON", MaxCustomClaimsBytes)
	}
	return nil
}

func validClaimValue(v any) bool {
	switch x := v.(type) {
	case string:
		return len(x) <= MaxCustomStringBytes
	case bool:
		return true
	case float64:
		return !math.IsNaN(x) && !math.IsInf(x, 0)
	case json.Number:
		_, err := x.Float64()
		return err == nil
	case []any:
		if len(x) > MaxCustomListItems {
			return false
		}
		for _, e := range x {
			if s, ok := e.(string); !ok || len(s) > 64 {
				return false
			}
		}
		return true
	case []string:
		return validClaimValue(toAny(x))
	}
	return false
}

func toAny(xs []string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// Validate checks a user's attributes against their tenant's settings.
func (a *Attributes) Validate(field string, tenant *ClaimSettings) error {
	if err := validateCommon(field, a.FeatureFlags, a.DataResidency, a.ComplianceLevel, a.DailyQuota); err != nil {
		return err
	}
	var allowed []string
	if tenant != nil {
		allowed = tenant.CustomNames
	}
	return ValidateCustomClaims(field+"custom_claims", a.CustomClaims, allowed)
}

// UserClaims are the claims of a user's access tokens that come from their
// attributes and their tenant's settings.
type UserClaims struct {
	FeatureFlags           []string
	DataResidency          string
	ComplianceLevel        string
	DailyQuota             int64
	Custom                 map[string]any
	PasswordChangeRequired bool
	TermsAccepted          bool
}

// ClaimsOf resolves a user's claims in tenant p at now: feature flags are
// the tenant's and the user's together; residency, compliance level, daily
// quota and each custom claim are the user's when set, else the tenant's.
// Custom values of names the tenant no longer allows are dropped.
func (p TenantPolicy) ClaimsOf(u *User, now time.Time) UserClaims {
	a := u.Attributes
	out := UserClaims{DataResidency: a.DataResidency, ComplianceLevel: a.ComplianceLevel, DailyQuota: a.DailyQuota,
		PasswordChangeRequired: p.PasswordChangeDue(u, now),
		TermsAccepted:          p.TermsVersion != "" && a.TermsVersion == p.TermsVersion}
	c := p.Claims
	if c == nil {
		c = &ClaimSettings{}
	}
	out.FeatureFlags = append(slices.Clone(c.FeatureFlags), a.FeatureFlags...)
	slices.Sort(out.FeatureFlags)
	out.FeatureFlags = slices.Compact(out.FeatureFlags)
	if out.FeatureFlags == nil {
		out.FeatureFlags = []string{}
	}
	if out.DataResidency == "" {
		out.DataResidency = c.DataResidency
	}
	if out.ComplianceLevel == "" {
		out.ComplianceLevel = c.ComplianceLevel
	}
	if out.DailyQuota == 0 {
		out.DailyQuota = c.DailyQuota
	}
	for _, n := range c.CustomNames {
		v, ok := a.CustomClaims[n]
		if !ok {
			v, ok = c.CustomClaims[n]
		}
		if ok && !Registered(n) {
			if out.Custom == nil {
				out.Custom = map[string]any{}
			}
			out.Custom[n] = v
		}
	}
	return out
}

// PasswordChangeDue reports whether u must change their password before
// anything else: an admin said so, or the tenant's password_max_age_days
// have passed since the password was set.
func (p TenantPolicy) PasswordChangeDue(u *User, now time.Time) bool {
	if u.Attributes.PasswordChangeRequired {
		return true
	}
	if p.PasswordMaxAgeDays <= 0 {
		return false
	}
	set := u.Attributes.PasswordChangedAt
	if set.IsZero() {
		set = u.CreatedAt
	}
	return now.Sub(set) > time.Duration(p.PasswordMaxAgeDays)*24*time.Hour
}

// Gates: what a session must do before any route other than its own
// account's answers it.
const (
	GatePasswordChange = "password_change_required"
	GateTerms          = "terms_not_accepted"
)

// GateOf returns what u must do first in tenant p ("" when nothing): change
// the password, or accept the tenant's current terms when it requires them.
func (p TenantPolicy) GateOf(u *User, now time.Time) string {
	switch {
	case p.PasswordChangeDue(u, now):
		return GatePasswordChange
	case p.TermsRequired && p.TermsVersion != "" && u.Attributes.TermsVersion != p.TermsVersion:
		return GateTerms
	}
	return ""
}
