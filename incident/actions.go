package incident

import (
	"context"
	"maps"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/monitor"
	"github.com/rampart-dev/rampart/store"
)

// Revoker tells every replica that cached sessions, keys or settings are
// stale (auth.Service).
type Revoker interface {
	RevokedUser(ctx context.Context, userID string)
	RevokedTenant(ctx context.Context, tenantID string)
	RevokedAPIKey(ctx context.Context, id string)
	CatalogueChanged(ctx context.Context, tenantID string)
}

// Blocker locks a login key until a time (the lockout counters).
type Blocker interface {
	Block(ctx context.Context, key string, until time.Time) error
}

// Limits of actions.
const (
	DefaultLockFor = time.Hour
	MaxLockFor     = 30 * 24 * time.Hour
	// AutoBlockFor is how long an automatic block_ip denies the address.
	AutoBlockFor = time.Hour
)

// Action is a remediation to take on an incident.
type Action struct {
	Name string
	// For is how long lock_account locks (default DefaultLockFor) and
	// block_ip denies (default: until an admin removes the entry).
	For time.Duration
	// Auto marks an action the rule's policy took, not an admin.
	Auto bool
}

// AutoActor is the timeline's actor of automatic actions.
const AutoActor = "monitor"

// Act takes a remediation action on what an incident is about: its user,
// API key, address or tenant. The action, naming the incident, is audited
// as incident_action and added to the timeline.
func (s *Service) Act(ctx context.Context, tenantID, id string, a Action, actor audit.Actor) (*store.Incident, error) {
	if !monitor.ValidAction(a.Name) {
		return nil, rampart.FieldError(rampart.EUnprocessable, "action", "must be one of %s", strings.Join(monitor.Actions(), ", "))
	}
	if a.For < 0 || a.For > MaxLockFor {
		return nil, rampart.FieldError(rampart.EUnprocessable, "duration_seconds", "at most %d", int(MaxLockFor.Seconds()))
	}
	if s.revoke == nil {
		return nil, rampart.Errorf(rampart.EUnavailable, "remediation is not configured")
	}
	in, err := s.Get(ctx, tenantID, id)
	if err != nil {
		return nil, err
	}
	userID, keyID := in.UserID, ""
	if k, ok := strings.CutPrefix(userID, "apikey:"); ok {
		userID, keyID = "", k
	}
	if strings.HasPrefix(userID, "ip:") {
		userID = ""
	}
	now := s.now().UTC()
	detail := ""
	var after func()
	switch a.Name {
	case monitor.ActionBlockIP:
		detail, err = s.blockIP(ctx, tenantID, in, a, actor)
		if err != nil {
			return nil, err
		}
		after = func() { s.revoke.CatalogueChanged(ctx, tenantID) }
	case monitor.ActionRevokeUserSessions, monitor.ActionLockAccount:
		if userID == "" {
			return nil, rampart.FieldError(rampart.EUnprocessable, "action", "the incident names no user")
		}
	case monitor.ActionRevokeAPIKey, monitor.ActionLowerAPIKey:
		if keyID == "" {
			return nil, rampart.FieldError(rampart.EUnprocessable, "action", "the incident names no API key")
		}
	}
	err = s.store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		in, err = tx.IncidentByID(ctx, id)
		if err != nil {
			return err
		}
		switch a.Name {
		case monitor.ActionRevokeUserSessions:
			ended, err := tx.EndUserSessions(ctx, userID, "", identity.EndRevoked, now)
			if err != nil {
				return err
			}
			// Access tokens already issued are refused too (auth reads the
			// epoch again once RevokedUser drops its cache).
			if err := tx.RaiseEpoch(ctx, userID, now); err != nil {
				return err
			}
			detail = "user " + userID + ": " + itoa(len(ended)) + " sessions ended"
			after = func() { s.revoke.RevokedUser(ctx, userID) }
		case monitor.ActionRevokeTenantSessions:
			n, err := tx.EndTenantSessions(ctx, identity.EndRevoked, now)
			if err != nil {
				return err
			}
			if err := tx.RaiseEpoch(ctx, "", now); err != nil {
				return err
			}
			detail = itoa(int(n)) + " sessions ended"
			after = func() { s.revoke.RevokedTenant(ctx, tenantID) }
		case monitor.ActionLockAccount:
			u, err := tx.UserByID(ctx, userID)
			if err != nil {
				return err
			}
			if s.block == nil {
				return rampart.Errorf(rampart.EUnavailable, "account locks are not configured")
			}
			lockFor := a.For
			if lockFor == 0 {
				lockFor = DefaultLockFor
			}
			if err := s.block.Block(ctx, (&identity.Lockout{}).Key(tenantID, u.Email), now.Add(lockFor)); err != nil {
				return err
			}
			detail = "user " + userID + " locked until " + now.Add(lockFor).Format(time.RFC3339)
		case monitor.ActionLowerAPIKey:
			k, err := tx.APIKey(ctx, keyID)
			if err != nil {
				return err
			}
			tier := lowerTier(k.RateLimitTier)
			ok, err := tx.SetAPIKeyTier(ctx, keyID, tier)
			if err != nil {
				return err
			}
			if !ok {
				return rampart.Errorf(rampart.ENotFound, "API key not found")
			}
			detail = "API key " + keyID + " lowered to the " + tier + " tier"
			after = func() { s.revoke.RevokedAPIKey(ctx, keyID) }
		case monitor.ActionRevokeAPIKey:
			ok, err := tx.RevokeAPIKey(ctx, keyID, now)
			if err != nil {
				return err
			}
			if !ok {
				return rampart.Errorf(rampart.ENotFound, "API key not found")
			}
			detail = "API key " + keyID + " revoked"
			after = func() { s.revoke.RevokedAPIKey(ctx, keyID) }
		}
		who := actor.UserID
		if a.Auto {
			who = AutoActor
		}
		in.Timeline = append(in.Timeline, store.TimelineEntry{At: now, Kind: "action", Actor: who, Action: a.Name, Detail: detail})
		if err := tx.UpdateIncident(ctx, in, now); err != nil {
			return err
		}
		d := incidentDetails(in)
		d["action"], d["result"], d["automatic"] = a.Name, detail, a.Auto
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.IncidentAction, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "incident:" + in.ID, Success: true, Details: d})
	})
	if err != nil {
		return nil, err
	}
	if after != nil {
		after() // after the commit, so that no replica re-reads the old state
	}
	return in, nil
}

// blockIP adds the incident's address to the tenant's deny list (a /32 or
// /128): for a.For when set (an entry of ip_deny_until, which the IP check
// honours at once and the hourly purge removes), else until an admin
// removes it. A longer block already there is kept.
func (s *Service) blockIP(ctx context.Context, tenantID string, in *store.Incident, a Action, actor audit.Actor) (string, error) {
	addr, err := netip.ParseAddr(in.IP)
	if err != nil {
		return "", rampart.FieldError(rampart.EUnprocessable, "action", "the incident names no address")
	}
	cidr := netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()).String()
	var until time.Time
	if a.For > 0 {
		until = s.now().UTC().Add(a.For).Truncate(time.Second)
	}
	_, err = s.store.ChangeTenant(ctx, tenantID, func(t *identity.Tenant) (*identity.TenantChange, error) {
		p := t.Policy
		old, temporary := p.IPDenyUntil[cidr]
		listed := slices.Contains(p.IPDeny, cidr)
		switch {
		case listed && !temporary: // permanent already
			return nil, nil
		case listed && !until.IsZero() && !old.Before(until):
			return nil, nil
		}
		if !listed {
			p.IPDeny = append(slices.Clone(p.IPDeny), cidr)
		}
		p.IPDenyUntil = maps.Clone(p.IPDenyUntil)
		if until.IsZero() {
			delete(p.IPDenyUntil, cidr)
		} else {
			if p.IPDenyUntil == nil {
				p.IPDenyUntil = map[string]time.Time{}
			}
			p.IPDenyUntil[cidr] = until
		}
		if err := p.Validate("settings"); err != nil {
			return nil, err
		}
		d := map[string]any{"ip_deny_added": cidr, "incident_id": in.ID}
		if !until.IsZero() {
			d["until"] = until.Format(time.RFC3339)
		}
		return &identity.TenantChange{Policy: &p, Event: &audit.Event{Type: audit.ConfigChange, UserID: actor.UserID, IP: actor.IP,
			UserAgent: actor.UserAgent, Resource: "tenant:" + tenantID, Success: true, Details: d}}, nil
	})
	if !until.IsZero() {
		return cidr + " denied until " + until.Format(time.RFC3339), err
	}
	return cidr + " denied", err
}

// lowerTier returns the rate-limit tier below tier (a key without a tier
// is limited at basic, the lowest).
func lowerTier(tier string) string {
	if r := identity.TierRank(tier); r > 1 {
		return identity.RateLimitTiers[r-2]
	}
	return identity.RateLimitTiers[0]
}

// ExpireBlocks removes the temporary deny entries whose time has passed
// from every tenant's settings (the hourly purge; the IP check already
// ignores them) and returns how many tenants changed.
func (s *Service) ExpireBlocks(ctx context.Context) (int, error) {
	now := s.now()
	n := 0
	err := s.store.EachTenant(ctx, func(t *identity.Tenant) error {
		if len(t.Policy.IPDenyUntil) == 0 {
			return nil
		}
		changed := false
		_, err := s.store.ChangeTenant(ctx, t.ID, func(t *identity.Tenant) (*identity.TenantChange, error) {
			p := t.Policy
			p.IPDeny, p.IPDenyUntil = slices.Clone(p.IPDeny), maps.Clone(p.IPDenyUntil)
			before := slices.Clone(p.IPDeny)
			if !p.ExpireIPDeny(now) {
				return nil, nil
			}
			changed = true
			expired := slices.DeleteFunc(before, func(x string) bool { return slices.Contains(p.IPDeny, x) })
			return &identity.TenantChange{Policy: &p, Event: &audit.Event{Type: audit.ConfigChange, Resource: "tenant:" + t.ID, Success: true,
				Details: map[string]any{"ip_deny_expired": expired}}}, nil
		})
		if err != nil {
			return err
		}
		if changed {
			n++
			if s.revoke != nil {
				s.revoke.CatalogueChanged(ctx, t.ID)
			}
		}
		return nil
	})
	return n, err
}

func itoa(n int) string { return strconv.Itoa(n) }
