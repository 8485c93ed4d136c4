package privacy

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"sort"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/storetest"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

type fixedPurposes []string

func (p fixedPurposes) Purposes(context.Context, string) ([]string, error) { return p, nil }

type fixture struct {
	st     *store.Store
	vault  *vault.Vault
	tenant string
}

func newFixture(t testing.TB, dialect string) *fixture {
	t.Helper()
	ctx := context.Background()
	st := storetest.Open(t, dialect)
	raw := make([]byte, 32)
	rand.Read(raw)
	mk, err := keys.ParseMasterKey(base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now().UTC()
	tn := &identity.Tenant{ID: uuid.NewString(), Slug: "acme", Name: "Acme", Status: identity.TenantActive, CreatedAt: now, UpdatedAt: now}
	if err := st.AsOperator(ctx, func(tx *store.Tx) error { return tx.CreateTenant(ctx, tn) }); err != nil {
		t.Fatal(err)
	}
	return &fixture{st: st, vault: vault.New(st, mk, vault.Options{}), tenant: tn.ID}
}

func (f *fixture) consents() *Consents {
	return NewConsents(ConsentDeps{Store: f.st, Vault: f.vault, Purposes: fixedPurposes{"marketing", "analytics"}})
}

func TestTruncateAddress(t *testing.T) {
	for in, want := range map[string]string{
		"203.0.113.77": "203.0.113.0", "::ffff:203.0.113.77": "203.0.113.0", "2001:db8:1234:5678::1": "2001:db8:1234::", "nope": "", "": "",
	} {
		if got := TruncateAddress(in); got != want {
			t.Errorf("TruncateAddress(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestConsentRecordsAndErasure: the latest record decides; once the
// subject's key is shredded the records stay as proof without the address
// and user agent, and a withdrawal can still be recorded.
func TestConsentRecordsAndErasure(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			f := newFixture(t, d)
			c := f.consents()
			if _, err := c.Record(ctx, f.tenant, Record{Subject: "u1", Purpose: "other", Granted: true}); rampart.ErrorCode(err) != rampart.EUnprocessable {
				t.Fatalf("unknown purpose: %v", err)
			}
			for _, g := range []bool{true, false, true} {
				if _, err := c.Record(ctx, f.tenant, Record{Subject: "u1", Purpose: "marketing", Granted: g, PolicyVersion: "1", Method: "api", IP: "198.51.100.9", UserAgent: "ua"}); err != nil {
					t.Fatal(err)
				}
			}
			if d, err := c.Check(ctx, f.tenant, "u1", "marketing"); err != nil || !d.Granted {
				t.Fatalf("check: %+v %v", d, err)
			}
			if _, err := f.vault.Shred(ctx, f.tenant, "u1"); err != nil {
				t.Fatal(err)
			}
			if _, err := c.Record(ctx, f.tenant, Record{Subject: "u1", Purpose: "marketing", Granted: false, PolicyVersion: "1", Method: "api", IP: "198.51.100.9", UserAgent: "ua"}); err != nil {
				t.Fatalf("withdrawal after erasure: %v", err)
			}
			if d, _ := c.Check(ctx, f.tenant, "u1", "marketing"); d.Granted {
				t.Fatal("withdrawal after erasure ignored")
			}
			list, err := c.List(ctx, f.tenant, "u1")
			if err != nil || len(list) != 4 {
				t.Fatalf("list: %d %v", len(list), err)
			}
			for _, r := range list {
				if r.Address != "" || r.UserAgent != "" {
					t.Fatalf("erased subject's record still opens: %+v", r)
				}
			}
		})
	}
}

// BenchmarkConsentCheck measures the check in process on SQLite: "hit" is
// the cached path every check takes but the first after a change, "miss"
// reads the latest record. Each reports its p99.
func BenchmarkConsentCheck(b *testing.B) {
	ctx := context.Background()
	f := newFixture(b, "sqlite")
	c := f.consents()
	const subjects = 1000
	for i := range subjects {
		if _, err := c.Record(ctx, f.tenant, Record{Subject: fmt.Sprint("user-", i), Purpose: "marketing", Granted: i%2 == 0, PolicyVersion: "1", Method: "api", IP: "198.51.100.9"}); err != nil {
			b.Fatal(err)
		}
	}
	run := func(b *testing.B, before func(i int)) {
		b.ReportAllocs()
		durs := make([]time.Duration, 0, b.N)
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if before != nil {
				b.StopTimer()
				before(i)
				b.StartTimer()
			}
			start := time.Now()
			if _, err := c.Check(ctx, f.tenant, fmt.Sprint("user-", i%subjects), "marketing"); err != nil {
				b.Fatal(err)
			}
			durs = append(durs, time.Since(start))
		}
		b.StopTimer()
		sort.Slice(durs, func(i, j int) bool { return durs[i] < durs[j] })
		b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
	}
	b.Run("hit", func(b *testing.B) { run(b, nil) })
	b.Run("miss", func(b *testing.B) { run(b, func(int) { c.apply("*:") }) })
}
