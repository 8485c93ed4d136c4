package main

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
)

// memberPassword is the password ts.member gives.
const memberPassword = "An0ther-Str0ng-One"

// jwtClaims decodes the payload of a JWT without verifying it (the server
// verified it when it issued it; here only its content matters).
func jwtClaims(t *testing.T, raw string) map[string]any {
	t.Helper()
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWS: %q", raw)
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(b, &c); err != nil {
		t.Fatal(err)
	}
	return c
}

// loginWith logs in with extra body fields and a User-Agent.
func (ts *testServer) loginWith(t *testing.T, userAgent string, body map[string]any) (int, map[string]any) {
	t.Helper()
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest("POST", ts.URL+"/v1/auth/login", bytes.NewReader(j))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", userAgent)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var m map[string]any
	json.NewDecoder(resp.Body).Decode(&m)
	return resp.StatusCode, m
}

// TestClaimsInTokens: the tenant's and the user's attributes, the login's
// device_id and User-Agent reach the issued access token (and the one a
// refresh issues); custom claims are only of names the tenant allows, and
// never a registered claim.
func TestClaimsInTokens(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		member, _ := ts.member(t, owner, "acme", "member@acme.io", "member")

		// Registered names are refused as custom claims, naming the field.
		for _, bad := range []string{"sub", "tenant_id", "permissions", "role", "exp", "feature_flags", "rampart_x"} {
			resp, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"claims": map[string]any{"custom_names": []string{"department", bad}}})
			assertProblem(t, resp, b, 422)
			if b["field"] != "settings.claims.custom_names[1]" || !strings.Contains(b["detail"].(string), "registered") {
				t.Fatalf("custom name %s: %v", bad, b)
			}
		}
		settings := map[string]any{"claims": map[string]any{
			"feature_flags": []string{"beta_ui"}, "data_residency": "eu", "compliance_level": "standard", "daily_quota": 1000,
			"custom_names": []string{"department", "plan"}, "custom_claims": map[string]any{"plan": "pro", "department": "all"},
		}}
		if r, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, settings); r.StatusCode != 200 {
			t.Fatalf("settings: %d %v", r.StatusCode, b)
		}
		resp, b := ts.do(t, "PATCH", "/v1/users/"+member, owner, map[string]any{"custom_claims": map[string]any{"sub": "someone-else"}})
		assertProblem(t, resp, b, 422)
		if b["field"] != "custom_claims.sub" {
			t.Fatalf("registered custom claim: %v", b)
		}
		resp, b = ts.do(t, "PATCH", "/v1/users/"+member, owner, map[string]any{"custom_claims": map[string]any{"team": "red"}})
		assertProblem(t, resp, b, 422)
		if b["field"] != "custom_claims.team" {
			t.Fatalf("custom claim the tenant does not allow: %v", b)
		}
		resp, b = ts.do(t, "PATCH", "/v1/users/"+member, owner, map[string]any{"feature_flags": []string{"Not A Flag"}})
		assertProblem(t, resp, b, 422)
		resp, b = ts.do(t, "PATCH", "/v1/users/"+member, owner, map[string]any{
			"feature_flags": []string{"new_editor"}, "data_residency": "us", "compliance_level": "hipaa",
			"custom_claims": map[string]any{"department": "sales"},
		})
		if resp.StatusCode != 200 {
			t.Fatalf("patch user: %d %v", resp.StatusCode, b)
		}
		if a := b["attributes"].(map[string]any); a["data_residency"] != "us" || a["compliance_level"] != "hipaa" {
			t.Fatalf("attributes: %v", b)
		}

		const ua = "Acme-App/3.1 (iPhone)"
		st, b := ts.loginWith(t, ua, map[string]any{"tenant": "acme", "email": "member@acme.io", "password": memberPassword, "device_id": "dev-7f3a"})
		if st != 200 {
			t.Fatalf("login: %d %v", st, b)
		}
		sum := sha256.Sum256([]byte(ua))
		check := func(c map[string]any) {
			t.Helper()
			want := map[string]any{
				"password_change_required": false, "terms_accepted": false, "data_residency": "us", "compliance_level": "hipaa",
				"daily_quota": 1000.0, "device_id": "dev-7f3a", "user_agent_hash": hex.EncodeToString(sum[:16]),
				"department": "sales", "plan": "pro", "sub": member, "role": "member",
			}
			for k, v := range want {
				if c[k] != v {
					t.Errorf("claim %s = %v, want %v", k, c[k], v)
				}
			}
			if flags, _ := json.Marshal(c["feature_flags"]); string(flags) != `["beta_ui","new_editor"]` {
				t.Errorf("feature_flags %s", flags)
			}
			if scopes, ok := c["scopes"].([]any); !ok || len(scopes) != 0 {
				t.Errorf("scopes %v", c["scopes"])
			}
		}
		check(jwtClaims(t, b["access_token"].(string)))
		r, rb := ts.do(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": b["refresh_token"]})
		if r.StatusCode != 200 {
			t.Fatalf("refresh: %d %v", r.StatusCode, rb)
		}
		check(jwtClaims(t, rb["access_token"].(string)))

		// A login without device_id carries none; a malformed one is a 422.
		access, _ := ts.mustLogin(t, "acme", "member@acme.io", memberPassword)
		if c := jwtClaims(t, access); c["device_id"] != nil {
			t.Fatalf("device_id without one: %v", c["device_id"])
		}
		st, b = ts.loginWith(t, ua, map[string]any{"tenant": "acme", "email": "member@acme.io", "password": memberPassword, "device_id": "has space"})
		if st != 422 || b["field"] != "device_id" {
			t.Fatalf("bad device_id: %d %v", st, b)
		}
		// Nobody changes their own claims.
		_, me := ts.do(t, "GET", "/v1/me", owner, nil)
		if st := ts.status(t, "PATCH", "/v1/users/"+me["id"].(string), owner, map[string]any{"daily_quota": 5}); st != 403 {
			t.Fatalf("own claims: %d", st)
		}
	})
}

// TestPasswordChangeRequired: an admin's flag holds the user's tokens to
// their own account's routes (403 password_change_required elsewhere),
// old tokens included; changing the password lifts it at once.
func TestPasswordChangeRequired(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	member, _ := ts.member(t, owner, "acme", "member@acme.io", "member")
	before, _ := ts.mustLogin(t, "acme", "member@acme.io", memberPassword)
	if r, b := ts.do(t, "PATCH", "/v1/users/"+member, owner, map[string]any{"password_change_required": true}); r.StatusCode != 200 {
		t.Fatalf("flag: %d %v", r.StatusCode, b)
	}
	access, _ := ts.mustLogin(t, "acme", "member@acme.io", memberPassword)
	if c := jwtClaims(t, access); c["password_change_required"] != true {
		t.Fatalf("claim: %v", c)
	}
	for _, tok := range []string{before, access} {
		for _, route := range [][2]string{{"GET", "/v1/sessions"}, {"POST", "/v1/authz/check"}, {"GET", "/v1/tenant"}} {
			resp, b := ts.do(t, route[0], route[1], tok, map[string]any{"permission": "users:read"})
			assertProblem(t, resp, b, 403)
			if b["code"] != "password_change_required" {
				t.Fatalf("%s %s: %v", route[0], route[1], b)
			}
		}
	}
	resp, me := ts.do(t, "GET", "/v1/me", access, nil)
	if resp.StatusCode != 200 || me["password_change_required"] != true {
		t.Fatalf("me: %d %v", resp.StatusCode, me)
	}
	if st := ts.status(t, "POST", "/v1/me/password", access, map[string]any{"current_password": memberPassword, "new_password": newPassword}); st != 204 {
		t.Fatalf("change: %d", st)
	}
	if st := ts.status(t, "GET", "/v1/sessions", access, nil); st != 200 {
		t.Fatalf("after the change: %d", st)
	}
	fresh, _ := ts.mustLogin(t, "acme", "member@acme.io", newPassword)
	if c := jwtClaims(t, fresh); c["password_change_required"] != false {
		t.Fatalf("claim after the change: %v", c)
	}
	if st := ts.status(t, "POST", "/v1/auth/logout", fresh, nil); st != 204 {
		t.Fatalf("logout: %d", st)
	}
}

// TestTermsRequired: a tenant that requires its current terms holds its
// users to their own account's routes (403 terms_not_accepted) until they
// accept that version; tokens then say terms_accepted.
func TestTermsRequired(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	ts.member(t, owner, "acme", "member@acme.io", "member")
	access, refresh := ts.mustLogin(t, "acme", "member@acme.io", memberPassword)
	resp, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"terms_required": true})
	assertProblem(t, resp, b, 422) // no version to require
	resp, b = ts.do(t, "POST", "/v1/me/terms", access, map[string]any{"version": "2026-01"})
	assertProblem(t, resp, b, 409) // no terms published yet
	if r, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"terms_version": "2026-01", "terms_required": true}); r.StatusCode != 200 {
		t.Fatalf("settings: %d %v", r.StatusCode, b)
	}
	resp, b = ts.do(t, "GET", "/v1/sessions", access, nil)
	assertProblem(t, resp, b, 403)
	if b["code"] != "terms_not_accepted" {
		t.Fatalf("before accepting: %v", b)
	}
	if _, me := ts.do(t, "GET", "/v1/me", access, nil); me["terms_required"] != true {
		t.Fatalf("me: %v", me)
	}
	resp, b = ts.do(t, "POST", "/v1/me/terms", access, map[string]any{"version": "2025-06"})
	assertProblem(t, resp, b, 422)
	if b["field"] != "version" || b["current_version"] != "2026-01" {
		t.Fatalf("old version: %v", b)
	}
	if r, b := ts.do(t, "POST", "/v1/me/terms", access, map[string]any{"version": "2026-01"}); r.StatusCode != 200 || b["terms_version"] != "2026-01" {
		t.Fatalf("accept: %d %v", r.StatusCode, b)
	}
	if st := ts.status(t, "GET", "/v1/sessions", access, nil); st != 200 {
		t.Fatalf("after accepting: %d", st)
	}
	_, rb := ts.do(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh})
	if c := jwtClaims(t, rb["access_token"].(string)); c["terms_accepted"] != true {
		t.Fatalf("claim: %v", c)
	}
	// A new version holds the user back again. (The owner is held back
	// like everyone: they accept first.)
	if st := ts.status(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"terms_version": "2026-02"}); st != 403 {
		t.Fatalf("settings by an owner who has not accepted: %d", st)
	}
	ts.do(t, "POST", "/v1/me/terms", owner, map[string]any{"version": "2026-01"})
	if r, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"terms_version": "2026-02"}); r.StatusCode != 200 {
		t.Fatalf("new version: %d %v", r.StatusCode, b)
	}
	resp, b = ts.do(t, "GET", "/v1/sessions", access, nil)
	assertProblem(t, resp, b, 403)
	if b["code"] != "terms_not_accepted" {
		t.Fatalf("after a new version: %v", b)
	}
}
