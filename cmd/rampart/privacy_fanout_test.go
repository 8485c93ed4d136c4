package main

import (
	"encoding/json"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/webhook"
)

// TestPrivacyFanOut: every registered system gets a signed webhook about a
// new request, once; the request stays open after Rampart's own erasure
// until every system answered (with an API key) or was marked by an admin;
// GET shows each system's state.
func TestPrivacyFanOut(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		owner := ts.privacyTenant(t, "acme")
		receivers := map[string]*hookReceiver{}
		for _, name := range []string{"crm", "billing"} {
			rc := &hookReceiver{got: map[string][]byte{}}
			srv := httptest.NewServer(rc)
			defer srv.Close()
			r, b := ts.do(t, "POST", "/v1/privacy/systems", owner, map[string]any{"name": name, "webhook_url": srv.URL, "categories": []string{"contact"}})
			if r.StatusCode != 201 {
				t.Fatalf("register %s: %d %v", name, r.StatusCode, b)
			}
			secret, err := webhook.ParseSecret(b["secret"].(string))
			if err != nil {
				t.Fatalf("secret: %v %v", b, err)
			}
			rc.secret = secret
			receivers[name] = rc
		}
		_, k := ts.do(t, "POST", "/v1/api-keys", owner, map[string]any{"name": "privacy-bridge", "permissions": []string{"admin:compliance"}})
		key, _ := k["key"].(string)
		if key == "" {
			t.Fatalf("api key: %v", k)
		}
		req := ts.privacyRequest(t, owner, "erasure", "0190a6a0-0000-7000-8000-0000000000aa")
		deadline := time.Now().Add(15 * time.Second)
		for receivers["crm"].count() < 1 || receivers["billing"].count() < 1 {
			if time.Now().After(deadline) {
				t.Fatalf("webhooks: crm %d, billing %d", receivers["crm"].count(), receivers["billing"].count())
			}
			time.Sleep(20 * time.Millisecond)
		}
		for name, rc := range receivers {
			rc.mu.Lock()
			for _, body := range rc.got {
				var p struct {
					Type string         `json:"type"`
					Data map[string]any `json:"data"`
				}
				json.Unmarshal(body, &p)
				if p.Type != "privacy_request.created" || p.Data["request_id"] != req || p.Data["system"] != name ||
					p.Data["answer_path"] != "/v1/privacy/requests/"+req+"/systems/"+name || p.Data["request_type"] != "erasure" {
					t.Errorf("%s got %s", name, body)
				}
			}
			if rc.bad != 0 {
				t.Errorf("%s: %d unverified deliveries", name, rc.bad)
			}
			rc.mu.Unlock()
		}
		if r, b := ts.do(t, "POST", "/v1/privacy/requests/"+req+"/erase", owner, nil); r.StatusCode != 200 {
			t.Fatalf("erase: %d %v", r.StatusCode, b)
		}
		_, got := ts.do(t, "GET", "/v1/privacy/requests/"+req, owner, nil)
		if got["status"] != "received" || len(got["systems"].([]any)) != 2 {
			t.Fatalf("after Rampart's part: %v", got)
		}
		path := "/v1/privacy/requests/" + req + "/systems/"
		r, b := ts.do(t, "POST", path+"crm", key, map[string]any{"status": "finished"})
		assertProblem(t, r, b, 422)
		if b["field"] != "status" {
			t.Fatalf("bad status: %v", b)
		}
		r, b = ts.do(t, "POST", path+"erp", key, map[string]any{"status": "done"})
		assertProblem(t, r, b, 404)
		if r, b := ts.do(t, "POST", path+"crm", key, map[string]any{"status": "done", "details": "3 rows deleted"}); r.StatusCode != 200 || b["status"] != "received" {
			t.Fatalf("crm answers: %d %v", r.StatusCode, b)
		}
		r, got = ts.do(t, "POST", path+"billing", owner, map[string]any{"status": "not_found"})
		if r.StatusCode != 200 || got["status"] != "completed" {
			t.Fatalf("admin marks billing: %d %v", r.StatusCode, got)
		}
		systems := got["systems"].([]any)
		billing, crm := systems[0].(map[string]any), systems[1].(map[string]any)
		if billing["status"] != "not_found" || billing["marked_by"] == nil || crm["status"] != "done" || crm["marked_by"] != nil || crm["details"] != "3 rows deleted" {
			t.Fatalf("systems: %v", systems)
		}
	})
}

// TestMyPrivacyRequest: a user's own request needs a fresh second factor;
// with one, it is recorded about the caller and bad input names the field.
func TestMyPrivacyRequest(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	owner := ts.privacyTenant(t, "acme")
	if r, b := ts.do(t, "POST", "/v1/users", owner, map[string]any{"email": "me@acme.io", "password": "An0ther-Str0ng-One", "role": "member"}); r.StatusCode != 201 {
		t.Fatalf("user: %d %v", r.StatusCode, b)
	}
	me, _ := ts.mustLogin(t, "acme", "me@acme.io", "An0ther-Str0ng-One")
	r, b := ts.do(t, "POST", "/v1/me/privacy/requests", me, map[string]any{"type": "access"})
	assertProblem(t, r, b, 401)
	if b["code"] != "step_up_required" || b["max_age_seconds"].(float64) != 600 {
		t.Fatalf("without step-up: %v", b)
	}
	ts.enrol(t, me) // enrolling is a fresh second factor
	r, b = ts.do(t, "POST", "/v1/me/privacy/requests", me, map[string]any{"type": "delete"})
	assertProblem(t, r, b, 422)
	if b["field"] != "type" {
		t.Fatalf("bad type: %v", b)
	}
	_, who := ts.do(t, "GET", "/v1/me", me, nil)
	r, b = ts.do(t, "POST", "/v1/me/privacy/requests", me, map[string]any{"type": "erasure", "jurisdiction": "ccpa"})
	if r.StatusCode != 201 || b["subject"].(map[string]any)["user_id"] != who["id"] || b["created_by"] != who["id"] {
		t.Fatalf("own request: %d %v", r.StatusCode, b)
	}
}

// TestPrivacyOverdueMetric moves the deadlines' clock past a request's due
// date: rampart_privacy_requests_overdue counts it, and the request shows
// as overdue.
func TestPrivacyOverdueMetric(t *testing.T) {
	var mu sync.Mutex
	skew := time.Duration(0)
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return time.Now().Add(skew) }
	ts := startWith(t, testEnv(t, "sqlite"), serveOptions{privacyNow: clock})
	owner := ts.privacyTenant(t, "acme")
	if v := ts.metric(t, "rampart_privacy_requests_overdue"); v != 0 {
		t.Fatalf("overdue before: %v", v)
	}
	req := ts.privacyRequest(t, owner, "access", "0190a6a0-0000-7000-8000-0000000000bb")
	mu.Lock()
	skew = 31 * 24 * time.Hour
	mu.Unlock()
	time.Sleep(10 * time.Millisecond)
	// The count is kept a minute; past that the scrape recounts.
	mu.Lock()
	skew += 2 * time.Minute
	mu.Unlock()
	if v := ts.metric(t, "rampart_privacy_requests_overdue"); v != 1 {
		t.Fatalf("overdue after the due date: %v", v)
	}
	if _, got := ts.do(t, "GET", "/v1/privacy/requests/"+req, owner, nil); got["status"] != "overdue" {
		t.Fatalf("request: %v", got)
	}
}
