package main

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rampart-dev/rampart/internal/testdb"
)

// cli runs one CLI command against env and returns its output.
func cli(t *testing.T, env map[string]string, stdin string, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	err := run(context.Background(), args, func(k string) string { return env[k] }, strings.NewReader(stdin), &out, &errOut)
	return out.String() + errOut.String(), err
}

func TestCLITenantCreateListAndAuditVerify(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			env := testEnv(t, d)
			out, err := cli(t, env, "Tr1cky-Passw0rd!\n", "tenant", "create", "--slug", "acme", "--name", "Acme Inc", "--owner-email", "owner@acme.io")
			if err != nil || !strings.Contains(out, "created tenant acme") {
				t.Fatalf("create: %v\n%s", err, out)
			}
			env["RAMPART_OWNER_PASSWORD"] = "password"
			if out, err := cli(t, env, "", "tenant", "create", "--slug", "beta", "--name", "Beta", "--owner-email", "o@beta.io"); err == nil {
				t.Fatalf("weak password accepted:\n%s", out)
			}
			env["RAMPART_OWNER_PASSWORD"] = "An0ther-Str0ng-One"
			if out, err := cli(t, env, "", "tenant", "create", "--slug", "beta", "--name", "Beta", "--owner-email", "o@beta.io"); err != nil {
				t.Fatalf("create from env: %v\n%s", err, out)
			}
			out, err = cli(t, env, "", "tenant", "list")
			if err != nil || !strings.Contains(out, "acme") || !strings.Contains(out, "Acme Inc") || !strings.Contains(out, "beta") {
				t.Fatalf("list: %v\n%s", err, out)
			}
			out, err = cli(t, env, "", "audit", "verify")
			if err != nil || strings.Count(out, "ok ") != 2 {
				t.Fatalf("verify intact: %v\n%s", err, out)
			}
			if out, err := cli(t, env, "", "migrate"); err != nil || !strings.Contains(out, "up to date") {
				t.Fatalf("migrate: %v %s", err, out)
			}
		})
	}
}

// TestAuditVerifyFindsTampering edits the SQLite file behind Rampart's back,
// as someone with access to the data folder could.
func TestAuditVerifyFindsTampering(t *testing.T) {
	env := testEnv(t, "sqlite")
	if _, err := cli(t, env, "Tr1cky-Passw0rd!\n", "tenant", "create", "--slug", "acme", "--name", "Acme", "--owner-email", "o@acme.io"); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", strings.TrimPrefix(env["RAMPART_DATABASE_URL"], "sqlite:"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	for _, q := range []string{
		"DROP TRIGGER audit_events_no_update",
		`UPDATE audit_events SET details = '{"role":"viewer"}' WHERE seq = 2`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	out, err := cli(t, env, "", "audit", "verify")
	if err == nil || !strings.Contains(out, "BROKEN acme") || !strings.Contains(out, "seq=2") {
		t.Fatalf("tampering not reported: %v\n%s", err, out)
	}
}

// TestNoSecretsInTheClear checks the data folder and logs for the owner's
// password and the operator token.
func TestNoSecretsInTheClear(t *testing.T) {
	env := testEnv(t, "sqlite")
	ts := start(t, env)
	password := "Unmistakable-Pa55word!"
	body := newTenantBody("acme", "o@acme.io")
	body["owner"].(map[string]any)["password"] = password
	if resp, b := ts.do(t, "POST", "/v1/tenants", testOperatorToken, body); resp.StatusCode != 201 {
		t.Fatalf("%d %v", resp.StatusCode, b)
	}
	ts.do(t, "POST", "/v1/tenants", testOperatorToken, `{"slug":"x","owner":{"password":"`+password+`"}}`)
	filepath.Walk(ts.DataDir, func(path string, fi os.FileInfo, err error) error {
		if err != nil || fi.IsDir() {
			return err
		}
		b, _ := os.ReadFile(path)
		for _, secret := range []string{password, testOperatorToken} {
			if bytes.Contains(b, []byte(secret)) {
				t.Errorf("%s holds a secret in the clear", path)
			}
		}
		return nil
	})
	logs := ts.stderr.String()
	if strings.Contains(logs, password) || strings.Contains(logs, testOperatorToken) {
		t.Fatal("logs hold a secret")
	}
	if !strings.Contains(logs, `"route":"POST /v1/tenants"`) {
		t.Fatal("no request log line")
	}
}
