package main

import (
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/webhook"
)

// TestKilledReplicaLosesNoDelivery: two `rampart serve` processes share
// PostgreSQL; one is killed with SIGKILL while deliveries are in flight.
// Every event still reaches the receiver, which sees a repeat (if any) only
// under the same webhook-id.
func TestKilledReplicaLosesNoDelivery(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts two server processes")
	}
	bin := buildBinary(t)
	key := make([]byte, 32)
	rand.Read(key)
	env := testEnv(t, "postgres")
	env["RAMPART_MASTER_KEY"] = base64.StdEncoding.EncodeToString(key)
	env["RAMPART_DELIVERY_LEASE"] = "2s"
	env["RAMPART_DELIVERY_BACKOFF"] = "100ms"
	env["RAMPART_DELIVERY_WORKERS"] = "4"
	delete(env, "GOMEMLIMIT")
	a, cmdA := startProcessCmd(t, bin, env)
	envB := map[string]string{}
	for k, v := range env {
		envB[k] = v
	}
	envB["RAMPART_DATA_DIR"] = t.TempDir()
	b := startProcess(t, bin, envB)

	var mu sync.Mutex
	var secret []byte
	accepted := map[string]int{}
	bad := 0
	rc := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		time.Sleep(20 * time.Millisecond) // deliveries stay in flight long enough to be cut
		mu.Lock()
		defer mu.Unlock()
		if secret == nil || webhook.Verify(secret, r.Header, body, time.Now(), time.Minute) != nil {
			bad++
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		accepted[r.Header.Get("webhook-id")]++
	}))
	defer rc.Close()
	distinct := func() (n, repeats int) {
		mu.Lock()
		defer mu.Unlock()
		for _, c := range accepted {
			repeats += c - 1
		}
		return len(accepted), repeats
	}

	a.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := a.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	resp, hook := a.do(t, "POST", "/v1/webhooks", owner, map[string]any{"url": rc.URL, "events": []string{"login_failure"}})
	if resp.StatusCode != 201 {
		t.Fatalf("create webhook: %d %v", resp.StatusCode, hook)
	}
	k, _ := webhook.ParseSecret(hook["secret"].(string))
	mu.Lock()
	secret = k
	mu.Unlock()

	// 150 addresses failing from one address is credential stuffing:
	// keep the rule's automatic block off, this test is about delivery.
	if r, b := a.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"monitoring": map[string]any{"rules": map[string]any{"credential_stuffing": map[string]any{"remediate": []string{}}}}}); r.StatusCode != 200 {
		t.Fatalf("settings: %d %v", r.StatusCode, b)
	}
	const n, total = 150, 150
	for i := 0; i < n; i++ {
		srv := a
		if i%2 == 1 {
			srv = b
		}
		if r, _ := srv.login(t, "acme", fmt.Sprintf("nobody-%d@acme.io", i), "wrong-password"); r.StatusCode != 401 {
			t.Fatalf("login %d: %d", i, r.StatusCode)
		}
	}
	// Kill a while some deliveries are done and others in flight.
	deadline := time.Now().Add(30 * time.Second)
	for {
		if got, _ := distinct(); got >= n/4 || time.Now().After(deadline) {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	if err := cmdA.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	cmdA.Wait()
	killedAt, _ := distinct()

	deadline = time.Now().Add(60 * time.Second)
	for {
		if got, _ := distinct(); got >= n || time.Now().After(deadline) {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	time.Sleep(500 * time.Millisecond)
	got, _ := distinct()
	if got != n || bad != 0 {
		t.Fatalf("receiver has %d distinct deliveries (want %d), %d badly signed", got, n, bad)
	}
	if killedAt >= n {
		t.Fatalf("the kill came after every delivery; the test proved nothing")
	}
	// Messages the killed replica sent but could not record go out again
	// once its lease ends: the receiver sees them under the same id.
	deadline = time.Now().Add(30 * time.Second)
	for {
		resp, dl := b.do(t, "GET", "/v1/deliveries?status=delivered&limit=500", owner, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("deliveries: %d %v", resp.StatusCode, dl)
		}
		n := len(dl["deliveries"].([]any))
		if n == total {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d messages recorded as delivered", n, total)
		}
		time.Sleep(100 * time.Millisecond)
	}
	got, repeats := distinct()
	t.Logf("killed after %d deliveries; %d repeats, each under its first webhook-id", killedAt, repeats)
	if got != total {
		t.Fatalf("receiver has %d distinct deliveries after the retries, want %d", got, total)
	}
}
