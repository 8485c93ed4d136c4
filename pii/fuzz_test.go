package pii

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// fuzzSeeds are texts near the edges of the detectors; the corpus under
// testdata/fuzz holds more.
var fuzzSeeds = []string{
	"",
	"jane@example.com",
	"@@a@b.co@",
	"call +1 (415) 555-0132 x12",
	"+41 (0)96 471 07 95-Fax",
	"4111 1111 1111 1111 123",
	"SSN 536-22-1234",
	"GB82 WEST 1234 5698 7654 32",
	"1.2.3.4.5 ::ffff:1.2.3.4 fe80::1%eth0",
	"http://[::1]:80/(a)).",
	"1600 Amphitheatre Parkway, Mountain View, CA 94043-1234",
	"born February 29, 2024",
	"eyJhbGciOiJub25lIn0.eyJ9.",
	"-----BEGIN PRIVATE KEY-----\nAAAA",
	"password=\"x",
	"日本 e\u0301 👩‍💻 bob@example.com \xff\xfe 10.0.0.1",
	"Telefon 030/44772466, téléphone 06.20.35.90.99, 0033 1 43 69 46 38",
	"1Z 80T EYB 30 2941 5503 trackingnummer 4066 5406 6705 3105 425",
	"name;dob\nAnna;28.02.1990\n;",
	"Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2ln. Danke.",
}

// FuzzDetect checks the invariants of Detect on any input: no panic,
// findings inside the text, sorted, disjoint, with Text equal to the span
// both offsets select.
func FuzzDetect(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	d := NewDetector(WithMinScore(0))
	f.Fuzz(func(t *testing.T, text string) {
		fs := d.Detect(text, nil)
		runes := []rune(text)
		for k, fd := range fs {
			if fd.ByteStart < 0 || fd.ByteEnd > len(text) || fd.ByteStart >= fd.ByteEnd {
				t.Fatalf("finding %d bytes [%d,%d) in %d bytes", k, fd.ByteStart, fd.ByteEnd, len(text))
			}
			if fd.Start < 0 || fd.End > len(runes) || fd.Start >= fd.End {
				t.Fatalf("finding %d runes [%d,%d) in %d runes", k, fd.Start, fd.End, len(runes))
			}
			if k > 0 && (fd.ByteStart < fs[k-1].ByteEnd || fd.Start < fs[k-1].End) {
				t.Fatalf("finding %d overlaps or precedes finding %d", k, k-1)
			}
			if text[fd.ByteStart:fd.ByteEnd] != fd.Text {
				t.Fatalf("finding %d: bytes select %q, Text %q", k, text[fd.ByteStart:fd.ByteEnd], fd.Text)
			}
			if string(runes[fd.Start:fd.End]) != string([]rune(fd.Text)) {
				t.Fatalf("finding %d: runes select %q, Text %q", k, string(runes[fd.Start:fd.End]), fd.Text)
			}
			if fd.Score < 0 || fd.Score > 1 {
				t.Fatalf("finding %d scores %v", k, fd.Score)
			}
			if _, ok := ParseType(string(fd.Type)); !ok {
				t.Fatalf("finding %d has type %q", k, fd.Type)
			}
		}
	})
}

// FuzzMask masks whatever Detect finds with every strategy: the text
// between findings survives byte for byte, and encryption round-trips
// through Unmask.
func FuzzMask(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
	d := NewDetector(WithMinScore(0))
	m := Masker{HashKey: []byte("fuzz"), Encrypt: fakeEncrypt}
	f.Fuzz(func(t *testing.T, text string) {
		fs := d.Detect(text, nil)
		for _, st := range []Strategy{StrategyMask, StrategyRedact, StrategyHash, StrategyEncrypt} {
			got, out, err := m.Mask(text, fs, st, nil)
			if err != nil {
				t.Fatalf("%s: %v", st, err)
			}
			var want strings.Builder
			pos := 0
			for k, fd := range out {
				if fd.ByteStart != fs[k].ByteStart || fd.Start != fs[k].Start {
					t.Fatalf("%s: finding %d moved", st, k)
				}
				want.WriteString(text[pos:fd.ByteStart])
				want.WriteString(fd.Text)
				pos = fd.ByteEnd
			}
			want.WriteString(text[pos:])
			if got != want.String() {
				t.Fatalf("%s: got %q, want %q", st, got, want.String())
			}
			if st == StrategyMask && utf8.ValidString(text) && !utf8.ValidString(got) {
				t.Fatalf("mask broke UTF-8: %q", got)
			}
			if st == StrategyEncrypt && !strings.Contains(text, encOpen) {
				back, err := Unmask(got, fakeDecrypt)
				if err != nil || back != text {
					t.Fatalf("Unmask(%q) = %q, %v", got, back, err)
				}
			}
		}
	})
}

// FuzzUnmask feeds arbitrary text to the token parser: it never panics and
// leaves text without well-formed tokens as it is.
func FuzzUnmask(f *testing.F) {
	for _, s := range []string{"", "<ENC:", "<ENC:YQ>", "<ENC:<ENC:YQ>>", "a<ENC:=>b", "<ENC:YQ"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		got, err := Unmask(text, func(string) (string, error) { return "", nil })
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(text, encOpen) && got != text {
			t.Fatalf("changed %q to %q", text, got)
		}
	})
}
