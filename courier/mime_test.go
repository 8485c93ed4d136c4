package courier

import (
	"mime"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func TestBuildMessageRefusesInjection(t *testing.T) {
	from, _ := mail.ParseAddress("Rampart <no-reply@rampart.example>")
	now := time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC)
	bad := []Mail{
		{To: "ada@example.test\r\nBcc: eve@example.test", Text: "x"},
		{To: "not an address", Text: "x"},
		{To: "zoë@example.test", Text: "x"},
		{To: "ada@example.test", Text: "x", MessageID: "id\r\nBcc: eve@example.test"},
		{To: "ada@example.test", Text: "x", MessageID: "a b"},
		{To: "ada@example.test", Text: ""},
	}
	for _, m := range bad {
		if _, err := buildMessage(from, m, now); err == nil || Retryable(err) {
			t.Errorf("%+v: %v", m, err)
		}
	}
	env, err := buildMessage(from, Mail{To: "ada@example.test", FromName: "Acme\r\nBcc: eve@example.test",
		Subject: "Hello\r\nBcc: eve@example.test", Text: "only text"}, now)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(env.data)))
	if err != nil {
		t.Fatal(err)
	}
	if msg.Header.Get("Bcc") != "" || strings.Contains(string(env.data), "\nBcc:") {
		t.Fatalf("a header was injected:\n%s", env.data)
	}
	if ct := msg.Header.Get("Content-Type"); ct != "text/plain; charset=utf-8" {
		t.Errorf("text-only Content-Type %q", ct)
	}
	if id := msg.Header.Get("Message-ID"); !strings.HasPrefix(id, "<") || !strings.HasSuffix(id, "@rampart.example>") || len(id) < 40 {
		t.Errorf("random Message-ID %q", id)
	}
	if msg.Header.Get(HeaderMessageID) != "" {
		t.Errorf("%s without a message ID", HeaderMessageID)
	}
}

func TestLongSubjectIsFolded(t *testing.T) {
	from, _ := mail.ParseAddress("no-reply@rampart.example")
	subject := strings.Repeat("日本語のお知らせ ", 30)
	env, err := buildMessage(from, Mail{To: "ada@example.test", Subject: subject, Text: "x"}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, line := range strings.Split(string(env.data), "\r\n") {
		if len(line) > 100 && strings.Contains(line, "=?") {
			t.Fatalf("an unfolded header line of %d octets", len(line))
		}
	}
	msg, _ := mail.ReadMessage(strings.NewReader(string(env.data)))
	got, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || got != oneLine(subject, MaxSubjectLength) {
		t.Fatalf("Subject = %q, %v", got, err)
	}
}
