package courier

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/webhook"
)

func TestNormalizePhone(t *testing.T) {
	tests := []struct {
		raw, region, want string
	}{
		{"+44 7911 123456", "", "+447911123456"},
		{"07911 123456", "GB", "+447911123456"},
		{"0044 7911 123456", "gb", "+447911123456"},
		{"(415) 555-2671", "US", "+14155552671"},
		{"+33 6 12 34 56 78", "US", "+33612345678"},
		{"06 12 34 56 78", "FR", "+33612345678"},
		{"07911 123456", "", ""},
		{"+44 123", "", ""},
		{"not a number", "GB", ""},
		{"", "GB", ""},
	}
	for _, tt := range tests {
		got, err := NormalizePhone(tt.raw, tt.region)
		if tt.want == "" {
			if err == nil || Retryable(err) {
				t.Errorf("NormalizePhone(%q, %q) = %q, %v; want a permanent error", tt.raw, tt.region, got, err)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", tt.raw, tt.region, got, err, tt.want)
		}
	}
}

// bridge is a platform's SMS provider bridge: it checks the signature with
// the webhook package's Verify, as its Go code would, and keeps the payloads.
type bridge struct {
	*httptest.Server
	mu       sync.Mutex
	payloads []map[string]string
	ids      []string
	status   int
}

func newBridge(t *testing.T, key []byte) *bridge {
	b := &bridge{status: http.StatusAccepted}
	b.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if err := webhook.Verify(key, r.Header, body, time.Now(), webhook.DefaultTolerance); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var p map[string]string
		if err := json.Unmarshal(body, &p); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		b.mu.Lock()
		defer b.mu.Unlock()
		b.payloads = append(b.payloads, p)
		b.ids = append(b.ids, r.Header.Get(webhook.HeaderID))
		w.WriteHeader(b.status)
	}))
	t.Cleanup(b.Close)
	return b
}

func TestSMSBridge(t *testing.T) {
	secret, _ := webhook.GenerateSecret()
	key, _ := webhook.ParseSecret(secret)
	b := newBridge(t, key)
	sender := webhook.NewSender(webhook.Config{AllowPrivate: true, Timeout: 5 * time.Second})
	sms, err := NewSMSBridge(b.URL+"/sms", key, sender, "GB")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := RenderSMS(KindOTPCode, map[string]any{"code": "482913"}, Brand{Name: "Acme"})
	if err := sms.SendSMS(context.Background(), SMS{To: "07911 123456", Kind: KindOTPCode, Body: body, MessageID: "msg_42"}); err != nil {
		t.Fatalf("SendSMS: %v", err)
	}
	b.mu.Lock()
	if len(b.payloads) != 1 {
		t.Fatalf("%d payloads", len(b.payloads))
	}
	want := map[string]string{"to": "+447911123456", "body": body, "kind": KindOTPCode, "message_id": "msg_42"}
	for k, v := range want {
		if b.payloads[0][k] != v {
			t.Errorf("%s = %q, want %q", k, b.payloads[0][k], v)
		}
	}
	if b.ids[0] != "msg_42" {
		t.Errorf("webhook-id %q", b.ids[0])
	}
	b.status = http.StatusServiceUnavailable
	b.mu.Unlock()

	err = sms.SendSMS(context.Background(), SMS{To: "+447911123456", Kind: KindOTPCode, Body: body, MessageID: "msg_43"})
	var e *Error
	if !errors.As(err, &e) || e.Class != "http_503" || e.Code != 503 || !e.Retryable {
		t.Fatalf("bridge down: %#v", err)
	}

	for _, bad := range []SMS{
		{To: "12", Body: "x", MessageID: "m"},
		{To: "+447911123456", Body: " ", MessageID: "m"},
		{To: "+447911123456", Body: strings.Repeat("x", MaxSMSLength+1), MessageID: "m"},
		{To: "+447911123456", Body: "x"},
	} {
		if err := sms.SendSMS(context.Background(), bad); err == nil || Retryable(err) {
			t.Errorf("%.40v: %v", bad, err)
		}
	}

	// Without AllowPrivate the sender refuses the loopback bridge: permanent.
	strict, _ := NewSMSBridge(b.URL, key, webhook.NewSender(webhook.Config{}), "")
	err = strict.SendSMS(context.Background(), SMS{To: "+447911123456", Body: "x", MessageID: "m"})
	if !errors.As(err, &e) || e.Class != webhook.ClassRefusedAddress || e.Retryable {
		t.Fatalf("refused address: %v", err)
	}
}

func TestNewSMSBridgeErrors(t *testing.T) {
	s := webhook.NewSender(webhook.Config{})
	key := []byte(strings.Repeat("k", 32))
	if _, err := NewSMSBridge("ftp://bridge.example/", key, s, ""); err == nil {
		t.Error("ftp URL accepted")
	}
	if _, err := NewSMSBridge("https://bridge.example/", key[:10], s, ""); err == nil {
		t.Error("short secret accepted")
	}
	if _, err := NewSMSBridge("https://bridge.example/", key, nil, ""); err == nil {
		t.Error("nil sender accepted")
	}
}
