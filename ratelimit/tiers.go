package ratelimit

import (
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
