package gateway

import (
	"context"
	"fmt"
	"math"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/webhook"
)

// Bounds of an upstream's configuration.
const (
	MaxModels        = 256
	MaxModelName     = 256
	MaxAPIKeyBytes   = 4096
	maxUpstreamName  = 64
	maxPricePerMTok  = 1e6
	apiKeyContextFmt = "rampart/ai_upstreams.api_key/%s"
)

// Upstream is a tenant's model provider as the API shows it: never its key.
type Upstream struct {
	ID        string                   `json:"id"`
	Name      string                   `json:"name"`
	BaseURL   string                   `json:"base_url"`
	Models    []string                 `json:"models"`
	Aliases   map[string]string        `json:"aliases"`
	Prices    map[string]store.AIPrice `json:"prices"`
	Default   bool                     `json:"default"`
	Guardrail bool                     `json:"guardrails"`
	MaskPII   bool                     `json:"mask_pii"`
	CreatedBy string                   `json:"created_by,omitempty"`
	CreatedAt time.Time                `json:"created_at"`
	HasAPIKey bool                     `json:"has_api_key"`

	apiKey []byte // opened on use, never serialised
}

// NewUpstream is an upstream to create.
type NewUpstream struct {
	Name    string
	BaseURL string
	APIKey  string
	Models  []string
	Aliases map[string]string // public name -> the upstream's model
	Prices  map[string]store.AIPrice
	Default bool
	// Guardrails and MaskPII default to on.
	Guardrails *bool
	MaskPII    *bool
}

// CreateUpstream checks and stores an upstream of the tenant, its API key
// sealed under the tenant's api_keys key and bound to the row.
func (s *Service) CreateUpstream(ctx context.Context, c Caller, in NewUpstream) (*Upstream, error) {
	if err := s.checkUpstream(&in); err != nil {
		return nil, err
	}
	row := &store.AIUpstream{Name: in.Name, BaseURL: strings.TrimRight(in.BaseURL, "/"), Models: in.Models, Aliases: in.Aliases, Prices: in.Prices,
		Default: in.Default, CreatedBy: c.UserID, CreatedAt: s.now().UTC().Truncate(time.Microsecond)}
	row.Options.NoGuardrails = in.Guardrails != nil && !*in.Guardrails
	row.Options.NoMasking = in.MaskPII != nil && !*in.MaskPII
	row.ID = newID()
	sealed, err := s.sealer.Seal(ctx, c.TenantID, fmt.Sprintf(apiKeyContextFmt, row.ID), []byte(in.APIKey))
	if err != nil {
		return nil, err
	}
	row.APIKey = sealed
	err = s.store.InTenant(ctx, c.TenantID, func(tx *store.Tx) error {
		list, err := tx.AIUpstreams(ctx)
		if err != nil {
			return err
		}
		if len(list) >= MaxUpstreams {
			return rampart.Errorf(rampart.EConflict, "a tenant may have at most %d upstreams; delete one first", MaxUpstreams)
		}
		if err := tx.CreateAIUpstream(ctx, row); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: c.UserID, IP: c.Actor.IP, UserAgent: c.Actor.UserAgent,
			Resource: "ai_upstream:" + row.ID, Success: true, Details: map[string]any{"action": "ai_upstream_created", "name": row.Name, "host": hostOf(row.BaseURL)}})
	})
	if err != nil {
		return nil, err
	}
	s.forget(ctx, c.TenantID)
	return view(row), nil
}

func hostOf(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return u.Host
}

func (s *Service) checkUpstream(in *NewUpstream) error {
	in.Name = strings.TrimSpace(in.Name)
	switch {
	case in.Name == "" || len(in.Name) > maxUpstreamName:
		return rampart.FieldError(rampart.EUnprocessable, "name", "name is 1 to %d bytes", maxUpstreamName)
	case in.APIKey == "" || len(in.APIKey) > MaxAPIKeyBytes:
		return rampart.FieldError(rampart.EUnprocessable, "api_key", "api_key is 1 to %d bytes", MaxAPIKeyBytes)
	case len(in.Models) > MaxModels:
		return rampart.FieldError(rampart.EUnprocessable, "models", "at most %d models", MaxModels)
	case len(in.Aliases) > MaxModels:
		return rampart.FieldError(rampart.EUnprocessable, "aliases", "at most %d aliases", MaxModels)
	case len(in.Prices) > MaxModels:
		return rampart.FieldError(rampart.EUnprocessable, "prices", "at most %d prices", MaxModels)
	}
	if err := webhook.ValidateURL(in.BaseURL, s.cfg.RequireHTTPS, s.cfg.AllowPrivate); err != nil {
		e := err.(*rampart.Error)
		return rampart.FieldError(rampart.EUnprocessable, "base_url", "%s", e.Message)
	}
	if u, _ := url.Parse(in.BaseURL); u.RawQuery != "" || u.Fragment != "" {
		return rampart.FieldError(rampart.EUnprocessable, "base_url", "base_url has no query or fragment")
	}
	for i, m := range in.Models {
		if !validModel(m) {
			return rampart.FieldError(rampart.EUnprocessable, fmt.Sprintf("models[%d]", i), "a model name is 1 to %d printable bytes", MaxModelName)
		}
	}
	for k, v := range in.Aliases {
		if !validModel(k) || !validModel(v) {
			return rampart.FieldError(rampart.EUnprocessable, "aliases."+k, "an alias and its model are 1 to %d printable bytes", MaxModelName)
		}
	}
	for k, p := range in.Prices {
		if !validModel(k) || p.Input < 0 || p.Output < 0 || p.Input > maxPricePerMTok || p.Output > maxPricePerMTok || math.IsNaN(p.Input) || math.IsNaN(p.Output) {
			return rampart.FieldError(rampart.EUnprocessable, "prices."+k, "prices are US dollars per million tokens, 0 to %g", maxPricePerMTok)
		}
	}
	return nil
}

func validModel(m string) bool {
	if m == "" || len(m) > MaxModelName {
		return false
	}
	for _, r := range m {
		if r <= ' ' || r == 0x7f {
			return false
		}
	}
	return true
}

func view(u *store.AIUpstream) *Upstream {
	v := &Upstream{ID: u.ID, Name: u.Name, BaseURL: u.BaseURL, Models: u.Models, Aliases: u.Aliases, Prices: u.Prices, Default: u.Default,
		Guardrail: !u.Options.NoGuardrails, MaskPII: !u.Options.NoMasking, CreatedBy: u.CreatedBy, CreatedAt: u.CreatedAt, HasAPIKey: u.APIKey != ""}
	if v.Models == nil {
		v.Models = []string{}
	}
	if v.Aliases == nil {
		v.Aliases = map[string]string{}
	}
	if v.Prices == nil {
		v.Prices = map[string]store.AIPrice{}
	}
	return v
}

// Upstreams lists the tenant's upstreams, without their keys.
func (s *Service) Upstreams(ctx context.Context, tenantID string) ([]*Upstream, error) {
	var rows []*store.AIUpstream
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		rows, err = tx.AIUpstreams(ctx)
		return err
	})
	out := make([]*Upstream, 0, len(rows))
	for _, r := range rows {
		out = append(out, view(r))
	}
	return out, err
}

// DeleteUpstream removes an upstream of the tenant.
func (s *Service) DeleteUpstream(ctx context.Context, c Caller, id string) error {
	err := s.store.InTenant(ctx, c.TenantID, func(tx *store.Tx) error {
		if err := tx.DeleteAIUpstream(ctx, id); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: c.UserID, IP: c.Actor.IP, UserAgent: c.Actor.UserAgent,
			Resource: "ai_upstream:" + id, Success: true, Details: map[string]any{"action": "ai_upstream_deleted"}})
	})
	s.forget(ctx, c.TenantID)
	return err
}

// forget drops a tenant's upstreams and budgeted subjects from this
// replica's caches and tells the other replicas to. A failed publish is
// logged: the cache TTL bounds how long they may serve the old ones.
func (s *Service) forget(ctx context.Context, tenantID string) {
	s.apply(tenantID)
	if s.bus == nil {
		return
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	if err := s.bus.Publish(pctx, tenantID); err != nil {
		s.log.Warn("gateway: publish an upstream change", "err", err.Error())
	}
}

// apply handles a change message: a tenant's ID, or "*" (forget every
// tenant: messages may have been lost).
func (s *Service) apply(msg string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gen++
	if msg == "*" || msg == "*:" {
		s.cache = map[string]cachedUpstreams{}
		s.budgeted = map[string]budgetedSubjects{}
		return
	}
	delete(s.cache, msg)
	delete(s.budgeted, msg)
}

// Listen applies other replicas' upstream changes until ctx ends; it
// returns at once without a bus.
func (s *Service) Listen(ctx context.Context) error {
	if s.bus == nil {
		return nil
	}
	return s.bus.Subscribe(ctx, s.apply)
}

// live returns the tenant's upstreams with their keys opened, from a short
// cache.
func (s *Service) live(ctx context.Context, tenantID string) ([]*Upstream, error) {
	now := s.now()
	s.mu.Lock()
	c, ok := s.cache[tenantID]
	gen := s.gen
	s.mu.Unlock()
	if ok && now.Sub(c.at) < s.ttl {
		return c.list, nil
	}
	var rows []*store.AIUpstream
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		rows, err = tx.AIUpstreams(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	list := make([]*Upstream, 0, len(rows))
	for _, r := range rows {
		v := view(r)
		key, err := s.sealer.Open(ctx, tenantID, fmt.Sprintf(apiKeyContextFmt, r.ID), r.APIKey)
		if err != nil {
			return nil, fmt.Errorf("gateway: open the key of upstream %s: %w", r.ID, err)
		}
		v.apiKey = key
		list = append(list, v)
	}
	s.mu.Lock()
	// A change that arrived during the read may not be in it: the list
	// serves this request only.
	if s.gen == gen {
		s.cache[tenantID] = cachedUpstreams{list: list, at: now}
	}
	s.mu.Unlock()
	return list, nil
}

// route is where a public model name goes: the upstream and its model.
type route struct {
	up    *Upstream
	model string
}

// resolve finds the upstream of a public model name: an alias, else an
// upstream listing the model (the default one first), else a default
// upstream that lists no models (it takes any).
func (s *Service) resolve(ctx context.Context, tenantID, model string) (*route, error) {
	list, err := s.live(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	ordered := make([]*Upstream, len(list))
	copy(ordered, list)
	sort.SliceStable(ordered, func(i, j int) bool { return ordered[i].Default && !ordered[j].Default })
	for _, u := range ordered {
		if m, ok := u.Aliases[model]; ok {
			return &route{u, m}, nil
		}
	}
	for _, u := range ordered {
		for _, m := range u.Models {
			if m == model {
				return &route{u, m}, nil
			}
		}
	}
	for _, u := range ordered {
		if u.Default && len(u.Models) == 0 {
			return &route{u, model}, nil
		}
	}
	return nil, openAIError(rampart.ENotFound, CodeModelNotFound, fmt.Sprintf("The model `%s` does not exist or you do not have access to it.", truncate(model, 100)), map[string]any{"param": "model"})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Model is one entry of GET /v1/ai/models, as OpenAI lists models.
type Model struct {
	ID      string `json:"id"`
	Object  string `json:"object"`
	Created int64  `json:"created"`
	OwnedBy string `json:"owned_by"`
}

// Models lists the public model names of the tenant: aliases and listed
// models, once each.
func (s *Service) Models(ctx context.Context, tenantID string) ([]Model, error) {
	list, err := s.Upstreams(ctx, tenantID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []Model{}
	add := func(id string, u *Upstream) {
		if !seen[id] {
			seen[id] = true
			out = append(out, Model{ID: id, Object: "model", Created: u.CreatedAt.Unix(), OwnedBy: u.Name})
		}
	}
	for _, u := range list {
		for _, m := range u.Models {
			add(m, u)
		}
		aliases := make([]string, 0, len(u.Aliases))
		for a := range u.Aliases {
			aliases = append(aliases, a)
		}
		sort.Strings(aliases)
		for _, a := range aliases {
			add(a, u)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}
