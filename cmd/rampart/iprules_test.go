package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/testdb"
)

// from sends a request as if from ip (through the trusted local proxy).
func (ts *testServer) from(t *testing.T, ip, method, path, token string) int {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader("{}"))
	req.Header.Set("X-Forwarded-For", ip)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestTenantIPRules(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) { testTenantIPRules(t, d) })
	}
}

func testTenantIPRules(t *testing.T, dialect string) {
	env := testEnv(t, dialect)
	env["RAMPART_TRUSTED_PROXIES"] = "127.0.0.1/32"
	ts := start(t, env)
	{
		id := ts.tenantWithOwner(t, "acme", "owner@acme.io")
		access, refresh := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		_, created := ts.do(t, "POST", "/v1/api-keys", access, map[string]any{"name": "ingest", "role": "api_user"})
		key, _ := created["key"].(string)
		if key == "" {
			t.Fatalf("create API key: %v", created)
		}

		// A malformed CIDR is a 422 naming the entry; nothing is saved.
		resp, body := ts.do(t, "PATCH", "/v1/tenant/settings", access, map[string]any{"ip_deny": []string{"203.0.113.0/24", "10.0.0.0/33"}})
		assertProblem(t, resp, body, 422)
		if body["field"] != "settings.ip_deny[1]" || !strings.Contains(body["detail"].(string), "10.0.0.0/33") {
			t.Fatalf("malformed CIDR: %v", body)
		}
		// Allow only 198.18.0.0/15 and 2001:db8::/32, deny 198.18.9.0/24.
		resp, body = ts.do(t, "PATCH", "/v1/tenant/settings", access, map[string]any{
			"ip_allow": []string{"198.18.0.0/15", "2001:db8::/32"}, "ip_deny": []string{"198.18.9.0/24"}})
		if resp.StatusCode != 200 {
			t.Fatalf("set rules: %d %v", resp.StatusCode, body)
		}
		for _, tc := range []struct {
			ip   string
			want int
		}{
			{"198.18.1.1", 200}, {"2001:db8::7", 200}, {"198.18.9.9", 403}, {"203.0.113.5", 403}, {"2001:db9::1", 403},
		} {
			if got := ts.from(t, tc.ip, "GET", "/v1/me", access); got != tc.want {
				t.Errorf("token from %s: %d, want %d", tc.ip, got, tc.want)
			}
		}
		// Refused before the password is looked at: even a right password.
		if got := ts.loginFrom(t, "203.0.113.5", "acme", "owner@acme.io", ownerPassword); got != 403 {
			t.Errorf("login from a blocked address: %d", got)
		}
		if got := ts.loginFrom(t, "198.18.2.2", "acme", "owner@acme.io", ownerPassword); got != 200 {
			t.Errorf("login from an allowed address: %d", got)
		}
		// Refresh tokens and API keys are refused from blocked addresses too.
		req, _ := http.NewRequest("POST", ts.URL+"/v1/auth/refresh", strings.NewReader(`{"refresh_token":"`+refresh+`"}`))
		req.Header.Set("X-Forwarded-For", "203.0.113.5")
		if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 403 {
			t.Errorf("refresh from a blocked address: %v %v", resp.StatusCode, err)
		}
		// A key is checked before the IP rules: a forged or unknown key is a
		// 401 from anywhere (a 403 would reveal the tenant's IP policy to
		// whoever guesses a tenant id); a genuine one from a blocked address
		// is a 403.
		forged := key[:len(key)-43] + strings.Repeat("A", 43)
		unknown, _, _, err := identity.NewAPIKey(id)
		if err != nil {
			t.Fatal(err)
		}
		parts := strings.Split(access, ".")
		forgedJWT := parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2]))
		for _, tc := range []struct {
			what, ip, token string
			want            int
		}{
			{"genuine key, allowed address", "198.18.1.1", key, 200},
			{"genuine key, blocked address", "203.0.113.5", key, 403},
			{"forged key, blocked address", "203.0.113.5", forged, 401},
			{"unknown key, blocked address", "203.0.113.5", unknown, 401},
			{"forged key, allowed address", "198.18.1.1", forged, 401},
			{"forged token, blocked address", "203.0.113.5", forgedJWT, 401},
		} {
			if got := ts.from(t, tc.ip, "GET", "/v1/tenant", tc.token); got != tc.want {
				t.Errorf("%s: %d, want %d", tc.what, got, tc.want)
			}
		}
		// The refusal is audited.
		adminFromAllowed := func(path string) map[string]any {
			req, _ := http.NewRequest("GET", ts.URL+path, nil)
			req.Header.Set("X-Forwarded-For", "198.18.1.1")
			req.Header.Set("Authorization", "Bearer "+access)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var m map[string]any
			jsonDecode(resp, &m)
			return m
		}
		events := adminFromAllowed("/v1/audit/events?type=ip_blocked")
		list, _ := events["events"].([]any)
		if len(list) == 0 {
			t.Fatalf("no ip_blocked event: %v", events)
		}
		// The operator lifts the rules.
		resp, body = ts.do(t, "PATCH", "/v1/tenants/"+id, testOperatorToken, map[string]any{"settings": map[string]any{"ip_allow": []string{}, "ip_deny": []string{}}})
		if resp.StatusCode != 200 {
			t.Fatalf("lift: %d %v", resp.StatusCode, body)
		}
		if got := ts.from(t, "203.0.113.5", "GET", "/v1/me", access); got != 200 {
			t.Errorf("after lifting: %d", got)
		}
	}
}

func TestGlobalIPRules(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_IP_DENY"] = "203.0.113.0/24,2001:db8:bad::/48"
	env["RAMPART_TRUSTED_PROXIES"] = "127.0.0.1/32"
	ts := start(t, env)
	if got := ts.from(t, "203.0.113.9", "GET", "/v1/tenants", testOperatorToken); got != 403 {
		t.Errorf("denied address: %d", got)
	}
	if got := ts.from(t, "203.0.113.9", "GET", "/healthz", ""); got != 200 {
		t.Errorf("health checks stay open: %d", got)
	}
	if got := ts.from(t, "198.51.100.1", "GET", "/v1/tenants", testOperatorToken); got != 200 {
		t.Errorf("other address: %d", got)
	}
	if ts.metric(t, "rampart_ip_denied_total") != 1 {
		t.Error("refusal not counted")
	}
	bad := testEnv(t, "sqlite")
	bad["RAMPART_IP_ALLOW"] = "10.0.0.0/8,not-a-cidr"
	if err := runErr(t, bad); err == nil || !strings.Contains(err.Error(), "RAMPART_IP_ALLOW[1]") {
		t.Errorf("malformed global rule: %v", err)
	}
}

func TestTenantRateLimits(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_RATE_LIMITS"] = "on"
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	resp, body := ts.do(t, "PATCH", "/v1/tenant/settings", access, map[string]any{"rate_limits": map[string]any{"exports": map[string]any{"rate": 2, "period_seconds": 60, "algorithm": "fixed_window"}}})
	if resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	for i, want := range []int{200, 200, 429} {
		resp, body := ts.do(t, "POST", "/v1/ratelimit/check", access, map[string]any{"key": "u1", "operation": "exports"})
		if resp.StatusCode != want {
			t.Fatalf("call %d: %d %v", i, resp.StatusCode, body)
		}
	}
	// A new map replaces the old one: "exports" is gone.
	if resp, body := ts.do(t, "PATCH", "/v1/tenant/settings", access, map[string]any{"rate_limits": map[string]any{"imports": map[string]any{"rate": 5, "period_seconds": 60}}}); resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	if resp, _ := ts.do(t, "POST", "/v1/ratelimit/check", access, map[string]any{"key": "u1", "operation": "exports"}); resp.StatusCode != 422 {
		t.Fatalf("replaced limit still there: %d", resp.StatusCode)
	}
	resp, body = ts.do(t, "PATCH", "/v1/tenant/settings", access, map[string]any{"rate_limits": map[string]any{"Bad Name": map[string]any{"rate": 2, "period_seconds": 60}}})
	assertProblem(t, resp, body, 422)
	resp, body = ts.do(t, "PATCH", "/v1/tenant/settings", access, map[string]any{"rate_limits": map[string]any{"x": map[string]any{"rate": 2, "period_seconds": 60, "algorithm": "leaky"}}})
	if resp.StatusCode != 422 || body["field"] != "settings.rate_limits.x.algorithm" {
		t.Fatalf("bad algorithm: %d %v", resp.StatusCode, body)
	}
	if resp, body := ts.do(t, "POST", "/v1/ratelimit/check", access, map[string]any{"key": "u1", "operation": "nope"}); resp.StatusCode != 422 || !strings.Contains(body["detail"].(string), "imports") {
		t.Fatalf("unknown operation: %v", body)
	}
}

func TestRateLimitConfigRefusedAtStart(t *testing.T) {
	for value, want := range map[string]string{
		`{"gold":{}}`:                          `unknown tier "gold"`,
		`{"basic":{"uploads":{"rate":1}}}`:     `unknown operation "uploads"`,
		`{"basic":{"api_calls":{"rate":0.5}}}`: "RAMPART_RATE_LIMIT_TIERS",
	} {
		env := testEnv(t, "sqlite")
		env["RAMPART_RATE_LIMIT_TIERS"] = value
		if err := runErr(t, env); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v", value, err)
		}
	}
}

// runErr runs serve with env, expecting it to refuse to start.
func runErr(t *testing.T, env map[string]string) error {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return run(ctx, []string{"serve"}, func(k string) string { return env[k] }, nil, io.Discard, io.Discard)
}
