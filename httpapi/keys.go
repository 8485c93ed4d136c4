package httpapi

import (
	"crypto/sha256"
	"crypto/subtle"
	"net/http"

	"github.com/rampart-dev/rampart/encryption"
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

// handleRotateKeys rotates keys (see encryption.Service.RotateKeys): the
// operator with an empty body rotates the token-signing key, with
// {"tenant"} that tenant's data keys; a tenant's admin:security holder its
// own data keys, {"purpose": "email"} one purpose, {} every purpose.
func (s *Server) handleRotateKeys() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req rotateKeysRequest
		if r.ContentLength != 0 {
			if err := decode(r, &req); err != nil {
				writeError(w, r, s.log, err)
				return
			}
		}
		res, err := s.crypto.RotateKeys(r.Context(), principal(r), encryption.Rotation{Tenant: req.Tenant, Purpose: req.Purpose}, s.actor(r, ""))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if k := res.Signing; k != nil {
			encode(w, http.StatusCreated, map[string]any{"kid": k.KID, "alg": k.Alg, "created_at": k.CreatedAt})
			return
		}
		rotated := make([]map[string]any, 0, len(res.Keys))
		for _, k := range res.Keys {
			rotated = append(rotated, map[string]any{"purpose": k.Purpose, "version": k.Version})
		}
		encode(w, http.StatusCreated, map[string]any{"tenant": res.Tenant, "rotated": rotated, "reencryption": "started"})
	})
}

// handleKeyStatus shows a tenant's data keys (newest versions) and the
// progress of re-encrypting Rampart's own stored secrets under them. The
// operator names the tenant with ?tenant=; a tenant caller sees its own.
func (s *Server) handleKeyStatus() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		st, err := s.crypto.KeyStatus(r.Context(), principal(r), r.URL.Query().Get("tenant"))
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		ks := make([]map[string]any, 0, len(st.Keys))
		for _, k := range st.Keys {
			ks = append(ks, map[string]any{"purpose": k.Purpose, "version": k.Version, "created_at": k.CreatedAt, "encryptions_reserved": k.Reserved})
		}
		encode(w, http.StatusOK, map[string]any{"tenant": st.Tenant, "keys": ks,
			"stored_secrets": map[string]any{"total": st.Secrets, "on_newest_version": st.Current}})
	})
}
