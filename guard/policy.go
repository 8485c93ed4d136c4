package guard

import (
	"fmt"

	"github.com/rampart-dev/rampart"
)

// Threshold is where a scanner's score turns into a verdict: at or above
// Block the text is blocked, at or above Flag it is flagged. A threshold
// of 0 is "never" (so that a zero value decides nothing).
type Threshold struct {
	Flag  float64 `json:"flag,omitempty"`
	Block float64 `json:"block,omitempty"`
}

func (t Threshold) verdict(score float64) Verdict {
	switch {
	case t.Block > 0 && score >= t.Block:
		return Block
	case t.Flag > 0 && score >= t.Flag:
		return Flag
	}
	return Allow
}

// Policy is a tenant's guardrail policy (tenant settings "guardrails").
type Policy struct {
	// Thresholds by scanner, then by source ("*" for any source not named).
	Thresholds map[Scanner]map[Source]Threshold `json:"thresholds,omitempty"`
	// Disabled scanners never run.
	Disabled []Scanner `json:"disabled,omitempty"`
	// Allow lists phrases the scanners ignore (a product called "Kill
	// Switch", say).
	Allow []string `json:"allow,omitempty"`
	// Resources replace the default crisis resources, by locale ("*" for
	// any locale not named).
	Resources map[string][]Resource `json:"crisis_resources,omitempty"`
	// NoEscalation turns off escalation at crisis level high (the
	// crisis_detected event is still written).
	NoEscalation bool `json:"no_escalation,omitempty"`
	// MaxTextBytes overrides the largest text scanned (at most the body
	// limit); 0 keeps DefaultMaxTextBytes.
	MaxTextBytes int `json:"max_text_bytes,omitempty"`
}

// DefaultMaxTextBytes is the largest text scanned by default.
const DefaultMaxTextBytes = 64 << 10

// Limits of a policy.
const (
	maxAllowPhrases = 200
	maxPhraseLen    = 200
	maxResources    = 20
)

// DefaultThresholds are chosen from measurement on the evaluation splits
// (docs/benchmarks.md, "Guardrails"): each flag threshold is where the
// scanner's held-out false-positive rate is about 2% (1% for tool
// results), each block threshold about 0.5-1%. Documents and tool results
// are judged by their own model and thresholds (indirect injection).
var DefaultThresholds = map[Scanner]map[Source]Threshold{
	Injection: {"*": {Flag: 0.80, Block: 0.90}, SourceDocument: {Flag: 0.83, Block: 0.90}, SourceTool: {Flag: 0.70, Block: 0.85}},
	Toxicity:  {"*": {Flag: 0.5, Block: 0.8}},
	Crisis:    {"*": {Flag: 0.5}},
	Leakage:   {"*": {Flag: 0.4, Block: 0.6}},
	PII:       {"*": {Flag: 0.5}},
	Secrets:   {"*": {Flag: 0.5, Block: 0.9}, SourceOutput: {Flag: 0.5, Block: 0.7}},
}

// threshold returns the threshold of scanner s for source src: the
// tenant's, else the default.
func (p Policy) threshold(s Scanner, src Source) Threshold {
	for _, m := range []map[Scanner]map[Source]Threshold{p.Thresholds, DefaultThresholds} {
		if bySrc, ok := m[s]; ok {
			if t, ok := bySrc[src]; ok {
				return t
			}
			if t, ok := bySrc["*"]; ok {
				return t
			}
		}
	}
	return Threshold{}
}

// resources returns the crisis resources for locale: the tenant's, else
// the defaults.
func (p Policy) resources(locale string) []Resource {
	if r, ok := p.Resources[locale]; ok {
		return r
	}
	if len(locale) > 2 {
		if r, ok := p.Resources[locale[:2]]; ok {
			return r
		}
	}
	if r, ok := p.Resources["*"]; ok {
		return r
	}
	return DefaultResources(locale)
}

// Validate checks a policy, naming the field at fault (under field).
func (p Policy) Validate(field string) error {
	for s, bySrc := range p.Thresholds {
		if !ValidScanner(s) {
			return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.thresholds.%s", field, s), "unknown scanner")
		}
		for src, t := range bySrc {
			if src != "*" && !ValidSource(src) {
				return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.thresholds.%s.%s", field, s, src), "unknown source (user, document, tool, output or *)")
			}
			if t.Flag < 0 || t.Flag > 1 || t.Block < 0 || t.Block > 1 {
				return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.thresholds.%s.%s", field, s, src), "thresholds are between 0 and 1")
			}
			if t.Flag > 0 && t.Block > 0 && t.Block < t.Flag {
				return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.thresholds.%s.%s", field, s, src), "block is below flag")
			}
		}
	}
	for i, s := range p.Disabled {
		if !ValidScanner(s) {
			return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.disabled[%d]", field, i), "unknown scanner %q", s)
		}
	}
	if len(p.Allow) > maxAllowPhrases {
		return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.allow", field), "at most %d phrases", maxAllowPhrases)
	}
	for i, a := range p.Allow {
		if len(a) == 0 || len(a) > maxPhraseLen {
			return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.allow[%d]", field, i), "a phrase of 1 to %d bytes", maxPhraseLen)
		}
	}
	for loc, rs := range p.Resources {
		if len(rs) > maxResources {
			return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.crisis_resources.%s", field, loc), "at most %d resources", maxResources)
		}
		for i, r := range rs {
			if r.Name == "" || len(r.Name) > 200 || len(r.Contact) > 200 || len(r.URL) > 500 {
				return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.crisis_resources.%s[%d]", field, loc, i), "a name (up to 200 bytes), contact and URL")
			}
		}
	}
	if p.MaxTextBytes < 0 {
		return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("%s.max_text_bytes", field), "not negative")
	}
	return nil
}
