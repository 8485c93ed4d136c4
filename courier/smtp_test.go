package courier

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/internal/smtptest"
)

// dialTo makes a mailer configured for a remote host name talk to the local
// server.
func dialTo(port string) func(ctx context.Context, _ string) (net.Conn, error) {
	return func(ctx context.Context, _ string) (net.Conn, error) {
		var d net.Dialer
		return d.DialContext(ctx, "tcp", "127.0.0.1:"+port)
	}
}

func mustMailer(t *testing.T, cfg SMTPConfig) *SMTPMailer {
	t.Helper()
	if cfg.From == "" {
		cfg.From = "Rampart <no-reply@rampart.example>"
	}
	if cfg.SendTimeout == 0 {
		cfg.SendTimeout = 20 * time.Second
	}
	m, err := NewSMTPMailer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func renderedMail(t *testing.T, to string) Mail {
	t.Helper()
	subject, text, html, err := Render(KindOTPCode, map[string]any{"code": "482913", "expires_in_minutes": 10}, Brand{Name: "Café Zoë"})
	if err != nil {
		t.Fatal(err)
	}
	return Mail{To: to, FromName: "Café Zoë", Kind: KindOTPCode, Subject: subject, Text: text, HTML: html, MessageID: "0190d7e5-7d1c-7f3a-9c55-1b2e3f4a5b6c"}
}

func TestSMTPLoopbackPlain(t *testing.T) {
	srv := smtptest.Start(t)
	m := mustMailer(t, SMTPConfig{URL: "smtp://127.0.0.1:" + srv.Port})
	if err := m.Send(context.Background(), renderedMail(t, "Ada Lovelace <ada@example.test>")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := srv.Messages(t)
	if len(msgs) != 1 {
		t.Fatalf("%d messages stored", len(msgs))
	}
	got := msgs[0]
	if got.MailFrom != "no-reply@rampart.example" || len(got.RcptTos) != 1 || got.RcptTos[0] != "ada@example.test" {
		t.Errorf("envelope %s -> %v", got.MailFrom, got.RcptTos)
	}
	checkMessage(t, got.Raw)
}

// checkMessage parses what arrived as a mail client would.
func checkMessage(t *testing.T, raw []byte) {
	t.Helper()
	msg, err := mail.ReadMessage(strings.NewReader(string(raw)))
	if err != nil {
		t.Fatalf("ReadMessage: %v\n%s", err, raw)
	}
	dec := new(mime.WordDecoder)
	subject, err := dec.DecodeHeader(msg.Header.Get("Subject"))
	if err != nil || subject != "Your Café Zoë code: 482913" {
		t.Errorf("Subject = %q (%v), raw %q", subject, err, msg.Header.Get("Subject"))
	}
	from, err := msg.Header.AddressList("From")
	if err != nil || len(from) != 1 || from[0].Name != "Café Zoë" || from[0].Address != "no-reply@rampart.example" {
		t.Errorf("From = %v (%v)", from, err)
	}
	to, err := msg.Header.AddressList("To")
	if err != nil || len(to) != 1 || to[0].Name != "Ada Lovelace" {
		t.Errorf("To = %v (%v)", to, err)
	}
	if _, err := msg.Header.Date(); err != nil {
		t.Errorf("Date: %v", err)
	}
	if got := msg.Header.Get("Message-ID"); got != "<0190d7e5-7d1c-7f3a-9c55-1b2e3f4a5b6c@rampart.example>" {
		t.Errorf("Message-ID = %q", got)
	}
	if got := msg.Header.Get(HeaderMessageID); got != "0190d7e5-7d1c-7f3a-9c55-1b2e3f4a5b6c" {
		t.Errorf("%s = %q", HeaderMessageID, got)
	}
	for _, line := range strings.Split(string(raw), "\r\n") {
		for _, r := range line {
			if r > 0x7e {
				t.Fatalf("a non-ASCII byte on the wire: %q", line)
			}
		}
		if len(line) > 998 {
			t.Fatalf("a line longer than RFC 5322 allows")
		}
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type = %q", msg.Header.Get("Content-Type"))
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var types []string
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		ct, cparams, _ := mime.ParseMediaType(p.Header.Get("Content-Type"))
		types = append(types, ct)
		if cparams["charset"] != "utf-8" {
			t.Errorf("%s charset %q", ct, cparams["charset"])
		}
		body, _ := io.ReadAll(p)
		for _, want := range []string{"482913", "Café Zoë", "10 minutes"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("%s part lacks %q:\n%s", ct, want, body)
			}
		}
	}
	if strings.Join(types, ",") != "text/plain,text/html" {
		t.Errorf("parts %v", types)
	}
}

func TestSMTPLoopbackAuthWithoutTLS(t *testing.T) {
	srv := smtptest.Start(t, "--auth", "mailer:pa:ss@wörd")
	m := mustMailer(t, SMTPConfig{URL: "smtp://mailer:pa%3Ass%40w%C3%B6rd@localhost:" + srv.Port})
	if err := m.Send(context.Background(), renderedMail(t, "ada@example.test")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := srv.Messages(t)
	if len(msgs) != 1 || !msgs[0].Authenticated || msgs[0].Login == nil || *msgs[0].Login != "mailer" {
		t.Fatalf("stored %+v", msgs)
	}
}

func TestSMTPSTARTTLSAndAuth(t *testing.T) {
	cert, key, pool := testCertificate(t, "mail.example.test")
	srv := smtptest.Start(t, "--starttls", cert, key, "--auth", "mailer:s3cret")
	m := mustMailer(t, SMTPConfig{
		URL:       "smtp://mailer:s3cret@mail.example.test:587",
		TLSConfig: &tls.Config{RootCAs: pool},
		dial:      dialTo(srv.Port),
	})
	if err := m.Send(context.Background(), renderedMail(t, "Ada Lovelace <ada@example.test>")); err != nil {
		t.Fatalf("Send: %v", err)
	}
	msgs := srv.Messages(t)
	if len(msgs) != 1 || !msgs[0].TLS || !msgs[0].Authenticated {
		t.Fatalf("stored %+v", msgs)
	}
	checkMessage(t, msgs[0].Raw)

	// The wrong password: an auth failure, retryable, that does not name it.
	m = mustMailer(t, SMTPConfig{
		URL:       "smtp://mailer:wrong-pass-42@mail.example.test:587",
		TLSConfig: &tls.Config{RootCAs: pool},
		dial:      dialTo(srv.Port),
	})
	err := m.Send(context.Background(), renderedMail(t, "ada@example.test"))
	var e *Error
	if !errors.As(err, &e) || e.Class != ClassAuth || !e.Retryable || e.Code != 535 {
		t.Fatalf("wrong password: %#v", err)
	}
	if strings.Contains(err.Error(), "wrong-pass-42") {
		t.Fatalf("the password is in the error: %v", err)
	}

	// A certificate for another name is refused.
	m = mustMailer(t, SMTPConfig{
		URL:       "smtp://mailer:s3cret@other.example.test:587",
		TLSConfig: &tls.Config{RootCAs: pool},
		dial:      dialTo(srv.Port),
	})
	if err := m.Send(context.Background(), renderedMail(t, "ada@example.test")); !errors.As(err, &e) || e.Class != ClassConnection {
		t.Fatalf("wrong certificate name: %v", err)
	}
	if n := len(srv.Messages(t)); n != 1 {
		t.Fatalf("%d messages stored, want 1", n)
	}
}

func TestSMTPRequiresSTARTTLSOffLoopback(t *testing.T) {
	srv := smtptest.Start(t, "--auth", "mailer:s3cret")
	for _, url := range []string{"smtp://mail.example.test:587", "smtp://mailer:s3cret@mail.example.test:587"} {
		m := mustMailer(t, SMTPConfig{URL: url, dial: dialTo(srv.Port)})
		err := m.Send(context.Background(), renderedMail(t, "ada@example.test"))
		var e *Error
		if !errors.As(err, &e) || e.Class != ClassNoSTARTTLS || !e.Retryable {
			t.Fatalf("%s: %v", url, err)
		}
		if strings.Contains(err.Error(), "s3cret") {
			t.Fatalf("the password is in the error: %v", err)
		}
	}
	if n := len(srv.Messages(t)); n != 0 {
		t.Fatalf("%d messages went out in clear", n)
	}
}

func TestSMTPReplyClasses(t *testing.T) {
	srv := smtptest.Start(t)
	m := mustMailer(t, SMTPConfig{URL: "smtp://127.0.0.1:" + srv.Port})
	tests := []struct {
		to        string
		class     string
		retryable bool
	}{
		{"unknown@example.test", "smtp_550", false},
		{"busy@example.test", "smtp_451", true},
	}
	for _, tt := range tests {
		err := m.Send(context.Background(), renderedMail(t, tt.to))
		var e *Error
		if !errors.As(err, &e) || e.Class != tt.class || e.Retryable != tt.retryable || Retryable(err) != tt.retryable {
			t.Errorf("%s: %#v", tt.to, err)
		}
	}
}

func TestSMTPConnectionFailures(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	// A server that accepts and never greets: the send timeout ends it.
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	_, port, _ := net.SplitHostPort(l.Addr().String())
	m := mustMailer(t, SMTPConfig{URL: "smtp://127.0.0.1:" + port, SendTimeout: 300 * time.Millisecond})
	start := time.Now()
	err = m.Send(context.Background(), renderedMail(t, "ada@example.test"))
	var e *Error
	if !errors.As(err, &e) || e.Class != ClassTimeout || !e.Retryable {
		t.Fatalf("silent server: %v", err)
	}
	if d := time.Since(start); d > 3*time.Second {
		t.Fatalf("released after %v", d)
	}

	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(100*time.Millisecond, cancel)
	m = mustMailer(t, SMTPConfig{URL: "smtp://127.0.0.1:" + port})
	if err := m.Send(ctx, renderedMail(t, "ada@example.test")); !errors.As(err, &e) || e.Class != ClassCanceled {
		t.Fatalf("canceled: %v", err)
	}

	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	_, port, _ = net.SplitHostPort(closed.Addr().String())
	closed.Close()
	m = mustMailer(t, SMTPConfig{URL: "smtp://127.0.0.1:" + port})
	if err := m.Send(context.Background(), renderedMail(t, "ada@example.test")); !errors.As(err, &e) || e.Class != ClassConnection || !e.Retryable {
		t.Fatalf("refused: %v", err)
	}
}

func TestNewSMTPMailerErrors(t *testing.T) {
	tests := []string{
		"smtp://user:hunter2@mail.example.test:99999",
		"smtp://user:hunter2@:587",
		"http://user:hunter2@mail.example.test",
		"smtp://user:hunter2@mail.example.test:58%7",
		"smtp://user:hunter2@[::1",
	}
	for _, url := range tests {
		_, err := NewSMTPMailer(SMTPConfig{URL: url, From: "no-reply@example.test"})
		if err == nil {
			t.Errorf("%s accepted", url)
		} else if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("the password is in the error: %v", err)
		}
	}
	if _, err := NewSMTPMailer(SMTPConfig{URL: "smtp://mail.example.test", From: "not an address"}); err == nil {
		t.Error("a bad From accepted")
	}
	m, err := NewSMTPMailer(SMTPConfig{URL: "smtps://mail.example.test", From: "no-reply@example.test"})
	if err != nil || m.port != "465" || !m.implicitTLS {
		t.Errorf("smtps default: %+v, %v", m, err)
	}
	m, err = NewSMTPMailer(SMTPConfig{URL: "smtp://mail.example.test", From: "no-reply@example.test"})
	if err != nil || m.port != "587" || m.implicitTLS {
		t.Errorf("smtp default: %+v, %v", m, err)
	}
}

func TestPlaintextAllowed(t *testing.T) {
	tests := map[string]bool{
		"localhost":         true,
		"LOCALHOST.":        true,
		"127.0.0.1":         true,
		"127.1.2.3":         true,
		"::1":               true,
		"::ffff:127.0.0.1":  true,
		"mail.example.test": false,
		"localhost.evil":    false,
		"10.0.0.1":          false,
		"192.168.1.10":      false,
		"0.0.0.0":           false,
		"::":                false,
	}
	for host, want := range tests {
		if got := plaintextAllowed(host); got != want {
			t.Errorf("plaintextAllowed(%q) = %v", host, got)
		}
	}
}

// testCertificate writes a self-signed certificate for name and returns the
// certificate and key files and a pool that trusts it.
func testCertificate(t *testing.T, name string) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: name},
		DNSNames:              []string{name},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	if err := os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600); err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
