package main

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"image"
	_ "image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/makiuchi-d/gozxing"
	"github.com/makiuchi-d/gozxing/qrcode"
)

// oathtool computes a TOTP code with Debian's independent implementation, at
// now+offset. It fails the test in CI when oathtool is missing.
func oathtool(t *testing.T, secret string, offset time.Duration) string {
	t.Helper()
	path, err := exec.LookPath("oathtool")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("oathtool is required in CI (apt-get install oathtool)")
		}
		t.Skip("oathtool not installed")
	}
	at := fmt.Sprintf("@%d", time.Now().Add(offset).Unix())
	out, err := exec.Command(path, "--totp", "-b", secret, "-N", at).Output()
	if err != nil {
		t.Fatalf("oathtool: %v", err)
	}
	return strings.TrimSpace(string(out))
}

// claimsOf decodes an access token's payload without verifying it.
func claimsOf(t *testing.T, token string) map[string]any {
	t.Helper()
	parts := strings.Split(token, ".")
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	json.Unmarshal(b, &c)
	return c
}

// enrol sets up TOTP for the token's user and returns the secret and the
// backup codes. The confirming code is the current step's.
func (ts *testServer) enrol(t *testing.T, access string) (string, []string) {
	t.Helper()
	resp, e := ts.do(t, "POST", "/v1/me/mfa/totp", access, nil)
	if resp.StatusCode != 200 {
		t.Fatalf("enrol: %d %v", resp.StatusCode, e)
	}
	secret := e["secret"].(string)
	resp, c := ts.do(t, "POST", "/v1/me/mfa/totp/confirm", access, map[string]any{"code": oathtool(t, secret, 0)})
	if resp.StatusCode != 200 {
		t.Fatalf("confirm: %d %v", resp.StatusCode, c)
	}
	var codes []string
	for _, x := range c["backup_codes"].([]any) {
		codes = append(codes, x.(string))
	}
	return secret, codes
}

func TestTOTPEnrolmentAndLogin(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		resp, e := ts.do(t, "POST", "/v1/me/mfa/totp", access, nil)
		if resp.StatusCode != 200 {
			t.Fatalf("enrol: %v", e)
		}
		secret := e["secret"].(string)
		if raw, err := base64Std32(secret); err != nil || len(raw) != 20 {
			t.Fatalf("secret %q is not 160 bits of base32: %v", secret, err)
		}
		uri := e["otpauth_uri"].(string)
		u, err := url.Parse(uri)
		if err != nil || u.Scheme != "otpauth" || u.Host != "totp" {
			t.Fatalf("uri %s", uri)
		}
		label, _ := url.PathUnescape(strings.TrimPrefix(u.EscapedPath(), "/"))
		q := u.Query()
		if label != "Rampart (Tenant acme):owner@acme.io" || q.Get("issuer") != "Rampart (Tenant acme)" || q.Get("secret") != secret ||
			q.Get("algorithm") != "SHA1" || q.Get("digits") != "6" || q.Get("period") != "30" {
			t.Fatalf("uri %s (label %q)", uri, label)
		}
		// The QR code carries the URI: decode it with an independent reader.
		png, ok := strings.CutPrefix(e["qr_png"].(string), "data:image/png;base64,")
		if !ok {
			t.Fatal("qr_png is not a PNG data URI")
		}
		raw, _ := base64.StdEncoding.DecodeString(png)
		img, _, err := image.Decode(bytes.NewReader(raw))
		if err != nil {
			t.Fatal(err)
		}
		bmp, _ := gozxing.NewBinaryBitmapFromImage(img)
		res, err := qrcode.NewQRCodeReader().Decode(bmp, pureBarcode)
		if err != nil || res.GetText() != uri {
			t.Fatalf("QR decodes to %v (%v), want %s", res, err, uri)
		}
		// Until confirmed, login does not ask for MFA.
		if _, body := ts.login(t, "acme", "owner@acme.io", ownerPassword); body["access_token"] == nil {
			t.Fatalf("unconfirmed enrolment already asks for MFA: %v", body)
		}
		if resp, body := ts.do(t, "POST", "/v1/me/mfa/totp/confirm", access, map[string]any{"code": "000000"}); resp.StatusCode != 422 {
			t.Fatalf("wrong confirm code: %d %v", resp.StatusCode, body)
		}
		now := oathtool(t, secret, 0)
		resp, c := ts.do(t, "POST", "/v1/me/mfa/totp/confirm", access, map[string]any{"code": now[:3] + " " + now[3:]})
		if resp.StatusCode != 200 {
			t.Fatalf("confirm: %v", c)
		}
		codes := c["backup_codes"].([]any)
		if len(codes) != 10 || !regexp.MustCompile(`^[A-Z2-9]{4}-[A-Z2-9]{4}$`).MatchString(codes[0].(string)) {
			t.Fatalf("backup codes %v", codes)
		}
		// Login now stops at the second factor.
		resp, ch := ts.login(t, "acme", "owner@acme.io", ownerPassword)
		if resp.StatusCode != 200 || ch["mfa_required"] != true || ch["access_token"] != nil || ch["mfa_token"] == nil {
			t.Fatalf("login with MFA: %v", ch)
		}
		if m := ch["methods"].([]any); len(m) != 2 || m[0] != "totp" || m[1] != "backup_code" {
			t.Fatalf("methods %v", m)
		}
		mfaToken := ch["mfa_token"].(string)
		// The code used to confirm cannot be replayed.
		resp, body := ts.do(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": mfaToken, "code": now})
		assertProblem(t, resp, body, 401)
		next := oathtool(t, secret, 30*time.Second)
		resp, pair := ts.do(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": mfaToken, "code": next})
		if resp.StatusCode != 200 {
			t.Fatalf("mfa: %d %v", resp.StatusCode, pair)
		}
		claims := claimsOf(t, pair["access_token"].(string))
		if claims["mfa_verified"] != true || fmt.Sprint(claims["amr"]) != "[pwd otp]" || pair["mfa_verified"] != true {
			t.Fatalf("claims after MFA: %v", claims)
		}
		if ts.status(t, "GET", "/v1/me", pair["access_token"].(string), nil) != 200 {
			t.Fatal("MFA session refused")
		}
		// The mfa_token is single-use, and the same code never works twice.
		if ts.status(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": mfaToken, "code": next}) != 401 {
			t.Fatal("mfa_token reused")
		}
		_, ch2 := ts.login(t, "acme", "owner@acme.io", ownerPassword)
		if ts.status(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": ch2["mfa_token"], "code": next}) != 401 {
			t.Fatal("TOTP code replayed on a new mfa_token")
		}
		// A backup code works once, with or without its dash, in any case.
		bc := strings.ToLower(strings.ReplaceAll(codes[0].(string), "-", ""))
		if resp, body := ts.do(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": ch2["mfa_token"], "backup_code": bc}); resp.StatusCode != 200 {
			t.Fatalf("backup code: %d %v", resp.StatusCode, body)
		}
		_, ch3 := ts.login(t, "acme", "owner@acme.io", ownerPassword)
		if ts.status(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": ch3["mfa_token"], "backup_code": codes[0]}) != 401 {
			t.Fatal("backup code used twice")
		}
		_, ev := ts.do(t, "GET", "/v1/audit/events", pair["access_token"].(string), nil)
		seen := map[string]bool{}
		for _, e := range ev["events"].([]any) {
			seen[e.(map[string]any)["event_type"].(string)] = true
		}
		for _, want := range []string{"mfa_enrolled", "mfa_success", "mfa_failure", "backup_code_used"} {
			if !seen[want] {
				t.Errorf("no %s event", want)
			}
		}
		// Nothing in the data folder holds the secret or a backup code in the clear.
		secretRaw, _ := base64Std32(secret)
		filepath.Walk(ts.DataDir, func(path string, fi os.FileInfo, err error) error {
			if err != nil || fi.IsDir() {
				return err
			}
			b, _ := os.ReadFile(path)
			needles := [][]byte{[]byte(secret), secretRaw}
			for _, c := range codes {
				needles = append(needles, []byte(c.(string)), []byte(strings.ReplaceAll(c.(string), "-", "")))
			}
			for _, n := range needles {
				if bytes.Contains(b, n) {
					t.Errorf("%s holds a TOTP secret or backup code in the clear", path)
				}
			}
			return nil
		})
	})
}

func TestMFATokenDiesAfterFiveWrongCodes(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	secret, _ := ts.enrol(t, access)
	_, ch := ts.login(t, "acme", "owner@acme.io", ownerPassword)
	tok := ch["mfa_token"].(string)
	bad := []map[string]any{
		{"code": "12345"}, {"code": "abcdef"}, {"code": "1234567"}, {"backup_code": "nope"}, {"code": "000000"},
	}
	for _, b := range bad {
		b["mfa_token"] = tok
		resp, body := ts.do(t, "POST", "/v1/auth/mfa", "", b)
		if resp.StatusCode != 401 {
			t.Fatalf("%v: %d %v", b, resp.StatusCode, body)
		}
	}
	// The sixth try, even with the right code, is refused: the token is dead.
	resp, body := ts.do(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": tok, "code": oathtool(t, secret, 30*time.Second)})
	if resp.StatusCode != 401 && resp.StatusCode != 423 {
		t.Fatalf("dead mfa_token: %d %v", resp.StatusCode, body)
	}
	for _, b := range []any{`{"mfa_token": "x", "code": "1", "backup_code": "2"}`, `{"code": "123456"}`, `{"mfa_token": 5}`} {
		resp, body := ts.do(t, "POST", "/v1/auth/mfa", "", b)
		assertProblem(t, resp, body, 400)
	}
	for _, forged := range []string{"rmt_x", "garbage", strings.Replace(tok, "rmt_", "rrt_", 1)} {
		resp, body := ts.do(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": forged, "code": "123456"})
		assertProblem(t, resp, body, 401)
	}
}

func TestMFAManagement(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		tid := ts.tenantWithOwner(t, "acme", "owner@acme.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		ts.do(t, "POST", "/v1/users", owner, map[string]any{"email": "dev@acme.io", "password": "An0ther-Str0ng-One", "role": "developer"})
		dev, _ := ts.mustLogin(t, "acme", "dev@acme.io", "An0ther-Str0ng-One")
		secret, codes := ts.enrol(t, dev)
		if ts.status(t, "POST", "/v1/me/mfa/totp", dev, nil) != 409 {
			t.Fatal("second enrolment while enabled")
		}
		// Regenerating backup codes needs a fresh TOTP code.
		if ts.status(t, "POST", "/v1/me/mfa/backup-codes", dev, map[string]any{"code": "000000"}) != 401 {
			t.Fatal("regenerated with a wrong code")
		}
		resp, re := ts.do(t, "POST", "/v1/me/mfa/backup-codes", dev, map[string]any{"code": oathtool(t, secret, 30*time.Second)})
		if resp.StatusCode != 200 || len(re["backup_codes"].([]any)) != 10 || re["backup_codes"].([]any)[0] == codes[0] {
			t.Fatalf("regenerate: %v", re)
		}
		// The old codes are gone; a new one disables MFA.
		if ts.status(t, "DELETE", "/v1/me/mfa/totp", dev, map[string]any{"backup_code": codes[1]}) != 401 {
			t.Fatal("old backup code still works")
		}
		if ts.status(t, "DELETE", "/v1/me/mfa/totp", dev, map[string]any{"backup_code": re["backup_codes"].([]any)[0]}) != 204 {
			t.Fatal("disable with a backup code")
		}
		if _, body := ts.login(t, "acme", "dev@acme.io", "An0ther-Str0ng-One"); body["access_token"] == nil {
			t.Fatal("MFA still asked after disabling")
		}
		// An admin resets a user's MFA.
		ts.enrol(t, dev)
		_, me := ts.do(t, "GET", "/v1/me", dev, nil)
		if ts.status(t, "POST", "/v1/users/"+me["id"].(string)+"/mfa/reset", owner, nil) != 204 {
			t.Fatal("admin reset")
		}
		if _, body := ts.login(t, "acme", "dev@acme.io", "An0ther-Str0ng-One"); body["access_token"] == nil {
			t.Fatal("MFA still asked after the admin reset")
		}
		// The tenant requires MFA for owners: an unenrolled owner may only enrol.
		ts.do(t, "PATCH", "/v1/tenants/"+tid, testOperatorToken, map[string]any{"settings": map[string]any{"mfa_required_roles": []string{"owner", "admin"}}})
		resp, body := ts.login(t, "acme", "owner@acme.io", ownerPassword)
		if body["restricted"] != true {
			t.Fatalf("restricted login: %d %v", resp.StatusCode, body)
		}
		limited := body["access_token"].(string)
		if ts.status(t, "GET", "/v1/users", limited, nil) != 403 || ts.status(t, "GET", "/v1/sessions", limited, nil) != 403 {
			t.Fatal("a restricted token reached more than enrolment")
		}
		if ts.status(t, "GET", "/v1/me", limited, nil) != 200 {
			t.Fatal("restricted token cannot read /v1/me")
		}
		ts.enrol(t, limited)
		if ts.status(t, "GET", "/v1/users", limited, nil) != 200 {
			t.Fatal("session still restricted after enrolling")
		}
	})
}

func TestStepUp(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	tid := ts.tenantWithOwner(t, "acme", "owner@acme.io")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	resp, u := ts.do(t, "POST", "/v1/users", owner, map[string]any{"email": "m@acme.io", "password": "An0ther-Str0ng-One", "role": "member"})
	if resp.StatusCode != 201 {
		t.Fatal(u)
	}
	ts.do(t, "POST", "/v1/users", owner, map[string]any{"email": "admin@acme.io", "password": "An0ther-Str0ng-One", "role": "admin"})
	ts.do(t, "PATCH", "/v1/tenants/"+tid, testOperatorToken, map[string]any{"settings": map[string]any{"step_up_minutes": 5}})
	target := "/v1/users/" + u["id"].(string)
	// A session without a second factor cannot change roles.
	admin, _ := ts.mustLogin(t, "acme", "admin@acme.io", "An0ther-Str0ng-One")
	resp, body := ts.do(t, "PATCH", target, admin, map[string]any{"role": "viewer"})
	assertProblem(t, resp, body, 401)
	if body["code"] != "step_up_required" || !strings.HasSuffix(body["type"].(string), "step_up_required") || body["max_age_seconds"].(float64) != 300 {
		t.Fatalf("step-up problem %v", body)
	}
	// So do permission grants and new users; other changes do not.
	if ts.status(t, "PATCH", target, admin, map[string]any{"permissions": []string{"conversations:read"}}) != 401 {
		t.Fatal("a permission grant without step-up")
	}
	if ts.status(t, "POST", "/v1/users", admin, map[string]any{"email": "x@acme.io", "password": "An0ther-Str0ng-One", "role": "viewer"}) != 401 {
		t.Fatal("a new user without step-up")
	}
	if ts.status(t, "PATCH", target, admin, map[string]any{"disabled": false}) != 200 {
		t.Fatal("a status change asked for step-up")
	}
	// Enrolling is a fresh second factor.
	secret, _ := ts.enrol(t, admin)
	if ts.status(t, "PATCH", target, admin, map[string]any{"role": "viewer"}) != 200 {
		t.Fatal("role change right after enrolment refused")
	}
	// A login completed with MFA may change roles; step-up answers a fresh token.
	_, ch := ts.login(t, "acme", "admin@acme.io", "An0ther-Str0ng-One")
	_, pair := ts.do(t, "POST", "/v1/auth/mfa", "", map[string]any{"mfa_token": ch["mfa_token"], "code": oathtool(t, secret, 30*time.Second)})
	fresh := pair["access_token"].(string)
	if ts.status(t, "PATCH", target, fresh, map[string]any{"role": "member"}) != 200 {
		t.Fatal("role change after MFA login refused")
	}
	if ts.status(t, "POST", "/v1/me/mfa/verify", fresh, map[string]any{"code": oathtool(t, secret, 30*time.Second)}) != 401 {
		t.Fatal("step-up accepted a replayed code")
	}
	_, codes := ts.enrol(t, owner)
	resp, up := ts.do(t, "POST", "/v1/me/mfa/verify", owner, map[string]any{"backup_code": codes[0]})
	if resp.StatusCode != 200 || up["mfa_verified"] != true || up["refresh_token"] != nil || claimsOf(t, up["access_token"].(string))["mfa_verified"] != true {
		t.Fatalf("step-up: %d %v", resp.StatusCode, up)
	}
}

// base64Std32 decodes unpadded base32.
func base64Std32(s string) ([]byte, error) {
	return b32.DecodeString(s)
}

// pureBarcode tells the decoder the image is a generated code, not a photo:
// without it gozxing misreads about one generated code in a hundred (zbar
// reads those fine), which would make the test flaky, not stricter.
var pureBarcode = map[gozxing.DecodeHintType]interface{}{gozxing.DecodeHintType_PURE_BARCODE: true}
