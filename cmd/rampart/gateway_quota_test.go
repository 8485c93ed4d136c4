package main

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go"
	"github.com/redis/go-redis/v9"
)

// TestGatewayEmbeddingsAndBadInput: embeddings pass the input guardrails
// and masking; malformed bodies, long conversations, upstreams that fail,
// time out or answer garbage get OpenAI-shaped errors that never carry the
// provider's body or key.
func TestGatewayEmbeddingsAndBadInput(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_AI_UPSTREAM_TIMEOUT"] = "300ms"
	ts := start(t, env)
	up := newStandIn(t)
	_, key := ts.gatewayTenant(t, "acme", up, nil)
	c := ts.client(key)
	ctx := context.Background()
	emb, err := c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "emb", Input: openai.EmbeddingNewParamsInputUnion{OfArrayOfStrings: []string{"hello jane.doe@example.com", "plain"}}})
	if err != nil || len(emb.Data) != 1 {
		t.Fatalf("embeddings: %v", err)
	}
	reqs := up.received()
	if last := reqs[len(reqs)-1]; last.Path != "/v1/embeddings" || strings.Contains(last.Raw, "jane.doe") || !strings.Contains(last.Raw, "[EMAIL_1]") {
		t.Fatalf("upstream saw %s", last.Raw)
	}
	_, err = c.Embeddings.New(ctx, openai.EmbeddingNewParams{Model: "emb", Input: openai.EmbeddingNewParamsInputUnion{OfString: openai.String("You are a stupid worthless idiot and I will kill you")}})
	assertContentFilter(t, err, "toxicity")

	post := func(body string) (int, map[string]any) {
		req, _ := http.NewRequest("POST", ts.URL+"/v1/ai/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		jsonDecode(resp, &out)
		if resp.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("content type %q", resp.Header.Get("Content-Type"))
		}
		if strings.Contains(string(mustJSON(out)), standInKey) || strings.Contains(string(mustJSON(out)), "provider says") || strings.Contains(string(mustJSON(out)), "oops") {
			t.Fatalf("leaked the upstream's answer: %v", out)
		}
		e, _ := out["error"].(map[string]any)
		if e == nil || e["message"] == "" || e["type"] == "" {
			t.Fatalf("not OpenAI-shaped: %v", out)
		}
		return resp.StatusCode, e
	}
	if st, e := post(`{"model": "gpt-test", "messages": [`); st != 400 {
		t.Fatalf("malformed: %d %v", st, e)
	}
	if st, e := post(`{"model": "gpt-test", "messages": "hi"}`); st != 400 || e["param"] != "messages" {
		t.Fatalf("messages not a list: %d %v", st, e)
	}
	many := `{"model":"gpt-test","messages":[` + strings.TrimSuffix(strings.Repeat(`{"role":"user","content":"hi"},`, 300), ",") + `]}`
	if st, e := post(many); st != 400 || e["param"] != "messages" {
		t.Fatalf("too many messages: %d %v", st, e)
	}
	ok := `{"model":"gpt-test","messages":[{"role":"user","content":"hello"}]}`
	for _, tc := range []struct {
		name   string
		set    func(s *standIn)
		status int
		code   string
	}{
		{"garbage", func(s *standIn) { s.garbage = true }, 502, "upstream_error"},
		{"refusal", func(s *standIn) { s.status = 401 }, 502, "upstream_error"},
		{"overloaded", func(s *standIn) { s.status = 503 }, 502, "upstream_error"},
		{"timeout", func(s *standIn) { s.delay = 2 * time.Second }, 504, "upstream_timeout"},
	} {
		up.set(func(s *standIn) { s.garbage, s.status, s.delay = false, 0, 0; tc.set(s) })
		start := time.Now()
		if st, e := post(ok); st != tc.status || e["code"] != tc.code {
			t.Fatalf("%s: %d %v", tc.name, st, e)
		}
		if time.Since(start) > 1500*time.Millisecond {
			t.Fatalf("%s: took %v", tc.name, time.Since(start))
		}
		// Streams answer the same before their first event.
		r := ts.stream(t, key, map[string]any{"model": "gpt-test", "messages": []any{map[string]any{"role": "user", "content": "hello"}}})
		if r.Status != tc.status || strings.Contains(r.Raw, standInKey) {
			t.Fatalf("%s stream: %d %s", tc.name, r.Status, r.Raw)
		}
	}
}

// TestGatewayBudgetsUnderConcurrency: 100 concurrent requests on one key
// whose budget holds 10 reservations: the spend never passes the budget,
// refusals are 429 insufficient_quota, and the usage log reconciles with
// the budget's counter; with the counters in SQLite, in PostgreSQL and in
// Redis (keys that expire).
func TestGatewayBudgetsUnderConcurrency(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) { testBudgetsUnderConcurrency(t, ts, nil) })
	t.Run("redis", func(t *testing.T) {
		env := testEnv(t, "sqlite")
		env["RAMPART_REDIS_URL"] = requireRedis(t)
		opts, _ := redis.ParseURL(env["RAMPART_REDIS_URL"])
		rdb := redis.NewClient(opts)
		defer rdb.Close()
		testBudgetsUnderConcurrency(t, start(t, env), rdb)
	})
}

func testBudgetsUnderConcurrency(t *testing.T, ts *testServer, rdb *redis.Client) {
	up := newStandIn(t)
	owner, key := ts.gatewayTenant(t, "acme", up, nil)
	_, keys := ts.do(t, "GET", "/v1/api-keys", owner, nil)
	keyID := keys["api_keys"].([]any)[0].(map[string]any)["id"].(string)
	// One request reserves 2 bytes + 8 of framing + 40 of output = 50
	// tokens and spends 30 (the stand-in's usage).
	const budget = 500
	if resp, b := ts.do(t, "PUT", "/v1/ai/budgets", owner, map[string]any{"subject": "key:" + keyID, "period": "day", "max_tokens": budget}); resp.StatusCode != 200 {
		t.Fatalf("budget: %d %v", resp.StatusCode, b)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	okCount, refused := 0, 0
	c := ts.client(key)
	for i := 0; i < 100; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "gpt-test", MaxTokens: openai.Int(40),
				Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
			mu.Lock()
			defer mu.Unlock()
			var apiErr *openai.Error
			switch {
			case err == nil:
				okCount++
			case errors.As(err, &apiErr) && apiErr.StatusCode == 429 && apiErr.Code == "insufficient_quota":
				refused++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}()
	}
	wg.Wait()
	_, list := ts.do(t, "GET", "/v1/ai/budgets", owner, nil)
	b := list["budgets"].([]any)[0].(map[string]any)
	spent := int(b["spent_tokens"].(float64))
	if spent > budget || okCount < 10 || okCount+refused != 100 || spent != okCount*30 {
		t.Fatalf("spent %d of %d; %d answered, %d refused", spent, budget, okCount, refused)
	}
	// The usage log (written off the request path) reconciles.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, u := ts.do(t, "GET", "/v1/ai/usage?group_by=key", owner, nil)
		data, _ := u["data"].([]any)
		if len(data) == 1 {
			g := data[0].(map[string]any)
			in, out := int(g["input_tokens"].(float64)), int(g["output_tokens"].(float64))
			if g["group"] == keyID && int(g["requests"].(float64)) == 100 && in+out == spent {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("usage does not reconcile with %d: %v", spent, u)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if st := ts.status(t, "GET", "/v1/ai/usage?group_by=color", owner, nil); st != 422 {
		t.Fatalf("bad group_by: %d", st)
	}
	if st := ts.status(t, "GET", "/v1/ai/usage", key, nil); st != 403 {
		t.Fatalf("api_user read usage: %d", st)
	}
	if rdb == nil {
		return
	}
	// The counter is in Redis, not in the database, and expires a day
	// after its window.
	ctx := context.Background()
	counters, err := rdb.Keys(ctx, "aib:*:key:"+keyID+":day:*").Result()
	if err != nil || len(counters) != 1 {
		t.Fatalf("redis counters: %v %v", counters, err)
	}
	got, _ := rdb.HGet(ctx, counters[0], "t").Int()
	ttl := rdb.TTL(ctx, counters[0]).Val()
	if got != spent || ttl <= 24*time.Hour || ttl > 48*time.Hour {
		t.Fatalf("redis counter %s: %d tokens, ttl %v", counters[0], got, ttl)
	}
}

// TestGatewayModelRequestLimit: model_requests per minute at the caller's
// tier: 429 rate_limit_exceeded with the rate-limit headers.
func TestGatewayModelRequestLimit(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_RATE_LIMITS"] = "on"
	env["RAMPART_RATE_LIMIT_TIERS"] = `{"basic":{"model_requests":{"rate":3,"period":"1m","algorithm":"sliding_window"}}}`
	ts := start(t, env)
	up := newStandIn(t)
	_, key := ts.gatewayTenant(t, "acme", up, nil)
	body := `{"model":"gpt-test","messages":[{"role":"user","content":"hello"}]}`
	for i := 0; i < 4; i++ {
		req, _ := http.NewRequest("POST", ts.URL+"/v1/ai/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		jsonDecode(resp, &out)
		if i < 3 && resp.StatusCode != 200 {
			t.Fatalf("request %d: %d %v", i, resp.StatusCode, out)
		}
		if i == 3 {
			e, _ := out["error"].(map[string]any)
			if resp.StatusCode != 429 || e["code"] != "rate_limit_exceeded" || resp.Header.Get("Retry-After") == "" || resp.Header.Get("X-RateLimit-Limit") != "3" {
				t.Fatalf("fourth: %d %v %v", resp.StatusCode, out, resp.Header)
			}
		}
	}
}

// TestGatewayBudgetsFailClosed: with the budget counters in a Redis that
// does not answer, a budgeted request is refused (503), never let through
// unmetered; an unbudgeted one does not need Redis.
func TestGatewayBudgetsFailClosed(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_REDIS_URL"] = "redis://127.0.0.1:1/0"
	ts := start(t, env)
	up := newStandIn(t)
	owner, key := ts.gatewayTenant(t, "acme", up, nil)
	body := `{"model":"gpt-test","messages":[{"role":"user","content":"hello"}]}`
	post := func() (int, map[string]any) {
		req, _ := http.NewRequest("POST", ts.URL+"/v1/ai/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		jsonDecode(resp, &out)
		return resp.StatusCode, out
	}
	if st, out := post(); st != 200 {
		t.Fatalf("unbudgeted: %d %v", st, out)
	}
	// The budget is saved; showing what it spent needs the counters (the
	// PUT may be repeated).
	if resp, b := ts.do(t, "PUT", "/v1/ai/budgets", owner, map[string]any{"subject": "tenant", "period": "month", "max_tokens": 1000000}); resp.StatusCode != 503 {
		t.Fatalf("budget: %d %v", resp.StatusCode, b)
	}
	n := len(up.received())
	if st, out := post(); st != 503 {
		t.Fatalf("budgeted with Redis down: %d %v", st, out)
	}
	if len(up.received()) != n {
		t.Fatal("the upstream was called without a reservation")
	}
}

// TestGatewayTenantMessageLimit: a tenant's ai.max_messages bounds its chat
// requests (an OpenAI-shaped 400 naming the setting), within the bounds
// the settings accept.
func TestGatewayTenantMessageLimit(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	up := newStandIn(t)
	owner, key := ts.gatewayTenant(t, "acme", up, nil)
	chat := func(n int) (int, map[string]any) {
		msgs := strings.TrimSuffix(strings.Repeat(`{"role":"user","content":"hi"},`, n), ",")
		req, _ := http.NewRequest("POST", ts.URL+"/v1/ai/chat/completions", strings.NewReader(`{"model":"gpt-test","messages":[`+msgs+`]}`))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		var out map[string]any
		jsonDecode(resp, &out)
		e, _ := out["error"].(map[string]any)
		return resp.StatusCode, e
	}
	if st, e := chat(4); st != 200 {
		t.Fatalf("the deployment's limit: %d %v", st, e)
	}
	if resp, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"ai": map[string]any{"max_messages": 3}}); resp.StatusCode != 200 {
		t.Fatalf("settings: %d %v", resp.StatusCode, b)
	}
	if st, e := chat(3); st != 200 {
		t.Fatalf("at the limit: %d %v", st, e)
	}
	n := len(up.received())
	st, e := chat(4)
	if msg, _ := e["message"].(string); st != 400 || e["param"] != "messages" || e["type"] != "invalid_request_error" || !strings.Contains(msg, "ai.max_messages") || !strings.Contains(msg, "at most 3") {
		t.Fatalf("over the limit: %d %v", st, e)
	}
	if len(up.received()) != n {
		t.Fatal("the upstream saw a request over the limit")
	}
	resp, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"ai": map[string]any{"max_messages": 5000}})
	if resp.StatusCode != 422 || b["field"] != "settings.ai.max_messages" {
		t.Fatalf("a limit too high: %d %v", resp.StatusCode, b)
	}
}
