package main

import (
	"fmt"
	"net/http"
	"slices"
	"testing"
	"time"
)

// monitorEnv trusts the loopback proxy, so tests choose the client address.
func monitorEnv(t *testing.T, dialect string) map[string]string {
	env := testEnv(t, dialect)
	env["RAMPART_TRUSTED_PROXIES"] = "127.0.0.1/32"
	return env
}

// waitIncident polls the incidents API until one of rule is listed, and
// returns it with the time it took.
func (ts *testServer) waitIncident(t *testing.T, token, rule, query string, within time.Duration) (map[string]any, time.Duration) {
	t.Helper()
	start := time.Now()
	for time.Since(start) < within {
		resp, body := ts.do(t, "GET", "/v1/incidents"+query, token, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("list incidents: %d %v", resp.StatusCode, body)
		}
		for _, in := range body["incidents"].([]any) {
			if m := in.(map[string]any); m["rule"] == rule {
				return m, time.Since(start)
			}
		}
		time.Sleep(5 * time.Millisecond)
	}
	t.Fatalf("no %s incident within %s", rule, within)
	return nil, 0
}

// TestIncidentCredentialStuffing: failed logins through the real login API
// from one address with many emails open exactly one incident, which an
// admin acknowledges and resolves; every change is audited.
func TestIncidentCredentialStuffing(t *testing.T) {
	for _, d := range []string{"sqlite", "postgres"} {
		t.Run(d, func(t *testing.T) {
			ts := start(t, monitorEnv(t, d))
			ts.tenantWithOwner(t, "acme", "owner@acme.io")
			owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
			// Without the rule's automatic block, every attempt is judged
			// (TestIncidentActions has the block).
			if r, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"monitoring": map[string]any{"rules": map[string]any{"credential_stuffing": map[string]any{"remediate": []string{}}}}}); r.StatusCode != 200 {
				t.Fatalf("settings: %d %v", r.StatusCode, b)
			}
			for i := range 30 {
				if got := ts.loginFrom(t, "203.0.113.77", "acme", fmt.Sprintf("victim%d@example.com", i), "Wr0ng-Passw0rd!"); got != 401 {
					t.Fatalf("login %d: %d", i, got)
				}
			}
			in, _ := ts.waitIncident(t, owner, "credential_stuffing", "?status=open", incidentWait)
			if in["severity"] != "high" || in["dedup_key"] != "credential_stuffing:ip=203.0.113.77" || in["ip_address"] != "203.0.113.77" {
				t.Fatalf("incident %v", in)
			}
			time.Sleep(500 * time.Millisecond) // the stragglers join it
			resp, body := ts.do(t, "GET", "/v1/incidents", owner, nil)
			if list := body["incidents"].([]any); resp.StatusCode != 200 || len(list) != 1 {
				t.Fatalf("incidents: %d %v", resp.StatusCode, body)
			}
			id := in["id"].(string)
			resp, got := ts.do(t, "GET", "/v1/incidents/"+id, owner, nil)
			if resp.StatusCode != 200 || got["event_count"].(float64) != 30 || len(got["event_ids"].([]any)) == 0 {
				t.Fatalf("incident: %d %v", resp.StatusCode, got)
			}
			for _, c := range []struct {
				method, path string
				body         any
				status       int
				field        string
			}{
				{"PATCH", "/v1/incidents/" + id, map[string]any{"status": "closed"}, 422, "status"},
				{"PATCH", "/v1/incidents/" + id, map[string]any{}, 422, "status"},
				{"PATCH", "/v1/incidents/" + id, map[string]any{"status": "acknowledged", "note": "on it"}, 200, ""},
				{"PATCH", "/v1/incidents/" + id, map[string]any{"status": "resolved", "note": "address blocked"}, 200, ""},
				{"PATCH", "/v1/incidents/" + id, map[string]any{"status": "acknowledged"}, 409, ""},
				{"PATCH", "/v1/incidents/00000000-0000-0000-0000-000000000000", map[string]any{"status": "resolved"}, 404, ""},
				{"GET", "/v1/incidents/nope", nil, 404, ""},
				{"GET", "/v1/incidents?severity=dire", nil, 422, "severity"},
				{"GET", "/v1/incidents?status=closed", nil, 422, "status"},
				{"PATCH", "/v1/tenant/settings", map[string]any{"monitoring": map[string]any{"rules": map[string]any{"nope": map[string]any{}}}}, 422, "settings.monitoring.rules.nope"},
				{"PATCH", "/v1/tenant/settings", map[string]any{"monitoring": map[string]any{"rules": map[string]any{"credential_stuffing": map[string]any{"threshold": 1}}}}, 422, "settings.monitoring.rules.credential_stuffing.threshold"},
				{"PATCH", "/v1/tenant/settings", map[string]any{"monitoring": map[string]any{"rules": map[string]any{"audit_chain_broken": map[string]any{"disabled": true}}}}, 422, "settings.monitoring.rules.audit_chain_broken.disabled"},
				{"PATCH", "/v1/tenant/settings", map[string]any{"monitoring": map[string]any{"rules": map[string]any{"mfa_failure_burst": map[string]any{"severity": "dire"}}}}, 422, "settings.monitoring.rules.mfa_failure_burst.severity"},
				{"PATCH", "/v1/tenant/settings", map[string]any{"monitoring": map[string]any{"rules": map[string]any{"credential_stuffing": map[string]any{"threshold": 5}}, "security_contacts": []string{"sec@acme.io"}}}, 200, ""},
			} {
				resp, body := ts.do(t, c.method, c.path, owner, c.body)
				if c.status >= 400 {
					assertProblem(t, resp, body, c.status)
				}
				if resp.StatusCode != c.status || (c.field != "" && body["field"] != c.field) {
					t.Errorf("%s %s %v: %d %v, want %d naming %q", c.method, c.path, c.body, resp.StatusCode, body, c.status, c.field)
				}
			}
			resp, got = ts.do(t, "GET", "/v1/incidents/"+id, owner, nil)
			var kinds []string
			for _, e := range got["timeline"].([]any) {
				kinds = append(kinds, e.(map[string]any)["kind"].(string))
			}
			if got["status"] != "resolved" || !slices.Equal(kinds, []string{"opened", "status", "status"}) {
				t.Errorf("incident after changes: %v", got)
			}
			resp, body = ts.do(t, "GET", "/v1/events?type=incident_opened,incident_updated", owner, nil)
			if n := len(body["events"].([]any)); resp.StatusCode != 200 || n != 3 {
				t.Errorf("incident events: %d %v", resp.StatusCode, body)
			}
			// A member may not read incidents.
			_, member := ts.member(t, owner, "acme", "member@acme.io", "member")
			if got := ts.status(t, "GET", "/v1/incidents", member, nil); got != http.StatusForbidden {
				t.Errorf("member lists incidents: %d", got)
			}
		})
	}
}

// TestIncidentLatency measures event to incident on one replica: the time
// from the answer to the login that crosses the threshold to the incident
// being listed. Goal: p99 <= 1 s.
func TestIncidentLatency(t *testing.T) {
	ts := start(t, monitorEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	const rounds = 25
	var took []time.Duration
	for r := range rounds {
		ip := fmt.Sprintf("203.0.113.%d", r+1)
		for i := range 20 {
			ts.loginFrom(t, ip, "acme", fmt.Sprintf("r%d-%d@example.com", r, i), "Wr0ng-Passw0rd!")
		}
		_, d := ts.waitIncident(t, owner, "credential_stuffing", "?status=open&limit=1", incidentWait)
		took = append(took, d)
		// Resolve it so the next round's incident is the newest open one.
		resp, body := ts.do(t, "GET", "/v1/incidents?status=open", owner, nil)
		for _, in := range body["incidents"].([]any) {
			ts.do(t, "PATCH", "/v1/incidents/"+in.(map[string]any)["id"].(string), owner, map[string]any{"status": "resolved"})
		}
		_ = resp
	}
	slices.Sort(took)
	p50, p99 := took[len(took)/2], took[len(took)*99/100]
	t.Logf("event to incident over %d incidents: p50 %s, p99 %s, max %s", rounds, p50, p99, took[len(took)-1])
	// The goal (p99 <= 1 s) is measured here and reported in
	// docs/benchmarks.md; the test fails only far above it, so that a busy
	// CI machine does not make it flaky.
	if p99 > timingSanity {
		t.Errorf("p99 %s, far above the 1 s goal", p99)
	}
}

// incidentWait is how long a test waits for an incident, and timingSanity
// the p99 above which the latency tests fail: far above the goals (1 s and
// 2 s), whose figures come from quiet runs (docs/benchmarks.md).
const (
	incidentWait = 20 * time.Second
	timingSanity = 8 * time.Second
)

// TestIncidentTwoReplicas: two replicas sharing PostgreSQL and Redis take
// the failed logins of one attack in turns; the rules count them together
// and open one incident. Goal: p99 event to incident <= 2 s.
func TestIncidentTwoReplicas(t *testing.T) {
	env := monitorEnv(t, "postgres")
	env["RAMPART_REDIS_URL"] = requireRedis(t)
	a := start(t, env)
	b := secondReplica(t, env)
	a.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := a.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	const rounds = 10
	var took []time.Duration
	for r := range rounds {
		ip := fmt.Sprintf("198.51.100.%d", r+1)
		for i := range 20 {
			ts := a
			if i%2 == 1 {
				ts = b
			}
			ts.loginFrom(t, ip, "acme", fmt.Sprintf("two%d-%d@example.com", r, i), "Wr0ng-Passw0rd!")
		}
		ts := a
		if r%2 == 1 {
			ts = b
		}
		in, d := ts.waitIncident(t, owner, "credential_stuffing", "?status=open&limit=1", incidentWait)
		if in["dedup_key"] != "credential_stuffing:ip="+ip {
			t.Fatalf("round %d: incident %v", r, in)
		}
		took = append(took, d)
		ts.do(t, "PATCH", "/v1/incidents/"+in["id"].(string), owner, map[string]any{"status": "resolved"})
	}
	time.Sleep(time.Second)
	_, body := a.do(t, "GET", "/v1/incidents?limit=500", owner, nil)
	if n := len(body["incidents"].([]any)); n != rounds {
		t.Errorf("%d incidents for %d attacks", n, rounds)
	}
	slices.Sort(took)
	p99 := took[len(took)*99/100]
	t.Logf("two replicas, event to incident over %d incidents: p50 %s, p99 %s", rounds, took[len(took)/2], p99)
	if p99 > timingSanity {
		t.Errorf("p99 %s, far above the 2 s goal", p99)
	}
}

// TestIncidentActions: an admin blocks the address of a credential-stuffing
// incident, and ends the sessions of a user whose MFA codes fail in a burst;
// each action is audited and on the timeline.
func TestIncidentActions(t *testing.T) {
	ts := start(t, monitorEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	for i := range 20 {
		ts.loginFrom(t, "203.0.113.66", "acme", fmt.Sprintf("v%d@example.com", i), "Wr0ng-Passw0rd!")
	}
	in, _ := ts.waitIncident(t, owner, "credential_stuffing", "?status=open", incidentWait)
	// The rule's own action, block_ip, ran once the incident was recorded:
	// for an hour (ip_deny_until).
	for deadline := time.Now().Add(2 * time.Second); ts.loginFrom(t, "203.0.113.66", "acme", "owner@acme.io", ownerPassword) != 403; {
		if time.Now().After(deadline) {
			t.Fatal("address not blocked automatically")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, body := ts.do(t, "GET", "/v1/tenant", owner, nil); body["settings"].(map[string]any)["ip_deny_until"] == nil {
		t.Errorf("automatic block without an end: %v", body)
	}
	path := "/v1/incidents/" + in["id"].(string) + "/actions"
	for _, c := range []struct {
		body   any
		status int
		field  string
	}{
		{map[string]any{"action": "nuke"}, 422, "action"},
		{map[string]any{}, 422, "action"},
		{map[string]any{"action": "revoke_user_sessions"}, 422, "action"}, // the incident names an address, not a user
		{map[string]any{"action": "lock_account", "duration_seconds": -1}, 422, "duration_seconds"},
		{map[string]any{"action": "block_ip"}, 200, ""},
	} {
		resp, body := ts.do(t, "POST", path, owner, c.body)
		if c.status >= 400 {
			assertProblem(t, resp, body, c.status)
		}
		if resp.StatusCode != c.status || (c.field != "" && body["field"] != c.field) {
			t.Errorf("%v: %d %v, want %d naming %q", c.body, resp.StatusCode, body, c.status, c.field)
		}
	}
	if got := ts.loginFrom(t, "203.0.113.66", "acme", "owner@acme.io", ownerPassword); got != 403 {
		t.Errorf("login from the blocked address: %d", got)
	}
	if got := ts.loginFrom(t, "198.51.100.1", "acme", "owner@acme.io", ownerPassword); got != 200 {
		t.Errorf("login from another address: %d", got)
	}
	if resp, _ := ts.do(t, "POST", "/v1/incidents/00000000-0000-0000-0000-000000000000/actions", owner, map[string]any{"action": "block_ip"}); resp.StatusCode != 404 {
		t.Errorf("unknown incident: %d", resp.StatusCode)
	}
	// A user session ended through an incident.
	_, victim := ts.member(t, owner, "acme", "victim@acme.io", "member")
	for range 3 {
		ts.loginFrom(t, "203.0.113.70", "acme", "victim@acme.io", "Wr0ng-Passw0rd!")
	}
	resp, _ := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"monitoring": map[string]any{"rules": map[string]any{"failed_login_burst": map[string]any{"threshold": 3}}}})
	if resp.StatusCode != 200 {
		t.Fatalf("settings: %d", resp.StatusCode)
	}
	for range 3 {
		ts.loginFrom(t, "203.0.113.70", "acme", "victim@acme.io", "Wr0ng-Passw0rd!")
	}
	in, _ = ts.waitIncident(t, owner, "failed_login_burst", "?status=open", incidentWait)
	if got := ts.status(t, "GET", "/v1/me", victim, nil); got != 200 {
		t.Fatalf("victim before: %d", got)
	}
	resp, body := ts.do(t, "POST", "/v1/incidents/"+in["id"].(string)+"/actions", owner, map[string]any{"action": "revoke_user_sessions"})
	if resp.StatusCode != 200 {
		t.Fatalf("revoke: %d %v", resp.StatusCode, body)
	}
	if got := ts.status(t, "GET", "/v1/me", victim, nil); got != 401 {
		t.Errorf("victim's token after the action: %d", got)
	}
	resp, body = ts.do(t, "GET", "/v1/events?type=incident_action", owner, nil)
	auto := 0
	for _, e := range body["events"].([]any) {
		if e.(map[string]any)["details"].(map[string]any)["automatic"] == true {
			auto++
		}
	}
	if n := len(body["events"].([]any)); n != 3 || auto != 1 {
		t.Errorf("%d incident_action events (%d automatic), want 3 (1): %v", n, auto, body)
	}
}
