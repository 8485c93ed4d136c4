package main

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"

	"github.com/openai/openai-go"
)

// placeholders are the masked values a prompt carries to the model.
var placeholderRe = regexp.MustCompile(`\[[A-Z_]+_\d+\]`)

// TestGatewayToolCalls: the arguments of tool calls are answer text like any
// other: scanned by the output guardrails (non-streamed and streamed) and
// restored (JSON-escaped, across chunk boundaries), through the official
// client.
func TestGatewayToolCalls(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	up := newStandIn(t)
	_, key := ts.gatewayTenant(t, "acme", up, nil)
	c := ts.client(key)
	ctx := context.Background()
	email := "jane.doe@example.com"
	prompt := "Mail " + email + " about the river"
	// The model calls lookup with the placeholder it was given.
	up.set(func(s *standIn) {
		s.toolArgs = func(last string) []string {
			tok := placeholderRe.FindString(last)
			return []string{`{"to":"` + tok + `","topic":"the river"}`, `{"cc":"` + tok + `"}`}
		}
	})
	params := openai.ChatCompletionNewParams{Model: "gpt-test", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage(prompt)}}
	res, err := c.Chat.Completions.New(ctx, params)
	if err != nil {
		t.Fatal(err)
	}
	calls := res.Choices[0].Message.ToolCalls
	if len(calls) != 2 || calls[0].Function.Arguments != `{"to":"`+email+`","topic":"the river"}` || calls[1].Function.Arguments != `{"cc":"`+email+`"}` {
		t.Fatalf("non-streamed tool calls %+v", calls)
	}
	// Streamed, through the client's accumulator.
	st := c.Chat.Completions.NewStreaming(ctx, params)
	acc := openai.ChatCompletionAccumulator{}
	for st.Next() {
		acc.AddChunk(st.Current())
	}
	if err := st.Err(); err != nil {
		t.Fatal(err)
	}
	calls = acc.Choices[0].Message.ToolCalls
	if len(calls) != 2 || calls[0].Function.Name != "lookup" || calls[0].ID != "call_0" || calls[0].Function.Arguments != `{"to":"`+email+`","topic":"the river"}` || calls[1].Function.Arguments != `{"cc":"`+email+`"}` {
		t.Fatalf("streamed tool calls %+v", calls)
	}
	if string(acc.Choices[0].FinishReason) != "tool_calls" {
		t.Fatalf("finish %q", acc.Choices[0].FinishReason)
	}
	for _, q := range up.received() {
		if strings.Contains(q.Raw, email) {
			t.Fatalf("the upstream saw the email: %s", q.Raw)
		}
	}
	// A secret in the arguments: blocked, non-streamed and streamed.
	up.set(func(s *standIn) {
		s.toolArgs = func(string) []string { return []string{`{"key":"AKIAIOSFODNN7EXAMPLE"}`} }
	})
	_, err = c.Chat.Completions.New(ctx, params)
	assertContentFilter(t, err, "secrets")
	r := ts.stream(t, key, map[string]any{"model": "gpt-test", "messages": []any{map[string]any{"role": "user", "content": "What is the key?"}}})
	if strings.Contains(r.Raw, "AKIA") || r.Error == nil || r.Error["code"] != "content_filter" || r.Done {
		t.Fatalf("streamed secret: %s", r.Raw)
	}
}

// TestGatewayToolCallForbiddenAtEveryOffset: a secret placed at every offset
// of a streamed tool call's arguments, with chunks of several sizes, never
// reaches the client.
func TestGatewayToolCallForbiddenAtEveryOffset(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	up := newStandIn(t)
	_, key := ts.gatewayTenant(t, "acme", up, nil)
	const secret = "AKIAIOSFODNN7EXAMPLE"
	filler := strings.Repeat("plain words about the garden and the river ", 20)
	for _, size := range []int{1, 3, 7, 64} {
		for off := 0; off <= 300; off += 1 + size/4 {
			args := `{"query":"` + filler[:off] + " " + secret + " " + filler[:100] + `"}`
			up.set(func(s *standIn) {
				s.toolArgs = func(string) []string { return []string{`{"first":"a harmless call"}`, args} }
				s.chunks = func(a string) []string { return splitEvery(a, size) }
			})
			r := ts.stream(t, key, map[string]any{"model": "gpt-test", "messages": []any{map[string]any{"role": "user", "content": "What grows in the garden?"}}})
			if strings.Contains(r.Raw, "AKIA") || strings.Contains(r.Raw, "EXAMPLE") {
				t.Fatalf("size %d offset %d: the secret reached the client: %s", size, off, r.Raw)
			}
			if r.Error == nil || r.Error["code"] != "content_filter" || r.Error["scanner"] == nil || r.Done {
				t.Fatalf("size %d offset %d: no content_filter end: %s", size, off, r.Raw)
			}
			if !strings.HasPrefix(args, r.Args[1]) {
				t.Fatalf("size %d offset %d: released arguments are not a prefix: %q", size, off, r.Args[1])
			}
		}
	}
}

// TestGatewayToolCallMaskingFuzz: placeholders in streamed arguments, split
// at random chunk boundaries (inside placeholders and UTF-8 sequences), are
// all restored, and the arguments stay the JSON the model wrote.
func TestGatewayToolCallMaskingFuzz(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	up := newStandIn(t)
	_, key := ts.gatewayTenant(t, "acme", up, nil)
	values := []string{"jane.doe@example.com", "bob@corp.example.org", "+1 415-555-0132"}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 60; i++ {
		up.set(func(s *standIn) {
			s.toolArgs = func(last string) []string {
				toks := placeholderRe.FindAllString(last, -1)
				var out []string
				for j := 0; j < 1+rng.IntN(3); j++ {
					var parts []string
					for k, tok := range toks {
						parts = append(parts, fmt.Sprintf(`"f%d":"é%s€😀 %s"`, k, tok, strings.Repeat("über naïve ", rng.IntN(4))))
					}
					out = append(out, "{"+strings.Join(parts, ",")+"}")
				}
				return out
			}
			s.chunks = func(a string) []string {
				var out []string
				for len(a) > 0 {
					n := min(len(a), 1+rng.IntN(9))
					out = append(out, a[:n])
					a = a[n:]
				}
				return out
			}
		})
		prompt := fmt.Sprintf("Contact %s, %s or %s please", values[0], values[1], values[2])
		r := ts.stream(t, key, map[string]any{"model": "gpt-test", "messages": []any{map[string]any{"role": "user", "content": prompt}}})
		if r.Status != 200 || !r.Done || r.Error != nil || len(r.Args) == 0 {
			t.Fatalf("round %d: %d %s", i, r.Status, r.Raw)
		}
		for n, a := range r.Args {
			var doc map[string]string
			if err := json.Unmarshal([]byte(a), &doc); err != nil {
				t.Fatalf("round %d: call %d: arguments are not JSON: %q", i, n, a)
			}
			if placeholderRe.MatchString(a) {
				t.Fatalf("round %d: a placeholder reached the client: %q", i, a)
			}
			for k, v := range values {
				if !strings.Contains(doc[fmt.Sprintf("f%d", k)], v) {
					t.Fatalf("round %d: %q not restored in %q", i, v, a)
				}
			}
			if r.Names[n] != "lookup" {
				t.Fatalf("round %d: name %q", i, r.Names[n])
			}
		}
	}
	for _, q := range up.received() {
		for _, v := range values {
			if strings.Contains(q.Raw, v) {
				t.Fatalf("the upstream saw %q", v)
			}
		}
	}
}
