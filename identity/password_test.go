package identity

import (
	"testing"

	"github.com/rampart-dev/rampart"
)

func TestCommonPasswordListSize(t *testing.T) {
	if n := NewPasswordPolicy().CommonCount(); n < 10000 {
		t.Fatalf("common-password list has %d entries, want at least 10,000", n)
	}
}

func TestPasswordPolicy(t *testing.T) {
	p := NewPasswordPolicy()
	tests := []struct {
		name, password, email string
		failed                []string
	}{
		{"strong", "Tr1cky-Passw0rd!", "alice@example.com", nil},
		{"short", "Ab1!efgh", "alice@example.com", []string{CheckLength}},
		{"no upper", "tr1cky-passw0rd!", "alice@example.com", []string{CheckUppercase}},
		{"no lower", "TR1CKY-PASSW0RD!", "alice@example.com", []string{CheckLowercase}},
		{"no digit", "Tricky-Password!", "alice@example.com", []string{CheckDigits}},
		{"no special", "Tr1ckyPassw0rdX", "alice@example.com", []string{CheckSpecial}},
		{"common", "password", "alice@example.com", []string{CheckLength, CheckUppercase, CheckDigits, CheckSpecial, CheckCommon}},
		{"common any case", "PASSWORD", "alice@example.com", []string{CheckLength, CheckLowercase, CheckDigits, CheckSpecial, CheckCommon}},
		{"contains email local part", "Xx-Alice-2024!", "alice@example.com", []string{CheckEmail}},
		{"local part of two letters ignored", "Tr1cky-Passw0rd!al", "al@example.com", nil},
		{"unicode letters count", "Ünïcödé-Pässw0rd", "bob@example.com", nil},
		{"space counts as special", "Correct Horse 9 Battery", "bob@example.com", nil},
		{"empty", "", "bob@example.com", []string{CheckLength, CheckUppercase, CheckLowercase, CheckDigits, CheckSpecial}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checks := p.Checks(tc.password, tc.email)
			want := map[string]bool{}
			for _, f := range tc.failed {
				want[f] = true
			}
			for name, passed := range checks {
				if passed == want[name] {
					t.Errorf("check %s passed=%v, want %v", name, passed, !want[name])
				}
			}
			err := p.Validate("password", tc.password, tc.email)
			if (err == nil) != (len(tc.failed) == 0) {
				t.Fatalf("Validate = %v, failed checks %v", err, tc.failed)
			}
			if err != nil {
				e := err.(*rampart.Error)
				if e.Code != rampart.EUnprocessable || e.Field != "password" || e.Extensions["checks"] == nil {
					t.Fatalf("error = %+v", e)
				}
			}
		})
	}
}

func TestPasswordTooLongAndInvalidUTF8(t *testing.T) {
	p := NewPasswordPolicy()
	long := make([]byte, MaxPasswordBytes+1)
	for i := range long {
		long[i] = 'a'
	}
	if rampart.ErrorCode(p.Validate("password", string(long), "a@b.co")) != rampart.EUnprocessable {
		t.Fatal("over-long password accepted")
	}
	if rampart.ErrorCode(p.Validate("password", "Tr1cky-Passw0rd!\xff", "a@b.co")) != rampart.EInvalid {
		t.Fatal("invalid UTF-8 accepted")
	}
}

func TestValidateSlug(t *testing.T) {
	for slug, ok := range map[string]bool{
		"acme": true, "a1b": true, "acme-corp": true, "a-b-c-1": true,
		"ab": false, "Acme": false, "-acme": false, "acme-": false, "ac--me": false, "ac_me": false, "ac me": false,
		"a" + string(make([]byte, 0)) + "bcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl": false, // 64 chars
		"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijk":                                 true,  // 63 chars
		"": false, "ácme": false,
	} {
		if err := ValidateSlug("slug", slug); (err == nil) != ok {
			t.Errorf("ValidateSlug(%q) = %v, want ok=%v", slug, err, ok)
		}
	}
}

func TestValidateEmail(t *testing.T) {
	for email, ok := range map[string]bool{
		"alice@example.com": true, "Alice.Smith+tag@sub.example.co": true,
		"": false, "alice": false, "alice@localhost": false, "Alice <alice@example.com>": false,
		"alice@example..com": false, "alice@.example.com": false, "a b@example.com": false,
		string(make([]byte, 65)) + "@example.com": false,
	} {
		if err := ValidateEmail("email", email); (err == nil) != ok {
			t.Errorf("ValidateEmail(%q) = %v, want ok=%v", email, err, ok)
		}
	}
	if NormalizeEmail(" Alice@Example.COM ") != "alice@example.com" {
		t.Fatal("NormalizeEmail")
	}
}

func TestValidateName(t *testing.T) {
	for name, ok := range map[string]bool{"Acme": true, "Ünïcode Ltd": true, "": false, "   ": false, "a\x00b": false, "bad\xff": false} {
		if err := ValidateName("name", name); (err == nil) != ok {
			t.Errorf("ValidateName(%q) = %v, want ok=%v", name, err, ok)
		}
	}
}
