package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/webhook"
)

// hookReceiver is a real HTTP endpoint that keeps the verified bodies it got.
type hookReceiver struct {
	mu     sync.Mutex
	secret []byte
	got    map[string][]byte // by webhook-id
	bad    int
}

func (h *hookReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.secret == nil || webhook.Verify(h.secret, r.Header, body, time.Now(), time.Minute) != nil {
		h.bad++
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	h.got[r.Header.Get("webhook-id")] = body
}

func (h *hookReceiver) count() int { h.mu.Lock(); defer h.mu.Unlock(); return len(h.got) }

// TestEventsOut: a tenant's admin subscribes a URL; failed logins reach it
// signed, once each; the feed reads them from a position; the deliveries
// list shows them; bad subscriptions are refused naming the field.
func TestEventsOut(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		rc := &hookReceiver{got: map[string][]byte{}}
		srv := httptest.NewServer(rc)
		defer srv.Close()

		for _, c := range []struct {
			body  map[string]any
			field string
		}{
			{map[string]any{"url": "ftp://example.com/x", "events": []string{"*"}}, "url"},
			{map[string]any{"url": srv.URL, "events": []string{"login_failure", "nope"}}, "events[1]"},
			{map[string]any{"url": srv.URL, "events": []string{"*"}, "secret": "too-short"}, "secret"},
		} {
			resp, b := ts.do(t, "POST", "/v1/webhooks", owner, c.body)
			assertProblem(t, resp, b, 422)
			if b["field"] != c.field {
				t.Fatalf("%v: field %v, want %s", c.body, b["field"], c.field)
			}
		}
		resp, hook := ts.do(t, "POST", "/v1/webhooks", owner, map[string]any{"url": srv.URL + "/hook", "events": []string{"login_failure"}})
		if resp.StatusCode != 201 || hook["secret"] == nil {
			t.Fatalf("create webhook: %d %v", resp.StatusCode, hook)
		}
		key, err := webhook.ParseSecret(hook["secret"].(string))
		if err != nil {
			t.Fatal(err)
		}
		rc.mu.Lock()
		rc.secret = key
		rc.mu.Unlock()
		if resp, list := ts.do(t, "GET", "/v1/webhooks", owner, nil); resp.StatusCode != 200 || len(list["webhooks"].([]any)) != 1 ||
			list["webhooks"].([]any)[0].(map[string]any)["secret"] != nil {
			t.Fatalf("list webhooks: %d %v", resp.StatusCode, list)
		}

		for i := 0; i < 3; i++ {
			if r, _ := ts.login(t, "acme", "owner@acme.io", fmt.Sprint("wrong-password-", i)); r.StatusCode != 401 {
				t.Fatalf("wrong password: %d", r.StatusCode)
			}
		}
		deadline := time.Now().Add(15 * time.Second)
		for rc.count() < 3 && time.Now().Before(deadline) {
			time.Sleep(50 * time.Millisecond)
		}
		time.Sleep(300 * time.Millisecond)
		if n := rc.count(); n != 3 || rc.bad != 0 {
			t.Fatalf("receiver got %d webhooks (%d badly signed), want 3", n, rc.bad)
		}

		resp, page := ts.do(t, "GET", "/v1/events?after=0&type=login_failure&limit=2", owner, nil)
		if resp.StatusCode != 200 || len(page["events"].([]any)) != 2 {
			t.Fatalf("feed: %d %v", resp.StatusCode, page)
		}
		next := int(page["next_after"].(float64))
		_, page2 := ts.do(t, "GET", fmt.Sprintf("/v1/events?after=%d&type=login_failure", next), owner, nil)
		events := page2["events"].([]any)
		if len(events) != 1 || int(events[0].(map[string]any)["seq"].(float64)) <= next {
			t.Fatalf("feed page 2 after %d: %v", next, page2)
		}
		last := int(page2["next_after"].(float64))
		_, page3 := ts.do(t, "GET", fmt.Sprintf("/v1/events?after=%d&type=login_failure", last), owner, nil)
		if len(page3["events"].([]any)) != 0 || int(page3["next_after"].(float64)) != last {
			t.Fatalf("feed at its end: %v", page3)
		}
		for _, q := range []string{"?after=-1", "?limit=5000", "?type=nope"} {
			resp, b := ts.do(t, "GET", "/v1/events"+q, owner, nil)
			if resp.StatusCode != 400 && resp.StatusCode != 422 {
				t.Fatalf("feed %s: %d %v", q, resp.StatusCode, b)
			}
			assertProblem(t, resp, b, resp.StatusCode)
		}

		resp, dl := ts.do(t, "GET", "/v1/deliveries?status=delivered", owner, nil)
		if resp.StatusCode != 200 || len(dl["deliveries"].([]any)) != 3 {
			t.Fatalf("deliveries: %d %v", resp.StatusCode, dl)
		}
		first := dl["deliveries"].([]any)[0].(map[string]any)
		if first["status"] != "delivered" || first["channel"] != "webhook" || first["payload"] != nil {
			t.Fatalf("delivery: %v", first)
		}
		if _, m := ts.do(t, "GET", "/metrics", "", nil); !strings.Contains(m["_raw"].(string), `rampart_delivery_attempts_total{channel="webhook",outcome="delivered"} 3`) {
			t.Fatalf("delivery metrics missing")
		}
		if resp, b := ts.do(t, "POST", "/v1/deliveries/"+first["id"].(string)+"/retry", owner, nil); resp.StatusCode != 409 {
			t.Fatalf("retry of a delivered message: %d %v", resp.StatusCode, b)
		}
		if resp, _ := ts.do(t, "DELETE", "/v1/webhooks/"+hook["id"].(string), owner, nil); resp.StatusCode != 204 {
			t.Fatalf("delete webhook: %d", resp.StatusCode)
		}

		// Operator views: jobs, and the development sink.
		resp, jobs := ts.do(t, "GET", "/v1/jobs", testOperatorToken, nil)
		names := map[string]bool{}
		for _, j := range jobs["jobs"].([]any) {
			names[j.(map[string]any)["name"].(string)] = true
		}
		if resp.StatusCode != 200 || !names["purge"] || !names["key_care"] {
			t.Fatalf("jobs: %d %v", resp.StatusCode, jobs)
		}
		if resp, b := ts.do(t, "GET", "/v1/dev/outbox?to=owner@acme.io", testOperatorToken, nil); resp.StatusCode != 200 || b["messages"] == nil {
			t.Fatalf("dev outbox: %d %v", resp.StatusCode, b)
		}
		if resp, _ := ts.do(t, "GET", "/v1/jobs", owner, nil); resp.StatusCode != 401 && resp.StatusCode != 403 {
			t.Fatalf("jobs for a tenant user: %d", resp.StatusCode)
		}
	})
}

// TestReencryptionRunsAsAJob: a rotation schedules the tenant's
// re-encryption as a job, which GET /v1/jobs then shows as run.
func TestReencryptionRunsAsAJob(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	_, tn := ts.do(t, "GET", "/v1/tenants?limit=10", testOperatorToken, nil)
	id := tn["tenants"].([]any)[0].(map[string]any)["id"].(string)
	if resp, b := ts.do(t, "POST", "/v1/keys/rotate", testOperatorToken, map[string]any{"tenant": id}); resp.StatusCode != 201 {
		t.Fatalf("rotate: %d %v", resp.StatusCode, b)
	}
	deadline := time.Now().Add(15 * time.Second)
	for {
		_, jobs := ts.do(t, "GET", "/v1/jobs", testOperatorToken, nil)
		for _, j := range jobs["jobs"].([]any) {
			m := j.(map[string]any)
			if m["name"] == "reencrypt:"+id && m["last_finished"] != nil {
				if m["last_error"] != nil && m["last_error"] != "" || m["next_run_at"] != nil {
					t.Fatalf("re-encryption job failed or runs again: %v", m)
				}
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no finished re-encryption job: %v", jobs)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestNoSinkWithACourier: with SMTP and an SMS bridge configured there is
// no development sink: GET /v1/dev/outbox is a 404 problem.
func TestNoSinkWithACourier(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_SMTP_URL"] = "smtp://127.0.0.1:1"
	env["RAMPART_MAIL_FROM"] = "Rampart <no-reply@rampart.test>"
	env["RAMPART_SMS_WEBHOOK_URL"] = "http://127.0.0.1:1/sms"
	env["RAMPART_SMS_WEBHOOK_SECRET"] = "a-secret-of-at-least-24-bytes"
	ts := start(t, env)
	resp, b := ts.do(t, "GET", "/v1/dev/outbox?to=a@b.io", testOperatorToken, nil)
	assertProblem(t, resp, b, 404)
}
