package keys

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

func testKey(t testing.TB, id KeyID, v uint32) *DataKey {
	m, err := NewKeyMaterial()
	if err != nil {
		t.Fatal(err)
	}
	k, err := NewDataKey(id, v, m)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestFieldCiphertextIsBoundToItsPlace(t *testing.T) {
	user := KeyID{Purpose: PurposePersonalData, User: [16]byte{1, 2, 3}}
	for _, id := range []KeyID{{Purpose: PurposeEmail}, user} {
		k := testKey(t, id, 7)
		const tenant, ctx = "9f0c1f38-0000-4000-8000-000000000001", "users/42/email"
		c, err := k.Seal(nil, []byte("alice@example.com"), tenant, ctx)
		if err != nil {
			t.Fatal(err)
		}
		h, err := ParseHeader(c)
		if err != nil || h.Key != id || h.Version != 7 {
			t.Fatalf("header %+v %v", h, err)
		}
		if pt, err := k.Open(nil, c, tenant, ctx); err != nil || string(pt) != "alice@example.com" {
			t.Fatalf("open: %q %v", pt, err)
		}
		// Moved to another row, field or tenant: no.
		for _, place := range [][2]string{
			{tenant, "users/43/email"}, {tenant, "users/42/phone"}, {"9f0c1f38-0000-4000-8000-000000000002", ctx}, {tenant, ""},
		} {
			if _, err := k.Open(nil, c, place[0], place[1]); !errors.Is(err, ErrDecrypt) {
				t.Errorf("%v decrypted in %v", id, place)
			}
		}
		// Every altered byte and every truncation fails.
		for i := range c {
			bad := bytes.Clone(c)
			bad[i] ^= 0x01
			if _, err := k.Open(nil, bad, tenant, ctx); !errors.Is(err, ErrDecrypt) {
				t.Errorf("byte %d altered: %v", i, err)
			}
		}
		for n := 0; n < len(c); n++ {
			if _, err := k.Open(nil, c[:n], tenant, ctx); !errors.Is(err, ErrDecrypt) {
				t.Errorf("cut to %d: %v", n, err)
			}
		}
		// Another key of the same id and version (a forged header) fails.
		if _, err := testKey(t, id, 7).Open(nil, c, tenant, ctx); !errors.Is(err, ErrDecrypt) {
			t.Error("another key opened it")
		}
		text := EncodeCiphertext(c)
		back, err := DecodeCiphertext(text)
		if err != nil || !bytes.Equal(back, c) {
			t.Fatalf("text form: %v", err)
		}
	}
	for _, s := range []string{"", "rc1:", "rc1:!!!", "vault:v1:abc", "rc1:AQ"} {
		if c, err := DecodeCiphertext(s); err == nil {
			if _, err := ParseHeader(c); err == nil {
				t.Errorf("%q parsed", s)
			}
		}
	}
}

func TestTwoSealsDiffer(t *testing.T) {
	k := testKey(t, KeyID{Purpose: PurposeDefault}, 1)
	a, _ := k.Seal(nil, []byte("same"), "t", "c")
	b, _ := k.Seal(nil, []byte("same"), "t", "c")
	if bytes.Equal(a, b) {
		t.Fatal("nonce reused")
	}
}

func FuzzParseCiphertext(f *testing.F) {
	k := testKey(f, KeyID{Purpose: PurposeSSN}, 3)
	c, _ := k.Seal(nil, []byte("123-45-6789"), "t", "c")
	f.Add(EncodeCiphertext(c))
	f.Add("rc1:AQcAAAAB")
	f.Fuzz(func(t *testing.T, s string) {
		b, err := DecodeCiphertext(s)
		if err != nil {
			return
		}
		if _, err := ParseHeader(b); err != nil {
			return
		}
		if pt, err := k.Open(nil, b, "t", "c"); err == nil && string(pt) != "123-45-6789" {
			t.Fatalf("opened to %q", pt)
		}
	})
}

// BenchmarkSealField encrypts a 100-byte value (goal: under 2 µs):
//
//	go test -run '^$' -bench 'Field' -benchmem ./keys
func BenchmarkSealField(b *testing.B) {
	k := testKey(b, KeyID{Purpose: PurposeEmail}, 1)
	pt := bytes.Repeat([]byte("x"), 100)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Seal(buf[:0], pt, "9f0c1f38-0000-4000-8000-000000000001", "users/42/email"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkOpenField(b *testing.B) {
	k := testKey(b, KeyID{Purpose: PurposeEmail}, 1)
	c, _ := k.Seal(nil, bytes.Repeat([]byte("x"), 100), "t", "users/42/email")
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := k.Open(buf[:0], c, "t", "users/42/email"); err != nil {
			b.Fatal(err)
		}
	}
}

func TestOwnFields(t *testing.T) {
	mk, _ := ParseMasterKey("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=")
	f := NewFields(mk)
	c, err := f.SealField("t1", "u1", "users.email", "a@b.co")
	if err != nil || !f.Sealed(c) || strings.Contains(c, "a@b.co") {
		t.Fatalf("%q %v", c, err)
	}
	if v, err := f.OpenField("t1", "u1", "users.email", c); err != nil || v != "a@b.co" {
		t.Fatalf("open: %q %v", v, err)
	}
	for _, place := range [][2]string{{"t1", "u2"}, {"t2", "u1"}} {
		if _, err := f.OpenField(place[0], place[1], "users.email", c); err == nil {
			t.Errorf("opened at %v", place)
		}
	}
	if f.BlindIndex("t1", "email", "a@b.co") == f.BlindIndex("t2", "email", "a@b.co") ||
		f.BlindIndex("t1", "email", "a@b.co") != f.BlindIndex("t1", "email", "a@b.co") {
		t.Error("blind index must be stable in a tenant and differ across tenants")
	}
}
