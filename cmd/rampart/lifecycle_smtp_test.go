package main

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/rampart-dev/rampart/internal/smtptest"
)

// mailText returns the decoded text/plain part of a raw message.
func mailText(t *testing.T, raw []byte) string {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var walk func(h func(string) string, body io.Reader) string
	walk = func(h func(string) string, body io.Reader) string {
		mt, params, _ := mime.ParseMediaType(h("Content-Type"))
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipart.NewReader(body, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err != nil {
					return ""
				}
				if s := walk(p.Header.Get, p); s != "" {
					return s
				}
			}
		}
		if mt != "text/plain" {
			return ""
		}
		if strings.EqualFold(h("Content-Transfer-Encoding"), "quoted-printable") {
			body = quotedprintable.NewReader(body)
		}
		b, _ := io.ReadAll(body)
		return string(b)
	}
	return walk(msg.Header.Get, msg.Body)
}

// TestPasswordResetThroughSMTP: two replicas share PostgreSQL and Redis and
// send mail through a real SMTP server process. The reset e-mail arrives
// there; its link, opened with GET on one replica, renders a page and
// consumes nothing; the form's POST on the other sets the password; the
// old access and refresh tokens are then refused by both replicas.
func TestPasswordResetThroughSMTP(t *testing.T) {
	srv := smtptest.Start(t)
	redisURL := requireRedis(t)
	envA := testEnv(t, "postgres")
	envA["RAMPART_REDIS_URL"] = redisURL
	envA["RAMPART_SESSION_CACHE_TTL"] = "1m" // only the revocation message can make a replica forget
	envA["RAMPART_SMTP_URL"] = "smtp://127.0.0.1:" + srv.Port
	envA["RAMPART_MAIL_FROM"] = "Rampart <no-reply@rampart.test>"
	ta := start(t, envA)
	tb := secondReplica(t, envA)

	ta.tenantWithOwner(t, "acme", "owner@acme.io")
	access, refresh := ta.mustLogin(t, "acme", "owner@acme.io", ownerPassword)
	for _, ts := range []*testServer{ta, tb} {
		if st := ts.status(t, "GET", "/v1/me", access, nil); st != 200 {
			t.Fatalf("token before the reset: %d", st)
		}
	}
	if r, b := tb.do(t, "POST", "/v1/auth/password-reset", "", map[string]any{"tenant": "acme", "email": "owner@acme.io"}); r.StatusCode != 202 {
		t.Fatalf("reset request: %d %v", r.StatusCode, b)
	}
	var text string
	deadline := time.Now().Add(15 * time.Second)
	for text == "" {
		for _, m := range srv.Messages(t) {
			if len(m.RcptTos) == 1 && m.RcptTos[0] == "owner@acme.io" {
				text = mailText(t, m.Raw)
			}
		}
		if time.Now().After(deadline) {
			_, dl := ta.do(t, "GET", "/v1/deliveries", access, nil)
			t.Fatalf("no reset e-mail reached the SMTP server; deliveries: %v", dl)
		}
		time.Sleep(50 * time.Millisecond)
	}
	token, _ := linkAndCode(t, text)
	page := "/v1/auth/password-reset/confirm?token=" + url.QueryEscape(token)
	for _, ts := range []*testServer{ta, tb} {
		if st, body := ts.getPage(t, page); st != 200 || !strings.Contains(body, "<form") {
			t.Fatalf("link page: %d %s", st, body)
		}
	}
	// The page's form, as a browser posts it.
	resp, err := http.PostForm(ta.URL+"/v1/auth/password-reset/confirm", url.Values{"token": {token}, "new_password": {newPassword}})
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), "Password changed") {
		t.Fatalf("form post: %d %s", resp.StatusCode, body)
	}
	for _, ts := range []*testServer{ta, tb} {
		if st := ts.status(t, "GET", "/v1/me", access, nil); st != 401 {
			t.Fatalf("old access token after the reset: %d", st)
		}
		if st := ts.status(t, "POST", "/v1/auth/refresh", "", map[string]any{"refresh_token": refresh}); st != 401 {
			t.Fatalf("old refresh token after the reset: %d", st)
		}
		if st, _ := ts.getPage(t, page); st != 400 {
			t.Fatalf("the used link's page: %d", st)
		}
	}
	tb.mustLogin(t, "acme", "owner@acme.io", newPassword)
}
