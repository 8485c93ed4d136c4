package httpapi

import (
	"net/http"

	"github.com/rampart-dev/rampart/privacy"
)

// retentionPolicyRequest is one policy of PUT /v1/privacy/retention. The
// domain checks the rest (categories, actions per category, systems) and
// answers 422 naming policies[i].field.
type retentionPolicyRequest struct {
	Category string   `json:"category" validate:"required,max=64"`
	Days     int      `json:"days" validate:"min=1,max=36500"`        // privacy.MaxRetentionDays
	Action   string   `json:"action" validate:"required,max=32"`      // delete, anonymise (anonymize), archive_then_delete
	Platform bool     `json:"platform"`                               // a platform category, announced to systems
	Systems  []string `json:"systems" validate:"max=100,dive,max=64"` // store.MaxPrivacySystems
}

// setRetentionRequest replaces the tenant's policies; an empty list returns
// it to its defaults.
type setRetentionRequest struct {
	Policies []retentionPolicyRequest `json:"policies" validate:"max=50,dive"` // privacy.MaxPolicies
}

func (s *Server) handleGetRetention() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		set, err := s.retention.Policies(r.Context(), principal(r).TenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, set)
	})
}

func (s *Server) handleSetRetention() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req setRetentionRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		in := make([]privacy.Policy, 0, len(req.Policies))
		for _, p := range req.Policies {
			in = append(in, privacy.Policy{Category: p.Category, Days: p.Days, Action: p.Action, Platform: p.Platform, Systems: p.Systems})
		}
		p := principal(r)
		set, err := s.retention.SetPolicies(r.Context(), p.TenantID, s.actor(r, p.UserID), in)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, set)
	})
}

// handleRetentionPreview is the dry run: per category, the rows a run would
// reach now and the action, nothing changed.
func (s *Server) handleRetentionPreview() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := s.retention.Preview(r.Context(), principal(r).TenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, out)
	})
}
