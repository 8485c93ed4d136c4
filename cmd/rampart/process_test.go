package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// buildBinary compiles rampart once per test binary run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rampart")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "go", "build", "-o", bin, ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// startProcess runs `rampart serve` as its own process and returns its URL.
func startProcess(t *testing.T, bin string, env map[string]string) *testServer {
	t.Helper()
	ts, _ := startProcessCmd(t, bin, env)
	return ts
}

// startProcessCmd is startProcess that also returns the process, for tests
// that kill it.
func startProcessCmd(t *testing.T, bin string, env map[string]string) (*testServer, *exec.Cmd) {
	t.Helper()
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(os.Environ()[:0:0], "PATH="+os.Getenv("PATH"), "HOME="+t.TempDir())
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr syncBuffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if cmd.ProcessState != nil {
			return // killed and reaped by the test
		}
		cmd.Process.Signal(os.Interrupt)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Error("process did not stop on SIGINT")
		}
	})
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, addr, ok := strings.Cut(sc.Text(), "listening on "); ok {
				found <- addr
			}
		}
	}()
	select {
	case addr := <-found:
		return &testServer{URL: addr, env: env, stderr: &stderr}, cmd
	case <-time.After(60 * time.Second):
		t.Fatalf("process did not start:\n%s", stderr.String())
	}
	return nil, nil
}

// TestTwoProcessesShareTheLoginLimit: two `rampart serve` processes on one
// PostgreSQL and one Redis; a client alternating between them has its sixth
// login attempt in a minute refused.
func TestTwoProcessesShareTheLoginLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and starts two server processes")
	}
	redisURL := requireRedis(t)
	bin := buildBinary(t)
	key := make([]byte, 32)
	rand.Read(key)
	env := testEnv(t, "postgres")
	env["RAMPART_RATE_LIMITS"] = "on"
	env["RAMPART_REDIS_URL"] = redisURL
	env["RAMPART_TRUSTED_PROXIES"] = "127.0.0.1/32"
	env["RAMPART_MASTER_KEY"] = base64.StdEncoding.EncodeToString(key)
	delete(env, "GOMEMLIMIT")
	a := startProcess(t, bin, env)
	envB := map[string]string{}
	for k, v := range env {
		envB[k] = v
	}
	envB["RAMPART_DATA_DIR"] = t.TempDir()
	b := startProcess(t, bin, envB)
	a.tenantWithOwner(t, "acme", "owner@acme.io")

	ipb := make([]byte, 2)
	rand.Read(ipb)
	ip := fmt.Sprintf("198.19.%d.%d", ipb[0], 1+ipb[1]%250)
	var codes []int
	for i := 0; i < 6; i++ {
		srv := a
		if i%2 == 1 {
			srv = b
		}
		codes = append(codes, srv.loginFrom(t, ip, "acme", "someone@acme.io", "wrong-password"))
	}
	if codes[5] != 429 || codes[4] == 429 {
		t.Fatalf("answers %v, want the sixth refused", codes)
	}
	// The processes are separate: b knows the tenant a created (shared
	// PostgreSQL), and a user who logs in on one is served by the other.
	access := a.loginAs(t, fmt.Sprintf("198.19.%d.%d", ipb[1], 1+ipb[0]%250), "acme", "owner@acme.io", ownerPassword)
	if resp, body := b.do(t, "GET", "/v1/me", access, nil); resp.StatusCode != 200 {
		t.Fatalf("token of a on b: %d %v", resp.StatusCode, body)
	}
}
