package httpapi

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"
	"time"

	"github.com/go-playground/validator/v10"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/iprules"
)

// Request bodies declare their limits in `validate` struct tags beside the
// handler that decodes them (go-playground/validator syntax); decode checks
// them and answers the first failure as a 422 naming the JSON field. The
// domain packages check again: the tags are the first line, stated where a
// reader of the route looks, and never stricter than the domain's rules.
//
// Custom tags, each backed by the domain's own rule where there is one:
//
//	slug        a tenant slug (identity.ValidateSlug)
//	role        a role name (identity.ValidRoleName)
//	mailbox     a bare email address (identity.ValidateEmail)
//	permission  a permission asked about: category:action (authz.ValidatePermission)
//	grant       a permission that may be granted, with wildcards or a resource (authz.ValidateGrant)
//	resource    a resource id (authz.ValidateResource)
//	operation   a rate-limited operation name (as identity.TenantPolicy.Validate)
//	ipprefix    a CIDR prefix or bare address (iprules.ParsePrefix)
//	rfc3339     a time as RFC 3339
//
// String lengths (max, min) count characters; the domain's limits count
// bytes and stay as the second check.

// requestValidator checks request structs. It is built once, when the
// package loads, and never changes afterwards: the validator caches each
// struct's parsed tags and is safe for concurrent use.
var requestValidator = newRequestValidator()

// operationPattern is identity's rule for a tenant-configured operation name.
var operationPattern = regexp.MustCompile(`^[a-z][a-z0-9_-]{0,39}$`)

func newRequestValidator() *validator.Validate {
	// The patterns registered as tags, by tag.
	customRules := map[string]func(string) bool{
		"slug":       func(s string) bool { return identity.ValidateSlug("", s) == nil },
		"role":       identity.ValidRoleName,
		"mailbox":    func(s string) bool { return identity.ValidateEmail("", s) == nil },
		"permission": func(s string) bool { return authz.ValidatePermission(s) == "" },
		"grant":      func(s string) bool { return authz.ValidateGrant(s) == "" },
		"resource":   func(s string) bool { return authz.ValidateResource(s) == "" },
		"operation":  operationPattern.MatchString,
		"ipprefix": func(s string) bool {
			_, err := iprules.ParsePrefix(s)
			return err == nil
		},
		"rfc3339": func(s string) bool {
			_, err := time.Parse(time.RFC3339Nano, s)
			return err == nil
		},
	}
	v := validator.New(validator.WithRequiredStructEnabled())
	v.RegisterTagNameFunc(jsonName)
	for tag, ok := range customRules {
		err := v.RegisterValidation(tag, func(fl validator.FieldLevel) bool {
			return fl.Field().Kind() == reflect.String && ok(fl.Field().String())
		})
		if err != nil {
			panic(fmt.Sprintf("httpapi: registering validation tag %s: %v", tag, err))
		}
	}
	return v
}

// jsonName is a field's name in the request body, for error paths.
func jsonName(f reflect.StructField) string {
	name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
	switch name {
	case "-":
		return ""
	case "":
		return f.Name
	}
	return name
}

// validateRequest checks the validate tags of dst, a pointer to a struct
// (anything else has no tags and passes). prefix, when not empty, is the path
// of dst inside the request ("settings"). The first failure is a 422 naming
// the field: owner.email, permissions[2], rate_limits.exports.rate.
func validateRequest(prefix string, dst any) error {
	t := reflect.TypeOf(dst)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == nil || t.Kind() != reflect.Struct {
		return nil
	}
	err := requestValidator.Struct(dst)
	if err == nil {
		return nil
	}
	var errs validator.ValidationErrors
	if !errors.As(err, &errs) || len(errs) == 0 {
		return err // a nil pointer: a programming error, answered as internal
	}
	fe := errs[0]
	field := fieldPath(t, fe.Namespace())
	if prefix != "" {
		field = prefix + "." + field
	}
	return rampart.FieldError(rampart.EUnprocessable, field, "%s %s", field, ruleMessage(fe))
}

// fieldPath turns a validator namespace ("createTenantRequest.owner.email",
// "tenantSettingsRequest.rate_limits[exports].rate") into the field path the
// domain uses: JSON names joined by dots, slice items as [i], map entries as
// .key. root is the type validated; it tells map keys from slice indexes.
func fieldPath(root reflect.Type, ns string) string {
	_, rest, ok := strings.Cut(ns, ".") // the first segment is the type's name
	if !ok {
		return ns
	}
	if path, ok := pathIn(root, "."+rest); ok {
		return strings.TrimPrefix(path, ".")
	}
	return rest
}

// pathIn renders rest, the remainder of a namespace inside a value of type
// t, and reports whether it fits t. A map key may hold any character, so each
// ] that could end it is tried until the rest fits the map's values.
func pathIn(t reflect.Type, rest string) (string, bool) {
	t = deref(t)
	switch {
	case rest == "":
		return "", true
	case rest[0] == '.' && t.Kind() == reflect.Struct:
		end := strings.IndexAny(rest[1:], ".[") + 1
		if end == 0 {
			end = len(rest)
		}
		f, ok := fieldByJSONName(t, rest[1:end])
		if !ok {
			return "", false
		}
		sub, ok := pathIn(f.Type, rest[end:])
		return rest[:end] + sub, ok
	case rest[0] == '[' && (t.Kind() == reflect.Slice || t.Kind() == reflect.Array):
		end := strings.IndexByte(rest, ']')
		if end < 0 {
			return "", false
		}
		sub, ok := pathIn(t.Elem(), rest[end+1:])
		return rest[:end+1] + sub, ok
	case rest[0] == '[' && t.Kind() == reflect.Map:
		for end := 1; end < len(rest); end++ {
			if rest[end] != ']' {
				continue
			}
			if sub, ok := pathIn(t.Elem(), rest[end+1:]); ok {
				return "." + rest[1:end] + sub, true
			}
		}
	}
	return "", false
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}

// fieldByJSONName finds the field of struct type t named name in JSON,
// looking into embedded structs.
func fieldByJSONName(t reflect.Type, name string) (reflect.StructField, bool) {
	if t.Kind() != reflect.Struct {
		return reflect.StructField{}, false
	}
	for i := range t.NumField() {
		f := t.Field(i)
		if f.Anonymous && f.Tag.Get("json") == "" {
			if g, ok := fieldByJSONName(deref(f.Type), name); ok {
				return g, true
			}
			continue
		}
		if jsonName(f) == name {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

// ruleMessage says what the failed rule asks of the field, after its name.
func ruleMessage(fe validator.FieldError) string {
	p := fe.Param()
	value, _ := fe.Value().(string)
	switch fe.Tag() {
	case "required":
		return "is required"
	case "max":
		return "must " + sizeMessage(fe, "at most", p)
	case "min":
		return "must " + sizeMessage(fe, "at least", p)
	case "len":
		return "must " + sizeMessage(fe, "exactly", p)
	case "oneof":
		return "must be one of " + strings.Join(strings.Fields(p), ", ")
	case "slug":
		return "must be 3-63 characters of lowercase letters, digits and single dashes, starting and ending with a letter or digit"
	case "role":
		return "must be 2-63 lowercase letters, digits or _, starting with a letter"
	case "mailbox":
		return "is not a valid email address"
	case "permission":
		return authz.ValidatePermission(value)
	case "grant":
		return "is not a permission: " + authz.ValidateGrant(value)
	case "resource":
		return authz.ValidateResource(value)
	case "operation":
		return "must be 1 to 40 of a-z, 0-9, _ and -, starting with a letter"
	case "ipprefix":
		return fmt.Sprintf("must be a CIDR prefix such as 203.0.113.0/24 or 2001:db8::/32, not %q", value)
	case "rfc3339":
		return "must be an RFC 3339 time"
	}
	return "is not valid (" + fe.Tag() + ")"
}

// sizeMessage words a bound by the kind of the field: characters of a
// string, bytes of a raw document, items of a list, entries of a map.
func sizeMessage(fe validator.FieldError, bound, n string) string {
	unit := func(one, many string) string {
		if n == "1" {
			return n + " " + one
		}
		return n + " " + many
	}
	switch fe.Kind() {
	case reflect.String:
		return "be " + bound + " " + unit("character", "characters")
	case reflect.Slice, reflect.Array:
		if fe.Type() != nil && fe.Type().Elem().Kind() == reflect.Uint8 {
			return "be " + bound + " " + unit("byte", "bytes")
		}
		return "have " + bound + " " + unit("item", "items")
	case reflect.Map:
		return "have " + bound + " " + unit("entry", "entries")
	}
	return "be " + bound + " " + n
}
