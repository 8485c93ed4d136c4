package main

import (
	"net/http"
	"testing"
	"time"
)

// TestGatewayUpstreamChangeReachesOtherReplicas: two replicas share
// PostgreSQL and Redis; an upstream deleted or replaced on one is not
// served by the other, although it had the old one cached (well within the
// cache's TTL, which is only a safety net).
func TestGatewayUpstreamChangeReachesOtherReplicas(t *testing.T) {
	redisURL := requireRedis(t)
	envA := testEnv(t, "postgres")
	envA["RAMPART_REDIS_URL"] = redisURL
	ta := start(t, envA)
	tb := secondReplica(t, envA)
	upOld, upNew := newStandIn(t), newStandIn(t)
	owner, key := ta.gatewayTenant(t, "acme", upOld, nil)
	chat := map[string]any{"model": "gpt-test", "messages": []any{map[string]any{"role": "user", "content": "hello"}}}
	for _, ts := range []*testServer{ta, tb} { // both replicas cache the upstream
		if r, b := ts.do(t, "POST", "/v1/ai/chat/completions", key, chat); r.StatusCode != http.StatusOK {
			t.Fatalf("chat: %d %v", r.StatusCode, b)
		}
	}
	_, list := ta.do(t, "GET", "/v1/ai/upstreams", owner, nil)
	id := list["upstreams"].([]any)[0].(map[string]any)["id"].(string)
	if st := ta.status(t, "DELETE", "/v1/ai/upstreams/"+id, owner, nil); st != http.StatusNoContent {
		t.Fatalf("delete: %d", st)
	}
	// The replica that deleted it forgets it at once.
	if r, b := ta.do(t, "POST", "/v1/ai/chat/completions", key, chat); r.StatusCode != http.StatusNotFound {
		t.Fatalf("replica A after delete: %d %v", r.StatusCode, b)
	}
	n := len(upOld.received())
	waitStatus := func(what string, want int) {
		t.Helper()
		// Well under UpstreamCacheTTLWithoutBus: the bus, not the TTL.
		deadline := time.Now().Add(500 * time.Millisecond)
		for {
			r, _ := tb.do(t, "POST", "/v1/ai/chat/completions", key, chat)
			if r.StatusCode == want {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("replica B still answers %d 0.5 s after %s on A", r.StatusCode, what)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	waitStatus("the delete", http.StatusNotFound)
	// A replacement on another provider: B sends there, never to the old.
	r, b := ta.do(t, "POST", "/v1/ai/upstreams", owner, map[string]any{"name": "local", "base_url": upNew.URL + "/v1", "api_key": standInKey,
		"models": []string{"gpt-test"}, "default": true})
	if r.StatusCode != http.StatusCreated {
		t.Fatalf("create: %d %v", r.StatusCode, b)
	}
	waitStatus("the replacement", http.StatusOK)
	if len(upOld.received()) != n {
		t.Fatal("a deleted upstream was called")
	}
	if len(upNew.received()) == 0 {
		t.Fatal("the new upstream was not called")
	}
}
