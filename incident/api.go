package incident

import (
	"context"
	"slices"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/monitor"
	"github.com/rampart-dev/rampart/store"
)

// Limits of the API.
const (
	DefaultPage  = 100
	MaxNoteBytes = 2000
)

// List returns a tenant's incidents, newest first. status and severity,
// when not empty, must name one.
func (s *Service) List(ctx context.Context, tenantID string, f store.IncidentFilter) ([]*store.Incident, error) {
	if f.Status != "" && !slices.Contains([]string{store.IncidentOpen, store.IncidentAcknowledged, store.IncidentResolved}, f.Status) {
		return nil, rampart.FieldError(rampart.EUnprocessable, "status", "must be open, acknowledged or resolved")
	}
	if f.Severity != "" && !monitor.ValidSeverity(f.Severity) {
		return nil, rampart.FieldError(rampart.EUnprocessable, "severity", "must be info, low, medium, high or critical")
	}
	var out []*store.Incident
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		out, err = tx.Incidents(ctx, f)
		return err
	})
	return out, err
}

// Get returns one incident.
func (s *Service) Get(ctx context.Context, tenantID, id string) (*store.Incident, error) {
	var out *store.Incident
	err := s.store.ReadTenant(ctx, tenantID, func(tx *store.Tx) (err error) {
		out, err = tx.IncidentByID(ctx, id)
		return err
	})
	return out, err
}

// Change is an admin's change of an incident: a new status (acknowledged
// or resolved), a note, or both.
type Change struct {
	Status string
	Note   string
}

// Update applies c to an incident, adds it to the timeline and audits it
// as incident_updated, in one transaction. A resolved incident stays
// resolved (409): a new detection opens a new one.
func (s *Service) Update(ctx context.Context, tenantID, id string, c Change, actor audit.Actor) (*store.Incident, error) {
	if c.Status != "" && c.Status != store.IncidentAcknowledged && c.Status != store.IncidentResolved {
		return nil, rampart.FieldError(rampart.EUnprocessable, "status", "must be acknowledged or resolved")
	}
	if c.Status == "" && c.Note == "" {
		return nil, rampart.FieldError(rampart.EUnprocessable, "status", "give a status, a note or both")
	}
	if len(c.Note) > MaxNoteBytes {
		return nil, rampart.FieldError(rampart.EUnprocessable, "note", "at most %d bytes", MaxNoteBytes)
	}
	var out *store.Incident
	err := s.store.InTenant(ctx, tenantID, func(tx *store.Tx) error {
		in, err := tx.IncidentByID(ctx, id)
		if err != nil {
			return err
		}
		if in.Status == store.IncidentResolved && c.Status != "" {
			return rampart.FieldError(rampart.EConflict, "status", "the incident is resolved")
		}
		if c.Status == store.IncidentAcknowledged && in.Status == store.IncidentAcknowledged {
			c.Status = "" // nothing to change but the note
			if c.Note == "" {
				out = in
				return nil
			}
		}
		now := s.now().UTC()
		from := in.Status
		kind := "note"
		if c.Status != "" {
			in.Status, kind = c.Status, "status"
		}
		in.Timeline = append(in.Timeline, store.TimelineEntry{At: now, Kind: kind, Actor: actor.UserID, Status: c.Status, Note: c.Note})
		if err := tx.UpdateIncident(ctx, in, now); err != nil {
			return err
		}
		d := incidentDetails(in)
		d["from_status"] = from
		if c.Note != "" {
			d["note"] = c.Note
		}
		out = in
		return tx.AppendAudit(ctx, &audit.Event{Type: audit.IncidentUpdated, UserID: actor.UserID, IP: actor.IP, UserAgent: actor.UserAgent,
			Resource: "incident:" + in.ID, Success: true, Details: d})
	})
	return out, err
}
