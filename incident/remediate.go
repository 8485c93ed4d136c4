package incident

import (
	"context"
	"sync"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/monitor"
	"github.com/rampart-dev/rampart/store"
)

// remediation is the automatic actions owed to one opened incident.
type remediation struct {
	incidentID string
	actions    []string
}

// pending holds, per tenant, the automatic actions of the batch being
// handled. Handle fills it inside the feed transaction; Committed runs it
// once that transaction has committed, so that an action never acts on an
// incident that was rolled back, and never twice for one batch.
type pending struct {
	mu sync.Mutex
	m  map[string][]remediation
}

func (p *pending) reset(tenantID string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, tenantID)
}

func (p *pending) add(tenantID string, r remediation) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.m == nil {
		p.m = map[string][]remediation{}
	}
	p.m[tenantID] = append(p.m[tenantID], r)
}

func (p *pending) take(tenantID string) []remediation {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.m[tenantID]
	delete(p.m, tenantID)
	return out
}

// Committed runs the automatic remediation of the incidents a committed
// batch of tenantID opened (feed.Follower.Committed): each action of the
// rule (or of the tenant's monitoring.rules.<rule>.remediate), audited as
// incident_action naming the incident, with block_ip for AutoBlockFor. An
// action that cannot apply (the incident names no user, say) is logged and
// noted on the timeline; the others still run. A replica that dies between
// the commit and here loses the actions (the incident stays open for an
// admin), which is preferred over acting twice.
func (s *Service) Committed(ctx context.Context, tenantID string) {
	ctx = context.WithoutCancel(ctx) // the incident is already recorded
	for _, r := range s.pending.take(tenantID) {
		for _, name := range r.actions {
			a := Action{Name: name, Auto: true}
			if a.Name == monitor.ActionBlockIP {
				a.For = AutoBlockFor
			}
			if _, err := s.Act(ctx, tenantID, r.incidentID, a, audit.Actor{}); err != nil {
				s.log.Warn("automatic remediation", "tenant_id", tenantID, "incident_id", r.incidentID, "action", name, "err", err.Error())
				s.store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
					return tx.AppendTimeline(ctx, r.incidentID, store.TimelineEntry{At: s.now().UTC(), Kind: "action_failed", Actor: AutoActor,
						Action: name, Detail: err.Error()})
				})
			}
		}
	}
}
