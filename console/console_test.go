package console

import (
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/auth"
)

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{
		"/console/users?role=admin": "/console/users?role=admin",
		"":                          "/console/",
		"https://evil.example/":     "/console/",
		"//evil.example/console/":   "/console/",
		"/console/\\evil":           "/console/",
		"/v1/users":                 "/console/",
	} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestFactorOf(t *testing.T) {
	for in, want := range map[string]auth.Factor{
		"123456":    {Code: "123456"},
		" 123 456 ": {Code: "123456"},
		"ABCD-EFGH": {BackupCode: "ABCD-EFGH"},
		"abcdefgh":  {BackupCode: "abcdefgh"},
	} {
		if got := factorOf(in); got != want {
			t.Errorf("factorOf(%q) = %+v, want %+v", in, got, want)
		}
	}
}

func TestCSRF(t *testing.T) {
	s := &session{csrf: "token-of-the-session"}
	post := func(form url.Values) bool {
		r := httptest.NewRequest("POST", "/console/users/bulk", strings.NewReader(form.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		return checkCSRF(r, s)
	}
	if !post(url.Values{"csrf": {"token-of-the-session"}}) {
		t.Fatal("the session's token is refused")
	}
	for _, bad := range []url.Values{{}, {"csrf": {""}}, {"csrf": {"token-of-the-sessio"}}, {"csrf": {"another"}}} {
		if post(bad) {
			t.Fatalf("%v accepted", bad)
		}
	}
	// Before a session, the sign-in form's token is bound to its cookie.
	c := &Console{preKey: []byte("k"), sessions: newSessions(time.Now)}
	w := httptest.NewRecorder()
	r := httptest.NewRequest("GET", "http://localhost/console/signin", nil)
	tok := c.preToken(w, r)
	ck := w.Result().Cookies()[0]
	if ck.Name != "__Host-rampart_console" || !ck.Secure || !ck.HttpOnly {
		t.Fatalf("cookie %+v", ck)
	}
	form := func(cookie, token string) bool {
		r := httptest.NewRequest("POST", "http://localhost/console/signin", strings.NewReader(url.Values{"csrf": {token}}.Encode()))
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if cookie != "" {
			r.Header.Set("Cookie", ck.Name+"="+cookie)
		}
		return c.checkPreToken(r)
	}
	if !form(ck.Value, tok) || form("", tok) || form("other", tok) || form(ck.Value, tok+"x") {
		t.Fatal("the sign-in form's token is not bound to its cookie")
	}
	// Plain HTTP away from loopback: no Secure, so no __Host- prefix.
	w = httptest.NewRecorder()
	c.preToken(w, httptest.NewRequest("GET", "http://console.internal/console/signin", nil))
	if ck := w.Result().Cookies()[0]; ck.Name != "rampart_console" || ck.Secure {
		t.Fatalf("plain-HTTP cookie %+v", ck)
	}
}
