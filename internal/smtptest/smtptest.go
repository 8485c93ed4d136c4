// Package smtptest runs a real SMTP server process for tests: smtp_sink.py
// on Debian's python3-aiosmtpd, which stores what it accepts.
package smtptest

import (
	"bufio"
	"encoding/json"
	"errors"
	"io"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"
)

// script is smtp_sink.py beside this file.
func script() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "smtp_sink.py")
}

// Server is a real SMTP server process (smtp_sink.py on aiosmtpd) that
// stores what it accepts in Dir.
type Server struct {
	Port string
	Dir  string
}

// Start starts smtp_sink.py with args (see the script). Without Debian's
// python3-aiosmtpd the test is skipped, except in CI where it fails.
func Start(t *testing.T, args ...string) Server {
	t.Helper()
	const python = "/usr/bin/python3" // Debian's, where python3-aiosmtpd installs; PATH may hold another
	if err := exec.Command(python, "-c", "import aiosmtpd").Run(); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("python3-aiosmtpd is required in CI (apt-get install python3-aiosmtpd): %v", err)
		}
		t.Skip("python3-aiosmtpd not installed")
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	_, port, _ := net.SplitHostPort(l.Addr().String())
	l.Close()
	dir := t.TempDir()
	cmd := exec.Command(python, append([]string{script(), dir, port}, args...)...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stdin.Close() // the script stops when its input closes
		done := make(chan struct{})
		go func() { cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-done
		}
	})
	ready := make(chan bool, 1)
	go func() {
		line, _ := bufio.NewReader(stdout).ReadString('\n')
		ready <- strings.TrimSpace(line) == "READY"
		io.Copy(io.Discard, stdout)
	}()
	select {
	case ok := <-ready:
		if !ok {
			t.Fatalf("smtp_sink.py did not start: %s", stderr.String())
		}
	case <-time.After(15 * time.Second):
		t.Fatalf("smtp_sink.py not ready: %s", stderr.String())
	}
	return Server{Port: port, Dir: dir}
}

// Received is one accepted message: the envelope, TLS and AUTH facts, and
// the bytes.
type Received struct {
	MailFrom      string   `json:"mail_from"`
	RcptTos       []string `json:"rcpt_tos"`
	TLS           bool     `json:"tls"`
	Authenticated bool     `json:"authenticated"`
	Login         *string  `json:"login"`
	Raw           []byte   `json:"-"`
}

// Messages returns what the server stored, in order.
func (s Server) Messages(t *testing.T) []Received {
	t.Helper()
	var out []Received
	for n := 1; ; n++ {
		base := filepath.Join(s.Dir, strconv.Itoa(n))
		raw, err := os.ReadFile(base + ".eml")
		if errors.Is(err, os.ErrNotExist) {
			return out
		} else if err != nil {
			t.Fatal(err)
		}
		var r Received
		facts, err := os.ReadFile(base + ".json")
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(facts, &r); err != nil {
			t.Fatal(err)
		}
		r.Raw = raw
		out = append(out, r)
	}
}
