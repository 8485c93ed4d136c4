package token

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/keys"
)

func ring(t testing.TB, alg string) *keys.Keyring {
	k, err := keys.GenerateSigningKey(alg, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	kr := &keys.Keyring{}
	kr.Set(k, []*keys.SigningKey{k})
	return kr
}

func TestIssueVerifyEachAlgorithm(t *testing.T) {
	for _, alg := range []string{keys.RS256, keys.ES256, keys.EdDSA} {
		t.Run(alg, func(t *testing.T) {
			kr := ring(t, alg)
			is := &Issuer{Keyring: kr, Issuer: "iss", Audience: []string{"aud"}}
			v := &Verifier{Keys: kr, Issuer: "iss", Audience: "aud"}
			now := time.Now()
			raw, c, err := is.Issue(Claims{Subject: "u1", TenantID: "t1", SessionID: "s1", Role: "owner"}, now, 15*time.Minute)
			if err != nil {
				t.Fatal(err)
			}
			got, err := v.Verify(raw, now)
			if err != nil {
				t.Fatal(err)
			}
			if got.Subject != "u1" || got.ID != c.ID || got.Expiry != NumericDate(now.Add(15*time.Minute).Unix()) {
				t.Fatalf("claims %+v", got)
			}
			for name, at := range map[string]time.Time{"expired": now.Add(16 * time.Minute), "before issue": now.Add(-time.Minute)} {
				if _, err := v.Verify(raw, at); err != ErrInvalid {
					t.Errorf("%s: %v", name, err)
				}
			}
			other := &Verifier{Keys: kr, Issuer: "iss", Audience: "other"}
			if _, err := other.Verify(raw, now); err != ErrInvalid {
				t.Error("wrong audience accepted")
			}
			// Change a character in the middle of the signature (the last
			// characters may hold only padding bits).
			k := strings.LastIndexByte(raw, '.') + 10
			flip := byte('A')
			if raw[k] == 'A' {
				flip = 'B'
			}
			if _, err := v.Verify(raw[:k]+string(flip)+raw[k+1:], now); err != ErrInvalid {
				t.Error("bad signature accepted")
			}
		})
	}
}

// FuzzVerify feeds arbitrary strings to the verifier: it never panics and
// never accepts anything not signed by the keyring.
func FuzzVerify(f *testing.F) {
	kr := ring(f, keys.ES256)
	is := &Issuer{Keyring: kr, Issuer: "iss", Audience: []string{"aud"}}
	good, _, _ := is.Issue(Claims{Subject: "u", TenantID: "t", SessionID: "s"}, time.Now(), time.Hour)
	f.Add(good)
	f.Add("eyJhbGciOiJub25lIn0.e30.")
	f.Add("a.b.c")
	f.Add(strings.Repeat(".", 100))
	v := &Verifier{Keys: kr, Issuer: "iss", Audience: "aud"}
	f.Fuzz(func(t *testing.T, raw string) {
		if c, err := v.Verify(raw, time.Now()); err == nil && raw != good {
			t.Fatalf("accepted %q as %+v", raw, c)
		}
	})
}

// BenchmarkVerify measures the SDK path: signature and claims, no I/O.
func BenchmarkVerify(b *testing.B) {
	for _, alg := range []string{keys.RS256, keys.ES256, keys.EdDSA} {
		b.Run(alg, func(b *testing.B) {
			kr := ring(b, alg)
			is := &Issuer{Keyring: kr, Issuer: "iss", Audience: []string{"aud"}}
			v := &Verifier{Keys: kr, Issuer: "iss", Audience: "aud"}
			raw, _, _ := is.Issue(Claims{Subject: "u", TenantID: "t", SessionID: "s", Permissions: []string{"a:b"}}, time.Now(), time.Hour)
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				if _, err := v.Verify(raw, now); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkIssue measures signing one access token.
func BenchmarkIssue(b *testing.B) {
	for _, alg := range []string{keys.RS256, keys.ES256, keys.EdDSA} {
		b.Run(alg, func(b *testing.B) {
			is := &Issuer{Keyring: ring(b, alg), Issuer: "iss", Audience: []string{"aud"}}
			now := time.Now()
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := is.Issue(Claims{Subject: "u", TenantID: "t", SessionID: "s"}, now, time.Hour); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestCheckSaysWhy: Check names the failed check (for the server's debug
// log) while matching ErrInvalid, which is all Verify's callers see.
func TestCheckSaysWhy(t *testing.T) {
	kr := ring(t, keys.ES256)
	is := &Issuer{Keyring: kr, Issuer: "https://a.example", Audience: []string{"aud"}}
	now := time.Now()
	raw, _, err := is.Issue(Claims{Subject: "u1", TenantID: "t1", SessionID: "s1"}, now, 15*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name   string
		v      *Verifier
		at     time.Time
		reason string
	}{
		{"issuer", &Verifier{Keys: kr, Issuer: "https://b.example", Audience: "aud"}, now, "issuer"},
		{"audience", &Verifier{Keys: kr, Issuer: "https://a.example", Audience: "other"}, now, "audience"},
		{"unknown key", &Verifier{Keys: ring(t, keys.ES256), Issuer: "https://a.example", Audience: "aud"}, now, "unknown key"},
		{"expired", &Verifier{Keys: kr, Issuer: "https://a.example", Audience: "aud"}, now.Add(time.Hour), "expired"},
	} {
		_, err := tc.v.Check(raw, tc.at)
		var r *Refusal
		if !errors.As(err, &r) || r.Reason != tc.reason || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: %v, want a refusal for %s", tc.name, err, tc.reason)
		}
		if _, err := tc.v.Verify(raw, tc.at); err != ErrInvalid {
			t.Errorf("%s: Verify = %v, want ErrInvalid", tc.name, err)
		}
	}
	if _, err := (&Verifier{Keys: kr, Issuer: "https://b.example", Audience: "aud"}).Check(raw, now); !strings.Contains(err.Error(), `"https://a.example"`) {
		t.Errorf("the refusal does not name the token's issuer: %v", err)
	}
}

// TestCustomClaims: custom claims sit at the top level of the payload
// beside the design's claims, and never replace a registered one.
func TestCustomClaims(t *testing.T) {
	kr := ring(t, keys.ES256)
	is := &Issuer{Keyring: kr, Issuer: "iss", Audience: []string{"aud"}}
	now := time.Now()
	raw, _, err := is.Issue(Claims{Subject: "u1", TenantID: "t1", SessionID: "s1", Role: "member", DataResidency: "eu",
		UserAgentHash: UserAgentHash("curl/8"), Custom: map[string]any{"department": "sales", "sub": "u2", "role": "owner"}}, now, time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	seg := strings.Split(raw, ".")[1]
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	var payload map[string]any
	if err := json.Unmarshal(b, &payload); err != nil {
		t.Fatal(err)
	}
	if payload["department"] != "sales" || payload["sub"] != "u1" || payload["role"] != "member" || payload["data_residency"] != "eu" ||
		payload["password_change_required"] != false || payload["terms_accepted"] != false || fmt.Sprint(payload["feature_flags"]) != "[]" {
		t.Fatalf("payload %v", payload)
	}
	if h := payload["user_agent_hash"].(string); len(h) != 32 || h != UserAgentHash("curl/8") || UserAgentHash("") != "" {
		t.Fatalf("user_agent_hash %q", h)
	}
	if _, ok := payload["device_id"]; ok {
		t.Fatal("an empty device_id was issued")
	}
	got, err := (&Verifier{Keys: kr, Issuer: "iss", Audience: "aud"}).Verify(raw, now)
	if err != nil {
		t.Fatal(err)
	}
	if got.Subject != "u1" || got.DataResidency != "eu" || len(got.Custom) != 1 || got.Custom["department"] != "sales" {
		t.Fatalf("read back: %+v", got)
	}
}
