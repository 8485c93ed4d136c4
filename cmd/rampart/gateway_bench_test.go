package main

import (
	"bufio"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"
)

// BenchmarkGatewayOverhead measures what the gateway adds to a chat
// completion against a local upstream that answers at once: the same
// request sent straight to the stand-in and through Rampart, alternately,
// p50 and p99 of each and of the difference. Sub-benchmarks: passthrough
// (guardrails and masking off) and guarded (guardrails and masking on, a
// 4 KB prompt with personal data).
func BenchmarkGatewayOverhead(b *testing.B) {
	ts := start(b, testEnv(b, "sqlite"))
	up := newStandIn(b)
	up.reply = func(string) string { return "Sure, here is a short answer about the weather in the valley." }
	prompt4k := strings.Repeat("Please summarise the quarterly report for the team and list the open items. ", 60)[:4000] + " Reach me at jane.doe@example.com."
	for _, tc := range []struct {
		name, prompt string
		extra        map[string]any
	}{
		{"passthrough", "What is the weather like?", map[string]any{"guardrails": false, "mask_pii": false}},
		{"guarded_4KB", prompt4k, nil},
	} {
		key := benchGatewayTenant(b, ts, strings.ToLower(strings.ReplaceAll(tc.name, "_", "-")), up, tc.extra)
		b.Run(tc.name, func(b *testing.B) {
			body := string(mustJSON(map[string]any{"model": "gpt-test", "messages": []any{map[string]any{"role": "user", "content": tc.prompt}}}))
			upBody := body
			send := func(url, auth, body string) time.Duration {
				req, _ := http.NewRequest("POST", url, strings.NewReader(body))
				req.Header.Set("Authorization", "Bearer "+auth)
				t0 := time.Now()
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					b.Fatal(err)
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if resp.StatusCode != 200 {
					b.Fatalf("status %d", resp.StatusCode)
				}
				return time.Since(t0)
			}
			for i := 0; i < 50; i++ { // warm connections and caches
				send(ts.URL+"/v1/ai/chat/completions", key, body)
				send(up.URL+"/v1/chat/completions", standInKey, upBody)
			}
			b.ReportAllocs()
			b.ResetTimer()
			var via, direct []time.Duration
			for i := 0; i < b.N; i++ {
				via = append(via, send(ts.URL+"/v1/ai/chat/completions", key, body))
				direct = append(direct, send(up.URL+"/v1/chat/completions", standInKey, upBody))
			}
			b.StopTimer()
			pct := func(xs []time.Duration, p int) time.Duration {
				s := append([]time.Duration(nil), xs...)
				sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
				return s[min(len(s)-1, len(s)*p/100)]
			}
			ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
			b.ReportMetric(ms(pct(via, 50)), "via-p50-ms")
			b.ReportMetric(ms(pct(via, 99)), "via-p99-ms")
			b.ReportMetric(ms(pct(direct, 50)), "direct-p50-ms")
			b.ReportMetric(ms(pct(direct, 99)), "direct-p99-ms")
			b.ReportMetric(ms(pct(via, 50)-pct(direct, 50)), "overhead-p50-ms")
			b.ReportMetric(ms(pct(via, 99)-pct(direct, 99)), "overhead-p99-ms")
		})
	}
}

// benchGatewayTenant is gatewayTenant for benchmarks.
func benchGatewayTenant(b *testing.B, ts *testServer, slug string, up *standIn, extra map[string]any) string {
	call := func(method, path, token string, body any) map[string]any {
		req, _ := http.NewRequest(method, ts.URL+path, strings.NewReader(string(mustJSON(body))))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out map[string]any
		jsonDecode(resp, &out)
		if resp.StatusCode >= 300 {
			b.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
		}
		return out
	}
	call("POST", "/v1/tenants", testOperatorToken, newTenantBody(slug, "owner@"+slug+".io"))
	owner := call("POST", "/v1/auth/login", "", map[string]any{"tenant": slug, "email": "owner@" + slug + ".io", "password": ownerPassword})["access_token"].(string)
	body := map[string]any{"name": "local", "base_url": up.URL + "/v1", "api_key": standInKey, "models": []string{"gpt-test"}, "default": true}
	for k, v := range extra {
		body[k] = v
	}
	call("POST", "/v1/ai/upstreams", owner, body)
	return call("POST", "/v1/api-keys", owner, map[string]any{"name": "bot", "role": "api_user"})["key"].(string)
}

// BenchmarkGatewayTimeToFirstToken measures time to first token of a
// streamed chat: from sending the request to reading the first event
// with text, straight from the stand-in and through Rampart, alternately.
// The stand-in streams a 600-character answer in 4-character chunks (a
// token each), either at once (instant) or one token a millisecond
// (1000 tokens/s, a fast provider). Through Rampart, guarded streams hold
// back the window (256 characters, released 16 past it) before the first
// text leaves, so their first token waits for about 68 of the provider's
// tokens (guarded_w64: a server with RAMPART_AI_STREAM_WINDOW=64, the
// smallest, about 20); passthrough streams hold nothing back.
func BenchmarkGatewayTimeToFirstToken(b *testing.B) {
	ts := start(b, testEnv(b, "sqlite"))
	env := testEnv(b, "sqlite")
	env["RAMPART_AI_STREAM_WINDOW"] = "64"
	ts64 := start(b, env)
	up := newStandIn(b)
	up.reply = func(string) string {
		return strings.Repeat("The valley is green and the weather is mild; ", 14)[:600]
	}
	up.chunks = func(a string) []string { return splitEvery(a, 4) }
	keys := map[string]string{
		"passthrough": benchGatewayTenant(b, ts, "ttft-pass", up, map[string]any{"guardrails": false, "mask_pii": false}),
		"guarded":     benchGatewayTenant(b, ts, "ttft-guard", up, nil),
		"guarded_w64": benchGatewayTenant(b, ts64, "ttft-guard", up, nil),
	}
	servers := map[string]*testServer{"passthrough": ts, "guarded": ts, "guarded_w64": ts64}
	body := string(mustJSON(map[string]any{"model": "gpt-test", "stream": true,
		"messages": []any{map[string]any{"role": "user", "content": "How is the weather in the valley?"}}}))
	// first sends a streamed request and answers when its first text came.
	first := func(url, auth string) time.Duration {
		req, _ := http.NewRequest("POST", url, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+auth)
		t0 := time.Now()
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
		var ttft time.Duration
		sc := bufio.NewScanner(resp.Body)
		for sc.Scan() {
			line := sc.Text()
			if ttft == 0 && strings.Contains(line, `"content":"`) && !strings.Contains(line, `"content":""`) {
				ttft = time.Since(t0)
			}
		}
		if ttft == 0 {
			b.Fatal("no text in the stream")
		}
		return ttft
	}
	for _, pace := range []struct {
		name  string
		delay time.Duration
	}{{"instant", 0}, {"1000tok_s", time.Millisecond}} {
		for _, mode := range []string{"passthrough", "guarded", "guarded_w64"} {
			b.Run(mode+"/"+pace.name, func(b *testing.B) {
				up.set(func(s *standIn) { s.chunkDelay = pace.delay })
				for i := 0; i < 10; i++ { // warm connections and caches
					first(servers[mode].URL+"/v1/ai/chat/completions", keys[mode])
					first(up.URL+"/v1/chat/completions", standInKey)
				}
				b.ReportAllocs()
				b.ResetTimer()
				var via, direct []time.Duration
				for i := 0; i < b.N; i++ {
					via = append(via, first(servers[mode].URL+"/v1/ai/chat/completions", keys[mode]))
					direct = append(direct, first(up.URL+"/v1/chat/completions", standInKey))
				}
				b.StopTimer()
				pct := func(xs []time.Duration, p int) time.Duration {
					s := append([]time.Duration(nil), xs...)
					sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
					return s[min(len(s)-1, len(s)*p/100)]
				}
				ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
				b.ReportMetric(ms(pct(direct, 50)), "direct-p50-ms")
				b.ReportMetric(ms(pct(direct, 99)), "direct-p99-ms")
				b.ReportMetric(ms(pct(via, 50)), "via-p50-ms")
				b.ReportMetric(ms(pct(via, 99)), "via-p99-ms")
				b.ReportMetric(ms(pct(via, 50)-pct(direct, 50)), "added-p50-ms")
				b.ReportMetric(ms(pct(via, 99)-pct(direct, 99)), "added-p99-ms")
			})
		}
	}
}
