package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/incident"
	"github.com/rampart-dev/rampart/store"
)

// handleIncidents lists the tenant's incidents, newest first; the cursor is
// the id to continue below.
func (s *Server) handleIncidents() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		limit := incident.DefaultPage
		if v := q.Get("limit"); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 1 || n > store.MaxIncidentsPage {
				writeError(w, r, s.log, rampart.FieldError(rampart.EInvalid, "limit", "limit must be an integer from 1 to %d", store.MaxIncidentsPage))
				return
			}
			limit = n
		}
		list, err := s.incidents.List(r.Context(), principal(r).TenantID, store.IncidentFilter{Status: q.Get("status"), Severity: q.Get("severity"),
			Before: q.Get("cursor"), Limit: limit})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := map[string]any{"incidents": list}
		if len(list) == limit {
			out["next_cursor"] = list[len(list)-1].ID
		}
		encode(w, http.StatusOK, out)
	})
}

func (s *Server) handleIncident() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		in, err := s.incidents.Get(r.Context(), principal(r).TenantID, r.PathValue("id"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, in)
	})
}

type updateIncidentRequest struct {
	Status string `json:"status" validate:"omitempty,oneof=acknowledged resolved"`
	Note   string `json:"note" validate:"max=2000"`
}

func (s *Server) handleUpdateIncident() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req updateIncidentRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		in, err := s.incidents.Update(r.Context(), p.TenantID, r.PathValue("id"), incident.Change{Status: req.Status, Note: req.Note}, s.actor(r, p.UserID))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, in)
	})
}

type incidentActionRequest struct {
	Action          string `json:"action" validate:"required,max=32"`
	DurationSeconds int    `json:"duration_seconds" validate:"min=0,max=2592000"`
}

// handleIncidentAction takes a remediation action on what an incident is
// about (its user, API key, address or tenant).
func (s *Server) handleIncidentAction() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req incidentActionRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		in, err := s.incidents.Act(r.Context(), p.TenantID, r.PathValue("id"),
			incident.Action{Name: req.Action, For: time.Duration(req.DurationSeconds) * time.Second}, s.actor(r, p.UserID))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, in)
	})
}
