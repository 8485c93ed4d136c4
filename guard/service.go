package guard

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
)

// Limits of a scan request.
const (
	MaxCanaries     = 32
	maxCanaryBytes  = 256
	MaxBatch        = 100
	maxPromptBytes  = 64 << 10
	auditSampleRate = 20 // one guard_flagged / guard_blocked event in this many per tenant
)

// PolicySource gives a tenant's guardrail policy.
type PolicySource interface {
	GuardPolicy(ctx context.Context, tenantID string) (Policy, error)
}

// Auditor appends events to a tenant's audit log.
type Auditor interface {
	Audit(ctx context.Context, tenantID string, events ...*audit.Event)
}

// Service is the guardrails API: it checks a request, scans it under the
// tenant's policy, and writes the audit events (sampled guard_flagged and
// guard_blocked, every crisis_detected). Nothing of a scanned text is kept:
// events carry scores, rules and lengths, never the text.
type Service struct {
	Guard    *Guard
	Policies PolicySource
	Audit    Auditor
	// MaxBodyBytes caps a tenant's text limit (the deployment's body limit).
	MaxBodyBytes int
	flagged      audit.Sampler
	blocked      audit.Sampler
}

// Scan checks and scans one request for the tenant; field prefixes the
// names of fields at fault (for batches).
func (s *Service) Scan(ctx context.Context, tenantID string, actor audit.Actor, r Request) (*Result, error) {
	p, err := s.Policies.GuardPolicy(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	if err := s.check(&r, p, ""); err != nil {
		return nil, err
	}
	res := s.Guard.Scan(r, p)
	s.record(ctx, tenantID, actor, r, res)
	return res, nil
}

// ScanBatch checks every request first (a bad one fails the batch, naming
// it), then scans them in order.
func (s *Service) ScanBatch(ctx context.Context, tenantID string, actor audit.Actor, rs []Request) ([]*Result, error) {
	if len(rs) == 0 || len(rs) > MaxBatch {
		return nil, rampart.FieldError(rampart.EUnprocessable, "items", "send 1 to %d items", MaxBatch)
	}
	p, err := s.Policies.GuardPolicy(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if err := s.check(&rs[i], p, fmt.Sprintf("items[%d].", i)); err != nil {
			return nil, err
		}
	}
	out := make([]*Result, len(rs))
	for i, r := range rs {
		out[i] = s.Guard.Scan(r, p)
		s.record(ctx, tenantID, actor, r, out[i])
	}
	return out, nil
}

// textLimit is the largest text the tenant's policy allows.
func (s *Service) textLimit(p Policy) int {
	limit := DefaultMaxTextBytes
	if p.MaxTextBytes > 0 {
		limit = p.MaxTextBytes
	}
	if s.MaxBodyBytes > 0 {
		limit = min(limit, s.MaxBodyBytes)
	}
	return limit
}

func (s *Service) check(r *Request, p Policy, field string) error {
	if r.Source == "" {
		r.Source = SourceUser
	}
	switch {
	case !ValidSource(r.Source):
		return rampart.FieldError(rampart.EUnprocessable, field+"source", "source is user, document, tool or output")
	case strings.TrimSpace(r.Text) == "":
		return rampart.FieldError(rampart.EUnprocessable, field+"text", "text is empty")
	case !utf8.ValidString(r.Text) || strings.ContainsRune(r.Text, utf8.RuneError):
		return rampart.FieldError(rampart.EUnprocessable, field+"text", "text is not valid UTF-8")
	case len(r.Text) > s.textLimit(p):
		return rampart.FieldError(rampart.ETooLarge, field+"text", "text exceeds %d bytes", s.textLimit(p))
	case len(r.SystemPrompt) > maxPromptBytes:
		return rampart.FieldError(rampart.ETooLarge, field+"system_prompt", "system_prompt exceeds %d bytes", maxPromptBytes)
	case len(r.Canaries) > MaxCanaries:
		return rampart.FieldError(rampart.EUnprocessable, field+"canaries", "at most %d canaries", MaxCanaries)
	}
	for i, c := range r.Canaries {
		if c == "" || len(c) > maxCanaryBytes {
			return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%scanaries[%d]", field, i), "a canary is 1 to %d bytes", maxCanaryBytes)
		}
	}
	for i, sc := range r.Scanners {
		if !ValidScanner(sc) {
			names := make([]string, 0, 6)
			for _, x := range Scanners() {
				names = append(names, string(x))
			}
			return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%sscanners[%d]", field, i), "unknown scanner %q; use %s", sc, strings.Join(names, ", "))
		}
	}
	return nil
}

// record writes the scan's audit events. Details hold no text.
func (s *Service) record(ctx context.Context, tenantID string, actor audit.Actor, r Request, res *Result) {
	if s.Audit == nil {
		return
	}
	details := func(scanners []Scanner) map[string]any {
		rules := []string{}
		for _, f := range res.Findings {
			rules = append(rules, string(f.Scanner)+":"+f.Rule)
			if len(rules) == 10 {
				break
			}
		}
		scores := map[string]any{}
		for k, v := range res.Scores {
			scores[string(k)] = v
		}
		return map[string]any{"source": string(r.Source), "scanners": scanners, "scores": scores, "rules": rules, "length": utf8.RuneCountInString(r.Text)}
	}
	var events []*audit.Event
	switch {
	case res.Verdict == Block && s.blocked.Take(tenantID, auditSampleRate):
		events = append(events, &audit.Event{Type: audit.GuardBlocked, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "guard", Success: false, Details: details(res.Blocking)})
	case res.Verdict == Flag && s.flagged.Take(tenantID, auditSampleRate):
		events = append(events, &audit.Event{Type: audit.GuardFlagged, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "guard", Success: true, Details: details(res.Flagging)})
	}
	if res.Crisis != nil && res.Crisis.Level == LevelHigh {
		// Always written: the webhook fan-out carries it to the tenant's
		// human responders (subscribe a webhook to crisis_detected).
		events = append(events, &audit.Event{Type: audit.CrisisDetected, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "guard", Success: true, Details: map[string]any{"level": string(res.Crisis.Level), "score": res.Scores[Crisis],
				"escalated": res.Crisis.Escalated, "source": string(r.Source), "length": utf8.RuneCountInString(r.Text)}})
	}
	if len(events) > 0 {
		s.Audit.Audit(ctx, tenantID, events...)
	}
}
