package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/audit"
)

// SubjectSealer seals personal fields under the key of the user they are
// about: an audit event's address, user agent and details, a session's
// address and user agent. Erasing that user (destroying the key) leaves
// the rows as tombstones whose personal fields no longer open. The store
// knows nothing of keys; the sealer works through the caller's
// transaction, so that a write never needs a second connection (SQLite
// has one writer). fieldContext names the row and field ("audit_events/"
// and the event id, "sessions.ip_address/" and the session id).
type SubjectSealer interface {
	// SealSubject seals plaintext; ErrSubjectErased when the subject's
	// key was destroyed.
	SealSubject(ctx context.Context, tx *Tx, subject, fieldContext string, plaintext []byte) (string, error)
	// OpenSubject opens what SealSubject made; erased reports that the key
	// is gone (the subject was erased), err a failure of the store.
	OpenSubject(ctx context.Context, tx *Tx, fieldContext, sealed string) (plaintext []byte, erased bool, err error)
}

// SealSubjects makes the store seal audit events' and sessions' personal
// fields with a. Call it before serving; rows written before stay as they
// were.
func (s *Store) SealSubjects(a SubjectSealer) { s.audit = a }

// ErrSubjectErased is a sealer's answer for a subject whose key was
// destroyed: the event is written without its personal fields.
var ErrSubjectErased = errors.New("store: the subject was erased")

// sealedPrefix starts the stored details of a sealed event:
// {"$sealed":"rc1:..."}, the ciphertext of sealedFields. The hash chain
// covers these bytes, so verification needs no key.
const sealedPrefix = `{"$sealed":"`

// sealedFields is what a sealed event's ciphertext holds.
type sealedFields struct {
	IP        string          `json:"ip,omitempty"`
	UserAgent string          `json:"ua,omitempty"`
	Details   json.RawMessage `json:"d"`
}

// erasedDetails are the stored details of an event about a subject erased
// before it was written.
const erasedDetails = `{"$erased":true}`

// sealAudit returns the stored forms of e's address, user agent and
// details: sealed under the subject's key when e has a subject and a
// sealer is set, as given otherwise. e itself keeps its values.
func (tx *Tx) sealAudit(ctx context.Context, e *audit.Event, details string) (ip, ua, stored string, err error) {
	if tx.audit == nil || e.UserID == "" || (e.IP == "" && e.UserAgent == "" && details == "{}") {
		return e.IP, e.UserAgent, details, nil
	}
	pt, err := json.Marshal(sealedFields{IP: e.IP, UserAgent: e.UserAgent, Details: json.RawMessage(details)})
	if err != nil {
		return "", "", "", err
	}
	sealed, err := tx.audit.SealSubject(ctx, tx, e.UserID, "audit_events/"+e.ID, pt)
	switch {
	case errors.Is(err, ErrSubjectErased):
		return "", "", erasedDetails, nil
	case err != nil:
		return "", "", "", fmt.Errorf("seal audit event: %w", err)
	}
	b, err := json.Marshal(map[string]string{"$sealed": sealed})
	return "", "", string(b), err
}

// openAudit opens the sealed events of list in place: their address, user
// agent and details as written, or, once the subject was erased, empty
// with Erased set.
func (tx *Tx) openAudit(ctx context.Context, list []*audit.Event) error {
	for _, e := range list {
		if e.Details == nil {
			continue
		}
		if e.Details["$erased"] == true && len(e.Details) == 1 {
			e.Details, e.Erased = map[string]any{}, true
			continue
		}
		sealed, ok := e.Details["$sealed"].(string)
		if !ok || len(e.Details) != 1 || tx.audit == nil {
			continue
		}
		pt, erased, err := tx.audit.OpenSubject(ctx, tx, "audit_events/"+e.ID, sealed)
		if err != nil {
			return err
		}
		if erased {
			e.IP, e.UserAgent, e.Details, e.Erased = "", "", map[string]any{}, true
			continue
		}
		var f sealedFields
		if err := json.Unmarshal(pt, &f); err != nil {
			return fmt.Errorf("open audit event %s: %w", e.ID, err)
		}
		e.IP, e.UserAgent, e.Details = f.IP, f.UserAgent, nil
		if err := json.Unmarshal(f.Details, &e.Details); err != nil || e.Details == nil {
			e.Details = map[string]any{}
		}
	}
	return nil
}

const auditColumns = "tenant_id, seq, id, event_type, user_id, ip_address, user_agent, resource, success, details, created_at, prev_hash, hash"

// AppendAudit appends e to the scoped tenant's hash chain. It fills in e's ID
// (when empty), TenantID, Seq, PrevHash, Hash and CreatedAt (when zero).
// Advancing the chain head first locks it, so concurrent appends of one
// tenant serialize and the chain stays linear.
func (tx *Tx) AppendAudit(ctx context.Context, e *audit.Event) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	if e.ID == "" {
		id, err := uuid.NewV7()
		if err != nil {
			return err
		}
		e.ID = id.String()
	}
	if e.CreatedAt.IsZero() {
		e.CreatedAt = nowUTC()
	}
	e.CreatedAt = e.CreatedAt.UTC().Truncate(audit.Precision)
	e.TenantID = tenantID
	details, err := audit.EncodeDetails(e.Details)
	if err != nil {
		return err
	}
	ip, ua, details, err := tx.sealAudit(ctx, e, details)
	if err != nil {
		return err
	}
	if err := tx.queryRow(ctx, "UPDATE audit_heads SET seq = seq + 1 WHERE tenant_id = ? RETURNING seq, hash", tenantID).
		Scan(&e.Seq, &e.PrevHash); err != nil {
		return fmt.Errorf("advance audit chain head: %w", err)
	}
	// The chain covers what is stored: ciphertext for a sealed event.
	stored := *e
	stored.IP, stored.UserAgent = ip, ua
	e.Hash = audit.ComputeHash(&stored, details)
	if _, err := tx.exec(ctx, "INSERT INTO audit_events ("+auditColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
		tenantID, e.Seq, e.ID, string(e.Type), e.UserID, ip, ua, e.Resource, e.Success, details,
		tx.d.timeArg(e.CreatedAt), e.PrevHash, e.Hash); err != nil {
		return fmt.Errorf("insert audit event: %w", err)
	}
	_, err = tx.exec(ctx, "UPDATE audit_heads SET hash = ? WHERE tenant_id = ?", e.Hash, tenantID)
	return err
}

// AuditEvents returns up to limit events of the scoped tenant with seq greater
// than afterSeq, in chain order: the log can be read from any position.
func (tx *Tx) AuditEvents(ctx context.Context, afterSeq int64, limit int) ([]*audit.Event, error) {
	var out []*audit.Event
	err := tx.eachAudit(ctx, afterSeq, limit, func(e *audit.Event, _ string) error {
		out = append(out, e)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, tx.openAudit(ctx, out)
}

func (tx *Tx) eachAudit(ctx context.Context, afterSeq int64, limit int, fn func(*audit.Event, string) error) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	rows, err := tx.query(ctx, "SELECT "+auditColumns+" FROM audit_events WHERE tenant_id = ? AND seq > ? ORDER BY seq LIMIT ?",
		tenantID, afterSeq, limit)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		e, details, err := scanAudit(rows)
		if err != nil {
			return err
		}
		if err := fn(e, details); err != nil {
			return err
		}
	}
	return rows.Err()
}

// auditVerifyBatch is how many events verification reads per query.
const auditVerifyBatch = 1000

// VerifyAudit walks the scoped tenant's whole chain and returns the first
// broken link, or nil when the chain is intact. Retention's tombstones are
// admitted as verifyChain says.
func (tx *Tx) VerifyAudit(ctx context.Context) (*audit.Break, error) {
	return tx.verifyChain(ctx)
}

var errStop = errors.New("stop")

// AuditFilter selects events for the audit API.
type AuditFilter = audit.Filter

// SearchAudit returns tenantID's events matching f, newest first, read in the
// tenant's own scope.
func (s *Store) SearchAudit(ctx context.Context, tenantID string, f audit.Filter) ([]*audit.Event, error) {
	var out []*audit.Event
	err := s.ReadTenant(ctx, tenantID, func(tx *Tx) (err error) {
		out, err = tx.SearchAudit(ctx, f)
		return err
	})
	return out, err
}

// SearchAudit returns the scoped tenant's events matching f, newest first.
func (tx *Tx) SearchAudit(ctx context.Context, f AuditFilter) ([]*audit.Event, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	q := "SELECT " + auditColumns + " FROM audit_events WHERE tenant_id = ?"
	args := []any{tenantID}
	if f.Type != "" {
		q += " AND event_type = ?"
		args = append(args, f.Type)
	}
	if f.UserID != "" {
		q += " AND user_id = ?"
		args = append(args, f.UserID)
	}
	if !f.Since.IsZero() {
		q += " AND created_at >= ?"
		args = append(args, tx.d.timeArg(f.Since))
	}
	if f.Resource != "" {
		q += " AND resource = ?"
		args = append(args, f.Resource)
	}
	if !f.Until.IsZero() {
		q += " AND created_at < ?"
		args = append(args, tx.d.timeArg(f.Until))
	}
	if f.BeforeSeq > 0 {
		q += " AND seq < ?"
		args = append(args, f.BeforeSeq)
	}
	q += " ORDER BY seq DESC LIMIT ?"
	args = append(args, f.Limit)
	rows, err := tx.query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*audit.Event
	for rows.Next() {
		e, _, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	return out, tx.openAudit(ctx, out)
}

func scanAudit(rows *sql.Rows) (*audit.Event, string, error) {
	var e audit.Event
	var typ, details string
	if err := rows.Scan(&e.TenantID, &e.Seq, &e.ID, &typ, &e.UserID, &e.IP, &e.UserAgent, &e.Resource, &e.Success,
		scanText{&details}, scanTime{&e.CreatedAt}, &e.PrevHash, &e.Hash); err != nil {
		return nil, "", err
	}
	e.Type = audit.Type(typ)
	if err := json.Unmarshal([]byte(details), &e.Details); err != nil {
		// Details that are not JSON are tampering; keep going so that the
		// verifier's hash check reports them.
		e.Details = map[string]any{"_unparsable": true}
	}
	return &e, details, nil
}
