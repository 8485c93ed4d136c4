package main

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"testing"
	"time"
)

// privacyTenant creates a tenant whose consent purposes are marketing and
// analytics, and returns the owner's access token.
func (ts *testServer) privacyTenant(t *testing.T, slug string) string {
	t.Helper()
	ts.tenantWithOwner(t, slug, "owner@"+slug+".io")
	owner, _ := ts.mustLogin(t, slug, "owner@"+slug+".io", ownerPassword)
	if r, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"privacy": map[string]any{"purposes": []string{"marketing", "analytics"}}}); r.StatusCode != 200 {
		t.Fatalf("settings: %d %v", r.StatusCode, b)
	}
	return owner
}

func checkPath(subject, purpose string) string {
	return "/v1/consents/check?subject=" + url.QueryEscape(subject) + "&purpose=" + url.QueryEscape(purpose)
}

// TestConsent: records are append-only, the latest decides, the address is
// kept truncated, and an undeclared purpose is a 422 naming the field.
func TestConsent(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		owner := ts.privacyTenant(t, "acme")
		if _, b := ts.do(t, "GET", checkPath("user-1", "marketing"), owner, nil); b["granted"] != false || b["recorded_at"] != nil {
			t.Fatalf("check before any record: %v", b)
		}
		grant := map[string]any{"subject": "user-1", "purpose": "marketing", "granted": true, "policy_version": "2024-05",
			"method": "checkbox", "ip_address": "203.0.113.77", "user_agent": "Mozilla/5.0 test"}
		r, b := ts.do(t, "POST", "/v1/consents", owner, grant)
		if r.StatusCode != 201 || b["address"] != "203.0.113.0" || b["user_agent"] != "Mozilla/5.0 test" {
			t.Fatalf("record: %d %v", r.StatusCode, b)
		}
		if _, b := ts.do(t, "GET", checkPath("user-1", "marketing"), owner, nil); b["granted"] != true || b["policy_version"] != "2024-05" {
			t.Fatalf("check after grant: %v", b)
		}
		// The withdrawal takes effect for the very next check (the cache
		// held the grant).
		grant["granted"] = false
		grant["ip_address"] = "2001:db8:1234:5678::1"
		if r, b := ts.do(t, "POST", "/v1/consents", owner, grant); r.StatusCode != 201 || b["address"] != "2001:db8:1234::" {
			t.Fatalf("withdraw: %d %v", r.StatusCode, b)
		}
		if _, b := ts.do(t, "GET", checkPath("user-1", "marketing"), owner, nil); b["granted"] != false {
			t.Fatalf("check after withdrawal: %v", b)
		}
		if _, b := ts.do(t, "GET", checkPath("user-1", "analytics"), owner, nil); b["granted"] != false {
			t.Fatalf("another purpose: %v", b)
		}
		_, b = ts.do(t, "GET", "/v1/consents?subject=user-1", owner, nil)
		list := b["consents"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["granted"] != true || list[1].(map[string]any)["granted"] != false {
			t.Fatalf("list: %v", b)
		}
		grant["purpose"] = "profiling"
		r, b = ts.do(t, "POST", "/v1/consents", owner, grant)
		assertProblem(t, r, b, 422)
		if b["field"] != "purpose" {
			t.Fatalf("unknown purpose: %v", b)
		}
		r, b = ts.do(t, "GET", checkPath("user-1", "profiling"), owner, nil)
		assertProblem(t, r, b, 422)
		if b["field"] != "purpose" {
			t.Fatalf("unknown purpose in a check: %v", b)
		}
		r, b = ts.do(t, "POST", "/v1/consents", owner, map[string]any{"subject": "user-1", "purpose": "marketing", "policy_version": "1", "method": "api"})
		assertProblem(t, r, b, 422)
		if b["field"] != "granted" {
			t.Fatalf("missing granted: %v", b)
		}
		// Tenants do not see each other's records.
		other := ts.privacyTenant(t, "beta")
		if _, b := ts.do(t, "GET", "/v1/consents?subject=user-1", other, nil); len(b["consents"].([]any)) != 0 {
			t.Fatalf("other tenant: %v", b)
		}
	})
}

// TestConsentWithdrawalReachesOtherReplicas: with Redis, a withdrawal on
// one replica shows in the other's next check within 1 s, although that
// replica had the grant cached.
func TestConsentWithdrawalReachesOtherReplicas(t *testing.T) {
	redisURL := requireRedis(t)
	envA := testEnv(t, "postgres")
	envA["RAMPART_REDIS_URL"] = redisURL
	ta := start(t, envA)
	tb := secondReplica(t, envA)
	owner := ta.privacyTenant(t, "acme")
	grant := map[string]any{"subject": "user-1", "purpose": "marketing", "granted": true, "policy_version": "1", "method": "banner"}
	if r, b := ta.do(t, "POST", "/v1/consents", owner, grant); r.StatusCode != 201 {
		t.Fatalf("grant: %d %v", r.StatusCode, b)
	}
	if r, b := tb.do(t, "GET", checkPath("user-1", "marketing"), owner, nil); r.StatusCode != http.StatusOK || b["granted"] != true {
		t.Fatalf("replica B: %d %v", r.StatusCode, b)
	}
	grant["granted"] = false
	if r, b := ta.do(t, "POST", "/v1/consents", owner, grant); r.StatusCode != 201 {
		t.Fatalf("withdraw: %d %v", r.StatusCode, b)
	}
	deadline := time.Now().Add(time.Second)
	for {
		_, b := tb.do(t, "GET", checkPath("user-1", "marketing"), owner, nil)
		if b["granted"] == false {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("replica B still answers granted 1 s after the withdrawal on A")
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestPrivacySystems: systems register once by name, unknown categories
// are a 422 naming the item, and the registry lists Rampart's own columns.
func TestPrivacySystems(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		owner := ts.privacyTenant(t, "acme")
		sys := map[string]any{"name": "crm", "webhook_url": "https://crm.acme.io/privacy", "categories": []string{"contact", "activity"}}
		if r, b := ts.do(t, "POST", "/v1/privacy/systems", owner, sys); r.StatusCode != 201 || b["name"] != "crm" {
			t.Fatalf("register: %d %v", r.StatusCode, b)
		}
		r, b := ts.do(t, "POST", "/v1/privacy/systems", owner, sys)
		assertProblem(t, r, b, 409)
		sys["name"], sys["categories"] = "billing", []string{"contact", "dna"}
		r, b = ts.do(t, "POST", "/v1/privacy/systems", owner, sys)
		assertProblem(t, r, b, 422)
		if b["field"] != "categories[1]" {
			t.Fatalf("unknown category: %v", b)
		}
		_, b = ts.do(t, "GET", "/v1/privacy/systems", owner, nil)
		if len(b["systems"].([]any)) != 1 || len(b["rampart"].([]any)) < 10 {
			t.Fatalf("registry: %v", b)
		}
	})
}

// TestPrivacyRequests: a request for an unknown subject is answered like
// one for a known one; deadlines and the one extension show in the API.
func TestPrivacyRequests(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		owner := ts.privacyTenant(t, "acme")
		shape := func(b map[string]any) []string {
			var keys []string
			for k := range b {
				if k != "id" && k != "received_at" && k != "due_at" && k != "subject" {
					keys = append(keys, k+"="+fmt.Sprint(b[k]))
				}
			}
			sort.Strings(keys)
			return keys
		}
		r1, known := ts.do(t, "POST", "/v1/privacy/requests", owner, map[string]any{"type": "access", "subject": map[string]any{"email": "owner@acme.io"}})
		r2, unknown := ts.do(t, "POST", "/v1/privacy/requests", owner, map[string]any{"type": "access", "subject": map[string]any{"email": "nobody@acme.io"}})
		if r1.StatusCode != 201 || r2.StatusCode != 201 || !slices.Equal(shape(known), shape(unknown)) {
			t.Fatalf("known %d %v, unknown %d %v", r1.StatusCode, known, r2.StatusCode, unknown)
		}
		received, _ := time.Parse(time.RFC3339Nano, known["received_at"].(string))
		due, _ := time.Parse(time.RFC3339Nano, known["due_at"].(string))
		if due.Sub(received) != 30*24*time.Hour || known["status"] != "received" {
			t.Fatalf("deadline: %v", known)
		}
		for body, field := range map[string]string{
			`{"type":"forget","subject":{"user_id":"u1"}}`:                     "type",
			`{"type":"access","subject":{"user_id":"u1"},"jurisdiction":"eu"}`: "jurisdiction",
			`{"type":"access","subject":{}}`:                                   "subject",
		} {
			r, b := ts.do(t, "POST", "/v1/privacy/requests", owner, body)
			assertProblem(t, r, b, 422)
			if b["field"] != field {
				t.Fatalf("%s: %v", body, b)
			}
		}
		id := known["id"].(string)
		r, b := ts.do(t, "POST", "/v1/privacy/requests/"+id+"/extend", owner, map[string]any{"reason": "twelve systems to ask", "days": 60})
		if r.StatusCode != 200 || b["extension"].(map[string]any)["reason"] != "twelve systems to ask" {
			t.Fatalf("extend: %d %v", r.StatusCode, b)
		}
		r, b = ts.do(t, "POST", "/v1/privacy/requests/"+id+"/extend", owner, map[string]any{"reason": "more", "days": 1})
		assertProblem(t, r, b, 409)
		r, b = ts.do(t, "POST", "/v1/privacy/requests/"+unknown["id"].(string)+"/extend", owner, map[string]any{"reason": "x", "days": 61})
		assertProblem(t, r, b, 422)
		if b["field"] != "days" {
			t.Fatalf("days: %v", b)
		}
		_, b = ts.do(t, "GET", "/v1/privacy/requests?status=received", owner, nil)
		if len(b["requests"].([]any)) != 2 {
			t.Fatalf("list: %v", b)
		}
		_, b = ts.do(t, "GET", "/v1/privacy/requests?status=overdue", owner, nil)
		if len(b["requests"].([]any)) != 0 {
			t.Fatalf("overdue: %v", b)
		}
		r, b = ts.do(t, "GET", "/v1/privacy/requests/"+id, owner, nil)
		if r.StatusCode != 200 || b["subject"].(map[string]any)["email"] != "(by email)" {
			t.Fatalf("get: %d %v", r.StatusCode, b)
		}
	})
}
