package auth

import (
	"strings"
	"sync"
	"time"
)

// maxCachedSessions bounds the session cache; past it, expired entries are
// dropped, and if that is not enough the cache starts over.
const maxCachedSessions = 100_000

// sessionState is what a replica remembers of a session between database
// reads: enough to accept or refuse a token without I/O.
type sessionState struct {
	active      bool
	tenantID    string
	userID      string
	role        string
	permissions []string
	email       string
	userCreated time.Time
	userUpdated time.Time
	ip          string    // the address the session was opened from
	ipPolicy    string    // the tenant's IP-change policy
	restricted  bool      // enrolment-only session
	gate        string    // what the user must do first (identity.GateOf)
	mfaAt       time.Time // when the session last passed a second factor
	stepUp      time.Duration
	sessionEnd  time.Time
	// started is when the session was opened and epoch the later of its
	// user's and tenant's revocation epochs (see issuedBeforeEpoch).
	started     time.Time
	epoch       time.Time
	cachedUntil time.Time
	touched     time.Time
	warnedIPs   map[string]bool // addresses already reported, to avoid floods
}

// sessionCache remembers session states for a short TTL. Revocations drop
// entries at once on this replica and, through the bus, on the others; the
// TTL bounds staleness when a message is lost.
type sessionCache struct {
	mu  sync.Mutex
	ttl time.Duration
	now func() time.Time
	m   map[string]*sessionState
	// gen counts drops. A state read from the database is cached only if no
	// drop happened since the read began, so a revocation that lands during
	// the read cannot be overwritten by the stale "active" it read.
	gen uint64
}

func newSessionCache(ttl time.Duration, now func() time.Time) *sessionCache {
	return &sessionCache{ttl: ttl, now: now, m: map[string]*sessionState{}}
}

// get returns a copy of a fresh entry (without warnedIPs, which only
// markIP touches, under the lock).
func (c *sessionCache) get(sid string) (sessionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[sid]
	if !ok || !c.now().Before(st.cachedUntil) {
		return sessionState{}, false
	}
	cp := *st
	cp.warnedIPs = nil
	return cp, true
}

// generation returns the drop counter, to pass to put.
func (c *sessionCache) generation() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.gen
}

// markIP records that ip was reported for sid; it reports whether it was new.
func (c *sessionCache) markIP(sid, ip string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[sid]
	if !ok {
		return true
	}
	if st.warnedIPs[ip] {
		return false
	}
	if st.warnedIPs == nil {
		st.warnedIPs = map[string]bool{}
	}
	st.warnedIPs[ip] = true
	return true
}

// put caches st unless a drop happened since generation gen was read.
func (c *sessionCache) put(sid string, st sessionState, gen uint64) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.gen != gen {
		return
	}
	if len(c.m) >= maxCachedSessions {
		now := c.now()
		for k, v := range c.m {
			if !now.Before(v.cachedUntil) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= maxCachedSessions {
			c.m = map[string]*sessionState{}
		}
	}
	st.cachedUntil = c.now().Add(c.ttl)
	c.m[sid] = &st
}

// update changes a cached entry in place, if present.
func (c *sessionCache) update(sid string, fn func(*sessionState)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[sid]; ok {
		fn(st)
	}
}

// drop applies a revocation message: "s:<session>", "u:<user>", "t:<tenant>".
func (c *sessionCache) drop(msg string) {
	kind, id, ok := strings.Cut(msg, ":")
	if !ok {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.gen++
	switch kind {
	case "s":
		delete(c.m, id)
	case "u":
		for k, v := range c.m {
			if v.userID == id {
				delete(c.m, k)
			}
		}
	case "t":
		for k, v := range c.m {
			if v.tenantID == id {
				delete(c.m, k)
			}
		}
	case "*":
		c.m = map[string]*sessionState{}
	}
}
