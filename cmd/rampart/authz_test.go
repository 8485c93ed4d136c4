package main

import (
	"strings"
	"testing"
)

// member creates a user with role (and permissions) through the owner and
// logs them in.
func (ts *testServer) member(t *testing.T, owner, tenant, email, role string, perms ...string) (string, string) {
	t.Helper()
	body := map[string]any{"email": email, "password": "An0ther-Str0ng-One", "role": role}
	if len(perms) > 0 {
		body["permissions"] = perms
	}
	resp, u := ts.do(t, "POST", "/v1/users", owner, body)
	if resp.StatusCode != 201 {
		t.Fatalf("create %s: %d %v", email, resp.StatusCode, u)
	}
	access, _ := ts.mustLogin(t, tenant, email, "An0ther-Str0ng-One")
	return u["id"].(string), access
}

func TestAuthzCheckAPI(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		ts.tenantWithOwner(t, "beta", "owner@beta.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		beta, _ := ts.mustLogin(t, "beta", "owner@beta.io", ownerPassword)
		memberID, member := ts.member(t, owner, "acme", "m@acme.io", "member", "conversations:delete:c-42")
		_, manager := ts.member(t, owner, "acme", "mgr@acme.io", "manager")
		check := func(token string, body map[string]any) (int, map[string]any) {
			resp, b := ts.do(t, "POST", "/v1/authz/check", token, body)
			return resp.StatusCode, b
		}
		cases := []struct {
			perm, res string
			want      bool
			reason    string
		}{
			{"conversations:read", "", true, "role member grants conversations:read"},
			{"conversations:delete", "c-42", true, "custom permission conversations:delete:c-42"},
			{"conversations:delete", "c-43", false, ""},
			{"conversations:delete", "", false, ""},
			{"users:read", "", false, ""},
		}
		for _, c := range cases {
			st, b := check(member, map[string]any{"permission": c.perm, "resource": c.res})
			if st != 200 || b["allowed"] != c.want || (c.reason != "" && b["reason"] != c.reason) {
				t.Errorf("%s %s: %d %v", c.perm, c.res, st, b)
			}
		}
		// Asking about another user needs users:read, and only within the tenant.
		if st, _ := check(member, map[string]any{"permission": "conversations:read", "user_id": memberID}); st != 200 {
			t.Fatal("checking oneself by id")
		}
		_, mgrMe := ts.do(t, "GET", "/v1/me", manager, nil)
		if st, b := check(member, map[string]any{"permission": "conversations:read", "user_id": mgrMe["id"]}); st != 403 || b["field"] != "user_id" {
			t.Fatalf("member asked about another user: %d %v", st, b)
		}
		if st, b := check(manager, map[string]any{"permission": "conversations:delete", "resource": "c-42", "user_id": memberID}); st != 200 || b["allowed"] != true {
			t.Fatalf("manager asks about member: %d %v", st, b)
		}
		if st, _ := check(beta, map[string]any{"permission": "conversations:read", "user_id": memberID}); st != 404 {
			t.Fatalf("another tenant's user: %d", st)
		}
		for _, bad := range []map[string]any{
			{"permission": ""}, {"permission": "conversations"}, {"permission": "a:b:c"}, {"permission": "conv ersations:read"},
			{"permission": "conversations:*"}, {"permission": strings.Repeat("a", 201) + ":read"}, {"permission": "a:b", "resource": "x y"},
		} {
			st, b := check(member, bad)
			if st != 422 || (b["field"] != "permission" && b["field"] != "resource") {
				t.Errorf("%v: %d %v", bad, st, b)
			}
		}
		resp, batch := ts.do(t, "POST", "/v1/authz/check-batch", member, map[string]any{"checks": []map[string]any{
			{"permission": "conversations:read"}, {"permission": "users:read"}, {"permission": "conversations:delete", "resource": "c-42"}}})
		res := batch["results"].([]any)
		if resp.StatusCode != 200 || len(res) != 3 || res[0].(map[string]any)["allowed"] != true || res[1].(map[string]any)["allowed"] != false {
			t.Fatalf("batch: %v", batch)
		}
		many := make([]map[string]any, 101)
		for i := range many {
			many[i] = map[string]any{"permission": "a:b"}
		}
		if resp, b := ts.do(t, "POST", "/v1/authz/check-batch", member, map[string]any{"checks": many}); resp.StatusCode != 422 || b["field"] != "checks" {
			t.Fatalf("101 checks: %d %v", resp.StatusCode, b)
		}
		if resp, b := ts.do(t, "POST", "/v1/authz/check-batch", member, map[string]any{"checks": []map[string]any{{"permission": "a:b"}, {"permission": "bad"}}}); resp.StatusCode != 422 || b["field"] != "checks[1].permission" {
			t.Fatalf("bad batch item: %d %v", resp.StatusCode, b)
		}
	})
}

func TestRolesAndGrants(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		_, admin := ts.member(t, owner, "acme", "admin@acme.io", "admin")
		_, manager := ts.member(t, owner, "acme", "mgr@acme.io", "manager")
		// Custom roles: within the creator's level and permissions.
		resp, role := ts.do(t, "POST", "/v1/roles", admin, map[string]any{"name": "auditor", "level": 2, "permissions": []string{"admin:audit", "analytics:read"}})
		if resp.StatusCode != 201 || role["custom"] != true {
			t.Fatalf("create role: %d %v", resp.StatusCode, role)
		}
		for _, bad := range []struct {
			body   map[string]any
			status int
			field  string
		}{
			{map[string]any{"name": "secops", "level": 2, "permissions": []string{"admin:security"}}, 403, "permissions[0]"},
			{map[string]any{"name": "boss", "level": 6, "permissions": []string{}}, 422, "level"},
			{map[string]any{"name": "zero", "level": 0, "permissions": []string{}}, 422, "level"},
			{map[string]any{"name": "admin", "level": 2, "permissions": []string{}}, 409, "name"},
			{map[string]any{"name": "auditor", "level": 2, "permissions": []string{}}, 409, "name"},
			{map[string]any{"name": "Bad Name", "level": 2, "permissions": []string{}}, 422, "name"},
			{map[string]any{"name": "odd", "level": 2, "permissions": []string{"a::b"}}, 422, "permissions[0]"},
		} {
			resp, b := ts.do(t, "POST", "/v1/roles", admin, bad.body)
			if resp.StatusCode != bad.status || b["field"] != bad.field {
				t.Errorf("%v: %d %v", bad.body, resp.StatusCode, b)
			}
		}
		if resp, b := ts.do(t, "POST", "/v1/roles", manager, map[string]any{"name": "x_role", "level": 1, "permissions": []string{}}); resp.StatusCode != 403 {
			t.Fatalf("manager created a role: %v", b)
		}
		_, roles := ts.do(t, "GET", "/v1/roles", admin, nil)
		if roles["preset"] != "chatbot" || len(roles["roles"].([]any)) != 8 {
			t.Fatalf("roles %v", roles)
		}
		// The custom role works like any other.
		_, auditor := ts.member(t, owner, "acme", "aud@acme.io", "auditor")
		if ts.status(t, "GET", "/v1/audit/events", auditor, nil) != 200 || ts.status(t, "GET", "/v1/users", auditor, nil) != 403 {
			t.Fatal("custom role permissions not enforced")
		}
		// Nobody grants what they do not hold.
		uid, _ := ts.member(t, owner, "acme", "dev@acme.io", "developer")
		if resp, b := ts.do(t, "PATCH", "/v1/users/"+uid, admin, map[string]any{"permissions": []string{"admin:security"}}); resp.StatusCode != 403 || b["field"] != "permissions[0]" {
			t.Fatalf("admin granted admin:security: %d %v", resp.StatusCode, b)
		}
		if ts.status(t, "PATCH", "/v1/users/"+uid, admin, map[string]any{"permissions": []string{"users:read", "conversations:delete:c-1"}}) != 200 {
			t.Fatal("admin granting what it holds")
		}
		if ts.status(t, "PATCH", "/v1/users/"+uid, owner, map[string]any{"permissions": []string{"admin:security"}}) != 200 {
			t.Fatal("owner granting admin:security")
		}
		// A manager invites roles whose permissions it holds (viewer, not
		// member, which can write conversations), and cannot set permissions.
		if resp, b := ts.do(t, "POST", "/v1/users", manager, map[string]any{"email": "new@acme.io", "password": "An0ther-Str0ng-One", "role": "viewer"}); resp.StatusCode != 201 {
			t.Fatalf("manager invites a viewer: %v", b)
		}
		if resp, b := ts.do(t, "POST", "/v1/users", manager, map[string]any{"email": "new2@acme.io", "password": "An0ther-Str0ng-One", "role": "member"}); resp.StatusCode != 403 || b["field"] != "role" {
			t.Fatalf("manager invites a member: %d %v", resp.StatusCode, b)
		}
		if ts.status(t, "POST", "/v1/users", manager, map[string]any{"email": "n2@acme.io", "password": "An0ther-Str0ng-One", "role": "developer"}) != 403 {
			t.Fatal("manager created a developer (above its level)")
		}
		if ts.status(t, "POST", "/v1/users", manager, map[string]any{"email": "n3@acme.io", "password": "An0ther-Str0ng-One", "role": "member", "permissions": []string{"conversations:read"}}) != 403 {
			t.Fatal("manager set permissions without users:roles")
		}
		// That refusal is recorded once, naming the permission and the
		// route; the refusal before it, by the role rule, names the field.
		_, ev := ts.do(t, "GET", "/v1/audit/events?type=permission_denied&limit=2", owner, nil)
		if list := ev["events"].([]any); len(list) != 2 ||
			list[0].(map[string]any)["resource"] != "POST /v1/users" || list[0].(map[string]any)["details"].(map[string]any)["permission"] != "users:roles" ||
			list[1].(map[string]any)["details"].(map[string]any)["field"] != "role" {
			t.Fatalf("permission_denied events %v", list)
		}
		if ts.status(t, "DELETE", "/v1/roles/admin", owner, nil) != 403 || ts.status(t, "DELETE", "/v1/roles/auditor", owner, nil) != 409 {
			t.Fatal("role deletion rules")
		}
		if ts.status(t, "DELETE", "/v1/roles/nope", owner, nil) != 404 {
			t.Fatal("unknown role")
		}
	})
}

func TestRolePresets(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	body := newTenantBody("docs", "owner@docs.io")
	body["role_preset"] = "document_intelligence"
	if resp, b := ts.do(t, "POST", "/v1/tenants", testOperatorToken, body); resp.StatusCode != 201 || b["settings"].(map[string]any)["role_preset"] != "document_intelligence" {
		t.Fatalf("create: %v", b)
	}
	bad := newTenantBody("odd", "o@odd.io")
	bad["role_preset"] = "unknown"
	if resp, b := ts.do(t, "POST", "/v1/tenants", testOperatorToken, bad); resp.StatusCode != 422 || b["field"] != "role_preset" {
		t.Fatalf("unknown preset: %d %v", resp.StatusCode, b)
	}
	_, list := ts.do(t, "GET", "/v1/tenants", testOperatorToken, nil)
	docsID := list["tenants"].([]any)[0].(map[string]any)["id"].(string)
	// Settings merge: a PATCH of one field keeps the others; the preset is fixed.
	if resp, b := ts.do(t, "PATCH", "/v1/tenants/"+docsID, testOperatorToken, map[string]any{"settings": map[string]any{"max_sessions_per_user": 3}}); resp.StatusCode != 200 ||
		b["settings"].(map[string]any)["role_preset"] != "document_intelligence" || b["settings"].(map[string]any)["max_sessions_per_user"].(float64) != 3 {
		t.Fatalf("settings merge: %d %v", resp.StatusCode, b)
	}
	if resp, b := ts.do(t, "PATCH", "/v1/tenants/"+docsID, testOperatorToken, map[string]any{"settings": map[string]any{"role_preset": "coaching"}}); resp.StatusCode != 422 || b["field"] != "settings.role_preset" {
		t.Fatalf("preset change: %d %v", resp.StatusCode, b)
	}
	if resp, b := ts.do(t, "PATCH", "/v1/tenants/"+docsID, testOperatorToken, map[string]any{"settings": map[string]any{"bogus": 1}}); resp.StatusCode != 400 || b["field"] != "bogus" {
		t.Fatalf("unknown setting: %d %v", resp.StatusCode, b)
	}
	owner, _ := ts.mustLogin(t, "docs", "owner@docs.io", ownerPassword)
	if resp, b := ts.do(t, "POST", "/v1/users", owner, map[string]any{"email": "r@docs.io", "password": "An0ther-Str0ng-One"}); resp.StatusCode != 400 || b["field"] != "role" {
		t.Fatalf("no default role outside the chatbot preset: %d %v", resp.StatusCode, b)
	}
	_, roles := ts.do(t, "GET", "/v1/roles", owner, nil)
	names := []string{}
	for _, r := range roles["roles"].([]any) {
		names = append(names, r.(map[string]any)["name"].(string))
	}
	if strings.Join(names, ",") != "owner,admin,power_user,standard_user,viewer" {
		t.Fatalf("roles %v", names)
	}
	_, pu := ts.member(t, owner, "docs", "pu@docs.io", "power_user")
	_, b := ts.do(t, "POST", "/v1/authz/check", pu, map[string]any{"permission": "document:update"})
	if b["allowed"] != true {
		t.Fatalf("power_user document:update: %v", b)
	}
	if resp, b := ts.do(t, "POST", "/v1/users", owner, map[string]any{"email": "x@docs.io", "password": "An0ther-Str0ng-One", "role": "developer"}); resp.StatusCode != 422 || b["field"] != "role" {
		t.Fatalf("chatbot role in a documents tenant: %d %v", resp.StatusCode, b)
	}
}

// TestTenantIsolationMatrix names, from tenant A, objects of tenant B on
// every endpoint that takes an id: each answer is 404, never 403.
func TestTenantIsolationMatrix(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		ts.tenantWithOwner(t, "beta", "owner@beta.io")
		a, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		b, _ := ts.mustLogin(t, "beta", "owner@beta.io", ownerPassword)
		bUser, bUserToken := ts.member(t, b, "beta", "m@beta.io", "member")
		_, bs := ts.do(t, "GET", "/v1/sessions", bUserToken, nil)
		bSession := bs["sessions"].([]any)[0].(map[string]any)["id"].(string)
		ts.do(t, "POST", "/v1/roles", b, map[string]any{"name": "beta_role", "level": 1, "permissions": []string{}})
		cases := []struct {
			method, path string
			body         any
		}{
			{"GET", "/v1/users/" + bUser, nil},
			{"PATCH", "/v1/users/" + bUser, map[string]any{"disabled": true}},
			{"PATCH", "/v1/users/" + bUser, map[string]any{"role": "viewer"}},
			{"DELETE", "/v1/users/" + bUser, nil},
			{"POST", "/v1/users/" + bUser + "/sessions/revoke", nil},
			{"POST", "/v1/users/" + bUser + "/mfa/reset", nil},
			{"DELETE", "/v1/sessions/" + bSession, nil},
			{"DELETE", "/v1/roles/beta_role", nil},
			{"POST", "/v1/authz/check", map[string]any{"permission": "a:b", "user_id": bUser}},
			{"POST", "/v1/authz/check-batch", map[string]any{"checks": []map[string]any{{"permission": "a:b", "user_id": bUser}}}},
		}
		for _, c := range cases {
			resp, body := ts.do(t, c.method, c.path, a, c.body)
			if resp.StatusCode != 404 {
				t.Errorf("%s %s from tenant A: %d %v", c.method, c.path, resp.StatusCode, body)
			}
		}
		// Tenant B's objects are untouched.
		if ts.status(t, "GET", "/v1/me", bUserToken, nil) != 200 || ts.status(t, "GET", "/v1/users/"+bUser, b, nil) != 200 {
			t.Fatal("tenant B's user was changed by tenant A")
		}
	})
}

// TestOwnTenantSettings: admin:security holders (the owner in the chatbot
// preset) change their tenant's settings; admins do not hold it.
func TestOwnTenantSettings(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	_, admin := ts.member(t, owner, "acme", "admin@acme.io", "admin")
	if _, b := ts.do(t, "GET", "/v1/tenant", admin, nil); b["slug"] != "acme" || b["settings"] == nil {
		t.Fatalf("own tenant: %v", b)
	}
	if ts.status(t, "PATCH", "/v1/tenant/settings", admin, map[string]any{"max_sessions_per_user": 2}) != 403 {
		t.Fatal("admin without admin:security changed settings")
	}
	resp, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"max_sessions_per_user": 2, "ip_change_policy": "revoke"})
	if resp.StatusCode != 200 || b["settings"].(map[string]any)["max_sessions_per_user"].(float64) != 2 || b["settings"].(map[string]any)["rate_limit_tier"] != "standard" {
		t.Fatalf("owner settings: %d %v", resp.StatusCode, b)
	}
	for _, bad := range []map[string]any{{"ip_change_policy": "maybe"}, {"max_sessions_per_user": 1000}, {"role_preset": "coaching"}, {"mfa_required_roles": []string{"Bad Role"}}} {
		if resp, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, bad); resp.StatusCode != 422 {
			t.Errorf("%v: %d %v", bad, resp.StatusCode, b)
		}
	}
	if resp, _ := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"nope": 1}); resp.StatusCode != 400 {
		t.Fatal("unknown setting accepted")
	}
	if resp, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"rate_limit_tier": "enterprise"}); resp.StatusCode != 403 || b["field"] != "rate_limit_tier" {
		t.Fatalf("tenant raised its own tier: %d %v", resp.StatusCode, b)
	}
}
