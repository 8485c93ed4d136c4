package main

import (
	"strconv"
	"testing"
)

// TestPIIDetectBatch runs POST /v1/pii/detect-batch through the real
// server: results in item order, an item's language over the batch's,
// regions, the bounds, and its rate-limit cost.
func TestPIIDetectBatch(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_RATE_LIMITS"] = "on"
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)

	items := []map[string]any{
		{"text": "Rufen Sie mich an: 030 38817886."},
		{"text": "Écrivez à jeanne@exemple.fr ou au 06 23 38 71 02.", "language": "fr"},
		{"text": "nothing here"},
		{"text": "card 4111 1111 1111 1111, mail bob@example.com", "types": []string{"email"}},
	}
	resp, body := ts.do(t, "POST", "/v1/pii/detect-batch", access, map[string]any{"items": items, "language": "de"})
	if resp.StatusCode != 200 {
		t.Fatalf("%d %v", resp.StatusCode, body)
	}
	results := body["results"].([]any)
	if len(results) != len(items) {
		t.Fatalf("%d results for %d items", len(results), len(items))
	}
	found := func(k int) []string {
		var out []string
		for _, f := range results[k].(map[string]any)["findings"].([]any) {
			m := f.(map[string]any)
			out = append(out, m["type"].(string)+":"+m["text"].(string))
		}
		return out
	}
	for k, want := range [][]string{
		{"phone:030 38817886"},
		{"email:jeanne@exemple.fr", "phone:06 23 38 71 02"},
		nil,
		{"email:bob@example.com"},
	} {
		got := found(k)
		if len(got) != len(want) {
			t.Fatalf("item %d: found %q, want %q", k, got, want)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("item %d: found %q, want %q", k, got, want)
			}
		}
	}

	// Regions: a Brazilian number without a country code, with no cue.
	resp, body = ts.do(t, "POST", "/v1/pii/detect", access, map[string]any{"text": "(11) 97452-6906", "regions": []string{"BR"}})
	if resp.StatusCode != 200 || len(body["findings"].([]any)) != 1 {
		t.Fatalf("regions: %d %v", resp.StatusCode, body)
	}

	// Bounds: a 422 naming the field.
	for _, c := range []struct {
		body  map[string]any
		field string
	}{
		{map[string]any{"items": []any{}}, "items"},
		{map[string]any{"items": make([]map[string]any, 101)}, "items"},
		{map[string]any{"items": items, "regions": []string{"DE", "XX"}}, "regions[1]"},
		{map[string]any{"items": []map[string]any{{"text": "a"}, {"text": "b", "types": []string{"passport"}}}}, "items[1].types[0]"},
	} {
		resp, body := ts.do(t, "POST", "/v1/pii/detect-batch", access, c.body)
		if resp.StatusCode != 422 || body["field"] != c.field {
			t.Errorf("%v: %d %v, want 422 naming %s", c.body, resp.StatusCode, body, c.field)
		}
	}
	if resp, body := ts.do(t, "POST", "/v1/pii/detect", access, map[string]any{"text": "x", "regions": []string{"ZZ"}}); resp.StatusCode != 422 || body["field"] != "regions[0]" {
		t.Errorf("detect with an unknown region: %d %v", resp.StatusCode, body)
	}

	// Cost: one for the call, one more per ten items (rounded up).
	remaining := func() int {
		resp, _ := ts.do(t, "POST", "/v1/pii/detect", access, map[string]any{"text": "x"})
		n, err := strconv.Atoi(resp.Header.Get("X-RateLimit-Remaining"))
		if err != nil {
			t.Fatalf("X-RateLimit-Remaining %q", resp.Header.Get("X-RateLimit-Remaining"))
		}
		return n
	}
	before := remaining()
	many := make([]map[string]any, 25)
	for i := range many {
		many[i] = map[string]any{"text": "mail x" + strconv.Itoa(i) + "@example.com"}
	}
	if resp, body := ts.do(t, "POST", "/v1/pii/detect-batch", access, map[string]any{"items": many}); resp.StatusCode != 200 || len(body["results"].([]any)) != 25 {
		t.Fatalf("25 items: %d %v", resp.StatusCode, body)
	}
	if after := remaining(); before-after != 1+4 {
		t.Errorf("25 items cost %d units, want 4 (1 + 3) and 1 for the probe", before-after)
	}
}

// TestTenantPIIRegions: a tenant's pii_regions setting decides where a
// national number without a country code is read when a request names no
// region; a request's own regions still win; a bad code is a 422.
func TestTenantPIIRegions(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	phones := func(body map[string]any) int {
		n := 0
		for _, f := range body["findings"].([]any) {
			if f.(map[string]any)["type"] == "phone" {
				n++
			}
		}
		return n
	}
	text := map[string]any{"text": "My number is 06 23 38 71 02."}
	if _, b := ts.do(t, "POST", "/v1/pii/detect", owner, text); phones(b) != 0 {
		t.Fatalf("a French number read without a French hint: %v", b)
	}
	resp, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"pii_regions": []string{"ZZ"}})
	assertProblem(t, resp, b, 422)
	if b["field"] != "settings.pii_regions[0]" {
		t.Fatalf("field %v", b["field"])
	}
	if resp, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"pii_regions": []string{"DE", "FR"}}); resp.StatusCode != 200 {
		t.Fatalf("set pii_regions: %d %v", resp.StatusCode, b)
	}
	if _, b := ts.do(t, "POST", "/v1/pii/detect", owner, text); phones(b) != 1 {
		t.Fatalf("the tenant's regions were not used: %v", b)
	}
	if _, b := ts.do(t, "POST", "/v1/pii/detect", owner, map[string]any{"text": text["text"], "regions": []string{"US"}}); phones(b) != 0 {
		t.Fatalf("the request's regions did not win: %v", b)
	}
}
