package console

import (
	"context"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/internal/testdb"
)

func totpCode(t *testing.T, secret string, at time.Time) string {
	t.Helper()
	c, err := totp.GenerateCodeCustom(secret, at, totp.ValidateOpts{Period: 30, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestStepUpForDangerousActions: an owner with a second factor signs in
// through the console's MFA page; within the tenant's step-up window a
// data-key rotation and an IP rule change go through; once the window has
// passed, each asks for a code, refuses a wrong one and changes nothing,
// and goes through with a right one.
func TestStepUpForDangerousActions(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) { testStepUpForDangerousActions(t, newRig(t, d)) })
	}
}

func testStepUpForDangerousActions(t *testing.T, r *rig) {
	ctx := context.Background()
	res, err := r.auth.Login(ctx, auth.LoginRequest{Tenant: rigTenant, Email: "owner@example.com", Password: rigPassword})
	if err != nil {
		t.Fatal(err)
	}
	p, err := r.auth.Authenticate(ctx, res.Pair.AccessToken, auth.Meta{})
	if err != nil {
		t.Fatal(err)
	}
	enr, err := r.auth.StartTOTP(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.auth.ConfirmTOTP(ctx, p, totpCode(t, enr.Secret, r.clock.now()), auth.Meta{}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.console.d.Tenancy.UpdateOwnSettings(ctx, p, []byte(`{"step_up_minutes": 5}`), r.console.actor(&viewer{})); err != nil {
		t.Fatal(err)
	}

	// Sign in: password, then the second factor on its own page.
	r.clock.add(time.Minute) // a new TOTP step: the enrolment's code is spent
	o := r.browser()
	o.get("/console/signin")
	code, _, h := o.post("/console/signin", url.Values{"tenant": {rigTenant}, "email": {"owner@example.com"}, "password": {rigPassword}})
	if code != http.StatusSeeOther || h.Get("Location") == "" {
		t.Fatalf("sign in: %d", code)
	}
	code, body := o.get(h.Get("Location"))
	want(t, "mfa page", code, 200, body, `name="code"`)
	code, body, _ = o.post("/console/signin/mfa", url.Values{"code": {"000000"}})
	if code == http.StatusSeeOther {
		t.Fatal("a wrong code signed in")
	}
	code, _, _ = o.post("/console/signin/mfa", url.Values{"code": {totpCode(t, enr.Secret, r.clock.now())}})
	want(t, "mfa", code, http.StatusSeeOther, "")

	// Within the window: no code asked.
	code, body = o.get("/console/data-keys/rotate")
	want(t, "confirm", code, 200, body, "Rotate every purpose")
	code, _, _ = o.post("/console/data-keys/rotate", nil)
	want(t, "rotate within the window", code, http.StatusSeeOther, "")
	o.get("/console/roles")
	code, _, _ = o.post("/console/roles", url.Values{"name": {"tmp"}, "level": {"1"}, "permissions": {"conversations:read"}})
	want(t, "create a role within the window", code, http.StatusSeeOther, "")

	// Past it: a code is asked for, a wrong one refused.
	r.clock.add(6 * time.Minute)
	code, body = o.get("/console/data-keys/rotate")
	want(t, "confirm asks a code", code, 200, body, `id="stepup_code"`)
	code, body, _ = o.post("/console/data-keys/rotate", nil)
	want(t, "no code", code, http.StatusUnauthorized, body, `id="stepup_code-error"`)
	code, body, _ = o.post("/console/data-keys/rotate", url.Values{"stepup_code": {"000000"}})
	want(t, "wrong code", code, http.StatusUnauthorized, body, `id="stepup_code-error"`)
	st, err := r.console.d.Encryption.KeyStatus(ctx, p, "")
	if err != nil {
		t.Fatal(err)
	}
	before := st.Keys[0].Version
	code, _, _ = o.post("/console/data-keys/rotate", url.Values{"stepup_code": {totpCode(t, enr.Secret, r.clock.now())}})
	want(t, "right code", code, http.StatusSeeOther, "")
	if st, _ = r.console.d.Encryption.KeyStatus(ctx, p, ""); st.Keys[0].Version != before+1 {
		t.Fatalf("version %d after a rotation from %d", st.Keys[0].Version, before)
	}

	// An IP rule change: confirmed with a code after the window passed.
	r.clock.add(6 * time.Minute)
	o.get("/console/settings")
	code, body, _ = o.post("/console/settings/ip", url.Values{"ip_deny": {"198.51.100.0/24"}})
	want(t, "ip confirm", code, 200, body, "add deny 198.51.100.0/24", `id="stepup_code"`)
	code, body, _ = o.post("/console/settings/ip", url.Values{"ip_deny": {"198.51.100.0/24"}, "confirm": {"1"}})
	want(t, "ip without code", code, http.StatusUnauthorized, body, `id="stepup_code-error"`)
	if pol, _ := r.auth.TenantPolicy(ctx, r.tenantID); len(pol.IPDeny) != 0 {
		t.Fatal("IP rules changed without a code")
	}
	code, _, _ = o.post("/console/settings/ip", url.Values{"ip_deny": {"198.51.100.0/24"}, "confirm": {"1"}, "stepup_code": {totpCode(t, enr.Secret, r.clock.now())}})
	want(t, "ip with code", code, http.StatusSeeOther, "")
	if pol, _ := r.auth.TenantPolicy(ctx, r.tenantID); len(pol.IPDeny) != 1 {
		t.Fatal("IP rules not changed with a right code")
	}

	// A role's change, too.
	r.clock.add(6 * time.Minute)
	o.get("/console/roles/tmp/edit")
	code, body, _ = o.post("/console/roles/tmp/edit", url.Values{"level": {"2"}, "permissions": {"conversations:read"}})
	want(t, "edit without code", code, http.StatusUnauthorized, body, `id="stepup_code-error"`)
	code, _, _ = o.post("/console/roles/tmp/edit", url.Values{"level": {"2"}, "permissions": {"conversations:read"}, "stepup_code": {totpCode(t, enr.Secret, r.clock.now())}})
	want(t, "edit with code", code, http.StatusSeeOther, "")
}
