package httpapi

import (
	"net/http"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
)

func (s *Server) handleListRoles() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		p := principal(r)
		cat, err := s.auth.Catalogue(r.Context(), p.TenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"preset": cat.Preset, "roles": cat.Roles()})
	})
}

// createRoleRequest is the body of POST /v1/roles: a custom role below the
// owner's level (authz.MinLevel to authz.MaxLevel-1).
type createRoleRequest struct {
	Name        string   `json:"name" validate:"required,max=63,role"`
	Permissions []string `json:"permissions" validate:"max=200,dive,max=200,grant"`
	Level       int      `json:"level" validate:"min=1,max=5"`
}

func (s *Server) handleCreateRole() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req createRoleRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if !identity.ValidRoleName(req.Name) {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "name", "name must be 2-63 lowercase letters, digits or _, starting with a letter"))
			return
		}
		if req.Level < authz.MinLevel || req.Level > authz.MaxLevel-1 {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "level", "level must be from %d to %d (%d is the owner's)", authz.MinLevel, authz.MaxLevel-1, authz.MaxLevel))
			return
		}
		if req.Permissions == nil {
			req.Permissions = []string{}
		}
		if err := identity.ValidatePermissions("permissions", req.Permissions); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		role := authz.Role{Name: req.Name, Level: req.Level, Permissions: req.Permissions, Custom: true}
		if err := s.auth.CreateRole(r.Context(), principal(r), role, s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.Header().Set("Location", "/v1/roles/"+role.Name)
		encode(w, http.StatusCreated, role)
	})
}

func (s *Server) handleDeleteRole() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := s.auth.DeleteRole(r.Context(), principal(r), r.PathValue("name"), s.meta(r)); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// checkRequest is one question to the policy engine: the body of POST
// /v1/authz/check, and an item of a batch.
type checkRequest struct {
	Permission string `json:"permission" validate:"required,max=200,permission"`
	Resource   string `json:"resource" validate:"omitempty,max=128,resource"`
	UserID     string `json:"user_id" validate:"omitempty,max=64"`
}

func (c checkRequest) question() auth.Question {
	return auth.Question{Permission: c.Permission, Resource: c.Resource, UserID: c.UserID}
}

type checkResult struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
}

func (s *Server) handleCheck() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req checkRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		a, err := s.auth.Check(r.Context(), principal(r), req.question())
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, checkResult{Allowed: a.Allowed, Reason: a.Reason})
	})
}

// checkBatchRequest is the body of POST /v1/authz/check-batch.
type checkBatchRequest struct {
	Checks []checkRequest `json:"checks" validate:"required,min=1,max=100,dive"` // auth.MaxChecks
}

func (s *Server) handleCheckBatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req checkBatchRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		qs := make([]auth.Question, len(req.Checks))
		for i, c := range req.Checks {
			qs[i] = c.question()
		}
		as, err := s.auth.CheckBatch(r.Context(), principal(r), qs)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := make([]checkResult, len(as))
		for i, a := range as {
			out[i] = checkResult{Allowed: a.Allowed, Reason: a.Reason}
		}
		encode(w, http.StatusOK, map[string]any{"results": out})
	})
}
