package console

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/internal/testdb"
)

// TestConsoleSessionsSharedByReplicas: a browser signed in on one replica
// is signed in on another sharing the database (no sticky sessions), a
// message set by one shows on the other, the stored row holds no token or
// cookie in the clear, and signing out on one ends the session on both.
func TestConsoleSessionsSharedByReplicas(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			r := newRig(t, d)
			a := r.signIn("owner@example.com")
			other := New(Deps{Auth: r.auth, Tenancy: r.console.d.Tenancy, Logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
				Guard: r.console.d.Guard, Sessions: r.st, SessionKey: r.mk})
			srvB := httptest.NewServer(other)
			defer srvB.Close()
			b := &browser{r: &rig{t: t, srv: srvB}, cookies: a.cookies}

			code, body := b.get("/console/api-keys")
			want(t, "replica B", code, http.StatusOK, body, "API keys")
			code, _, _ = b.post("/console/api-keys", url.Values{"name": {"shared"}, "role": {"viewer"}})
			want(t, "create on B", code, http.StatusCreated, "")
			code, _, _ = b.post("/console/api-keys/nonexistent/revoke", nil)
			if code != http.StatusNotFound {
				t.Fatalf("revoke of nothing: %d", code)
			}
			// A message left by A is shown by B.
			a.get("/console/roles")
			code, _, _ = a.post("/console/roles", url.Values{"name": {"shared_role"}, "level": {"1"}, "permissions": {"conversations:read"}})
			want(t, "create role on A", code, http.StatusSeeOther, "")
			_, body = b.get("/console/roles")
			want(t, "flash on B", 200, 200, body, "Role shared_role created.")

			var raw string
			for _, v := range a.cookies {
				raw = v
			}
			cs, err := r.st.ConsoleSession(context.Background(), hashCookie(raw), time.Now())
			if err != nil || cs == nil {
				t.Fatalf("stored session: %v %v", cs, err)
			}
			for _, secret := range []string{raw, "eyJ", "owner@example.com", a.csrf} {
				if bytes.Contains(cs.Sealed, []byte(secret)) || strings.Contains(cs.KeyHash, secret) {
					t.Fatalf("the stored session holds %q in the clear", secret)
				}
			}

			b.get("/console/roles")
			code, _, h := b.post("/console/signout", nil)
			if code != http.StatusSeeOther || !strings.Contains(h.Get("Location"), "signedout") {
				t.Fatalf("sign out on B: %d %s", code, h.Get("Location"))
			}
			code, _, h = a.do("GET", "/console/roles", nil)
			if code != http.StatusSeeOther || !strings.HasPrefix(h.Get("Location"), "/console/signin") {
				t.Fatalf("A after signing out on B: %d %s", code, h.Get("Location"))
			}
		})
	}
}
