package main

import (
	"testing"
	"time"
)

// TestUserNotices: a user's first sign-in is not news; one from a new
// address is, by e-mail with a "this wasn't me" link, once per ten minutes
// however many follow; a password change is too. The link's page consumes
// nothing; POSTing it ends every session (the access tokens already issued
// stop working) and e-mails a password reset; it works once.
func TestUserNotices(t *testing.T) {
	ts := start(t, monitorEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	ts.member(t, owner, "acme", "user@acme.io", "member") // signs in from 127.0.0.1
	const to = "user@acme.io"
	first := ts.loginAs(t, "198.51.100.10", "acme", to, "An0ther-Str0ng-One")
	text := ts.sent(t, to, "new_device_login", 1)
	ts.loginAs(t, "198.51.100.11", "acme", to, "An0ther-Str0ng-One") // within the interval: no second e-mail
	time.Sleep(1500 * time.Millisecond)
	if n := ts.sentCount(t, to, "new_device_login"); n != 1 {
		t.Errorf("%d new_device_login e-mails, want 1", n)
	}
	m := linkTokenRE.FindStringSubmatch(text)
	if m == nil {
		t.Fatalf("no link in %q", text)
	}
	tok := m[1]
	if code, page := ts.getPage(t, "/v1/auth/not-me?token="+tok); code != 200 || len(page) == 0 {
		t.Fatalf("page: %d", code)
	}
	if got := ts.status(t, "GET", "/v1/me", first, nil); got != 200 {
		t.Fatalf("before: %d", got)
	}
	resp, body := ts.do(t, "POST", "/v1/auth/not-me", "", map[string]any{"token": tok})
	if resp.StatusCode != 200 {
		t.Fatalf("not me: %d %v", resp.StatusCode, body)
	}
	if got := ts.status(t, "GET", "/v1/me", first, nil); got != 401 {
		t.Errorf("token after not-me: %d", got)
	}
	ts.sent(t, to, "password_reset", 1)
	if resp, body := ts.do(t, "POST", "/v1/auth/not-me", "", map[string]any{"token": tok}); resp.StatusCode != 400 {
		t.Errorf("second use: %d %v", resp.StatusCode, body)
	}
	// A password change is told too; until then the account's tokens reach
	// only its password routes.
	access := ts.loginAs(t, "198.51.100.10", "acme", to, "An0ther-Str0ng-One")
	if r, b := ts.do(t, "GET", "/v1/sessions", access, nil); r.StatusCode != 403 || b["code"] != "password_change_required" {
		t.Fatalf("after not-me, before a new password: %d %v", r.StatusCode, b)
	}
	if r, b := ts.do(t, "POST", "/v1/me/password", access, map[string]any{"current_password": "An0ther-Str0ng-One", "new_password": "Yet-An0ther-Str0ng-One"}); r.StatusCode >= 300 {
		t.Fatalf("change password: %d %v", r.StatusCode, b)
	}
	if text := ts.sent(t, to, "security_alert", 1); !linkTokenRE.MatchString(text) {
		t.Errorf("security alert without a link: %q", text)
	}
}

// TestUserNoticesOlderLinkStaysLive: a newer security e-mail does not
// cancel the "this wasn't me" link of an older one (else whoever it wasn't
// could cancel the owner's link by causing another notice); using one link
// retires the others.
func TestUserNoticesOlderLinkStaysLive(t *testing.T) {
	ts := start(t, monitorEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	ts.member(t, owner, "acme", "user@acme.io", "member")
	const to = "user@acme.io"
	access := ts.loginAs(t, "198.51.100.10", "acme", to, "An0ther-Str0ng-One")
	older := linkTokenRE.FindStringSubmatch(ts.sent(t, to, "new_device_login", 1))
	if r, b := ts.do(t, "POST", "/v1/me/password", access, map[string]any{"current_password": "An0ther-Str0ng-One", "new_password": "Yet-An0ther-Str0ng-One"}); r.StatusCode >= 300 {
		t.Fatalf("change password: %d %v", r.StatusCode, b)
	}
	newer := linkTokenRE.FindStringSubmatch(ts.sent(t, to, "security_alert", 1))
	if older == nil || newer == nil || older[1] == newer[1] {
		t.Fatalf("links %v %v", older, newer)
	}
	if resp, body := ts.do(t, "POST", "/v1/auth/not-me", "", map[string]any{"token": older[1]}); resp.StatusCode != 200 {
		t.Fatalf("the older link after a newer e-mail: %d %v", resp.StatusCode, body)
	}
	if resp, body := ts.do(t, "POST", "/v1/auth/not-me", "", map[string]any{"token": newer[1]}); resp.StatusCode != 400 {
		t.Fatalf("the newer link after the older was used: %d %v", resp.StatusCode, body)
	}
}
