package encryption

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/rampart-dev/rampart"
	"github.com/rampart-dev/rampart/audit"
	"github.com/rampart-dev/rampart/auth"
	"github.com/rampart-dev/rampart/identity"
	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

// recorder keeps the events the service records, and plays the tenants,
// secrets, signing keys and jobs the service asks about.
type recorder struct {
	mu       sync.Mutex
	events   []*audit.Event
	tenants  map[string]bool
	triggers []string
}

func (r *recorder) Audit(_ context.Context, tenantID string, events ...*audit.Event) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, events...)
}

func (r *recorder) TenantPolicy(_ context.Context, id string) (identity.TenantPolicy, error) {
	if !r.tenants[id] {
		return identity.TenantPolicy{}, rampart.Errorf(rampart.ENotFound, "tenant not found")
	}
	return identity.TenantPolicy{}, nil
}

func (r *recorder) SecretStatus(context.Context, string) (int, int, error) { return 3, 1, nil }

func (r *recorder) RotateKey(context.Context) (*keys.SigningKey, error) {
	return &keys.SigningKey{KID: "new", Alg: "EdDSA"}, nil
}

func (r *recorder) Trigger(_ context.Context, name string) error {
	r.triggers = append(r.triggers, name)
	return nil
}

func (r *recorder) take() []*audit.Event {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.events
	r.events = nil
	return out
}

func newService(t *testing.T) (*Service, *recorder, string) {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, testdb.URL(t, "sqlite"), t.TempDir())
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
	now := time.Now().UTC().Truncate(time.Second)
	tn := &identity.Tenant{ID: uuid.NewString(), Slug: "tenant-a", Name: "A", Status: identity.TenantActive, CreatedAt: now, UpdatedAt: now}
	if err := st.AsOperator(ctx, func(tx *store.Tx) error { return tx.CreateTenant(ctx, tn) }); err != nil {
		t.Fatal(err)
	}
	rec := &recorder{tenants: map[string]bool{tn.ID: true}}
	s := New(Deps{Vault: vault.New(st, mk, vault.Options{}), Auditor: rec, Tenants: rec, Secrets: rec, SigningKeys: rec, Jobs: rec})
	return s, rec, tn.ID
}

func code(err error) string {
	if err == nil {
		return ""
	}
	return rampart.ErrorCode(err) + " " + fieldOf(err)
}

func fieldOf(err error) string {
	var e *rampart.Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

func TestValueRules(t *testing.T) {
	for _, c := range []struct {
		name string
		v    Value
		want string
	}{
		{"default purpose", Value{Context: "users/1/email"}, ""},
		{"unknown purpose", Value{Purpose: "gossip", Context: "c"}, "unprocessable purpose"},
		{"no context", Value{}, "unprocessable context"},
		{"Rampart's own context", Value{Context: "rampart/mfa_totp/1"}, "unprocessable context"},
		{"long context", Value{Context: string(make([]byte, MaxContextBytes+1))}, "unprocessable context"},
		{"subject without personal_data", Value{Purpose: "email", Subject: "u1", Context: "c"}, "unprocessable subject"},
		{"subject with personal_data", Value{Purpose: "personal_data", Subject: "u1", Context: "c"}, ""},
		{"long subject", Value{Purpose: "personal_data", Subject: string(make([]byte, MaxSubjectBytes+1)), Context: "c"}, "unprocessable subject"},
	} {
		if got := code(c.v.Check("")); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if got := code(Value{}.Check("items[2].")); got != "unprocessable items[2].context" {
		t.Errorf("prefix: %q", got)
	}
	for _, c := range []struct {
		s    Sealed
		want string
	}{
		{Sealed{Context: "c"}, "unprocessable ciphertext"},
		{Sealed{Ciphertext: string(make([]byte, MaxCiphertextText+1)), Context: "c"}, "unprocessable ciphertext"},
		{Sealed{Ciphertext: "x"}, "unprocessable context"},
		{Sealed{Ciphertext: "x", Context: "c"}, ""},
	} {
		if got := code(c.s.Check("")); got != c.want {
			t.Errorf("%+v: %q, want %q", c.s, got, c.want)
		}
	}
}

func TestDecryptionsAreRecorded(t *testing.T) {
	ctx := context.Background()
	s, rec, tenant := newService(t)
	p := &auth.Principal{TenantID: tenant, UserID: "u1"}
	actor := audit.Actor{IP: "192.0.2.1", UserAgent: "test"}

	c, err := s.Encrypt(ctx, p, Value{Context: "c", Plaintext: []byte("secret")})
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.take(); len(got) != 0 {
		t.Fatalf("encrypting recorded %d events", len(got))
	}
	pt, err := s.Decrypt(ctx, p, Sealed{Ciphertext: c, Context: "c"}, actor)
	if err != nil || string(pt) != "secret" {
		t.Fatalf("%q %v", pt, err)
	}
	ev := rec.take()
	if len(ev) != 1 || ev[0].Type != audit.DataAccess || ev[0].UserID != "u1" || ev[0].IP != actor.IP || ev[0].Resource != "crypto:decrypt" ||
		ev[0].Details["operation"] != "decrypt" || ev[0].Details["purpose"] != keys.PurposeDefault {
		t.Fatalf("decrypt event: %+v", ev)
	}

	// A wrong context fails the item, not the batch; the batch is one event.
	res, err := s.DecryptBatch(ctx, p, []Sealed{{Ciphertext: c, Context: "c"}, {Ciphertext: c, Context: "other"}}, actor)
	if err != nil {
		t.Fatal(err)
	}
	if string(res[0].Plaintext) != "secret" || rampart.ErrorCode(res[1].Err) != rampart.EUnprocessable {
		t.Fatalf("batch: %+v", res)
	}
	ev = rec.take()
	if len(ev) != 1 || ev[0].Details["items"] != 2 || ev[0].Details["failed"] != 1 {
		t.Fatalf("batch event: %+v", ev)
	}
	if _, err := s.RewrapBatch(ctx, p, []Sealed{{Ciphertext: c, Context: "c"}}); err != nil || len(rec.take()) != 0 {
		t.Fatalf("rewrap: %v, or it was recorded", err)
	}
	if _, err := s.DecryptBatch(ctx, p, nil, actor); code(err) != "unprocessable items" {
		t.Fatalf("empty batch: %v", err)
	}

	// A file is recorded once, when its end is read.
	var sealed bytes.Buffer
	if _, err := s.EncryptFile(ctx, p, Value{Context: "f"}, &sealed, bytes.NewReader(bytes.Repeat([]byte("x"), 200_000))); err != nil {
		t.Fatal(err)
	}
	plain, err := s.DecryptFile(ctx, p, "f", &sealed, actor)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := plain.Read(make([]byte, 10)); err != nil || len(rec.take()) != 0 {
		t.Fatalf("recorded before the end: %v", err)
	}
	if _, err := io.Copy(io.Discard, plain); err != nil {
		t.Fatal(err)
	}
	plain.Read(make([]byte, 1))
	if ev := rec.take(); len(ev) != 1 || ev[0].Resource != "crypto:decrypt_file" {
		t.Fatalf("file events: %+v", ev)
	}
}

func TestDocumentRules(t *testing.T) {
	ctx := context.Background()
	s, _, tenant := newService(t)
	p := &auth.Principal{TenantID: tenant, UserID: "u1"}
	for _, c := range []struct {
		fields  map[string]string
		subject string
		want    string
	}{
		{map[string]string{"a..b": "email"}, "", "unprocessable fields.a..b"},
		{map[string]string{".a": "email"}, "", "unprocessable fields..a"},
		{map[string]string{"a": "gossip"}, "", "unprocessable fields.a"},
		{map[string]string{"a": "email"}, "u1", "unprocessable fields.a"},
		{map[string]string{"a": "personal_data"}, "u1", ""},
	} {
		_, err := s.EncryptDocument(ctx, p, map[string]any{"a": "x"}, c.fields, c.subject, "doc")
		if got := code(err); got != c.want {
			t.Errorf("%v %q: %q, want %q", c.fields, c.subject, got, c.want)
		}
	}
}

func TestRotationRules(t *testing.T) {
	ctx := context.Background()
	s, rec, tenant := newService(t)
	admin := &auth.Principal{TenantID: tenant, UserID: "u1"}
	other := uuid.NewString()
	for _, c := range []struct {
		name string
		by   *auth.Principal
		req  Rotation
		want string
	}{
		{"admin names another tenant", admin, Rotation{Tenant: other}, "forbidden tenant"},
		{"operator names a purpose without a tenant", nil, Rotation{Purpose: "email"}, "unprocessable tenant"},
		{"operator names a tenant not by id", nil, Rotation{Tenant: "tenant-a"}, "unprocessable tenant"},
		{"operator names an unknown tenant", nil, Rotation{Tenant: other}, "not_found "},
		{"unknown purpose", admin, Rotation{Purpose: "gossip"}, "unprocessable purpose"},
	} {
		if _, err := s.RotateKeys(ctx, c.by, c.req, audit.Actor{}); code(err) != c.want {
			t.Errorf("%s: %q, want %q", c.name, code(err), c.want)
		}
	}
	if len(rec.take()) != 0 || len(rec.triggers) != 0 {
		t.Fatal("a refused rotation recorded or triggered something")
	}

	res, err := s.RotateKeys(ctx, nil, Rotation{}, audit.Actor{})
	if err != nil || res.Signing == nil || res.Signing.KID != "new" || len(res.Keys) != 0 {
		t.Fatalf("signing: %+v %v", res, err)
	}

	res, err = s.RotateKeys(ctx, admin, Rotation{Purpose: "email"}, audit.Actor{IP: "192.0.2.1"})
	if err != nil || res.Tenant != tenant || len(res.Keys) != 1 || res.Keys[0].Purpose != keys.PurposeEmail {
		t.Fatalf("admin: %+v %v", res, err)
	}
	ev := rec.take()
	if len(ev) != 1 || ev[0].Type != audit.DataKeyRotated || ev[0].UserID != "u1" || ev[0].Resource != "data_keys" {
		t.Fatalf("admin event: %+v", ev)
	}
	res, err = s.RotateKeys(ctx, nil, Rotation{Tenant: tenant}, audit.Actor{})
	if err != nil || len(res.Keys) != len(keys.Purposes()) {
		t.Fatalf("operator: %+v %v", res, err)
	}
	if ev := rec.take(); len(ev) != 1 || ev[0].UserID != "operator" {
		t.Fatalf("operator event: %+v", ev)
	}
	if len(rec.triggers) != 2 || rec.triggers[0] != "reencrypt:"+tenant {
		t.Fatalf("triggers: %v", rec.triggers)
	}

	st, err := s.KeyStatus(ctx, admin, other) // a tenant's caller sees its own
	if err != nil || st.Tenant != tenant || st.Secrets != 3 || st.Current != 1 || len(st.Keys) == 0 {
		t.Fatalf("status: %+v %v", st, err)
	}
	if _, err := s.KeyStatus(ctx, nil, ""); code(err) != "unprocessable tenant" {
		t.Fatalf("operator status without a tenant: %v", err)
	}
}
