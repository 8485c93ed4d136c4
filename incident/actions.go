package incident

import (
	"context"
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
)

// Action is a remediation to take on an incident.
type Action struct {
	Name string
	// For is how long lock_account locks (default DefaultLockFor).
	For time.Duration
}

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
	if a.For == 0 {
		a.For = DefaultLockFor
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
		detail, err = s.blockIP(ctx, tenantID, in, actor)
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
			if err := s.block.Block(ctx, (&identity.Lockout{}).Key(tenantID, u.Email), now.Add(a.For)); err != nil {
				return err
			}
			detail = "user " + userID + " locked until " + now.Add(a.For).Format(time.RFC3339)
		case monitor.ActionRevokeAPIKey, monitor.ActionLowerAPIKey:
			// Lowering a key's tier is not offered yet: both revoke it.
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
		in.Timeline = append(in.Timeline, store.TimelineEntry{At: now, Kind: "action", Actor: actor.UserID, Action: a.Name, Detail: detail})
		if err := tx.UpdateIncident(ctx, in, now); err != nil {
			return err
		}
		d := incidentDetails(in)
		d["action"], d["result"] = a.Name, detail
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
// /128; it stays until an admin removes it).
func (s *Service) blockIP(ctx context.Context, tenantID string, in *store.Incident, actor audit.Actor) (string, error) {
	addr, err := netip.ParseAddr(in.IP)
	if err != nil {
		return "", rampart.FieldError(rampart.EUnprocessable, "action", "the incident names no address")
	}
	cidr := netip.PrefixFrom(addr.Unmap(), addr.Unmap().BitLen()).String()
	_, err = s.store.ChangeTenant(ctx, tenantID, func(t *identity.Tenant) (*identity.TenantChange, error) {
		if slices.Contains(t.Policy.IPDeny, cidr) {
			return nil, nil
		}
		p := t.Policy
		p.IPDeny = append(slices.Clone(p.IPDeny), cidr)
		if err := p.Validate("settings"); err != nil {
			return nil, err
		}
		return &identity.TenantChange{Policy: &p, Event: &audit.Event{Type: audit.ConfigChange, UserID: actor.UserID, IP: actor.IP,
			UserAgent: actor.UserAgent, Resource: "tenant:" + tenantID, Success: true,
			Details: map[string]any{"ip_deny_added": cidr, "incident_id": in.ID}}}, nil
	})
	return cidr + " denied", err
}

func itoa(n int) string { return strconv.Itoa(n) }
