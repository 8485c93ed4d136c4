// Package rampart holds the types every capability shares: the error type whose
// code is the only part of a failure that crosses the API boundary.
package rampart

import (
	"errors"
	"fmt"
	"time"
)

// Error codes. Each maps to one HTTP status in httpapi; anything without a code
// is internal and is shown to callers only as "Internal error".
const (
	EInvalid       = "invalid"       // malformed request: bad JSON, unknown field, wrong type
	EUnprocessable = "unprocessable" // well-formed but semantically invalid value
	EUnauthorized  = "unauthorized"  // missing or wrong credentials
	EForbidden     = "forbidden"     // authenticated but not allowed
	ENotFound      = "not_found"     // no such resource (or not visible to the caller)
	EConflict      = "conflict"      // uniqueness or state conflict
	ETooLarge      = "too_large"     // request body over the configured limit
	EUnavailable   = "unavailable"   // temporarily overloaded; retry later
	EInternal      = "internal"      // anything else
	EMethod        = "method_not_allowed"
	ELocked        = "locked"              // too many failed attempts; retry after the lock
	EStepUp        = "step_up_required"    // a fresh second factor is needed (401)
	ERateLimited   = "RATE_LIMIT_EXCEEDED" // 429; the chatbot design's code, kept as it is
	// EPasswordChange and ETermsRequired refuse (403) a session that must
	// change its password, or accept its tenant's terms, before anything
	// but its own account's routes.
	EPasswordChange = "password_change_required"
	ETermsRequired  = "terms_not_accepted"
	EBadGateway     = "bad_gateway"     // 502: an upstream (a model provider) failed or answered garbage
	EGatewayTimeout = "gateway_timeout" // 504: an upstream did not answer in time
)

// Error is a failure with a machine code and a message safe to show callers.
// Extensions are extra members of the problem document (for example the map of
// failed password checks); they must never hold secrets.
type Error struct {
	Code       string
	Message    string
	Field      string         // the request field at fault, if any
	Extensions map[string]any // extra problem members
	RetryAfter time.Duration  // for EUnavailable and rate limits
}

func (e *Error) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("rampart error: code=%s field=%s message=%s", e.Code, e.Field, e.Message)
	}
	return fmt.Sprintf("rampart error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// FieldError returns an *Error naming the request field at fault.
func FieldError(code, field, format string, args ...any) *Error {
	return &Error{Code: code, Field: field, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of err, or EInternal when err carries none.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EInternal
}

// ErrorMessage returns the caller-safe message of err, or "Internal error".
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error"
}
