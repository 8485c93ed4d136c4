package httpapi

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/pii"
	"github.com/rampart-dev/rampart/vault"
)

// piiContext binds reversible masks: a token from /v1/pii/mask decrypts
// only through /v1/pii/unmask of the same tenant.
const piiContext = "rampart/pii-mask/v1"

type piiDetectRequest struct {
	Text     string   `json:"text" validate:"max=1048576"`
	Types    []string `json:"types" validate:"max=20,dive,max=40"`
	Language string   `json:"language" validate:"max=35"`
}

func parseTypes(names []string) ([]pii.Type, error) {
	var out []pii.Type
	for i, n := range names {
		t, ok := pii.ParseType(n)
		if !ok {
			all := make([]string, 0, 16)
			for _, t := range pii.AllTypes() {
				all = append(all, string(t))
			}
			return nil, rampart.FieldError(rampart.EUnprocessable, fieldIndex("types", i), "unknown type %q; use %s", n, strings.Join(all, ", "))
		}
		out = append(out, t)
	}
	return out, nil
}

func fieldIndex(name string, i int) string { return name + "[" + strconv.Itoa(i) + "]" }

// handleDetectPII finds personal data in text. Offsets are Unicode code
// points (not bytes), end exclusive.
func (s *Server) handleDetectPII() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req piiDetectRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		types, err := parseTypes(req.Types)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		findings := s.pii.Detect(req.Text, types)
		if findings == nil {
			findings = []pii.Finding{}
		}
		encode(w, http.StatusOK, map[string]any{"findings": findings})
	})
}

type piiMaskRequest struct {
	Text     string            `json:"text" validate:"max=1048576"`
	Types    []string          `json:"types" validate:"max=20,dive,max=40"`
	Strategy string            `json:"strategy" validate:"max=20"`
	PerType  map[string]string `json:"per_type" validate:"max=20,dive,keys,max=40,endkeys,max=20"`
	Language string            `json:"language" validate:"max=35"`
}

// handleMaskPII replaces personal data in text: mask (keeps an email's
// domain, the last 4 digits of cards and phones), redact (<EMAIL>), hash
// (keyed per tenant: the same value gives the same token) or encrypt
// (reversible through /v1/pii/unmask; needs crypto:encrypt).
func (s *Server) handleMaskPII() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req piiMaskRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		types, err := parseTypes(req.Types)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		strategy := pii.StrategyMask
		if req.Strategy != "" {
			st, ok := pii.ParseStrategy(req.Strategy)
			if !ok {
				writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "strategy", "strategy must be mask, redact, hash or encrypt"))
				return
			}
			strategy = st
		}
		perType := map[pii.Type]pii.Strategy{}
		encrypting := strategy == pii.StrategyEncrypt
		for name, sname := range req.PerType {
			t, ok := pii.ParseType(name)
			if !ok {
				writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "per_type."+name, "unknown type %q", name))
				return
			}
			st, ok := pii.ParseStrategy(sname)
			if !ok {
				writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "per_type."+name, "strategy must be mask, redact, hash or encrypt"))
				return
			}
			perType[t] = st
			encrypting = encrypting || st == pii.StrategyEncrypt
		}
		p := principal(r)
		if encrypting {
			if err := s.require(r, "crypto:encrypt"); err != nil {
				writeError(w, r, s.log, err)
				return
			}
		}
		m := pii.Masker{
			HashKey: s.vault.HashKey(p.TenantID, "pii-mask"),
			Encrypt: func(_ pii.Type, value string) (string, error) {
				c, err := s.vault.Encrypt(r.Context(), vault.Field{TenantID: p.TenantID, Purpose: keys.PurposePII, Context: piiContext}, []byte(value))
				return strings.TrimPrefix(c, keys.CiphertextPrefix), err
			},
		}
		findings := s.pii.Detect(req.Text, types)
		text, findings, err := m.Mask(req.Text, findings, strategy, perType)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if findings == nil {
			findings = []pii.Finding{}
		}
		encode(w, http.StatusOK, map[string]any{"text": text, "findings": findings})
	})
}

type piiUnmaskRequest struct {
	Text string `json:"text" validate:"max=2097152"`
}

// handleUnmaskPII turns the <ENC:...> tokens of an encrypt-masked text back
// into the values (crypto:decrypt; audited as data_access).
func (s *Server) handleUnmaskPII() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req piiUnmaskRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		n := 0
		text, err := pii.Unmask(req.Text, func(c string) (string, error) {
			pt, _, err := s.vault.Decrypt(r.Context(), p.TenantID, piiContext, keys.CiphertextPrefix+c)
			n++
			return string(pt), err
		})
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		s.auditDecrypt(r, "pii_unmask", map[string]any{"values": n})
		encode(w, http.StatusOK, map[string]any{"text": text})
	})
}
