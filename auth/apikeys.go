package auth

import (
	"context"
	"crypto/subtle"
	"sync"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/store"
)

// NewAPIKey is a request for a key.
type NewAPIKey struct {
	Name          string
	Role          string
	Permissions   []string
	ExpiresAt     time.Time
	RateLimitTier string
}

// CreateAPIKey issues a key for the caller's tenant carrying a role and/or
// permissions, never more than the caller holds. It returns the key, shown
// this once, and its metadata.
func (s *Service) CreateAPIKey(ctx context.Context, p *Principal, req NewAPIKey, meta Meta) (string, *identity.APIKey, error) {
	if p.APIKeyID != "" {
		return "", nil, rampart.Errorf(rampart.EForbidden, "API keys are created by people, not by other keys")
	}
	if err := p.RequireRecentMFA(s.now()); err != nil {
		return "", nil, err
	}
	cat, err := s.Catalogue(ctx, p.TenantID)
	if err != nil {
		return "", nil, err
	}
	if req.Role != "" {
		r, ok := cat.Role(req.Role)
		if !ok {
			return "", nil, rampart.FieldError(rampart.EUnprocessable, "role", "role %q is not a role of this tenant", req.Role)
		}
		if r.Level > cat.Level(string(p.Role)) {
			return "", nil, rampart.FieldError(rampart.EForbidden, "role", "a key cannot have a role above your own")
		}
		// A key's role grants must be held by its creator too.
		for _, g := range r.Permissions {
			if !cat.Covers(p.Subject(), g) {
				return "", nil, rampart.FieldError(rampart.EForbidden, "role", "role %s grants %s, which you do not hold", r.Name, g)
			}
		}
	}
	for i, g := range req.Permissions {
		if !cat.Covers(p.Subject(), g) {
			return "", nil, rampart.FieldError(rampart.EForbidden, fieldIndex("permissions", i), "you cannot grant %s: you do not hold it", g)
		}
	}
	if req.RateLimitTier != "" {
		var tenant *identity.Tenant
		if err := s.store.ReadTenant(ctx, p.TenantID, func(tx *store.Tx) (err error) {
			tenant, err = tx.Tenant(ctx, p.TenantID)
			return err
		}); err != nil {
			return "", nil, err
		}
		if own := tenant.Policy.WithDefaults().RateLimitTier; identity.TierRank(req.RateLimitTier) > identity.TierRank(own) {
			return "", nil, rampart.FieldError(rampart.EForbidden, "rate_limit_tier", "a key's tier cannot be above the tenant's (%s)", own)
		}
	}
	raw, id, hash, err := identity.NewAPIKey(p.TenantID)
	if err != nil {
		return "", nil, err
	}
	now := s.now().UTC().Truncate(time.Microsecond)
	k := &identity.APIKey{ID: id, TenantID: p.TenantID, Name: req.Name, Hash: hash, Role: req.Role, Permissions: req.Permissions,
		RateLimitTier: req.RateLimitTier, CreatedBy: p.UserID, CreatedAt: now, ExpiresAt: req.ExpiresAt}
	err = s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		if err := tx.CreateAPIKey(ctx, k); err != nil {
			return err
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "api_key:" + id, Success: true, Details: map[string]any{"action": "api_key_created", "name": req.Name, "role": req.Role, "permissions": req.Permissions}})
	})
	if err != nil {
		return "", nil, err
	}
	return raw, k, nil
}

// APIKeys lists the tenant's active keys.
func (s *Service) APIKeys(ctx context.Context, tenantID string) ([]*identity.APIKey, error) {
	var out []*identity.APIKey
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		out, err = tx.APIKeys(ctx)
		return err
	})
	for _, k := range out {
		if t, ok := s.keyUses.last(k.ID); ok && t.After(k.LastUsedAt) {
			k.LastUsedAt = t
		}
	}
	return out, err
}

// RevokeAPIKey ends a key at once on every replica.
func (s *Service) RevokeAPIKey(ctx context.Context, p *Principal, id string, meta Meta) error {
	err := s.store.InTenant(ctx, p.TenantID, func(tx *store.Tx) error {
		k, err := tx.APIKey(ctx, id)
		if err != nil {
			return err
		}
		if k.CreatedBy != p.UserID && k.CreatedBy != p.KeyCreator {
			if _, err := s.checkTarget(ctx, tx, p, k.CreatedBy); err != nil && rampart.ErrorCode(err) != rampart.ENotFound {
				return err
			}
		}
		ok, err := tx.RevokeAPIKey(ctx, id, s.now())
		if err != nil {
			return err
		}
		if !ok {
			return rampart.Errorf(rampart.ENotFound, "API key not found")
		}
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.ConfigChange, UserID: p.UserID, IP: meta.IP, UserAgent: meta.UserAgent,
			Resource: "api_key:" + id, Success: true, Details: map[string]any{"action": "api_key_revoked"}})
	})
	if err != nil {
		return err
	}
	s.publish(ctx, "a:"+id)
	return nil
}

// AuthenticateAPIKey checks an API key: its hash, expiry and revocation,
// then the tenant's IP rules (so that a forged key is a 401 wherever it
// comes from). The key is read from the database at most once per cache TTL;
// a revocation drops it at once. Every use is recorded (flushed to
// last_used_at each maintenance tick, and shown at once by this replica).
func (s *Service) AuthenticateAPIKey(ctx context.Context, raw string, meta Meta) (*Principal, error) {
	tenantID, id, err := identity.ParseAPIKey(raw)
	if err != nil {
		return nil, errInvalidToken
	}
	hash := identity.HashToken(raw)
	now := s.now()
	e, ok := s.keyCache.get(id, now)
	if !ok {
		gen := s.keyCache.generation()
		err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) error {
			k, err := tx.APIKey(ctx, id)
			if err != nil {
				return err
			}
			t, err := tx.Tenant(ctx, tenantID)
			if err != nil {
				return err
			}
			if t.Status != identity.TenantActive {
				return errInvalidToken
			}
			// A key never does more than its creator may do now: a creator
			// who was disabled, deleted or demoted takes the key down too.
			creator, err := tx.UserByID(ctx, k.CreatedBy)
			if err != nil || creator.Status != identity.UserActive {
				return errInvalidToken
			}
			if !s.keyWithinCreator(ctx, tenantID, k, creator) {
				return errInvalidToken
			}
			e = keyEntry{k: k, stepUp: time.Duration(t.Policy.StepUpMinutes) * time.Minute, until: now.Add(s.cfg.SessionCacheTTL)}
			return nil
		})
		if rampart.ErrorCode(err) == rampart.ENotFound || err == errInvalidToken {
			return nil, errInvalidToken
		}
		if err != nil {
			return nil, err
		}
		s.keyCache.put(id, e, gen)
	}
	k := e.k
	if subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hash)) != 1 || k.TenantID != tenantID || !k.RevokedAt.IsZero() ||
		(!k.ExpiresAt.IsZero() && !now.Before(k.ExpiresAt)) {
		return nil, errInvalidToken
	}
	// The tenant's IP rules apply once the key is known to be genuine: a
	// 403 for a forged key would tell anyone the tenant's IP policy.
	if err := s.CheckIP(ctx, tenantID, meta); err != nil {
		return nil, err
	}
	s.keyUses.record(k.TenantID, k.ID, now)
	return &Principal{TenantID: k.TenantID, UserID: "apikey:" + k.ID, APIKeyID: k.ID, KeyCreator: k.CreatedBy, Role: identity.Role(k.Role), Permissions: k.Permissions,
		RateLimitTier: k.RateLimitTier, StepUp: e.stepUp}, nil
}

// keyWithinCreator reports whether everything the key grants is still held
// by its creator.
func (s *Service) keyWithinCreator(ctx context.Context, tenantID string, k *identity.APIKey, creator *identity.User) bool {
	cat, err := s.Catalogue(ctx, tenantID)
	if err != nil {
		return false
	}
	sub := authz.Subject{Role: string(creator.Role), Permissions: creator.Permissions}
	grants := append([]string(nil), k.Permissions...)
	if k.Role != "" {
		r, ok := cat.Role(k.Role)
		if !ok || r.Level > cat.Level(string(creator.Role)) {
			return false
		}
		grants = append(grants, r.Permissions...)
	}
	for _, g := range grants {
		if !cat.Covers(sub, g) {
			return false
		}
	}
	return true
}

// FlushKeyUses writes recorded key uses to last_used_at.
func (s *Service) FlushKeyUses(ctx context.Context) {
	for _, u := range s.keyUses.take() {
		err := s.store.InTenant(ctx, u.tenantID, func(tx *store.Tx) error { return tx.TouchAPIKey(ctx, u.id, u.at) })
		if err != nil {
			s.log.Warn("record API key use", "err", err.Error())
		}
	}
}

// keyCache remembers API keys read from the database for a short TTL.
type keyCache struct {
	mu  sync.Mutex
	m   map[string]keyEntry
	gen uint64
}

type keyEntry struct {
	k      *identity.APIKey
	stepUp time.Duration // the tenant's step-up setting, which a key can never meet
	until  time.Time
}

func (c *keyCache) get(id string, now time.Time) (keyEntry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[id]
	if !ok || !now.Before(e.until) {
		return keyEntry{}, false
	}
	return e, true
}

func (c *keyCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

func (c *keyCache) put(id string, e keyEntry, gen uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if c.m == nil || len(c.m) > maxCachedSessions {
		c.m = map[string]keyEntry{}
	}
	c.m[id] = e
}

func (c *keyCache) drop(id string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if id == "*" {
		c.m = nil
		return
	}
	delete(c.m, id)
}

// keyUses collects API key uses between flushes.
type keyUses struct {
	mu sync.Mutex
	m  map[string]keyUse
}

type keyUse struct {
	tenantID, id string
	at           time.Time
}

func (u *keyUses) record(tenantID, id string, at time.Time) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if u.m == nil {
		u.m = map[string]keyUse{}
	}
	u.m[id] = keyUse{tenantID: tenantID, id: id, at: at}
}

func (u *keyUses) last(id string) (time.Time, bool) {
	u.mu.Lock()
	defer u.mu.Unlock()
	e, ok := u.m[id]
	return e.at, ok
}

func (u *keyUses) take() []keyUse {
	u.mu.Lock()
	defer u.mu.Unlock()
	out := make([]keyUse, 0, len(u.m))
	for _, e := range u.m {
		out = append(out, e)
	}
	u.m = nil
	return out
}
