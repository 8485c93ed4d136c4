package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCLIPrivacyExportErase runs the privacy commands against a real
// SQLite data folder: export by email to a 0600 file, erasure that asks
// first (and is refused without the slug), then is done with --yes; an
// export afterwards finds no account. Progress goes to stderr as plain
// lines when stderr is not a terminal.
func TestCLIPrivacyExportErase(t *testing.T) {
	env := testEnv(t, "sqlite")
	if out, err := cli(t, env, "Tr1cky-Passw0rd!\n", "tenant", "create", "--slug", "acme", "--name", "Acme", "--owner-email", "owner@acme.io"); err != nil {
		t.Fatalf("create: %v\n%s", err, out)
	}
	file := filepath.Join(t.TempDir(), "bundle.json")
	out, err := cli(t, env, "", "privacy", "export", "--tenant", "acme", "--user", "owner@acme.io", "--out", file)
	if err != nil || !strings.Contains(out, "export: step 2/4: collecting the subject's data") || !strings.Contains(out, "export: done in") {
		t.Fatalf("export: %v\n%s", err, out)
	}
	fi, err := os.Stat(file)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("bundle file: %v %v", fi, err)
	}
	var bundle struct {
		User *struct {
			ID    string `json:"id"`
			Email string `json:"email"`
		} `json:"user"`
		AuditEvents []any `json:"audit_events"`
	}
	raw, _ := os.ReadFile(file)
	if err := json.Unmarshal(raw, &bundle); err != nil || bundle.User == nil || bundle.User.Email != "owner@acme.io" || bundle.AuditEvents == nil {
		t.Fatalf("bundle: %v\n%s", err, raw)
	}
	if out, err := cli(t, env, "", "privacy", "export", "--tenant", "acme", "--user", "owner@acme.io", "--out", file); err == nil {
		t.Fatalf("an existing file was overwritten:\n%s", out)
	}
	if out, err := cli(t, env, "nope\n", "privacy", "erase", "--tenant", "acme", "--user", bundle.User.ID); err == nil || !strings.Contains(err.Error(), "nothing was erased") || !strings.Contains(out, "Type the tenant's slug") {
		t.Fatalf("erase without confirmation: %v\n%s", err, out)
	}
	out, err = cli(t, env, "acme\n", "privacy", "erase", "--tenant", "acme", "--user", bundle.User.ID)
	if err != nil || !strings.Contains(out, `"keys_shredded"`) || !strings.Contains(out, "erase: done in") {
		t.Fatalf("erase: %v\n%s", err, out)
	}
	if out, err := cli(t, env, "", "privacy", "erase", "--tenant", "acme", "--user", bundle.User.ID, "--yes"); err != nil {
		t.Fatalf("second erasure: %v\n%s", err, out)
	}
	out, err = cli(t, env, "", "privacy", "export", "--tenant", "acme", "--user", "owner@acme.io")
	if err != nil || !strings.Contains(out, `"user": null`) || !strings.Contains(out, "no account matches") {
		t.Fatalf("export after erasure: %v\n%s", err, out)
	}
	if out, err := cli(t, env, "", "audit", "verify"); err != nil {
		t.Fatalf("chain after erasure: %v\n%s", err, out)
	}
	if _, err := cli(t, env, "", "privacy", "export", "--tenant", "nope", "--user", "x"); err == nil {
		t.Fatal("unknown tenant accepted")
	}
}
