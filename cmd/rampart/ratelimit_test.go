package main

import (
	"bytes"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func TestRateLimitHeadersAndLogin(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_RATE_LIMITS"] = "on"
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	resp, _ := ts.do(t, "GET", "/v1/me", access, nil)
	if resp.Header.Get("X-RateLimit-Limit") != "1000" || resp.Header.Get("X-RateLimit-Remaining") == "" ||
		!strings.HasPrefix(resp.Header.Get("RateLimit-Policy"), `"api_calls";q=1000;w=60`) || !strings.Contains(resp.Header.Get("RateLimit"), "r=") {
		t.Fatalf("headers %v", resp.Header)
	}
	if reset, err := strconv.ParseInt(resp.Header.Get("X-RateLimit-Reset"), 10, 64); err != nil || reset < 1_700_000_000 {
		t.Fatalf("X-RateLimit-Reset %q", resp.Header.Get("X-RateLimit-Reset"))
	}
	if resp, _ := ts.do(t, "GET", "/healthz", "", nil); resp.Header.Get("X-RateLimit-Limit") != "" {
		t.Fatal("rate-limit headers outside /v1/")
	}
	// 5 logins a minute per address: the sixth (the first was above) is refused.
	for i := 0; i < 4; i++ {
		ts.login(t, "acme", "owner@acme.io", "wrong")
	}
	resp, body := ts.login(t, "acme", "owner@acme.io", ownerPassword)
	assertProblem(t, resp, body, 429)
	if body["code"] != "RATE_LIMIT_EXCEEDED" || body["retry_after"] == nil || body["reset_time"] == nil || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("429 %v %v", body, resp.Header)
	}
}

// TestLoginLimitAcrossReplicas: two replicas on one PostgreSQL and one Redis
// share the login budget; a client alternating between them gets its sixth
// attempt in a minute refused.
func TestLoginLimitAcrossReplicas(t *testing.T) {
	redisURL := requireRedis(t)
	envA := testEnv(t, "postgres")
	envA["RAMPART_RATE_LIMITS"] = "on"
	envA["RAMPART_REDIS_URL"] = redisURL
	// A fresh identity for the budget: the address is the same in every
	// run, so use a trusted proxy and a unique forwarded address.
	envA["RAMPART_TRUSTED_PROXIES"] = "127.0.0.1/32"
	ta := start(t, envA)
	tb := secondReplica(t, envA)
	ta.tenantWithOwner(t, "acme", "owner@acme.io")
	b := make([]byte, 2)
	rand.Read(b)
	ip := fmt.Sprintf("198.18.%d.%d", b[0], 1+b[1]%250)
	codes := []int{}
	for i := 0; i < 6; i++ {
		srv := ta
		if i%2 == 1 {
			srv = tb
		}
		codes = append(codes, srv.loginFrom(t, ip, "acme", "owner@acme.io", "wrong-password"))
	}
	if codes[5] != 429 || codes[4] == 429 {
		t.Fatalf("answers %v, want the sixth refused", codes)
	}
}

func TestRateLimitCheckAPI(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_RATE_LIMITS"] = "on"
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	// Standard tier: 500 model requests a minute; spend them 100 at a time.
	for i := 0; i < 5; i++ {
		resp, b := ts.do(t, "POST", "/v1/ratelimit/check", access, map[string]any{"key": "end-user-7", "operation": "model_requests", "cost": 100})
		if resp.StatusCode != 200 || b["remaining"].(float64) != float64(400-100*i) || resp.Header.Get("RateLimit-Policy") == "" {
			t.Fatalf("spend %d: %d %v", i, resp.StatusCode, b)
		}
	}
	resp, b := ts.do(t, "POST", "/v1/ratelimit/check", access, map[string]any{"key": "end-user-7", "operation": "model_requests"})
	assertProblem(t, resp, b, 429)
	if b["code"] != "RATE_LIMIT_EXCEEDED" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("refusal %v", b)
	}
	// Another key has its own budget.
	if ts.status(t, "POST", "/v1/ratelimit/check", access, map[string]any{"key": "end-user-8", "operation": "model_requests"}) != 200 {
		t.Fatal("budgets are not per key")
	}
	for _, bad := range []map[string]any{{"key": "", "operation": "api_calls"}, {"key": "k", "operation": "uploads"}, {"key": "k", "operation": "api_calls", "cost": 0}} {
		if resp, b := ts.do(t, "POST", "/v1/ratelimit/check", access, bad); resp.StatusCode != 422 {
			t.Errorf("%v: %d %v", bad, resp.StatusCode, b)
		}
	}
}

// TestSkewedReplicasShareOneBudget: three replicas on one PostgreSQL and one
// Redis, their clocks 5 s apart, with 64 callers each spending one budget of
// 1,000 a 10-second fixed window through POST /v1/ratelimit/check: exactly
// 1,000 are admitted, because windows are cut on Redis's clock. (Were each
// replica's clock used, the replicas would disagree on the window and admit
// more near its edge.)
func TestSkewedReplicasShareOneBudget(t *testing.T) {
	redisURL := requireRedis(t)
	env := testEnv(t, "postgres")
	env["RAMPART_RATE_LIMITS"] = "on"
	env["RAMPART_REDIS_URL"] = redisURL
	// Logins from 127.0.0.1 share one budget in Redis with every other
	// test (and run) of the minute; this test is about another limit.
	env["RAMPART_LOGIN_LIMIT"] = "1000000"
	var replicas []*testServer
	for i, skew := range []time.Duration{-5 * time.Second, 0, 5 * time.Second} {
		e := env
		if i > 0 {
			e = map[string]string{}
			for k, v := range env {
				e[k] = v
			}
			e["RAMPART_DATA_DIR"] = t.TempDir()
			copyFile(t, env["RAMPART_DATA_DIR"]+"/master.key", e["RAMPART_DATA_DIR"]+"/master.key")
		}
		replicas = append(replicas, startWith(t, e, serveOptions{now: func() time.Time { return time.Now().Add(skew) }}))
	}
	id := replicas[0].tenantWithOwner(t, "acme", "owner@acme.io")
	// Enterprise tier, so the callers' own api_calls budget is not the one
	// that refuses; the tenant's "skew" limit is the one under test.
	resp, body := replicas[0].do(t, "PATCH", "/v1/tenants/"+id, testOperatorToken, map[string]any{"settings": map[string]any{
		"rate_limit_tier": "enterprise",
		"rate_limits":     map[string]any{"skew": map[string]any{"rate": 1000, "period_seconds": 10, "algorithm": "fixed_window"}},
	}})
	if resp.StatusCode != 200 {
		t.Fatalf("settings: %d %v", resp.StatusCode, body)
	}
	// Start just after a 10-second boundary, so the whole run fits in one
	// window whatever the clocks say.
	time.Sleep(time.Duration(10e9 - time.Now().UnixNano()%10e9 + 2e8))
	var admitted, refused atomic.Int64
	var wg sync.WaitGroup
	for _, r := range replicas {
		access, _ := r.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		for g := 0; g < 64; g++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 7; i++ {
					body, _ := json.Marshal(map[string]any{"key": "shared", "operation": "skew"})
					req, _ := http.NewRequest("POST", r.URL+"/v1/ratelimit/check", bytes.NewReader(body))
					req.Header.Set("Authorization", "Bearer "+access)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						return
					}
					io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					switch resp.StatusCode {
					case 200:
						admitted.Add(1)
					case 429:
						refused.Add(1)
					default:
						t.Errorf("status %d", resp.StatusCode)
					}
				}
			}()
		}
	}
	wg.Wait()
	if admitted.Load() != 1000 || refused.Load() != 3*64*7-1000 {
		t.Fatalf("admitted %d, refused %d; want exactly 1000 admitted", admitted.Load(), refused.Load())
	}
}
