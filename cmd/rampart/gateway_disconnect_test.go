package main

import (
	"bufio"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"
)

// TestGatewayStreamClientDisconnect: a client that leaves mid-stream pays
// for what the provider had already produced, never more than was
// reserved; one that leaves before any output pays nothing. The usage log
// reconciles with the budget either way.
func TestGatewayStreamClientDisconnect(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	up := newStandIn(t)
	up.reply = func(string) string { return strings.Repeat("The valley is green and the weather is mild today. ", 12) }
	owner, key := ts.gatewayTenant(t, "acme", up, nil)
	if resp, b := ts.do(t, "PUT", "/v1/ai/budgets", owner, map[string]any{"subject": "tenant", "period": "day", "max_tokens": 100000}); resp.StatusCode != 200 {
		t.Fatalf("budget: %d %v", resp.StatusCode, b)
	}
	spent := func() int {
		_, list := ts.do(t, "GET", "/v1/ai/budgets", owner, nil)
		return int(list["budgets"].([]any)[0].(map[string]any)["spent_tokens"].(float64))
	}
	waitSpent := func(want int) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for got := spent(); got != want; got = spent() {
			if time.Now().After(deadline) {
				t.Fatalf("spent %d, want %d", got, want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	// leave streams "hello" with max_tokens 100 (a reservation of 5 bytes
	// + 8 of framing + 100 = 113 tokens) and hangs up once it has read
	// until(line).
	leave := func(until func(line string) bool) {
		t.Helper()
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		body := `{"model":"gpt-test","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hello"}]}`
		req, _ := http.NewRequestWithContext(ctx, "POST", ts.URL+"/v1/ai/chat/completions", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("stream: %v %v", err, resp)
		}
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			if until(sc.Text()) {
				break
			}
		}
		// While the stream runs its reservation holds the budget.
		if got := spent(); got < 113 {
			t.Fatalf("during the stream: spent %d", got)
		}
		cancel()
		resp.Body.Close()
	}

	// Mid-stream: the provider produced more than max_tokens' worth of
	// bytes (no usage chunk came, so bytes are the estimate); the charge
	// stops at what was reserved.
	up.set(func(s *standIn) {
		s.chunkDelay = 5 * time.Millisecond
		s.chunks = func(a string) []string { return splitEvery(a, 10) }
	})
	leave(func(line string) bool { return strings.Contains(line, `"content":"The valley`) })
	waitSpent(113)

	// Before any output: the stream started (headers and the role chunk)
	// but the provider had said nothing yet; the reservation is released.
	up.set(func(s *standIn) { s.chunkDelay = 10 * time.Second })
	leave(func(line string) bool { return strings.HasPrefix(line, "data: ") })
	waitSpent(113)

	// The usage log says the same: two requests cut short (499), 113 tokens.
	deadline := time.Now().Add(5 * time.Second)
	for {
		_, u := ts.do(t, "GET", "/v1/ai/usage?group_by=key", owner, nil)
		if data, _ := u["data"].([]any); len(data) == 1 {
			g := data[0].(map[string]any)
			if int(g["requests"].(float64)) == 2 && int(g["input_tokens"].(float64)+g["output_tokens"].(float64)) == 113 {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("usage does not reconcile: %v", u)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
