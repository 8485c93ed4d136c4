package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/delivery"
)

// handleEvents is the event feed: the tenant's events after a position, in
// chain order, for platforms that mirror them into their SIEM.
func (s *Server) handleEvents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		var after int64
		if v := q.Get("after"); v != "" {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil || n < 0 {
				writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "after", "after is a sequence number, 0 or more"))
				return
			}
			after = n
		}
		limit := delivery.DefaultFeedPage
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > delivery.MaxFeedPage {
				writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "limit", "limit must be an integer from 1 to %d", delivery.MaxFeedPage))
				return
			}
			limit = n
		}
		var types []string
		for _, v := range q["type"] {
			for _, t := range strings.Split(v, ",") {
				if t = strings.TrimSpace(t); t != "" {
					types = append(types, t)
				}
			}
		}
		events, err := s.delivery.Feed(r.Context(), principal(r).TenantID, after, limit, types)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := make([]audit.Record, len(events))
		next := after
		for i, e := range events {
			out[i] = e.Record()
			next = e.Seq
		}
		encode(w, http.StatusOK, map[string]any{"events": out, "next_after": next})
	})
}

type createWebhookRequest struct {
	URL    string   `json:"url" validate:"required,max=2048"`
	Events []string `json:"events" validate:"required,max=64,dive,max=64"`
	Secret string   `json:"secret" validate:"max=256"`
}

func (s *Server) handleCreateWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req createWebhookRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		hook, err := s.delivery.CreateWebhook(r.Context(), principal(r).TenantID, s.actor(r, principal(r).UserID), delivery.NewWebhook{URL: req.URL, Events: req.Events, Secret: req.Secret})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusCreated, hook)
	})
}

func (s *Server) handleListWebhooks() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := s.delivery.Webhooks(r.Context(), principal(r).TenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"webhooks": list})
	})
}

func (s *Server) handleDeleteWebhook() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.delivery.DeleteWebhook(r.Context(), principal(r).TenantID, s.actor(r, principal(r).UserID), r.PathValue("id")); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// handleDeliveries lists the tenant's outbox messages, newest first; the
// cursor is the id to continue below.
func (s *Server) handleDeliveries() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit := 100
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > delivery.MaxDeliveriesPage {
				writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "limit", "limit must be an integer from 1 to %d", delivery.MaxDeliveriesPage))
				return
			}
			limit = n
		}
		list, err := s.delivery.Deliveries(r.Context(), principal(r).TenantID, q.Get("status"), q.Get("cursor"), limit)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		resp := map[string]any{"deliveries": list}
		if len(list) == limit {
			resp["next_cursor"] = list[len(list)-1].ID
		}
		encode(w, http.StatusOK, resp)
	})
}

func (s *Server) handleRetryDelivery() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		m, err := s.delivery.RetryDelivery(r.Context(), principal(r).TenantID, s.actor(r, principal(r).UserID), r.PathValue("id"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, m)
	})
}

// handleJobs shows the deployment's scheduled jobs to the operator.
func (s *Server) handleJobs() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		list, err := s.delivery.Jobs(r.Context())
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"jobs": list})
	})
}

// handleDevOutbox shows the operator what the development sink received,
// so that a newcomer and end-to-end tests can read a reset code. It exists
// only in development without a real courier.
func (s *Server) handleDevOutbox() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if s.sink == nil {
			writeError(w, r, s.log, rampart.Errorf(rampart.ENotFound, "no such endpoint"))
			return
		}
		to := r.URL.Query().Get("to")
		if to == "" {
			writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "to", "to is the recipient (an e-mail address or an E.164 number)"))
			return
		}
		msgs := s.sink.Messages(to)
		if msgs == nil {
			msgs = []courier.SentMessage{}
		}
		encode(w, http.StatusOK, map[string]any{"messages": msgs})
	})
}
