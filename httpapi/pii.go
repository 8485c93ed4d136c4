package httpapi

import (
	"fmt"
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
	Regions  []string `json:"regions" validate:"max=10,dive,max=2"` // pii.MaxRegions
}

// Bounds of POST /v1/pii/detect-batch.
const (
	maxPIIBatch = 100
	// piiBatchItemsPerCost is how many items cost one more unit of the
	// caller's rate limit, on top of the call's own.
	piiBatchItemsPerCost = 10
)

type piiBatchItem struct {
	Text     string   `json:"text" validate:"max=1048576"`
	Types    []string `json:"types" validate:"max=20,dive,max=40"`
	Language string   `json:"language" validate:"max=35"`
}

type piiDetectBatchRequest struct {
	Items    []piiBatchItem `json:"items" validate:"max=100,dive"` // maxPIIBatch
	Language string         `json:"language" validate:"max=35"`
	Regions  []string       `json:"regions" validate:"max=10,dive,max=2"` // pii.MaxRegions
}

// parseRegions checks the regions of a request: ISO 3166-1 alpha-2 codes
// that phone numbering knows, at most pii.MaxRegions.
func parseRegions(field string, regions []string) ([]string, error) {
	if len(regions) > pii.MaxRegions {
		return nil, rampart.FieldError(rampart.EUnprocessable, field, "send at most %d regions", pii.MaxRegions)
	}
	out := make([]string, len(regions))
	for i, r := range regions {
		out[i] = strings.ToUpper(r)
		if !pii.ValidRegion(out[i]) {
			return nil, rampart.FieldError(rampart.EUnprocessable, fieldIndex(field, i), "unknown region %q; use ISO 3166-1 alpha-2 codes such as DE or FR", r)
		}
	}
	return out, nil
}

// parseTypes reads the type names of the request field field.
func parseTypes(field string, names []string) ([]pii.Type, error) {
	var out []pii.Type
	for i, n := range names {
		t, ok := pii.ParseType(n)
		if !ok {
			all := make([]string, 0, 16)
			for _, t := range pii.AllTypes() {
				all = append(all, string(t))
			}
			return nil, rampart.FieldError(rampart.EUnprocessable, fieldIndex(field, i), "unknown type %q; use %s", n, strings.Join(all, ", "))
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
		types, err := parseTypes("types", req.Types)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		regions, err := parseRegions("regions", req.Regions)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if regions, err = s.piiRegions(r, regions); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		findings := s.pii.DetectWith(req.Text, types, pii.Hints{Language: req.Language, Regions: regions})
		if findings == nil {
			findings = []pii.Finding{}
		}
		encode(w, http.StatusOK, map[string]any{"findings": findings})
	})
}

// handleDetectPIIBatch finds personal data in up to maxPIIBatch texts, as
// /v1/pii/detect does for each, answering in item order. An item's
// language overrides the batch's; the regions are the batch's. Every item
// is checked before any is scanned. The call costs one unit of the
// caller's rate limit plus one per piiBatchItemsPerCost items.
func (s *Server) handleDetectPIIBatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req piiDetectBatchRequest
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if len(req.Items) == 0 || len(req.Items) > maxPIIBatch {
			writeError(w, r, s.log, rampart.FieldError(rampart.EUnprocessable, "items", "send 1 to %d items", maxPIIBatch))
			return
		}
		regions, err := parseRegions("regions", req.Regions)
		if err == nil {
			regions, err = s.piiRegions(r, regions)
		}
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		types := make([][]pii.Type, len(req.Items))
		for i, it := range req.Items {
			if types[i], err = parseTypes(fmt.Sprintf("items[%d].types", i), it.Types); err != nil {
				writeError(w, r, s.log, err)
				return
			}
		}
		extra := (len(req.Items) + piiBatchItemsPerCost - 1) / piiBatchItemsPerCost
		if !s.chargeMore(w, r, int64(extra)) {
			return
		}
		results := make([]map[string]any, len(req.Items))
		for i, it := range req.Items {
			lang := it.Language
			if lang == "" {
				lang = req.Language
			}
			findings := s.pii.DetectWith(it.Text, types[i], pii.Hints{Language: lang, Regions: regions})
			if findings == nil {
				findings = []pii.Finding{}
			}
			results[i] = map[string]any{"findings": findings}
		}
		encode(w, http.StatusOK, map[string]any{"results": results})
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
		types, err := parseTypes("types", req.Types)
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

// piiRegions returns the regions a request names or, when it names none,
// its tenant's default regions (settings pii_regions).
func (s *Server) piiRegions(r *http.Request, regions []string) ([]string, error) {
	p := principal(r)
	if len(regions) > 0 || p == nil || p.TenantID == "" {
		return regions, nil
	}
	policy, err := s.auth.TenantPolicy(r.Context(), p.TenantID)
	if err != nil {
		return nil, err
	}
	return policy.PIIRegions, nil
}
