package ratelimit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"time"
)

// Operations of the chatbot platform's tiers.
const (
	OpAPICalls      = "api_calls"
	OpModelRequests = "model_requests"
	OpDailyQuota    = "daily_quota"
)

// Tiers maps a tier to its limits by operation: configuration as data.
type Tiers map[string]map[string]Limit

// DefaultTiers are the chatbot platform's tiers: api_calls and
// model_requests per minute, daily_quota per day.
func DefaultTiers() Tiers {
	tier := func(calls, models, daily int64) map[string]Limit {
		return map[string]Limit{
			OpAPICalls:      {Name: OpAPICalls, Rate: calls, Period: time.Minute, Algorithm: SlidingWindow},
			OpModelRequests: {Name: OpModelRequests, Rate: models, Period: time.Minute, Algorithm: GCRA},
			OpDailyQuota:    {Name: OpDailyQuota, Rate: daily, Period: 24 * time.Hour, Algorithm: FixedWindow},
		}
	}
	return Tiers{
		"basic":      tier(100, 50, 10_000),
		"standard":   tier(1_000, 500, 100_000),
		"premium":    tier(10_000, 5_000, 1_000_000),
		"enterprise": tier(100_000, 50_000, 10_000_000),
	}
}

// knownOps are the operations a tier may define.
var knownOps = map[string]bool{OpAPICalls: true, OpModelRequests: true, OpDailyQuota: true}

// Validate refuses unknown tiers and operations and malformed limits, naming
// the offender.
func (t Tiers) Validate() error {
	for tier, ops := range t {
		switch tier {
		case "basic", "standard", "premium", "enterprise":
		default:
			return fmt.Errorf("ratelimit: unknown tier %q", tier)
		}
		for op, l := range ops {
			if !knownOps[op] {
				return fmt.Errorf("ratelimit: tier %s: unknown operation %q", tier, op)
			}
			if err := l.Validate(); err != nil {
				return fmt.Errorf("ratelimit: tier %s, operation %s: %w", tier, op, err)
			}
		}
	}
	return nil
}

// limitJSON is one limit in configuration: {"rate": 20000, "period": "1m",
// "algorithm": "sliding_window"}.
type limitJSON struct {
	Rate      int64     `json:"rate"`
	Period    string    `json:"period"`
	Algorithm Algorithm `json:"algorithm"`
}

// ParseTiers reads tier configuration as JSON, {"premium": {"api_calls":
// {"rate": 20000, "period": "1m"}}}, over the defaults: limits it names
// replace the default ones (unset period or algorithm keep the default's).
// Unknown tiers, operations and fields are refused, naming the offender.
func ParseTiers(data []byte) (Tiers, error) {
	var raw map[string]map[string]json.RawMessage
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&raw); err != nil {
		return nil, fmt.Errorf("ratelimit: tiers are not a JSON object of tiers: %w", err)
	}
	t := DefaultTiers()
	for tier, ops := range raw {
		if _, ok := t[tier]; !ok {
			return nil, fmt.Errorf("ratelimit: unknown tier %q (use basic, standard, premium or enterprise)", tier)
		}
		for op, msg := range ops {
			l, ok := t[tier][op]
			if !ok {
				return nil, fmt.Errorf("ratelimit: tier %s: unknown operation %q (use api_calls, model_requests or daily_quota)", tier, op)
			}
			var j limitJSON
			d := json.NewDecoder(bytes.NewReader(msg))
			d.DisallowUnknownFields()
			if err := d.Decode(&j); err != nil {
				return nil, fmt.Errorf("ratelimit: tier %s, operation %s: %w", tier, op, err)
			}
			if j.Rate != 0 {
				l.Rate = j.Rate
			}
			if j.Period != "" {
				p, err := time.ParseDuration(j.Period)
				if err != nil {
					return nil, fmt.Errorf("ratelimit: tier %s, operation %s: period %q is not a duration such as 1m", tier, op, j.Period)
				}
				l.Period = p
			}
			if j.Algorithm != "" {
				l.Algorithm = j.Algorithm
			}
			t[tier][op] = l
		}
	}
	return t, t.Validate()
}
