package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/gateway"
	"github.com/rampart-dev/rampart/store"
)

// The OpenAI-compatible routes: their errors are OpenAI-shaped.
var openAIRoutes = map[string]bool{
	"/v1/ai/chat/completions": true,
	"/v1/ai/embeddings":       true,
	"/v1/ai/models":           true,
}

// createUpstreamRequest is the body of POST /v1/ai/upstreams.
type createUpstreamRequest struct {
	Name       string                   `json:"name" validate:"required,max=64"`
	BaseURL    string                   `json:"base_url" validate:"required,max=2048"`
	APIKey     string                   `json:"api_key" validate:"required,max=4096"`
	Models     []string                 `json:"models" validate:"max=256,dive,max=256"`
	Aliases    map[string]string        `json:"aliases" validate:"max=256,dive,keys,max=256,endkeys,max=256"`
	Prices     map[string]aiPriceFields `json:"prices" validate:"max=256,dive,keys,max=256,endkeys"`
	Default    bool                     `json:"default"`
	Guardrails *bool                    `json:"guardrails" validate:"omitempty"`
	MaskPII    *bool                    `json:"mask_pii" validate:"omitempty"`
}

// aiPriceFields is a model's price, US dollars per million tokens.
type aiPriceFields struct {
	Input  float64 `json:"input" validate:"min=0,max=1000000"`
	Output float64 `json:"output" validate:"min=0,max=1000000"`
}

func (s *Server) aiCaller(r *http.Request) gateway.Caller {
	p := principal(r)
	return gateway.Caller{TenantID: p.TenantID, UserID: p.UserID, KeyID: p.APIKeyID, Actor: s.actor(r, p.UserID)}
}

func (s *Server) handleCreateUpstream() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req createUpstreamRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		prices := map[string]store.AIPrice{}
		for k, v := range req.Prices {
			prices[k] = store.AIPrice{Input: v.Input, Output: v.Output}
		}
		u, err := s.gateway.CreateUpstream(r.Context(), s.aiCaller(r), gateway.NewUpstream{Name: req.Name, BaseURL: req.BaseURL, APIKey: req.APIKey,
			Models: req.Models, Aliases: req.Aliases, Prices: prices, Default: req.Default, Guardrails: req.Guardrails, MaskPII: req.MaskPII})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusCreated, u)
	})
}

func (s *Server) handleListUpstreams() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := s.gateway.Upstreams(r.Context(), principal(r).TenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"upstreams": list})
	})
}

func (s *Server) handleDeleteUpstream() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.gateway.DeleteUpstream(r.Context(), s.aiCaller(r), r.PathValue("id")); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// handleModels lists the tenant's public model names as OpenAI does, for
// callers that may use either AI route.
func (s *Server) handleModels() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.require(r, "ai:chat"); err != nil {
			if err2 := s.require(r, "ai:embeddings"); err2 != nil {
				writeError(w, r, s.log, err)
				return
			}
		}
		list, err := s.gateway.Models(r.Context(), principal(r).TenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"object": "list", "data": list})
	})
}

// aiRequest holds the fields of an OpenAI request the gateway reads; the
// rest of the body passes to the upstream as it is.
type aiRequest struct {
	Model               string `json:"model" validate:"max=256"`
	Stream              bool   `json:"stream"`
	MaxTokens           *int64 `json:"max_tokens" validate:"omitempty,min=1,max=10000000"`
	MaxCompletionTokens *int64 `json:"max_completion_tokens" validate:"omitempty,min=1,max=10000000"`
	N                   *int64 `json:"n" validate:"omitempty,min=1,max=128"`
}

// readAIRequest reads an OpenAI body: the whole of it (under the body
// limit) for the upstream, and the fields the gateway reads, bounded.
func readAIRequest(r *http.Request) ([]byte, *aiRequest, error) {
	body, err := io.ReadAll(r.Body)
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			return nil, nil, rampart.Errorf(rampart.ETooLarge, "request body exceeds %d bytes", tooBig.Limit)
		}
		return nil, nil, rampart.Errorf(rampart.EInvalid, "could not read the request body")
	}
	var req aiRequest
	if err := json.Unmarshal(body, &req); err != nil {
		var syn *json.SyntaxError
		if errors.As(err, &syn) || len(bytes.TrimSpace(body)) == 0 {
			return nil, nil, rampart.Errorf(rampart.EInvalid, "We could not parse the JSON body of your request.")
		}
		return nil, nil, jsonError(err)
	}
	if err := validateRequest("", &req); err != nil {
		return nil, nil, err
	}
	return body, &req, nil
}

// handleChat proxies a chat completion, streamed or not.
func (s *Server) handleChat() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, req, err := readAIRequest(r)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if !s.spendModelRequest(w, r) {
			return
		}
		if !req.Stream {
			out, err := s.gateway.Chat(r.Context(), s.aiCaller(r), body)
			if err != nil {
				writeError(w, r, s.log, err)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("Cache-Control", "no-store")
			w.WriteHeader(http.StatusOK)
			w.Write(out)
			return
		}
		sse := &sseWriter{w: w, rc: http.NewResponseController(w)}
		if err := s.gateway.ChatStream(r.Context(), s.aiCaller(r), body, sse); err != nil && !sse.started {
			writeError(w, r, s.log, err)
		}
	})
}

// handleEmbeddings proxies an embeddings request.
func (s *Server) handleEmbeddings() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _, err := readAIRequest(r)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if !s.spendModelRequest(w, r) {
			return
		}
		out, err := s.gateway.Embeddings(r.Context(), s.aiCaller(r), body)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.WriteHeader(http.StatusOK)
		w.Write(out)
	})
}

// spendModelRequest spends one of the caller's model_requests at its tier
// (and its tenant's own limit of them), answering 429 with the rate-limit
// headers when none is left.
func (s *Server) spendModelRequest(w http.ResponseWriter, r *http.Request) bool {
	if s.limiter == nil {
		return true
	}
	p := principal(r)
	id, _ := p.Budget()
	b, err := s.limits.App(r.Context(), p, id, "model_requests", 1)
	if err != nil {
		writeError(w, r, s.log, err)
		return false
	}
	return s.limitCost(w, r, b.ID, p.TenantID, b.Limits, b.Cost)
}

// sseWriter sends a stream's events as Server-Sent Events, as OpenAI does.
type sseWriter struct {
	w       http.ResponseWriter
	rc      *http.ResponseController
	started bool
}

func (e *sseWriter) Start() {
	h := e.w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	// A stream outlives the server's write timeout; the gateway's idle
	// timeouts bound it instead.
	e.rc.SetWriteDeadline(time.Time{})
	e.w.WriteHeader(http.StatusOK)
	e.started = true
}

func (e *sseWriter) Event(data []byte) error {
	buf := make([]byte, 0, len(data)+8)
	buf = append(buf, "data: "...)
	buf = append(buf, data...)
	buf = append(buf, '\n', '\n')
	if _, err := e.w.Write(buf); err != nil {
		return err
	}
	return e.rc.Flush()
}

// openAIErrors rewrites the problem documents of the routes below it into
// OpenAI's error shape, keeping the status and headers (Retry-After and the
// rate-limit fields), so that OpenAI SDKs read them.
func openAIErrors(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ew := &openAIErrorWriter{ResponseWriter: w}
		next.ServeHTTP(ew, r)
		if ew.problem {
			ew.rewrite()
		}
	})
}

type openAIErrorWriter struct {
	http.ResponseWriter
	problem bool
	status  int
	buf     bytes.Buffer
}

func (w *openAIErrorWriter) WriteHeader(code int) {
	if code >= 400 && strings.HasPrefix(w.Header().Get("Content-Type"), "application/problem+json") {
		w.problem, w.status = true, code
		return
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *openAIErrorWriter) Write(b []byte) (int, error) {
	if w.problem {
		return w.buf.Write(b)
	}
	return w.ResponseWriter.Write(b)
}

func (w *openAIErrorWriter) Flush() {
	if !w.problem {
		http.NewResponseController(w.ResponseWriter).Flush()
	}
}

func (w *openAIErrorWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *openAIErrorWriter) rewrite() {
	var p map[string]any
	json.Unmarshal(w.buf.Bytes(), &p)
	str := func(k string) string { v, _ := p[k].(string); return v }
	typ, code := "invalid_request_error", str("openai_code")
	switch {
	case w.status == http.StatusUnauthorized:
		code = "invalid_api_key"
	case w.status == http.StatusForbidden:
		typ, code = "permission_error", "permission_denied"
	case w.status == http.StatusTooManyRequests && code == gateway.CodeInsufficientQuota:
		typ = "insufficient_quota"
	case w.status == http.StatusTooManyRequests:
		typ, code = "rate_limit_error", "rate_limit_exceeded"
	case w.status >= 500:
		typ = "server_error"
	}
	if code == "" {
		switch w.status {
		case http.StatusNotFound:
			code = "not_found"
		case http.StatusRequestEntityTooLarge:
			code = "request_too_large"
		case http.StatusServiceUnavailable:
			code = "service_unavailable"
		case http.StatusInternalServerError:
			code = "internal_error"
		default:
			code = "invalid_request"
		}
	}
	e := map[string]any{"message": str("detail"), "type": typ, "code": code, "param": nil}
	if f := str("field"); f != "" {
		e["param"] = f
	} else if f := str("param"); f != "" {
		e["param"] = f
	}
	if sc := str("scanner"); sc != "" {
		e["scanner"] = sc
	}
	if id := str("error_id"); id != "" {
		e["error_id"] = id
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Del("Content-Length")
	w.ResponseWriter.WriteHeader(w.status)
	json.NewEncoder(w.ResponseWriter).Encode(map[string]any{"error": e})
}

// budgetRequest is the body of PUT /v1/ai/budgets: no maximum removes the
// budget.
type budgetRequest struct {
	Subject    string   `json:"subject" validate:"required,max=80"`
	Period     string   `json:"period" validate:"required,oneof=day month"`
	MaxTokens  *int64   `json:"max_tokens" validate:"omitempty,min=0,max=1000000000000"`
	MaxCostUSD *float64 `json:"max_cost_usd" validate:"omitempty,min=0,max=100000000"`
}

func (s *Server) handleSetBudget() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req budgetRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if _, err := s.gateway.SetBudget(r.Context(), s.aiCaller(r), req.Subject, req.Period, req.MaxTokens, req.MaxCostUSD); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		s.writeBudgets(w, r)
	})
}

func (s *Server) handleBudgets() http.Handler {
	return http.HandlerFunc(s.writeBudgets)
}

// writeBudgets answers the tenant's budgets (GET, and PUT after a change).
func (s *Server) writeBudgets(w http.ResponseWriter, r *http.Request) {
	list, err := s.gateway.Budgets(r.Context(), principal(r).TenantID)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	encode(w, http.StatusOK, map[string]any{"budgets": list})
}

// handleUsage sums the tenant's AI usage: ?from=&to= (RFC 3339; the last 30
// days by default) and group_by=key|model|user.
func (s *Server) handleUsage() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		to, from := s.now().UTC(), time.Time{}
		for _, f := range []struct {
			name string
			dst  *time.Time
		}{{"from", &from}, {"to", &to}} {
			if v := q.Get(f.name); v != "" {
				t, err := time.Parse(time.RFC3339, v)
				if err != nil {
					writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, f.name, "%s is an RFC 3339 time such as 2026-01-31T00:00:00Z", f.name))
					return
				}
				*f.dst = t
			}
		}
		if from.IsZero() {
			from = to.Add(-30 * 24 * time.Hour)
		}
		rep, err := s.gateway.Usage(r.Context(), principal(r).TenantID, from, to, q.Get("group_by"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, rep)
	})
}
