package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/openai/openai-go"
	"github.com/openai/openai-go/option"
)

// standIn is the local OpenAI-compatible upstream the gateway tests start
// (no model runs here): it answers what reply says, split into stream
// chunks by chunks, and records every request it receives.
type standIn struct {
	*httptest.Server
	mu       sync.Mutex
	requests []standInRequest
	// reply returns the answer to a chat request's last user message.
	reply func(last string) string
	// chunks splits a streamed answer (default: 3 bytes a chunk, which
	// splits characters of more than one byte).
	chunks func(answer string) []string
	// garbage, delay and status make the stand-in misbehave.
	garbage bool
	delay   time.Duration
	status  int
	// chunkDelay is the wait before each streamed content chunk.
	chunkDelay time.Duration
	// toolArgs, when set, makes the answer tool calls (of a function
	// "lookup") with these arguments, one call each, instead of text;
	// streamed arguments are split by chunks like text.
	toolArgs func(last string) []string
}

type standInRequest struct {
	Path string
	Auth string
	Body map[string]any
	Raw  string
}

const standInKey = "sk-provider-secret-0123456789abcdefXYZ"

func newStandIn(t testing.TB) *standIn {
	s := &standIn{reply: func(last string) string { return "You said: " + last }}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.Close)
	return s
}

func (s *standIn) serve(w http.ResponseWriter, r *http.Request) {
	raw, _ := io.ReadAll(r.Body)
	var body map[string]any
	json.Unmarshal(raw, &body)
	s.mu.Lock()
	s.requests = append(s.requests, standInRequest{Path: r.URL.Path, Auth: r.Header.Get("Authorization"), Body: body, Raw: string(raw)})
	reply, chunks, garbage, delay, status, chunkDelay, toolArgs := s.reply, s.chunks, s.garbage, s.delay, s.status, s.chunkDelay, s.toolArgs
	s.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	if status != 0 {
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":"provider says no; your key %s is wrong"}}`, standInKey)
		return
	}
	if garbage {
		w.Write([]byte("<html>oops " + standInKey + "</html>"))
		return
	}
	if strings.HasSuffix(r.URL.Path, "/embeddings") {
		fmt.Fprint(w, `{"object":"list","data":[{"object":"embedding","index":0,"embedding":[0.1,0.2]}],"model":"emb","usage":{"prompt_tokens":5,"total_tokens":5}}`)
		return
	}
	last := ""
	if msgs, ok := body["messages"].([]any); ok && len(msgs) > 0 {
		if m, ok := msgs[len(msgs)-1].(map[string]any); ok {
			last, _ = m["content"].(string)
		}
	}
	answer := reply(last)
	model, _ := body["model"].(string)
	if toolArgs != nil {
		s.serveToolCalls(w, body, model, toolArgs(last), chunks)
		return
	}
	if body["stream"] != true {
		out, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": model,
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": answer}, "finish_reason": "stop"}},
			"usage":   map[string]any{"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}})
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	send := func(v any) {
		b, _ := json.Marshal(v)
		fmt.Fprintf(w, "data: %s\n\n", b)
		fl.Flush()
	}
	chunk := func(delta map[string]any, finish any) map[string]any {
		return map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": model,
			"choices": []any{map[string]any{"index": 0, "delta": delta, "finish_reason": finish}}}
	}
	send(chunk(map[string]any{"role": "assistant", "content": ""}, nil))
	if chunks == nil {
		chunks = func(a string) []string { return splitEvery(a, 3) }
	}
	for _, c := range chunks(answer) {
		if chunkDelay > 0 {
			select {
			case <-time.After(chunkDelay):
			case <-r.Context().Done():
				return
			}
		}
		// Raw bytes: a chunk may end inside a character, as a provider's may.
		fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{\"content\":%s},\"finish_reason\":null}]}\n\n",
			model, rawJSONString(c))
		fl.Flush()
	}
	send(chunk(map[string]any{}, "stop"))
	if so, ok := body["stream_options"].(map[string]any); ok && so["include_usage"] == true {
		send(map[string]any{"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1700000000, "model": model, "choices": []any{},
			"usage": map[string]any{"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}})
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// serveToolCalls answers with tool calls, streamed or not.
func (s *standIn) serveToolCalls(w http.ResponseWriter, body map[string]any, model string, args []string, chunks func(string) []string) {
	if body["stream"] != true {
		var calls []any
		for i, a := range args {
			calls = append(calls, map[string]any{"id": fmt.Sprintf("call_%d", i), "type": "function", "function": map[string]any{"name": "lookup", "arguments": a}})
		}
		out, _ := json.Marshal(map[string]any{"id": "chatcmpl-1", "object": "chat.completion", "created": 1700000000, "model": model,
			"choices": []any{map[string]any{"index": 0, "message": map[string]any{"role": "assistant", "content": nil, "tool_calls": calls}, "finish_reason": "tool_calls"}},
			"usage":   map[string]any{"prompt_tokens": 10, "completion_tokens": 20, "total_tokens": 30}})
		w.Header().Set("Content-Type", "application/json")
		w.Write(out)
		return
	}
	w.Header().Set("Content-Type", "text/event-stream")
	fl := w.(http.Flusher)
	event := func(delta string, finish string) {
		fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n", model, delta, finish)
		fl.Flush()
	}
	event(`{"role":"assistant","content":null}`, "null")
	if chunks == nil {
		chunks = func(a string) []string { return splitEvery(a, 3) }
	}
	for i, a := range args {
		event(fmt.Sprintf(`{"tool_calls":[{"index":%d,"id":"call_%d","type":"function","function":{"name":"lookup","arguments":""}}]}`, i, i), "null")
		for _, c := range chunks(a) {
			event(fmt.Sprintf(`{"tool_calls":[{"index":%d,"function":{"arguments":%s}}]}`, i, rawJSONString(c)), "null")
		}
	}
	event(`{}`, `"tool_calls"`)
	if so, ok := body["stream_options"].(map[string]any); ok && so["include_usage"] == true {
		fmt.Fprintf(w, "data: {\"id\":\"chatcmpl-1\",\"object\":\"chat.completion.chunk\",\"created\":1700000000,\"model\":%q,\"choices\":[],\"usage\":{\"prompt_tokens\":10,\"completion_tokens\":20,\"total_tokens\":30}}\n\n", model)
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// rawJSONString quotes s for JSON without touching bytes that are not
// valid UTF-8 (encoding/json would replace them).
func rawJSONString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c == '"' || c == '\\':
			b.WriteByte('\\')
			b.WriteByte(c)
		case c == '\n':
			b.WriteString(`\n`)
		case c < 0x20:
			fmt.Fprintf(&b, `\u%04x`, c)
		default:
			b.WriteByte(c)
		}
	}
	b.WriteByte('"')
	return b.String()
}

func splitEvery(s string, n int) []string {
	var out []string
	for len(s) > n {
		out = append(out, s[:n])
		s = s[n:]
	}
	if s != "" {
		out = append(out, s)
	}
	return out
}

func (s *standIn) received() []standInRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]standInRequest(nil), s.requests...)
}

func (s *standIn) set(fn func(s *standIn)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

// gatewayTenant creates a tenant whose owner adds the stand-in as its
// upstream (models gpt-test and emb, alias fast), and an api_user key.
func (ts *testServer) gatewayTenant(t *testing.T, slug string, up *standIn, extra map[string]any) (owner, key string) {
	t.Helper()
	ts.tenantWithOwner(t, slug, "owner@"+slug+".io")
	owner, _ = ts.mustLogin(t, slug, "owner@"+slug+".io", ownerPassword)
	body := map[string]any{"name": "local", "base_url": up.URL + "/v1", "api_key": standInKey, "models": []string{"gpt-test", "emb"},
		"aliases": map[string]string{"fast": "gpt-test"}, "default": true}
	for k, v := range extra {
		body[k] = v
	}
	resp, created := ts.do(t, "POST", "/v1/ai/upstreams", owner, body)
	if resp.StatusCode != 201 {
		t.Fatalf("create upstream: %d %v", resp.StatusCode, created)
	}
	resp, k := ts.do(t, "POST", "/v1/api-keys", owner, map[string]any{"name": "bot", "role": "api_user"})
	if resp.StatusCode != 201 {
		t.Fatalf("create key: %d %v", resp.StatusCode, k)
	}
	return owner, k["key"].(string)
}

// client is the official OpenAI client pointed at Rampart.
func (ts *testServer) client(key string) *openai.Client {
	c := openai.NewClient(option.WithBaseURL(ts.URL+"/v1/ai/"), option.WithAPIKey(key), option.WithMaxRetries(0))
	return &c
}

// sseResult is a streamed answer as the client received it.
type sseResult struct {
	Status  int
	Events  []string       // the data of each event, in order
	Content string         // the content deltas joined
	Args    map[int]string // the arguments of each tool call, joined
	Names   map[int]string // the function name of each tool call
	Error   map[string]any
	Done    bool // ended with data: [DONE]
	Raw     string
}

// stream posts a streamed chat and reads every event.
func (ts *testServer) stream(t testing.TB, key string, body map[string]any) sseResult {
	t.Helper()
	body["stream"] = true
	req, _ := http.NewRequest("POST", ts.URL+"/v1/ai/chat/completions", strings.NewReader(string(mustJSON(body))))
	req.Header.Set("Authorization", "Bearer "+key)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := sseResult{Status: resp.StatusCode, Raw: string(raw)}
	if resp.StatusCode != 200 {
		return out
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		t.Fatalf("content type %q", ct)
	}
	for _, ev := range strings.Split(string(raw), "\n\n") {
		if ev == "" {
			continue
		}
		if !strings.HasPrefix(ev, "data: ") || strings.Contains(ev, "\n") {
			t.Fatalf("not an SSE data event: %q", ev)
		}
		data := strings.TrimPrefix(ev, "data: ")
		out.Events = append(out.Events, data)
		if data == "[DONE]" {
			out.Done = true
			continue
		}
		if out.Done {
			t.Fatalf("event after [DONE]: %q", data)
		}
		var doc map[string]any
		if err := json.Unmarshal([]byte(data), &doc); err != nil {
			t.Fatalf("event is not JSON: %q", data)
		}
		if e, ok := doc["error"].(map[string]any); ok {
			out.Error = e
			continue
		}
		for _, c := range doc["choices"].([]any) {
			if d, ok := c.(map[string]any)["delta"].(map[string]any); ok {
				s, _ := d["content"].(string)
				out.Content += s
				calls, _ := d["tool_calls"].([]any)
				for _, c := range calls {
					c := c.(map[string]any)
					i := int(c["index"].(float64))
					if out.Args == nil {
						out.Args, out.Names = map[int]string{}, map[int]string{}
					}
					if fn, ok := c["function"].(map[string]any); ok {
						a, _ := fn["arguments"].(string)
						out.Args[i] += a
						if n, ok := fn["name"].(string); ok {
							out.Names[i] += n
						}
					}
				}
			}
		}
	}
	return out
}
