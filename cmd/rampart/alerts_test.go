package main

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/webhook"
)

// TestIncidentWebhooksOncePerKey: a tenant webhook and the deployment's
// operator webhook hear of a credential-stuffing incident, signed; the
// incident is resolved and the same attack opens it again within five
// minutes: neither is told a second time.
func TestIncidentWebhooksOncePerKey(t *testing.T) {
	operatorSecret := []byte("operator-secret-of-thirty-two-b!")
	op := &hookReceiver{got: map[string][]byte{}, secret: operatorSecret}
	opSrv := httptest.NewServer(op)
	defer opSrv.Close()
	env := monitorEnv(t, "sqlite")
	env["RAMPART_OPERATOR_WEBHOOK_URL"] = opSrv.URL + "/operator"
	env["RAMPART_OPERATOR_WEBHOOK_SECRET"] = "whsec_" + base64.StdEncoding.EncodeToString(operatorSecret)
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	rc := &hookReceiver{got: map[string][]byte{}}
	srv := httptest.NewServer(rc)
	defer srv.Close()
	resp, hook := ts.do(t, "POST", "/v1/webhooks", owner, map[string]any{"url": srv.URL + "/hook", "events": []string{"incident_opened"}})
	if resp.StatusCode != 201 {
		t.Fatalf("create webhook: %d %v", resp.StatusCode, hook)
	}
	key, _ := webhook.ParseSecret(hook["secret"].(string))
	rc.mu.Lock()
	rc.secret = key
	rc.mu.Unlock()
	// No automatic block, so that the same address can attack again.
	if r, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"monitoring": map[string]any{"rules": map[string]any{"credential_stuffing": map[string]any{"remediate": []string{}}}}}); r.StatusCode != 200 {
		t.Fatalf("settings: %d %v", r.StatusCode, b)
	}
	for round := range 2 {
		for i := range 20 {
			ts.loginFrom(t, "203.0.113.99", "acme", fmt.Sprintf("r%d-%d@example.com", round, i), "Wr0ng-Passw0rd!")
		}
		in, _ := ts.waitIncident(t, owner, "credential_stuffing", "?status=open", 5*time.Second)
		if r, b := ts.do(t, "PATCH", "/v1/incidents/"+in["id"].(string), owner, map[string]any{"status": "resolved"}); r.StatusCode != 200 {
			t.Fatalf("resolve: %d %v", r.StatusCode, b)
		}
		if round == 0 {
			for deadline := time.Now().Add(10 * time.Second); (rc.count() < 1 || op.count() < 1) && time.Now().Before(deadline); {
				time.Sleep(20 * time.Millisecond)
			}
		}
	}
	_, body := ts.do(t, "GET", "/v1/events?type=incident_opened", owner, nil)
	if n := len(body["events"].([]any)); n != 2 {
		t.Fatalf("%d incident_opened events, want 2", n)
	}
	time.Sleep(2500 * time.Millisecond) // the fan-out and the worker have had their turn
	if rc.count() != 1 || op.count() != 1 || rc.bad != 0 || op.bad != 0 {
		t.Fatalf("tenant webhook got %d (%d bad), operator %d (%d bad); want 1 each", rc.count(), rc.bad, op.count(), op.bad)
	}
	for _, b := range op.got {
		var p map[string]any
		json.Unmarshal(b, &p)
		d, _ := p["data"].(map[string]any)
		if p["type"] != "incident.opened" || p["tenant_id"] == "" || d["rule"] != "credential_stuffing" || d["tenant_name"] == nil {
			t.Errorf("operator payload %s", b)
		}
	}
	for _, b := range rc.got {
		if !strings.Contains(string(b), `"subject_ip":"203.0.113.99"`) {
			t.Errorf("tenant payload %s", b)
		}
	}
}
