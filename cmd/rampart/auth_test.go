package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
)

const ownerPassword = "Tr1cky-Passw0rd!"

// tenantWithOwner creates a tenant and returns its id.
func (ts *testServer) tenantWithOwner(t *testing.T, slug, email string) string {
	t.Helper()
	resp, body := ts.do(t, "POST", "/v1/tenants", testOperatorToken, newTenantBody(slug, email))
	if resp.StatusCode != 201 {
		t.Fatalf("create tenant: %d %v", resp.StatusCode, body)
	}
	return body["id"].(string)
}

func (ts *testServer) login(t *testing.T, tenant, email, password string) (*http.Response, map[string]any) {
	t.Helper()
	return ts.do(t, "POST", "/v1/auth/login", "", map[string]any{"tenant": tenant, "email": email, "password": password})
}

// mustLogin logs in and returns the access and refresh tokens.
func (ts *testServer) mustLogin(t *testing.T, tenant, email, password string) (string, string) {
	t.Helper()
	resp, body := ts.login(t, tenant, email, password)
	if resp.StatusCode != 200 {
		t.Fatalf("login %s/%s: %d %v", tenant, email, resp.StatusCode, body)
	}
	return body["access_token"].(string), body["refresh_token"].(string)
}

func (ts *testServer) status(t *testing.T, method, path, token string, body any) int {
	t.Helper()
	resp, _ := ts.do(t, method, path, token, body)
	return resp.StatusCode
}

// metric reads one counter or gauge value from /metrics.
func (ts *testServer) metric(t *testing.T, name string) float64 {
	t.Helper()
	_, body := ts.do(t, "GET", "/metrics", "", nil)
	for _, line := range strings.Split(body["_raw"].(string), "\n") {
		if v, ok := strings.CutPrefix(line, name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	t.Fatalf("metric %s not found", name)
	return 0
}

func TestLoginTokenVerifiesWithIndependentJOSEClient(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_JWT_ALG"] = "RS256"
	ts := start(t, env)
	tid := ts.tenantWithOwner(t, "acme", "owner@acme.io")
	resp, body := ts.login(t, "acme", "OWNER@acme.io", ownerPassword)
	if resp.StatusCode != 200 || body["token_type"] != "Bearer" || body["expires_in"].(float64) != 900 || body["session_id"] == "" {
		t.Fatalf("login: %d %v", resp.StatusCode, body)
	}
	if !strings.HasPrefix(body["refresh_token"].(string), "rrt_") {
		t.Fatalf("refresh token %v", body["refresh_token"])
	}
	// Discovery and JWKS over HTTP, then go-jose does the verification.
	_, disc := ts.do(t, "GET", "/.well-known/openid-configuration", "", nil)
	if disc["issuer"] == "" || disc["jwks_uri"] != disc["issuer"].(string)+"/.well-known/jwks.json" {
		t.Fatalf("discovery %v", disc)
	}
	jwksResp, err := http.Get(ts.URL + "/.well-known/jwks.json")
	if err != nil {
		t.Fatal(err)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(jwksResp.Body).Decode(&set); err != nil {
		t.Fatal(err)
	}
	jwksResp.Body.Close()
	if len(set.Keys) != 1 || set.Keys[0].Algorithm != "RS256" || !set.Keys[0].IsPublic() {
		t.Fatalf("jwks %+v", set.Keys)
	}
	tok, err := jwt.ParseSigned(body["access_token"].(string), []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	if tok.Headers[0].KeyID != set.Keys[0].KeyID {
		t.Fatal("kid does not name the published key")
	}
	var std jwt.Claims
	var custom map[string]any
	if err := tok.Claims(set.Keys[0].Key, &std, &custom); err != nil {
		t.Fatalf("go-jose rejects the token: %v", err)
	}
	if err := std.Validate(jwt.Expected{Issuer: disc["issuer"].(string), AnyAudience: jwt.Audience{"rampart"}, Time: time.Now()}); err != nil {
		t.Fatal(err)
	}
	if std.Expiry.Time().Sub(std.IssuedAt.Time()) != 15*time.Minute || std.ID == "" || std.NotBefore == nil {
		t.Fatalf("times %+v", std)
	}
	for _, claim := range []string{"tenant_id", "role", "permissions", "scopes", "sid", "amr", "mfa_verified", "rate_limit_tier"} {
		if _, ok := custom[claim]; !ok {
			t.Errorf("claim %s missing", claim)
		}
	}
	if custom["tenant_id"] != tid || custom["role"] != "owner" || custom["sid"] != body["session_id"] || custom["rate_limit_tier"] != "standard" {
		t.Fatalf("claims %v", custom)
	}
	if amr := custom["amr"].([]any); len(amr) != 1 || amr[0] != "pwd" {
		t.Fatalf("amr %v", amr)
	}
}

func TestLoginFailuresAreIndistinguishable(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		admin, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		resp, u := ts.do(t, "POST", "/v1/users", admin, map[string]any{"email": "gone@acme.io", "password": "An0ther-Str0ng-One", "role": "member"})
		if resp.StatusCode != 201 {
			t.Fatalf("create user: %v", u)
		}
		if ts.status(t, "PATCH", "/v1/users/"+u["id"].(string), admin, map[string]any{"disabled": true}) != 200 {
			t.Fatal("disable user")
		}
		cases := map[string][3]string{
			"wrong password": {"acme", "owner@acme.io", "Wrong-Passw0rd!!"},
			"unknown email":  {"acme", "nobody@acme.io", ownerPassword},
			"unknown tenant": {"nope", "owner@acme.io", ownerPassword},
			"disabled user":  {"acme", "gone@acme.io", "An0ther-Str0ng-One"},
		}
		var first map[string]any
		for name, c := range cases {
			resp, body := ts.login(t, c[0], c[1], c[2])
			assertProblem(t, resp, body, 401)
			if first == nil {
				first = body
			}
			if body["title"] != first["title"] || body["detail"] != first["detail"] || body["type"] != first["type"] {
				t.Errorf("%s answers differently: %v vs %v", name, body, first)
			}
		}
	})
}

func TestLockout(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		// A success resets the count.
		for i := 0; i < 4; i++ {
			ts.login(t, "acme", "owner@acme.io", "wrong")
		}
		ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		for i := 0; i < 4; i++ {
			if resp, _ := ts.login(t, "acme", "owner@acme.io", "wrong"); resp.StatusCode != 401 {
				t.Fatalf("attempt %d after reset: %d", i, resp.StatusCode)
			}
		}
		ts.login(t, "acme", "owner@acme.io", "wrong") // the fifth failure locks
		resp, body := ts.login(t, "acme", "owner@acme.io", ownerPassword)
		assertProblem(t, resp, body, 423)
		if ra, _ := strconv.Atoi(resp.Header.Get("Retry-After")); ra < 800 || ra > 900 {
			t.Fatalf("Retry-After %q", resp.Header.Get("Retry-After"))
		}
		// Unknown emails and tenants lock the same way.
		for _, tenant := range []string{"acme", "ghost-tenant"} {
			for i := 0; i < 5; i++ {
				if resp, _ := ts.login(t, tenant, "nobody@acme.io", "wrong"); resp.StatusCode != 401 {
					t.Fatalf("%s attempt %d: %d", tenant, i, resp.StatusCode)
				}
			}
			if resp, _ := ts.login(t, tenant, "nobody@acme.io", "wrong"); resp.StatusCode != 423 {
				t.Fatalf("%s: unknown email not locked: %d", tenant, resp.StatusCode)
			}
		}
		// Another email of the tenant is not affected.
		ts.do(t, "POST", "/v1/tenants", testOperatorToken, newTenantBody("beta", "owner@acme.io"))
		ts.mustLogin(t, "beta", "owner@acme.io", ownerPassword)
	})
}

// TestParallelGuessesCostAtMostFiveVerifications sends 100 wrong passwords
// at once: the counter is reserved before verifying, so at most 5 hashes run.
func TestParallelGuessesCostAtMostFiveVerifications(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		before := ts.metric(t, "rampart_password_hash_computed_total")
		var wg sync.WaitGroup
		var mu sync.Mutex
		codes := map[int]int{}
		for i := 0; i < 100; i++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				resp, _ := ts.login(t, "acme", "owner@acme.io", fmt.Sprintf("Wrong-%d-Passw0rd!", i))
				mu.Lock()
				codes[resp.StatusCode]++
				mu.Unlock()
			}()
		}
		wg.Wait()
		verified := ts.metric(t, "rampart_password_hash_computed_total") - before
		if verified > 5 || codes[401] > 5 || codes[401]+codes[423] != 100 {
			t.Fatalf("%v verifications, answers %v", verified, codes)
		}
	})
}

func TestRefreshRotationAndTheftDetection(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		access, refresh := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		resp, pair := ts.do(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh})
		if resp.StatusCode != 200 || pair["refresh_token"] == refresh || pair["access_token"] == "" {
			t.Fatalf("refresh: %d %v", resp.StatusCode, pair)
		}
		access2, refresh2 := pair["access_token"].(string), pair["refresh_token"].(string)
		if ts.status(t, "GET", "/v1/me", access2, nil) != 200 || ts.status(t, "GET", "/v1/me", access, nil) != 200 {
			t.Fatal("tokens of a live session refused")
		}
		// The rotated token comes back: theft. The whole session dies.
		resp, body := ts.do(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh})
		assertProblem(t, resp, body, 401)
		if ts.status(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh2}) != 401 {
			t.Fatal("newest refresh token survived reuse detection")
		}
		for _, tok := range []string{access, access2} {
			if ts.status(t, "GET", "/v1/me", tok, nil) != 401 {
				t.Fatal("access token survived reuse detection")
			}
		}
		admin, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		_, events := ts.do(t, "GET", "/v1/audit/events?type=refresh_token_reuse", admin, nil)
		if n := len(events["events"].([]any)); n != 1 {
			t.Fatalf("%d refresh_token_reuse events", n)
		}
	})
}

func TestRefreshGraceAllowsOneConcurrentReuse(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_REFRESH_GRACE"] = "30s"
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	_, refresh := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	if ts.status(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}) != 200 {
		t.Fatal("first refresh")
	}
	// The second tab presents the same token within the grace: once is fine.
	resp, pair := ts.do(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh})
	if resp.StatusCode != 200 {
		t.Fatalf("grace reuse: %d %v", resp.StatusCode, pair)
	}
	// A third presentation is theft.
	if ts.status(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}) != 401 {
		t.Fatal("second reuse accepted")
	}
	if ts.status(t, "GET", "/v1/me", pair["access_token"].(string), nil) != 401 {
		t.Fatal("session survived a second reuse")
	}
}

func TestLogoutEndsAccessAndRefresh(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		access, refresh := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		other, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		if ts.status(t, "GET", "/v1/me", access, nil) != 200 {
			t.Fatal("me")
		}
		if ts.status(t, "POST", "/v1/auth/logout", access, nil) != 204 {
			t.Fatal("logout")
		}
		if ts.status(t, "GET", "/v1/me", access, nil) != 401 || ts.status(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}) != 401 {
			t.Fatal("tokens of a logged-out session still work")
		}
		if ts.status(t, "GET", "/v1/me", other, nil) != 200 {
			t.Fatal("logout ended another session")
		}
	})
}

func TestIntrospect(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	_, body := ts.do(t, "POST", "/v1/auth/introspect", testOperatorToken, map[string]any{"token": access})
	if body["active"] != true || body["sub"] == "" || body["tenant_id"] == "" || body["token_type"] != "Bearer" {
		t.Fatalf("introspect active: %v", body)
	}
	// RFC 7662's form encoding works too.
	req, _ := http.NewRequest("POST", ts.URL+"/v1/auth/introspect", strings.NewReader("token="+access))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Bearer "+testOperatorToken)
	r, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var form map[string]any
	json.NewDecoder(r.Body).Decode(&form)
	r.Body.Close()
	if form["active"] != true {
		t.Fatalf("form introspect: %v", form)
	}
	if ts.status(t, "POST", "/v1/auth/introspect", "", map[string]any{"token": access}) != 401 {
		t.Fatal("introspect without the operator token")
	}
	ts.do(t, "POST", "/v1/auth/logout", access, nil)
	for _, tok := range []string{access, "garbage", "a.b.c", strings.Repeat("x", 10000)} {
		_, body := ts.do(t, "POST", "/v1/auth/introspect", testOperatorToken, map[string]any{"token": tok})
		if body["active"] != false || len(body) != 1 {
			t.Fatalf("introspect of a dead token: %v", body)
		}
	}
}

// signingKey reads the server's current private key from its database with
// its master key: what an attacker who stole both could do, and what lets
// the test forge expired and otherwise wrong tokens.
func signingKey(t *testing.T, ts *testServer) *keys.SigningKey {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, ts.env["RAMPART_DATABASE_URL"], ts.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.PrepareRole(ctx); err != nil {
		t.Fatal(err)
	}
	mk, _, _, err := keys.DevMasterKey(ts.DataDir)
	if err != nil {
		t.Fatal(err)
	}
	sealed, err := st.SigningKeys(ctx, time.Now())
	if err != nil || len(sealed) == 0 {
		t.Fatalf("keys: %v", err)
	}
	k, err := sealed[0].Open(mk)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func forge(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string, claims map[string]any, extra map[jose.HeaderKey]any) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	for k, v := range extra {
		opts = opts.WithHeader(k, v)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: jose.JSONWebKey{Key: key, KeyID: kid}}, opts)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

func TestForgedAndMalformedTokensAreRefused(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_JWT_ALG"] = "RS256"
	ts := start(t, env)
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	parts := strings.Split(access, ".")
	payload, _ := base64.RawURLEncoding.DecodeString(parts[1])
	var claims map[string]any
	json.Unmarshal(payload, &claims)
	for _, k := range []string{"exp", "iat", "nbf"} {
		claims[k] = int64(claims[k].(float64)) // integers, as a careful forger would write
	}
	k := signingKey(t, ts)
	if k.Alg != "RS256" {
		t.Fatalf("alg %s", k.Alg)
	}
	with := func(change map[string]any) map[string]any {
		c := map[string]any{}
		for k, v := range claims {
			c[k] = v
		}
		for k, v := range change {
			c[k] = v
		}
		return c
	}
	if ts.status(t, "GET", "/v1/me", forge(t, jose.RS256, k.Private, k.KID, claims, nil), nil) != 200 {
		t.Fatal("a correctly signed copy is refused: the forgeries below would prove nothing")
	}
	now := time.Now().Unix()
	pubDER, _ := x509.MarshalPKIXPublicKey(k.Public)
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tampered := with(map[string]any{"role": "owner", "tenant_id": "00000000-0000-0000-0000-000000000000"})
	tamperedPayload := base64.RawURLEncoding.EncodeToString(mustJSON(tampered))
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT","kid":"` + k.KID + `"}`))
	hsHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT","kid":"` + k.KID + `"}`))
	hsSig := hmacSHA256(pubPEM, hsHeader+"."+parts[1])
	cases := map[string]string{
		"tampered payload":          parts[0] + "." + tamperedPayload + "." + parts[2],
		"alg none":                  noneHeader + "." + parts[1] + ".",
		"HS256 with the public key": hsHeader + "." + parts[1] + "." + hsSig,
		"expired":                   forge(t, jose.RS256, k.Private, k.KID, with(map[string]any{"exp": now - 3600, "iat": now - 4000, "nbf": now - 4000}), nil),
		"not yet valid":             forge(t, jose.RS256, k.Private, k.KID, with(map[string]any{"nbf": now + 3600, "iat": now + 3600}), nil),
		"wrong issuer":              forge(t, jose.RS256, k.Private, k.KID, with(map[string]any{"iss": "https://evil.example"}), nil),
		"wrong audience":            forge(t, jose.RS256, k.Private, k.KID, with(map[string]any{"aud": []string{"other"}}), nil),
		"another deployment's key":  forge(t, jose.ES256, otherKey, "foreign-kid", claims, nil),
		"foreign key, our kid":      forge(t, jose.ES256, otherKey, k.KID, claims, nil),
		"embedded jwk":              forge(t, jose.ES256, otherKey, "", claims, map[jose.HeaderKey]any{"jwk": jose.JSONWebKey{Key: otherKey.Public()}}),
		"jku header":                forge(t, jose.ES256, otherKey, "x", claims, map[jose.HeaderKey]any{"jku": "http://127.0.0.1:1/jwks"}),
		"other session":             forge(t, jose.RS256, k.Private, k.KID, with(map[string]any{"sid": "01a209b0-b094-7597-8a26-1ea4489e6d0e"}), nil),
		"empty":                     "",
		"one segment":               "abc",
		"garbage segments":          "a.b.c",
		"five segments":             "a.b.c.d.e",
		"huge":                      strings.Repeat("A", 20000) + "." + parts[1] + "." + parts[2],
		"giant header":              strings.Repeat("B", 150_000),
		"non-ASCII":                 "ü.ö.ä",
	}
	for name, tok := range cases {
		t.Run(name, func(t *testing.T) {
			resp, body := ts.do(t, "GET", "/v1/me", tok, nil)
			if tok == "" {
				assertProblem(t, resp, body, 401)
				return
			}
			assertProblem(t, resp, body, 401)
			if body["detail"] != "invalid token" {
				t.Fatalf("detail says more than invalid token: %v", body["detail"])
			}
		})
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestSessionLimitEvictsOldest(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	tid := ts.tenantWithOwner(t, "acme", "owner@acme.io")
	if resp, body := ts.do(t, "PATCH", "/v1/tenants/"+tid, testOperatorToken, map[string]any{"settings": map[string]any{"max_sessions_per_user": 3}}); resp.StatusCode != 200 {
		t.Fatalf("settings: %v", body)
	}
	var tokens []string
	for i := 0; i < 4; i++ {
		a, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		tokens = append(tokens, a)
	}
	if ts.status(t, "GET", "/v1/me", tokens[0], nil) != 401 {
		t.Fatal("oldest session survived the limit")
	}
	_, body := ts.do(t, "GET", "/v1/sessions", tokens[3], nil)
	if n := len(body["sessions"].([]any)); n != 3 {
		t.Fatalf("%d active sessions, want 3", n)
	}
	_, ev := ts.do(t, "GET", "/v1/audit/events?type=session_evicted", tokens[3], nil)
	if n := len(ev["events"].([]any)); n != 1 {
		t.Fatalf("%d session_evicted events", n)
	}
}

func TestConcurrentLoginsRespectSessionLimit(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		var wg sync.WaitGroup
		for i := 0; i < 12; i++ {
			wg.Add(1)
			go func() { defer wg.Done(); ts.login(t, "acme", "owner@acme.io", ownerPassword) }()
		}
		wg.Wait()
		a, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		_, body := ts.do(t, "GET", "/v1/sessions", a, nil)
		if n := len(body["sessions"].([]any)); n != 5 {
			t.Fatalf("%d active sessions, want 5", n)
		}
	})
}

func TestPasswordChangeRevokesOtherSessions(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		current, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		other, otherRefresh := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		resp, body := ts.do(t, "POST", "/v1/me/password", current, map[string]any{"current_password": "Wrong-Passw0rd!", "new_password": "N3w-Passw0rd-Here"})
		assertProblem(t, resp, body, 403)
		resp, body = ts.do(t, "POST", "/v1/me/password", current, map[string]any{"current_password": ownerPassword, "new_password": "short"})
		assertProblem(t, resp, body, 422)
		if body["checks"] == nil || body["field"] != "new_password" {
			t.Fatalf("policy problem %v", body)
		}
		if ts.status(t, "POST", "/v1/me/password", current, map[string]any{"current_password": ownerPassword, "new_password": "N3w-Passw0rd-Here"}) != 204 {
			t.Fatal("password change")
		}
		if ts.status(t, "GET", "/v1/me", other, nil) != 401 || ts.status(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": otherRefresh}) != 401 {
			t.Fatal("other session survived the password change")
		}
		if ts.status(t, "GET", "/v1/me", current, nil) != 200 {
			t.Fatal("current session ended")
		}
		if resp, _ := ts.login(t, "acme", "owner@acme.io", ownerPassword); resp.StatusCode != 401 {
			t.Fatal("old password still works")
		}
		ts.mustLogin(t, "acme", "owner@acme.io", "N3w-Passw0rd-Here")
		_, ev := ts.do(t, "GET", "/v1/audit/events?type=password_change", current, nil)
		list := ev["events"].([]any)
		if len(list) != 2 || list[0].(map[string]any)["success"] != true || list[1].(map[string]any)["success"] != false {
			t.Fatalf("password_change events %v", list)
		}
	})
}

func TestUsersAndPermissions(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		ts.tenantWithOwner(t, "beta", "owner@beta.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		betaOwner, _ := ts.mustLogin(t, "beta", "owner@beta.io", ownerPassword)
		create := func(token, email, role string) (*http.Response, map[string]any) {
			return ts.do(t, "POST", "/v1/users", token, map[string]any{"email": email, "password": "An0ther-Str0ng-One", "role": role})
		}
		resp, admin := create(owner, "admin@acme.io", "admin")
		if resp.StatusCode != 201 || admin["role"] != "admin" {
			t.Fatalf("create admin: %v", admin)
		}
		resp, member := create(owner, "member@acme.io", "member")
		if resp.StatusCode != 201 {
			t.Fatalf("create member: %v", member)
		}
		if resp, body := create(owner, "MEMBER@acme.io", "member"); resp.StatusCode != 409 {
			t.Fatalf("duplicate email: %d %v", resp.StatusCode, body)
		}
		if resp, body := create(owner, "x@acme.io", "superuser"); resp.StatusCode != 422 || body["field"] != "role" {
			t.Fatalf("unknown role: %d %v", resp.StatusCode, body)
		}
		adminTok, _ := ts.mustLogin(t, "acme", "admin@acme.io", "An0ther-Str0ng-One")
		memberTok, _ := ts.mustLogin(t, "acme", "member@acme.io", "An0ther-Str0ng-One")
		if resp, body := create(adminTok, "boss@acme.io", "owner"); resp.StatusCode != 403 {
			t.Fatalf("admin created an owner: %d %v", resp.StatusCode, body)
		}
		// A member may not administer users; the denial is audited.
		resp, body := ts.do(t, "GET", "/v1/users", memberTok, nil)
		assertProblem(t, resp, body, 403)
		// Both denials are audited: the route's permission and the role rule.
		_, ev := ts.do(t, "GET", "/v1/audit/events?type=permission_denied", owner, nil)
		if list := ev["events"].([]any); len(list) != 2 || list[0].(map[string]any)["details"].(map[string]any)["permission"] != "users:read" ||
			list[1].(map[string]any)["details"].(map[string]any)["field"] != "role" {
			t.Fatalf("permission_denied events %v", list)
		}
		_, list := ts.do(t, "GET", "/v1/users?limit=2", adminTok, nil)
		if len(list["users"].([]any)) != 2 || list["next_cursor"] == nil {
			t.Fatalf("page 1 %v", list)
		}
		_, list2 := ts.do(t, "GET", "/v1/users?limit=2&cursor="+list["next_cursor"].(string), adminTok, nil)
		if len(list2["users"].([]any)) != 1 {
			t.Fatalf("page 2 %v", list2)
		}
		mid := member["id"].(string)
		// Another tenant cannot see or touch the user.
		if ts.status(t, "GET", "/v1/users/"+mid, betaOwner, nil) != 404 || ts.status(t, "PATCH", "/v1/users/"+mid, betaOwner, map[string]any{"role": "viewer"}) != 404 {
			t.Fatal("cross-tenant access to a user")
		}
		resp, upd := ts.do(t, "PATCH", "/v1/users/"+mid, adminTok, map[string]any{"role": "developer", "permissions": []string{"conversations:delete:c-42"}})
		if resp.StatusCode != 200 || upd["role"] != "developer" || upd["permissions"].([]any)[0] != "conversations:delete:c-42" {
			t.Fatalf("update: %d %v", resp.StatusCode, upd)
		}
		if resp, body := ts.do(t, "PATCH", "/v1/users/"+mid, adminTok, map[string]any{"permissions": []string{"not a permission"}}); resp.StatusCode != 422 {
			t.Fatalf("bad permission accepted: %v", body)
		}
		if ts.status(t, "PATCH", "/v1/users/"+admin["id"].(string), adminTok, map[string]any{"role": "owner"}) != 403 {
			t.Fatal("changed own role")
		}
		_, me := ts.do(t, "GET", "/v1/me", memberTok, nil)
		if me["role"] != "developer" {
			t.Fatalf("role change not visible at once: %v", me["role"])
		}
		// Disabling ends the user's sessions.
		if ts.status(t, "PATCH", "/v1/users/"+mid, adminTok, map[string]any{"disabled": true}) != 200 {
			t.Fatal("disable")
		}
		if ts.status(t, "GET", "/v1/me", memberTok, nil) != 401 {
			t.Fatal("disabled user's token works")
		}
		if ts.status(t, "DELETE", "/v1/users/"+mid, adminTok, nil) != 204 || ts.status(t, "GET", "/v1/users/"+mid, adminTok, nil) != 404 {
			t.Fatal("delete")
		}
		if ts.status(t, "DELETE", "/v1/users/"+admin["id"].(string), adminTok, nil) != 403 {
			t.Fatal("deleted self")
		}
	})
}

func TestSessionsEndpoints(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		ts.tenantWithOwner(t, "acme", "owner@acme.io")
		ts.tenantWithOwner(t, "beta", "owner@beta.io")
		owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
		ts.do(t, "POST", "/v1/users", owner, map[string]any{"email": "m@acme.io", "password": "An0ther-Str0ng-One", "role": "member"})
		m1, _ := ts.mustLogin(t, "acme", "m@acme.io", "An0ther-Str0ng-One")
		m2, _ := ts.mustLogin(t, "acme", "m@acme.io", "An0ther-Str0ng-One")
		beta, _ := ts.mustLogin(t, "beta", "owner@beta.io", ownerPassword)
		_, list := ts.do(t, "GET", "/v1/sessions", m1, nil)
		sessions := list["sessions"].([]any)
		if len(sessions) != 2 {
			t.Fatalf("sessions %v", sessions)
		}
		var m2ID string
		for _, s := range sessions {
			if s.(map[string]any)["current"] == false {
				m2ID = s.(map[string]any)["id"].(string)
			}
		}
		_, ownerSessions := ts.do(t, "GET", "/v1/sessions", owner, nil)
		ownerSID := ownerSessions["sessions"].([]any)[0].(map[string]any)["id"].(string)
		if ts.status(t, "DELETE", "/v1/sessions/"+ownerSID, m1, nil) != 404 {
			t.Fatal("a member ended another user's session")
		}
		if ts.status(t, "DELETE", "/v1/sessions/"+m2ID, beta, nil) != 404 {
			t.Fatal("another tenant ended a session")
		}
		if ts.status(t, "DELETE", "/v1/sessions/"+m2ID, m1, nil) != 204 || ts.status(t, "GET", "/v1/me", m2, nil) != 401 {
			t.Fatal("ending own session")
		}
		_, me := ts.do(t, "GET", "/v1/me", m1, nil)
		resp, body := ts.do(t, "POST", "/v1/users/"+me["id"].(string)+"/sessions/revoke", owner, nil)
		if resp.StatusCode != 200 || body["revoked"].(float64) != 1 || ts.status(t, "GET", "/v1/me", m1, nil) != 401 {
			t.Fatalf("admin revoke: %v", body)
		}
	})
}

func TestAuditEventsAPI(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	ts.login(t, "acme", "owner@acme.io", "wrong")
	owner, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	_, all := ts.do(t, "GET", "/v1/audit/events", owner, nil)
	events := all["events"].([]any)
	types := []string{}
	for _, e := range events {
		types = append(types, e.(map[string]any)["event_type"].(string))
	}
	if strings.Join(types, ",") != "login_success,login_failure,user_created,tenant_created" {
		t.Fatalf("events newest first: %v", types)
	}
	failure := events[1].(map[string]any)
	if failure["ip_address"] != "127.0.0.1" || failure["details"].(map[string]any)["email"] != "o***@acme.io" {
		t.Fatalf("login_failure %v", failure)
	}
	if strings.Contains(fmt.Sprint(all), "wrong") {
		t.Fatal("a password reached the audit log")
	}
	_, page := ts.do(t, "GET", "/v1/audit/events?limit=2", owner, nil)
	_, next := ts.do(t, "GET", "/v1/audit/events?limit=2&cursor="+page["next_cursor"].(string), owner, nil)
	if n := len(next["events"].([]any)); n != 2 || next["events"].([]any)[1].(map[string]any)["event_type"] != "tenant_created" {
		t.Fatalf("page 2 %v", next)
	}
	for _, q := range []string{"?since=yesterday", "?cursor=abc", "?limit=0", "?limit=1000"} {
		resp, body := ts.do(t, "GET", "/v1/audit/events"+q, owner, nil)
		assertProblem(t, resp, body, 400)
	}
}

func TestIPChangePolicy(t *testing.T) {
	env := testEnv(t, "sqlite")
	env["RAMPART_TRUSTED_PROXIES"] = "127.0.0.1/32"
	ts := start(t, env)
	tid := ts.tenantWithOwner(t, "acme", "owner@acme.io")
	from := func(ip, method, path, token string) int {
		req, _ := http.NewRequest(method, ts.URL+path, nil)
		req.Header.Set("Authorization", "Bearer "+token)
		req.Header.Set("X-Forwarded-For", ip)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return resp.StatusCode
	}
	access, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword) // from 127.0.0.1
	if from("198.51.100.7", "GET", "/v1/me", access) != 200 {
		t.Fatal("log policy refused the request")
	}
	_, ev := ts.do(t, "GET", "/v1/audit/events?type=suspicious_activity", access, nil)
	list := ev["events"].([]any)
	if len(list) != 1 || list[0].(map[string]any)["ip_address"] != "198.51.100.7" {
		t.Fatalf("suspicious_activity %v", list)
	}
	ts.do(t, "PATCH", "/v1/tenants/"+tid, testOperatorToken, map[string]any{"settings": map[string]any{"ip_change_policy": "revoke"}})
	access2, _ := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	if from("203.0.113.9", "GET", "/v1/me", access2) != 401 || ts.status(t, "GET", "/v1/me", access2, nil) != 401 {
		t.Fatal("revoke policy kept the session")
	}
}

func TestRefreshTokenOfAnotherTenant(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	ts.tenantWithOwner(t, "acme", "owner@acme.io")
	beta := ts.tenantWithOwner(t, "beta", "owner@beta.io")
	_, refresh := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	raw, _ := base64.RawURLEncoding.DecodeString(strings.TrimPrefix(refresh, "rrt_"))
	betaID := mustUUID(t, beta)
	copy(raw[:16], betaID)
	moved := "rrt_" + base64.RawURLEncoding.EncodeToString(raw)
	for _, tok := range []string{moved, "rrt_short", "not-a-token", refresh + "x", strings.Repeat("r", 5000)} {
		resp, body := ts.do(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": tok})
		assertProblem(t, resp, body, 401)
	}
	for _, bad := range []string{`{"refresh_token": 5}`, `not json`, `{}`} {
		resp, body := ts.do(t, "POST", "/v1/auth/refresh", "", bad)
		assertProblem(t, resp, body, 400)
	}
	if ts.status(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}) != 200 {
		t.Fatal("the genuine token stopped working")
	}
}

func TestDisabledTenantEndsSessions(t *testing.T) {
	ts := start(t, testEnv(t, "sqlite"))
	tid := ts.tenantWithOwner(t, "acme", "owner@acme.io")
	access, refresh := ts.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	ts.do(t, "POST", "/v1/tenants/"+tid+"/disable", testOperatorToken, nil)
	if ts.status(t, "GET", "/v1/me", access, nil) != 401 || ts.status(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}) != 401 {
		t.Fatal("tokens of a disabled tenant work")
	}
	if resp, _ := ts.login(t, "acme", "owner@acme.io", ownerPassword); resp.StatusCode != 401 {
		t.Fatal("login to a disabled tenant")
	}
}

// TestLogoutReachesOtherReplicas runs two replicas on one PostgreSQL and one
// Redis, with a session cache far longer than the test: only the Redis
// message can make the second replica refuse the token at once.
func TestLogoutReachesOtherReplicas(t *testing.T) {
	redisURL := requireRedis(t)
	envA := testEnv(t, "postgres")
	envA["RAMPART_REDIS_URL"] = redisURL
	envA["RAMPART_SESSION_CACHE_TTL"] = "1m"
	ta := start(t, envA)
	tb := secondReplica(t, envA)
	ta.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ta.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	if tb.status(t, "GET", "/v1/me", access, nil) != 200 {
		t.Fatal("replica B refuses a token of replica A")
	}
	if ta.status(t, "POST", "/v1/auth/logout", access, nil) != 204 {
		t.Fatal("logout")
	}
	deadline := time.Now().Add(2 * time.Second)
	for tb.status(t, "GET", "/v1/me", access, nil) != 401 {
		if time.Now().After(deadline) {
			t.Fatal("replica B still accepts the token 2 s after logout on replica A")
		}
		time.Sleep(20 * time.Millisecond)
	}
	// A key rotated on A verifies on B.
	if ta.status(t, "POST", "/v1/keys/rotate", testOperatorToken, nil) != 201 {
		t.Fatal("rotate")
	}
	fresh, _ := ta.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	if tb.status(t, "GET", "/v1/me", fresh, nil) != 200 {
		t.Fatal("replica B refuses a token signed with A's new key")
	}
}

// TestIssuerMismatchIsAnOrdinary401: replicas configured with different
// issuers refuse each other's tokens with the very answer any bad token gets,
// and say why in their debug log.
func TestIssuerMismatchIsAnOrdinary401(t *testing.T) {
	envA := testEnv(t, "sqlite")
	envA["RAMPART_ISSUER"] = "https://a.example"
	ta := start(t, envA)
	envB := map[string]string{}
	for k, v := range envA {
		envB[k] = v
	}
	envB["RAMPART_ISSUER"] = "https://b.example"
	envB["RAMPART_LOG_LEVEL"] = "debug"
	tb := secondReplica(t, envB)
	ta.tenantWithOwner(t, "acme", "owner@acme.io")
	access, _ := ta.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	if ta.status(t, "GET", "/v1/me", access, nil) != 200 {
		t.Fatal("replica A refuses its own token")
	}
	resp, got := tb.do(t, "GET", "/v1/me", access, nil)
	assertProblem(t, resp, got, 401)
	wantResp, want := tb.do(t, "GET", "/v1/me", "not-a-token", nil)
	assertProblem(t, wantResp, want, 401)
	delete(got, "error_id")
	delete(want, "error_id")
	if !reflect.DeepEqual(got, want) || got["detail"] != "invalid token" || got["code"] != "unauthorized" ||
		got["type"] != "urn:rampart:problem:unauthorized" || got["title"] != "Unauthorized" || len(got) != 5 {
		t.Fatalf("401 for another issuer's token = %v, want %v", got, want)
	}
	if g, w := resp.Header.Get("WWW-Authenticate"), wantResp.Header.Get("WWW-Authenticate"); g != w {
		t.Fatalf("WWW-Authenticate %q, want %q", g, w)
	}
	if log := tb.stderr.String(); !strings.Contains(log, `"msg":"access token refused","reason":"issuer"`) || !strings.Contains(log, "https://a.example") {
		t.Fatalf("the refusal's reason is not logged:\n%s", log)
	}
	if !strings.Contains(tb.stderr.String(), `"issuer":"https://b.example"`) {
		t.Fatal("the issuer is not logged at start")
	}
}
