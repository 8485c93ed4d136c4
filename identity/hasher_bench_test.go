package identity

import (
	"context"
	"testing"
)

// BenchmarkHashProduction measures one Argon2id hash with the design's
// parameters (t=3, m=64 MiB, p=1) on one core: hashes/s per core = 1e9/ns_op.
func BenchmarkHashProduction(b *testing.B) {
	h := NewHasher(DefaultArgon2Params, 1, 1)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Hash(context.Background(), "Tr1cky-Passw0rd!"); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkPasswordPolicy measures the strength checks, common list included.
func BenchmarkPasswordPolicy(b *testing.B) {
	p := NewPasswordPolicy()
	b.ReportAllocs()
	for b.Loop() {
		p.Checks("Tr1cky-Passw0rd!", "alice@example.com")
	}
}
