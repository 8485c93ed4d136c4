// Package identity owns tenants, users, their roles and passwords: the rules
// for what a valid account is, knowing nothing of HTTP or SQL.
package identity

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/authz"
)

// Size limits of account fields, in bytes.
const (
	MaxNameBytes  = 200
	MaxEmailBytes = 254 // RFC 5321 path limit
)

// Tenant status values.
const (
	TenantActive   = "active"
	TenantDisabled = "disabled"
)

// Tenant is one customer of the platform; every other record belongs to one.
type Tenant struct {
	ID        string
	Slug      string
	Name      string
	Status    string
	Policy    TenantPolicy // security settings; zero fields take defaults
	CreatedAt time.Time
	UpdatedAt time.Time
}

// User status values.
const (
	UserActive   = "active"
	UserDisabled = "disabled"
	UserInvited  = "invited" // created without a password; active once the invitation is accepted
)

// User is an account of one tenant. Email is unique per tenant, compared
// case-insensitively through EmailKey.
type User struct {
	ID           string
	TenantID     string
	Email        string // as the user typed it
	EmailKey     string // NormalizeEmail(Email), the uniqueness key
	PasswordHash string // PHC string; never logged or returned
	Role         Role
	Permissions  []string // custom permissions and resource grants
	Status       string
	Attributes   Attributes // what the user's tokens claim beyond role and permissions
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// Role is one of the chatbot platform's roles.
type Role string

// The chatbot platform's role set, highest level first.
const (
	RoleOwner     Role = "owner"
	RoleAdmin     Role = "admin"
	RoleDeveloper Role = "developer"
	RoleManager   Role = "manager"
	RoleMember    Role = "member"
	RoleViewer    Role = "viewer"
	RoleAPIUser   Role = "api_user"
)

var slugPattern = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{1,61})[a-z0-9]$`)

// ValidateSlug checks a tenant slug: lowercase letters, digits and dashes,
// 3 to 63 characters, starting and ending with a letter or digit.
func ValidateSlug(field, slug string) error {
	if !slugPattern.MatchString(slug) || strings.Contains(slug, "--") {
		return rampart.FieldError(rampart.EUnprocessable, field,
			"%s must be 3-63 characters of lowercase letters, digits and single dashes, starting and ending with a letter or digit", field)
	}
	return nil
}

// ValidateName checks a display name: non-blank UTF-8 of at most MaxNameBytes.
func ValidateName(field, name string) error {
	switch {
	case !utf8.ValidString(name):
		return rampart.FieldError(rampart.EInvalid, field, "%s must be valid UTF-8", field)
	case strings.TrimSpace(name) == "":
		return rampart.FieldError(rampart.EUnprocessable, field, "%s is required", field)
	case len(name) > MaxNameBytes:
		return rampart.FieldError(rampart.EUnprocessable, field, "%s must be at most %d bytes", field, MaxNameBytes)
	case strings.ContainsFunc(name, func(r rune) bool { return r < 0x20 || r == 0x7f }):
		return rampart.FieldError(rampart.EUnprocessable, field, "%s must not contain control characters", field)
	}
	return nil
}

// ValidateEmail checks that email is a bare address (no display name) of at
// most MaxEmailBytes with a dotted domain.
func ValidateEmail(field, email string) error {
	if !utf8.ValidString(email) {
		return rampart.FieldError(rampart.EInvalid, field, "%s must be valid UTF-8", field)
	}
	if email == "" {
		return rampart.FieldError(rampart.EUnprocessable, field, "%s is required", field)
	}
	if len(email) > MaxEmailBytes {
		return rampart.FieldError(rampart.EUnprocessable, field, "%s must be at most %d bytes", field, MaxEmailBytes)
	}
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return rampart.FieldError(rampart.EUnprocessable, field, "%s is not a valid email address", field)
	}
	local, domain, _ := strings.Cut(email, "@")
	if len(local) > 64 || !strings.Contains(domain, ".") || strings.HasPrefix(domain, ".") || strings.HasSuffix(domain, ".") {
		return rampart.FieldError(rampart.EUnprocessable, field, "%s is not a valid email address", field)
	}
	return nil
}

// NormalizeEmail returns the key under which an email is unique in a tenant:
// the address in lower case.
func NormalizeEmail(email string) string { return strings.ToLower(strings.TrimSpace(email)) }

// MaxPermissions bounds a user's custom permission list.
const MaxPermissions = 200

// ValidatePermissions checks custom permissions: `*`, `category:action`,
// `category:*`, or a resource grant `category:action:resource_id`.
func ValidatePermissions(field string, perms []string) error {
	if len(perms) > MaxPermissions {
		return FieldErrorf(field, "at most %d permissions", MaxPermissions)
	}
	for i, p := range perms {
		if msg := authz.ValidateGrant(p); msg != "" {
			return FieldErrorf(fmt.Sprintf("%s[%d]", field, i), "%q is not a permission: %s", p, msg)
		}
	}
	return nil
}

var rolePattern = regexp.MustCompile(`^[a-z][a-z0-9_]{1,62}$`)

// ValidRoleName reports whether name can name a role: lowercase letters,
// digits and underscores, 2-63 characters, starting with a letter.
func ValidRoleName(name string) bool { return rolePattern.MatchString(name) }

// FieldErrorf is a 422 naming a request field.
func FieldErrorf(field, format string, args ...any) error {
	return rampart.FieldError(rampart.EUnprocessable, field, format, args...)
}
