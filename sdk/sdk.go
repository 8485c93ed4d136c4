// Package sdk lets Go services enforce Rampart's decisions locally: it
// verifies Rampart access tokens against the deployment's JWKS (cached,
// refetched when a token names an unknown key) and checks permissions with
// the same engine Rampart uses.
//
//	v := sdk.NewVerifier(sdk.Config{Issuer: "https://rampart.example.com", Audience: "rampart"})
//	mux.Handle("GET /conversations", v.Middleware(sdk.RequirePermission("conversations:read", listConversations)))
package sdk

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/rampart-dev/rampart/authz"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/token"
)

// Defaults of Config.
const (
	DefaultRefresh      = 10 * time.Minute // JWKS refetch period
	DefaultAudience     = "rampart"
	minUnknownKidFetch  = 10 * time.Second // at most one refetch per this for unknown kids
	failedFetchBackoff  = 30 * time.Second // after a failed periodic fetch, keep the cached keys this long
	maxJWKSBytes        = 1 << 20
	defaultFetchTimeout = 5 * time.Second
)

// Config says which Rampart to trust.
type Config struct {
	Issuer   string // Rampart's RAMPART_ISSUER; the JWKS is at Issuer + /.well-known/jwks.json
	Audience string // RAMPART_AUDIENCE ("rampart" by default)
	JWKSURL  string // optional: another JWKS location
	// TenantID, when set, admits only that tenant's tokens: a service that
	// belongs to one tenant should set it.
	TenantID string
	// Catalogues gives each tenant's role catalogue (preset and custom
	// roles, as GET /v1/roles lists them); tenants missing from it are
	// denied every permission. When nil, every tenant is judged by the
	// chatbot preset, which suits deployments whose tenants all use it
	// without custom roles; otherwise ask POST /v1/authz/check.
	Catalogues map[string]*authz.Catalogue
	Client     *http.Client // optional
	Refresh    time.Duration
}

// Verifier checks access tokens. It is safe for concurrent use.
type Verifier struct {
	cfg      Config
	verifier *token.Verifier
	mu       sync.RWMutex
	keys     map[string]*keys.SigningKey
	fetched  time.Time
	fetchMu  sync.Mutex // serializes fetches
	missMu   sync.Mutex
	lastMiss time.Time
	lastTry  time.Time
	preset   *authz.Catalogue
}

// NewVerifier returns a Verifier; keys are fetched on first use.
func NewVerifier(cfg Config) *Verifier {
	if cfg.JWKSURL == "" {
		cfg.JWKSURL = strings.TrimSuffix(cfg.Issuer, "/") + "/.well-known/jwks.json"
	}
	if cfg.Client == nil {
		cfg.Client = &http.Client{Timeout: defaultFetchTimeout}
	}
	if cfg.Refresh <= 0 {
		cfg.Refresh = DefaultRefresh
	}
	if cfg.Audience == "" {
		cfg.Audience = DefaultAudience
	}
	v := &Verifier{cfg: cfg, keys: map[string]*keys.SigningKey{}}
	v.preset, _ = authz.NewCatalogue(authz.DefaultPreset, nil)
	v.verifier = &token.Verifier{Keys: keySource{v}, Issuer: cfg.Issuer, Audience: cfg.Audience}
	return v
}

// Verify returns the claims of a valid token, or token.ErrInvalid. It does
// not ask Rampart whether the session still lives: for that (logout, theft
// detection within the token's lifetime) use introspection.
func (v *Verifier) Verify(ctx context.Context, raw string) (*token.Claims, error) {
	v.mu.RLock()
	stale := time.Since(v.fetched) > v.cfg.Refresh && time.Since(v.lastTry) > failedFetchBackoff
	empty := len(v.keys) == 0
	v.mu.RUnlock()
	if stale || empty {
		// While Rampart is unreachable the cached keys keep working, and
		// requests do not each wait on their own fetch.
		if err := v.fetch(ctx); err != nil && len(v.snapshot()) == 0 {
			return nil, fmt.Errorf("sdk: fetch JWKS: %w", err)
		}
	}
	c, err := v.verifier.Verify(raw, time.Now())
	if err != nil {
		return nil, err
	}
	if v.cfg.TenantID != "" && c.TenantID != v.cfg.TenantID {
		return nil, token.ErrInvalid
	}
	return c, nil
}

// catalogue returns the catalogue that judges a tenant's callers, or nil.
func (v *Verifier) catalogue(tenantID string) *authz.Catalogue {
	if v.cfg.Catalogues == nil {
		return v.preset
	}
	return v.cfg.Catalogues[tenantID]
}

func (v *Verifier) snapshot() map[string]*keys.SigningKey {
	v.mu.RLock()
	defer v.mu.RUnlock()
	return v.keys
}

// keySource looks keys up, refetching the JWKS (at most every
// minUnknownKidFetch) when a token names a key it does not know: a rotation.
type keySource struct{ v *Verifier }

func (k keySource) Lookup(kid string) (*keys.SigningKey, bool) {
	if key, ok := k.v.snapshot()[kid]; ok {
		return key, true
	}
	k.v.missMu.Lock()
	due := time.Since(k.v.lastMiss) >= minUnknownKidFetch
	if due {
		k.v.lastMiss = time.Now()
	}
	k.v.missMu.Unlock()
	if !due {
		return nil, false
	}
	ctx, cancel := context.WithTimeout(context.Background(), defaultFetchTimeout)
	defer cancel()
	if err := k.v.fetch(ctx); err != nil {
		return nil, false
	}
	key, ok := k.v.snapshot()[kid]
	return key, ok
}

// fetch reads the JWKS and replaces the key set; one fetch runs at a time,
// and callers that waited for it reuse its result.
func (v *Verifier) fetch(ctx context.Context) error {
	start := time.Now()
	v.fetchMu.Lock()
	defer v.fetchMu.Unlock()
	v.mu.RLock()
	fresh := v.lastTry.After(start)
	v.mu.RUnlock()
	if fresh {
		return nil // another caller fetched while this one waited
	}
	v.mu.Lock()
	v.lastTry = time.Now()
	v.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, v.cfg.JWKSURL, nil)
	if err != nil {
		return err
	}
	resp, err := v.cfg.Client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("JWKS answered %s", resp.Status)
	}
	var set jose.JSONWebKeySet
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxJWKSBytes)).Decode(&set); err != nil {
		return err
	}
	next := map[string]*keys.SigningKey{}
	for _, k := range set.Keys {
		if !k.IsPublic() || k.KeyID == "" || !keys.ValidAlg(k.Algorithm) || (k.Use != "" && k.Use != "sig") {
			continue // never a private or symmetric key, never an unknown algorithm
		}
		next[k.KeyID] = &keys.SigningKey{KID: k.KeyID, Alg: k.Algorithm, Public: k.Key}
	}
	if len(next) == 0 {
		return errors.New("JWKS holds no usable key")
	}
	v.mu.Lock()
	v.keys, v.fetched = next, time.Now()
	v.mu.Unlock()
	return nil
}

type claimsKey struct{}

// Claims returns the verified claims the middleware put in ctx.
func Claims(ctx context.Context) (*token.Claims, bool) {
	c, ok := ctx.Value(claimsKey{}).(*token.Claims)
	return c, ok
}

// Middleware admits requests bearing a valid Rampart access token and puts
// its claims in the request context; others get 401 problem+json.
func (v *Verifier) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		scheme, raw, ok := strings.Cut(r.Header.Get("Authorization"), " ")
		if !ok || !strings.EqualFold(scheme, "Bearer") {
			problem(w, http.StatusUnauthorized, "an access token is required")
			return
		}
		c, err := v.Verify(r.Context(), strings.TrimSpace(raw))
		if err != nil {
			problem(w, http.StatusUnauthorized, "invalid token")
			return
		}
		if len(c.Scopes) == 1 && c.Scopes[0] == "mfa:enroll" {
			problem(w, http.StatusForbidden, "this session may only enrol in MFA")
			return
		}
		ctx := context.WithValue(r.Context(), claimsKey{}, c)
		ctx = context.WithValue(ctx, catalogueKey{}, v.catalogue(c.TenantID))
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

type catalogueKey struct{}

// Allowed decides a permission for the request's verified caller with the
// same engine as Rampart.
func Allowed(r *http.Request, permission, resource string) bool {
	c, ok := Claims(r.Context())
	cat, _ := r.Context().Value(catalogueKey{}).(*authz.Catalogue)
	if !ok || cat == nil {
		return false
	}
	return cat.Check(authz.Subject{Role: c.Role, Permissions: c.Permissions}, permission, resource).Allowed
}

// RequirePermission wraps next so that only callers holding permission reach
// it (403 problem+json otherwise). Use it behind Middleware.
func RequirePermission(permission string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !Allowed(r, permission, "") {
			problem(w, http.StatusForbidden, "permission "+permission+" is required")
			return
		}
		next.ServeHTTP(w, r)
	})
}

func problem(w http.ResponseWriter, status int, detail string) {
	w.Header().Set("Content-Type", "application/problem+json")
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	}
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]any{"type": "about:blank", "title": http.StatusText(status), "status": status, "detail": detail})
}
