package pii

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"
)

func TestParseType(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Type
		ok   bool
	}{
		{"email", Email, true},
		{" Credit_Card ", CreditCard, true},
		{"ip-address", IPAddress, true},
		{"DATE_OF_BIRTH", DateOfBirth, true},
		{"jwt", JWT, true},
		{"person", "", false},
		{"", "", false},
	} {
		got, ok := ParseType(c.in)
		if got != c.want || ok != c.ok {
			t.Errorf("ParseType(%q) = %q, %v; want %q, %v", c.in, got, ok, c.want, c.ok)
		}
	}
	all := AllTypes()
	if len(all) != 13 {
		t.Fatalf("AllTypes() has %d types", len(all))
	}
	for _, typ := range all {
		if got, ok := ParseType(string(typ)); !ok || got != typ {
			t.Errorf("ParseType(%q) does not round-trip", typ)
		}
	}
	all[0] = "changed"
	if AllTypes()[0] != Email {
		t.Error("AllTypes returned its own array")
	}
}

// TestOffsetsAreCodePoints puts multi-byte text (accents, CJK, emoji,
// combining marks) before and between findings: Start and End count code
// points, ByteStart and ByteEnd bytes, and both select Text.
func TestOffsetsAreCodePoints(t *testing.T) {
	text := "Café 東京 👩‍💻 écrit à jane@example.com, e\u0301 puis 📞 +1 (415) 555-0132 🎉 IP 10.0.0.1"
	fs := NewDetector().Detect(text, nil)
	var got []string
	runes := []rune(text)
	for _, f := range fs {
		got = append(got, f.Text)
		if string(runes[f.Start:f.End]) != f.Text {
			t.Errorf("runes[%d:%d] = %q, Text %q", f.Start, f.End, string(runes[f.Start:f.End]), f.Text)
		}
		if text[f.ByteStart:f.ByteEnd] != f.Text {
			t.Errorf("bytes[%d:%d] = %q, Text %q", f.ByteStart, f.ByteEnd, text[f.ByteStart:f.ByteEnd], f.Text)
		}
	}
	want := []string{"jane@example.com", "+1 (415) 555-0132", "10.0.0.1"}
	if !slices.Equal(got, want) {
		t.Fatalf("found %q, want %q", got, want)
	}
	if fs[0].Start == fs[0].ByteStart {
		t.Error("code-point and byte offsets agree although multi-byte text comes first")
	}
	// JSON carries the code-point offsets only.
	b, err := json.Marshal(fs[0])
	if err != nil {
		t.Fatal(err)
	}
	if want := `{"type":"email","start":20,"end":36,"text":"jane@example.com","score":0.95}`; string(b) != want {
		t.Errorf("JSON %s, want %s", b, want)
	}
}

// TestOverlapResolution checks that overlapping candidates are settled
// once, by score then length, and that the result is sorted and disjoint.
func TestOverlapResolution(t *testing.T) {
	for _, c := range []struct {
		name  string
		text  string
		types []Type
		want  []string // "type:text"
	}{
		{"url holds an email", "see http://jane@example.com/inbox now", nil, []string{"url:http://jane@example.com/inbox"}},
		{"url holds an ip", "open http://10.0.0.1:8080/admin", nil, []string{"url:http://10.0.0.1:8080/admin"}},
		{"email alone when asked", "see http://jane@example.com/inbox now", []Type{Email}, []string{"email:jane@example.com"}},
		{"card holds a phone", "call 4111 1111 1111 1111 now", nil, []string{"credit_card:4111 1111 1111 1111"}},
		{"card holds a phone, phones only", "call 4111 1111 1111 1111 now", []Type{Phone}, nil},
		{"address holds a zip", "Phone: 1600 Amphitheatre Parkway, Mountain View, CA 94043", nil,
			[]string{"address:1600 Amphitheatre Parkway, Mountain View, CA 94043"}},
		{"address vetoes phones when not asked", "Phone: 1600 Amphitheatre Parkway, Mountain View, CA 94043", []Type{Phone}, nil},
		{"secret value holds a key", "api_key=rmp_" + strings.Repeat("A", 34) + "_" + strings.Repeat("b", 43), nil,
			[]string{"api_key:rmp_" + strings.Repeat("A", 34) + "_" + strings.Repeat("b", 43)}},
		{"ssn beats phone", "Phone or SSN: 536-22-1234", nil, []string{"ssn:536-22-1234"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, f := range NewDetector().Detect(c.text, c.types) {
				got = append(got, string(f.Type)+":"+f.Text)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}

func TestDetectOrderAndTypes(t *testing.T) {
	text := "Mail bob@example.com or call 415-555-0132; card 4111111111111111, IBAN DE89370400440532013000, born 1990-02-28."
	fs := NewDetector().Detect(text, nil)
	var types []Type
	for k, f := range fs {
		types = append(types, f.Type)
		if k > 0 && f.Start < fs[k-1].End {
			t.Errorf("finding %d overlaps or is out of order", k)
		}
		if f.Score < DefaultMinScore || f.Score > 1 {
			t.Errorf("score %v out of range", f.Score)
		}
	}
	if want := []Type{Email, Phone, CreditCard, IBAN, DateOfBirth}; !slices.Equal(types, want) {
		t.Errorf("types %v, want %v", types, want)
	}
	fs = NewDetector().Detect(text, []Type{IBAN, Email})
	if len(fs) != 2 || fs[0].Type != Email || fs[1].Type != IBAN {
		t.Errorf("filtered to %v", fs)
	}
	if fs := NewDetector().Detect(text, []Type{"nonsense"}); fs != nil {
		t.Errorf("an unknown type found %v", fs)
	}
	if fs := NewDetector().Detect("", nil); fs != nil {
		t.Errorf("empty text found %v", fs)
	}
}

// TestDetectorConcurrentUse shares one Detector between goroutines; run
// with -race to check it.
func TestDetectorConcurrentUse(t *testing.T) {
	d := NewDetector()
	text := "call 415-555-0132 or mail bob@example.com"
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 50 {
				if fs := d.Detect(text, nil); len(fs) != 2 {
					t.Errorf("found %v", fs)
					return
				}
			}
		})
	}
	wg.Wait()
}

// TestPhoneLookupBudget checks that a text of nothing but digit groups stays
// cheap: past the budget, numbers are judged by shape and context alone.
func TestPhoneLookupBudget(t *testing.T) {
	text := strings.Repeat("phone 212-555-0188 ", 2000)
	fs := NewDetector(WithMaxPhoneLookups(10)).Detect(text, []Type{Phone})
	if len(fs) != 2000 {
		t.Fatalf("found %d phones, want 2000", len(fs))
	}
	if fs[0].Score <= fs[len(fs)-1].Score {
		t.Errorf("validated %v and unvalidated %v phones score alike", fs[0].Score, fs[len(fs)-1].Score)
	}
}

func TestNoFindingsInPlainProse(t *testing.T) {
	text := "In 2019 the company grew by 12% to 1,250 people; version 4.2.1 shipped on 30 June at 10:30. " +
		"The match ended 3-1, tickets cost $25.50, and the 2020-2021 season starts in May. " +
		"Call of Duty sold 25 million copies. Read chapter 7 on page 1234 of ISBN 978-0-306-40615-7."
	if fs := NewDetector().Detect(text, nil); fs != nil {
		t.Errorf("found %v", fs)
	}
}

// TestIssue12Shapes holds the kinds of error issue 12 reported, one case
// each (texts written for this test, not taken from the benchmark).
func TestIssue12Shapes(t *testing.T) {
	jwt := "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0In0.c2lnbmF0dXJlc2lnbmF0dXJl"
	for _, c := range []struct {
		name, text string
		h          Hints
		want       []string
	}{
		{"card inside a longer run", "Ref 7380 4111 1111 1111 1111 2291", Hints{}, nil},
		{"card inside a failed IBAN", "DE12 4111 1111 1111 1111 00", Hints{}, nil},
		{"log timestamp", "2024-08-24 14:29:17 export started", Hints{}, nil},
		{"ts field", `ts="2023-05-25T08:12:44Z" level=info`, Hints{}, nil},
		{"geboren", "Max, geboren am 28.02.1990", Hints{}, []string{"date_of_birth:28.02.1990"}},
		{"née le", "Jeanne, née le 14/03/1985", Hints{}, []string{"date_of_birth:14/03/1985"}},
		{"jwt ends a sentence", "id_token=" + jwt + ".", Hints{}, []string{"jwt:" + jwt}},
		{"bearer then words", "Bearer " + jwt + ". Danke.", Hints{}, []string{"jwt:" + jwt}},
		{"German landline with a cue", "Nummer: 030 38817886", Hints{}, []string{"phone:030 38817886"}},
		{"German mobile, language", "erreichbar unter 0151 27970505", Hints{Language: "de"}, []string{"phone:0151 27970505"}},
		{"German slash", "Telefon 030/44772466", Hints{}, []string{"phone:030/44772466"}},
		{"French dots", "téléphone : 06.20.35.90.99", Hints{}, []string{"phone:06.20.35.90.99"}},
		{"Brazilian, region", "(11) 97452-6906", Hints{Regions: []string{"BR"}}, []string{"phone:(11) 97452-6906"}},
		{"French international", "+33 1 43 69 46 38", Hints{}, []string{"phone:+33 1 43 69 46 38"}},
		{"Brazilian international", "+55 11 94558-5384", Hints{}, []string{"phone:+55 11 94558-5384"}},
		{"bare ten digits", "ticket 4155550132 closed", Hints{}, nil},
	} {
		t.Run(c.name, func(t *testing.T) {
			var got []string
			for _, f := range NewDetector().DetectWith(c.text, nil, c.h) {
				got = append(got, string(f.Type)+":"+f.Text)
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("got %q, want %q", got, c.want)
			}
		})
	}
}
