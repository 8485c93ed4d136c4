package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/keys"
)

// operatorOr admits the operator token (no principal in the request), or a
// tenant caller holding permission.
func (s *Server) operatorOr(permission string, next http.Handler) http.Handler {
	tenant := s.permitted(permission, next)
	operator := s.operatorOnly(s.limitOperator(next))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if token, ok := bearer(r); ok {
			sum := sha256.Sum256([]byte(token))
			if subtle.ConstantTimeCompare(sum[:], s.operatorHash[:]) == 1 {
				operator.ServeHTTP(w, r)
				return
			}
		}
		tenant.ServeHTTP(w, r)
	})
}

type rotateKeysRequest struct {
	Tenant  string `json:"tenant" validate:"max=100"`
	Purpose string `json:"purpose" validate:"max=40"`
}

// handleRotateKeys rotates keys. The operator with an empty body rotates
// the deployment's token-signing key (as before); with {"tenant"} it rotates
// that tenant's data keys. A tenant's admin:security holder rotates its own
// data keys: {"purpose": "email"} one purpose, {} every purpose. New writes
// use the new version at once; old ciphertexts keep decrypting, and
// POST /v1/crypto/rewrap moves them to the new version.
func (s *Server) handleRotateKeys() http.Handler {
	signing := s.handleRotateKey()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req rotateKeysRequest
		if r.ContentLength != 0 {
			if err := decode(r, &req); err != nil {
				writeError(w, r, s.log, err)
				return
			}
		}
		p := principal(r)
		tenantID, actor := req.Tenant, "operator"
		if p != nil {
			if req.Tenant != "" && req.Tenant != p.TenantID {
				writeError(w, r, s.log, rampart.FieldError(rampart.EForbidden, "tenant", "you may rotate only your own tenant's keys"))
				return
			}
			tenantID, actor = p.TenantID, p.UserID
		} else if tenantID == "" {
			if req.Purpose != "" {
				writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "tenant", "name the tenant whose data keys to rotate"))
				return
			}
			signing.ServeHTTP(w, r)
			return
		}
		purposes := keys.Purposes()
		if req.Purpose != "" {
			pp, err := parsePurpose("purpose", req.Purpose)
			if err != nil {
				writeError(w, r, s.log, err)
				return
			}
			purposes = []keys.Purpose{pp}
		}
		if p == nil {
			if _, err := uuid.Parse(tenantID); err != nil {
				writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "tenant", "tenant is a tenant id"))
				return
			}
			if _, err := s.auth.TenantPolicy(r.Context(), tenantID); err != nil {
				writeError(w, r, s.log, err)
				return
			}
		}
		rotated := []map[string]any{}
		for _, pp := range purposes {
			n, err := s.vault.Rotate(r.Context(), tenantID, pp)
			if err != nil {
				writeError(w, r, s.log, err)
				return
			}
			rotated = append(rotated, map[string]any{"purpose": pp, "version": n})
		}
		s.auth.Audit(r.Context(), tenantID, &audit.Event{Type: audit.DataKeyRotated, UserID: actor, IP: s.clientIP(r), UserAgent: truncate(r.UserAgent(), 512),
			Resource: "data_keys", Success: true, Details: map[string]any{"rotated": rotated}})
		// Move Rampart's own stored secrets forward in a job that runs once
		// across the replicas and resumes after a crash; GET /v1/keys/status
		// shows the progress, GET /v1/jobs the job.
		if s.jobs != nil {
			if err := s.jobs.Trigger(r.Context(), "reencrypt:"+tenantID); err != nil {
				s.log.Warn("schedule re-encryption after rotation; it runs at the next key care", "tenant", tenantID, "err", err.Error())
			}
		}
		encode(w, http.StatusCreated, map[string]any{"tenant": tenantID, "rotated": rotated, "reencryption": "started"})
	})
}

// handleKeyStatus shows a tenant's data keys (newest versions) and the
// progress of re-encrypting Rampart's own stored secrets under them. The
// operator names the tenant with ?tenant=; a tenant caller sees its own.
func (s *Server) handleKeyStatus() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tenantID := r.URL.Query().Get("tenant")
		if p := principal(r); p != nil {
			tenantID = p.TenantID
		} else if _, err := uuid.Parse(tenantID); err != nil {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "tenant", "name the tenant by id: ?tenant="))
			return
		}
		if _, err := s.auth.TenantPolicy(r.Context(), tenantID); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		latest, err := s.vault.Latest(r.Context(), tenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		total, current, err := s.auth.SecretStatus(r.Context(), tenantID)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		ks := make([]map[string]any, 0, len(latest))
		for _, k := range latest {
			ks = append(ks, map[string]any{"purpose": k.Purpose, "version": k.Version, "created_at": k.CreatedAt, "encryptions_reserved": k.Reserved})
		}
		encode(w, http.StatusOK, map[string]any{"tenant": tenantID, "keys": ks,
			"stored_secrets": map[string]any{"total": total, "on_newest_version": current}})
	})
}
