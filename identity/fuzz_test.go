package identity

import "testing"

// FuzzDecodePHC feeds arbitrary stored hashes to the PHC parser: it must never
// panic, and whatever it accepts must have sane parameters.
func FuzzDecodePHC(f *testing.F) {
	f.Add("$argon2id$v=19$m=65536,t=3,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g")
	f.Add("$argon2id$v=19$m=,t=3,p=1$$")
	f.Add("$argon2i$v=19$m=1,t=1,p=1$a$b")
	f.Fuzz(func(t *testing.T, s string) {
		p, salt, key, err := decodePHC(s)
		if err != nil {
			return
		}
		if p.MemoryKiB == 0 || p.Time == 0 || p.Threads == 0 || len(salt) < 8 || len(key) < 16 {
			t.Fatalf("accepted %q with %+v", s, p)
		}
	})
}

// FuzzValidators runs the slug, email and name validators on any input.
func FuzzValidators(f *testing.F) {
	for _, s := range []string{"acme", "a@b.co", "Alice <a@b.co>", "\xff", "a--b"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if ValidateSlug("slug", s) == nil && (len(s) < 3 || len(s) > 63) {
			t.Fatalf("slug %q accepted", s)
		}
		if ValidateEmail("email", s) == nil && len(s) > MaxEmailBytes {
			t.Fatalf("email %q accepted", s)
		}
		ValidateName("name", s)
	})
}

// FuzzOpaqueTokens feeds arbitrary strings to the refresh and MFA token
// parsers: they never panic, and what they accept names a tenant id.
func FuzzOpaqueTokens(f *testing.F) {
	good, _, _ := NewRefreshToken("01a209b0-b094-7597-8a26-1ea4489e6d0e")
	f.Add(good)
	f.Add("rmt_" + good[4:])
	f.Add("rrt_")
	f.Fuzz(func(t *testing.T, s string) {
		for _, parse := range []func(string) (string, error){ParseRefreshToken, ParseMFAToken} {
			if id, err := parse(s); err == nil && len(id) != 36 {
				t.Fatalf("%q parsed to %q", s, id)
			}
		}
		NormalizeTOTPCode("code", s)
		NormalizeBackupCode("backup_code", s)
	})
}

// TestAPIKeyRoundTrip makes many keys (their random parts often hold "_" and
// "-") and parses each back.
func TestAPIKeyRoundTrip(t *testing.T) {
	for i := 0; i < 2000; i++ {
		key, id, hash, err := NewAPIKey("01a209b0-b094-7597-8a26-1ea4489e6d0e")
		if err != nil {
			t.Fatal(err)
		}
		tid, gotID, err := ParseAPIKey(key)
		if err != nil || tid != "01a209b0-b094-7597-8a26-1ea4489e6d0e" || gotID != id || HashToken(key) != hash || !IsAPIKey(key) {
			t.Fatalf("%s: %s %s %v", key, tid, gotID, err)
		}
	}
	for _, bad := range []string{"rmp_", "rmp_x_y", "rrt_abc", ""} {
		if _, _, err := ParseAPIKey(bad); err == nil {
			t.Fatalf("accepted %q", bad)
		}
	}
}
