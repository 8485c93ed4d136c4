package gateway

import (
	"encoding/json"
	"testing"
)

// FuzzDecodeString: decodeString reads every JSON string literal exactly as
// encoding/json does (escapes, surrogates, broken UTF-8).
func FuzzDecodeString(f *testing.F) {
	for _, s := range []string{`"plain"`, `"a\nb\u00e9\"q\\"`, `"\ud83d\ude00"`, `"\ud83d x"`, `"\ude00"`, "\"\xff\xfe ok \xe2\x82\"", `"\ud83d"`, `""`, `5`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, raw []byte) {
		var want string
		if !json.Valid(raw) || json.Unmarshal(raw, &want) != nil {
			return
		}
		got, ok := decodeString(raw)
		if !ok || got != want {
			t.Fatalf("decodeString(%q) = %q, %v; encoding/json: %q", raw, got, ok, want)
		}
	})
}

// TestAppendObject: fields re-joined as read are the JSON encoding/json
// reads back, keys escaped where they must be.
func TestAppendObject(t *testing.T) {
	m := map[string]json.RawMessage{"b": json.RawMessage(`[1, 2]`), "a\"<": json.RawMessage(`"x"`), "c": nil}
	out := appendObject(nil, m)
	var back map[string]any
	if err := json.Unmarshal(out, &back); err != nil || back["a\"<"] != "x" || back["c"] != nil || len(back["b"].([]any)) != 2 {
		t.Fatalf("%s: %v %v", out, back, err)
	}
}
