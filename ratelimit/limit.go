// Package ratelimit decides whether a request is within its limits: fixed
// window, sliding window and token bucket (GCRA) per limit, several limits
// decided together, and a refused request counted against none of them.
package ratelimit

import (
	"fmt"
	"time"
)

// Algorithm names how a limit counts.
type Algorithm string

// Algorithms.
const (
	// FixedWindow counts per aligned window; a client can spend the limit at
	// the end of one window and again at the start of the next (up to twice
	// the limit within one period across the boundary).
	FixedWindow Algorithm = "fixed_window"
	// SlidingWindow weighs the previous window by how much of it still
	// overlaps the last period, which removes the boundary burst.
	SlidingWindow Algorithm = "sliding_window"
	// GCRA is a token bucket as the generic cell rate algorithm: a steady
	// rate with bursts up to the limit.
	GCRA Algorithm = "gcra"
)

// Limit is one budget: Rate requests per Period, counted by Algorithm.
type Limit struct {
	Name      string // e.g. "api_calls", "login"
	Rate      int64
	Period    time.Duration
	Algorithm Algorithm
	// FailClosed refuses requests when the shared backend is unreachable
	// (login and other security limits); otherwise they are let through.
	FailClosed bool
}

// Validate reports a configuration problem naming the limit.
func (l Limit) Validate() error {
	switch {
	case l.Name == "":
		return fmt.Errorf("ratelimit: a limit has no name")
	case l.Rate < 1:
		return fmt.Errorf("ratelimit: limit %s: rate must be at least 1", l.Name)
	case l.Period < time.Millisecond:
		return fmt.Errorf("ratelimit: limit %s: period must be at least 1ms", l.Name)
	}
	switch l.Algorithm {
	case FixedWindow, SlidingWindow, GCRA:
		return nil
	}
	return fmt.Errorf("ratelimit: limit %s: unknown algorithm %q", l.Name, l.Algorithm)
}

// Decision is the answer of one limit.
type Decision struct {
	Limit      *Limit
	Allowed    bool
	Remaining  int64         // requests left in the budget after this one
	Reset      time.Duration // until the budget is whole again (fixed: window end)
	RetryAfter time.Duration // when refused: until a request of this cost would pass
}

// Result is the answer for all of a request's limits.
type Result struct {
	Allowed bool
	// Decisions has one entry per limit, in the order given.
	Decisions []Decision
}

// Tightest returns the decision that headers should report: the refusing one
// with the longest wait, else the one with the least remaining.
func (r *Result) Tightest() *Decision {
	var best *Decision
	for i := range r.Decisions {
		d := &r.Decisions[i]
		switch {
		case best == nil:
			best = d
		case !d.Allowed && (best.Allowed || d.RetryAfter > best.RetryAfter):
			best = d
		case d.Allowed && best.Allowed && d.Remaining < best.Remaining:
			best = d
		}
	}
	return best
}
