package main

import (
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
)

// browser is a console client: one cookie, no redirects followed.
type browser struct {
	t      testing.TB
	ts     *testServer
	cookie *http.Cookie
	csrf   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (ts *testServer) browser(t testing.TB) *browser { return &browser{t: t, ts: ts} }

func (b *browser) send(method, path string, form url.Values) (*http.Response, string) {
	b.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, _ := http.NewRequest(method, b.ts.URL+path, body)
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if b.cookie != nil {
		req.AddCookie(b.cookie)
	}
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	for _, ck := range resp.Cookies() {
		if strings.HasSuffix(ck.Name, "rampart_console") {
			if ck.MaxAge < 0 {
				b.cookie = nil
			} else {
				b.cookie = ck
			}
		}
	}
	page := string(raw)
	if m := csrfField.FindStringSubmatch(page); m != nil {
		b.csrf = m[1]
	}
	return resp, page
}

func (b *browser) get(path string) (*http.Response, string) { return b.send("GET", path, nil) }

// post sends a form with the last page's CSRF token (unless it has one).
func (b *browser) post(path string, form url.Values) (*http.Response, string) {
	if form == nil {
		form = url.Values{}
	}
	if _, ok := form["csrf"]; !ok {
		form.Set("csrf", b.csrf)
	}
	return b.send("POST", path, form)
}

func (b *browser) signIn(tenant, email, password string) *http.Response {
	b.t.Helper()
	b.get("/console/signin")
	resp, _ := b.post("/console/signin", url.Values{"mode": {"tenant"}, "tenant": {tenant}, "email": {email}, "password": {password}})
	return resp
}

func wantPage(t *testing.T, resp *http.Response, page string, status int, contains ...string) {
	t.Helper()
	if resp.StatusCode != status {
		t.Fatalf("status %d, want %d:\n%s", resp.StatusCode, status, page)
	}
	for _, s := range contains {
		if !strings.Contains(page, s) {
			t.Fatalf("page lacks %q:\n%s", s, page)
		}
	}
	if strings.Contains(page, "goroutine") || strings.Contains(page, ".go:") {
		t.Fatalf("page shows internals:\n%s", page)
	}
}

func TestConsoleSignInAndPages(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		aID, _ := ts.member(t, owner, "acme", "a@acme.io", "member")
		bID, _ := ts.member(t, owner, "acme", "b@acme.io", "member")
		ts.member(t, owner, "acme", "viewer@acme.io", "viewer")

		b := ts.browser(t)
		resp, page := b.get("/console/signin")
		wantPage(t, resp, page, 200, `<label for="tenant">`)
		if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe") {
			t.Fatalf("CSP %q", csp)
		}
		ck := b.cookie
		if ck == nil || ck.Name != "__Host-rampart_console" || !ck.Secure || !ck.HttpOnly || ck.SameSite != http.SameSiteStrictMode || ck.Path != "/" {
			t.Fatalf("cookie %+v", ck)
		}
		// A sign-in without the form's token is refused.
		resp, page = b.send("POST", "/console/signin", url.Values{"tenant": {"acme"}, "email": {"owner@acme.io"}, "password": {ownerPassword}})
		wantPage(t, resp, page, 403, "did not come from the console")
		// A wrong password shows the login's answer on the form.
		b.get("/console/signin")
		resp, page = b.post("/console/signin", url.Values{"mode": {"tenant"}, "tenant": {"acme"}, "email": {"owner@acme.io"}, "password": {"nope-nope"}})
		wantPage(t, resp, page, 401, `class="error"`)
		// Empty fields are named next to their field.
		resp, page = b.post("/console/signin", url.Values{"mode": {"tenant"}, "tenant": {""}, "email": {"owner@acme.io"}, "password": {"x"}})
		wantPage(t, resp, page, 400, `id="tenant-error"`)

		before := b.cookie.Value
		if resp := b.signIn("acme", "owner@acme.io", ownerPassword); resp.StatusCode != 303 {
			t.Fatalf("sign in: %d", resp.StatusCode)
		}
		if b.cookie.Value == before {
			t.Fatal("the session cookie was not renewed at sign-in")
		}
		resp, page = b.get("/console/users")
		wantPage(t, resp, page, 200, "a@acme.io", "b@acme.io", `value="lock"`, `aria-current="page"`)
		resp, page = b.get("/console/users?email=A@ACME.IO")
		wantPage(t, resp, page, 200, "a@acme.io")
		if strings.Contains(page, "b@acme.io") {
			t.Fatal("search by e-mail shows another user")
		}
		resp, page = b.get("/console/users?role=viewer")
		wantPage(t, resp, page, 200, "viewer@acme.io")
		if strings.Contains(page, "a@acme.io") {
			t.Fatal("role filter shows a member")
		}
		resp, page = b.get("/console/users/" + aID)
		wantPage(t, resp, page, 200, "Sessions", "End all sessions", "Assign role")

		// A form without its CSRF token is a 403 page.
		resp, page = b.send("POST", "/console/users/bulk", url.Values{"action": {"lock"}, "id": {aID}})
		wantPage(t, resp, page, 403, "did not come from the console")

		// A bulk action: one audit event per user, one batch id.
		b.get("/console/users")
		resp, _ = b.post("/console/users/bulk", url.Values{"action": {"lock"}, "id": {aID, bID}})
		if resp.StatusCode != 303 {
			t.Fatalf("bulk: %d", resp.StatusCode)
		}
		resp, page = b.get("/console/users?status=disabled")
		wantPage(t, resp, page, 200, "a@acme.io", "b@acme.io", "Lock: done for 2 user(s)")
		_, ev := ts.do(t, "GET", "/v1/audit/events?event_type=user_updated", owner, nil)
		batches := map[any]int{}
		for _, e := range ev["events"].([]any) {
			d := e.(map[string]any)["details"].(map[string]any)
			if id, ok := d["batch_id"]; ok {
				batches[id]++
			}
		}
		if len(batches) != 1 {
			t.Fatalf("batches %v", batches)
		}
		for _, n := range batches {
			if n != 2 {
				t.Fatalf("events per batch %v", batches)
			}
		}

		// Operator pages are the operator's.
		resp, page = b.get("/console/operator/tenants")
		wantPage(t, resp, page, 403, "operator token", "Signed in as owner@acme.io (acme)")

		// Ending the Rampart session ends console access.
		resp, page = b.post("/console/signout", nil)
		if resp.StatusCode != 303 || b.cookie != nil {
			t.Fatalf("sign out: %d %v", resp.StatusCode, b.cookie)
		}
	})
}

func TestConsolePermissionLostAndSessionEnded(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		adminID, _ := ts.member(t, owner, "acme", "admin@acme.io", "admin")
		ts.member(t, owner, "acme", "manager@acme.io", "manager")

		// A manager (users:read, users:invite) sees users but no bulk actions, and is refused one.
		v := ts.browser(t)
		v.signIn("acme", "manager@acme.io", "An0ther-Str0ng-One")
		resp, page := v.get("/console/users")
		wantPage(t, resp, page, 200, "admin@acme.io")
		if strings.Contains(page, `value="lock"`) || strings.Contains(page, "select-all") {
			t.Fatal("a manager is shown bulk actions")
		}
		resp, page = v.post("/console/users/bulk", url.Values{"action": {"lock"}, "id": {adminID}})
		wantPage(t, resp, page, 403, "permission users:write is required")

		a := ts.browser(t)
		a.signIn("acme", "admin@acme.io", "An0ther-Str0ng-One")
		resp, page = a.get("/console/users")
		wantPage(t, resp, page, 200, "admin@acme.io")
		// A bulk action skips the viewer and a role above theirs.
		ownerID := regexp.MustCompile(`/console/users/([0-9a-f-]+)">owner@acme.io`).FindStringSubmatch(page)[1]
		managerID := regexp.MustCompile(`/console/users/([0-9a-f-]+)">manager@acme.io`).FindStringSubmatch(page)[1]
		a.post("/console/users/bulk", url.Values{"action": {"require_password_change"}, "id": {ownerID, adminID, managerID}})
		resp, page = a.get("/console/users")
		wantPage(t, resp, page, 200, "done for 1 user(s)", "2 skipped")
		// The owner takes users:read away mid-session: the next page is a 403.
		if st := ts.status(t, "PATCH", "/v1/users/"+adminID, owner, map[string]any{"role": "member"}); st != 200 {
			t.Fatalf("demote: %d", st)
		}
		resp, page = a.get("/console/users")
		wantPage(t, resp, page, 403, "permission users:read is required")
		// The owner ends the admin's sessions: the console asks to sign in again.
		if st := ts.status(t, "POST", "/v1/users/"+adminID+"/sessions/revoke", owner, nil); st != 200 {
			t.Fatalf("revoke: %d", st)
		}
		resp, _ = a.get("/console/users")
		if loc := resp.Header.Get("Location"); resp.StatusCode != 303 || !strings.HasPrefix(loc, "/console/signin?ended=1") {
			t.Fatalf("after revoke: %d %s", resp.StatusCode, loc)
		}
		resp, page = a.get(resp.Header.Get("Location"))
		wantPage(t, resp, page, 200, "Your console session has ended")
	})
}

func TestConsoleMFAAndStepUp(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		tid := ts.tenantWithOwner(t, "acme", "owner@acme.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		victimID, _ := ts.member(t, owner, "acme", "victim@acme.io", "member")
		ts.do(t, "PATCH", "/v1/tenants/"+tid, testOperatorToken, map[string]any{"settings": map[string]any{"step_up_minutes": 5}})

		// Signed in before enrolling: the session has no second factor.
		b := ts.browser(t)
		b.signIn("acme", "owner@acme.io", ownerPassword)
		secret, backup := ts.enrol(t, owner)
		b.get("/console/users")
		resp, _ := b.post("/console/users/bulk", url.Values{"action": {"delete"}, "id": {victimID}})
		if resp.StatusCode != 303 || resp.Header.Get("Location") != "/console/users/bulk/confirm" {
			t.Fatalf("bulk delete: %d %s", resp.StatusCode, resp.Header.Get("Location"))
		}
		resp, page := b.get("/console/users/bulk/confirm")
		wantPage(t, resp, page, 200, "victim@acme.io", `id="stepup_code"`)
		token := regexp.MustCompile(`name="token" value="([^"]+)"`).FindStringSubmatch(page)[1]
		resp, page = b.post("/console/users/bulk/confirm", url.Values{"token": {token}})
		wantPage(t, resp, page, 401, `id="stepup_code-error"`)
		resp, page = b.post("/console/users/bulk/confirm", url.Values{"token": {token}, "stepup_code": {"000000"}})
		wantPage(t, resp, page, 401, `id="stepup_code-error"`)
		resp, _ = b.post("/console/users/bulk/confirm", url.Values{"token": {token}, "stepup_code": {oathtool(t, secret, 30*time.Second)}})
		if resp.StatusCode != 303 {
			t.Fatalf("confirm with code: %d", resp.StatusCode)
		}
		if st := ts.status(t, "GET", "/v1/users/"+victimID, owner, nil); st != 404 {
			t.Fatalf("victim still there: %d", st)
		}

		// A new sign-in asks for the second factor.
		m := ts.browser(t)
		resp = m.signIn("acme", "owner@acme.io", ownerPassword)
		if loc := resp.Header.Get("Location"); !strings.HasPrefix(loc, "/console/signin/mfa") {
			t.Fatalf("sign in with MFA: %d %s", resp.StatusCode, loc)
		}
		resp, page = m.get("/console/users")
		if resp.StatusCode != 303 {
			t.Fatalf("pending sign-in reached a page: %d", resp.StatusCode)
		}
		resp, page = m.get("/console/signin/mfa")
		wantPage(t, resp, page, 200, `<label for="code">`)
		resp, page = m.post("/console/signin/mfa", url.Values{"code": {"12345"}})
		wantPage(t, resp, page, 401, `id="code-error"`)
		// Both TOTP steps in reach are used (enrolment, step-up): a backup code.
		resp, _ = m.post("/console/signin/mfa", url.Values{"code": {strings.ToLower(strings.ReplaceAll(backup[0], "-", ""))}})
		if resp.StatusCode != 303 {
			t.Fatalf("mfa: %d", resp.StatusCode)
		}
		resp, page = m.get("/console/users")
		wantPage(t, resp, page, 200, "owner@acme.io")
	})
}

func TestConsoleOperator(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		b := ts.browser(t)
		b.get("/console/signin")
		resp, page := b.post("/console/signin", url.Values{"mode": {"operator"}, "operator_token": {"wrong"}})
		wantPage(t, resp, page, 401, `id="operator_token-error"`)
		resp, _ = b.post("/console/signin", url.Values{"mode": {"operator"}, "operator_token": {testOperatorToken}})
		if resp.StatusCode != 303 {
			t.Fatalf("operator sign-in: %d", resp.StatusCode)
		}
		resp, page = b.get("/console/operator/tenants")
		wantPage(t, resp, page, 200, "Create a tenant")
		resp, page = b.post("/console/operator/tenants", url.Values{"slug": {"Bad Slug"}, "name": {"X"}, "owner_email": {"o@x.io"}, "owner_password": {ownerPassword}})
		wantPage(t, resp, page, 422, `id="slug-error"`)
		resp, _ = b.post("/console/operator/tenants", url.Values{"slug": {"globex"}, "name": {"Globex"}, "owner_email": {"o@globex.io"}, "owner_password": {ownerPassword}})
		if resp.StatusCode != 303 {
			t.Fatalf("create tenant: %d", resp.StatusCode)
		}
		resp, page = b.get("/console/operator/tenants")
		wantPage(t, resp, page, 200, "globex", "Tenant globex created")
		id := regexp.MustCompile(`/console/operator/tenants/([0-9a-f-]+)/status`).FindStringSubmatch(page)[1]
		resp, _ = b.post("/console/operator/tenants/"+id+"/status", url.Values{"status": {"disabled"}})
		if _, page = b.get("/console/operator/tenants"); resp.StatusCode != 303 || !strings.Contains(page, "is now disabled") {
			t.Fatalf("disable: %d", resp.StatusCode)
		}
		resp, page = b.get("/console/operator/keys")
		wantPage(t, resp, page, 200, "Current signing key")
		kid := regexp.MustCompile(`<dd><code>([^<]+)</code>`).FindStringSubmatch(page)[1]
		resp, page = b.get("/console/operator/keys/rotate")
		wantPage(t, resp, page, 200, "Rotate the token-signing key?")
		b.post("/console/operator/keys/rotate", nil)
		_, page = b.get("/console/operator/keys")
		if now := regexp.MustCompile(`<dd><code>([^<]+)</code>`).FindStringSubmatch(page)[1]; now == kid {
			t.Fatal("the signing key did not rotate")
		}
		resp, page = b.get("/console/operator/jobs")
		wantPage(t, resp, page, 200, "purge")
		// The operator has no tenant pages.
		resp, page = b.get("/console/users")
		wantPage(t, resp, page, 403, "This page is a tenant", "Signed in as Operator", "Sign out")
	})
}

func TestConsoleSignInIsLimitedLikeLogin(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_RATE_LIMITS"], env["RAMPART_LOGIN_LIMIT"] = "on", "3"
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	b := ts.browser(t)
	b.get("/console/signin")
	statuses := []int{}
	for range 4 {
		resp, _ := b.post("/console/signin", url.Values{"mode": {"tenant"}, "tenant": {"acme"}, "email": {"owner@acme.io"}, "password": {"wrong-wrong"}})
		statuses = append(statuses, resp.StatusCode)
	}
	if statuses[2] != 401 || statuses[3] != 429 {
		t.Fatalf("statuses %v, want the 4th refused by the login limit", statuses)
	}
}
