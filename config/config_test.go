package config

import (
	"io"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestDefaults(t *testing.T) {
	c, err := Load("t", nil, env(nil), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != "127.0.0.1:8080" || c.DataDir != "./rampart-data" || c.Env != Development || c.MaxBodyBytes != 1<<20 ||
		c.Argon2.Time != 3 || c.Argon2.MemoryKiB != 65536 || c.Argon2.Threads != 1 {
		t.Fatalf("defaults = %+v", c)
	}
	if p := c.ProductionProblems(); p != nil {
		t.Fatalf("development has production problems: %v", p)
	}
}

func TestFlagsOverrideEnvironment(t *testing.T) {
	c, err := Load("t", []string{"--addr", ":9999"}, env(map[string]string{"RAMPART_ADDR": ":7777", "RAMPART_DATA_DIR": "/d"}), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Addr != ":9999" || c.DataDir != "/d" {
		t.Fatalf("%s %s", c.Addr, c.DataDir)
	}
}

func TestBadValuesAreNamed(t *testing.T) {
	_, err := Load("t", nil, env(map[string]string{
		"RAMPART_ENV": "prod", "RAMPART_MAX_BODY_BYTES": "lots", "RAMPART_TRUSTED_PROXIES": "10.0.0.0/8, nonsense",
		"RAMPART_OPERATOR_TOKEN": "short", "RAMPART_CORS_ORIGINS": "*", "RAMPART_TLS_CERT_FILE": "c.pem",
	}), io.Discard, nil)
	if err == nil {
		t.Fatal("accepted bad values")
	}
	for _, name := range []string{"RAMPART_ENV", "RAMPART_MAX_BODY_BYTES", "RAMPART_TRUSTED_PROXIES", "RAMPART_OPERATOR_TOKEN", "RAMPART_CORS_ORIGINS", "RAMPART_TLS_CERT_FILE"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
}

func TestProductionRefusesInsecureSettings(t *testing.T) {
	c, err := Load("t", nil, env(map[string]string{"RAMPART_ENV": "production", "RAMPART_DEBUG": "true"}), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	p := c.ProductionProblems()
	if len(p) != 5 {
		t.Fatalf("problems = %q, want master key, TLS/proxy, issuer, operator token, debug", p)
	}
	for i, want := range []string{"master key", "TLS", "RAMPART_ISSUER", "operator token", "debug"} {
		if !strings.Contains(p[i], want) {
			t.Errorf("problem %d = %q, want it to mention %s", i, p[i], want)
		}
	}
	good, err := Load("t", nil, env(map[string]string{"RAMPART_ENV": "production", "RAMPART_MASTER_KEY_FILE": "/k",
		"RAMPART_TRUSTED_PROXIES": "10.0.0.0/8", "RAMPART_OPERATOR_TOKEN": strings.Repeat("x", 32),
		"RAMPART_ISSUER": "https://auth.example.com"}), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := good.ProductionProblems(); len(p) != 0 {
		t.Fatalf("secure settings refused: %v", p)
	}
	if len(good.TrustedProxies) != 1 || !good.TrustedProxiesSet {
		t.Fatalf("proxies = %v", good.TrustedProxies)
	}
}

// TestProductionRequiresIssuer: two replicas defaulting the issuer to their
// own addresses refuse each other's tokens, so production names it; the
// development default stays.
func TestProductionRequiresIssuer(t *testing.T) {
	secure := map[string]string{"RAMPART_ENV": "production", "RAMPART_MASTER_KEY_FILE": "/k",
		"RAMPART_TRUSTED_PROXIES": "10.0.0.0/8", "RAMPART_OPERATOR_TOKEN": strings.Repeat("x", 32)}
	c, err := Load("t", nil, env(secure), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p := c.ProductionProblems(); len(p) != 1 || !strings.Contains(p[0], "RAMPART_ISSUER") {
		t.Fatalf("problems = %q, want one line naming RAMPART_ISSUER", p)
	}
	for _, args := range [][]string{nil, {"--issuer", "https://auth.example.com"}} {
		e := map[string]string{}
		for k, v := range secure {
			e[k] = v
		}
		if args == nil {
			e["RAMPART_ISSUER"] = "https://auth.example.com"
		}
		c, err := Load("t", args, env(e), io.Discard, nil)
		if err != nil {
			t.Fatal(err)
		}
		if p := c.ProductionProblems(); len(p) != 0 || c.Issuer != "https://auth.example.com" || c.IssuerDefaulted {
			t.Fatalf("issuer %q (defaulted %v) refused: %q", c.Issuer, c.IssuerDefaulted, p)
		}
	}
	dev, err := Load("t", nil, env(map[string]string{"RAMPART_ADDR": ":9000"}), io.Discard, nil)
	if err != nil {
		t.Fatal(err)
	}
	if dev.Issuer != "http://localhost:9000" || !dev.IssuerDefaulted || dev.ProductionProblems() != nil {
		t.Fatalf("development issuer = %q (defaulted %v)", dev.Issuer, dev.IssuerDefaulted)
	}
}
