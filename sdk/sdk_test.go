package sdk_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/sdk"
	"github.com/rampart-dev/rampart/token"
)

// fakeRampart serves a JWKS the way Rampart does and signs tokens with its
// current key; rotate makes a new one.
type fakeRampart struct {
	ring    *keys.Keyring
	all     []*keys.SigningKey
	fetches atomic.Int64
	srv     *httptest.Server
}

func newFakeRampart() *fakeRampart {
	f := &fakeRampart{ring: &keys.Keyring{}}
	f.rotate()
	f.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.fetches.Add(1)
		w.Write(f.ring.JWKS())
	}))
	return f
}

func (f *fakeRampart) rotate() {
	k, _ := keys.GenerateSigningKey(keys.ES256, time.Now())
	f.all = append(f.all, k)
	f.ring.Set(k, f.all)
}

// token signs a token of tenant t1.
func (f *fakeRampart) token(role string, perms ...string) string {
	is := &token.Issuer{Keyring: f.ring, Issuer: f.srv.URL, Audience: []string{"rampart"}}
	raw, _, _ := is.Issue(token.Claims{Subject: "u1", TenantID: "t1", SessionID: "s1", Role: role, Permissions: perms}, time.Now(), 15*time.Minute)
	return raw
}

func get(h http.Handler, tok string) int {
	rec := httptest.NewRecorder()
	req := httptest.NewRequest("GET", "/", nil)
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	h.ServeHTTP(rec, req)
	return rec.Code
}

func TestMiddlewareAndPermissions(t *testing.T) {
	f := newFakeRampart()
	defer f.srv.Close()
	v := sdk.NewVerifier(sdk.Config{Issuer: f.srv.URL, Audience: "rampart"})
	ok := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, found := sdk.Claims(r.Context()); !found || c.Subject != "u1" {
			t.Error("claims missing from the context")
		}
	})
	h := v.Middleware(sdk.RequirePermission("conversations:read", ok))
	for name, tc := range map[string]struct {
		tok  string
		want int
	}{
		"viewer":             {f.token("viewer"), 200},
		"api_user":           {f.token("api_user"), 200},
		"custom grant":       {f.token("nobody", "conversations:*"), 200},
		"no permission":      {f.token("nobody"), 403},
		"no token":           {"", 401},
		"garbage":            {"a.b.c", 401},
		"other audience key": {otherDeployment(t), 401},
	} {
		if got := get(h, tc.tok); got != tc.want {
			t.Errorf("%s: %d, want %d", name, got, tc.want)
		}
	}
	// A rotation: the new key is fetched once, on the first token that names
	// it (a fresh verifier: unknown kids above used up the refetch allowance,
	// which lasts ten seconds).
	v = sdk.NewVerifier(sdk.Config{Issuer: f.srv.URL, Audience: "rampart"})
	h = v.Middleware(sdk.RequirePermission("conversations:read", ok))
	get(h, f.token("viewer"))
	before := f.fetches.Load()
	f.rotate()
	if got := get(h, f.token("viewer")); got != 200 {
		t.Fatalf("token of a rotated key: %d", got)
	}
	if f.fetches.Load() != before+1 {
		t.Fatalf("%d fetches for one rotation", f.fetches.Load()-before)
	}
	// Unknown kids do not make every request fetch.
	for i := 0; i < 20; i++ {
		get(h, otherDeployment(t))
	}
	if f.fetches.Load() > before+2 {
		t.Fatalf("unknown kids caused %d fetches", f.fetches.Load()-before)
	}
}

func otherDeployment(t *testing.T) string {
	other := newFakeRampart()
	defer other.srv.Close()
	return other.token("owner")
}

func TestTenantsAndOutages(t *testing.T) {
	f := newFakeRampart()
	v := sdk.NewVerifier(sdk.Config{Issuer: f.srv.URL, TenantID: "t1"})
	if get(v.Middleware(http.NotFoundHandler()), f.token("viewer")) != 404 {
		t.Fatal("own tenant's token refused")
	}
	other := sdk.NewVerifier(sdk.Config{Issuer: f.srv.URL, TenantID: "t2"})
	if get(other.Middleware(http.NotFoundHandler()), f.token("viewer")) != 401 {
		t.Fatal("another tenant's token admitted")
	}
	// Per-tenant catalogues: a tenant missing from them is denied.
	cat, _ := authz.NewCatalogue(authz.PresetCoaching, nil)
	scoped := sdk.NewVerifier(sdk.Config{Issuer: f.srv.URL, Catalogues: map[string]*authz.Catalogue{"t1": cat}})
	h := scoped.Middleware(sdk.RequirePermission("read:own_data", http.NotFoundHandler()))
	if get(h, f.token("creator")) != 404 || get(h, f.token("admin", "x:y")) != 404 || get(h, f.token("support")) != 403 {
		t.Fatal("coaching catalogue not applied")
	}
	// Rampart goes away: cached keys keep working, without a fetch per request.
	tok := f.token("viewer")
	before := f.fetches.Load()
	f.srv.Close()
	for i := 0; i < 50; i++ {
		if get(v.Middleware(http.NotFoundHandler()), tok) != 404 {
			t.Fatal("cached keys stopped working")
		}
	}
	if f.fetches.Load() != before {
		t.Fatal("requests fetched the JWKS during the outage")
	}
}

// Example shows a service protecting a route with Rampart tokens. The fake
// Rampart here stands in for https://rampart.example.com.
func Example() {
	rampart := newFakeRampart()
	defer rampart.srv.Close()

	v := sdk.NewVerifier(sdk.Config{Issuer: rampart.srv.URL, Audience: "rampart"})
	mux := http.NewServeMux()
	mux.Handle("GET /conversations", v.Middleware(sdk.RequirePermission("conversations:read",
		http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			c, _ := sdk.Claims(r.Context())
			fmt.Fprintf(w, "conversations of tenant %s for %s", c.TenantID, c.Subject)
		}))))
	svc := httptest.NewServer(mux)
	defer svc.Close()

	for _, role := range []string{"member", "nobody"} {
		req, _ := http.NewRequest("GET", svc.URL+"/conversations", nil)
		req.Header.Set("Authorization", "Bearer "+rampart.token(role))
		resp, _ := http.DefaultClient.Do(req)
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		fmt.Println(role, resp.StatusCode, string(body)[:min(len(body), 40)])
	}
	// Output:
	// member 200 conversations of tenant t1 for u1
	// nobody 403 {"detail":"permission conversations:read
}

// TestDesignClaims: the chatbot design's claims and a tenant's custom
// claims reach the handler through sdk.Claims.
func TestDesignClaims(t *testing.T) {
	f := newFakeRampart()
	defer f.srv.Close()
	is := &token.Issuer{Keyring: f.ring, Issuer: f.srv.URL, Audience: []string{"rampart"}}
	raw, _, err := is.Issue(token.Claims{Subject: "u1", TenantID: "t1", SessionID: "s1", Role: "member",
		FeatureFlags: []string{"beta_ui"}, DataResidency: "eu", ComplianceLevel: "hipaa", DailyQuota: 500, TermsAccepted: true,
		DeviceID: "dev-1", UserAgentHash: token.UserAgentHash("app/1"), Custom: map[string]any{"department": "sales"}}, time.Now(), time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	c, err := sdk.NewVerifier(sdk.Config{Issuer: f.srv.URL, Audience: "rampart"}).Verify(context.Background(), raw)
	if err != nil {
		t.Fatal(err)
	}
	if len(c.FeatureFlags) != 1 || c.DataResidency != "eu" || c.ComplianceLevel != "hipaa" || c.DailyQuota != 500 || !c.TermsAccepted ||
		c.PasswordChangeRequired || c.DeviceID != "dev-1" || c.UserAgentHash != token.UserAgentHash("app/1") || c.Custom["department"] != "sales" {
		t.Fatalf("claims %+v", c)
	}
}
