// Package privacy is Rampart's privacy operations: consent recorded per
// purpose with its proof, the registry of personal data (Rampart's own
// columns and the platform's systems), and data-subject requests with
// their legal deadlines.
package privacy

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

// Vault seals personal fields under the subject's own key and keys the
// hashes that stand for subjects (vault.Vault).
type Vault interface {
	Encrypt(ctx context.Context, f vault.Field, plaintext []byte) (string, error)
	Decrypt(ctx context.Context, tenantID, context, ciphertext string) ([]byte, keys.Header, error)
	HashKey(tenantID, use string) []byte
}

// Purposes says which consent purposes a tenant declared (its settings'
// privacy.purposes, read from the cached tenant policy).
type Purposes interface {
	Purposes(ctx context.Context, tenantID string) ([]string, error)
}

// Bus carries cache invalidations between replicas (Redis pub/sub on its
// own channel). Subscribe calls fn with "*:" whenever it (re)subscribes.
type Bus interface {
	Publish(ctx context.Context, msg string) error
	Subscribe(ctx context.Context, fn func(msg string)) error
}

// Cache lifetimes of consent decisions. With a bus a withdrawal reaches
// every replica at once and the TTL only bounds a lost message; without
// one (a single replica, or replicas without Redis) the TTL is the bound.
const (
	CacheTTLWithBus    = time.Minute
	CacheTTLWithoutBus = time.Second
	// maxCachedSubjects bounds the cache; when full it starts over.
	maxCachedSubjects = 100_000
	// publishTimeout bounds telling the other replicas.
	publishTimeout = time.Second
	// MaxUserAgent is the longest user agent kept with a record.
	MaxUserAgent = 512
)

// Consent is a record as callers see it: the address and user agent
// opened, or empty once the subject has been erased (Erased).
type Consent struct {
	ID            string    `json:"id"`
	Subject       string    `json:"subject"`
	Purpose       string    `json:"purpose"`
	Granted       bool      `json:"granted"`
	PolicyVersion string    `json:"policy_version"`
	Method        string    `json:"method"`
	Address       string    `json:"address"`
	UserAgent     string    `json:"user_agent"`
	RecordedBy    string    `json:"recorded_by,omitempty"`
	RecordedAt    time.Time `json:"recorded_at"`
	Erased        bool      `json:"erased,omitempty"`
}

// Record is a consent to record.
type Record struct {
	Subject, Purpose      string
	Granted               bool
	PolicyVersion, Method string
	// IP is the subject's address (truncated before it is kept) and
	// UserAgent their browser's.
	IP, UserAgent string
	RecordedBy    string
}

// Decision is the answer of a check: whether the latest record grants the
// purpose (no record: not granted).
type Decision struct {
	Subject       string     `json:"subject"`
	Purpose       string     `json:"purpose"`
	Granted       bool       `json:"granted"`
	PolicyVersion string     `json:"policy_version,omitempty"`
	RecordedAt    *time.Time `json:"recorded_at,omitempty"`
}

// Consents records and checks consent. Build it with NewConsents.
type Consents struct {
	store    *store.Store
	vault    Vault
	purposes Purposes
	bus      Bus
	log      *slog.Logger
	now      func() time.Time
	ttl      time.Duration

	mu    sync.RWMutex
	gen   uint64
	cache map[subjectKey]map[string]cached // subject -> purpose -> decision
	// hashKeys are the tenants' subject-index keys (an HKDF derivation
	// costs more than the rest of a cached check).
	hashKeys sync.Map // tenant -> []byte
}

type subjectKey struct{ tenant, index string }

type cached struct {
	d       Decision
	expires time.Time
}

// ConsentDeps are what Consents needs; Bus and Logger may be nil.
type ConsentDeps struct {
	Store    *store.Store
	Vault    Vault
	Purposes Purposes
	Bus      Bus
	Logger   *slog.Logger
	Now      func() time.Time
}

// NewConsents returns the consent service.
func NewConsents(d ConsentDeps) *Consents {
	c := &Consents{store: d.Store, vault: d.Vault, purposes: d.Purposes, bus: d.Bus, log: d.Logger, now: d.Now,
		ttl: CacheTTLWithoutBus, cache: map[subjectKey]map[string]cached{}}
	if c.now == nil {
		c.now = time.Now
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.bus != nil {
		c.ttl = CacheTTLWithBus
	}
	return c
}

// subjectIndex stands for a subject in the consent table: an HMAC under
// the tenant's key, so the table holds no identifier of its own.
func (c *Consents) subjectIndex(tenantID, subject string) string {
	k, ok := c.hashKeys.Load(tenantID)
	if !ok {
		k, _ = c.hashKeys.LoadOrStore(tenantID, c.vault.HashKey(tenantID, "consent-subject"))
	}
	m := hmac.New(sha256.New, k.([]byte))
	m.Write([]byte(subject))
	return hex.EncodeToString(m.Sum(nil))
}

// checkPurpose refuses a purpose the tenant has not declared (422 naming
// the field).
func (c *Consents) checkPurpose(ctx context.Context, tenantID, purpose string) error {
	known, err := c.purposes.Purposes(ctx, tenantID)
	if err != nil {
		return err
	}
	if !slices.Contains(known, purpose) {
		if len(known) == 0 {
			return rampart.FieldError(rampart.EUnprocessable, "purpose", "the tenant declares no purposes (settings privacy.purposes)")
		}
		return rampart.FieldError(rampart.EUnprocessable, "purpose", "must be one of the tenant's purposes: %s", strings.Join(known, ", "))
	}
	return nil
}

// TruncateAddress keeps the network part of an address: /24 of IPv4, /48
// of IPv6. Enough to show where a consent came from, not who gave it.
func TruncateAddress(ip string) string {
	a, err := netip.ParseAddr(ip)
	if err != nil {
		return ""
	}
	a = a.Unmap()
	bits := 48
	if a.Is4() {
		bits = 24
	}
	p, err := a.Prefix(bits)
	if err != nil {
		return ""
	}
	return p.Addr().String()
}

func fieldContext(field, id string) string { return "rampart/consents." + field + "/" + id }

// Record appends a consent record and makes every replica's next check
// read it.
func (c *Consents) Record(ctx context.Context, tenantID string, r Record) (*Consent, error) {
	if err := c.checkPurpose(ctx, tenantID, r.Purpose); err != nil {
		return nil, err
	}
	id, err := uuid.NewV7()
	if err != nil {
		return nil, err
	}
	rec := &store.Consent{ID: id.String(), SubjectIndex: c.subjectIndex(tenantID, r.Subject), Purpose: r.Purpose, Granted: r.Granted,
		PolicyVersion: r.PolicyVersion, Method: r.Method, RecordedBy: r.RecordedBy, CreatedAt: c.now().UTC()}
	addr, ua := TruncateAddress(r.IP), r.UserAgent
	if len(ua) > MaxUserAgent {
		ua = ua[:MaxUserAgent]
	}
	// Sealed under the subject's key: erasure takes them with it. A subject
	// erased already may still withdraw; the record then keeps neither.
	seal := func(field, value string) (string, error) {
		if value == "" {
			return "", nil
		}
		s, err := c.vault.Encrypt(ctx, vault.Field{TenantID: tenantID, Purpose: keys.PurposePersonalData, Subject: r.Subject, Context: fieldContext(field, rec.ID)}, []byte(value))
		if errors.Is(err, vault.ErrShredded) {
			return "", nil
		}
		return s, err
	}
	if rec.Address, err = seal("address", addr); err != nil {
		return nil, err
	}
	if rec.UserAgent, err = seal("user_agent", ua); err != nil {
		return nil, err
	}
	typ := audit.ConsentRecorded
	if !rec.Granted {
		typ = audit.ConsentWithdrawn
	}
	if err := c.store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		if err := tx.AddConsent(ctx, rec); err != nil {
			return err
		}
		return appendEvent(ctx, tx, typ, "consent:"+rec.ID, map[string]any{"purpose": rec.Purpose, "policy_version": rec.PolicyVersion, "method": rec.Method})
	}); err != nil {
		return nil, err
	}
	c.invalidate(ctx, tenantID, rec.SubjectIndex)
	return &Consent{ID: rec.ID, Subject: r.Subject, Purpose: rec.Purpose, Granted: rec.Granted, PolicyVersion: rec.PolicyVersion, Method: rec.Method,
		Address: addr, UserAgent: ua, RecordedBy: rec.RecordedBy, RecordedAt: rec.CreatedAt}, nil
}

// List returns a subject's consent records, oldest first, with their
// addresses and user agents opened.
func (c *Consents) List(ctx context.Context, tenantID, subject string) ([]*Consent, error) {
	var recs []*store.Consent
	err := c.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		recs, err = tx.Consents(ctx, c.subjectIndex(tenantID, subject))
		return err
	})
	if err != nil {
		return nil, err
	}
	out := make([]*Consent, 0, len(recs))
	for _, r := range recs {
		v := &Consent{ID: r.ID, Subject: subject, Purpose: r.Purpose, Granted: r.Granted, PolicyVersion: r.PolicyVersion, Method: r.Method,
			RecordedBy: r.RecordedBy, RecordedAt: r.CreatedAt}
		open := func(field, sealed string) string {
			if sealed == "" {
				return ""
			}
			pt, _, err := c.vault.Decrypt(ctx, tenantID, fieldContext(field, r.ID), sealed)
			if err != nil {
				v.Erased = true
				return ""
			}
			return string(pt)
		}
		v.Address, v.UserAgent = open("address", r.Address), open("user_agent", r.UserAgent)
		out = append(out, v)
	}
	return out, nil
}

// Check answers whether subject's latest record grants purpose, from this
// replica's cache when it can.
func (c *Consents) Check(ctx context.Context, tenantID, subject, purpose string) (Decision, error) {
	if err := c.checkPurpose(ctx, tenantID, purpose); err != nil {
		return Decision{}, err
	}
	key := subjectKey{tenantID, c.subjectIndex(tenantID, subject)}
	now := c.now()
	c.mu.RLock()
	e, ok := c.cache[key][purpose]
	gen := c.gen
	c.mu.RUnlock()
	if ok && now.Before(e.expires) {
		e.d.Subject = subject
		return e.d, nil
	}
	var rec *store.Consent
	err := c.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		rec, err = tx.LatestConsent(ctx, key.index, purpose)
		return err
	})
	if err != nil {
		return Decision{}, err
	}
	d := Decision{Purpose: purpose}
	if rec != nil {
		at := rec.CreatedAt
		d.Granted, d.PolicyVersion, d.RecordedAt = rec.Granted, rec.PolicyVersion, &at
	}
	c.mu.Lock()
	// An invalidation that arrived during the read may concern it: keep
	// the answer out of the cache then.
	if c.gen == gen {
		if len(c.cache) >= maxCachedSubjects {
			c.cache = map[subjectKey]map[string]cached{}
		}
		m := c.cache[key]
		if m == nil {
			m = map[string]cached{}
			c.cache[key] = m
		}
		m[purpose] = cached{d: d, expires: now.Add(c.ttl)}
	}
	c.mu.Unlock()
	d.Subject = subject
	return d, nil
}

// invalidate forgets a subject's decisions here and tells the other
// replicas. A failed publish is logged: the cache TTL bounds staleness.
func (c *Consents) invalidate(ctx context.Context, tenantID, index string) {
	msg := tenantID + ":" + index
	c.apply(msg)
	if c.bus == nil {
		return
	}
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), publishTimeout)
	defer cancel()
	if err := c.bus.Publish(pctx, msg); err != nil {
		c.log.Warn("publish consent change", "err", err.Error())
	}
}

// apply handles "<tenant>:<subject index>", or "*:" (forget everything:
// messages may have been lost).
func (c *Consents) apply(msg string) {
	tenant, index, ok := strings.Cut(msg, ":")
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	if tenant == "*" {
		c.cache = map[subjectKey]map[string]cached{}
		return
	}
	delete(c.cache, subjectKey{tenant, index})
}

// Listen applies other replicas' changes until ctx ends; it returns at
// once without a bus.
func (c *Consents) Listen(ctx context.Context) error {
	if c.bus == nil {
		return nil
	}
	return c.bus.Subscribe(ctx, c.apply)
}
