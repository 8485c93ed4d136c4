package gateway

import (
	"context"
	_ "embed"
	"fmt"
	"strconv"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/rampart-dev/rampart/store"
)

// budgetCounterGrace is how long a budget window's counter outlives the
// window in Redis: long enough for the reservations made at its end to
// settle, short enough that nothing piles up.
const budgetCounterGrace = 24 * time.Hour

var (
	// reserveScript checks every budget of a reservation and writes all of
	// them or none, in one step no other client can interleave with.
	//
	//go:embed budget_reserve.lua
	reserveScriptText string
	reserveScript     = redis.NewScript(reserveScriptText)

	//go:embed budget_settle.lua
	settleScriptText string
	settleScript     = redis.NewScript(settleScriptText)
)

// RedisBudgets keeps budget counters in Redis, shared by every replica; the
// budgets themselves (their maxima) stay in the database. A budget's window
// is one hash per (tenant, subject, period, window start) that expires
// budgetCounterGrace after its window ends, so a new window starts at zero
// without a reset. The counters of a tenant share a hash tag (one cluster
// slot), which a script touching several of them needs.
type RedisBudgets struct {
	Client redis.UniversalClient
	Store  *store.Store
	Prefix string // key prefix, "aib:" by default
}

func (b *RedisBudgets) key(tenantID, subject, period string, window time.Time) string {
	prefix := b.Prefix
	if prefix == "" {
		prefix = "aib:"
	}
	return prefix + "{" + tenantID + "}:" + subject + ":" + period + ":" + window.Format("20060102")
}

// windowEnd is when the period's window starting at start ends.
func windowEnd(period string, start time.Time) time.Time {
	if period == PeriodMonth {
		return start.AddDate(0, 1, 0)
	}
	return start.AddDate(0, 0, 1)
}

// Reserve implements Budgets.
func (b *RedisBudgets) Reserve(ctx context.Context, r *Reservation) (bool, error) {
	var list []*store.AIBudget
	err := b.Store.ReadTenant(ctx, r.TenantID, func(tx *store.Tx) (err error) {
		list, err = tx.AIBudgets(ctx, r.Subjects...)
		return err
	})
	if err != nil {
		return false, err
	}
	if len(list) == 0 {
		return true, nil
	}
	keys := make([]string, len(list))
	args := make([]any, 0, 2+3*len(list))
	args = append(args, r.Amount.Tokens, r.Amount.Micros)
	held := make([]heldBudget, len(list))
	for i, bud := range list {
		w := windowStart(bud.Period, r.At)
		keys[i] = b.key(r.TenantID, bud.Subject, bud.Period, w)
		maxT, maxM := int64(-1), int64(-1)
		if bud.MaxTokens != nil {
			maxT = *bud.MaxTokens
		}
		if bud.MaxMicros != nil {
			maxM = *bud.MaxMicros
		}
		args = append(args, maxT, maxM, windowEnd(bud.Period, w).Add(budgetCounterGrace).Unix())
		held[i] = heldBudget{bud.Subject, bud.Period, w}
	}
	n, err := reserveScript.Run(ctx, b.Client, keys, args...).Int()
	if err != nil {
		return false, fmt.Errorf("gateway: redis budgets: %w", err)
	}
	if n != 1 {
		return false, nil
	}
	r.held = held
	return true, nil
}

// Settle implements Budgets.
func (b *RedisBudgets) Settle(ctx context.Context, r *Reservation, spent Amount) error {
	if len(r.held) == 0 {
		return nil
	}
	keys := make([]string, len(r.held))
	for i, h := range r.held {
		keys[i] = b.key(r.TenantID, h.subject, h.period, h.window)
	}
	err := settleScript.Run(ctx, b.Client, keys, spent.Tokens-r.Amount.Tokens, spent.Micros-r.Amount.Micros).Err()
	if err != nil {
		return fmt.Errorf("gateway: redis budgets: %w", err)
	}
	return nil
}

// Spent implements Budgets: each budget shows its current window's counter.
func (b *RedisBudgets) Spent(ctx context.Context, tenantID string, list []*store.AIBudget, at time.Time) error {
	if len(list) == 0 {
		return nil
	}
	pipe := b.Client.Pipeline()
	cmds := make([]*redis.SliceCmd, len(list))
	for i, bud := range list {
		bud.WindowStart = windowStart(bud.Period, at)
		cmds[i] = pipe.HMGet(ctx, b.key(tenantID, bud.Subject, bud.Period, bud.WindowStart), "t", "m")
	}
	if _, err := pipe.Exec(ctx); err != nil && err != redis.Nil {
		return fmt.Errorf("gateway: redis budgets: %w", err)
	}
	for i, bud := range list {
		v := cmds[i].Val()
		bud.SpentTokens, bud.SpentMicros = 0, 0
		if len(v) == 2 {
			bud.SpentTokens = redisInt(v[0])
			bud.SpentMicros = redisInt(v[1])
		}
	}
	return nil
}

func redisInt(v any) int64 {
	s, _ := v.(string)
	n, _ := strconv.ParseInt(s, 10, 64)
	return n
}
