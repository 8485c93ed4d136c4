// Package incident is security monitoring at work: it follows every
// tenant's audit stream with the monitor rules, records what they find as
// incidents (in the transaction that advances its feed position, so each
// event is judged once across replicas and restarts), raises alerts through
// the outbox, and answers the incidents API. It knows nothing of HTTP.
package incident

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/courier"
	"github.com/rampart-dev/rampart/monitor"
	"github.com/rampart-dev/rampart/store"
)

// Consumer is the feed position of the monitoring rules.
const Consumer = "monitor"

// NoticeInterval is the least time between two notifications of one dedup
// key on one channel.
const NoticeInterval = 5 * time.Minute

// Mailer queues e-mail in a transaction (delivery.Service).
type Mailer interface {
	QueueMail(ctx context.Context, tx *store.Tx, to, kind string, data map[string]any, brand courier.Brand, key string) error
}

// OperatorQueue queues a message for the deployment's operator webhook in
// a transaction (delivery.Service).
type OperatorQueue interface {
	QueueOperator(ctx context.Context, tx *store.Tx, eventType string, data map[string]any, key string) error
}

// Service runs the rules and answers the incidents API. Build it with New.
type Service struct {
	store  *store.Store
	engine *monitor.Engine
	mail   Mailer
	oper   OperatorQueue
	revoke Revoker
	block  Blocker
	log    *slog.Logger
	now    func() time.Time
	// pending is the automatic remediation of the batch in hand.
	pending pending
}

// Deps are what New needs.
type Deps struct {
	Store  *store.Store
	Engine *monitor.Engine
	// Mail, when set, sends alerts to the tenants' security contacts.
	Mail Mailer
	// Operator, when set, tells the deployment's operator webhook of the
	// incidents of every tenant.
	Operator OperatorQueue
	// Revoke and Block, when set, let remediation end sessions, revoke
	// keys and lock accounts on every replica.
	Revoke Revoker
	Block  Blocker
	Logger *slog.Logger
	Now    func() time.Time
}

// New returns the service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Logger == nil {
		d.Logger = slog.New(slog.DiscardHandler)
	}
	return &Service{store: d.Store, engine: d.Engine, mail: d.Mail, oper: d.Operator, revoke: d.Revoke, block: d.Block, log: d.Logger, now: d.Now}
}

// Handle is the feed handler: it runs one tenant's batch of events through
// the rules under the tenant's policy and records the detections in tx.
func (s *Service) Handle(ctx context.Context, tx *store.Tx, events []*audit.Event) error {
	tenant, err := tx.Tenant(ctx, tx.TenantID())
	if err != nil {
		return err
	}
	policy := tenant.Policy.Monitoring
	evs := make([]monitor.Event, 0, len(events))
	for _, e := range events {
		evs = append(evs, fromAudit(e))
	}
	s.pending.reset(tenant.ID) // a batch that rolled back comes again whole
	found, err := s.engine.Process(ctx, tenant.ID, evs, policy)
	if err != nil {
		return err
	}
	now := s.now()
	for _, d := range found {
		in, opened, err := tx.RecordIncident(ctx, store.IncidentHit{Rule: d.Rule, Severity: string(d.Severity), DedupKey: d.DedupKey,
			Summary: d.Summary, UserID: d.UserID, IP: d.IP, First: d.First, Last: d.Last, Count: int64(d.Count), EventIDs: d.EventIDs}, now)
		if err != nil {
			return fmt.Errorf("record incident: %w", err)
		}
		if !opened {
			continue
		}
		if err := tx.AppendAudit(ctx, &audit.Event{Type: audit.IncidentOpened, Resource: "incident:" + in.ID, Success: true,
			Details: incidentDetails(in)}); err != nil {
			return err
		}
		if err := s.alert(ctx, tx, tenant.Name, policy, in); err != nil {
			return err
		}
		if err := s.alertOperator(ctx, tx, tenant.Name, in); err != nil {
			return err
		}
		if len(d.Remediate) > 0 && s.revoke != nil {
			s.pending.add(tenant.ID, remediation{incidentID: in.ID, actions: d.Remediate})
		}
	}
	return nil
}

// incidentDetails is what audit events (and so webhooks) say of an
// incident.
func incidentDetails(in *store.Incident) map[string]any {
	return map[string]any{"incident_id": in.ID, "rule": in.Rule, "severity": in.Severity, "status": in.Status,
		"dedup_key": in.DedupKey, "summary": in.Summary, "event_count": in.EventCount, "subject_user": in.UserID, "subject_ip": in.IP}
}

// alert e-mails the tenant's security contacts, at most once per dedup key
// per NoticeInterval. Webhooks hear of the incident through the audit event
// (the webhook fan-out).
func (s *Service) alert(ctx context.Context, tx *store.Tx, brand string, p *monitor.Policy, in *store.Incident) error {
	if s.mail == nil || p == nil || len(p.SecurityContacts) == 0 || !p.Notifies(monitor.Severity(in.Severity)) {
		return nil
	}
	ok, err := tx.TakeNotice(ctx, in.DedupKey, "email", NoticeInterval, s.now())
	if err != nil || !ok {
		return err
	}
	data := map[string]any{"title": in.Summary, "severity": in.Severity, "time": in.FirstSeen,
		"description": fmt.Sprintf("Rule %s opened incident %s after %d events. Review it with GET /v1/incidents/%s.", in.Rule, in.ID, in.EventCount, in.ID)}
	for i, to := range p.SecurityContacts {
		if err := s.mail.QueueMail(ctx, tx, to, courier.KindSecurityAlert, data, courier.Brand{Name: brand}, fmt.Sprintf("incident_%s_%d", in.ID, i)); err != nil {
			return err
		}
	}
	return tx.AppendTimeline(ctx, in.ID, store.TimelineEntry{At: s.now().UTC(), Kind: "notified", Detail: fmt.Sprintf("e-mail to %d security contacts", len(p.SecurityContacts))})
}

// alertOperator queues incident.opened for the operator webhook, at most
// once per dedup key per NoticeInterval.
func (s *Service) alertOperator(ctx context.Context, tx *store.Tx, tenantName string, in *store.Incident) error {
	if s.oper == nil {
		return nil
	}
	ok, err := tx.TakeNotice(ctx, in.DedupKey, "operator", NoticeInterval, in.CreatedAt)
	if err != nil || !ok {
		return err
	}
	d := incidentDetails(in)
	d["tenant_name"] = tenantName
	return s.oper.QueueOperator(ctx, tx, "incident.opened", d, "incident_"+in.ID)
}

// fromAudit reduces an audit event to what rules read.
func fromAudit(e *audit.Event) monitor.Event {
	m := monitor.Event{ID: e.ID, Seq: e.Seq, Type: string(e.Type), UserID: e.UserID, IP: e.IP, Resource: e.Resource, Success: e.Success, Time: e.CreatedAt}
	if len(e.Details) > 0 {
		m.Details = make(map[string]string, len(e.Details))
		for k, v := range e.Details {
			switch x := v.(type) {
			case string:
				m.Details[k] = x
			case bool, float64, int, int64, fmt.Stringer:
				m.Details[k] = strings.TrimSpace(fmt.Sprint(x))
			}
		}
	}
	return m
}
