package main

import (
	"bytes"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os"
	"testing"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart/internal/testdb"
)

func hmacSHA256(key []byte, msg string) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msg))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

func mustUUID(t *testing.T, s string) []byte {
	t.Helper()
	u, err := uuid.Parse(s)
	if err != nil {
		t.Fatal(err)
	}
	return u[:]
}

func requireRedis(t *testing.T) string { return testdb.RequireRedis(t) }

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func jsonDecode(r *http.Response, v any) {
	defer r.Body.Close()
	json.NewDecoder(r.Body).Decode(v)
}

// loginFrom logs in with X-Forwarded-For set (the server must trust the
// proxy) and returns the status.
func (ts *testServer) loginFrom(t *testing.T, ip, tenant, email, password string) int {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"tenant": tenant, "email": email, "password": password})
	req, _ := http.NewRequest("POST", ts.URL+"/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// secondReplica starts another server on the same database (and Redis) as
// the one started with envA: its own data folder, the same master key.
func secondReplica(t *testing.T, envA map[string]string) *testServer {
	t.Helper()
	envB := map[string]string{}
	for k, v := range envA {
		envB[k] = v
	}
	envB["RAMPART_DATA_DIR"] = t.TempDir()
	copyFile(t, envA["RAMPART_DATA_DIR"]+"/master.key", envB["RAMPART_DATA_DIR"]+"/master.key")
	return start(t, envB)
}

// loginAs logs in from ip (through the trusted local proxy) and returns the
// access token: for tests whose login budget per address is shared in Redis.
func (ts *testServer) loginAs(t *testing.T, ip, tenant, email, password string) string {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"tenant": tenant, "email": email, "password": password})
	req, _ := http.NewRequest("POST", ts.URL+"/v1/auth/login", bytes.NewReader(body))
	req.Header.Set("X-Forwarded-For", ip)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var out map[string]any
	jsonDecode(resp, &out)
	if resp.StatusCode != 200 {
		t.Fatalf("login from %s: %d %v", ip, resp.StatusCode, out)
	}
	return out["access_token"].(string)
}
