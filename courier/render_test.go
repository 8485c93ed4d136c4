package courier

import (
	"strings"
	"testing"
	"time"
)

func TestRenderEveryKind(t *testing.T) {
	data := map[string]any{
		"name": "Zoë", "code": "123456", "link": "https://acme.example/r?t=abc", "expires_in_minutes": 15.0,
		"title": "Password changed", "description": "Your password was changed.", "severity": "high",
		"device": "Firefox on Linux", "ip": "203.0.113.9", "location": "Lyon, FR",
		"time": time.Date(2026, 3, 1, 9, 30, 0, 0, time.UTC), "subject": "Maintenance", "body": "We will be down.",
	}
	brand := Brand{Name: "Acme", Deployment: "Rampart Cloud"}
	for _, kind := range Kinds() {
		subject, text, html, err := Render(kind, data, brand)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if subject == "" || strings.ContainsAny(subject, "\r\n") {
			t.Errorf("%s: subject %q", kind, subject)
		}
		for _, part := range []string{text, html} {
			for _, want := range []string{"Acme", "Rampart Cloud"} {
				if !strings.Contains(part, want) {
					t.Errorf("%s: %q missing from\n%s", kind, want, part)
				}
			}
		}
		if !strings.HasPrefix(html, "<!DOCTYPE html>") {
			t.Errorf("%s: HTML does not start with a doctype", kind)
		}
		if strings.Contains(text+html, "<no value>") {
			t.Errorf("%s: a missing key printed", kind)
		}
	}
	subject, text, _, _ := Render(KindSecurityAlert, data, brand)
	if subject != "[HIGH] Acme security alert: Password changed" || !strings.Contains(text, "Sun, 1 Mar 2026 09:30 UTC") {
		t.Errorf("security_alert: %q\n%s", subject, text)
	}
}

func TestRenderBrandDefaults(t *testing.T) {
	subject, text, _, err := Render(KindOTPCode, map[string]any{"code": "1"}, Brand{})
	if err != nil || subject != "Your Rampart code: 1" || strings.Contains(text, "sent by") {
		t.Fatalf("%q %v\n%s", subject, err, text)
	}
	_, text, _, _ = Render(KindOTPCode, map[string]any{"code": "1"}, Brand{Deployment: "Keep"})
	if !strings.Contains(text, "Your one-time Keep code") {
		t.Fatalf("deployment as brand:\n%s", text)
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		kind string
		data map[string]any
	}{
		{"nope", map[string]any{}},
		{KindOTPCode, map[string]any{}},
		{KindOTPCode, map[string]any{"code": "  "}},
		{KindPasswordReset, map[string]any{"expires_in_minutes": 5}},
		{KindSecurityAlert, map[string]any{"title": "t", "description": "d"}},
		{KindGeneric, map[string]any{"subject": "s"}},
	}
	for _, tt := range tests {
		_, _, _, err := Render(tt.kind, tt.data, Brand{})
		if err == nil || Retryable(err) {
			t.Errorf("Render(%s, %v) = %v, want a permanent error", tt.kind, tt.data, err)
		}
	}
	if _, err := RenderSMS(KindEmailVerification, map[string]any{"code": "1"}, Brand{}); err == nil {
		t.Error("email_verification has an SMS form")
	}
}

func TestRenderEscapesHTML(t *testing.T) {
	evil := `<script>alert(1)</script>"onload=x`
	data := map[string]any{"subject": "Hi\r\nBcc: victim@example.test", "body": evil + "\n\nsecond", "name": evil}
	subject, text, html, err := Render(KindGeneric, data, Brand{Name: `<b>Acme</b>`})
	if err != nil {
		t.Fatal(err)
	}
	if subject != "Hi Bcc: victim@example.test" {
		t.Errorf("subject %q", subject)
	}
	if strings.Contains(html, "<script>") || strings.Contains(html, "<b>Acme</b>") {
		t.Errorf("unescaped HTML:\n%s", html)
	}
	if !strings.Contains(html, "&lt;script&gt;") || !strings.Contains(html, "<p>second</p>") {
		t.Errorf("paragraphs:\n%s", html)
	}
	if !strings.Contains(text, evil) {
		t.Errorf("the text part is plain text and keeps the characters:\n%s", text)
	}
	_, _, html, _ = Render(KindPasswordReset, map[string]any{"link": "javascript:alert(1)"}, Brand{})
	if strings.Contains(html, `href="javascript:`) {
		t.Errorf("a javascript: link went through:\n%s", html)
	}
}

func TestRenderSMS(t *testing.T) {
	got, err := RenderSMS(KindOTPCode, map[string]any{"code": "482913", "expires_in_minutes": 5, "purpose": "sign in"}, Brand{Name: "Acme"})
	if err != nil || got != "482913 is your Acme code to sign in (valid 5 min). Never share it." {
		t.Fatalf("%q %v", got, err)
	}
	for _, kind := range []string{KindPasswordReset, KindSecurityAlert, KindNewDeviceLogin, KindGeneric} {
		data := map[string]any{"code": "1", "title": "t", "description": "d", "severity": "low", "subject": "s", "body": "b"}
		if s, err := RenderSMS(kind, data, Brand{}); err != nil || s == "" {
			t.Errorf("%s: %q %v", kind, s, err)
		}
	}
}

func TestRenderInvitation(t *testing.T) {
	data := map[string]any{"link": "https://acme.example/v1/auth/invitations/accept?token=rlt_x", "expires_in_hours": 72, "role": "member"}
	subject, text, html, err := Render(KindInvitation, data, Brand{Name: "Acme"})
	if err != nil {
		t.Fatal(err)
	}
	if subject != "You are invited to Acme" {
		t.Errorf("subject %q", subject)
	}
	for _, part := range []string{text, html} {
		for _, want := range []string{"rlt_x", "72 hours", "as member"} {
			if !strings.Contains(part, want) {
				t.Errorf("%q missing from\n%s", want, part)
			}
		}
	}
	if _, _, _, err := Render(KindInvitation, map[string]any{"role": "member"}, Brand{}); err == nil {
		t.Error("an invitation without a link rendered")
	}
}

func TestOneLine(t *testing.T) {
	long := strings.Repeat("é", 300)
	if got := oneLine(long, 10); len([]rune(got)) != 10 || !strings.HasSuffix(got, "…") {
		t.Errorf("oneLine = %q", got)
	}
	if got := oneLine(" a\tb\r\n c\u2028d ", 100); got != "a b c d" {
		t.Errorf("oneLine = %q", got)
	}
}

func FuzzRender(f *testing.F) {
	f.Add("generic", "subject", "body")
	f.Add("otp_code", "<x>", "\r\n")
	f.Fuzz(func(t *testing.T, kind, a, b string) {
		subject, _, _, err := Render(kind, map[string]any{"subject": a, "body": b, "code": a, "title": a, "description": b, "severity": a}, Brand{Name: b})
		if err == nil && strings.ContainsAny(subject, "\r\n") {
			t.Fatalf("subject with a line break: %q", subject)
		}
	})
}
