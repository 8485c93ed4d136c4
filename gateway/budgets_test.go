package gateway

import (
	"encoding/json"
	"math"
	"testing"

	"github.com/rampart-dev/rampart/store"
)

// TestReservationBounded: a caller's max_tokens and n, however large, make
// a positive reservation of at most maxAmount, in tokens and in cost; a
// wrapped product reserved a negative amount that lowered the counters.
func TestReservationBounded(t *testing.T) {
	for _, body := range []string{
		`{"max_tokens": 9223372036854775807, "n": 2}`,
		`{"max_tokens": 4611686018427387904, "n": 4}`,
		`{"max_completion_tokens": 9223372036854775807}`,
		`{"max_tokens": 1000000, "n": 9223372036854775807}`,
	} {
		var b map[string]json.RawMessage
		if err := json.Unmarshal([]byte(body), &b); err != nil {
			t.Fatal(err)
		}
		out := outputMax(b)
		if out <= 0 || out > maxAmount {
			t.Errorf("%s: output maximum %d", body, out)
		}
		x := &exchange{inTokens: 100, maxOut: out}
		tokens := min(x.inTokens+x.maxOut, maxAmount)
		if tokens <= 0 || tokens > maxAmount {
			t.Errorf("%s: reserved tokens %d", body, tokens)
		}
		if c := cost(store.AIPrice{Input: maxPricePerMTok, Output: maxPricePerMTok}, x.inTokens, out); c <= 0 || c > maxAmount {
			t.Errorf("%s: reserved micro-dollars %d", body, c)
		}
	}
	if c := cost(store.AIPrice{Input: 1e6, Output: 1e6}, math.MaxInt64, math.MaxInt64); c != maxAmount {
		t.Errorf("cost of the most tokens: %d", c)
	}
	var b map[string]json.RawMessage
	json.Unmarshal([]byte(`{"max_tokens": 10, "n": 3}`), &b)
	if out := outputMax(b); out != 30 {
		t.Errorf("10 tokens times 3 choices: %d", out)
	}
}
