package main

import (
	"net/http"
	"strings"
	"testing"
	"time"
)

func (ts *testServer) withKey(t *testing.T, scheme, key, method, path string, body any) int {
	t.Helper()
	req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(string(mustJSON(body))))
	req.Header.Set("Authorization", scheme+" "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestAPIKeys(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		ts.tenantWithOwner(t, "beta", "owner@beta.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		betaOwner, _ := ts.mustLogin(t, "beta", "owner@beta.io", ownerPassword)
		if ts.status(t, "POST", "/v1/api-keys", owner, map[string]any{"name": "big", "role": "api_user", "rate_limit_tier": "premium"}) != 403 {
			t.Fatal("a key's tier above its tenant's")
		}
		_, tl := ts.do(t, "GET", "/v1/tenants?limit=1", testOperatorToken, nil)
		ts.do(t, "PATCH", "/v1/tenants/"+tl["tenants"].([]any)[0].(map[string]any)["id"].(string), testOperatorToken, map[string]any{"settings": map[string]any{"rate_limit_tier": "premium"}})
		resp, created := ts.do(t, "POST", "/v1/api-keys", owner, map[string]any{"name": "ingest", "role": "api_user", "rate_limit_tier": "premium"})
		if resp.StatusCode != 201 {
			t.Fatalf("create: %d %v", resp.StatusCode, created)
		}
		key := created["key"].(string)
		if !strings.HasPrefix(key, "rmp_") || created["api_key"].(map[string]any)["id"] == "" {
			t.Fatalf("key %v", created)
		}
		id := created["api_key"].(map[string]any)["id"].(string)
		// Both schemes work; the key carries its own permissions.
		for _, scheme := range []string{"ApiKey", "Bearer"} {
			if st := ts.withKey(t, scheme, key, "POST", "/v1/authz/check", map[string]any{"permission": "api:write"}); st != 200 {
				t.Fatalf("%s check: %d", scheme, st)
			}
		}
		if st := ts.withKey(t, "ApiKey", key, "GET", "/v1/users", nil); st != 403 {
			t.Fatalf("api_user key listed users: %d", st)
		}
		if st := ts.withKey(t, "ApiKey", key, "GET", "/v1/me", nil); st != 403 {
			t.Fatalf("API key on a session route: %d", st)
		}
		if st := ts.withKey(t, "ApiKey", key[:len(key)-4]+"AAAA", "POST", "/v1/authz/check", map[string]any{"permission": "api:write"}); st != 401 {
			t.Fatalf("wrong secret: %d", st)
		}
		// The listing never shows the key, and records its use.
		time.Sleep(2500 * time.Millisecond)
		_, list := ts.do(t, "GET", "/v1/api-keys", owner, nil)
		k := list["api_keys"].([]any)[0].(map[string]any)
		if strings.Contains(string(mustJSON(list)), key) || k["last_used_at"] == nil || k["rate_limit_tier"] != "premium" {
			t.Fatalf("list %v", list)
		}
		// Introspection with a tenant key sees its own tenant's tokens only.
		betaAccess, _ := ts.mustLogin(t, "beta", "owner@beta.io", ownerPassword)
		for tok, want := range map[string]bool{owner: true, betaAccess: false} {
			req, _ := http.NewRequest("POST", ts.URL+"/v1/auth/introspect", strings.NewReader(string(mustJSON(map[string]any{"token": tok}))))
			req.Header.Set("Authorization", "ApiKey "+key)
			r, _ := http.DefaultClient.Do(req)
			var body map[string]any
			jsonDecode(r, &body)
			if body["active"] != want {
				t.Fatalf("introspect with key: %v, want active=%v", body, want)
			}
		}
		// Keys never carry more than their creator holds.
		_, dev := ts.member(t, owner, "acme", "dev@acme.io", "developer")
		if resp, b := ts.do(t, "POST", "/v1/api-keys", dev, map[string]any{"name": "x", "permissions": []string{"users:read"}}); resp.StatusCode != 403 || b["field"] != "permissions[0]" {
			t.Fatalf("developer key with users:read: %d %v", resp.StatusCode, b)
		}
		if resp, b := ts.do(t, "POST", "/v1/api-keys", dev, map[string]any{"name": "x", "role": "admin"}); resp.StatusCode != 403 {
			t.Fatalf("developer key with role admin: %d %v", resp.StatusCode, b)
		}
		_, member := ts.member(t, owner, "acme", "m@acme.io", "member")
		if ts.status(t, "POST", "/v1/api-keys", member, map[string]any{"name": "x", "role": "member"}) != 403 {
			t.Fatal("member created a key without api:keys")
		}
		for _, bad := range []map[string]any{{"name": "", "role": "member"}, {"name": "x"}, {"name": "x", "role": "nope"},
			{"name": "x", "permissions": []string{"bad perm"}}, {"name": "x", "role": "member", "expires_at": "2001-01-01T00:00:00Z"},
			{"name": "x", "role": "member", "rate_limit_tier": "gold"}} {
			if resp, b := ts.do(t, "POST", "/v1/api-keys", owner, bad); resp.StatusCode != 422 {
				t.Errorf("%v: %d %v", bad, resp.StatusCode, b)
			}
		}
		// A short-lived key expires; a revoked one stops at once.
		_, short := ts.do(t, "POST", "/v1/api-keys", owner, map[string]any{"name": "short", "permissions": []string{"users:read"},
			"expires_at": time.Now().Add(1500 * time.Millisecond).UTC().Format(time.RFC3339Nano)})
		if st := ts.withKey(t, "ApiKey", short["key"].(string), "GET", "/v1/users", nil); st != 200 {
			t.Fatalf("users:read key: %d (%v)\n%s", st, short, ts.stderr.String()[max(0, len(ts.stderr.String())-1500):])
		}
		time.Sleep(1600 * time.Millisecond)
		if st := ts.withKey(t, "ApiKey", short["key"].(string), "GET", "/v1/users", nil); st != 401 {
			t.Fatalf("expired key: %d", st)
		}
		if ts.status(t, "DELETE", "/v1/api-keys/"+id, betaOwner, nil) != 404 {
			t.Fatal("another tenant revoked the key")
		}
		if ts.status(t, "DELETE", "/v1/api-keys/"+id, owner, nil) != 204 {
			t.Fatal("revoke")
		}
		if st := ts.withKey(t, "ApiKey", key, "POST", "/v1/authz/check", map[string]any{"permission": "api:write"}); st != 401 {
			t.Fatalf("revoked key: %d", st)
		}
	})
}

// TestAPIKeyCannotStepUp: with step-up on, a key (which has no second
// factor) cannot change roles; malformed expiry dates name their field.
func TestAPIKeyCannotStepUp(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	tid := ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	uid, _ := ts.member(t, owner, "acme", "m@acme.io", "member")
	_, created := ts.do(t, "POST", "/v1/api-keys", owner, map[string]any{"name": "ops", "role": "admin"})
	key := created["key"].(string)
	if st := ts.withKey(t, "ApiKey", key, "PATCH", "/v1/users/"+uid, map[string]any{"role": "viewer"}); st != 200 {
		t.Fatalf("role change by key without step-up: %d", st)
	}
	ts.do(t, "PATCH", "/v1/tenants/"+tid, testOperatorToken, map[string]any{"settings": map[string]any{"step_up_minutes": 5}})
	if st := ts.withKey(t, "ApiKey", key, "PATCH", "/v1/users/"+uid, map[string]any{"role": "member"}); st != 401 {
		t.Fatalf("role change by key under step-up: %d", st)
	}
	for _, bad := range []string{"tomorrow", "2030-13-01T00:00:00Z", "2001-01-01T00:00:00Z"} {
		if resp, b := ts.do(t, "POST", "/v1/api-keys", owner, map[string]any{"name": "x", "role": "member", "expires_at": bad}); resp.StatusCode != 422 || b["field"] != "expires_at" {
			t.Errorf("expires_at %q: %d %v", bad, resp.StatusCode, b)
		}
	}
}

// TestAPIKeysFollowTheirCreator: a key stops working when its creator loses
// what it grants; keys cannot make keys; lower roles cannot revoke higher
// roles' keys; a role held by a key cannot be deleted.
func TestAPIKeysFollowTheirCreator(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		adminID, admin := ts.member(t, owner, "acme", "admin@acme.io", "admin")
		_, k := ts.do(t, "POST", "/v1/api-keys", admin, map[string]any{"name": "admin key", "permissions": []string{"users:read", "api:keys"}})
		key := k["key"].(string)
		if st := ts.withKey(t, "ApiKey", key, "GET", "/v1/users", nil); st != 200 {
			t.Fatalf("key works: %d", st)
		}
		if st := ts.withKey(t, "ApiKey", key, "POST", "/v1/api-keys", map[string]any{"name": "child", "permissions": []string{"users:read"}}); st != 403 {
			t.Fatalf("a key created a key: %d", st)
		}
		// The creator is demoted: the key loses what it no longer holds.
		if ts.status(t, "PATCH", "/v1/users/"+adminID, owner, map[string]any{"role": "viewer"}) != 200 {
			t.Fatal("demote")
		}
		if st := ts.withKey(t, "ApiKey", key, "GET", "/v1/users", nil); st != 401 {
			t.Fatalf("key of a demoted creator: %d", st)
		}
		// A developer cannot revoke the owner's key.
		_, ownerKey := ts.do(t, "POST", "/v1/api-keys", owner, map[string]any{"name": "owner key", "role": "api_user"})
		_, dev := ts.member(t, owner, "acme", "dev@acme.io", "developer")
		oid := ownerKey["api_key"].(map[string]any)["id"].(string)
		if ts.status(t, "DELETE", "/v1/api-keys/"+oid, dev, nil) != 403 {
			t.Fatal("developer revoked the owner's key")
		}
		// A custom role held by a key cannot be deleted.
		ts.do(t, "POST", "/v1/roles", owner, map[string]any{"name": "robot", "level": 1, "permissions": []string{"api:read"}})
		ts.do(t, "POST", "/v1/api-keys", owner, map[string]any{"name": "robot key", "role": "robot"})
		if ts.status(t, "DELETE", "/v1/roles/robot", owner, nil) != 409 {
			t.Fatal("deleted a role a key holds")
		}
	})
}
