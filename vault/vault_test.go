package vault

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

type fixture struct {
	st     *store.Store
	master *keys.MasterKey
	clock  *clock
	a, b   string // two tenants
}

func newFixture(t testing.TB, dialect string) *fixture {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, testdb.URL(t, dialect), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if _, err := st.Migrate(ctx); err != nil {
		t.Fatal(err)
	}
	raw := make([]byte, 32)
	rand.Read(raw)
	mk, err := keys.ParseMasterKey(base64.StdEncoding.EncodeToString(raw))
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{st: st, master: mk, clock: &clock{t: time.Now().UTC().Truncate(time.Second)}}
	for _, slug := range []string{"tenant-a", "tenant-b"} {
		tn := &identity.Tenant{ID: uuid.NewString(), Slug: slug, Name: slug, Status: identity.TenantActive, CreatedAt: f.clock.now(), UpdatedAt: f.clock.now()}
		if err := st.AsOperator(ctx, func(tx *store.Tx) error { return tx.CreateTenant(ctx, tn) }); err != nil {
			t.Fatal(err)
		}
		if f.a == "" {
			f.a = tn.ID
		} else {
			f.b = tn.ID
		}
	}
	return f
}

func (f *fixture) vault(o Options) *Vault {
	o.Now = f.clock.now
	return New(f.st, f.master, o)
}

func eachDialect(t *testing.T, fn func(t *testing.T, f *fixture)) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) { fn(t, newFixture(t, d)) })
	}
}

func isDecryptError(err error) bool {
	return rampart.ErrorCode(err) == rampart.EUnprocessable && strings.Contains(err.Error(), "does not decrypt")
}

func TestCiphertextsStayInTheirPlace(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		v := f.vault(Options{})
		c, err := v.Encrypt(ctx, Field{TenantID: f.a, Purpose: keys.PurposeEmail, Context: "users/1/email"}, []byte("alice@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		pt, h, err := v.Decrypt(ctx, f.a, "users/1/email", c)
		if err != nil || string(pt) != "alice@example.com" || h.Version != 1 || h.Key.Purpose != keys.PurposeEmail {
			t.Fatalf("%q %+v %v", pt, h, err)
		}
		// Another row, field or tenant: the same one error.
		for _, place := range [][2]string{{f.a, "users/2/email"}, {f.a, "users/1/phone"}, {f.b, "users/1/email"}} {
			if _, _, err := v.Decrypt(ctx, place[0], place[1], c); !isDecryptError(err) {
				t.Errorf("decrypted in %v: %v", place, err)
			}
		}
		// A second replica (another Vault on the same store) reads it.
		if pt, _, err := f.vault(Options{}).Decrypt(ctx, f.a, "users/1/email", c); err != nil || string(pt) != "alice@example.com" {
			t.Fatalf("second replica: %v", err)
		}
		// A different master key cannot open the tenant's keys.
		other, _ := keys.ParseMasterKey(base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)))
		if _, _, err := New(f.st, other, Options{}).Decrypt(ctx, f.a, "users/1/email", c); err == nil {
			t.Fatal("decrypted under another master key")
		}
		// Raw key rows hold no key material in the clear: every sealed
		// value is longer than a key and differs between tenants.
		var sealed [][]byte
		for _, tn := range []string{f.a, f.b} {
			v.Encrypt(ctx, Field{TenantID: tn, Purpose: keys.PurposeSSN, Context: "x"}, []byte("1"))
			f.st.ReadTenant(ctx, tn, func(tx *store.Tx) error {
				ks, _ := tx.DataKeys(ctx, "ssn", "")
				for _, k := range ks {
					sealed = append(sealed, k.Sealed)
				}
				return nil
			})
		}
		if len(sealed) != 2 || len(sealed[0]) <= 32 || bytes.Equal(sealed[0], sealed[1]) {
			t.Fatalf("sealed keys %d", len(sealed))
		}
	})
}

func TestRotationAndRewrap(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		v := f.vault(Options{})
		field := Field{TenantID: f.a, Purpose: keys.PurposeCreditCard, Context: "payments/9/card"}
		old, _ := v.Encrypt(ctx, field, []byte("4111111111111111"))
		n, err := v.Rotate(ctx, f.a, keys.PurposeCreditCard)
		if err != nil || n != 2 {
			t.Fatalf("rotate: %d %v", n, err)
		}
		fresh, _ := v.Encrypt(ctx, field, []byte("5500005555555559"))
		if h, _ := headerOf(fresh); h.Version != 2 {
			t.Fatalf("new writes use v%d", h.Version)
		}
		if pt, _, err := v.Decrypt(ctx, f.a, field.Context, old); err != nil || string(pt) != "4111111111111111" {
			t.Fatalf("old ciphertext after rotation: %v", err)
		}
		re, h, err := v.Rewrap(ctx, f.a, field.Context, old)
		if err != nil || h.Version != 2 || re == old {
			t.Fatalf("rewrap: %+v %v", h, err)
		}
		if pt, _, err := v.Decrypt(ctx, f.a, field.Context, re); err != nil || string(pt) != "4111111111111111" {
			t.Fatalf("rewrapped: %v", err)
		}
		if _, _, err := v.Decrypt(ctx, f.a, "payments/10/card", re); !isDecryptError(err) {
			t.Fatal("rewrap lost the context")
		}
		// A replica that cached v1 decrypts v2 at once (reload on a newer
		// version) and moves to v2 for writes within the cache TTL.
		stale := f.vault(Options{})
		stale.Encrypt(ctx, Field{TenantID: f.a, Purpose: keys.PurposeTokens, Context: "c"}, []byte("x"))
		v.Rotate(ctx, f.a, keys.PurposeTokens)
		c2, _ := v.Encrypt(ctx, Field{TenantID: f.a, Purpose: keys.PurposeTokens, Context: "c"}, []byte("y"))
		if pt, _, err := stale.Decrypt(ctx, f.a, "c", c2); err != nil || string(pt) != "y" {
			t.Fatalf("stale replica: %v", err)
		}
		// Rotation by age: 91 days later the next write rotates.
		f.clock.add(91 * 24 * time.Hour)
		c3, _ := v.Encrypt(ctx, field, []byte("z"))
		if h, _ := headerOf(c3); h.Version != 3 {
			t.Fatalf("after 91 days writes use v%d", h.Version)
		}
		due, err := v.RotateDue(ctx, f.a)
		if err != nil || len(due) == 0 {
			t.Fatalf("rotate due: %v %v", due, err)
		}
	})
}

func headerOf(s string) (keys.Header, error) {
	c, err := keys.DecodeCiphertext(s)
	if err != nil {
		return keys.Header{}, err
	}
	return keys.ParseHeader(c)
}

// TestUseLimitForcesRotation: a version that has done its encryptions is
// replaced, across replicas (reservations are counted in the database).
func TestUseLimitForcesRotation(t *testing.T) {
	f := newFixture(t, "sqlite")
	ctx := context.Background()
	a, b := f.vault(Options{UseLimit: 3 * reserveBlock}), f.vault(Options{UseLimit: 3 * reserveBlock})
	field := Field{TenantID: f.a, Purpose: keys.PurposeDefault, Context: "c"}
	versions := map[uint32]int{}
	for i := 0; i < 4*reserveBlock; i++ {
		v := a
		if i%2 == 1 {
			v = b
		}
		k, err := v.current(ctx, f.a, v.keyID(field))
		if err != nil {
			t.Fatal(err)
		}
		versions[k.Version]++
	}
	if versions[1] > 3*reserveBlock || versions[2] == 0 {
		t.Fatalf("uses by version: %v", versions)
	}
}

func TestShreddingASubject(t *testing.T) {
	eachDialect(t, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		v := f.vault(Options{})
		alice := Field{TenantID: f.a, Purpose: keys.PurposePersonalData, Subject: "end-user-alice", Context: "profiles/alice/notes"}
		bob := Field{TenantID: f.a, Purpose: keys.PurposePersonalData, Subject: "end-user-bob", Context: "profiles/bob/notes"}
		ca, _ := v.Encrypt(ctx, alice, []byte("alice's notes"))
		cb, _ := v.Encrypt(ctx, bob, []byte("bob's notes"))
		if h, _ := headerOf(ca); !h.Key.PerUser() || h.Key.User != v.SubjectID(f.a, "end-user-alice") {
			t.Fatalf("not a per-subject key: %+v", h)
		}
		n, err := v.Shred(ctx, f.a, "end-user-alice")
		if err != nil || n != 1 {
			t.Fatalf("shred: %d %v", n, err)
		}
		// Every replica, including one that never cached the key.
		for _, r := range []*Vault{v, f.vault(Options{})} {
			if _, _, err := r.Decrypt(ctx, f.a, alice.Context, ca); !isDecryptError(err) {
				t.Fatalf("shredded data decrypted: %v", err)
			}
			if pt, _, err := r.Decrypt(ctx, f.a, bob.Context, cb); err != nil || string(pt) != "bob's notes" {
				t.Fatalf("other subject: %v", err)
			}
		}
		if _, err := v.Encrypt(ctx, alice, []byte("more")); !errors.Is(err, ErrShredded) {
			t.Fatalf("encrypt for a shredded subject: %v", err)
		}
	})
}

func TestDocumentsAreAllOrNothing(t *testing.T) {
	f := newFixture(t, "sqlite")
	ctx := context.Background()
	v := f.vault(Options{})
	doc := func() map[string]any {
		var m map[string]any
		json.Unmarshal([]byte(`{"user": {"email": "a@b.co", "name": "Ann"}, "payment": {"card": "4111 1111 1111 1111", "amount": 12.5}, "tags": ["x"]}`), &m)
		return m
	}
	fields := map[string]keys.Purpose{"user.email": keys.PurposeEmail, "payment.card": keys.PurposeCreditCard, "tags": keys.PurposeDefault}
	d := doc()
	if err := v.EncryptDocument(ctx, f.a, d, fields, "", "orders/7", json.Marshal); err != nil {
		t.Fatal(err)
	}
	if s, _ := d["user"].(map[string]any)["email"].(string); !strings.HasPrefix(s, keys.CiphertextPrefix) || d["user"].(map[string]any)["name"] != "Ann" {
		t.Fatalf("encrypted: %v", d)
	}
	if rec := d[EncryptedFieldsKey].(map[string]any); rec["payment.card"] != "credit_card" || len(rec) != 3 {
		t.Fatalf("record: %v", rec)
	}
	// A field moved within the document does not decrypt.
	moved := cloneDoc(d)
	moved["user"].(map[string]any)["email"] = d["payment"].(map[string]any)["card"]
	before := cloneDoc(moved)
	if _, err := v.DecryptDocument(ctx, f.a, moved, "orders/7", unmarshalJSON); err == nil || !strings.Contains(err.Error(), "does not decrypt") {
		t.Fatalf("moved field: %v", err)
	}
	if !jsonEqual(moved, before) {
		t.Fatal("a failed decryption changed the document")
	}
	paths, err := v.DecryptDocument(ctx, f.a, d, "orders/7", unmarshalJSON)
	if err != nil || len(paths) != 3 || !jsonEqual(d, doc()) {
		t.Fatalf("round trip: %v %v", err, d)
	}
	// A missing path refuses the whole call and leaves the document whole.
	d = doc()
	err = v.EncryptDocument(ctx, f.a, d, map[string]keys.Purpose{"user.email": keys.PurposeEmail, "user.phone": keys.PurposePhone}, "", "orders/7", json.Marshal)
	var e *rampart.Error
	if !errors.As(err, &e) || e.Field != "fields.user.phone" || !jsonEqual(d, doc()) {
		t.Fatalf("missing path: %v %v", err, d)
	}
}

func unmarshalJSON(b []byte) (any, error) {
	var v any
	err := json.Unmarshal(b, &v)
	return v, err
}

func cloneDoc(d map[string]any) map[string]any {
	b, _ := json.Marshal(d)
	var out map[string]any
	json.Unmarshal(b, &out)
	return out
}

func jsonEqual(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}

func TestFiles(t *testing.T) {
	f := newFixture(t, "sqlite")
	ctx := context.Background()
	v := f.vault(Options{})
	plain := make([]byte, 300_000)
	rand.Read(plain)
	var enc bytes.Buffer
	field := Field{TenantID: f.a, Purpose: keys.PurposeDefault, Context: "files/contract.pdf"}
	if n, err := v.EncryptFile(ctx, field, &enc, bytes.NewReader(plain)); err != nil || n != int64(len(plain)) {
		t.Fatal(n, err)
	}
	r, h, err := v.DecryptFile(ctx, f.a, field.Context, bytes.NewReader(enc.Bytes()))
	if err != nil || h.Version != 1 {
		t.Fatal(err)
	}
	got, err := io.ReadAll(r)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("round trip: %v", err)
	}
	for name, c := range map[string][]byte{
		"other context": enc.Bytes(),
		"truncated":     enc.Bytes()[:enc.Len()-100],
		"altered":       flip(enc.Bytes(), enc.Len()/2),
		"header":        flip(enc.Bytes(), 6),
	} {
		ctxName := field.Context
		if name == "other context" {
			ctxName = "files/other.pdf"
		}
		r, _, err := v.DecryptFile(ctx, f.a, ctxName, bytes.NewReader(c))
		if err == nil {
			_, err = io.ReadAll(r)
		}
		if !errors.Is(err, keys.ErrDecrypt) && !isDecryptError(err) {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func flip(b []byte, i int) []byte {
	c := bytes.Clone(b)
	c[i] ^= 1
	return c
}

// BenchmarkRewrapField re-encrypts a 100-byte field from an old key version
// to the newest (keys cached), the work of a re-encryption job per field
// without its database writes:
//
//	go test -run '^$' -bench Rewrap -benchmem -cpu 1 ./vault
func BenchmarkRewrapField(b *testing.B) {
	f := newFixture(b, "sqlite")
	ctx := context.Background()
	v := f.vault(Options{})
	field := Field{TenantID: f.a, Purpose: keys.PurposeEmail, Context: "users/42/email"}
	old, err := v.Encrypt(ctx, field, bytes.Repeat([]byte("x"), 100))
	if err != nil {
		b.Fatal(err)
	}
	v.Rotate(ctx, f.a, keys.PurposeEmail)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := v.Rewrap(ctx, f.a, field.Context, old); err != nil {
			b.Fatal(err)
		}
	}
}

func TestSmallUseLimit(t *testing.T) {
	f := newFixture(t, "sqlite")
	ctx := context.Background()
	v := f.vault(Options{UseLimit: 10})
	field := Field{TenantID: f.a, Purpose: keys.PurposeDefault, Context: "c"}
	seen := map[uint32]int{}
	for i := 0; i < 25; i++ {
		k, err := v.current(ctx, f.a, v.keyID(field))
		if err != nil {
			t.Fatal(err)
		}
		seen[k.Version]++
	}
	for ver, n := range seen {
		if n > 10 {
			t.Fatalf("version %d did %d encryptions (limit 10): %v", ver, n, seen)
		}
	}
	if len(seen) < 3 {
		t.Fatalf("versions %v", seen)
	}
}
