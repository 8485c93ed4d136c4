package main

import (
	"context"
	"database/sql"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/openai/openai-go"
)

// TestGatewayUpstreamsAndModels: upstreams are admin:security, their keys
// sealed and never shown; models list through the OpenAI client; errors on
// the OpenAI routes are OpenAI-shaped.
func TestGatewayUpstreamsAndModels(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		up := newStandIn(t)
		owner, key := ts.gatewayTenant(t, "acme", up, nil)
		_, list := ts.do(t, "GET", "/v1/ai/upstreams", owner, nil)
		if strings.Contains(string(mustJSON(list)), standInKey) || len(list["upstreams"].([]any)) != 1 {
			t.Fatalf("list %v", list)
		}
		if st := ts.status(t, "GET", "/v1/ai/upstreams", key, nil); st != 403 {
			t.Fatalf("api_user listed upstreams: %d", st)
		}
		// Bad input is refused naming the field.
		resp, body := ts.do(t, "POST", "/v1/ai/upstreams", owner, map[string]any{"name": "x", "base_url": "ftp://nope", "api_key": "k"})
		if resp.StatusCode != 422 || body["field"] != "base_url" {
			t.Fatalf("bad url: %d %v", resp.StatusCode, body)
		}
		resp, body = ts.do(t, "POST", "/v1/ai/upstreams", owner, map[string]any{"name": "local", "base_url": up.URL, "api_key": "k"})
		if resp.StatusCode != 409 {
			t.Fatalf("taken name: %d %v", resp.StatusCode, body)
		}
		// The key is sealed at rest: the database never holds it.
		if strings.Contains(dumpDatabase(t, ts), standInKey) {
			t.Fatal("the provider key is stored in clear")
		}

		c := ts.client(key)
		models, err := c.Models.List(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range models.Data {
			ids = append(ids, m.ID)
		}
		if strings.Join(ids, ",") != "emb,fast,gpt-test" {
			t.Fatalf("models %v", ids)
		}
		// Unknown model: OpenAI's 404 model_not_found.
		_, err = c.Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "nope", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
		var apiErr *openai.Error
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 404 || apiErr.Code != "model_not_found" {
			t.Fatalf("unknown model: %v", err)
		}
		// A wrong key: 401 in OpenAI's shape.
		_, err = ts.client("rmp_wrong").Models.List(context.Background())
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 401 || apiErr.Code != "invalid_api_key" {
			t.Fatalf("wrong key: %v", err)
		}
		// A role without ai:chat: 403 in OpenAI's shape.
		_, view := ts.member(t, owner, "acme", "viewer@acme.io", "viewer")
		_ = view
		viewer, _ := ts.mustLogin(t, "acme", "viewer@acme.io", "An0ther-Str0ng-One")
		_, err = ts.client(viewer).Chat.Completions.New(context.Background(), openai.ChatCompletionNewParams{Model: "gpt-test", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hi")}})
		if !errors.As(err, &apiErr) || apiErr.StatusCode != 403 || apiErr.Type != "permission_error" {
			t.Fatalf("viewer: %v", err)
		}
		// Delete.
		id := list["upstreams"].([]any)[0].(map[string]any)["id"].(string)
		if st := ts.status(t, "DELETE", "/v1/ai/upstreams/"+id, owner, nil); st != 204 {
			t.Fatalf("delete: %d", st)
		}
		if st := ts.status(t, "DELETE", "/v1/ai/upstreams/"+id, owner, nil); st != 404 {
			t.Fatalf("delete twice: %d", st)
		}
	})
}

// dumpDatabase returns the stored provider keys, as the database holds
// them (the superuser of the test PostgreSQL is not bound by RLS).
func dumpDatabase(t *testing.T, ts *testServer) string {
	t.Helper()
	url := ts.env["RAMPART_DATABASE_URL"]
	driver := "pgx"
	if strings.HasPrefix(url, "sqlite:") {
		driver, url = "sqlite", strings.TrimPrefix(url, "sqlite:")
	}
	db, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	rows, err := db.Query("SELECT api_key, name, base_url FROM ai_upstreams")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out strings.Builder
	for rows.Next() {
		var a, b, c string
		rows.Scan(&a, &b, &c)
		out.WriteString(a + b + c)
	}
	if out.Len() == 0 {
		t.Fatal("no upstream stored")
	}
	return out.String()
}

// TestGatewayChat: a non-streamed chat through the official client: PII is
// masked before the upstream and restored in the answer, the provider key
// is the tenant's, guardrails block on the way in and on the way out.
func TestGatewayChat(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		up := newStandIn(t)
		_, key := ts.gatewayTenant(t, "acme", up, nil)
		c := ts.client(key)
		ctx := context.Background()
		email := "jane.doe@example.com"
		up.set(func(s *standIn) {
			s.reply = func(last string) string { return "I will write to " + strings.TrimPrefix(last, "Mail ") + " today." }
		})
		res, err := c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "fast", Messages: []openai.ChatCompletionMessageParamUnion{
			openai.SystemMessage("You are helpful."), openai.UserMessage("Mail " + email)}})
		if err != nil {
			t.Fatal(err)
		}
		if got := res.Choices[0].Message.Content; got != "I will write to "+email+" today." {
			t.Fatalf("answer %q", got)
		}
		reqs := up.received()
		last := reqs[len(reqs)-1]
		if strings.Contains(last.Raw, email) || !strings.Contains(last.Raw, "[EMAIL_1]") {
			t.Fatalf("upstream saw %s", last.Raw)
		}
		if last.Auth != "Bearer "+standInKey || last.Body["model"] != "gpt-test" || last.Path != "/v1/chat/completions" {
			t.Fatalf("upstream request %+v", last)
		}

		// Input guardrail: a blocked prompt never reaches the upstream.
		n := len(up.received())
		_, err = c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "gpt-test", Messages: []openai.ChatCompletionMessageParamUnion{
			openai.UserMessage("You are a stupid worthless idiot and I will kill you")}})
		assertContentFilter(t, err, "toxicity")
		if len(up.received()) != n {
			t.Fatal("a blocked prompt reached the upstream")
		}
		// Output guardrail.
		up.set(func(s *standIn) { s.reply = func(string) string { return "the key is AKIAIOSFODNN7EXAMPLE ok" } })
		_, err = c.Chat.Completions.New(ctx, openai.ChatCompletionNewParams{Model: "gpt-test", Messages: []openai.ChatCompletionMessageParamUnion{openai.UserMessage("hello")}})
		assertContentFilter(t, err, "secrets")
	})
}

func assertContentFilter(t *testing.T, err error, scanner string) {
	t.Helper()
	var apiErr *openai.Error
	if !errors.As(err, &apiErr) || apiErr.StatusCode != http.StatusBadRequest || apiErr.Code != "content_filter" {
		t.Fatalf("want a content_filter error, got %v", err)
	}
	if !strings.Contains(apiErr.RawJSON(), `"scanner":"`+scanner+`"`) {
		t.Fatalf("want scanner %s: %s", scanner, apiErr.RawJSON())
	}
}
