package gateway

import (
	"strings"
	"testing"

	"github.com/rampart-dev/rampart/pii"
)

// TestRestorerEverySplit: a masked answer cut at every pair of byte
// offsets is restored exactly as the whole would be.
func TestRestorerEverySplit(t *testing.T) {
	m := newMasking()
	masked := m.mask(pii.NewDetector(), "write to jane.doe@example.com or call +1 415-555-0132")
	if strings.Contains(masked, "jane.doe") || !strings.Contains(masked, "[EMAIL_1]") {
		t.Fatalf("masked %q", masked)
	}
	answer := "é[EMAIL_1]€ then [PHONE_1]. [EMAIL_1][nope] [EMAIL_"
	want := m.restore(answer)
	if !strings.Contains(want, "jane.doe@example.com") || strings.Contains(want, "[EMAIL_1]") {
		t.Fatalf("restore %q", want)
	}
	for i := 0; i <= len(answer); i++ {
		for j := i; j <= len(answer); j++ {
			r := &restorer{m: m}
			got := r.write(answer[:i]) + r.write(answer[i:j]) + r.write(answer[j:]) + r.flush()
			if got != want {
				t.Fatalf("split %d,%d: %q, want %q", i, j, got, want)
			}
		}
	}
}

// TestJSONStringSplits: surrogate pairs and UTF-8 sequences split between
// two string literals come out whole.
func TestJSONStringSplits(t *testing.T) {
	var high rune
	b, _ := appendJSONString(nil, []byte(`"a\ud83d"`), &high)
	b, _ = appendJSONString(b, []byte(`"\ude00b"`), &high)
	if string(b) != "a😀b" {
		t.Fatalf("%q", b)
	}
	high = 0
	e := "€"
	b, _ = appendJSONString(nil, []byte(`"x`+e[:2]+`"`), &high)
	b, _ = appendJSONString(b, []byte(`"`+e[2:]+`\n\"y"`), &high)
	if string(b) != "x€\n\"y" {
		t.Fatalf("%q", b)
	}
	if _, ok := appendJSONString(nil, []byte(`"\x"`), &high); ok {
		t.Fatal("bad escape accepted")
	}
}

// TestRestoreJSONEscapes: a value restored into a tool call's arguments is
// escaped as JSON string content, so the arguments stay valid JSON.
func TestRestoreJSONEscapes(t *testing.T) {
	m := newMasking()
	tok := m.token(pii.Email, `o"brien\x@example.com`)
	args := `{"to":"` + tok + `"}`
	got := m.restoreAs(args, true)
	if got != `{"to":"o\"brien\\x@example.com"}` {
		t.Fatalf("restored %s", got)
	}
	r := &restorer{m: m, json: true}
	if out := r.write(args[:9]) + r.write(args[9:]) + r.flush(); out != got {
		t.Fatalf("split restore %s", out)
	}
}
