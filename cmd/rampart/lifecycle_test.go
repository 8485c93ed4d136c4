package main

import (
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

const newPassword = "N3w-Passw0rd!xyz"

var (
	linkTokenRE = regexp.MustCompile(`token=(rlt_[A-Za-z0-9_-]+)`)
	codeRE      = regexp.MustCompile(`\b(\d{6,8})\b`)
)

// sent waits for the development sink to hold n messages of kind for to,
// and returns the newest one's text.
func (ts *testServer) sent(t *testing.T, to, kind string, n int) string {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		resp, b := ts.do(t, "GET", "/v1/dev/outbox?to="+url.QueryEscape(to), testOperatorToken, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("dev outbox: %d %v", resp.StatusCode, b)
		}
		var texts []string
		for _, m := range b["messages"].([]any) {
			m := m.(map[string]any)
			if m["kind"] == kind {
				texts = append(texts, m["text"].(string))
			}
		}
		if len(texts) >= n {
			return texts[len(texts)-1]
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d %s messages to %s, want %d: %v", len(texts), kind, to, n, b)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// sentCount is how many messages of kind the sink holds for to now.
func (ts *testServer) sentCount(t *testing.T, to, kind string) int {
	t.Helper()
	_, b := ts.do(t, "GET", "/v1/dev/outbox?to="+url.QueryEscape(to), testOperatorToken, nil)
	n := 0
	for _, m := range b["messages"].([]any) {
		if m.(map[string]any)["kind"] == kind {
			n++
		}
	}
	return n
}

func linkAndCode(t *testing.T, text string) (token, code string) {
	t.Helper()
	m := linkTokenRE.FindStringSubmatch(text)
	c := codeRE.FindStringSubmatch(strings.ReplaceAll(text, m[0], ""))
	if m == nil || c == nil {
		t.Fatalf("no link or code in %q", text)
	}
	return m[1], c[1]
}

// getPage opens a link's page as a browser (or a mail scanner) would.
func (ts *testServer) getPage(t *testing.T, path string) (int, string) {
	t.Helper()
	resp, err := http.Get(ts.URL + path)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestPasswordResetEndToEnd: a reset for a known and an unknown address
// answers alike and mails only the known one; the link's page consumes
// nothing; the link works once, ends every session and refresh token, and
// the code path works too. Wrong, used and foreign tokens are one 400.
func TestPasswordResetEndToEnd(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		access, refresh := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)

		r1, known := ts.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"tenant": "acme", "email": "owner@acme.io"})
		r2, unknown := ts.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"tenant": "acme", "email": "nobody@acme.io"})
		if r1.StatusCode != 202 || r2.StatusCode != 202 || known["detail"] != unknown["detail"] || known["status"] != unknown["status"] {
			t.Fatalf("known %d %v, unknown %d %v", r1.StatusCode, known, r2.StatusCode, unknown)
		}
		resp, b := ts.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"tenant": "acme", "email": "not-an-address"})
		assertProblem(t, resp, b, 422)
		if b["field"] != "email" {
			t.Fatalf("malformed email: %v", b)
		}
		token, _ := linkAndCode(t, ts.sent(t, "owner@acme.io", "password_reset", 1))

		// The page renders twice: opening the link consumes nothing.
		for range 2 {
			if st, body := ts.getPage(t, "/v1/auth/password-reset/confirm?token="+token); st != 200 || !strings.Contains(body, `name="new_password"`) {
				t.Fatalf("reset page: %d %s", st, body)
			}
		}
		if st, _ := ts.getPage(t, "/v1/auth/password-reset/confirm?token=rlt_nope"); st != 400 {
			t.Fatalf("page of a bad token: %d", st)
		}
		resp, b = ts.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "new_password": "short"})
		assertProblem(t, resp, b, 422)
		resp, b = ts.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "new_password": newPassword})
		if resp.StatusCode != 200 {
			t.Fatalf("confirm: %d %v", resp.StatusCode, b)
		}
		resp, used := ts.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "new_password": newPassword + "1"})
		assertProblem(t, resp, used, 400)
		resp, bogus := ts.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": "rlt_" + strings.Repeat("A", 64), "new_password": newPassword})
		assertProblem(t, resp, bogus, 400)
		if used["detail"] != bogus["detail"] || used["field"] != bogus["field"] {
			t.Fatalf("used %v and foreign %v differ", used, bogus)
		}
		if st := ts.status(t, "GET", "/v1/me", access, nil); st != 401 {
			t.Fatalf("old access token after reset: %d", st)
		}
		if st := ts.status(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}); st != 401 {
			t.Fatalf("old refresh token after reset: %d", st)
		}
		if r, _ := ts.login(t, "acme", "owner@acme.io", ownerPassword); r.StatusCode != 401 {
			t.Fatalf("old password: %d", r.StatusCode)
		}
		ts.mustLogin(t, "acme", "owner@acme.io", newPassword)
		ts.sent(t, "owner@acme.io", "security_alert", 1)
		if n := ts.sentCount(t, "nobody@acme.io", "password_reset"); n != 0 {
			t.Fatalf("%d messages to an unknown address", n)
		}

		// By code: a wrong code is the same 400; the right one works once.
		ts.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"tenant": "acme", "email": "owner@acme.io"})
		_, code := linkAndCode(t, ts.sent(t, "owner@acme.io", "password_reset", 2))
		wrong := "000000"
		if code == wrong {
			wrong = "111111"
		}
		byCode := func(c string) (*http.Response, map[string]any) {
			return ts.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"tenant": "acme", "email": "owner@acme.io", "code": c, "new_password": ownerPassword})
		}
		resp, b = byCode(wrong)
		assertProblem(t, resp, b, 400)
		if resp, b = byCode(code); resp.StatusCode != 200 {
			t.Fatalf("confirm by code: %d %v", resp.StatusCode, b)
		}
		resp, b = byCode(code)
		assertProblem(t, resp, b, 400)
		ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	})
}

// TestEmailVerification: the link's page consumes nothing, the link works
// once, /v1/me says so, and asking again is a conflict.
func TestEmailVerification(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	if _, me := ts.do(t, "GET", "/v1/me", access, nil); me["email_verified"] != false {
		t.Fatalf("me before: %v", me)
	}
	if r, b := ts.do(t, "POST", "/v1/me/email/verify", access, nil); r.StatusCode != 202 {
		t.Fatalf("send: %d %v", r.StatusCode, b)
	}
	token := linkTokenRE.FindStringSubmatch(ts.sent(t, "owner@acme.io", "email_verification", 1))[1]
	for range 2 {
		if st, body := ts.getPage(t, "/v1/auth/email/verify?token="+token); st != 200 || !strings.Contains(body, "<form") {
			t.Fatalf("page: %d %s", st, body)
		}
	}
	resp, b := ts.do(t, "POST", "/v1/auth/email/verify", "", map[string]any{"token": "rlt_" + strings.Repeat("B", 64)})
	assertProblem(t, resp, b, 400)
	if r, b := ts.do(t, "POST", "/v1/auth/email/verify", "", map[string]any{"token": token}); r.StatusCode != 200 {
		t.Fatalf("verify: %d %v", r.StatusCode, b)
	}
	resp, b = ts.do(t, "POST", "/v1/auth/email/verify", "", map[string]any{"token": token})
	assertProblem(t, resp, b, 400)
	if _, me := ts.do(t, "GET", "/v1/me", access, nil); me["email_verified"] != true {
		t.Fatalf("me after: %v", me)
	}
	resp, b = ts.do(t, "POST", "/v1/me/email/verify", access, nil)
	assertProblem(t, resp, b, 409)
}

// TestInvitation: a user created without a password is invited, cannot
// log in, and becomes active with the link's password, once.
func TestInvitation(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	resp, u := ts.do(t, "POST", "/v1/users", owner, map[string]any{"email": "new@acme.io", "role": "member"})
	if resp.StatusCode != 201 || u["status"] != "invited" {
		t.Fatalf("invite: %d %v", resp.StatusCode, u)
	}
	// Nobody invites above their own role.
	_, admin := ts.member(t, owner, "acme", "admin@acme.io", "admin")
	if st := ts.status(t, "POST", "/v1/users", admin, map[string]any{"email": "boss@acme.io", "role": "owner"}); st != 403 {
		t.Fatalf("invite above one's role: %d", st)
	}
	if r, _ := ts.login(t, "acme", "new@acme.io", ""); r.StatusCode != 400 && r.StatusCode != 401 {
		t.Fatalf("login of an invited user: %d", r.StatusCode)
	}
	token := linkTokenRE.FindStringSubmatch(ts.sent(t, "new@acme.io", "invitation", 1))[1]
	if st, body := ts.getPage(t, "/v1/auth/invitations/accept?token="+token); st != 200 || !strings.Contains(body, `name="password"`) {
		t.Fatalf("page: %d %s", st, body)
	}
	resp, b := ts.do(t, "POST", "/v1/auth/invitations/accept", "", map[string]any{"token": token, "password": "weak"})
	assertProblem(t, resp, b, 422)
	if r, b := ts.do(t, "POST", "/v1/auth/invitations/accept", "", map[string]any{"token": token, "password": newPassword}); r.StatusCode != 200 {
		t.Fatalf("accept: %d %v", r.StatusCode, b)
	}
	resp, b = ts.do(t, "POST", "/v1/auth/invitations/accept", "", map[string]any{"token": token, "password": newPassword})
	assertProblem(t, resp, b, 400)
	access, _ := ts.mustLogin(t, "acme", "new@acme.io", newPassword)
	if _, me := ts.do(t, "GET", "/v1/me", access, nil); me["email_verified"] != true || me["role"] != "member" {
		t.Fatalf("me: %v", me)
	}
}

// TestCodesAsSecondFactors: a user enrols e-mail and SMS codes; login then
// lists them, sends a code by either and accepts it once; a tenant that
// forbids SMS neither lists nor sends SMS codes.
func TestCodesAsSecondFactors(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	const phone = "+12024560101"

	if r, b := ts.do(t, "POST", "/v1/me/mfa/email", access, nil); r.StatusCode != 202 {
		t.Fatalf("enrol email: %d %v", r.StatusCode, b)
	}
	code := codeRE.FindStringSubmatch(ts.sent(t, "owner@acme.io", "otp_code", 1))[1]
	if r, b := ts.do(t, "POST", "/v1/me/mfa/email/confirm", access, map[string]any{"code": code}); r.StatusCode != 200 {
		t.Fatalf("confirm email: %d %v", r.StatusCode, b)
	}
	resp, b := ts.do(t, "POST", "/v1/me/mfa/sms", access, map[string]any{"phone": "12"})
	assertProblem(t, resp, b, 422)
	if b["field"] != "phone" {
		t.Fatalf("malformed phone: %v", b)
	}
	if r, b := ts.do(t, "POST", "/v1/me/mfa/sms", access, map[string]any{"phone": phone}); r.StatusCode != 202 {
		t.Fatalf("enrol sms: %d %v", r.StatusCode, b)
	}
	code = codeRE.FindStringSubmatch(ts.sent(t, phone, "otp_code", 1))[1]
	if r, b := ts.do(t, "POST", "/v1/me/mfa/sms/confirm", access, map[string]any{"code": code}); r.StatusCode != 200 {
		t.Fatalf("confirm sms: %d %v", r.StatusCode, b)
	}

	for _, method := range []string{"email", "sms"} {
		resp, ch := ts.login(t, "acme", "owner@acme.io", ownerPassword)
		methods := fmt.Sprint(ch["methods"])
		if resp.StatusCode != 200 || ch["mfa_required"] != true || !strings.Contains(methods, "email") || !strings.Contains(methods, "sms") {
			t.Fatalf("login: %d %v", resp.StatusCode, ch)
		}
		token := ch["mfa_token"].(string)
		if r, b := ts.do(t, "POST", "/v1/auth/mfa/send", "", map[string]any{"mfa_token": token, "method": method}); r.StatusCode != 202 {
			t.Fatalf("send %s: %d %v", method, r.StatusCode, b)
		}
		to := map[string]string{"email": "owner@acme.io", "sms": phone}[method]
		code := codeRE.FindStringSubmatch(ts.sent(t, to, "otp_code", 2))[1]
		resp, b := ts.do(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": token, "code": code})
		if resp.StatusCode != 200 || b["mfa_verified"] != true {
			t.Fatalf("complete with %s code: %d %v", method, resp.StatusCode, b)
		}
		resp, _ = ts.do(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": token, "code": code})
		if resp.StatusCode != 401 {
			t.Fatalf("the %s code twice: %d", method, resp.StatusCode)
		}
	}

	// The tenant forbids SMS: no longer listed, nor sent.
	owner, _ := ts.mustLoginMFA(t, "acme", "owner@acme.io", ownerPassword, "owner@acme.io", 3)
	if r, b := ts.do(t, "PATCH", "/v1/tenant/settings", owner, map[string]any{"forbid_sms": true}); r.StatusCode != 200 {
		t.Fatalf("forbid sms: %d %v", r.StatusCode, b)
	}
	_, ch := ts.login(t, "acme", "owner@acme.io", ownerPassword)
	if strings.Contains(fmt.Sprint(ch["methods"]), "sms") {
		t.Fatalf("sms listed in a tenant that forbids it: %v", ch)
	}
	resp, b = ts.do(t, "POST", "/v1/auth/mfa/send", "", map[string]any{"mfa_token": ch["mfa_token"], "method": "sms"})
	assertProblem(t, resp, b, 403)
}

// TestResetNotifiesTheOtherChannel: a reset (which came by e-mail) is
// told by SMS to a user with a confirmed number, and by e-mail to one
// without.
func TestResetNotifiesTheOtherChannel(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	ts.member(t, owner, "acme", "plain@acme.io", "member")
	const phone = "+12024560177"
	if r, b := ts.do(t, "POST", "/v1/me/mfa/sms", owner, map[string]any{"phone": phone}); r.StatusCode != 202 {
		t.Fatalf("enrol sms: %d %v", r.StatusCode, b)
	}
	code := codeRE.FindStringSubmatch(ts.sent(t, phone, "otp_code", 1))[1]
	if r, b := ts.do(t, "POST", "/v1/me/mfa/sms/confirm", owner, map[string]any{"code": code}); r.StatusCode != 200 {
		t.Fatalf("confirm sms: %d %v", r.StatusCode, b)
	}
	for _, email := range []string{"owner@acme.io", "plain@acme.io"} {
		ts.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"tenant": "acme", "email": email})
		token, _ := linkAndCode(t, ts.sent(t, email, "password_reset", 1))
		if r, b := ts.do(t, "POST", "/v1/auth/password-reset/confirm", "", map[string]any{"token": token, "new_password": newPassword}); r.StatusCode != 200 {
			t.Fatalf("confirm %s: %d %v", email, r.StatusCode, b)
		}
	}
	if text := ts.sent(t, phone, "security_alert", 1); !strings.Contains(text, "Your password was reset") {
		t.Fatalf("SMS: %q", text)
	}
	ts.sent(t, "plain@acme.io", "security_alert", 1)
	if n := ts.sentCount(t, "owner@acme.io", "security_alert"); n != 0 {
		t.Fatalf("%d e-mail alerts to a user with a confirmed number", n)
	}
}

// mustLoginMFA logs in a user with the e-mail factor: the n-th otp_code
// message to email completes it.
func (ts *testServer) mustLoginMFA(t *testing.T, tenant, email, password, to string, n int) (string, string) {
	t.Helper()
	_, ch := ts.login(t, tenant, email, password)
	token := ch["mfa_token"].(string)
	if r, b := ts.do(t, "POST", "/v1/auth/mfa/send", "", map[string]any{"mfa_token": token, "method": "email"}); r.StatusCode != 202 {
		t.Fatalf("send: %d %v", r.StatusCode, b)
	}
	code := codeRE.FindStringSubmatch(ts.sent(t, to, "otp_code", n))[1]
	resp, b := ts.do(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": token, "code": code})
	if resp.StatusCode != 200 {
		t.Fatalf("mfa: %d %v", resp.StatusCode, b)
	}
	return b["access_token"].(string), b["refresh_token"].(string)
}

// TestSendLimits: with the limits on, a script asking for SMS codes for
// 1,000 different numbers from one address gets at most 20 sent; a second
// reset within a minute for one address answers 202 and sends nothing.
func TestSendLimits(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_SEND_LIMITS"] = "on"
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	accepted := 0
	for i := range 1000 {
		resp, b := ts.do(t, "POST", "/v1/me/mfa/sms", access, map[string]any{"phone": fmt.Sprintf("+1202%07d", 4560000+i)})
		switch resp.StatusCode {
		case 202:
			accepted++
		case 429:
		default:
			t.Fatalf("number %d: %d %v", i, resp.StatusCode, b)
		}
	}
	_, dl := ts.do(t, "GET", "/v1/deliveries?limit=500", access, nil)
	sms := 0
	for _, d := range dl["deliveries"].([]any) {
		if d.(map[string]any)["channel"] == "sms" {
			sms++
		}
	}
	if accepted > 20 || sms > 20 || accepted == 0 {
		t.Fatalf("%d requests accepted and %d SMS queued for 1,000 numbers from one address; want 1 to 20", accepted, sms)
	}
	t.Logf("1,000 numbers from one address: %d accepted, %d SMS queued", accepted, sms)

	for range 2 {
		if r, _ := ts.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"tenant": "acme", "email": "x@acme.io"}); r.StatusCode != 202 {
			t.Fatalf("reset request over the limits: %d", r.StatusCode)
		}
	}
}
