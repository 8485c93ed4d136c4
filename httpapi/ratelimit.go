package httpapi

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/ratelimit"
)

// Limiter decides a request's limits: in memory, or in Redis for replicas.
type Limiter interface {
	Decide(ctx context.Context, id string, limits []*ratelimit.Limit, cost int64, out *ratelimit.Result) error
}

// rateAuditSample writes one api_rate_limit event per this many refusals, so
// an attack does not flood the audit log (the first refusal always writes).
const rateAuditSample = 100

// limit decides the limits for id at a cost of one and writes the
// rate-limit headers; it answers 429 (or 503 when the backend is down and a
// limit fails closed) and returns false when the request must stop.
func (s *Server) limit(w http.ResponseWriter, r *http.Request, id, tenantID string, limits []*ratelimit.Limit) bool {
	return s.limitCost(w, r, id, tenantID, limits, 1)
}

// limitCost is limit at a cost of cost units.
func (s *Server) limitCost(w http.ResponseWriter, r *http.Request, id, tenantID string, limits []*ratelimit.Limit, cost int64) bool {
	if s.limiter == nil {
		return true
	}
	var res ratelimit.Result
	if err := s.limiter.Decide(r.Context(), id, limits, cost, &res); err != nil {
		for _, l := range limits {
			if l.FailClosed {
				s.log.Error("rate limiter unavailable: refusing", "limit", l.Name, "err", err.Error())
				writeError(w, r, s.log, &rampart.Error{Code: rampart.EUnavailable, Message: "rate limiting is unavailable; retry shortly", RetryAfter: time.Second})
				return false
			}
		}
		if !s.cfg.RateLimitFailOpen {
			s.log.Error("rate limiter unavailable: refusing (RAMPART_RATE_LIMIT_FAILURE=closed)", "err", err.Error())
			writeError(w, r, s.log, &rampart.Error{Code: rampart.EUnavailable, Message: "rate limiting is unavailable; retry shortly", RetryAfter: time.Second})
			return false
		}
		s.log.Warn("rate limiter unavailable: letting the request through (RAMPART_RATE_LIMIT_FAILURE=open)", "err", err.Error())
		return true
	}
	d := res.Tightest()
	reset := s.now().Add(d.Reset)
	setRateHeaders(w, d, reset)
	if res.Allowed {
		return true
	}
	if tenantID != "" && s.refusals.Take(tenantID, rateAuditSample) {
		s.auth.Audit(r.Context(), tenantID, &audit.Event{Type: audit.APIRateLimit, UserID: callerID(r), IP: s.clientIP(r),
			UserAgent: truncate(r.UserAgent(), 512), Resource: r.Pattern, Success: false,
			Details: map[string]any{"limit": d.Limit.Name, "sampled_one_in": rateAuditSample}})
	}
	writeError(w, r, s.log, rateLimited(d, reset))
	return false
}

// rateLimited is the 429 problem of a refusal: the chatbot design's code with
// retry_after (seconds) and reset_time (Unix time).
func rateLimited(d *ratelimit.Decision, reset time.Time) error {
	retry := ceilSeconds(d.RetryAfter)
	e := &rampart.Error{Code: rampart.ERateLimited, Message: "rate limit exceeded", RetryAfter: time.Duration(retry) * time.Second}
	e.Extensions = map[string]any{"retry_after": retry, "reset_time": reset.Unix(), "limit": d.Limit.Name}
	return e
}

func ceilSeconds(d time.Duration) int {
	return int((d + time.Second - 1) / time.Second)
}

func callerID(r *http.Request) string {
	if p := principal(r); p != nil {
		return p.UserID
	}
	return ""
}

// limitAnonymous limits unauthenticated /v1/ routes by client address at the
// basic tier, plus extra per-route limits (login).
func (s *Server) limitAnonymous(next http.Handler, extra ...*ratelimit.Limit) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		limits := append(s.limits.Requests("basic"), extra...)
		if !s.limit(w, r, "ip:"+s.clientIP(r), "", limits) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitOperator gives the operator the enterprise tier's budget.
func (s *Server) limitOperator(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.limit(w, r, "operator", "", s.limits.Requests("enterprise")) {
			return
		}
		next.ServeHTTP(w, r)
	})
}

// limitPrincipal limits an authenticated caller: by API key, else by user,
// at the tier of the key or the token (auth.Principal.Budget).
func (s *Server) limitPrincipal(w http.ResponseWriter, r *http.Request, p *auth.Principal) bool {
	id, tier := p.Budget()
	return s.limit(w, r, id, p.TenantID, s.limits.Requests(tier))
}

// chargeMore spends extra units of the caller's budget on a request that
// costs more than the one unit authentication charged (a batch). It answers
// as limit does and returns false when the request must stop.
func (s *Server) chargeMore(w http.ResponseWriter, r *http.Request, extra int64) bool {
	p := principal(r)
	if extra <= 0 || p == nil {
		return true
	}
	id, tier := p.Budget()
	return s.limitCost(w, r, id, p.TenantID, s.limits.Requests(tier), extra)
}

// rateLimitCheckRequest is the body of POST /v1/ratelimit/check: a key of
// the caller's choosing, an operation of the caller's tier or tenant, and a
// cost (1 when left out); see tenancy.Limits.App.
type rateLimitCheckRequest struct {
	Key       string `json:"key" validate:"required,max=200"`
	Operation string `json:"operation" validate:"required,max=40,operation"`
	Cost      *int64 `json:"cost" validate:"omitempty,min=1,max=1000"`
}

// handleRateLimitCheck lets the platform's own services spend Rampart's
// budgets for their endpoints (model requests, say): the operation's limit
// at the caller's tier, for a key in the caller's tenant. Admitted: 200 with
// the headers; refused: 429 RATE_LIMIT_EXCEEDED, as Rampart's own limits.
func (s *Server) handleRateLimitCheck() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req rateLimitCheckRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		cost := int64(1)
		if req.Cost != nil {
			cost = *req.Cost
		}
		b, err := s.limits.App(r.Context(), principal(r), req.Key, req.Operation, cost)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if s.limiter == nil {
			encode(w, http.StatusOK, map[string]any{"allowed": true, "limit": b.Limits[0].Rate, "remaining": b.Limits[0].Rate})
			return
		}
		var res ratelimit.Result
		if err := s.limiter.Decide(r.Context(), b.ID, b.Limits, b.Cost, &res); err != nil {
			if s.cfg.RateLimitFailOpen {
				s.log.Warn("rate limiter unavailable: admitting the check (RAMPART_RATE_LIMIT_FAILURE=open)", "err", err.Error())
				encode(w, http.StatusOK, map[string]any{"allowed": true, "limit": b.Limits[0].Rate, "degraded": true})
				return
			}
			writeError(w, r, s.log, &rampart.Error{Code: rampart.EUnavailable, Message: "rate limiting is unavailable; retry shortly", RetryAfter: time.Second})
			return
		}
		d := res.Tightest()
		reset := s.now().Add(d.Reset)
		setRateHeaders(w, d, reset)
		if !res.Allowed {
			writeError(w, r, s.log, rateLimited(d, reset))
			return
		}
		encode(w, http.StatusOK, map[string]any{"allowed": true, "limit": d.Limit.Rate, "remaining": d.Remaining, "reset_time": reset.Unix()})
	})
}

// setRateHeaders writes the X-RateLimit and IETF RateLimit fields of d.
func setRateHeaders(w http.ResponseWriter, d *ratelimit.Decision, reset time.Time) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", strconv.FormatInt(d.Limit.Rate, 10))
	h.Set("X-RateLimit-Remaining", strconv.FormatInt(d.Remaining, 10))
	h.Set("X-RateLimit-Reset", strconv.FormatInt(reset.Unix(), 10))
	h.Set("RateLimit-Policy", fmt.Sprintf(`"%s";q=%d;w=%d`, d.Limit.Name, d.Limit.Rate, int(d.Limit.Period.Seconds())))
	h.Set("RateLimit", fmt.Sprintf(`"%s";r=%d;t=%d`, d.Limit.Name, d.Remaining, ceilSeconds(d.Reset)))
}
