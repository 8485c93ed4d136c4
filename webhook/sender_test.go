package webhook

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"
)

// receiver is a real HTTP server that checks each request as a platform's
// code would, with Verify.
type receiver struct {
	*httptest.Server
	key []byte

	mu       sync.Mutex
	requests []*http.Request
	bodies   [][]byte
	verified []error
}

func newReceiver(t *testing.T, key []byte, status int) *receiver {
	t.Helper()
	r := &receiver{key: key}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		r.requests = append(r.requests, req)
		r.bodies = append(r.bodies, body)
		r.verified = append(r.verified, Verify(r.key, req.Header, body, time.Now(), DefaultTolerance))
		r.mu.Unlock()
		w.WriteHeader(status)
		w.Write([]byte(strings.Repeat("a receiver's reply that is not kept ", 1000)))
	}))
	t.Cleanup(r.Close)
	return r
}

func TestSendSignedDelivery(t *testing.T) {
	key := []byte(strings.Repeat("s", 32))
	r := newReceiver(t, key, http.StatusNoContent)
	s := NewSender(Config{AllowPrivate: true})
	body := []byte(`{"type":"user.created","data":{"id":"u_1","name":"Zoë"}}`)
	res, err := s.Send(context.Background(), Delivery{ID: "msg_1", URL: r.URL + "/hook?x=1", Secrets: [][]byte{key}, Body: body})
	if err != nil {
		t.Fatalf("Send: %v", err)
	}
	if res.StatusCode != http.StatusNoContent || res.Class != "" || res.Retryable {
		t.Fatalf("Result = %+v", res)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.requests) != 1 {
		t.Fatalf("%d requests", len(r.requests))
	}
	req := r.requests[0]
	if r.verified[0] != nil {
		t.Fatalf("receiver's Verify: %v", r.verified[0])
	}
	if string(r.bodies[0]) != string(body) {
		t.Errorf("body = %s", r.bodies[0])
	}
	for h, want := range map[string]string{
		"Content-Type": "application/json",
		"User-Agent":   UserAgent,
		HeaderID:       "msg_1",
	} {
		if got := req.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if req.Method != http.MethodPost || req.URL.Path != "/hook" || req.URL.RawQuery != "x=1" {
		t.Errorf("request %s %s", req.Method, req.URL)
	}
}

func TestSendFailures(t *testing.T) {
	key := []byte(strings.Repeat("s", 32))
	tests := []struct {
		status    int
		class     string
		retryable bool
	}{
		{http.StatusInternalServerError, "http_500", true},
		{http.StatusTooManyRequests, "http_429", true},
		{http.StatusGone, "http_410", true},
		{http.StatusUnauthorized, "http_401", true},
	}
	s := NewSender(Config{AllowPrivate: true})
	for _, tt := range tests {
		r := newReceiver(t, key, tt.status)
		res, err := s.Send(context.Background(), Delivery{ID: "msg_1", URL: r.URL, Secrets: [][]byte{key}, Body: []byte("{}")})
		var e *Error
		if !errors.As(err, &e) || e.Class != tt.class || e.Retryable != tt.retryable || e.StatusCode != tt.status {
			t.Errorf("status %d: err = %#v", tt.status, err)
		}
		if res.Class != tt.class || res.Retryable != tt.retryable || res.StatusCode != tt.status {
			t.Errorf("status %d: result = %+v", tt.status, res)
		}
	}
}

func TestSendDoesNotFollowRedirects(t *testing.T) {
	key := []byte(strings.Repeat("s", 32))
	target := newReceiver(t, key, http.StatusOK)
	redirect := httptest.NewServer(http.RedirectHandler(target.URL, http.StatusTemporaryRedirect))
	t.Cleanup(redirect.Close)
	res, err := NewSender(Config{AllowPrivate: true}).Send(context.Background(),
		Delivery{ID: "msg_1", URL: redirect.URL, Secrets: [][]byte{key}, Body: []byte("{}")})
	if err == nil || res.Class != "http_307" || !res.Retryable {
		t.Fatalf("err = %v, result = %+v", err, res)
	}
	target.mu.Lock()
	defer target.mu.Unlock()
	if len(target.requests) != 0 {
		t.Fatal("redirect was followed")
	}
}

func TestSendTimeout(t *testing.T) {
	release := make(chan struct{})
	hang := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(hang.Close)
	t.Cleanup(func() { close(release) })
	const timeout = 300 * time.Millisecond
	s := NewSender(Config{AllowPrivate: true, Timeout: timeout})
	start := time.Now()
	res, err := s.Send(context.Background(), Delivery{ID: "msg_1", URL: hang.URL, Secrets: [][]byte{[]byte("k")}, Body: []byte("{}")})
	elapsed := time.Since(start)
	if err == nil || res.Class != ClassTimeout || !res.Retryable || res.StatusCode != 0 {
		t.Fatalf("err = %v, result = %+v", err, res)
	}
	if elapsed < timeout || elapsed > timeout+2*time.Second {
		t.Fatalf("released after %v", elapsed)
	}
	if strings.Contains(err.Error(), hang.URL) {
		t.Fatalf("error names the URL: %v", err)
	}
}

func TestSendConnectionRefused(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	res, err := NewSender(Config{AllowPrivate: true}).Send(context.Background(),
		Delivery{ID: "msg_1", URL: "http://" + addr + "/?token=sekrit", Secrets: [][]byte{[]byte("k")}, Body: []byte("{}")})
	if err == nil || res.Class != ClassConnection || !res.Retryable {
		t.Fatalf("err = %v, result = %+v", err, res)
	}
	if strings.Contains(err.Error(), "sekrit") {
		t.Fatalf("error names the URL: %v", err)
	}
}

func TestSendRefusesPrivateAddresses(t *testing.T) {
	key := []byte(strings.Repeat("s", 32))
	r := newReceiver(t, key, http.StatusOK)
	d := Delivery{ID: "msg_1", URL: r.URL, Secrets: [][]byte{key}, Body: []byte("{}")}

	res, err := NewSender(Config{}).Send(context.Background(), d)
	if err == nil || res.Class != ClassRefusedAddress || res.Retryable {
		t.Fatalf("literal 127.0.0.1: err = %v, result = %+v", err, res)
	}
	if _, err := NewSender(Config{AllowPrivate: true}).Send(context.Background(), d); err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.requests) != 1 {
		t.Fatalf("%d requests, want 1 (the allowed one)", len(r.requests))
	}
}

// rebinder plays a DNS server that answers a public address when the URL is
// registered and a loopback one when the delivery dials.
type rebinder map[string][]netip.Addr

func (r rebinder) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if ips, ok := r[host]; ok {
		return ips, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestSendChecksResolvedAddresses(t *testing.T) {
	key := []byte(strings.Repeat("s", 32))
	r := newReceiver(t, key, http.StatusOK)
	_, port, _ := net.SplitHostPort(r.Listener.Addr().String())
	url := "http://hooks.example.com:" + port + "/"
	if err := ValidateURL(url, false, false); err != nil {
		t.Fatalf("a name passes registration: %v", err)
	}
	loopback := []netip.Addr{netip.MustParseAddr("127.0.0.1")}
	mixed := []netip.Addr{netip.MustParseAddr("::ffff:10.0.0.1"), netip.MustParseAddr("127.0.0.1")}
	d := Delivery{ID: "msg_1", URL: url, Secrets: [][]byte{key}, Body: []byte("{}")}

	for name, ips := range map[string][]netip.Addr{"loopback": loopback, "mixed": mixed} {
		s := NewSender(Config{Resolver: rebinder{"hooks.example.com": ips}})
		res, err := s.Send(context.Background(), d)
		if err == nil || res.Class != ClassRefusedAddress || res.Retryable {
			t.Errorf("%s: err = %v, result = %+v", name, err, res)
		}
	}
	s := NewSender(Config{AllowPrivate: true, Resolver: rebinder{"hooks.example.com": loopback}})
	if _, err := s.Send(context.Background(), d); err != nil {
		t.Fatalf("AllowPrivate through the resolver: %v", err)
	}
	s = NewSender(Config{Resolver: rebinder{}})
	if res, err := s.Send(context.Background(), d); err == nil || res.Class != ClassConnection {
		t.Fatalf("unknown host: err = %v, result = %+v", err, res)
	}
}

func TestSendInvalid(t *testing.T) {
	s := NewSender(Config{RequireHTTPS: true})
	tests := []struct {
		d     Delivery
		class string
	}{
		{Delivery{ID: "m", URL: "http://hooks.example.com/", Secrets: [][]byte{[]byte("k")}}, ClassInvalidURL},
		{Delivery{ID: "m", URL: "https://u:p@hooks.example.com/", Secrets: [][]byte{[]byte("k")}}, ClassInvalidURL},
		{Delivery{ID: "m", URL: "https://[::1]/", Secrets: [][]byte{[]byte("k")}}, ClassRefusedAddress},
		{Delivery{URL: "https://hooks.example.com/", Secrets: [][]byte{[]byte("k")}}, ClassInvalidDelivery},
		{Delivery{ID: "m", URL: "https://hooks.example.com/"}, ClassInvalidDelivery},
	}
	for _, tt := range tests {
		res, err := s.Send(context.Background(), tt.d)
		if err == nil || res.Class != tt.class || res.Retryable {
			t.Errorf("%+v: err = %v, result = %+v", tt.d, err, res)
		}
	}
}

func TestSendCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := NewSender(Config{AllowPrivate: true}).Send(ctx,
		Delivery{ID: "m", URL: "http://127.0.0.1:9/", Secrets: [][]byte{[]byte("k")}})
	if err == nil || res.Class != ClassCanceled || !res.Retryable {
		t.Fatalf("err = %v, result = %+v", err, res)
	}
}
