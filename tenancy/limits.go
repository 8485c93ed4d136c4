package tenancy

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/ratelimit"
)

// Bounds of a platform service's spend (see Limits.App).
const (
	// MaxBudgetKeyBytes bounds the key a service names its budget by.
	MaxBudgetKeyBytes = 200
	// MaxCost bounds the units one spend costs.
	MaxCost = 1000
)

// Policies reads a tenant's settings (auth.Service does, from its cache).
type Policies interface {
	TenantPolicy(ctx context.Context, tenantID string) (identity.TenantPolicy, error)
}

// Limits decides which rate limits apply to a caller: those of the tier the
// platform sells it and those its tenant set for itself. Build it with
// NewLimits.
type Limits struct {
	tiers    map[string]map[string]*ratelimit.Limit
	policies Policies
}

// NewLimits returns the Limits of tiers (nil: ratelimit.DefaultTiers).
func NewLimits(tiers ratelimit.Tiers, p Policies) *Limits {
	if tiers == nil {
		tiers = ratelimit.DefaultTiers()
	}
	l := &Limits{tiers: map[string]map[string]*ratelimit.Limit{}, policies: p}
	for tier, ops := range tiers {
		l.tiers[tier] = map[string]*ratelimit.Limit{}
		for op, lim := range ops {
			lim := lim
			l.tiers[tier][op] = &lim
		}
	}
	return l
}

// tier returns a tier's limits by operation; an unknown tier is basic.
func (l *Limits) tier(name string) map[string]*ratelimit.Limit {
	ops, ok := l.tiers[name]
	if !ok {
		ops = l.tiers["basic"]
	}
	return ops
}

// Requests returns the limits every request of a tier spends: its calls per
// minute and its daily quota.
func (l *Limits) Requests(tier string) []*ratelimit.Limit {
	ops := l.tier(tier)
	return []*ratelimit.Limit{ops[ratelimit.OpAPICalls], ops[ratelimit.OpDailyQuota]}
}

// Budget is what one spend costs and from which budget: the limits apply to
// the budget named ID.
type Budget struct {
	ID     string
	Limits []*ratelimit.Limit
	Cost   int64
}

// App decides the budget of a platform service's own operation (model
// requests, say), spent by a caller for key at cost: the operation's limit
// at the caller's tier and its tenant's own limit of it. Both apply, so a
// tenant can tighten what its tier sells, never raise it.
func (l *Limits) App(ctx context.Context, p *auth.Principal, key, op string, cost int64) (*Budget, error) {
	if key == "" || len(key) > MaxBudgetKeyBytes {
		return nil, rampart.FieldError(rampart.EUnprocessable, "key", "key must be 1 to %d bytes", MaxBudgetKeyBytes)
	}
	if cost < 1 || cost > MaxCost {
		return nil, rampart.FieldError(rampart.EUnprocessable, "cost", "cost must be from 1 to %d", MaxCost)
	}
	_, tier := p.Budget()
	policy, err := l.policies.TenantPolicy(ctx, p.TenantID)
	if err != nil {
		return nil, err
	}
	var limits []*ratelimit.Limit
	if lim, ok := tenantLimit(policy, op); ok {
		limits = append(limits, lim)
	}
	if lim, ok := l.tier(tier)[op]; ok {
		limits = append(limits, lim)
	}
	if len(limits) == 0 {
		names := []string{ratelimit.OpAPICalls, ratelimit.OpModelRequests, ratelimit.OpDailyQuota}
		for op := range policy.RateLimits {
			names = append(names, op)
		}
		sort.Strings(names)
		return nil, rampart.FieldError(rampart.EUnprocessable, "operation", "operation %q is not configured; use one of %s", op, strings.Join(names, ", "))
	}
	return &Budget{ID: p.TenantID + ":app:" + op + ":" + key, Limits: limits, Cost: cost}, nil
}

// tenantLimit is the limit a tenant configured for op, if any.
func tenantLimit(p identity.TenantPolicy, op string) (*ratelimit.Limit, bool) {
	c, ok := p.RateLimits[op]
	if !ok {
		return nil, false
	}
	alg := ratelimit.Algorithm(c.Algorithm)
	if alg == "" {
		alg = ratelimit.SlidingWindow
	}
	// A distinct name: the state of a tenant's limit never mixes with a
	// tier's limit of the same operation.
	return &ratelimit.Limit{Name: "tenant:" + op, Rate: c.Rate, Period: time.Duration(c.PeriodSeconds) * time.Second, Algorithm: alg}, true
}
