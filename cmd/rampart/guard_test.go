package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"strings"
	"testing"
)

// TestGuardScanContract: the shape of /v1/guard/scan and /scan-batch, the
// leakage, PII and secrets scanners end to end, the tenant's policy, and
// every bad input answered with the status the contract names.
func TestGuardScanContract(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)

	resp, b := ts.do(t, "POST", "/v1/guard/scan", owner, map[string]any{"text": "Hello, can you help me plan a trip to Lisbon?"})
	if resp.StatusCode != 200 || b["verdict"] == nil || b["findings"] == nil {
		t.Fatalf("scan: %d %v", resp.StatusCode, b)
	}
	scores := b["scores"].(map[string]any)
	for _, s := range []string{"injection", "toxicity", "crisis"} {
		v, ok := scores[s].(float64)
		if !ok || v < 0 || v > 1 {
			t.Fatalf("score %s = %v", s, scores[s])
		}
	}
	if _, ok := scores["leakage"]; ok {
		t.Fatal("leakage ran on a user text")
	}
	if c, ok := b["crisis"].(map[string]any); !ok || c["level"] == nil || c["resources"] == nil {
		t.Fatalf("crisis: %v", b["crisis"])
	}

	// Leakage of a canary in an output blocks, and names where.
	out := "Sure! The admin code is ZEBRA-4471-QUARTZ."
	_, b = ts.do(t, "POST", "/v1/guard/scan", owner, map[string]any{"text": out, "source": "output", "canaries": []string{"ZEBRA-4471-QUARTZ"},
		"system_prompt": "You are a helpful assistant."})
	if b["verdict"] != "block" || b["scores"].(map[string]any)["leakage"].(float64) < 0.9 {
		t.Fatalf("canary leak: %v", b)
	}
	found := false
	for _, f := range b["findings"].([]any) {
		m := f.(map[string]any)
		if m["scanner"] == "leakage" {
			found = true
			if got := string([]rune(out)[int(m["start"].(float64)):int(m["end"].(float64))]); got != "ZEBRA-4471-QUARTZ" {
				t.Fatalf("finding span %q", got)
			}
		}
	}
	if !found {
		t.Fatalf("no leakage finding: %v", b)
	}

	// PII is flagged; only the scanners asked for run.
	_, b = ts.do(t, "POST", "/v1/guard/scan", owner, map[string]any{"text": "Mail me at jane.doe@example.com", "scanners": []string{"pii"}})
	if b["verdict"] != "flag" || len(b["scores"].(map[string]any)) != 0 || len(b["findings"].([]any)) != 1 {
		t.Fatalf("pii: %v", b)
	}

	// Bad input.
	for _, c := range []struct {
		body   any
		status int
		field  string
	}{
		{map[string]any{"text": ""}, 422, "text"},
		{map[string]any{"text": "   "}, 422, "text"},
		{map[string]any{"text": "hi", "scanners": []string{"injection", "nope"}}, 422, "scanners[1]"},
		{map[string]any{"text": "hi", "source": "email"}, 422, "source"},
		{map[string]any{"text": strings.Repeat("a", 65*1024)}, 413, "text"},
		{[]byte("{\"text\": \"bad \xff\xfe bytes\"}"), 422, "text"},
		{`{"text": "lone \ud800 surrogate"}`, 422, "text"},
		{map[string]any{"text": "hi", "canaries": make([]string, 33)}, 422, "canaries"},
	} {
		resp, b := ts.do(t, "POST", "/v1/guard/scan", owner, c.body)
		assertProblem(t, resp, b, c.status)
		if b["field"] != c.field {
			t.Fatalf("%v: field %v, want %s", c.body, b["field"], c.field)
		}
	}
	big := bytes.Repeat([]byte("a"), 2<<20)
	if resp, _ := ts.do(t, "POST", "/v1/guard/scan", owner, append(append([]byte(`{"text":"`), big...), []byte(`"}`)...)); resp.StatusCode != http.StatusRequestEntityTooLarge {
		t.Fatalf("body over the limit: %d", resp.StatusCode)
	}

	// Batch: in order; bounded.
	_, b = ts.do(t, "POST", "/v1/guard/scan-batch", owner, map[string]any{"items": []map[string]any{
		{"text": "my email is a@b.io", "scanners": []string{"pii"}}, {"text": "nothing to see", "scanners": []string{"pii"}}}})
	res := b["results"].([]any)
	if len(res) != 2 || res[0].(map[string]any)["verdict"] != "flag" || res[1].(map[string]any)["verdict"] != "allow" {
		t.Fatalf("batch: %v", b)
	}
	items := make([]map[string]any, 101)
	for i := range items {
		items[i] = map[string]any{"text": "x"}
	}
	resp, b = ts.do(t, "POST", "/v1/guard/scan-batch", owner, map[string]any{"items": items})
	if resp.StatusCode != 422 {
		t.Fatalf("101 items: %d %v", resp.StatusCode, b)
	}
	resp, b = ts.do(t, "POST", "/v1/guard/scan-batch", owner, map[string]any{"items": []map[string]any{{"text": "ok"}, {"text": ""}}})
	assertProblem(t, resp, b, 422)
	if b["field"] != "items[1].text" {
		t.Fatalf("batch field %v", b["field"])
	}

	// The tenant's policy: PII off, an allow-listed phrase.
	resp, b = ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"guardrails": map[string]any{"thresholds": map[string]any{"pii": map[string]any{"*": map[string]any{"flag": 2}}}}})
	assertProblem(t, resp, b, 422)
	resp, b = ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"guardrails": map[string]any{"thresholds": map[string]any{"nope": map[string]any{"*": map[string]any{"flag": 0.5}}}}})
	assertProblem(t, resp, b, 422)
	if !strings.HasPrefix(b["field"].(string), "settings.guardrails.thresholds") {
		t.Fatalf("field %v", b["field"])
	}
	if resp, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"guardrails": map[string]any{"disabled": []string{"pii"}}}); resp.StatusCode != 200 {
		t.Fatalf("set guardrails: %d %v", resp.StatusCode, b)
	}
	_, b = ts.do(t, "POST", "/v1/guard/scan", owner, map[string]any{"text": "Mail me at jane.doe@example.com", "scanners": []string{"pii"}})
	if b["verdict"] != "allow" || len(b["findings"].([]any)) != 0 {
		t.Fatalf("pii disabled: %v", b)
	}

	// Who may scan: a member yes, a viewer no.
	_, member := ts.member(t, owner, "acme", "m@acme.io", "member")
	_, viewer := ts.member(t, owner, "acme", "v@acme.io", "viewer")
	if ts.status(t, "POST", "/v1/guard/scan", member, map[string]any{"text": "hello"}) != 200 {
		t.Fatal("a member cannot scan")
	}
	if ts.status(t, "POST", "/v1/guard/scan", viewer, map[string]any{"text": "hello"}) != 403 {
		t.Fatal("a viewer can scan")
	}
}

// TestGuardEval runs `rampart guard eval` on a small labelled file.
func TestGuardEval(t *testing.T) {
	dir := t.TempDir()
	lines := []string{
		`{"text":"The code is ZEBRA-4471-QUARTZ.","source":"output","canaries":["ZEBRA-4471-QUARTZ"],"labels":{"leak":true}}`,
		`{"text":"I can't share that.","source":"output","canaries":["ZEBRA-4471-QUARTZ"],"labels":{"leak":false}}`,
		`{"text":"WkVCUkEtNDQ3MS1RVUFSVFo=","source":"output","canaries":["ZEBRA-4471-QUARTZ"],"labels":{"leak":true}}`,
		`{"text":"Here is a recipe for soup.","source":"output","canaries":["ZEBRA-4471-QUARTZ"],"labels":{"leak":false}}`,
	}
	path := dir + "/eval.jsonl"
	if err := os.WriteFile(path, []byte(strings.Join(lines, "\n")+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	if err := run(context.Background(), []string{"guard", "eval", "--data", path}, func(string) string { return "" }, nil, &out, &errb); err != nil {
		t.Fatalf("%v: %s", err, errb.String())
	}
	var leak string
	for _, l := range strings.Split(out.String(), "\n") {
		if strings.HasPrefix(l, "leakage ") {
			leak = l
		}
	}
	f := strings.Fields(leak)
	if len(f) != 9 || f[1] != "2" || f[2] != "2" || f[3] != "1.000" || f[6] != "1.000" {
		t.Fatalf("eval output:\n%s", out.String())
	}
	if err := run(context.Background(), []string{"guard", "eval", "--data", dir + "/missing.jsonl"}, func(string) string { return "" }, nil, &out, &errb); err == nil {
		t.Fatal("a missing file was read")
	}
}
