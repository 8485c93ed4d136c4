package ratelimit

import (
	"context"
	_ "embed"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"
)

// decideScript decides all of a request's limits in one round trip, on the
// Redis server's clock (so replicas with skewed clocks decide the same), and
// writes nothing unless every limit admits. Every key it writes carries a TTL.
//
//go:embed decide.lua
var decideScript string

var decide = redis.NewScript(decideScript)

// Redis keeps budgets in Redis, shared by every replica.
type Redis struct {
	Client *redis.Client
	Prefix string // key prefix, "rl:" by default
}

// Decide applies cost to every limit for id at once (see Memory.Decide).
func (r *Redis) Decide(ctx context.Context, id string, limits []*Limit, cost int64, out *Result) error {
	prefix := r.Prefix
	if prefix == "" {
		prefix = "rl:"
	}
	keys := make([]string, len(limits))
	args := make([]any, 0, 1+3*len(limits))
	args = append(args, cost)
	for i, l := range limits {
		// The {id} hash tag keeps one identifier's keys in one cluster slot.
		keys[i] = prefix + "{" + id + "}:" + l.Name
		args = append(args, string(l.Algorithm), l.Rate, l.Period.Microseconds())
	}
	raw, err := decide.Run(ctx, r.Client, keys, args...).Slice()
	if err != nil {
		return fmt.Errorf("ratelimit: redis: %w", err)
	}
	if len(raw) != len(limits) {
		return fmt.Errorf("ratelimit: redis answered %d decisions for %d limits", len(raw), len(limits))
	}
	out.Allowed = true
	out.Decisions = out.Decisions[:0]
	for i, x := range raw {
		v, ok := x.([]any)
		if !ok || len(v) != 4 {
			return fmt.Errorf("ratelimit: malformed redis answer")
		}
		n := func(j int) int64 { k, _ := v[j].(int64); return k }
		d := Decision{Limit: limits[i], Allowed: n(0) == 1, Remaining: n(1),
			Reset: time.Duration(n(2)) * time.Microsecond, RetryAfter: time.Duration(n(3)) * time.Microsecond}
		out.Decisions = append(out.Decisions, d)
		out.Allowed = out.Allowed && d.Allowed
	}
	return nil
}
