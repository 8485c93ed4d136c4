package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/openai/openai-go"
)

// TestGatewayStream: a streamed chat through the official client, ending
// with [DONE], placeholders restored.
func TestGatewayStream(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		up := newStandIn(t)
		_, key := ts.gatewayTenant(t, "acme", up, nil)
		email := "jane.doe@example.com"
		long := strings.Repeat("The weather is pleasant and the café is open — ", 12)
		up.set(func(s *standIn) {
			s.reply = func(last string) string { return long + "Write to " + strings.TrimPrefix(last, "Mail ") + ". Bye." }
		})
		c := ts.client(key)
		st := c.Chat.Completions.NewStreaming(context.Background(), openai.ChatCompletionNewParams{Model: "gpt-test",
			Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("Mail " + email)}})
		var got strings.Builder
		for st.Next() {
			ch := st.Current()
			if len(ch.Choices) > 0 {
				got.WriteString(ch.Choices[0].Delta.Content)
			}
		}
		if err := st.Err(); err != nil {
			t.Fatal(err)
		}
		if want := long + "Write to " + email + ". Bye."; got.String() != want {
			t.Fatalf("streamed %q\nwant     %q", got.String(), want)
		}
		r := ts.stream(t, key, map[string]any{"model": "gpt-test", "messages": []any{map[string]any{"role": "user", "content": "Mail " + email}}})
		if !r.Done || r.Events[len(r.Events)-1] != "[DONE]" || r.Error != nil {
			t.Fatalf("stream did not end with [DONE]: %s", r.Raw)
		}
		// The usage chunk goes to clients that ask for it only.
		if strings.Contains(r.Raw, `"usage"`) {
			t.Fatalf("usage sent unasked: %s", r.Raw)
		}
		for _, q := range up.received() {
			if strings.Contains(q.Raw, email) {
				t.Fatalf("the upstream saw the email: %s", q.Raw)
			}
		}
	})
}

// TestGatewayStreamForbiddenAtEveryOffset: a secret placed at every offset
// of a streamed answer, with chunks of several sizes, never reaches the
// client: the stream ends with a content_filter error event instead.
func TestGatewayStreamForbiddenAtEveryOffset(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	up := newStandIn(t)
	_, key := ts.gatewayTenant(t, "acme", up, nil)
	const secret = "AKIAIOSFODNN7EXAMPLE"
	filler := strings.Repeat("Plain words about the garden and the river. ", 20)
	for _, size := range []int{1, 3, 7, 64} {
		for off := 0; off <= 300; off += 1 + size/8 {
			answer := filler[:off] + " " + secret + " " + filler[:100]
			up.set(func(s *standIn) {
				s.reply = func(string) string { return answer }
				s.chunks = func(a string) []string { return splitEvery(a, size) }
			})
			r := ts.stream(t, key, map[string]any{"model": "gpt-test", "messages": []any{map[string]any{"role": "user", "content": "What grows in the garden?"}}})
			if strings.Contains(r.Raw, "AKIA") || strings.Contains(r.Raw, "EXAMPLE") {
				t.Fatalf("size %d offset %d: the secret reached the client: %s", size, off, r.Raw)
			}
			if r.Error == nil || r.Error["code"] != "content_filter" || r.Error["scanner"] == nil || r.Done {
				t.Fatalf("size %d offset %d: no content_filter end: %s", size, off, r.Raw)
			}
			if !strings.HasPrefix(answer, r.Content) {
				t.Fatalf("size %d offset %d: released text is not a prefix of the answer", size, off)
			}
		}
	}
}

// TestGatewayStreamMaskingFuzz: random chunk boundaries (inside placeholders
// and inside UTF-8 sequences): every placeholder is restored, none reaches
// the client, and no original value reaches the upstream.
func TestGatewayStreamMaskingFuzz(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	up := newStandIn(t)
	_, key := ts.gatewayTenant(t, "acme", up, nil)
	values := []string{"jane.doe@example.com", "bob@corp.example.org", "+1 415-555-0132"}
	rng := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 120; i++ {
		// The model repeats the placeholders it was given, among text with
		// characters of 2, 3 and 4 bytes.
		up.set(func(s *standIn) {
			s.reply = func(last string) string {
				var toks []string
				for _, w := range strings.Fields(last) {
					if strings.HasPrefix(w, "[") {
						toks = append(toks, strings.TrimRight(w, ",."))
					}
				}
				var b strings.Builder
				for j := 0; j < 1+rng.IntN(4); j++ {
					for _, tok := range toks {
						fmt.Fprintf(&b, "é%s€😀 %s über naïve café. ", tok, strings.Repeat("the report ", rng.IntN(6)))
					}
				}
				return b.String()
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
		if r.Status != 200 || !r.Done || r.Error != nil {
			t.Fatalf("round %d: %d %s", i, r.Status, r.Raw)
		}
		if strings.Contains(r.Content, "[EMAIL_") || strings.Contains(r.Content, "[PHONE_") || !utf8.ValidString(r.Content) || strings.ContainsRune(r.Content, utf8.RuneError) {
			t.Fatalf("round %d: placeholder or broken text reached the client: %q", i, r.Content)
		}
		for _, v := range values {
			if !strings.Contains(r.Content, v) {
				t.Fatalf("round %d: %q not restored in %q", i, v, r.Content)
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
