package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
)

// Incident is a security incident the monitoring rules opened.
type Incident struct {
	ID         string          `json:"id"`
	Rule       string          `json:"rule"`
	Severity   string          `json:"severity"`
	Status     string          `json:"status"` // open | acknowledged | resolved
	DedupKey   string          `json:"dedup_key"`
	Summary    string          `json:"summary"`
	UserID     string          `json:"user_id,omitempty"` // the user or API key it is about
	IP         string          `json:"ip_address,omitempty"`
	FirstSeen  time.Time       `json:"first_seen"`
	LastSeen   time.Time       `json:"last_seen"`
	EventCount int64           `json:"event_count"`
	EventIDs   []string        `json:"event_ids"`
	Timeline   []TimelineEntry `json:"timeline"`
	CreatedAt  time.Time       `json:"created_at"`
	UpdatedAt  time.Time       `json:"updated_at"`
}

// TimelineEntry is one change of an incident.
type TimelineEntry struct {
	At     time.Time `json:"at"`
	Kind   string    `json:"kind"` // opened | status | note | action | notified
	Actor  string    `json:"actor,omitempty"`
	Status string    `json:"status,omitempty"`
	Note   string    `json:"note,omitempty"`
	Action string    `json:"action,omitempty"`
	Detail string    `json:"detail,omitempty"`
}

// Incident statuses.
const (
	IncidentOpen         = "open"
	IncidentAcknowledged = "acknowledged"
	IncidentResolved     = "resolved"
)

// Bounds of what an incident keeps.
const (
	MaxIncidentEvents   = 50
	MaxIncidentTimeline = 200
	MaxIncidentsPage    = 500
)

// IncidentHit is a detection to record: it joins the incident of its dedup
// key that is not resolved, or opens one.
type IncidentHit struct {
	Rule, Severity, DedupKey, Summary, UserID, IP string
	First, Last                                   time.Time
	Count                                         int64
	EventIDs                                      []string
}

const incidentColumns = "id, rule, severity, status, dedup_key, summary, subject_user, subject_ip, first_seen, last_seen, event_count, event_ids, timeline, created_at, updated_at"

func scanIncident(row interface{ Scan(...any) error }) (*Incident, error) {
	var in Incident
	var ids, timeline string
	if err := row.Scan(&in.ID, &in.Rule, &in.Severity, &in.Status, &in.DedupKey, &in.Summary, &in.UserID, &in.IP,
		scanTime{&in.FirstSeen}, scanTime{&in.LastSeen}, &in.EventCount, &ids, &timeline, scanTime{&in.CreatedAt}, scanTime{&in.UpdatedAt}); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(ids), &in.EventIDs); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(timeline), &in.Timeline); err != nil {
		return nil, err
	}
	return &in, nil
}

// RecordIncident adds h to the scoped tenant's live incident of its dedup
// key, or opens one, and reports which (opened true for a new incident).
func (tx *Tx) RecordIncident(ctx context.Context, h IncidentHit, now time.Time) (*Incident, bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, false, err
	}
	now = now.UTC().Truncate(time.Microsecond)
	in, err := scanIncident(tx.queryRow(ctx, "SELECT "+incidentColumns+" FROM incidents WHERE tenant_id = ? AND dedup_key = ? AND status <> ?",
		tenantID, h.DedupKey, IncidentResolved))
	switch {
	case errors.Is(err, sql.ErrNoRows):
		id, err := uuid.NewV7()
		if err != nil {
			return nil, false, err
		}
		in = &Incident{ID: id.String(), Rule: h.Rule, Severity: h.Severity, Status: IncidentOpen, DedupKey: h.DedupKey, Summary: h.Summary,
			UserID: h.UserID, IP: h.IP, FirstSeen: h.First, LastSeen: h.Last, EventCount: h.Count, EventIDs: capIDs(nil, h.EventIDs),
			Timeline: []TimelineEntry{{At: now, Kind: "opened", Status: IncidentOpen}}, CreatedAt: now, UpdatedAt: now}
		ids, _ := json.Marshal(in.EventIDs)
		timeline, _ := json.Marshal(in.Timeline)
		_, err = tx.exec(ctx, "INSERT INTO incidents (tenant_id, "+incidentColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			tenantID, in.ID, in.Rule, in.Severity, in.Status, in.DedupKey, in.Summary, in.UserID, in.IP,
			tx.d.timeArg(in.FirstSeen), tx.d.timeArg(in.LastSeen), in.EventCount, string(ids), string(timeline), tx.d.timeArg(now), tx.d.timeArg(now))
		return in, true, err
	case err != nil:
		return nil, false, err
	}
	in.EventCount += h.Count
	if h.Last.After(in.LastSeen) {
		in.LastSeen = h.Last
	}
	in.EventIDs = capIDs(in.EventIDs, h.EventIDs)
	in.UpdatedAt = now
	ids, _ := json.Marshal(in.EventIDs)
	_, err = tx.exec(ctx, "UPDATE incidents SET last_seen = ?, event_count = ?, event_ids = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
		tx.d.timeArg(in.LastSeen), in.EventCount, string(ids), tx.d.timeArg(now), tenantID, in.ID)
	return in, false, err
}

// capIDs appends ids to have, keeping at most MaxIncidentEvents: the first
// events of an incident are the ones that explain it.
func capIDs(have, ids []string) []string {
	if have == nil {
		have = []string{}
	}
	for _, id := range ids {
		if len(have) >= MaxIncidentEvents {
			break
		}
		have = append(have, id)
	}
	return have
}

// IncidentFilter selects incidents for listing, newest first.
type IncidentFilter struct {
	Status   string // empty: any
	Severity string // empty: any
	Before   string // an incident id: those opened before it
	Limit    int
}

// Incidents lists the scoped tenant's incidents, newest first.
func (tx *Tx) Incidents(ctx context.Context, f IncidentFilter) ([]*Incident, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	q := "SELECT " + incidentColumns + " FROM incidents WHERE tenant_id = ?"
	args := []any{tenantID}
	if f.Status != "" {
		q += " AND status = ?"
		args = append(args, f.Status)
	}
	if f.Severity != "" {
		q += " AND severity = ?"
		args = append(args, f.Severity)
	}
	if f.Before != "" {
		if _, err := uuid.Parse(f.Before); err != nil {
			return nil, rampart.FieldError(rampart.EUnprocessable, "cursor", "not a cursor")
		}
		q += " AND id < ?"
		args = append(args, f.Before)
	}
	if f.Limit <= 0 || f.Limit > MaxIncidentsPage {
		f.Limit = MaxIncidentsPage
	}
	q += " ORDER BY id DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []*Incident{}
	for rows.Next() {
		in, err := scanIncident(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, in)
	}
	return out, rows.Err()
}

var errIncidentNotFound = rampart.Errorf(rampart.ENotFound, "incident not found")

// IncidentByID returns one incident of the scoped tenant.
func (tx *Tx) IncidentByID(ctx context.Context, id string) (*Incident, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	if _, err := uuid.Parse(id); err != nil {
		return nil, errIncidentNotFound
	}
	q := "SELECT " + incidentColumns + " FROM incidents WHERE tenant_id = ? AND id = ?"
	if tx.d.name == "postgres" && !tx.readOnly {
		// Read to change: a concurrent change (an admin's status, an
		// automatic action) waits, so neither overwrites the other.
		q += " FOR UPDATE"
	}
	in, err := scanIncident(tx.queryRow(ctx, q, tenantID, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errIncidentNotFound
	}
	return in, err
}

// UpdateIncident stores in's status and timeline (the timeline keeps its
// first entry and the latest ones, MaxIncidentTimeline in all).
func (tx *Tx) UpdateIncident(ctx context.Context, in *Incident, now time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if n := len(in.Timeline); n > MaxIncidentTimeline {
		in.Timeline = append(in.Timeline[:1], in.Timeline[n-MaxIncidentTimeline+1:]...)
	}
	in.UpdatedAt = now.UTC().Truncate(time.Microsecond)
	timeline, err := json.Marshal(in.Timeline)
	if err != nil {
		return err
	}
	res, err := tx.exec(ctx, "UPDATE incidents SET status = ?, timeline = ?, updated_at = ? WHERE tenant_id = ? AND id = ?",
		in.Status, string(timeline), tx.d.timeArg(in.UpdatedAt), tenantID, in.ID)
	if err != nil {
		if isUniqueViolation(err) {
			return rampart.Errorf(rampart.EConflict, "another incident of the same key is open")
		}
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return errIncidentNotFound
	}
	return nil
}

// TakeNotice reports whether channel may be told of dedupKey now, that is
// whether it was not told within every, and if so records it.
func (tx *Tx) TakeNotice(ctx context.Context, dedupKey, channel string, every time.Duration, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	var last time.Time
	err = tx.queryRow(ctx, "SELECT last_at FROM incident_notices WHERE tenant_id = ? AND dedup_key = ? AND channel = ?",
		tenantID, dedupKey, channel).Scan(scanTime{&last})
	switch {
	case errors.Is(err, sql.ErrNoRows):
		_, err = tx.exec(ctx, "INSERT INTO incident_notices (tenant_id, dedup_key, channel, last_at) VALUES (?, ?, ?, ?)",
			tenantID, dedupKey, channel, tx.d.timeArg(now))
		return err == nil, err
	case err != nil:
		return false, err
	case now.Sub(last) < every:
		return false, nil
	}
	_, err = tx.exec(ctx, "UPDATE incident_notices SET last_at = ? WHERE tenant_id = ? AND dedup_key = ? AND channel = ?",
		tx.d.timeArg(now), tenantID, dedupKey, channel)
	return err == nil, err
}

// AppendTimeline adds one entry to an incident's timeline.
func (tx *Tx) AppendTimeline(ctx context.Context, id string, e TimelineEntry) error {
	in, err := tx.IncidentByID(ctx, id)
	if err != nil {
		return err
	}
	in.Timeline = append(in.Timeline, e)
	return tx.UpdateIncident(ctx, in, e.At)
}
