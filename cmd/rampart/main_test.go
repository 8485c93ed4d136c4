package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/internal/testdb"
)

const testOperatorToken = "test-operator-token-0123456789abcdef"

// testServer is a Rampart started through run, as `rampart serve` would be.
type testServer struct {
	URL     string
	DataDir string
	env     map[string]string
	stderr  *syncBuffer
}

type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}
func (s *syncBuffer) String() string { s.mu.Lock(); defer s.mu.Unlock(); return s.b.String() }

// testEnv is the environment of a test server: a port of its own, cheap
// Argon2 (TestProductionParameters in identity keeps the real cost).
func testEnv(t testing.TB, dialect string) map[string]string {
	dir := t.TempDir()
	return map[string]string{
		"RAMPART_ADDR":              "127.0.0.1:0",
		"RAMPART_DATA_DIR":          dir,
		"RAMPART_DATABASE_URL":      testdb.URL(t, dialect),
		"RAMPART_OPERATOR_TOKEN":    testOperatorToken,
		"RAMPART_ARGON2_TIME":       "1",
		"RAMPART_ARGON2_MEMORY_KIB": "1024",
		"GOMEMLIMIT":                "off",
		"RAMPART_JWT_ALG":           "ES256", // fast keys; RS256 has tests of its own
		"RAMPART_RATE_LIMITS":       "off",   // many requests from one address; rate limits have tests of their own
		"RAMPART_SEND_LIMITS":       "off",   // likewise for messages with links and codes
	}
}

// start runs the server with env and waits until it listens.
func start(t testing.TB, env map[string]string) *testServer {
	t.Helper()
	return startWith(t, env, serveOptions{})
}

// startWith is start with serve options (a skewed clock, say).
func startWith(t testing.TB, env map[string]string, opt serveOptions) *testServer {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	ts := &testServer{DataDir: env["RAMPART_DATA_DIR"], env: env, stderr: &syncBuffer{}}
	done := make(chan error, 1)
	go func() {
		var err error
		if opt.now != nil || opt.privacyNow != nil {
			err = serveWith(ctx, nil, func(k string) string { return env[k] }, pw, ts.stderr, opt)
		} else {
			err = run(ctx, []string{"serve"}, func(k string) string { return env[k] }, nil, pw, ts.stderr)
		}
		pw.CloseWithError(fmt.Errorf("server exited: %v", err))
		done <- err
	}()
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if _, addr, ok := strings.Cut(sc.Text(), "listening on "); ok {
			ts.URL = addr
			break
		}
	}
	if ts.URL == "" {
		cancel()
		t.Fatalf("server did not start: %v\n%s", sc.Err(), ts.stderr)
	}
	go io.Copy(io.Discard, pr)
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("server exited with %v", err)
			}
		case <-time.After(10 * time.Second):
			t.Error("server did not shut down")
		}
	})
	return ts
}

// eachDialect starts one server per database and runs fn against it.
func eachDialect(t *testing.T, fn func(t *testing.T, ts *testServer)) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, start(t, testEnv(t, d))) })
	}
}

// do sends a request and decodes a JSON answer into a map.
func (ts *testServer) do(t *testing.T, method, path, token string, body any) (*http.Response, map[string]any) {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	case []byte:
		r = bytes.NewReader(b)
	default:
		j, _ := json.Marshal(b)
		r = bytes.NewReader(j)
	}
	req, _ := http.NewRequest(method, ts.URL+path, r)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var m map[string]any
	json.Unmarshal(raw, &m)
	if m == nil {
		m = map[string]any{"_raw": string(raw)}
	}
	return resp, m
}

func newTenantBody(slug, email string) map[string]any {
	return map[string]any{"slug": slug, "name": "Tenant " + slug, "owner": map[string]any{"email": email, "password": "Tr1cky-Passw0rd!"}}
}

// assertProblem checks an RFC 9457 answer with the given status.
func assertProblem(t *testing.T, resp *http.Response, body map[string]any, status int) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d: %v", resp.StatusCode, status, body)
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("content type %q", ct)
	}
	for _, k := range []string{"type", "title", "status", "detail", "error_id"} {
		if body[k] == nil || body[k] == "" {
			t.Fatalf("problem without %s: %v", k, body)
		}
	}
	if int(body["status"].(float64)) != status {
		t.Fatalf("problem status %v", body["status"])
	}
}

func TestTenantLifecycle(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		resp, body := ts.do(t, "POST", "/v1/tenants", testOperatorToken, newTenantBody("acme", "Alice@Acme.io"))
		if resp.StatusCode != 201 {
			t.Fatalf("create: %d %v", resp.StatusCode, body)
		}
		id, _ := body["id"].(string)
		if id == "" || body["slug"] != "acme" || body["name"] != "Tenant acme" || body["created_at"] == nil {
			t.Fatalf("create body %v", body)
		}
		if _, err := time.Parse(time.RFC3339Nano, body["created_at"].(string)); err != nil {
			t.Fatal(err)
		}
		if resp.Header.Get("Location") != "/v1/tenants/"+id {
			t.Fatalf("Location %q", resp.Header.Get("Location"))
		}
		resp, body = ts.do(t, "POST", "/v1/tenants", testOperatorToken, newTenantBody("acme", "bob@acme.io"))
		assertProblem(t, resp, body, 409)
		// The same owner email may exist in another tenant.
		resp, _ = ts.do(t, "POST", "/v1/tenants", testOperatorToken, newTenantBody("beta", "alice@acme.io"))
		if resp.StatusCode != 201 {
			t.Fatalf("second tenant: %d", resp.StatusCode)
		}
		resp, body = ts.do(t, "GET", "/v1/tenants?limit=1", testOperatorToken, nil)
		list := body["tenants"].([]any)
		if resp.StatusCode != 200 || len(list) != 1 || list[0].(map[string]any)["slug"] != "acme" || body["next_after"] != "acme" {
			t.Fatalf("list page 1: %v", body)
		}
		_, body = ts.do(t, "GET", "/v1/tenants?after=acme", testOperatorToken, nil)
		if list := body["tenants"].([]any); len(list) != 1 || list[0].(map[string]any)["slug"] != "beta" {
			t.Fatalf("list page 2: %v", body)
		}
		resp, body = ts.do(t, "POST", "/v1/tenants/"+id+"/disable", testOperatorToken, nil)
		if resp.StatusCode != 200 || body["status"] != "disabled" {
			t.Fatalf("disable: %d %v", resp.StatusCode, body)
		}
		_, body = ts.do(t, "GET", "/v1/tenants/"+id, testOperatorToken, nil)
		if body["status"] != "disabled" {
			t.Fatalf("get after disable: %v", body)
		}
		resp, body = ts.do(t, "POST", "/v1/tenants/"+id+"/enable", testOperatorToken, nil)
		if resp.StatusCode != 200 || body["status"] != "active" {
			t.Fatalf("enable: %v", body)
		}
		resp, body = ts.do(t, "GET", "/v1/tenants/00000000-0000-0000-0000-000000000000", testOperatorToken, nil)
		assertProblem(t, resp, body, 404)
		resp, body = ts.do(t, "GET", "/v1/tenants/nonsense", testOperatorToken, nil)
		assertProblem(t, resp, body, 404)
	})
}

func TestOperatorTokenRequired(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	for _, token := range []string{"", "wrong", testOperatorToken + "x", strings.ToUpper(testOperatorToken)} {
		resp, body := ts.do(t, "GET", "/v1/tenants", token, nil)
		assertProblem(t, resp, body, 401)
		if resp.Header.Get("WWW-Authenticate") == "" {
			t.Fatal("401 without WWW-Authenticate")
		}
	}
	resp, body := ts.do(t, "POST", "/v1/tenants", "", newTenantBody("acme", "a@acme.io"))
	assertProblem(t, resp, body, 401)
}

func TestBadInputNamesTheField(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	long := strings.Repeat("x", 300)
	tests := []struct {
		name   string
		body   any
		status int
		field  string
	}{
		{"unknown field", `{"slug":"acme","name":"A","owner":{"email":"a@acme.io","password":"Tr1cky-Passw0rd!"},"plan":"gold"}`, 400, "plan"},
		{"wrong type", `{"slug":"acme","name":42,"owner":{"email":"a@acme.io","password":"Tr1cky-Passw0rd!"}}`, 400, "name"},
		{"wrong nested type", `{"slug":"acme","name":"A","owner":{"email":["a"],"password":"Tr1cky-Passw0rd!"}}`, 400, "owner.email"},
		{"not an object", `["acme"]`, 400, ""},
		{"syntax", `{"slug":`, 400, ""},
		{"two values", `{"slug":"acme"}{"slug":"b"}`, 400, ""},
		{"empty", ``, 400, ""},
		{"non-UTF-8", []byte("{\"slug\":\"acme\",\"name\":\"A\xff\",\"owner\":{\"email\":\"a@acme.io\",\"password\":\"Tr1cky-Passw0rd!\"}}"), 400, "name"},
		{"bad slug", newTenantBody("Acme_Corp", "a@acme.io"), 422, "slug"},
		{"short slug", newTenantBody("ab", "a@acme.io"), 422, "slug"},
		{"missing name", map[string]any{"slug": "acme", "owner": map[string]any{"email": "a@acme.io", "password": "Tr1cky-Passw0rd!"}}, 422, "name"},
		{"long name", map[string]any{"slug": "acme", "name": long, "owner": map[string]any{"email": "a@acme.io", "password": "Tr1cky-Passw0rd!"}}, 422, "name"},
		{"bad email", newTenantBody("acme", "not-an-email"), 422, "owner.email"},
		{"long email", newTenantBody("acme", long+"@acme.io"), 422, "owner.email"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := ts.do(t, "POST", "/v1/tenants", testOperatorToken, tc.body)
			assertProblem(t, resp, body, tc.status)
			if tc.field != "" && body["field"] != tc.field {
				t.Fatalf("field = %v, want %s (%v)", body["field"], tc.field, body)
			}
		})
	}
	// Nothing was half-written by any of them.
	_, body := ts.do(t, "GET", "/v1/tenants", testOperatorToken, nil)
	if n := len(body["tenants"].([]any)); n != 0 {
		t.Fatalf("%d tenants after bad input", n)
	}
}

func TestPasswordPolicyProblemListsChecks(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	body := newTenantBody("acme", "alice@acme.io")
	body["owner"].(map[string]any)["password"] = "alice"
	resp, p := ts.do(t, "POST", "/v1/tenants", testOperatorToken, body)
	assertProblem(t, resp, p, 422)
	checks, ok := p["checks"].(map[string]any)
	if !ok || p["field"] != "owner.password" {
		t.Fatalf("problem %v", p)
	}
	want := map[string]bool{"length": false, "uppercase": false, "lowercase": true, "digits": false, "special": false, "common": true, "email": false}
	for k, v := range want {
		if checks[k] != v {
			t.Errorf("checks[%s] = %v, want %v", k, checks[k], v)
		}
	}
	if strings.Contains(fmt.Sprint(p), "alice\"") {
		t.Fatal("problem echoes the password")
	}
}

func TestBodyLimit(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_MAX_BODY_BYTES"] = "2048"
	ts := start(t, env)
	big := `{"slug":"acme","name":"` + strings.Repeat("x", 4096) + `"}`
	resp, body := ts.do(t, "POST", "/v1/tenants", testOperatorToken, big)
	assertProblem(t, resp, body, 413)
	// A chunked body (no Content-Length) is cut off as well.
	req, _ := http.NewRequest("POST", ts.URL+"/v1/tenants", io.MultiReader(strings.NewReader(big)))
	req.ContentLength = -1
	req.Header.Set("Authorization", "Bearer "+testOperatorToken)
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	if r2.StatusCode != 413 {
		t.Fatalf("chunked oversize: %d", r2.StatusCode)
	}
}

func TestResponseHeadersAndRouting(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_CORS_ORIGINS"] = "https://app.example.com"
	ts := start(t, env)
	resp, _ := ts.do(t, "GET", "/healthz", "", nil)
	for k, v := range map[string]string{
		"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "strict-origin-when-cross-origin",
	} {
		if resp.Header.Get(k) != v {
			t.Errorf("%s = %q", k, resp.Header.Get(k))
		}
	}
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") {
		t.Errorf("CSP %q", csp)
	}
	if resp.Header.Get("Strict-Transport-Security") != "" {
		t.Error("HSTS over plain HTTP")
	}
	resp, body := ts.do(t, "GET", "/nowhere", "", nil)
	assertProblem(t, resp, body, 404)
	resp, body = ts.do(t, "DELETE", "/v1/tenants", testOperatorToken, nil)
	assertProblem(t, resp, body, 405)
	if resp.Header.Get("Allow") != "GET, HEAD, POST" {
		t.Errorf("Allow %q", resp.Header.Get("Allow"))
	}
	// CORS: the configured origin gets a preflight answer, another does not.
	pre := func(origin string) *http.Response {
		req, _ := http.NewRequest("OPTIONS", ts.URL+"/v1/tenants", nil)
		req.Header.Set("Origin", origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		r, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		r.Body.Close()
		return r
	}
	if r := pre("https://app.example.com"); r.StatusCode != 204 || r.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Errorf("allowed preflight: %d %v", r.StatusCode, r.Header)
	}
	if r := pre("https://evil.example"); r.StatusCode != 403 || r.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Errorf("foreign preflight: %d %v", r.StatusCode, r.Header)
	}
}

func TestTrustedHosts(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_TRUSTED_HOSTS"] = "rampart.example.com"
	ts := start(t, env)
	resp, body := ts.do(t, "GET", "/healthz", "", nil)
	assertProblem(t, resp, body, 400)
	req, _ := http.NewRequest("GET", ts.URL+"/healthz", nil)
	req.Host = "rampart.example.com"
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 200 {
		t.Fatalf("trusted host: %d", r.StatusCode)
	}
}

func TestHealthReadinessMetricsOpenAPI(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.do(t, "POST", "/v1/tenants", testOperatorToken, newTenantBody("acme", "a@acme.io"))
		if resp, body := ts.do(t, "GET", "/readyz", "", nil); resp.StatusCode != 200 || body["checks"].(map[string]any)["database"] != "ok" {
			t.Fatalf("readyz %d %v", resp.StatusCode, body)
		}
		resp, body := ts.do(t, "GET", "/metrics", "", nil)
		text := body["_raw"].(string)
		for _, want := range []string{`rampart_http_requests_total{route="POST /v1/tenants",status="201"} 1`,
			"rampart_http_request_duration_seconds_bucket", "rampart_password_hash_waiting", "rampart_password_hash_slots"} {
			if !strings.Contains(text, want) {
				t.Errorf("metrics lack %q", want)
			}
		}
		if resp.StatusCode != 200 {
			t.Fatal(resp.Status)
		}
		resp, body = ts.do(t, "GET", "/openapi.json", "", nil)
		if resp.StatusCode != 200 || body["openapi"] != "3.1.0" {
			t.Fatalf("openapi %v", body["openapi"])
		}
	})
}

func TestReadinessFailsWhenRedisIsDown(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_REDIS_URL"] = "redis://127.0.0.1:1/0"
	ts := start(t, env)
	resp, body := ts.do(t, "GET", "/readyz", "", nil)
	assertProblem(t, resp, body, 503)
	if body["checks"].(map[string]any)["redis"] != "unavailable" {
		t.Fatalf("%v", body)
	}
	if strings.Contains(fmt.Sprint(body), "connection refused") {
		t.Fatal("readyz leaks the cause")
	}
}

func TestHashQueueFullAnswers503(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_HASH_SLOTS"] = "1"
	env["RAMPART_HASH_QUEUE"] = "1"
	env["RAMPART_ARGON2_TIME"] = "3"
	env["RAMPART_ARGON2_MEMORY_KIB"] = "32768"
	ts := start(t, env)
	var wg sync.WaitGroup
	var mu sync.Mutex
	statuses := map[int]int{}
	retryAfter := ""
	for i := 0; i < 12; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp, _ := ts.do(t, "POST", "/v1/tenants", testOperatorToken, newTenantBody(fmt.Sprintf("tenant-%02d", i), "a@acme.io"))
			mu.Lock()
			defer mu.Unlock()
			statuses[resp.StatusCode]++
			if resp.StatusCode == 503 {
				retryAfter = resp.Header.Get("Retry-After")
			}
		}()
	}
	wg.Wait()
	if statuses[503] == 0 || statuses[201] == 0 || statuses[201]+statuses[503] != 12 {
		t.Fatalf("statuses %v", statuses)
	}
	if retryAfter == "" {
		t.Fatal("503 without Retry-After")
	}
}

func TestProductionRefusesToStart(t *testing.T) {
	var stderr bytes.Buffer
	env := map[string]string{"RAMPART_ENV": "production", "RAMPART_DEBUG": "true", "RAMPART_DATA_DIR": t.TempDir()}
	err := run(context.Background(), []string{"serve"}, func(k string) string { return env[k] }, nil, io.Discard, &stderr)
	if err == nil {
		t.Fatal("production started with insecure settings")
	}
	lines := strings.Count(stderr.String(), "\n  - ")
	if lines != 5 {
		t.Fatalf("want one line per problem (5), got %d:\n%s", lines, stderr.String())
	}
	if !strings.Contains(stderr.String(), "RAMPART_ISSUER") {
		t.Fatalf("the missing issuer is not named:\n%s", stderr.String())
	}
}

func TestDevelopmentDefaultsPrintTokenOnce(t *testing.T) {
	env := testEnv(t, "sqlite")
	delete(env, "RAMPART_OPERATOR_TOKEN")
	delete(env, "RAMPART_DATABASE_URL") // the embedded default: SQLite in the data folder
	var out1 bytes.Buffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	pr, pw := io.Pipe()
	go func() {
		done <- run(ctx, []string{"serve"}, func(k string) string { return env[k] }, nil, pw, io.Discard)
		pw.Close()
	}()
	sc := bufio.NewScanner(pr)
	var url, token string
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		out1.WriteString(line + "\n")
		if strings.HasPrefix(line, "rop_") {
			token = line
		}
		if _, addr, ok := strings.Cut(line, "listening on "); ok {
			url = addr
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if token == "" || url == "" {
		t.Fatalf("no token or address printed:\n%s", out1.String())
	}
	ts := &testServer{URL: url}
	if resp, _ := ts.do(t, "GET", "/v1/tenants", token, nil); resp.StatusCode != 200 {
		t.Fatalf("printed token refused: %d", resp.StatusCode)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"rampart.db", "master.key", "operator-token.sha256"} {
		fi, err := os.Stat(filepath.Join(env["RAMPART_DATA_DIR"], f))
		if err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s is readable by others: %v", f, fi.Mode())
		}
	}
	// A restart does not print a new token, and the old one still works.
	ts2 := start(t, env)
	if resp, _ := ts2.do(t, "GET", "/v1/tenants", token, nil); resp.StatusCode != 200 {
		t.Fatalf("token refused after restart: %d", resp.StatusCode)
	}
}
