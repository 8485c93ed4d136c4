package console

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/auth"
)

// Limits of console sessions; every one a named constant.
const (
	// idleTimeout ends a console session unused for this long.
	idleTimeout = 30 * time.Minute
	// operatorLifetime bounds an operator's console session (a tenant
	// user's is bounded by their Rampart session).
	operatorLifetime = 8 * time.Hour
	// pendingLifetime bounds a sign-in waiting for its second factor.
	pendingLifetime = 5 * time.Minute
	// maxSessions bounds the sessions kept in memory.
	maxSessions = 20000
)

const (
	cookieSecure = "__Host-rampart_console"
	cookiePlain  = "rampart_console" // plain-HTTP development only
)

// session is one browser's console session. Its tokens stay here.
type session struct {
	mu        sync.Mutex
	key       string // SHA-256 of the cookie value, hex
	csrf      string
	operator  bool
	tenant    string // the tenant slug signed in to
	email     string
	access    string
	refresh   string
	mfaToken  string // awaiting a second factor when set
	methods   []string
	created   time.Time
	lastSeen  time.Time
	flash     string
	pending   *pendingBulk
	principal *auth.Principal // of the last authentication
	dropped   bool            // signed out or replaced: never written again
}

func (s *session) takeFlash() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	f := s.flash
	s.flash = ""
	return f
}

func (s *session) setFlash(f string) {
	s.mu.Lock()
	s.flash = f
	s.mu.Unlock()
}

// sessions keeps console sessions: in memory, or, with a backend (see
// sessionstore.go), in the database so that every replica serves every
// browser.
type sessions struct {
	mu  sync.Mutex
	m   map[string]*session
	now func() time.Time
	db  *sessionDB // nil: in memory only
}

func newSessions(now func() time.Time) *sessions {
	return &sessions{m: map[string]*session{}, now: now}
}

func hashCookie(v string) string {
	sum := sha256.Sum256([]byte(v))
	return hex.EncodeToString(sum[:])
}

// create stores a new session and returns it with its cookie value.
func (ss *sessions) create(s *session) (string, error) {
	raw := randomToken()
	now := ss.now()
	s.key, s.csrf, s.created, s.lastSeen = hashCookie(raw), randomToken(), now, now
	if ss.db != nil {
		return raw, ss.db.create(s, now)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	if len(ss.m) >= maxSessions {
		ss.sweepLocked(now)
		if len(ss.m) >= maxSessions {
			return "", rampart.Errorf(rampart.EUnavailable, "too many console sessions; try again later")
		}
	}
	ss.m[s.key] = s
	return raw, nil
}

func (ss *sessions) sweepLocked(now time.Time) {
	for k, s := range ss.m {
		if ss.expired(s, now) {
			delete(ss.m, k)
		}
	}
}

func (ss *sessions) expired(s *session, now time.Time) bool {
	if now.Sub(s.lastSeen) > idleTimeout {
		return true
	}
	if s.mfaToken != "" && now.Sub(s.created) > pendingLifetime {
		return true
	}
	return s.operator && now.Sub(s.created) > operatorLifetime
}

// get returns the live session of a cookie value, or nil.
func (ss *sessions) get(raw string) *session {
	if raw == "" {
		return nil
	}
	now := ss.now()
	if ss.db != nil {
		return ss.db.get(hashCookie(raw), now)
	}
	ss.mu.Lock()
	defer ss.mu.Unlock()
	s := ss.m[hashCookie(raw)]
	if s == nil {
		return nil
	}
	if ss.expired(s, now) {
		delete(ss.m, s.key)
		return nil
	}
	s.lastSeen = now
	return s
}

func (ss *sessions) drop(s *session) {
	if ss.db != nil {
		ss.db.drop(s)
		return
	}
	ss.mu.Lock()
	delete(ss.m, s.key)
	ss.mu.Unlock()
}

func randomToken() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic("console: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func newID() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}

// secureRequest reports whether the browser may keep a Secure cookie from
// this request: over TLS, or on a loopback host (which browsers treat as a
// secure context). Elsewhere over plain HTTP (development) the cookie is
// not Secure, and so cannot carry the __Host- prefix.
func secureRequest(r *http.Request) bool {
	if r.TLS != nil {
		return true
	}
	host := r.Host
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	}
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func cookieName(r *http.Request) string {
	if secureRequest(r) {
		return cookieSecure
	}
	return cookiePlain
}

func setCookie(w http.ResponseWriter, r *http.Request, value string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: cookieName(r), Value: value, Path: "/", MaxAge: maxAge,
		Secure: secureRequest(r), HttpOnly: true, SameSite: http.SameSiteStrictMode})
}

func cookieValue(r *http.Request) string {
	ck, err := r.Cookie(cookieName(r))
	if err != nil {
		return ""
	}
	return ck.Value
}

// preToken is the CSRF token of the sign-in forms, before a session exists:
// an HMAC of a random pre-session cookie value (set here when missing).
func (c *Console) preToken(w http.ResponseWriter, r *http.Request) string {
	raw := cookieValue(r)
	if raw == "" || c.sessions.get(raw) != nil {
		raw = randomToken()
		setCookie(w, r, raw, 0)
	}
	m := hmac.New(sha256.New, c.preKey)
	m.Write([]byte("pre:" + raw))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkPreToken checks a sign-in form's CSRF token in constant time.
func (c *Console) checkPreToken(r *http.Request) bool {
	raw := cookieValue(r)
	if raw == "" {
		return false
	}
	m := hmac.New(sha256.New, c.preKey)
	m.Write([]byte("pre:" + raw))
	want := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	return subtle.ConstantTimeCompare([]byte(want), []byte(r.PostFormValue("csrf"))) == 1
}

// checkCSRF checks a signed-in form's synchronizer token in constant time.
func checkCSRF(r *http.Request, s *session) bool {
	got := r.PostFormValue("csrf")
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(s.csrf)) == 1
}

func asError(err error, target **rampart.Error) bool { return errors.As(err, target) }
