// Package authz decides who may do what: permissions `category:action`,
// category and full wildcards, resource grants `category:action:resource`,
// and role catalogues with a hierarchy. It knows nothing of HTTP or SQL.
package authz

import (
	"fmt"
	"strings"
)

// Limits of permission strings.
const (
	MaxPermissionLen = 200
	maxSegments      = 3
)

// validSegment reports whether s is one segment: non-empty, printable ASCII
// without spaces or colons. Resource ids may use . _ - ~ / @ as well.
func validSegment(s string, resource bool) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= '0' && c <= '9', c == '_', c == '-':
		case c >= 'A' && c <= 'Z', c == '.', c == '~', c == '/', c == '@':
			if !resource {
				return false
			}
		default:
			return false
		}
	}
	return true
}

// ValidateGrant checks a permission that may be granted: `*`, `cat:*`,
// `cat:action`, or a resource grant `cat:action:resource` (the action may be
// `*`). It returns a message naming what is wrong, or "".
func ValidateGrant(p string) string {
	if p == "*" {
		return ""
	}
	if len(p) > MaxPermissionLen {
		return fmt.Sprintf("longer than %d characters", MaxPermissionLen)
	}
	parts := strings.Split(p, ":")
	if len(parts) < 2 || len(parts) > maxSegments {
		return "must be category:action or category:action:resource"
	}
	if !validSegment(parts[0], false) {
		return "the category must be lowercase letters, digits, _ or -"
	}
	if parts[1] != "*" && !validSegment(parts[1], false) {
		return "the action must be lowercase letters, digits, _ or -, or *"
	}
	if len(parts) == 3 && !validSegment(parts[2], true) {
		return "the resource must be letters, digits or . _ - ~ / @"
	}
	return ""
}

// ValidatePermission checks a permission asked for in a check: exactly
// `category:action`, no wildcards. It returns a message, or "".
func ValidatePermission(p string) string {
	if len(p) > MaxPermissionLen {
		return fmt.Sprintf("longer than %d characters", MaxPermissionLen)
	}
	cat, act, ok := strings.Cut(p, ":")
	if !ok || strings.Contains(act, ":") || !validSegment(cat, false) || !validSegment(act, false) {
		return "must be category:action (lowercase letters, digits, _ or -)"
	}
	return ""
}

// ValidateResource checks a resource id given to a check.
func ValidateResource(r string) string {
	if r == "" {
		return ""
	}
	if len(r) > 128 || !validSegment(r, true) {
		return "must be at most 128 letters, digits or . _ - ~ / @"
	}
	return ""
}

// matches reports whether grant covers category:action on resource. Wildcards
// match whole segments only; a grant without a resource covers every
// resource, one with a resource only that resource. It does not allocate.
func matches(grant, cat, act, resource string) bool {
	if grant == "*" {
		return true
	}
	gc, rest, ok := strings.Cut(grant, ":")
	if !ok || gc != cat {
		return false
	}
	ga, gr, hasRes := strings.Cut(rest, ":")
	if ga != "*" && ga != act {
		return false
	}
	if !hasRes {
		return true
	}
	return resource != "" && gr == resource
}
