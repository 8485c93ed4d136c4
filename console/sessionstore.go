package console

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
)

// Limits of console sessions kept in the database.
const (
	// sessionDBTimeout bounds one read or write of a console session.
	sessionDBTimeout = 5 * time.Second
	// lastSeenWrite is how far last use may move before it is written
	// again (idle expiry is this much coarser than idleTimeout).
	lastSeenWrite = time.Minute
	// purgeEvery is how often a replica deletes expired sessions.
	purgeEvery = 10 * time.Minute
)

// SessionStore keeps console sessions for every replica (store.Store).
type SessionStore interface {
	PutConsoleSession(ctx context.Context, cs *store.ConsoleSession) error
	ConsoleSession(ctx context.Context, keyHash string, now time.Time) (*store.ConsoleSession, error)
	DeleteConsoleSession(ctx context.Context, keyHash string) error
	PurgeConsoleSessions(ctx context.Context, now time.Time) (int64, error)
}

// sessionDB keeps console sessions in the database: a row per session
// under the SHA-256 of its cookie value, its state (the Rampart session's
// tokens, the CSRF secret, a pending second factor or bulk action, the next
// page's message) sealed with the master key and bound to that hash. A
// request loads its session once (begin) and writes it back when it
// changed; concurrent requests of one browser on one replica share it, as
// they did in memory. The tokens are never stored in the clear.
type sessionDB struct {
	st        SessionStore
	master    *keys.MasterKey
	log       *slog.Logger
	mu        sync.Mutex
	inflight  map[string]*flight
	lastPurge time.Time
}

// flight is a session in use by requests of this replica, with what was
// last written of it.
type flight struct {
	s     *session
	refs  int
	saved []byte
	seen  time.Time
}

// sessionState is what a stored session holds (sealed).
type sessionState struct {
	CSRF     string       `json:"csrf"`
	Operator bool         `json:"operator,omitempty"`
	Tenant   string       `json:"tenant,omitempty"`
	Email    string       `json:"email,omitempty"`
	Access   string       `json:"access,omitempty"`
	Refresh  string       `json:"refresh,omitempty"`
	MFAToken string       `json:"mfa_token,omitempty"`
	Methods  []string     `json:"methods,omitempty"`
	Created  time.Time    `json:"created"`
	Flash    string       `json:"flash,omitempty"`
	Pending  *pendingBulk `json:"pending,omitempty"`
}

func newSessionDB(st SessionStore, master *keys.MasterKey, log *slog.Logger) *sessionDB {
	return &sessionDB{st: st, master: master, log: log, inflight: map[string]*flight{}}
}

// state serializes s; the caller holds s.mu or owns s.
func state(s *session) []byte {
	b, _ := json.Marshal(sessionState{CSRF: s.csrf, Operator: s.operator, Tenant: s.tenant, Email: s.email, Access: s.access, Refresh: s.refresh,
		MFAToken: s.mfaToken, Methods: s.methods, Created: s.created, Flash: s.flash, Pending: s.pending})
	return b
}

func aad(key string) []byte { return []byte("rampart console session " + key) }

// expiry is when s ends if unused: its idle timeout, bounded by the
// lifetime of a pending sign-in or of an operator's session.
func expiry(s *session, lastSeen time.Time) time.Time {
	end := lastSeen.Add(idleTimeout + lastSeenWrite)
	if s.mfaToken != "" && s.created.Add(pendingLifetime).Before(end) {
		end = s.created.Add(pendingLifetime)
	}
	if s.operator && s.created.Add(operatorLifetime).Before(end) {
		end = s.created.Add(operatorLifetime)
	}
	return end
}

func (d *sessionDB) write(s *session, st []byte, lastSeen time.Time) error {
	sealed, err := d.master.Seal(st, aad(s.key))
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), sessionDBTimeout)
	defer cancel()
	return d.st.PutConsoleSession(ctx, &store.ConsoleSession{KeyHash: s.key, Sealed: sealed, Operator: s.operator,
		CreatedAt: s.created, LastSeen: lastSeen, ExpiresAt: expiry(s, lastSeen)})
}

// load reads a session; nil when there is none, it expired, or it does not
// open (fail closed: the browser signs in again).
func (d *sessionDB) load(key string, now time.Time) *session {
	ctx, cancel := context.WithTimeout(context.Background(), sessionDBTimeout)
	defer cancel()
	cs, err := d.st.ConsoleSession(ctx, key, now)
	if err != nil {
		d.log.Error("console: read session", "err", err)
		return nil
	}
	if cs == nil {
		return nil
	}
	pt, err := d.master.Open(cs.Sealed, aad(key))
	var st sessionState
	if err == nil {
		err = json.Unmarshal(pt, &st)
	}
	if err != nil {
		d.log.Error("console: a stored session does not open", "err", err)
		return nil
	}
	s := &session{key: key, csrf: st.CSRF, operator: st.Operator, tenant: st.Tenant, email: st.Email, access: st.Access, refresh: st.Refresh,
		mfaToken: st.MFAToken, methods: st.Methods, created: st.Created, lastSeen: cs.LastSeen, flash: st.Flash, pending: st.Pending}
	return s
}

func (d *sessionDB) create(s *session, now time.Time) error {
	if err := d.write(s, state(s), now); err != nil {
		return err
	}
	d.mu.Lock()
	purge := now.Sub(d.lastPurge) >= purgeEvery
	if purge {
		d.lastPurge = now
	}
	d.mu.Unlock()
	if purge {
		ctx, cancel := context.WithTimeout(context.Background(), sessionDBTimeout)
		defer cancel()
		if _, err := d.st.PurgeConsoleSessions(ctx, now); err != nil {
			d.log.Warn("console: purge expired sessions", "err", err)
		}
	}
	return nil
}

// get returns the session of key: the one this replica's requests are
// using, or a fresh read.
func (d *sessionDB) get(key string, now time.Time) *session {
	d.mu.Lock()
	f := d.inflight[key]
	d.mu.Unlock()
	var s *session
	if f != nil {
		s = f.s
	} else if s = d.load(key, now); s == nil {
		return nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.dropped {
		return nil
	}
	s.lastSeen = now
	return s
}

func (d *sessionDB) drop(s *session) {
	s.mu.Lock()
	s.dropped = true
	s.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), sessionDBTimeout)
	defer cancel()
	if err := d.st.DeleteConsoleSession(ctx, s.key); err != nil {
		d.log.Error("console: delete session", "err", err)
	}
}

// begin loads the session of a request's cookie for the request, and
// returns the function that writes it back (when it changed) at the
// request's end.
func (ss *sessions) begin(r *http.Request) func() {
	d := ss.db
	raw := cookieValue(r)
	if d == nil || raw == "" || strings.HasPrefix(r.URL.Path, "/console/static/") {
		return func() {}
	}
	key := hashCookie(raw)
	d.mu.Lock()
	f := d.inflight[key]
	if f != nil {
		f.refs++
	}
	d.mu.Unlock()
	if f == nil {
		s := d.load(key, ss.now())
		if s == nil {
			return func() {}
		}
		d.mu.Lock()
		if f = d.inflight[key]; f != nil {
			f.refs++
		} else {
			f = &flight{s: s, refs: 1, saved: state(s), seen: s.lastSeen}
			d.inflight[key] = f
		}
		d.mu.Unlock()
	}
	return func() { d.release(key, f) }
}

func (d *sessionDB) release(key string, f *flight) {
	d.mu.Lock()
	f.refs--
	if f.refs == 0 && d.inflight[key] == f {
		delete(d.inflight, key)
	}
	d.mu.Unlock()
	s := f.s
	s.mu.Lock()
	dropped, st, seen := s.dropped, state(s), s.lastSeen
	s.mu.Unlock()
	if dropped {
		return
	}
	d.mu.Lock()
	changed := !bytes.Equal(st, f.saved) || seen.Sub(f.seen) >= lastSeenWrite
	if changed {
		f.saved, f.seen = st, seen
	}
	d.mu.Unlock()
	if changed {
		if err := d.write(s, st, seen); err != nil {
			d.log.Error("console: write session", "err", err)
		}
	}
}
