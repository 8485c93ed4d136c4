package httpapi

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/rampart-dev/rampart"
)

// FuzzDecode feeds arbitrary bodies to the strict JSON decoder: it never
// panics and every failure carries a code that maps to a 4xx.
func FuzzDecode(f *testing.F) {
	for _, s := range []string{`{"slug":"a","owner":{"email":"x"}}`, `{"x":1}`, `[]`, "{\"a\":\"\xff\"}", `{"slug":1}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		var dst struct {
			Slug  string `json:"slug"`
			Owner struct {
				Email string `json:"email"`
			} `json:"owner"`
		}
		err := decode(httptest.NewRequest("POST", "/", strings.NewReader(body)), &dst)
		if err == nil {
			return
		}
		if st := statusOf[rampart.ErrorCode(err)]; st < 400 || st >= 500 {
			t.Fatalf("decode error %v maps to %d", err, st)
		}
	})
}
