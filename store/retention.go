package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
)

// RetentionPolicy is one of a tenant's retention policies: rows of Category
// older than Days get Action. Platform policies name the platform's own data
// and are announced to its systems (Systems; empty: all) instead of applied.
type RetentionPolicy struct {
	Category    string
	Days        int
	Action      string
	Platform    bool
	Systems     []string
	AnnouncedAt time.Time
	UpdatedBy   string
	UpdatedAt   time.Time
}

// Rampart's own retention categories: the rows each one reaches.
const (
	RetainSessions        = "sessions"         // ended or expired sessions, by last activity
	RetainAuditDetails    = "audit_details"    // address, user agent and details of audit events
	RetainUsageLogs       = "usage_logs"       // the AI gateway's usage records
	RetainConsentRecords  = "consent_records"  // consent records
	RetainGuardrailEvents = "guardrail_events" // the audit events of guardrails (blocked, flagged, crisis)
)

// Retention actions.
const (
	RetainDelete    = "delete"
	RetainAnonymise = "anonymise"
	RetainArchive   = "archive_then_delete"
)

// RetentionResource marks the audit event a retention run appends before
// it makes tombstones: its details carry the category and the through_seq
// it may blank events up to. Verification accepts a tombstone only below
// such a record.
const RetentionResource = "privacy.retention"

// GuardEventTypes are the audit events of category guardrail_events.
var GuardEventTypes = []audit.Type{audit.GuardBlocked, audit.GuardFlagged, audit.CrisisDetected}

// retentionTarget is how a category's rows are found and changed. Rows are
// walked in key order, so a run resumes from a cursor and never rescans rows
// it kept or changed (nor the dead ones its deletions leave in an index).
type retentionTarget struct {
	table string
	// keys orders the walk: a time and the row id, or the audit sequence.
	keys    []string
	timeCol string // compared with the cutoff
	// where narrows the rows the category reaches; "" is all.
	where string
	// deleteWhere narrows what delete may remove further ("" is all that
	// where reaches).
	deleteWhere string
	blank       string // anonymise: the SET clause
	notBlank    string // anonymise: rows not yet blanked
}

var retentionTargets = map[string]retentionTarget{
	RetainSessions: {table: "sessions", keys: []string{"last_activity", "id"}, timeCol: "last_activity",
		where: "(active = false OR expires_at < ?)",
		blank: "ip_address = '', user_agent = '', fingerprint = '', device_id = ''", notBlank: "(ip_address <> '' OR user_agent <> '' OR fingerprint <> '' OR device_id <> '')"},
	RetainUsageLogs: {table: "ai_usage", keys: []string{"created_at", "id"}, timeCol: "created_at",
		blank: "user_id = ''", notBlank: "user_id <> ''"},
	// A consent record still in force is the proof of the consent: delete
	// removes only records a later one of the same subject and purpose
	// superseded.
	RetainConsentRecords: {table: "consents", keys: []string{"created_at", "id"}, timeCol: "created_at",
		deleteWhere: "EXISTS (SELECT 1 FROM consents n WHERE n.tenant_id = consents.tenant_id AND n.subject_index = consents.subject_index AND n.purpose = consents.purpose AND (n.created_at > consents.created_at OR (n.created_at = consents.created_at AND n.id > consents.id)))",
		blank:       "address = '', user_agent = ''", notBlank: "(address <> '' OR user_agent <> '')"},
	RetainAuditDetails: {table: "audit_events", keys: []string{"seq"}, timeCol: "created_at",
		where: "redacted = false AND seq <= ?"},
	RetainGuardrailEvents: {table: "audit_events", keys: []string{"seq"}, timeCol: "created_at",
		where: "redacted = false AND seq <= ? AND event_type IN ('" + string(audit.GuardBlocked) + "', '" + string(audit.GuardFlagged) + "', '" + string(audit.CrisisDetected) + "')"},
}

// RetentionActions are the actions each of Rampart's categories admits.
// Audit events only become tombstones (anonymise): deleting one would break
// the hash chain.
var RetentionActions = map[string][]string{
	RetainSessions:        {RetainDelete, RetainAnonymise, RetainArchive},
	RetainUsageLogs:       {RetainDelete, RetainAnonymise, RetainArchive},
	RetainConsentRecords:  {RetainDelete, RetainAnonymise, RetainArchive},
	RetainAuditDetails:    {RetainAnonymise},
	RetainGuardrailEvents: {RetainAnonymise},
}

const retentionColumns = "category, days, action, platform, systems, announced_at, updated_by, updated_at"

// RetentionPolicies returns the scoped tenant's stored policies by
// category; none means the tenant follows its defaults.
func (tx *Tx) RetentionPolicies(ctx context.Context) ([]*RetentionPolicy, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT "+retentionColumns+" FROM retention_policies WHERE tenant_id = ? ORDER BY category", tenantID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*RetentionPolicy
	for rows.Next() {
		var p RetentionPolicy
		var systems string
		if err := rows.Scan(&p.Category, &p.Days, &p.Action, &p.Platform, scanText{&systems}, scanNullTime{&p.AnnouncedAt}, &p.UpdatedBy, scanTime{&p.UpdatedAt}); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(systems), &p.Systems); err != nil {
			return nil, fmt.Errorf("retention policy %s: systems: %w", p.Category, err)
		}
		out = append(out, &p)
	}
	return out, rows.Err()
}

// ReplaceRetentionPolicies makes ps the scoped tenant's policies. A policy
// keeps the time of its last announcement when it stays.
func (tx *Tx) ReplaceRetentionPolicies(ctx context.Context, ps []*RetentionPolicy) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	old, err := tx.RetentionPolicies(ctx)
	if err != nil {
		return err
	}
	announced := map[string]time.Time{}
	for _, p := range old {
		announced[p.Category] = p.AnnouncedAt
	}
	if _, err := tx.exec(ctx, "DELETE FROM retention_policies WHERE tenant_id = ?", tenantID); err != nil {
		return err
	}
	for _, p := range ps {
		systems := p.Systems
		if systems == nil {
			systems = []string{}
		}
		b, err := json.Marshal(systems)
		if err != nil {
			return err
		}
		if p.AnnouncedAt.IsZero() {
			p.AnnouncedAt = announced[p.Category]
		}
		if _, err := tx.exec(ctx, "INSERT INTO retention_policies (tenant_id, "+retentionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			tenantID, p.Category, p.Days, p.Action, p.Platform, string(b), tx.d.nullTimeArg(p.AnnouncedAt), p.UpdatedBy, tx.d.timeArg(p.UpdatedAt)); err != nil {
			return err
		}
	}
	return nil
}

// MarkRetentionAnnounced records that a platform category was announced.
func (tx *Tx) MarkRetentionAnnounced(ctx context.Context, category string, at time.Time) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "UPDATE retention_policies SET announced_at = ? WHERE tenant_id = ? AND category = ?", tx.d.timeArg(at), tenantID, category)
	return err
}

// RetentionTx runs fn in a read-write transaction scoped to tenantID, for
// one retention batch. On PostgreSQL the statement that scopes it also
// bounds it (SET LOCAL semantics: the bounds end with it): every statement
// may wait for a lock and run at most limit (lock_timeout,
// statement_timeout); the server ends the session if the transaction sits
// idle, between statements, longer than idle
// (idle_in_transaction_session_timeout), so a stalled client cannot hold
// the batch's row locks either; and it commits without waiting for its WAL
// flush (retention work is idempotent: a batch lost in a crash is done
// again). SQLite has one writer and no row locks; its busy timeout applies.
func (s *Store) RetentionTx(ctx context.Context, tenantID string, limit, idle time.Duration, fn func(*Tx) error) error {
	if s.d.name != "postgres" {
		return s.InTenant(ctx, tenantID, fn)
	}
	if tenantID == "" {
		return errNoTenant
	}
	sqlTx, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	q := "SELECT set_config('rampart.tenant_id', $1, true), set_config('rampart.operator', 'off', true), set_config('lock_timeout', $2, true), " +
		"set_config('statement_timeout', $2, true), set_config('idle_in_transaction_session_timeout', $3, true), set_config('synchronous_commit', 'off', true)"
	if s.d.setRole {
		q += ", set_config('role', '" + appRole + "', true)"
	}
	ms := func(d time.Duration) string { return strconv.FormatInt(max(d.Milliseconds(), 1), 10) }
	if _, err := sqlTx.ExecContext(ctx, q, tenantID, ms(limit), ms(idle)); err != nil {
		sqlTx.Rollback()
		return fmt.Errorf("scope transaction: %w", err)
	}
	if err := fn(&Tx{tx: sqlTx, d: s.d, tenantID: tenantID, fields: s.fields}); err != nil {
		sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	return nil
}

// RetentionScope is one batch's selection.
type RetentionScope struct {
	Category string
	Action   string
	Cutoff   time.Time // rows older than this
	Now      time.Time // sessions: expired before this
	// ThroughSeq bounds audit categories: the through_seq of the
	// retention record appended before the run.
	ThroughSeq int64
	// After is the cursor: the last key a previous batch reached ("" is
	// the start). Through, when set, is the last key to reach.
	After, Through string
}

func (tx *Tx) retentionTarget(category string) (retentionTarget, error) {
	t, ok := retentionTargets[category]
	if !ok {
		return t, rampart.Errorf(rampart.EInvalid, "no retention category %q", category)
	}
	return t, nil
}

// selection returns the WHERE clause (after tenant_id) and its arguments.
func (tx *Tx) selection(t retentionTarget, sc RetentionScope, withCursor bool) (string, []any, error) {
	q := " AND " + t.timeCol + " < ?"
	args := []any{tx.d.timeArg(sc.Cutoff)}
	if t.where != "" {
		q += " AND " + t.where
		if t.table == "sessions" {
			args = append(args, tx.d.timeArg(sc.Now))
		} else {
			args = append(args, sc.ThroughSeq)
		}
	}
	switch sc.Action {
	case RetainAnonymise:
		if t.notBlank != "" {
			q += " AND " + t.notBlank
		}
	case RetainDelete, RetainArchive:
		if t.deleteWhere != "" {
			q += " AND " + t.deleteWhere
		}
	default:
		return "", nil, rampart.Errorf(rampart.EInvalid, "no retention action %q", sc.Action)
	}
	if withCursor && sc.After != "" {
		vals, err := tx.cursorArgs(t, sc.After)
		if err != nil {
			return "", nil, err
		}
		q += " AND (" + strings.Join(t.keys, ", ") + ") > (" + strings.TrimSuffix(strings.Repeat("?, ", len(t.keys)), ", ") + ")"
		args = append(args, vals...)
	}
	if withCursor && sc.Through != "" {
		vals, err := tx.cursorArgs(t, sc.Through)
		if err != nil {
			return "", nil, err
		}
		q += " AND (" + strings.Join(t.keys, ", ") + ") <= (" + strings.TrimSuffix(strings.Repeat("?, ", len(t.keys)), ", ") + ")"
		args = append(args, vals...)
	}
	return q, args, nil
}

// cursorArgs parses a cursor: "seq", or "time|id".
func (tx *Tx) cursorArgs(t retentionTarget, cursor string) ([]any, error) {
	if len(t.keys) == 1 {
		n, err := strconv.ParseInt(cursor, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("retention cursor %q: %w", cursor, err)
		}
		return []any{n}, nil
	}
	at, id, ok := strings.Cut(cursor, "|")
	ts, err := time.Parse(time.RFC3339Nano, at)
	if !ok || err != nil {
		return nil, fmt.Errorf("retention cursor %q is not time|id", cursor)
	}
	return []any{tx.d.timeArg(ts), id}, nil
}

// CountRetention counts the rows a policy would reach now (the dry run).
func (tx *Tx) CountRetention(ctx context.Context, sc RetentionScope) (int64, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, err
	}
	t, err := tx.retentionTarget(sc.Category)
	if err != nil {
		return 0, err
	}
	where, args, err := tx.selection(t, sc, false)
	if err != nil {
		return 0, err
	}
	var n int64
	err = tx.queryRow(ctx, "SELECT count(*) FROM "+t.table+" WHERE tenant_id = ?"+where, append([]any{tenantID}, args...)...).Scan(&n)
	return n, err
}

// AuditThroughSeq returns the last audit sequence number created before
// cutoff (0: none), the bound of a run over audit events.
func (tx *Tx) AuditThroughSeq(ctx context.Context, cutoff time.Time) (int64, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, err
	}
	var n sql.NullInt64
	err = tx.queryRow(ctx, "SELECT max(seq) FROM audit_events WHERE tenant_id = ? AND created_at < ?", tenantID, tx.d.timeArg(cutoff)).Scan(&n)
	return n.Int64, err
}

// RetentionBatch applies sc's action to at most limit rows past the cursor,
// oldest first, and returns how many it changed and the new cursor ("" when
// none was left). On PostgreSQL the rows are locked with SKIP LOCKED: rows
// another transaction holds are passed over, not waited for (a later run
// reaches them). archive receives the rows, column by column, before
// archive_then_delete deletes them; if it fails nothing is deleted.
func (tx *Tx) RetentionBatch(ctx context.Context, sc RetentionScope, limit int, archive func([]map[string]any) error) (int, string, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, "", err
	}
	t, err := tx.retentionTarget(sc.Category)
	if err != nil {
		return 0, "", err
	}
	where, args, err := tx.selection(t, sc, true)
	if err != nil {
		return 0, "", err
	}
	if tx.d.name == "postgres" && t.table != "audit_events" && sc.Action != RetainArchive {
		return tx.retentionStatement(ctx, t, sc, tenantID, where, args, limit)
	}
	cols := strings.Join(t.keys, ", ")
	if sc.Action == RetainArchive {
		cols = "*"
	}
	if t.table == "audit_events" {
		cols = auditColumns // checked against its hash before it is blanked
	}
	q := "SELECT " + cols + " FROM " + t.table + " WHERE tenant_id = ?" + where + " ORDER BY " + strings.Join(t.keys, ", ") + " LIMIT ?"
	if tx.d.name == "postgres" {
		q += " FOR UPDATE SKIP LOCKED"
	}
	rows, err := tx.query(ctx, q, append(append([]any{tenantID}, args...), limit)...)
	if err != nil {
		return 0, "", err
	}
	var ids []any
	var cursor string
	var archived []map[string]any
	err = func() error {
		defer rows.Close()
		names, err := rows.Columns()
		if err != nil {
			return err
		}
		for rows.Next() {
			switch {
			case t.table == "audit_events":
				e, details, err := scanAudit(rows)
				if err != nil {
					return err
				}
				// A tombstone is never made of an event whose content no
				// longer matches its hash: that is tampering, for the
				// verification to report, not for retention to launder.
				if audit.ComputeHash(e, details) != e.Hash {
					return fmt.Errorf("audit event seq %d does not match its hash; retention stopped", e.Seq)
				}
				ids = append(ids, e.Seq)
				cursor = strconv.FormatInt(e.Seq, 10)
			case sc.Action == RetainArchive:
				vals := make([]any, len(names))
				ptrs := make([]any, len(names))
				for i := range vals {
					ptrs[i] = &vals[i]
				}
				if err := rows.Scan(ptrs...); err != nil {
					return err
				}
				row := make(map[string]any, len(names))
				var at time.Time
				var id string
				for i, n := range names {
					v := vals[i]
					if b, ok := v.([]byte); ok {
						v = string(b)
					}
					if tm, ok := v.(time.Time); ok {
						v = tm.UTC()
					}
					if u, ok := v.([16]byte); ok {
						v = uuid.UUID(u).String()
					}
					row[n] = v
					if n == t.keys[0] {
						if err := (scanTime{&at}).Scan(vals[i]); err != nil {
							return err
						}
					}
					if n == "id" {
						id = fmt.Sprint(v)
					}
				}
				archived = append(archived, row)
				ids = append(ids, id)
				cursor = at.Format(time.RFC3339Nano) + "|" + id
			default:
				var at time.Time
				var id string
				if err := rows.Scan(scanTime{&at}, &id); err != nil {
					return err
				}
				ids = append(ids, id)
				cursor = at.Format(time.RFC3339Nano) + "|" + id
			}
		}
		return rows.Err()
	}()
	if err != nil || len(ids) == 0 {
		return 0, "", err
	}
	if archive != nil && sc.Action == RetainArchive {
		if err := archive(archived); err != nil {
			return 0, "", fmt.Errorf("archive %s: %w", sc.Category, err)
		}
	}
	pk := "id"
	if len(t.keys) == 1 {
		pk = t.keys[0]
	}
	in := " AND " + pk + " IN (" + strings.TrimSuffix(strings.Repeat("?, ", len(ids)), ", ") + ")"
	var stmt string
	switch {
	case t.table == "audit_events":
		stmt = "UPDATE audit_events SET ip_address = '', user_agent = '', details = '{}', redacted = true WHERE tenant_id = ?" + in
	case sc.Action == RetainAnonymise:
		stmt = "UPDATE " + t.table + " SET " + t.blank + " WHERE tenant_id = ?" + in
	default:
		stmt = "DELETE FROM " + t.table + " WHERE tenant_id = ?" + in
	}
	res, err := tx.exec(ctx, stmt, append([]any{tenantID}, ids...)...)
	if err != nil {
		return 0, "", err
	}
	n, err := res.RowsAffected()
	return int(n), cursor, err
}

// retentionStatement deletes or blanks a batch on PostgreSQL in one
// statement (one round trip while the rows are locked): the batch is
// selected FOR UPDATE SKIP LOCKED in a CTE and changed by key.
func (tx *Tx) retentionStatement(ctx context.Context, t retentionTarget, sc RetentionScope, tenantID, where string, args []any, limit int) (int, string, error) {
	keys := strings.Join(t.keys, ", ")
	batch := "WITH batch AS (SELECT " + keys + " FROM " + t.table + " WHERE tenant_id = ?" + where + " ORDER BY " + keys + " LIMIT ? FOR UPDATE SKIP LOCKED) "
	change := "DELETE FROM " + t.table + " x USING batch"
	if sc.Action == RetainAnonymise {
		change = "UPDATE " + t.table + " x SET " + t.blank + " FROM batch"
	}
	q := batch + change + " WHERE x.tenant_id = ? AND x.id = batch.id RETURNING batch." + t.keys[0] + ", batch.id"
	rows, err := tx.query(ctx, q, append(append(append([]any{tenantID}, args...), limit), tenantID)...)
	if err != nil {
		return 0, "", err
	}
	defer rows.Close()
	n := 0
	var lastAt time.Time
	var lastID string
	for rows.Next() {
		var at time.Time
		var id string
		if err := rows.Scan(scanTime{&at}, &id); err != nil {
			return 0, "", err
		}
		n++
		// RETURNING has no order: the cursor is the greatest key.
		if n == 1 || at.After(lastAt) || (at.Equal(lastAt) && id > lastID) {
			lastAt, lastID = at, id
		}
	}
	if err := rows.Err(); err != nil || n == 0 {
		return 0, "", err
	}
	return n, lastAt.Format(time.RFC3339Nano) + "|" + lastID, nil
}
