package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
)

// AIUpstream is a tenant's OpenAI-compatible model provider. APIKey is
// whatever the caller stores: the gateway seals it before it gets here.
type AIUpstream struct {
	ID        string
	Name      string
	BaseURL   string
	APIKey    string // sealed
	Models    []string
	Aliases   map[string]string
	Prices    map[string]AIPrice
	Default   bool
	Options   AIOptions
	CreatedBy string
	CreatedAt time.Time
}

// AIPrice is a model's price in US dollars per million tokens.
type AIPrice struct {
	Input  float64 `json:"input"`
	Output float64 `json:"output"`
}

// AIOptions are an upstream's switches; the zero value is the safe one
// (guardrails and masking on).
type AIOptions struct {
	NoGuardrails bool `json:"no_guardrails,omitempty"`
	NoMasking    bool `json:"no_masking,omitempty"`
}

const aiUpstreamColumns = "id, name, base_url, api_key, models, aliases, prices, is_default, options, created_by, created_at"

// CreateAIUpstream stores u (its ID is filled in when empty) for the scoped
// tenant; a taken name is a conflict. When u is the default, the others stop
// being it.
func (tx *Tx) CreateAIUpstream(ctx context.Context, u *AIUpstream) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if u.ID == "" {
		u.ID = uuid.NewString()
	}
	models, _ := json.Marshal(modelsOrEmpty(u.Models))
	aliases, _ := json.Marshal(u.Aliases)
	prices, _ := json.Marshal(u.Prices)
	options, _ := json.Marshal(u.Options)
	if u.Aliases == nil {
		aliases = []byte("{}")
	}
	if u.Prices == nil {
		prices = []byte("{}")
	}
	if u.Default {
		if _, err := tx.exec(ctx, "UPDATE ai_upstreams SET is_default = ? WHERE tenant_id = ?", false, tenantID); err != nil {
			return err
		}
	}
	_, err = tx.exec(ctx, "INSERT INTO ai_upstreams (tenant_id, "+aiUpstreamColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		tenantID, u.ID, u.Name, u.BaseURL, u.APIKey, string(models), string(aliases), string(prices), u.Default, string(options), u.CreatedBy, tx.d.timeArg(u.CreatedAt))
	if isUniqueViolation(err) {
		return rampart.FieldError(rampart.EConflict, "name", "an upstream named %q exists", u.Name)
	}
	return err
}

func modelsOrEmpty(xs []string) []string {
	if xs == nil {
		return []string{}
	}
	return xs
}

// AIUpstreams lists the scoped tenant's upstreams by name.
func (tx *Tx) AIUpstreams(ctx context.Context) ([]*AIUpstream, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT "+aiUpstreamColumns+" FROM ai_upstreams WHERE tenant_id = ? ORDER BY name", tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AIUpstream
	for rows.Next() {
		var u AIUpstream
		var models, aliases, prices, options string
		if err := rows.Scan(&u.ID, &u.Name, &u.BaseURL, &u.APIKey, scanText{&models}, scanText{&aliases}, scanText{&prices}, &u.Default,
			scanText{&options}, &u.CreatedBy, scanTime{&u.CreatedAt}); err != nil {
			return nil, err
		}
		if err := errors.Join(json.Unmarshal([]byte(models), &u.Models), json.Unmarshal([]byte(aliases), &u.Aliases),
			json.Unmarshal([]byte(prices), &u.Prices), json.Unmarshal([]byte(options), &u.Options)); err != nil {
			return nil, err
		}
		out = append(out, &u)
	}
	return out, rows.Err()
}

// DeleteAIUpstream removes an upstream of the scoped tenant.
func (tx *Tx) DeleteAIUpstream(ctx context.Context, id string) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if _, err := uuid.Parse(id); err != nil {
		return rampart.Errorf(rampart.ENotFound, "upstream not found")
	}
	res, err := tx.exec(ctx, "DELETE FROM ai_upstreams WHERE tenant_id = ? AND id = ?", tenantID, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return rampart.Errorf(rampart.ENotFound, "upstream not found")
	}
	return nil
}

// AIBudget is a token and cost budget of a tenant or one of its API keys,
// with what was spent in its current window.
type AIBudget struct {
	Subject     string    `json:"subject"` // "tenant" or "key:<id>"
	Period      string    `json:"period"`  // "day" or "month" (UTC)
	MaxTokens   *int64    `json:"max_tokens"`
	MaxMicros   *int64    `json:"-"`
	WindowStart time.Time `json:"window_start"`
	SpentTokens int64     `json:"spent_tokens"`
	SpentMicros int64     `json:"-"`
}

// SetAIBudget creates or replaces a budget's maxima, keeping what its
// current window spent.
func (tx *Tx) SetAIBudget(ctx context.Context, b *AIBudget, now time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "UPDATE ai_budgets SET max_tokens = ?, max_micros = ?, updated_at = ? WHERE tenant_id = ? AND subject = ? AND period = ?",
		nullInt(b.MaxTokens), nullInt(b.MaxMicros), tx.d.timeArg(now), tenantID, b.Subject, b.Period)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n > 0 {
		return nil
	}
	_, err = tx.exec(ctx, "INSERT INTO ai_budgets (tenant_id, subject, period, max_tokens, max_micros, window_start, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		tenantID, b.Subject, b.Period, nullInt(b.MaxTokens), nullInt(b.MaxMicros), tx.d.timeArg(b.WindowStart), tx.d.timeArg(now))
	return err
}

// DeleteAIBudget removes a budget; it reports whether there was one.
func (tx *Tx) DeleteAIBudget(ctx context.Context, subject, period string) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "DELETE FROM ai_budgets WHERE tenant_id = ? AND subject = ? AND period = ?", tenantID, subject, period)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

func nullInt(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// AIBudgets lists the scoped tenant's budgets whose subject is one of
// subjects (all of them when subjects is empty), ordered by subject and
// period: the order reservations lock them in.
func (tx *Tx) AIBudgets(ctx context.Context, subjects ...string) ([]*AIBudget, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	q := "SELECT subject, period, max_tokens, max_micros, window_start, spent_tokens, spent_micros FROM ai_budgets WHERE tenant_id = ?"
	args := []any{tenantID}
	if len(subjects) > 0 {
		q += " AND subject IN (?" + strings.Repeat(", ?", len(subjects)-1) + ")"
		for _, s := range subjects {
			args = append(args, s)
		}
	}
	rows, err := tx.query(ctx, q+" ORDER BY subject, period", args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AIBudget
	for rows.Next() {
		var b AIBudget
		var maxTokens, maxMicros sql.NullInt64
		if err := rows.Scan(&b.Subject, &b.Period, &maxTokens, &maxMicros, scanTime{&b.WindowStart}, &b.SpentTokens, &b.SpentMicros); err != nil {
			return nil, err
		}
		if maxTokens.Valid {
			b.MaxTokens = &maxTokens.Int64
		}
		if maxMicros.Valid {
			b.MaxMicros = &maxMicros.Int64
		}
		out = append(out, &b)
	}
	return out, rows.Err()
}

// ReserveAIBudget adds tokens and micros to the budget's current window
// (starting at window, which resets a budget whose window has passed) only
// if it stays within the budget's maxima, in one conditional update: two
// requests racing for the last of a budget cannot both pass. It reports
// whether the reservation was made.
func (tx *Tx) ReserveAIBudget(ctx context.Context, subject, period string, window time.Time, tokens, micros int64, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	w := tx.d.timeArg(window)
	res, err := tx.exec(ctx, `UPDATE ai_budgets SET
		spent_tokens = (CASE WHEN window_start = ? THEN spent_tokens ELSE 0 END) + ?,
		spent_micros = (CASE WHEN window_start = ? THEN spent_micros ELSE 0 END) + ?,
		window_start = ?, updated_at = ?
		WHERE tenant_id = ? AND subject = ? AND period = ?
		AND (max_tokens IS NULL OR (CASE WHEN window_start = ? THEN spent_tokens ELSE 0 END) + ? <= max_tokens)
		AND (max_micros IS NULL OR (CASE WHEN window_start = ? THEN spent_micros ELSE 0 END) + ? <= max_micros)`,
		w, tokens, w, micros, w, tx.d.timeArg(now), tenantID, subject, period, w, tokens, w, micros)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// SettleAIBudget replaces a reservation made in window by what was really
// spent (release: zero spent). A window that has passed since is left alone:
// the reservation went with it.
func (tx *Tx) SettleAIBudget(ctx context.Context, subject, period string, window time.Time, reservedTokens, reservedMicros, tokens, micros int64, now time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, `UPDATE ai_budgets SET spent_tokens = spent_tokens - ? + ?, spent_micros = spent_micros - ? + ?, updated_at = ?
		WHERE tenant_id = ? AND subject = ? AND period = ? AND window_start = ?`,
		reservedTokens, tokens, reservedMicros, micros, tx.d.timeArg(now), tenantID, subject, period, tx.d.timeArg(window))
	return err
}

// AIUsage is one proxied request in the usage log.
type AIUsage struct {
	ID            string
	CreatedAt     time.Time
	KeyID         string
	UserID        string
	Endpoint      string
	Model         string
	Upstream      string
	InputTokens   int64
	OutputTokens  int64
	CostMicros    int64
	InputVerdict  string
	OutputVerdict string
	LatencyMS     int64
	Stream        bool
	Status        int
}

// AddAIUsage appends records to the scoped tenant's usage log.
func (tx *Tx) AddAIUsage(ctx context.Context, records []*AIUsage) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	for _, u := range records {
		if u.ID == "" {
			u.ID = uuid.NewString()
		}
		if _, err := tx.exec(ctx, `INSERT INTO ai_usage (tenant_id, id, created_at, key_id, user_id, endpoint, model, upstream, input_tokens, output_tokens,
			cost_micros, input_verdict, output_verdict, latency_ms, stream, status) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			tenantID, u.ID, tx.d.timeArg(u.CreatedAt), u.KeyID, u.UserID, u.Endpoint, u.Model, u.Upstream, u.InputTokens, u.OutputTokens,
			u.CostMicros, u.InputVerdict, u.OutputVerdict, u.LatencyMS, u.Stream, u.Status); err != nil {
			return err
		}
	}
	return nil
}

// AIUsageGroup is the usage of one key, model or user over a time range.
type AIUsageGroup struct {
	Group        string `json:"group"`
	Requests     int64  `json:"requests"`
	InputTokens  int64  `json:"input_tokens"`
	OutputTokens int64  `json:"output_tokens"`
	CostMicros   int64  `json:"-"`
	Blocked      int64  `json:"blocked"`
	Errors       int64  `json:"errors"`
}

// aiUsageGroupColumns are the columns usage may be grouped by.
var aiUsageGroupColumns = map[string]string{"key": "key_id", "model": "model", "user": "user_id"}

// AIUsageBy sums the scoped tenant's usage in [from, to) by key, model or
// user.
func (tx *Tx) AIUsageBy(ctx context.Context, from, to time.Time, groupBy string) ([]*AIUsageGroup, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	col, ok := aiUsageGroupColumns[groupBy]
	if !ok {
		return nil, rampart.FieldError(rampart.EUnprocessable, "group_by", "group_by is key, model or user")
	}
	rows, err := tx.query(ctx, `SELECT `+col+`, COUNT(*), COALESCE(SUM(input_tokens), 0), COALESCE(SUM(output_tokens), 0), COALESCE(SUM(cost_micros), 0),
		COALESCE(SUM(CASE WHEN input_verdict = 'block' OR output_verdict = 'block' THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN status >= 400 THEN 1 ELSE 0 END), 0)
		FROM ai_usage WHERE tenant_id = ? AND created_at >= ? AND created_at < ? GROUP BY `+col+` ORDER BY `+col,
		tenantID, tx.d.timeArg(from), tx.d.timeArg(to))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*AIUsageGroup{}
	for rows.Next() {
		var g AIUsageGroup
		if err := rows.Scan(&g.Group, &g.Requests, &g.InputTokens, &g.OutputTokens, &g.CostMicros, &g.Blocked, &g.Errors); err != nil {
			return nil, err
		}
		out = append(out, &g)
	}
	return out, rows.Err()
}
