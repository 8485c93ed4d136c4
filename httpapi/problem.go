package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
)

// statusClientClosed is recorded (nginx's 499) when the client left before
// the answer.
const statusClientClosed = 499

// problemTypeBase prefixes the type URI of every problem document; the last
// segment is the error code.
const problemTypeBase = "urn:rampart:problem:"

// statusOf maps error codes to HTTP statuses: the one place that does.
var statusOf = map[string]int{
	rampart.EInvalid:        http.StatusBadRequest,
	rampart.EUnprocessable:  http.StatusUnprocessableEntity,
	rampart.EUnauthorized:   http.StatusUnauthorized,
	rampart.EForbidden:      http.StatusForbidden,
	rampart.ENotFound:       http.StatusNotFound,
	rampart.EMethod:         http.StatusMethodNotAllowed,
	rampart.EConflict:       http.StatusConflict,
	rampart.ETooLarge:       http.StatusRequestEntityTooLarge,
	rampart.EUnavailable:    http.StatusServiceUnavailable,
	rampart.EInternal:       http.StatusInternalServerError,
	rampart.ELocked:         http.StatusLocked,
	rampart.EStepUp:         http.StatusUnauthorized,
	rampart.ERateLimited:    http.StatusTooManyRequests,
	rampart.EPasswordChange: http.StatusForbidden,
	rampart.ETermsRequired:  http.StatusForbidden,
	rampart.EBadGateway:     http.StatusBadGateway,
	rampart.EGatewayTimeout: http.StatusGatewayTimeout,
}

var titleOf = map[string]string{
	rampart.EInvalid:        "Invalid request",
	rampart.EUnprocessable:  "Validation failed",
	rampart.EUnauthorized:   "Unauthorized",
	rampart.EForbidden:      "Forbidden",
	rampart.ENotFound:       "Not found",
	rampart.EMethod:         "Method not allowed",
	rampart.EConflict:       "Conflict",
	rampart.ETooLarge:       "Request too large",
	rampart.EUnavailable:    "Service unavailable",
	rampart.EInternal:       "Internal error",
	rampart.ELocked:         "Locked",
	rampart.EStepUp:         "Step-up authentication required",
	rampart.ERateLimited:    "Too many requests",
	rampart.EPasswordChange: "Password change required",
	rampart.ETermsRequired:  "Terms not accepted",
	rampart.EBadGateway:     "Bad gateway",
	rampart.EGatewayTimeout: "Gateway timeout",
}

// newErrorID returns a random identifier that ties a problem shown to a
// caller to the log line that holds its cause.
func newErrorID() string {
	const alphabet = "0123456789abcdefghijklmnopqrstuvwxyz"
	b := make([]byte, 16)
	rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// writeError answers err as an RFC 9457 problem document. Errors without a
// code are internal: the caller sees only "Internal error" and the error_id,
// and the cause is logged beside the same error_id.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	if errors.Is(err, context.Canceled) && r.Context().Err() != nil {
		// The client went away; nobody reads this answer.
		log.InfoContext(r.Context(), "client gone", "route", r.Pattern)
		w.WriteHeader(statusClientClosed)
		return
	}
	if errors.Is(err, context.DeadlineExceeded) {
		err = &rampart.Error{Code: rampart.EUnavailable, Message: "The request took too long; retry shortly", RetryAfter: time.Second}
	}
	code := rampart.ErrorCode(err)
	status, ok := statusOf[code]
	if !ok {
		status, code = http.StatusInternalServerError, rampart.EInternal
	}
	id := newErrorID()
	p := map[string]any{
		"type":     problemTypeBase + code,
		"title":    titleOf[code],
		"status":   status,
		"detail":   rampart.ErrorMessage(err),
		"code":     code,
		"error_id": id,
	}
	var e *rampart.Error
	if errors.As(err, &e) {
		if e.Field != "" {
			p["field"] = e.Field
		}
		for k, v := range e.Extensions {
			if _, taken := p[k]; !taken {
				p[k] = v
			}
		}
		if e.RetryAfter > 0 {
			w.Header().Set("Retry-After", strconv.Itoa(int((e.RetryAfter+time.Second-1)/time.Second)))
		}
	}
	if status == http.StatusMethodNotAllowed && e != nil {
		if allow, ok := e.Extensions["allow"].(string); ok {
			w.Header().Set("Allow", allow)
		}
	}
	if code == rampart.EInternal {
		log.ErrorContext(r.Context(), "request failed", "error_id", id, "status", status, "method", r.Method, "route", r.Pattern, "err", err.Error())
	} else {
		log.InfoContext(r.Context(), "request refused", "error_id", id, "status", status, "code", code, "route", r.Pattern, "field", fieldOf(e))
	}
	if rw, ok := w.(*recorder); ok {
		rw.errorID = id
	}
	if d, ok := r.Context().Value(denialKey{}).(*denial); ok && status == http.StatusForbidden {
		d.reason, d.field = rampart.ErrorMessage(err), fieldOf(e)
		var denied *auth.DeniedError
		d.audited = d.audited || errors.As(err, &denied)
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

func fieldOf(e *rampart.Error) string {
	if e == nil {
		return ""
	}
	return e.Field
}
