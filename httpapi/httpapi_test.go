package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"sort"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/rampart-dev/rampart/config"
)

func testServer(cfg *config.Config, logs *bytes.Buffer) *Server {
	if cfg == nil {
		cfg = &config.Config{MaxBodyBytes: 1 << 20}
	}
	return &Server{cfg: cfg, log: slog.New(slog.NewJSONHandler(logs, nil)), metrics: &metrics{registry: prometheus.NewRegistry()}}
}

func TestPanicAnswersGeneric500(t *testing.T) {
	var logs bytes.Buffer
	s := testServer(nil, &logs)
	h := chain(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		panic("db password=hunter2 at /srv/secret/path.go:42")
	}), s.recoverPanics, s.securityHeaders)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest("GET", "/x", nil))
	if rec.Code != 500 || rec.Header().Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %s", rec.Code, rec.Header().Get("Content-Type"))
	}
	body := rec.Body.String()
	if strings.Contains(body, "hunter2") || strings.Contains(body, "path.go") || strings.Contains(body, "panic") {
		t.Fatalf("500 leaks internals: %s", body)
	}
	var p map[string]any
	json.Unmarshal(rec.Body.Bytes(), &p)
	if p["detail"] != "Internal error" || p["error_id"] == "" {
		t.Fatalf("problem %v", p)
	}
	if !strings.Contains(logs.String(), p["error_id"].(string)) || !strings.Contains(logs.String(), "hunter2") {
		t.Fatal("the log does not tie the error_id to its cause")
	}
}

func TestInternalErrorsShowNothing(t *testing.T) {
	var logs bytes.Buffer
	s := testServer(nil, &logs)
	rec := httptest.NewRecorder()
	writeError(rec, httptest.NewRequest("GET", "/", nil), s.log, errors.New(`pq: relation "users" does not exist`))
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "relation") {
		t.Fatalf("%d %s", rec.Code, rec.Body.String())
	}
}

func TestClientIP(t *testing.T) {
	cfg := &config.Config{TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	s := testServer(cfg, &bytes.Buffer{})
	tests := []struct{ remote, xff, want string }{
		{"203.0.113.5:1234", "", "203.0.113.5"},
		{"203.0.113.5:1234", "198.51.100.1", "203.0.113.5"},         // untrusted peer: header ignored
		{"10.0.0.2:1234", "198.51.100.1", "198.51.100.1"},           // trusted proxy
		{"10.0.0.2:1234", "6.6.6.6, 198.51.100.1", "198.51.100.1"},  // client-forged left part ignored
		{"10.0.0.2:1234", "198.51.100.1, 10.0.0.3", "198.51.100.1"}, // two trusted hops
		{"10.0.0.2:1234", "garbage, 10.0.0.3", "10.0.0.3"},          // unparsable: stop at last good
		{"[::ffff:10.0.0.2]:1234", "198.51.100.1", "198.51.100.1"},  // IPv4-mapped peer
	}
	for _, tc := range tests {
		r := httptest.NewRequest("GET", "/", nil)
		r.RemoteAddr = tc.remote
		if tc.xff != "" {
			r.Header.Set("X-Forwarded-For", tc.xff)
		}
		if got := s.clientIP(r); got != tc.want {
			t.Errorf("remote %s xff %q: %s, want %s", tc.remote, tc.xff, got, tc.want)
		}
	}
}

// TestOpenAPIDescribesEveryRoute keeps openapi.json and routes.go in step.
func TestOpenAPIDescribesEveryRoute(t *testing.T) {
	var doc struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(openapiDoc, &doc); err != nil {
		t.Fatal(err)
	}
	var documented, served []string
	for path, ops := range doc.Paths {
		for method := range ops {
			documented = append(documented, strings.ToUpper(method)+" "+path)
		}
	}
	s := testServer(nil, &bytes.Buffer{})
	for _, rt := range s.routes() {
		served = append(served, rt.method+" "+rt.path)
	}
	sort.Strings(documented)
	sort.Strings(served)
	if strings.Join(documented, "\n") != strings.Join(served, "\n") {
		t.Fatalf("openapi.json documents:\n%s\n\nroutes.go serves:\n%s", strings.Join(documented, "\n"), strings.Join(served, "\n"))
	}
}
