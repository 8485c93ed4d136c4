package gateway

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/store"
)

// Budget periods.
const (
	PeriodDay   = "day"
	PeriodMonth = "month"
)

// SubjectTenant is the subject of a tenant-wide budget; a key's budget has
// the subject "key:<api key id>".
const SubjectTenant = "tenant"

// Amount is what a request spends: tokens and cost in micro-dollars.
type Amount struct {
	Tokens int64
	Micros int64
}

// Reservation is an amount held on a caller's budgets until it is settled
// with the real usage or released.
type Reservation struct {
	TenantID string
	Subjects []string
	Amount   Amount
	At       time.Time
	// held are the budgets the reservation was made on, in the windows it
	// was made in: settling touches those and no other (a budget created
	// or removed in between is left alone).
	held []heldBudget
}

type heldBudget struct {
	subject, period string
	window          time.Time
}

// Budgets reserves and settles token budgets atomically: a reservation
// either fits every budget that applies to it or holds nothing. A backend
// that cannot answer refuses (fail closed).
type Budgets interface {
	// Reserve holds a on every budget of the subjects; false when one has
	// no room.
	Reserve(ctx context.Context, r *Reservation) (bool, error)
	// Settle replaces the reservation by what was spent (zero releases it).
	Settle(ctx context.Context, r *Reservation, spent Amount) error
	// Spent sets the spent amounts of the tenant's budgets (read from the
	// database) to what their windows holding at have spent.
	Spent(ctx context.Context, tenantID string, list []*store.AIBudget, at time.Time) error
}

// windowStart is the start of the period's window holding t (UTC).
func windowStart(period string, t time.Time) time.Time {
	t = t.UTC()
	if period == PeriodMonth {
		return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// SQLBudgets keeps budgets and their counters in the database: each
// reservation is one transaction of conditional single-row updates in a
// fixed order (PostgreSQL re-checks the condition on the row it waited for;
// SQLite has one writer).
type SQLBudgets struct{ Store *store.Store }

var errNoRoom = errors.New("gateway: no room in a budget")

// Reserve implements Budgets.
func (b *SQLBudgets) Reserve(ctx context.Context, r *Reservation) (bool, error) {
	err := b.Store.InTenant(ctx, r.TenantID, func(tx *store.Tx) error {
		list, err := tx.AIBudgets(ctx, r.Subjects...)
		if err != nil {
			return err
		}
		held := make([]heldBudget, 0, len(list))
		for _, bud := range list {
			w := windowStart(bud.Period, r.At)
			ok, err := tx.ReserveAIBudget(ctx, bud.Subject, bud.Period, w, r.Amount.Tokens, r.Amount.Micros, r.At)
			if err != nil {
				return err
			}
			if !ok {
				return errNoRoom
			}
			held = append(held, heldBudget{bud.Subject, bud.Period, w})
		}
		r.held = held
		return nil
	})
	if errors.Is(err, errNoRoom) {
		return false, nil
	}
	return err == nil, err
}

// Settle implements Budgets.
func (b *SQLBudgets) Settle(ctx context.Context, r *Reservation, spent Amount) error {
	if len(r.held) == 0 {
		return nil
	}
	return b.Store.InTenant(ctx, r.TenantID, func(tx *store.Tx) error {
		for _, h := range r.held {
			if err := tx.SettleAIBudget(ctx, h.subject, h.period, h.window, r.Amount.Tokens, r.Amount.Micros,
				spent.Tokens, spent.Micros, time.Now()); err != nil {
				return err
			}
		}
		return nil
	})
}

// Spent implements Budgets: the database rows hold the counters already.
func (b *SQLBudgets) Spent(context.Context, string, []*store.AIBudget, time.Time) error { return nil }

// cost is the price of tokens of a model in micro-dollars, rounded up, at
// most maxAmount (a float beyond int64's range converts to a negative).
func cost(p store.AIPrice, input, output int64) int64 {
	c := math.Ceil(float64(input)*p.Input + float64(output)*p.Output) // $/Mtok == micro-$/token
	if !(c < maxAmount) {
		return maxAmount
	}
	return int64(c)
}

// subjects are the budgets that apply to a caller.
func subjects(c Caller) []string {
	if c.KeyID != "" {
		return []string{SubjectTenant, "key:" + c.KeyID}
	}
	return []string{SubjectTenant}
}

// reserve holds amount on the caller's budgets, answering 429
// insufficient_quota when one has no room and 503 when the backend fails.
func (s *Service) reserve(ctx context.Context, c Caller, a Amount) (*Reservation, error) {
	r := &Reservation{TenantID: c.TenantID, Subjects: subjects(c), Amount: a, At: s.now()}
	has, err := s.hasBudgets(ctx, c.TenantID, r.Subjects)
	if err == nil && !has {
		return nil, nil // nothing to spend from: no write on the request path
	}
	ok := false
	if err == nil {
		ok, err = s.budgets.Reserve(ctx, r)
	}
	if err != nil {
		s.log.Error("gateway: budgets unavailable: refusing", "err", err.Error())
		return nil, &rampart.Error{Code: rampart.EUnavailable, Message: "budgets are unavailable; retry shortly", RetryAfter: time.Second}
	}
	if !ok {
		e := openAIError(rampart.ERateLimited, CodeInsufficientQuota, "You exceeded your current quota: the token budget of this key or tenant is spent.", map[string]any{"openai_type": "insufficient_quota"})
		return nil, e
	}
	return r, nil
}

// hasBudgets reports whether any of subjects has a budget, from a short
// cache of the tenant's budgeted subjects (a budget set applies at once on
// this replica and, through the bus, on the others; without a bus within
// UpstreamCacheTTLWithoutBus).
func (s *Service) hasBudgets(ctx context.Context, tenantID string, subjects []string) (bool, error) {
	now := s.now()
	s.mu.Lock()
	c, ok := s.budgeted[tenantID]
	gen := s.gen
	s.mu.Unlock()
	if !ok || now.Sub(c.at) >= s.ttl {
		var list []*store.AIBudget
		err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
			list, err = tx.AIBudgets(ctx)
			return err
		})
		if err != nil {
			return false, err
		}
		c = budgetedSubjects{set: map[string]bool{}, at: now}
		for _, b := range list {
			c.set[b.Subject] = true
		}
		s.mu.Lock()
		if s.gen == gen { // else a change raced the read
			s.budgeted[tenantID] = c
		}
		s.mu.Unlock()
	}
	for _, sub := range subjects {
		if c.set[sub] {
			return true, nil
		}
	}
	return false, nil
}

type budgetedSubjects struct {
	set map[string]bool
	at  time.Time
}

// settle replaces a reservation by what was spent; it runs after the
// request's context may have ended (a client that left still pays for
// what the provider produced).
func (s *Service) settle(r *Reservation, spent Amount) {
	if r == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.budgets.Settle(ctx, r, spent); err != nil {
		s.log.Error("gateway: settling a budget reservation failed; the reservation stays spent", "err", err.Error())
	}
}

// SetBudget creates, replaces or (with no maxima) removes a budget.
func (s *Service) SetBudget(ctx context.Context, c Caller, subject, period string, maxTokens *int64, maxCostUSD *float64) (*store.AIBudget, error) {
	if period != PeriodDay && period != PeriodMonth {
		return nil, rampart.FieldError(rampart.EUnprocessable, "period", "period is day or month")
	}
	if subject != SubjectTenant && (len(subject) < 5 || subject[:4] != "key:") {
		return nil, rampart.FieldError(rampart.EUnprocessable, "subject", "subject is tenant or key:<api key id>")
	}
	now := s.now()
	b := &store.AIBudget{Subject: subject, Period: period, MaxTokens: maxTokens, WindowStart: windowStart(period, now)}
	if maxCostUSD != nil {
		m := int64(math.Round(*maxCostUSD * 1e6))
		b.MaxMicros = &m
	}
	err := s.store.InTenant(ctx, c.TenantID, func(tx *store.Tx) error {
		if maxTokens == nil && maxCostUSD == nil {
			_, err := tx.DeleteAIBudget(ctx, subject, period)
			return err
		}
		return tx.SetAIBudget(ctx, b, now)
	})
	s.forget(ctx, c.TenantID)
	if err != nil {
		return nil, err
	}
	return b, nil
}

// BudgetView is a budget as the API shows it.
type BudgetView struct {
	Subject     string    `json:"subject"`
	Period      string    `json:"period"`
	MaxTokens   *int64    `json:"max_tokens"`
	MaxCostUSD  *float64  `json:"max_cost_usd"`
	WindowStart time.Time `json:"window_start"`
	SpentTokens int64     `json:"spent_tokens"`
	SpentUSD    float64   `json:"spent_cost_usd"`
}

// Budgets lists the tenant's budgets with what their current windows spent
// (reservations in flight included).
func (s *Service) Budgets(ctx context.Context, tenantID string) ([]BudgetView, error) {
	var list []*store.AIBudget
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		list, err = tx.AIBudgets(ctx)
		return err
	})
	now := s.now()
	if err != nil {
		return nil, err
	}
	if err := s.budgets.Spent(ctx, tenantID, list, now); err != nil {
		s.log.Error("gateway: budget counters unavailable", "err", err.Error())
		return nil, &rampart.Error{Code: rampart.EUnavailable, Message: "budget counters are unavailable; retry shortly", RetryAfter: time.Second}
	}
	out := []BudgetView{}
	for _, b := range list {
		v := BudgetView{Subject: b.Subject, Period: b.Period, MaxTokens: b.MaxTokens, WindowStart: windowStart(b.Period, now)}
		if b.MaxMicros != nil {
			usd := float64(*b.MaxMicros) / 1e6
			v.MaxCostUSD = &usd
		}
		if b.WindowStart.Equal(v.WindowStart) {
			v.SpentTokens, v.SpentUSD = b.SpentTokens, float64(b.SpentMicros)/1e6
		}
		out = append(out, v)
	}
	return out, nil
}
