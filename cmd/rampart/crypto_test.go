package main

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestCryptoAPI(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		ts.tenantWithOwner(t, "globex", "owner@globex.io")
		access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		other, _ := ts.mustLogin(t, "globex", "owner@globex.io", ownerPassword)
		ctx := map[string]any{"table": "users", "row": 42, "field": "email"}

		resp, body := ts.do(t, "POST", "/v1/crypto/encrypt", access, map[string]any{"text": "alice@example.com", "purpose": "email", "context": ctx})
		if resp.StatusCode != 200 || !strings.HasPrefix(body["ciphertext"].(string), "rc1:") {
			t.Fatalf("encrypt: %d %v", resp.StatusCode, body)
		}
		c := body["ciphertext"].(string)
		resp, body = ts.do(t, "POST", "/v1/crypto/decrypt", access, map[string]any{"ciphertext": c, "context": map[string]any{"field": "email", "row": 42, "table": "users"}})
		if resp.StatusCode != 200 || body["text"] != "alice@example.com" {
			t.Fatalf("decrypt (keys in another order): %d %v", resp.StatusCode, body)
		}
		// Another row, another tenant, an altered or cut ciphertext: one
		// and the same 422, saying nothing of which check failed.
		var details []string
		for name, tc := range map[string]struct {
			token string
			c     string
			ctx   any
		}{
			"other row":    {access, c, map[string]any{"table": "users", "row": 43, "field": "email"}},
			"other tenant": {other, c, ctx},
			"altered":      {access, c[:len(c)-3] + "AAA", ctx},
			"truncated":    {access, c[:len(c)-10], ctx},
		} {
			resp, body := ts.do(t, "POST", "/v1/crypto/decrypt", tc.token, map[string]any{"ciphertext": tc.c, "context": tc.ctx})
			assertProblem(t, resp, body, 422)
			details = append(details, body["detail"].(string))
			_ = name
		}
		for _, d := range details[1:] {
			if d != details[0] {
				t.Fatalf("decryption failures differ: %q", details)
			}
		}
		// Bad input.
		for _, tc := range []struct {
			body   map[string]any
			status int
			field  string
		}{
			{map[string]any{"plaintext": "not base64!", "context": "x"}, 400, "plaintext"},
			{map[string]any{"text": "x", "purpose": "passport", "context": "x"}, 422, "purpose"},
			{map[string]any{"text": "x"}, 422, "context"},
		} {
			resp, body := ts.do(t, "POST", "/v1/crypto/encrypt", access, tc.body)
			assertProblem(t, resp, body, tc.status)
			if body["field"] != tc.field {
				t.Errorf("%v: field %v", tc.body, body["field"])
			}
		}
		// Rotation: new writes use v2, old ciphertexts decrypt, rewrap
		// moves them forward keeping the context.
		resp, body = ts.do(t, "POST", "/v1/keys/rotate", access, map[string]any{"purpose": "email"})
		if resp.StatusCode != 201 {
			t.Fatalf("rotate: %d %v", resp.StatusCode, body)
		}
		resp, body = ts.do(t, "POST", "/v1/crypto/rewrap", access, map[string]any{"ciphertext": c, "context": ctx})
		if resp.StatusCode != 200 || body["key_version"].(float64) != 2 {
			t.Fatalf("rewrap: %d %v", resp.StatusCode, body)
		}
		if resp, body := ts.do(t, "POST", "/v1/crypto/decrypt", access, map[string]any{"ciphertext": body["ciphertext"], "context": ctx}); resp.StatusCode != 200 || body["text"] != "alice@example.com" {
			t.Fatalf("decrypt rewrapped: %v", body)
		}
		// Batches.
		items := []any{}
		for i := 0; i < 3; i++ {
			items = append(items, map[string]any{"text": "v" + string(rune('0'+i)), "context": "row/" + string(rune('0'+i))})
		}
		resp, body = ts.do(t, "POST", "/v1/crypto/encrypt-batch", access, map[string]any{"items": items})
		if resp.StatusCode != 200 || len(body["items"].([]any)) != 3 {
			t.Fatalf("encrypt batch: %d %v", resp.StatusCode, body)
		}
		dec := []any{}
		for i, it := range body["items"].([]any) {
			ctxName := "row/" + string(rune('0'+i))
			if i == 2 {
				ctxName = "wrong"
			}
			dec = append(dec, map[string]any{"ciphertext": it.(map[string]any)["ciphertext"], "context": ctxName})
		}
		resp, body = ts.do(t, "POST", "/v1/crypto/decrypt-batch", access, map[string]any{"items": dec})
		got := body["items"].([]any)
		if resp.StatusCode != 200 || got[0].(map[string]any)["text"] != "v0" || got[2].(map[string]any)["error"] == nil {
			t.Fatalf("decrypt batch: %v", body)
		}
		tooMany := make([]any, 1001)
		for i := range tooMany {
			tooMany[i] = map[string]any{"text": "x", "context": "c"}
		}
		if resp, body := ts.do(t, "POST", "/v1/crypto/encrypt-batch", access, map[string]any{"items": tooMany}); resp.StatusCode != 422 {
			t.Fatalf("1001 items: %d %v", resp.StatusCode, body)
		}
		// Documents: all or nothing.
		doc := map[string]any{"user": map[string]any{"email": "a@b.co", "id": 12345678901234567}, "payment": map[string]any{"card": "4111111111111111"}}
		resp, encRaw := ts.doRaw(t, "POST", "/v1/crypto/encrypt-document", access, map[string]any{"document": doc, "fields": map[string]any{"user.email": "email", "payment.card": "credit_card"}, "context": "orders/1"})
		if resp.StatusCode != 200 || strings.Contains(encRaw, "a@b.co") || !strings.Contains(encRaw, "12345678901234567") {
			t.Fatalf("encrypt document: %d %s", resp.StatusCode, encRaw)
		}
		var encBody struct{ Document json.RawMessage }
		json.Unmarshal([]byte(encRaw), &encBody)
		enc := encBody.Document
		resp, body = ts.do(t, "POST", "/v1/crypto/encrypt-document", access, map[string]any{"document": doc, "fields": map[string]any{"user.email": "email", "user.phone": "phone"}, "context": "orders/1"})
		if resp.StatusCode != 422 || body["field"] != "fields.user.phone" {
			t.Fatalf("missing path: %d %v", resp.StatusCode, body)
		}
		resp, raw := ts.doRaw(t, "POST", "/v1/crypto/decrypt-document", access, map[string]any{"document": enc, "context": "orders/1"})
		if resp.StatusCode != 200 || !strings.Contains(raw, `"email":"a@b.co"`) || !strings.Contains(raw, "12345678901234567") || !strings.Contains(raw, `"card":"4111111111111111"`) {
			t.Fatalf("decrypt document: %d %s", resp.StatusCode, raw)
		}
		// Files.
		plain := make([]byte, 200_000)
		rand.Read(plain)
		encFile := ts.octets(t, "/v1/crypto/encrypt-file?purpose=default&context=files/7", access, plain, 200)
		back := ts.octets(t, "/v1/crypto/decrypt-file?context=files/7", access, encFile, 200)
		if !bytes.Equal(back, plain) {
			t.Fatal("file round trip")
		}
		ts.octets(t, "/v1/crypto/decrypt-file?context=files/8", access, encFile, 422)
		// A member without crypto permissions is refused.
		_, member := ts.member(t, access, "acme", "m@acme.io", "member")
		if resp, _ := ts.do(t, "POST", "/v1/crypto/encrypt", member, map[string]any{"text": "x", "context": "c"}); resp.StatusCode != 403 {
			t.Fatalf("member: %d", resp.StatusCode)
		}
		// Decryptions are audited as data_access.
		_, ev := ts.do(t, "GET", "/v1/audit/events?type=data_access", access, nil)
		if list, _ := ev["events"].([]any); len(list) < 3 {
			t.Fatalf("data_access events: %v", ev)
		}
	})
}

func (ts *testServer) doRaw(t *testing.T, method, path, token string, body any) (*http.Response, string) {
	t.Helper()
	j, _ := json.Marshal(body)
	req, _ := http.NewRequest(method, ts.URL+path, bytes.NewReader(j))
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, string(raw)
}

func (ts *testServer) octets(t *testing.T, path, token string, body []byte, want int) []byte {
	t.Helper()
	req, _ := http.NewRequest("POST", ts.URL+path, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", "application/octet-stream")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	out, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != want {
		t.Fatalf("%s: %d, want %d: %s", path, resp.StatusCode, want, out)
	}
	return out
}

func TestPIIAPI(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	text := "Héllo 👋 mail jane.doe@example.com or call (415) 555-0132, card 4111 1111 1111 1111."
	resp, body := ts.do(t, "POST", "/v1/pii/detect", access, map[string]any{"text": text})
	if resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	types := map[string]bool{}
	runes := []rune(text)
	for _, f := range body["findings"].([]any) {
		m := f.(map[string]any)
		types[m["type"].(string)] = true
		start, end := int(m["start"].(float64)), int(m["end"].(float64))
		if string(runes[start:end]) != m["text"] {
			t.Errorf("offsets are not code points: %v", m)
		}
	}
	if !types["email"] || !types["phone"] || !types["credit_card"] {
		t.Fatalf("findings %v", body)
	}
	resp, body = ts.do(t, "POST", "/v1/pii/mask", access, map[string]any{"text": text})
	masked, _ := body["text"].(string)
	if resp.StatusCode != 200 || !strings.Contains(masked, "@example.com") || strings.Contains(masked, "jane.doe") || !strings.Contains(masked, "1111.") || !strings.HasPrefix(masked, "Héllo 👋 mail ") {
		t.Fatalf("mask: %v", body)
	}
	resp, body = ts.do(t, "POST", "/v1/pii/mask", access, map[string]any{"text": text, "strategy": "encrypt"})
	if resp.StatusCode != 200 || strings.Contains(body["text"].(string), "jane.doe") {
		t.Fatalf("encrypt mask: %v", body)
	}
	resp, back := ts.do(t, "POST", "/v1/pii/unmask", access, map[string]any{"text": body["text"]})
	if resp.StatusCode != 200 || back["text"] != text {
		t.Fatalf("unmask: %v", back)
	}
	h1, _ := ts.do(t, "POST", "/v1/pii/mask", access, map[string]any{"text": "a@b.co", "strategy": "hash"})
	_ = h1
	if resp, body := ts.do(t, "POST", "/v1/pii/detect", access, map[string]any{"text": "x", "types": []string{"passport"}}); resp.StatusCode != 422 {
		t.Fatalf("unknown type: %d %v", resp.StatusCode, body)
	}
	_ = base64.StdEncoding
}

func TestKeyStatusAndReencryption(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	id := ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	ts.enrol(t, access)
	status := func(token, query string) map[string]any {
		resp, body := ts.do(t, "GET", "/v1/keys/status"+query, token, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("status: %d %v", resp.StatusCode, body)
		}
		return body
	}
	// The owner's TOTP secret and email.
	st := status(access, "")["stored_secrets"].(map[string]any)
	if st["total"].(float64) != 2 || st["on_newest_version"].(float64) < 1 {
		t.Fatalf("a new TOTP secret is not under the tenant's key: %v", st)
	}
	resp, body := ts.do(t, "POST", "/v1/keys/rotate", testOperatorToken, map[string]any{"tenant": id, "purpose": "tokens"})
	if resp.StatusCode != 201 || body["reencryption"] != "started" {
		t.Fatalf("rotate: %d %v", resp.StatusCode, body)
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		b := status(testOperatorToken, "?tenant="+id)
		st := b["stored_secrets"].(map[string]any)
		tokensV := 0.0
		for _, k := range b["keys"].([]any) {
			if k.(map[string]any)["purpose"] == "tokens" {
				tokensV = k.(map[string]any)["version"].(float64)
			}
		}
		if tokensV == 2 && st["on_newest_version"].(float64) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("re-encryption did not finish: %v", b)
		}
		time.Sleep(50 * time.Millisecond)
	}
	// The email moved under the tenant's email key too; rotate that key,
	// and the email is re-encrypted again while login and lookups go on.
	if resp, body := ts.do(t, "POST", "/v1/keys/rotate", access, map[string]any{"purpose": "email"}); resp.StatusCode != 201 {
		t.Fatalf("rotate email: %d %v", resp.StatusCode, body)
	}
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(50 * time.Millisecond) {
		st := status(access, "")["stored_secrets"].(map[string]any)
		if st["on_newest_version"].(float64) == 2 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("email not re-encrypted: %v", st)
		}
	}
	if resp, body := ts.login(t, "acme", "OWNER@acme.io", ownerPassword); resp.StatusCode != 200 || body["mfa_required"] != true {
		t.Fatalf("login after re-encryption: %d %v", resp.StatusCode, body)
	}
	if _, me := ts.do(t, "GET", "/v1/me", access, nil); me["email"] != "owner@acme.io" {
		t.Fatalf("me: %v", me)
	}
	_, member := ts.member(t, access, "acme", "m@acme.io", "member")
	if resp, _ := ts.do(t, "GET", "/v1/keys/status", member, nil); resp.StatusCode != 403 {
		t.Fatalf("member: %d", resp.StatusCode)
	}
}

// TestReviewedEdges: the edges a review found.
func TestReviewedEdges(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_RATE_LIMITS"] = "on"
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	// The tier is the operator's, whatever the capitals.
	if resp, body := ts.do(t, "PATCH", "/v1/tenant/settings", access, map[string]any{"RATE_LIMIT_TIER": "enterprise"}); resp.StatusCode != 422 {
		t.Fatalf("tier in capitals: %d %v", resp.StatusCode, body)
	}
	if _, body := ts.do(t, "GET", "/v1/tenant", access, nil); body["settings"].(map[string]any)["rate_limit_tier"] != "standard" {
		t.Fatalf("tier changed: %v", body)
	}
	// A tenant's limit tightens its tier's, never raises it: 600 model
	// requests exceed the standard tier's 500 a minute.
	if resp, body := ts.do(t, "PATCH", "/v1/tenant/settings", access, map[string]any{"rate_limits": map[string]any{"model_requests": map[string]any{"rate": 1000000000, "period_seconds": 1}}}); resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	if resp, body := ts.do(t, "POST", "/v1/ratelimit/check", access, map[string]any{"key": "k", "operation": "model_requests", "cost": 600}); resp.StatusCode != 429 {
		t.Fatalf("raised above the tier: %d %v", resp.StatusCode, body)
	}
	// Rampart's own contexts are not the API's.
	if resp, body := ts.do(t, "POST", "/v1/crypto/decrypt", access, map[string]any{"ciphertext": "rc1:AQ", "context": "rampart/mfa_totp/x"}); resp.StatusCode != 422 || body["field"] != "context" {
		t.Fatalf("internal context: %d %v", resp.StatusCode, body)
	}
	// Overlapping document paths: a 422, not a crash.
	resp, body := ts.do(t, "POST", "/v1/crypto/encrypt-document", access, map[string]any{"document": map[string]any{"a": map[string]any{"b": 1}}, "fields": map[string]any{"a": "default", "a.b": "default"}, "context": "d"})
	if resp.StatusCode != 422 || body["field"] != "fields.a.b" {
		t.Fatalf("overlapping paths: %d %v", resp.StatusCode, body)
	}
	// Large numbers in a context bind exactly; 42 and "42" differ.
	_, enc := ts.doRaw(t, "POST", "/v1/crypto/encrypt", access, json.RawMessage(`{"text":"x","context":{"row":9007199254740993}}`))
	var c struct{ Ciphertext string }
	json.Unmarshal([]byte(enc), &c)
	for ctx, want := range map[string]int{`{"row":9007199254740993}`: 200, `{"row":9007199254740992}`: 422, `{"row":"9007199254740993"}`: 422} {
		resp, _ := ts.doRaw(t, "POST", "/v1/crypto/decrypt", access, json.RawMessage(`{"ciphertext":"`+c.Ciphertext+`","context":`+ctx+`}`))
		if resp.StatusCode != want {
			t.Errorf("context %s: %d, want %d", ctx, resp.StatusCode, want)
		}
	}
}

// TestOversizedText: text over the 1 MiB body limit is a 413 problem for
// encryption and PII detection alike.
func TestOversizedText(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	big := strings.Repeat("a", 1<<20+1)
	for _, path := range []string{"/v1/crypto/encrypt", "/v1/pii/detect", "/v1/pii/mask"} {
		resp, body := ts.do(t, "POST", path, access, map[string]any{"text": big, "context": "c"})
		assertProblem(t, resp, body, 413)
	}
}
