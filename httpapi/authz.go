package httpapi

import (
	"fmt"
	"net/http"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
)

// maxBatchChecks bounds POST /v1/authz/check-batch.
const maxBatchChecks = 100

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

type checkResult struct {
	Allowed bool   `json:"allowed"`
	Reason  string `json:"reason"`
}

// check answers one question for the caller (or, with user_id, for a user of
// the caller's tenant, which needs users:read).
func (s *Server) check(r *http.Request, cat *authz.Catalogue, c checkRequest, field string) (checkResult, error) {
	if msg := authz.ValidatePermission(c.Permission); msg != "" {
		return checkResult{}, rampart.FieldError(rampart.EUnprocessable, field+"permission", "permission %s", msg)
	}
	if msg := authz.ValidateResource(c.Resource); msg != "" {
		return checkResult{}, rampart.FieldError(rampart.EUnprocessable, field+"resource", "resource %s", msg)
	}
	p := principal(r)
	subject := p.Subject()
	if c.UserID != "" && c.UserID != p.UserID {
		if !cat.Check(p.Subject(), "users:read", "").Allowed {
			return checkResult{}, rampart.FieldError(rampart.EForbidden, field+"user_id", "checking another user needs users:read")
		}
		var err error
		if subject, err = s.auth.SubjectOf(r.Context(), p.TenantID, c.UserID); err != nil {
			return checkResult{}, err // another tenant's user is simply not found
		}
	}
	d := cat.Check(subject, c.Permission, c.Resource)
	return checkResult{Allowed: d.Allowed, Reason: d.Reason()}, nil
}

func (s *Server) handleCheck() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req checkRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		cat, err := s.auth.Catalogue(r.Context(), principal(r).TenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		res, err := s.check(r, cat, req, "")
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, res)
	})
}

// checkBatchRequest is the body of POST /v1/authz/check-batch.
type checkBatchRequest struct {
	Checks []checkRequest `json:"checks" validate:"required,min=1,max=100,dive"` // maxBatchChecks
}

func (s *Server) handleCheckBatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req checkBatchRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if len(req.Checks) == 0 || len(req.Checks) > maxBatchChecks {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "checks", "checks must hold 1 to %d checks", maxBatchChecks))
			return
		}
		cat, err := s.auth.Catalogue(r.Context(), principal(r).TenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		out := make([]checkResult, len(req.Checks))
		for i, c := range req.Checks {
			if out[i], err = s.check(r, cat, c, fmt.Sprintf("checks[%d].", i)); err != nil {
				writeError(w, r, s.log, err)
				return
			}
		}
		encode(w, http.StatusOK, map[string]any{"results": out})
	})
}
