package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/identity"
)

const sessionColumns = "id, tenant_id, user_id, created_at, last_activity, expires_at, ip_address, user_agent, fingerprint, amr, mfa_verified, active, ended_at, end_reason, mfa_verified_at, restricted, device_id"

func scanSession(row interface{ Scan(...any) error }) (*identity.Session, error) {
	var s identity.Session
	var amr string
	err := row.Scan(&s.ID, &s.TenantID, &s.UserID, scanTime{&s.CreatedAt}, scanTime{&s.LastActivity}, scanTime{&s.ExpiresAt},
		&s.IP, &s.UserAgent, &s.Fingerprint, &amr, &s.MFAVerified, &s.Active, scanNullTime{&s.EndedAt}, &s.EndReason,
		scanNullTime{&s.MFAVerifiedAt}, &s.Restricted, &s.DeviceID)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "session not found")
	}
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(amr), &s.AMR); err != nil {
		return nil, err
	}
	return &s, nil
}

// CreateSession stores s and, when the user already has maxActive active
// sessions, ends the oldest ones so that s makes exactly maxActive. The user's
// row is locked first, so concurrent logins of one user cannot overshoot.
// It returns the ids of the sessions it ended.
func (tx *Tx) CreateSession(ctx context.Context, s *identity.Session, maxActive int) ([]string, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	lock := "SELECT id FROM users WHERE tenant_id = ? AND id = ?"
	if tx.d.name == "postgres" {
		lock += " FOR UPDATE"
	}
	var uid string
	if err := tx.queryRow(ctx, lock, tenantID, s.UserID).Scan(&uid); err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT id FROM sessions WHERE tenant_id = ? AND user_id = ? AND active = ? ORDER BY created_at, id", tenantID, s.UserID, true)
	if err != nil {
		return nil, err
	}
	var active []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		active = append(active, id)
	}
	rows.Close()
	var evicted []string
	for i := 0; i <= len(active)-maxActive; i++ {
		if _, err := tx.EndSession(ctx, active[i], identity.EndEvicted, s.CreatedAt); err != nil {
			return nil, err
		}
		evicted = append(evicted, active[i])
	}
	amr, _ := json.Marshal(nonNil(s.AMR))
	ip, ua, err := tx.sealSession(ctx, s)
	if err != nil {
		return nil, err
	}
	_, err = tx.exec(ctx, "INSERT INTO sessions ("+sessionColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, '', ?, ?, ?)",
		s.ID, tenantID, s.UserID, tx.d.timeArg(s.CreatedAt), tx.d.timeArg(s.LastActivity), tx.d.timeArg(s.ExpiresAt),
		ip, ua, s.Fingerprint, string(amr), s.MFAVerified, true, tx.d.nullTimeArg(s.MFAVerifiedAt), s.Restricted, s.DeviceID)
	return evicted, err
}

// Session returns a session of the scoped tenant.
func (tx *Tx) Session(ctx context.Context, id string) (*identity.Session, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	if !validUUID(id) {
		return nil, rampart.Errorf(rampart.ENotFound, "session not found")
	}
	s, err := scanSession(tx.queryRow(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE tenant_id = ? AND id = ?", tenantID, id))
	if err != nil {
		return nil, err
	}
	return s, tx.openSession(ctx, s)
}

// ActiveSessions returns the user's active sessions, newest first.
func (tx *Tx) ActiveSessions(ctx context.Context, userID string) ([]*identity.Session, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	rows, err := tx.query(ctx, "SELECT "+sessionColumns+" FROM sessions WHERE tenant_id = ? AND user_id = ? AND active = ? ORDER BY created_at DESC, id",
		tenantID, userID, true)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*identity.Session
	for rows.Next() {
		s, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, tx.openSessions(ctx, rows, out)
}

// sessionSealed is what a sealed session's ip_address holds: the
// ciphertext of its address and user agent together (one seal per login);
// its user_agent column is then empty.
type sessionSealed struct {
	IP        string `json:"ip,omitempty"`
	UserAgent string `json:"ua,omitempty"`
}

// subjectCiphertextPrefix starts a sealer's ciphertext (keys.CiphertextPrefix).
const subjectCiphertextPrefix = "rc1:"

// sealSession returns the stored forms of a session's address and user
// agent: sealed under the user's key when a sealer is set.
func (tx *Tx) sealSession(ctx context.Context, s *identity.Session) (ip, ua string, err error) {
	if tx.audit == nil || (s.IP == "" && s.UserAgent == "") {
		return s.IP, s.UserAgent, nil
	}
	pt, err := json.Marshal(sessionSealed{IP: s.IP, UserAgent: s.UserAgent})
	if err != nil {
		return "", "", err
	}
	sealed, err := tx.audit.SealSubject(ctx, tx, s.UserID, "sessions.ip_address/"+s.ID, pt)
	switch {
	case errors.Is(err, ErrSubjectErased):
		return "", "", nil
	case err != nil:
		return "", "", fmt.Errorf("seal session: %w", err)
	}
	return sealed, "", nil
}

// openSession opens a sealed session's address and user agent in place
// (empty once the user was erased).
func (tx *Tx) openSession(ctx context.Context, s *identity.Session) error {
	if tx.audit == nil || !strings.HasPrefix(s.IP, subjectCiphertextPrefix) {
		return nil
	}
	pt, erased, err := tx.audit.OpenSubject(ctx, tx, "sessions.ip_address/"+s.ID, s.IP)
	if err != nil {
		return err
	}
	s.IP, s.UserAgent = "", ""
	if erased {
		return nil
	}
	var f sessionSealed
	if err := json.Unmarshal(pt, &f); err != nil {
		return fmt.Errorf("open session %s: %w", s.ID, err)
	}
	s.IP, s.UserAgent = f.IP, f.UserAgent
	return nil
}

// openSessions closes rows (the sealer may read keys through tx) and
// opens each session.
func (tx *Tx) openSessions(ctx context.Context, rows *sql.Rows, list []*identity.Session) error {
	if err := rows.Err(); err != nil {
		return err
	}
	rows.Close()
	for _, s := range list {
		if err := tx.openSession(ctx, s); err != nil {
			return err
		}
	}
	return nil
}

// EndSession marks an active session ended; it reports whether it was active.
func (tx *Tx) EndSession(ctx context.Context, id, reason string, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "UPDATE sessions SET active = ?, ended_at = ?, end_reason = ? WHERE tenant_id = ? AND id = ? AND active = ?",
		false, tx.d.timeArg(now), reason, tenantID, id, true)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// EndUserSessions ends every active session of a user except `except` (may be
// empty) and returns the ids it ended.
func (tx *Tx) EndUserSessions(ctx context.Context, userID, except, reason string, now time.Time) ([]string, error) {
	sessions, err := tx.ActiveSessions(ctx, userID)
	if err != nil {
		return nil, err
	}
	var ended []string
	for _, s := range sessions {
		if s.ID == except {
			continue
		}
		if ok, err := tx.EndSession(ctx, s.ID, reason, now); err != nil {
			return nil, err
		} else if ok {
			ended = append(ended, s.ID)
		}
	}
	return ended, nil
}

// EndTenantSessions ends every active session of the scoped tenant.
func (tx *Tx) EndTenantSessions(ctx context.Context, reason string, now time.Time) (int64, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, err
	}
	res, err := tx.exec(ctx, "UPDATE sessions SET active = ?, ended_at = ?, end_reason = ? WHERE tenant_id = ? AND active = ?",
		false, tx.d.timeArg(now), reason, tenantID, true)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// TouchSession records activity on an active session; it reports false when
// the session is no longer active. On PostgreSQL the update waits for a
// concurrent logout to commit and then sees it, so a refresh racing a logout
// cannot mint tokens for the ended session.
func (tx *Tx) TouchSession(ctx context.Context, id string, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "UPDATE sessions SET last_activity = ? WHERE tenant_id = ? AND id = ? AND active = ?", tx.d.timeArg(now), tenantID, id, true)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

const refreshColumns = "hash, tenant_id, session_id, created_at, expires_at, used_at, grace_used"

// InsertRefreshToken stores a refresh token's hash.
func (tx *Tx) InsertRefreshToken(ctx context.Context, rt *identity.RefreshToken) error {
	tenantID, err := tx.tenant()
	if err != nil {
		return err
	}
	_, err = tx.exec(ctx, "INSERT INTO refresh_tokens ("+refreshColumns+") VALUES (?, ?, ?, ?, ?, NULL, ?)",
		rt.Hash, tenantID, rt.SessionID, tx.d.timeArg(rt.CreatedAt), tx.d.timeArg(rt.ExpiresAt), false)
	return err
}

// RefreshToken finds a refresh token of the scoped tenant by hash.
func (tx *Tx) RefreshToken(ctx context.Context, hash string) (*identity.RefreshToken, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	var rt identity.RefreshToken
	err = tx.queryRow(ctx, "SELECT "+refreshColumns+" FROM refresh_tokens WHERE tenant_id = ? AND hash = ?", tenantID, hash).
		Scan(&rt.Hash, &rt.TenantID, &rt.SessionID, scanTime{&rt.CreatedAt}, scanTime{&rt.ExpiresAt}, scanNullTime{&rt.UsedAt}, &rt.GraceUsed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "refresh token not found")
	}
	return &rt, err
}

// UseRefreshToken marks an unused refresh token used; it reports false when
// another request used it first (the guard makes rotation race-free).
func (tx *Tx) UseRefreshToken(ctx context.Context, hash string, now time.Time) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	res, err := tx.exec(ctx, "UPDATE refresh_tokens SET used_at = ? WHERE tenant_id = ? AND hash = ? AND used_at IS NULL",
		tx.d.timeArg(now), tenantID, hash)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// UseGrace spends a used token's one grace reuse, if it is the session's most
// recently rotated token and the reuse is still unspent.
func (tx *Tx) UseGrace(ctx context.Context, rt *identity.RefreshToken) (bool, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return false, err
	}
	var later int
	if err := tx.queryRow(ctx, "SELECT count(*) FROM refresh_tokens WHERE tenant_id = ? AND session_id = ? AND used_at > ?",
		tenantID, rt.SessionID, tx.d.timeArg(rt.UsedAt)).Scan(&later); err != nil {
		return false, err
	}
	if later > 0 {
		return false, nil
	}
	res, err := tx.exec(ctx, "UPDATE refresh_tokens SET grace_used = ? WHERE tenant_id = ? AND hash = ? AND grace_used = ?",
		true, tenantID, rt.Hash, false)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// RefreshState is everything a refresh grant needs, read in one query.
type RefreshState struct {
	Token   identity.RefreshToken
	Session identity.Session
	User    identity.User
	Tenant  identity.Tenant
}

// RefreshState reads a refresh token with its session, user and tenant in one
// round trip (the refresh grant is a hot path).
func (tx *Tx) RefreshState(ctx context.Context, hash string) (*RefreshState, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return nil, err
	}
	var st RefreshState
	var amr, perms, role, settings, attrs string
	err = tx.queryRow(ctx, `SELECT r.hash, r.session_id, r.created_at, r.expires_at, r.used_at, r.grace_used,
		s.user_id, s.created_at, s.expires_at, s.amr, s.mfa_verified, s.active, s.mfa_verified_at, s.restricted, s.ip_address,
		s.user_agent, s.device_id,
		u.email, u.role, u.permissions, u.status, u.created_at, u.attributes,
		t.slug, t.name, t.status, t.settings
	FROM refresh_tokens r
	JOIN sessions s ON s.tenant_id = r.tenant_id AND s.id = r.session_id
	JOIN users u ON u.tenant_id = s.tenant_id AND u.id = s.user_id
	JOIN tenants t ON t.id = r.tenant_id
	WHERE r.tenant_id = ? AND r.hash = ?`, tenantID, hash).Scan(
		&st.Token.Hash, &st.Token.SessionID, scanTime{&st.Token.CreatedAt}, scanTime{&st.Token.ExpiresAt}, scanNullTime{&st.Token.UsedAt}, &st.Token.GraceUsed,
		&st.Session.UserID, scanTime{&st.Session.CreatedAt}, scanTime{&st.Session.ExpiresAt}, &amr, &st.Session.MFAVerified, &st.Session.Active,
		scanNullTime{&st.Session.MFAVerifiedAt}, &st.Session.Restricted, &st.Session.IP,
		&st.Session.UserAgent, &st.Session.DeviceID,
		&st.User.Email, &role, scanText{&perms}, &st.User.Status, scanTime{&st.User.CreatedAt}, scanText{&attrs},
		&st.Tenant.Slug, &st.Tenant.Name, &st.Tenant.Status, scanText{&settings})
	if errors.Is(err, sql.ErrNoRows) {
		return nil, rampart.Errorf(rampart.ENotFound, "refresh token not found")
	}
	if err != nil {
		return nil, err
	}
	st.Token.TenantID, st.Session.TenantID, st.User.TenantID, st.Tenant.ID = tenantID, tenantID, tenantID, tenantID
	st.Session.ID, st.User.ID = st.Token.SessionID, st.Session.UserID
	st.User.Role = identity.Role(role)
	if err := tx.openEmail(&st.User); err != nil {
		return nil, err
	}
	if err := tx.openSession(ctx, &st.Session); err != nil {
		return nil, err
	}
	if err := errors.Join(json.Unmarshal([]byte(amr), &st.Session.AMR), json.Unmarshal([]byte(perms), &st.User.Permissions),
		json.Unmarshal([]byte(settings), &st.Tenant.Policy), unmarshalAttributes(attrs, &st.User.Attributes)); err != nil {
		return nil, err
	}
	return &st, nil
}

// Retention of ended and expired login state.
const (
	RefreshRetention      = 24 * time.Hour      // expired refresh tokens, kept a day for diagnosis
	SessionRetention      = 30 * 24 * time.Hour // ended or expired sessions
	ChallengeRetention    = time.Hour           // expired MFA challenges
	AccountTokenRetention = 24 * time.Hour      // used or expired one-time links and codes
	KnownLoginRetention   = 90 * 24 * time.Hour // a device or address unseen this long is new again
)

// PurgeExpired deletes the scoped tenant's refresh tokens, sessions, MFA
// challenges and one-time links and codes past their retention, and reports how many rows went.
func (tx *Tx) PurgeExpired(ctx context.Context, now time.Time) (int64, error) {
	tenantID, err := tx.tenant()
	if err != nil {
		return 0, err
	}
	var total int64
	for _, q := range []struct {
		sql  string
		args []any
	}{
		{"DELETE FROM refresh_tokens WHERE tenant_id = ? AND expires_at < ?", []any{tenantID, tx.d.timeArg(now.Add(-RefreshRetention))}},
		{"DELETE FROM refresh_tokens WHERE tenant_id = ? AND session_id IN (SELECT id FROM sessions WHERE tenant_id = ? AND ((active = ? AND ended_at < ?) OR expires_at < ?))",
			[]any{tenantID, tenantID, false, tx.d.timeArg(now.Add(-SessionRetention)), tx.d.timeArg(now.Add(-SessionRetention))}},
		{"DELETE FROM sessions WHERE tenant_id = ? AND ((active = ? AND ended_at < ?) OR expires_at < ?)",
			[]any{tenantID, false, tx.d.timeArg(now.Add(-SessionRetention)), tx.d.timeArg(now.Add(-SessionRetention))}},
		{"DELETE FROM mfa_challenges WHERE tenant_id = ? AND expires_at < ?", []any{tenantID, tx.d.timeArg(now.Add(-ChallengeRetention))}},
		{"DELETE FROM account_tokens WHERE tenant_id = ? AND ((used_at IS NOT NULL AND used_at < ?) OR (link_expires_at < ? AND code_expires_at < ?))",
			[]any{tenantID, tx.d.timeArg(now.Add(-AccountTokenRetention)), tx.d.timeArg(now.Add(-AccountTokenRetention)), tx.d.timeArg(now.Add(-AccountTokenRetention))}},
		{"DELETE FROM known_logins WHERE tenant_id = ? AND last_seen < ?", []any{tenantID, tx.d.timeArg(now.Add(-KnownLoginRetention))}},
	} {
		res, err := tx.exec(ctx, q.sql, q.args...)
		if err != nil {
			return total, err
		}
		n, _ := res.RowsAffected()
		total += n
	}
	return total, nil
}
