package monitor

import (
	"fmt"
	"strings"
	"time"
)

// Kind is how a rule counts.
type Kind string

// Rule kinds.
const (
	// Count fires when a key has Threshold events within a sliding Window
	// (a sliding-window counter: the bucket of each key drains as the
	// window moves on). With a Baseline, the burst must also be far above
	// the key's usual rate.
	Count Kind = "count"
	// Distinct fires when a key sees Threshold distinct values of a field
	// within a sliding Window.
	Distinct Kind = "distinct"
	// Sequence fires when a key fills the bucket of On (as Count) and then
	// has an event matching Then within Window.
	Sequence Kind = "sequence"
	// Novel fires when a key that already has history shows a value of a
	// field it has not shown within Window (e.g. a new address range).
	Novel Kind = "novel"
)

// Match selects events: any of Types, and every condition of Where.
type Match struct {
	Types []string `json:"types"`
	// Success, when set, selects only successful (true) or failed (false)
	// events.
	Success *bool  `json:"success,omitempty"`
	Where   []Cond `json:"where,omitempty"`
}

// Cond is one condition on a field: its value is one of In, or starts with
// Prefix.
type Cond struct {
	Field  string   `json:"field"`
	In     []string `json:"in,omitempty"`
	Prefix string   `json:"prefix,omitempty"`
}

func (c Cond) holds(e *Event) bool {
	v := e.Field(c.Field)
	if c.Prefix != "" && !strings.HasPrefix(v, c.Prefix) {
		return false
	}
	if len(c.In) == 0 {
		return c.Prefix != "" || v != ""
	}
	for _, w := range c.In {
		if v == w {
			return true
		}
	}
	return false
}

func (m *Match) matches(e *Event) bool {
	if m.Success != nil && *m.Success != e.Success {
		return false
	}
	for _, c := range m.Where {
		if !c.holds(e) {
			return false
		}
	}
	return true
}

func (m *Match) hasType(t string) bool {
	for _, x := range m.Types {
		if x == t {
			return true
		}
	}
	return false
}

// Baseline makes a Count rule fire only when the burst is at least Factor
// times the key's usual rate, learned over Period (exponentially decaying).
type Baseline struct {
	Period time.Duration `json:"period"`
	Factor float64       `json:"factor"`
}

// Rule is one detection, as data.
type Rule struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Severity    Severity `json:"severity"`
	Kind        Kind     `json:"kind"`
	On          Match    `json:"on"`
	// Key names the fields that make the key (empty: one key per tenant).
	// Events missing one of them are not counted.
	Key       []string      `json:"key,omitempty"`
	Threshold int           `json:"threshold"`
	Window    time.Duration `json:"window"`
	// Field is the field counted (Distinct) or remembered (Novel).
	Field string `json:"field,omitempty"`
	// Weight names a details field saying how many events one stands for
	// (sampled events); empty: each counts one.
	Weight   string    `json:"weight,omitempty"`
	Baseline *Baseline `json:"baseline,omitempty"`
	Then     *Match    `json:"then,omitempty"`
	// Locked rules cannot be turned off by a tenant (the audit chain check).
	Locked bool `json:"locked,omitempty"`
	// MinThreshold and MaxThreshold bound what an override may choose.
	MinThreshold int `json:"min_threshold"`
	MaxThreshold int `json:"max_threshold"`
	// Remediate lists the actions taken automatically when the rule opens
	// an incident, unless a tenant's override says otherwise.
	Remediate []string `json:"remediate,omitempty"`
}

// Limits on rules and overrides.
const (
	MinWindow = time.Second
	MaxWindow = 90 * 24 * time.Hour
	// MaxDistinct bounds a Distinct rule's threshold: its state keeps up to
	// that many values per key (8 bytes each).
	MaxDistinct = 100
	// MaxNovel is how many values a Novel rule remembers per key.
	MaxNovel = 8
)

// check reports what is wrong with r.
func (r *Rule) check() error {
	switch {
	case r.Name == "":
		return fmt.Errorf("rule without a name")
	case !ValidSeverity(string(r.Severity)):
		return fmt.Errorf("rule %s: severity %q", r.Name, r.Severity)
	case len(r.On.Types) == 0:
		return fmt.Errorf("rule %s: no event types", r.Name)
	case r.Window < MinWindow || r.Window > MaxWindow:
		return fmt.Errorf("rule %s: window %s", r.Name, r.Window)
	case r.Threshold < r.MinThreshold || r.Threshold > r.MaxThreshold || r.MinThreshold < 1:
		return fmt.Errorf("rule %s: threshold %d outside %d..%d", r.Name, r.Threshold, r.MinThreshold, r.MaxThreshold)
	}
	switch r.Kind {
	case Count:
		if r.Baseline != nil && (r.Baseline.Period <= r.Window || r.Baseline.Factor < 1) {
			return fmt.Errorf("rule %s: baseline", r.Name)
		}
	case Distinct, Novel:
		if r.Field == "" {
			return fmt.Errorf("rule %s: no field", r.Name)
		}
		if r.Kind == Distinct && r.MaxThreshold > MaxDistinct {
			return fmt.Errorf("rule %s: distinct threshold above %d", r.Name, MaxDistinct)
		}
	case Sequence:
		if r.Then == nil || len(r.Then.Types) == 0 {
			return fmt.Errorf("rule %s: sequence without then", r.Name)
		}
	default:
		return fmt.Errorf("rule %s: kind %q", r.Name, r.Kind)
	}
	return nil
}

// key returns the rule's key for e, and false when e lacks a key field.
func (r *Rule) key(e *Event, buf []byte) ([]byte, bool) {
	for i, f := range r.Key {
		v := e.Field(f)
		if v == "" {
			return buf, false
		}
		if i > 0 {
			buf = append(buf, ',')
		}
		buf = append(buf, f...)
		buf = append(buf, '=')
		buf = append(buf, v...)
	}
	if len(r.Key) == 0 {
		buf = append(buf, "tenant"...)
	}
	return buf, true
}
