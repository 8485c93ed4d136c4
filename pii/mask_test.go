package pii

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"github.com/rampart-dev/rampart"
)

// fakeCipher is a reversible stand-in for the caller's encryption:
// base64url of the type and the value, reversed.
func fakeEncrypt(typ Type, value string) (string, error) {
	return base64.RawURLEncoding.EncodeToString([]byte(string(typ) + "|" + value)), nil
}

func fakeDecrypt(ct string) (string, error) {
	b, err := base64.RawURLEncoding.DecodeString(ct)
	if err != nil {
		return "", err
	}
	_, v, ok := strings.Cut(string(b), "|")
	if !ok {
		return "", errors.New("bad ciphertext")
	}
	return v, nil
}

func TestMaskStrategy(t *testing.T) {
	d := NewDetector()
	for _, c := range []struct {
		text string
		want string
	}{
		{"mail jane.doe@example.com now", "mail j***@example.com now"},
		{"mail émile@example.fr now", "mail é***@example.fr now"},
		{"card 4111-1111-1111-1111.", "card ****-****-****-1111."},
		{"card 4111111111111111.", "card ************1111."},
		{"call +1 (415) 555-0132 now", "call +* (***) ***-0132 now"},
		{"SSN 536-22-1234", "SSN ***-**-1234"},
		{"SSN 536221234", "SSN ***-**-1234"},
		{"IBAN DE89370400440532013000", "IBAN **********************"},
		{"from 10.0.0.1", "from ********"},
		{"key rmp_" + strings.Repeat("A", 34) + "_" + strings.Repeat("b", 43), "key rmp_" + strings.Repeat("*", 78)},
		{"AKIAIOSFODNN7EXAMPLE", "AKIA****************"},
		{"password=hunter22!", "password=*********"},
	} {
		got, _, err := Masker{}.Mask(c.text, d.Detect(c.text, nil), StrategyMask, nil)
		if err != nil {
			t.Fatal(err)
		}
		if got != c.want {
			t.Errorf("Mask(%q) = %q, want %q", c.text, got, c.want)
		}
	}
}

func TestMaskRedactAndPerType(t *testing.T) {
	text := "Mail bob@example.com or call 415-555-0132 from 10.0.0.1."
	fs := NewDetector().Detect(text, nil)
	got, out, err := Masker{}.Mask(text, fs, StrategyRedact, map[Type]Strategy{Phone: StrategyMask})
	if err != nil {
		t.Fatal(err)
	}
	if want := "Mail <EMAIL> or call ***-***-0132 from <IP_ADDRESS>."; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	// The findings returned keep the original offsets and carry the
	// replacement, never the value.
	for k, f := range out {
		if f.Start != fs[k].Start || f.End != fs[k].End || f.ByteStart != fs[k].ByteStart {
			t.Errorf("finding %d moved: %+v", k, f)
		}
		if strings.Contains(f.Text, "bob") || strings.Contains(f.Text, "10.0") {
			t.Errorf("finding %d carries its value: %q", k, f.Text)
		}
	}
	if out[0].Text != "<EMAIL>" {
		t.Errorf("replacement %q", out[0].Text)
	}
	// An empty strategy means "mask".
	got, _, err = Masker{}.Mask(text, fs, "", nil)
	if err != nil || !strings.Contains(got, "b***@example.com") {
		t.Errorf("default strategy gave %q, %v", got, err)
	}
}

func TestMaskHash(t *testing.T) {
	text := "bob@example.com wrote to bob@example.com and alice@example.com"
	fs := NewDetector().Detect(text, nil)
	a := Masker{HashKey: []byte("tenant-a key")}
	got, _, err := a.Mask(text, fs, StrategyHash, nil)
	if err != nil {
		t.Fatal(err)
	}
	tokens := strings.Fields(got)
	bob1, bob2, alice := tokens[0], tokens[3], tokens[5]
	if bob1 != bob2 {
		t.Errorf("the same value hashed to %q and %q", bob1, bob2)
	}
	if bob1 == alice {
		t.Errorf("different values hashed alike: %q", bob1)
	}
	if !strings.HasPrefix(bob1, "<EMAIL:") || len(bob1) != len("<EMAIL:")+16+1 {
		t.Errorf("token %q", bob1)
	}
	again, _, _ := a.Mask(text, fs, StrategyHash, nil)
	if again != got {
		t.Error("hashing is not deterministic")
	}
	other, _, _ := Masker{HashKey: []byte("tenant-b key")}.Mask(text, fs, StrategyHash, nil)
	if strings.Fields(other)[0] == bob1 {
		t.Error("two tenants' keys gave the same token")
	}
	// The type is part of what is hashed.
	one := "536-22-1234"
	ssn, _, _ := a.Mask(one, []Finding{{Type: SSN, Start: 0, End: 11}}, StrategyHash, nil)
	phone, _, _ := a.Mask(one, []Finding{{Type: Phone, Start: 0, End: 11}}, StrategyHash, nil)
	if ssn[len("<SSN:"):len(ssn)-1] == phone[len("<PHONE:"):len(phone)-1] {
		t.Error("the type does not change the hash")
	}
	if _, _, err := (Masker{}).Mask(text, fs, StrategyHash, nil); rampart.ErrorCode(err) != rampart.EUnprocessable {
		t.Errorf("hash without a key: %v", err)
	}
}

func TestMaskEncryptAndUnmask(t *testing.T) {
	text := "🙂 Écris à jane@example.com — 電話 +1 (415) 555-0132, merci ✔"
	fs := NewDetector().Detect(text, nil)
	m := Masker{Encrypt: fakeEncrypt}
	masked, _, err := m.Mask(text, fs, StrategyEncrypt, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(masked, "jane") || strings.Count(masked, "<ENC:") != 2 {
		t.Fatalf("masked %q", masked)
	}
	back, err := Unmask(masked, fakeDecrypt)
	if err != nil {
		t.Fatal(err)
	}
	if back != text {
		t.Errorf("round trip gave %q", back)
	}
	// Unmask leaves what only looks like a token, and fails closed.
	for _, s := range []string{"no tokens", "<ENC:", "<ENC:abc", "<ENC:a b>", "<ENC:>"} {
		if got, err := Unmask(s, fakeDecrypt); err != nil || got != s {
			t.Errorf("Unmask(%q) = %q, %v", s, got, err)
		}
	}
	if _, err := Unmask("x <ENC:bm90LWEtdG9rZW4> y", fakeDecrypt); err == nil {
		t.Error("a token that does not decrypt was accepted")
	}
	if _, err := Unmask("x", nil); err == nil {
		t.Error("Unmask without a decrypt function")
	}
	if _, _, err := (Masker{}).Mask(text, fs, StrategyEncrypt, nil); err == nil {
		t.Error("encrypt without a function")
	}
	bad := Masker{Encrypt: func(Type, string) (string, error) { return "not>base64", nil }}
	if _, _, err := bad.Mask(text, fs, StrategyEncrypt, nil); err == nil {
		t.Error("ciphertext outside base64url accepted")
	}
	failing := Masker{Encrypt: func(Type, string) (string, error) { return "", errors.New("kms down") }}
	if _, _, err := failing.Mask(text, fs, StrategyEncrypt, nil); err == nil {
		t.Error("an encryption error was swallowed")
	}
}

// TestMaskKeepsSurroundingText masks findings wedged between emoji, CJK and
// combining marks: everything outside them is unchanged, byte for byte.
func TestMaskKeepsSurroundingText(t *testing.T) {
	prefix := "e\u0301\u0302🇫🇷東京👩‍👩‍👧"
	middle := "\u0301 ✔ 한국어 "
	suffix := "\u0308🎉終わり"
	text := prefix + "bob@example.com" + middle + "4111 1111 1111 1111" + suffix
	fs := NewDetector().Detect(text, nil)
	if len(fs) != 2 {
		t.Fatalf("found %v", fs)
	}
	for _, st := range []Strategy{StrategyMask, StrategyRedact, StrategyHash, StrategyEncrypt} {
		got, out, err := Masker{HashKey: []byte("k"), Encrypt: fakeEncrypt}.Mask(text, fs, st, nil)
		if err != nil {
			t.Fatal(err)
		}
		r0, r1 := out[0].Text, out[1].Text
		if want := prefix + r0 + middle + r1 + suffix; got != want {
			t.Errorf("%s: got %q, want %q", st, got, want)
		}
	}
}

// TestMaskFindingsFromJSON masks with code-point offsets only, as findings
// arrive over the API, and rejects findings that do not fit the text.
func TestMaskFindingsFromJSON(t *testing.T) {
	text := "日本 bob@example.com"
	got, out, err := Masker{}.Mask(text, []Finding{{Type: Email, Start: 3, End: 18}}, StrategyRedact, nil)
	if err != nil {
		t.Fatal(err)
	}
	if got != "日本 <EMAIL>" || out[0].ByteStart != 7 || out[0].ByteEnd != 22 {
		t.Errorf("got %q, %+v", got, out[0])
	}
	for _, c := range []struct {
		name string
		fs   []Finding
	}{
		{"past the end", []Finding{{Type: Email, Start: 3, End: 40}}},
		{"empty", []Finding{{Type: Email, Start: 3, End: 3}}},
		{"overlapping", []Finding{{Type: Email, Start: 3, End: 10}, {Type: Email, Start: 5, End: 18}}},
		{"stale text", []Finding{{Type: Email, Start: 3, End: 18, Text: "eve@example.com"}}},
		{"mid-character bytes", []Finding{{Type: Email, ByteStart: 1, ByteEnd: 5}}},
	} {
		if _, _, err := (Masker{}).Mask(text, c.fs, StrategyMask, nil); rampart.ErrorCode(err) != rampart.EInvalid {
			t.Errorf("%s: error %v", c.name, err)
		}
	}
	if _, _, err := (Masker{}).Mask(text, nil, "scramble", nil); err != nil {
		t.Errorf("no findings, unknown strategy: %v (nothing to apply it to)", err)
	}
	if _, _, err := (Masker{}).Mask(text, out[:1], "scramble", nil); rampart.ErrorCode(err) != rampart.EInvalid {
		t.Errorf("unknown strategy: %v", err)
	}
}

func TestParseStrategy(t *testing.T) {
	for in, want := range map[string]Strategy{"mask": StrategyMask, " Redact": StrategyRedact, "HASH": StrategyHash, "encrypt": StrategyEncrypt, "x": ""} {
		if got, ok := ParseStrategy(in); got != want || ok != (want != "") {
			t.Errorf("ParseStrategy(%q) = %q, %v", in, got, ok)
		}
	}
}
