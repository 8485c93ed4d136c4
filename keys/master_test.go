package keys

import (
	"bytes"
	"encoding/base64"
	"os"
	"path/filepath"
	"testing"
)

func TestSealOpenBindsAssociatedData(t *testing.T) {
	k, err := ParseMasterKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
	if err != nil {
		t.Fatal(err)
	}
	ct, err := k.Seal([]byte("totp-secret"), []byte("tenant-a/user-1"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(ct, []byte("totp-secret")) {
		t.Fatal("plaintext visible in ciphertext")
	}
	if pt, err := k.Open(ct, []byte("tenant-a/user-1")); err != nil || string(pt) != "totp-secret" {
		t.Fatalf("open: %q %v", pt, err)
	}
	if _, err := k.Open(ct, []byte("tenant-b/user-1")); err != ErrOpen {
		t.Fatal("ciphertext opened under other associated data")
	}
	ct[len(ct)-1] ^= 1
	if _, err := k.Open(ct, []byte("tenant-a/user-1")); err != ErrOpen {
		t.Fatal("tampered ciphertext opened")
	}
	if _, err := k.Open([]byte{1, 2}, nil); err != ErrOpen {
		t.Fatal("short ciphertext opened")
	}
}

func TestParseMasterKey(t *testing.T) {
	for _, bad := range []string{"", "not base64!!", base64.StdEncoding.EncodeToString(make([]byte, 16))} {
		if _, err := ParseMasterKey(bad); err == nil {
			t.Errorf("accepted %q", bad)
		}
	}
	if _, err := ParseMasterKey(base64.RawURLEncoding.EncodeToString(make([]byte, 32)) + "\n"); err != nil {
		t.Fatal(err)
	}
}

func TestDevMasterKeyIsCreatedOnceWithTightMode(t *testing.T) {
	dir := t.TempDir()
	k1, path, created, err := DevMasterKey(dir)
	if err != nil || !created || path != filepath.Join(dir, "master.key") {
		t.Fatalf("first: %v %v %s", err, created, path)
	}
	if fi, _ := os.Stat(path); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v", fi.Mode())
	}
	k2, _, created, err := DevMasterKey(dir)
	if err != nil || created {
		t.Fatalf("second: %v %v", err, created)
	}
	ct, _ := k1.Seal([]byte("x"), nil)
	if _, err := k2.Open(ct, nil); err != nil {
		t.Fatal("reloaded key differs")
	}
}
