package audit

import (
	"strings"
	"testing"
	"time"
)

func chain(t *testing.T, n int) ([]*Event, []string) {
	t.Helper()
	prev := GenesisHash
	var events []*Event
	var details []string
	for i := 1; i <= n; i++ {
		e := &Event{ID: "e" + string(rune('0'+i)), TenantID: "t1", Seq: int64(i), Type: LoginFailure, IP: "192.0.2.1",
			Success: false, CreatedAt: time.Date(2026, 1, 1, 0, 0, i, 1234567, time.UTC), PrevHash: prev}
		d, err := EncodeDetails(map[string]any{"attempt": i})
		if err != nil {
			t.Fatal(err)
		}
		e.Hash = ComputeHash(e, d)
		prev = e.Hash
		events = append(events, e)
		details = append(details, d)
	}
	return events, details
}

func verify(events []*Event, details []string, headSeq int64, headHash string) *Break {
	v := NewVerifier("t1")
	for i, e := range events {
		if b := v.Next(e, details[i]); b != nil {
			return b
		}
	}
	return v.End(headSeq, headHash)
}

func TestVerifierFindsFirstBrokenLink(t *testing.T) {
	events, details := chain(t, 5)
	last := events[4]
	if b := verify(events, details, 5, last.Hash); b != nil {
		t.Fatalf("intact chain: %s", b)
	}
	tests := []struct {
		name    string
		mutate  func(ev []*Event, d []string) ([]*Event, []string, int64, string)
		wantSeq int64
		reason  string
	}{
		{"edited details", func(ev []*Event, d []string) ([]*Event, []string, int64, string) {
			d[2] = `{"attempt":99}`
			return ev, d, 5, last.Hash
		}, 3, "hash does not match"},
		{"edited field", func(ev []*Event, d []string) ([]*Event, []string, int64, string) {
			ev[1].Success = true
			return ev, d, 5, last.Hash
		}, 2, "hash does not match"},
		{"deleted middle", func(ev []*Event, d []string) ([]*Event, []string, int64, string) {
			return append(ev[:2:2], ev[3:]...), append(d[:2:2], d[3:]...), 5, last.Hash
		}, 4, "sequence gap"},
		{"cut tail", func(ev []*Event, d []string) ([]*Event, []string, int64, string) {
			return ev[:3], d[:3], 5, last.Hash
		}, 4, "chain ends at seq 3"},
		{"rehashed forgery", func(ev []*Event, d []string) ([]*Event, []string, int64, string) {
			ev[3].PrevHash = strings.Repeat("a", 64)
			ev[3].Hash = ComputeHash(ev[3], d[3])
			return ev, d, 5, last.Hash
		}, 4, "prev_hash"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ev, d := chain(t, 5)
			ev2, d2, hs, hh := tc.mutate(ev, d)
			b := verify(ev2, d2, hs, hh)
			if b == nil || b.Seq != tc.wantSeq || !strings.Contains(b.Reason, tc.reason) {
				t.Fatalf("break = %v, want seq %d with %q", b, tc.wantSeq, tc.reason)
			}
		})
	}
}

func TestSanitizeDropsSecrets(t *testing.T) {
	got := Sanitize(map[string]any{"password": "x", "new_password": "x", "Access_Token": "x", "client_secret": "x",
		"email": "a@b.co", "nested": map[string]any{"api_key": "x", "n": 1}})
	if len(got) != 2 || got["email"] != "a@b.co" || len(got["nested"].(map[string]any)) != 1 {
		t.Fatalf("sanitized = %v", got)
	}
}

func TestDetailsAreMasked(t *testing.T) {
	type nested struct {
		Note string `json:"note"`
	}
	got, err := EncodeDetails(map[string]any{
		"comment": "card 4111 1111 1111 1111, mail jane.doe@example.com",
		"inner":   nested{Note: "key rmp_" + strings.Repeat("A", 43)},
		"count":   12345678901234567,
		"ip_deny": []string{"203.0.113.0/24"},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, leak := range []string{"4111 1111 1111 1111", "jane.doe", strings.Repeat("A", 20)} {
		if strings.Contains(got, leak) {
			t.Fatalf("details keep %q: %s", leak, got)
		}
	}
	for _, kept := range []string{"1111,", "@example.com", "12345678901234567", "203.0.113.0/24"} {
		if !strings.Contains(got, kept) {
			t.Fatalf("details lost %q: %s", kept, got)
		}
	}
}

func TestSamplerCountsPerTenant(t *testing.T) {
	var s Sampler
	written := map[string]int{}
	for i := 0; i < 250; i++ {
		if s.Take("noisy", 100) {
			written["noisy"]++
		}
	}
	if !s.Take("quiet", 100) {
		t.Fatal("another tenant's first event was not written")
	}
	if written["noisy"] != 3 {
		t.Fatalf("noisy tenant wrote %d of 250, want 3 (1st, 101st, 201st)", written["noisy"])
	}
}
