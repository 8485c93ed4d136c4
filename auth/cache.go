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
	ip          string // the address the session was opened from
	ipPolicy    string // the tenant's IP-change policy
	sessionEnd  time.Time
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
}

func newSessionCache(ttl time.Duration, now func() time.Time) *sessionCache {
	return &sessionCache{ttl: ttl, now: now, m: map[string]*sessionState{}}
}

// get returns a copy of a fresh entry.
func (c *sessionCache) get(sid string) (sessionState, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	st, ok := c.m[sid]
	if !ok || !c.now().Before(st.cachedUntil) {
		return sessionState{}, false
	}
	return *st, true
}

func (c *sessionCache) put(sid string, st sessionState) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
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
	}
}
