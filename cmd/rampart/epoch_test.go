package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"testing"
	"time"
)

// waitRefused polls GET /v1/me with each token on each server until all are
// refused, and returns how long that took; it fails past within.
func waitRefused(t *testing.T, servers []*testServer, tokens []string, within time.Duration) time.Duration {
	t.Helper()
	start := time.Now()
	for {
		left := 0
		for _, ts := range servers {
			for _, tok := range tokens {
				if ts.status(t, "GET", "/v1/me", tok, nil) != 401 {
					left++
				}
			}
		}
		if left == 0 {
			return time.Since(start)
		}
		if time.Since(start) > within {
			t.Fatalf("%d token uses still accepted after %s", left, within)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestRevocationEpochTwoProcesses is the remediation goal: two `rampart
// serve` processes on one PostgreSQL and one Redis, with a long session
// cache so that only the bus can make them notice in time. After "end every
// session of the user", through an incident action on one process and
// through the session revoke API on the other, the user's access tokens
// already issued (and warm in both caches) are refused on both within 2 s.
// Without Redis, the session cache's TTL bounds it.
func TestRevocationEpochTwoProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts server processes")
	}
	redisURL := requireRedis(t)
	bin := buildBinary(t)
	key := make([]byte, 32)
	rand.Read(key)
	env := testEnv(t, "postgres")
	env["RAMPART_REDIS_URL"] = redisURL
	env["RAMPART_TRUSTED_PROXIES"] = "127.0.0.1/32"
	env["RAMPART_MASTER_KEY"] = base64.StdEncoding.EncodeToString(key)
	env["RAMPART_SESSION_CACHE_TTL"] = "1m" // the most allowed
	delete(env, "GOMEMLIMIT")
	a := startProcess(t, bin, env)
	envB := map[string]string{}
	for k, v := range env {
		envB[k] = v
	}
	envB["RAMPART_DATA_DIR"] = t.TempDir()
	b := startProcess(t, bin, envB)
	both := []*testServer{a, b}
	slug := fmt.Sprintf("epoch%d", time.Now().UnixNano()%1e9)
	a.tenantWithOwner(t, slug, "owner@acme.io")
	owner := a.loginAs(t, "198.18.0.1", slug, "owner@acme.io", ownerPassword)
	resp, u := a.do(t, "POST", "/v1/users", owner, map[string]any{"email": "victim@acme.io", "password": "An0ther-Str0ng-One", "role": "member"})
	if resp.StatusCode != 201 {
		t.Fatalf("create user: %d %v", resp.StatusCode, u)
	}
	victimID := u["id"].(string)
	loginBoth := func() []string {
		tokens := []string{a.loginAs(t, "198.18.0.2", slug, "victim@acme.io", "An0ther-Str0ng-One"),
			b.loginAs(t, "198.18.0.2", slug, "victim@acme.io", "An0ther-Str0ng-One")}
		for _, ts := range both {
			for _, tok := range tokens {
				if got := ts.status(t, "GET", "/v1/me", tok, nil); got != 200 {
					t.Fatalf("victim's token before: %d", got)
				}
			}
		}
		return tokens
	}

	// Through an incident: failed logins open failed_login_burst, whose
	// action ends every session of the user.
	tokens := loginBoth()
	if r, body := a.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"monitoring": map[string]any{"rules": map[string]any{"failed_login_burst": map[string]any{"threshold": 3}}}}); r.StatusCode != 200 {
		t.Fatalf("settings: %d %v", r.StatusCode, body)
	}
	for range 3 {
		a.loginFrom(t, "198.18.0.3", slug, "victim@acme.io", "Wr0ng-Passw0rd!")
	}
	in, _ := a.waitIncident(t, owner, "failed_login_burst", "?status=open", 10*time.Second)
	if r, body := a.do(t, "POST", "/v1/incidents/"+in["id"].(string)+"/actions", owner, map[string]any{"action": "revoke_user_sessions"}); r.StatusCode != 200 {
		t.Fatalf("action: %d %v", r.StatusCode, body)
	}
	took := waitRefused(t, both, tokens, 2*time.Second)
	t.Logf("incident action: refused on both processes after %s", took)

	// Through the session revoke API, on the other process.
	tokens = loginBoth()
	if r, body := b.do(t, "POST", "/v1/users/"+victimID+"/sessions/revoke", owner, nil); r.StatusCode != 200 {
		t.Fatalf("revoke: %d %v", r.StatusCode, body)
	}
	took = waitRefused(t, both, tokens, 2*time.Second)
	t.Logf("session revoke API: refused on both processes after %s", took)
	// A new login works at once.
	fresh := a.loginAs(t, "198.18.0.2", slug, "victim@acme.io", "An0ther-Str0ng-One")
	for _, ts := range both {
		if got := ts.status(t, "GET", "/v1/me", fresh, nil); got != 200 {
			t.Errorf("token of a new login: %d", got)
		}
	}
}

// TestRevocationEpochWithoutRedis: without a bus, a second process refuses
// the tokens once its session cache's TTL has passed.
func TestRevocationEpochWithoutRedis(t *testing.T) {
	if testing.Short() {
		t.Skip("starts two servers")
	}
	env := monitorEnv(t, "postgres")
	env["RAMPART_SESSION_CACHE_TTL"] = "1s"
	a := start(t, env)
	b := secondReplica(t, env)
	slug := fmt.Sprintf("epochnr%d", time.Now().UnixNano()%1e9)
	a.tenantWithOwner(t, slug, "owner@acme.io")
	owner, _ := a.mustLogin(t, slug, "owner@acme.io", ownerPassword)
	id, victim := a.member(t, owner, slug, "victim@acme.io", "member")
	for _, ts := range []*testServer{a, b} {
		if got := ts.status(t, "GET", "/v1/me", victim, nil); got != 200 {
			t.Fatalf("before: %d", got)
		}
	}
	if r, body := a.do(t, "POST", "/v1/users/"+id+"/sessions/revoke", owner, nil); r.StatusCode != 200 {
		t.Fatalf("revoke: %d %v", r.StatusCode, body)
	}
	if got := a.status(t, "GET", "/v1/me", victim, nil); got != 401 {
		t.Errorf("on the replica that revoked: %d", got)
	}
	took := waitRefused(t, []*testServer{b}, []string{victim}, 3*time.Second)
	t.Logf("without Redis: refused on the other replica after %s (cache TTL 1s)", took)
}
