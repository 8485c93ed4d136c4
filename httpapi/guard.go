package httpapi

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/guard"
)

// guardScanRequest is the body of POST /v1/guard/scan (and each item of a
// batch). Sizes are checked by the service against the tenant's policy.
type guardScanRequest struct {
	Text         string   `json:"text" validate:"max=16777216"` // the body limit and the tenant's text limit apply first (413)
	Source       string   `json:"source" validate:"max=16"`
	SystemPrompt string   `json:"system_prompt" validate:"max=16777216"` // 64 KiB, checked by the service (413)
	Canaries     []string `json:"canaries" validate:"max=32,dive,max=256"`
	Scanners     []string `json:"scanners" validate:"max=16,dive,max=32"`
	Locale       string   `json:"locale" validate:"max=35"`
}

func (q guardScanRequest) request() guard.Request {
	r := guard.Request{Text: q.Text, Source: guard.Source(q.Source), SystemPrompt: q.SystemPrompt, Canaries: q.Canaries, Locale: q.Locale}
	for _, s := range q.Scanners {
		r.Scanners = append(r.Scanners, guard.Scanner(s))
	}
	return r
}

type guardBatchRequest struct {
	Items []guardScanRequest `json:"items" validate:"max=100,dive"`
}

// checkGuardBody refuses a guard body whose text is not UTF-8 with a 422
// (a scan cannot say anything of bytes it cannot read; decode would answer
// 400), and leaves the body to be decoded.
func checkGuardBody(r *http.Request) error {
	body, err := io.ReadAll(r.Body)
	r.Body = io.NopCloser(bytes.NewReader(body))
	if err != nil {
		return nil // decode reports the size limit like every route
	}
	if !utf8.Valid(body) {
		return rampart.FieldError(rampart.EUnprocessable, "text", "text is not valid UTF-8")
	}
	// A lone surrogate escape (\ud800) decodes to U+FFFD: refuse it too.
	if bytes.Contains(bytes.ToLower(body), []byte(`\ud`)) && !strings.Contains(strings.ToLower(string(body)), `\ufffd`) {
		if lone := loneSurrogate(body); lone {
			return rampart.FieldError(rampart.EUnprocessable, "text", "text is not valid UTF-8 (a lone surrogate)")
		}
	}
	return nil
}

// loneSurrogate reports a \uD800-\uDFFF escape not followed by its pair.
func loneSurrogate(body []byte) bool {
	s := strings.ToLower(string(body))
	for i := 0; ; {
		k := strings.Index(s[i:], `\ud`)
		if k < 0 {
			return false
		}
		k += i
		if k+6 <= len(s) {
			c := s[k+3]
			switch {
			case c >= '8' && c <= 'b': // high surrogate: needs a low one next
				if k+12 > len(s) || s[k+6:k+9] != `\ud` || s[k+9] < 'c' || s[k+9] > 'f' {
					return true
				}
				i = k + 12
				continue
			case c >= 'c' && c <= 'f': // a low surrogate alone
				return true
			}
		}
		i = k + 3
	}
}

// handleGuardScan scans one text under the tenant's guardrail policy.
func (s *Server) handleGuardScan() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req guardScanRequest
		if err := checkGuardBody(r); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		p := principal(r)
		res, err := s.guard.Scan(r.Context(), p.TenantID, s.actor(r, p.UserID), req.request())
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, res)
	})
}

// handleGuardScanBatch scans up to 100 texts, answering in order.
func (s *Server) handleGuardScanBatch() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req guardBatchRequest
		if err := checkGuardBody(r); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if err := decode(r, &req); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		// One unit for the call plus one per ten items, as for PII batches.
		if len(req.Items) > 0 && !s.chargeMore(w, r, int64((len(req.Items)+piiBatchItemsPerCost-1)/piiBatchItemsPerCost)) {
			return
		}
		items := make([]guard.Request, len(req.Items))
		for i, it := range req.Items {
			items[i] = it.request()
		}
		p := principal(r)
		res, err := s.guard.ScanBatch(r.Context(), p.TenantID, s.actor(r, p.UserID), items)
		if err != nil {
			writeError(w, r, s.log, err)
			return
		}
		encode(w, http.StatusOK, map[string]any{"results": res})
	})
}
