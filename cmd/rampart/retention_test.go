package main

import "testing"

// TestRetentionAPI: a coaching tenant starts from the coaching design's
// table; policies are replaced as a whole, checked field by field (audit
// categories admit only anonymise), and previewed without being applied.
func TestRetentionAPI(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		body := newTenantBody("coach", "owner@coach.io")
		body["role_preset"] = "coaching"
		if r, b := ts.do(t, "POST", "/v1/tenants", testOperatorToken, body); r.StatusCode != 201 {
			t.Fatalf("create: %d %v", r.StatusCode, b)
		}
		owner, _ := ts.mustLogin(t, "coach", "owner@coach.io", ownerPassword)
		r, b := ts.do(t, "GET", "/v1/privacy/retention", owner, nil)
		if r.StatusCode != 200 || b["source"] != "default:coaching" {
			t.Fatalf("defaults: %d %v", r.StatusCode, b)
		}
		days := map[string]float64{}
		for _, p := range b["policies"].([]any) {
			m := p.(map[string]any)
			days[m["category"].(string)] = m["days"].(float64)
		}
		if days["user_interactions"] != 730 || days["conversation_history"] != 365 || days["analytics_data"] != 1095 || days["audit_logs"] != 2555 || days["billing_data"] != 2555 {
			t.Fatalf("coaching table: %v", days)
		}
		r, b = ts.do(t, "PUT", "/v1/privacy/retention", owner, map[string]any{"policies": []any{
			map[string]any{"category": "sessions", "days": 30, "action": "delete"},
			map[string]any{"category": "audit_details", "days": 30, "action": "delete"},
		}})
		assertProblem(t, r, b, 422)
		if b["field"] != "policies[1].action" {
			t.Fatalf("audit delete: %v", b)
		}
		r, b = ts.do(t, "PUT", "/v1/privacy/retention", owner, map[string]any{"policies": []any{
			map[string]any{"category": "sessions", "days": 0, "action": "delete"},
		}})
		assertProblem(t, r, b, 422)
		if b["field"] != "policies[0].days" {
			t.Fatalf("days 0: %v", b)
		}
		r, b = ts.do(t, "PUT", "/v1/privacy/retention", owner, map[string]any{"policies": []any{
			map[string]any{"category": "audit_details", "days": 1, "action": "anonymize"},
			map[string]any{"category": "chat_logs", "days": 90, "action": "archive_then_delete", "platform": true},
		}})
		if r.StatusCode != 200 || b["source"] != "tenant" || len(b["policies"].([]any)) != 2 {
			t.Fatalf("set: %d %v", r.StatusCode, b)
		}
		r, b = ts.do(t, "GET", "/v1/privacy/retention/preview", owner, nil)
		if r.StatusCode != 200 {
			t.Fatalf("preview: %d %v", r.StatusCode, b)
		}
		cats := b["categories"].([]any)
		audit, chat := cats[0].(map[string]any), cats[1].(map[string]any)
		if audit["category"] != "audit_details" || audit["action"] != "anonymise" || audit["rows"] != 0.0 ||
			chat["category"] != "chat_logs" || chat["rows"] != nil || chat["due"] != false { // no system registered yet
			t.Fatalf("preview: %v", cats)
		}
		if ts.status(t, "GET", "/v1/privacy/retention/preview", "", nil) != 401 {
			t.Fatal("preview without credentials")
		}
	})
}
