package main

import (
	"archive/zip"
	"database/sql"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"testing"
)

// privacySubject makes an admin of tenant acme who logs in with a planted
// user agent, creates an API key with a planted name and has a consent
// record with a planted user agent; it returns the user's id.
func (ts *testServer) privacySubject(t *testing.T, owner, email, canary string) string {
	t.Helper()
	if r, b := ts.do(t, "POST", "/v1/users", owner, map[string]any{"email": email, "password": "An0ther-Str0ng-One", "role": "admin"}); r.StatusCode != 201 {
		t.Fatalf("create subject: %d %v", r.StatusCode, b)
	}
	st, b := ts.loginWith(t, "SessionUA-"+canary, map[string]any{"tenant": "acme", "email": email, "password": "An0ther-Str0ng-One"})
	if st != 200 {
		t.Fatalf("login: %d %v", st, b)
	}
	access := b["access_token"].(string)
	_, me := ts.do(t, "GET", "/v1/me", access, nil)
	id, _ := me["id"].(string)
	if id == "" {
		t.Fatalf("me: %v", me)
	}
	if r, b := ts.do(t, "POST", "/v1/api-keys", access, map[string]any{"name": "KeyName-" + canary, "role": "viewer"}); r.StatusCode != 201 {
		t.Fatalf("api key: %d %v", r.StatusCode, b)
	}
	if r, b := ts.do(t, "POST", "/v1/consents", owner, map[string]any{"subject": id, "purpose": "marketing", "granted": true,
		"policy_version": "1", "method": "banner", "ip_address": "198.51.100.23", "user_agent": "ConsentUA-" + canary}); r.StatusCode != 201 {
		t.Fatalf("consent: %d %v", r.StatusCode, b)
	}
	return id
}

func (ts *testServer) privacyRequest(t *testing.T, owner, typ, userID string) string {
	t.Helper()
	r, b := ts.do(t, "POST", "/v1/privacy/requests", owner, map[string]any{"type": typ, "subject": map[string]any{"user_id": userID}})
	if r.StatusCode != 201 {
		t.Fatalf("request: %d %v", r.StatusCode, b)
	}
	return b["id"].(string)
}

// TestPrivacyExport: an access request's bundle holds the planted values
// (email opened, session user agent, API key name, consent user agent
// opened, audit events about the subject), no secret, and the request is
// completed; an erasure request cannot be exported.
func TestPrivacyExport(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		owner := ts.privacyTenant(t, "acme")
		id := ts.privacySubject(t, owner, "canary-export@acme.io", "c4n4ry-exp")
		req := ts.privacyRequest(t, owner, "access", id)
		r, raw := ts.doRaw(t, "GET", "/v1/privacy/requests/"+req+"/export", owner, nil)
		if r.StatusCode != 200 || !strings.Contains(r.Header.Get("Content-Disposition"), "attachment") {
			t.Fatalf("export: %d %s", r.StatusCode, raw)
		}
		var b struct {
			User        map[string]any   `json:"user"`
			Sessions    []map[string]any `json:"sessions"`
			APIKeys     []map[string]any `json:"api_keys"`
			Consents    []map[string]any `json:"consents"`
			AuditEvents []map[string]any `json:"audit_events"`
			Withheld    []map[string]any `json:"withheld"`
		}
		if err := json.Unmarshal([]byte(raw), &b); err != nil {
			t.Fatal(err)
		}
		if b.User["email"] != "canary-export@acme.io" || b.User["id"] != id || b.User["password_set"] != true {
			t.Fatalf("user: %v", b.User)
		}
		if len(b.Sessions) == 0 || b.Sessions[0]["user_agent"] != "SessionUA-c4n4ry-exp" {
			t.Fatalf("sessions: %v", b.Sessions)
		}
		if len(b.APIKeys) != 1 || b.APIKeys[0]["name"] != "KeyName-c4n4ry-exp" {
			t.Fatalf("api keys: %v", b.APIKeys)
		}
		if len(b.Consents) != 1 || b.Consents[0]["user_agent"] != "ConsentUA-c4n4ry-exp" || b.Consents[0]["address"] != "198.51.100.0" {
			t.Fatalf("consents: %v", b.Consents)
		}
		if len(b.AuditEvents) == 0 || len(b.Withheld) == 0 {
			t.Fatalf("audit events %d, withheld %d", len(b.AuditEvents), len(b.Withheld))
		}
		if strings.Contains(raw, "$argon2") || strings.Contains(raw, `"hash"`) {
			t.Fatalf("the bundle holds a secret: %s", raw)
		}
		if _, got := ts.do(t, "GET", "/v1/privacy/requests/"+req, owner, nil); got["status"] != "completed" {
			t.Fatalf("request after export: %v", got)
		}
		// The zip, through a one-time link: JSON and CSV, the subject's
		// audit events with their sealed fields opened; a second download
		// is refused.
		r, link := ts.do(t, "POST", "/v1/privacy/requests/"+req+"/export", owner, nil)
		if r.StatusCode != 201 || link["url"] == nil {
			t.Fatalf("export link: %d %v", r.StatusCode, link)
		}
		r, zipped := ts.doRaw(t, "GET", link["url"].(string), "", nil)
		if r.StatusCode != 200 || r.Header.Get("Content-Type") != "application/zip" {
			t.Fatalf("download: %d %s", r.StatusCode, zipped)
		}
		zr, err := zip.NewReader(strings.NewReader(zipped), int64(len(zipped)))
		if err != nil {
			t.Fatal(err)
		}
		files := map[string]string{}
		for _, f := range zr.File {
			rc, _ := f.Open()
			body, _ := io.ReadAll(rc)
			rc.Close()
			files[f.Name] = string(body)
		}
		if !strings.Contains(files["bundle.json"], "canary-export@acme.io") || !strings.Contains(files["audit_events.csv"], "SessionUA-c4n4ry-exp") ||
			!strings.Contains(files["sessions.csv"], "SessionUA-c4n4ry-exp") || !strings.Contains(files["consents.csv"], "ConsentUA-c4n4ry-exp") {
			t.Fatalf("zip: %v", files)
		}
		if r, _ := ts.doRaw(t, "GET", link["url"].(string), "", nil); r.StatusCode != 404 {
			t.Fatalf("second download: %d", r.StatusCode)
		}
		// An unknown subject gets an empty bundle, like a known one's shape.
		unknown := ts.privacyRequest(t, owner, "portability", "0190a6a0-0000-7000-8000-000000000000")
		if r, b := ts.do(t, "GET", "/v1/privacy/requests/"+unknown+"/export", owner, nil); r.StatusCode != 200 || b["user"] != nil {
			t.Fatalf("unknown subject: %d %v", r.StatusCode, b)
		}
		erasure := ts.privacyRequest(t, owner, "erasure", id)
		r, eb := ts.do(t, "GET", "/v1/privacy/requests/"+erasure+"/export", owner, nil)
		assertProblem(t, r, eb, 409)
	})
}

// TestPrivacyErase: after an erasure no table holds a planted value in
// clear, the consent proof stays without the person (its sealed fields no
// longer open), the audit chain still verifies, and erasing again is a
// no-op.
func TestPrivacyErase(t *testing.T) {
	eachDialect(t, func(t *testing.T, ts *testServer) {
		owner := ts.privacyTenant(t, "acme")
		const canary = "c4n4ry-erase"
		email := canary + "@acme.io"
		id := ts.privacySubject(t, owner, email, canary)
		if n := len(scanForCanary(t, ts, canary)); n == 0 {
			t.Fatal("the scan finds no planted value before the erasure")
		}
		// The audit API opens the subject's sealed events while the key
		// exists and shows them erased once it is gone.
		loginEvent := func() map[string]any {
			_, list := ts.do(t, "GET", "/v1/audit/events?type=login_success&user_id="+id, owner, nil)
			events, _ := list["events"].([]any)
			if len(events) != 1 {
				t.Fatalf("login events: %v", list)
			}
			return events[0].(map[string]any)
		}
		if e := loginEvent(); e["user_agent"] != "SessionUA-"+canary || e["erased"] != nil {
			t.Fatalf("sealed audit event before erasure: %v", e)
		}
		req := ts.privacyRequest(t, owner, "erasure", id)
		r, b := ts.do(t, "POST", "/v1/privacy/requests/"+req+"/erase", owner, nil)
		if r.StatusCode != 200 || b["keys_shredded"].(float64) < 1 || b["rows"].(map[string]any)["users"].(float64) != 1 {
			t.Fatalf("erase: %d %v", r.StatusCode, b)
		}
		// Audit events' user agents and details are sealed under the
		// subject's key: nothing may hold a planted value.
		for _, hit := range scanForCanary(t, ts, canary) {
			t.Errorf("after erasure %s holds a planted value", hit)
		}
		if e := loginEvent(); e["user_agent"] != "" || e["ip_address"] != "" || e["erased"] != true || len(e["details"].(map[string]any)) != 0 {
			t.Fatalf("audit event after erasure: %v", e)
		}
		_, list := ts.do(t, "GET", "/v1/consents?subject="+id, owner, nil)
		cs := list["consents"].([]any)
		if len(cs) != 1 || cs[0].(map[string]any)["erased"] != true || cs[0].(map[string]any)["user_agent"] != "" || cs[0].(map[string]any)["granted"] != true {
			t.Fatalf("consents after erasure: %v", list)
		}
		if st, b := ts.loginWith(t, "x", map[string]any{"tenant": "acme", "email": email, "password": "An0ther-Str0ng-One"}); st == 200 {
			t.Fatalf("the erased user logs in: %v", b)
		}
		// Again, the same request answers its first result; another
		// request for the same subject erases nothing more.
		if r, again := ts.do(t, "POST", "/v1/privacy/requests/"+req+"/erase", owner, nil); r.StatusCode != 200 || again["erased_at"] != b["erased_at"] {
			t.Fatalf("erase again: %d %v", r.StatusCode, again)
		}
		second := ts.privacyRequest(t, owner, "erasure", id)
		if r, b := ts.do(t, "POST", "/v1/privacy/requests/"+second+"/erase", owner, nil); r.StatusCode != 200 || b["keys_shredded"].(float64) != 0 || b["rows"].(map[string]any)["users"].(float64) != 0 {
			t.Fatalf("second erasure: %d %v", r.StatusCode, b)
		}
		if _, got := ts.do(t, "GET", "/v1/privacy/requests/"+second, owner, nil); got["status"] != "completed" {
			t.Fatalf("request after erasure: %v", got)
		}
		if out, err := cli(t, ts.env, "", "audit", "verify"); err != nil || strings.Contains(out, "BROKEN") {
			t.Fatalf("audit verify after erasure: %v\n%s", err, out)
		}
		access := ts.privacyRequest(t, owner, "access", id)
		r, eb := ts.do(t, "POST", "/v1/privacy/requests/"+access+"/erase", owner, nil)
		assertProblem(t, r, eb, 409)
	})
}

// scanForCanary reads every column of every table of the test database
// as text and returns "table.column" for each that holds canary.
func scanForCanary(t *testing.T, ts *testServer, canary string) []string {
	t.Helper()
	url := ts.env["RAMPART_DATABASE_URL"]
	driver, tablesQ := "pgx", "SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
	if strings.HasPrefix(url, "sqlite:") {
		driver, url, tablesQ = "sqlite", strings.TrimPrefix(url, "sqlite:"), "SELECT name FROM sqlite_master WHERE type = 'table'"
	}
	db, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(tablesQ)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, name)
	}
	rows.Close()
	var hits []string
	for _, table := range tables {
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		found := map[string]bool{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				var s string
				switch v := v.(type) {
				case []byte:
					s = string(v)
				default:
					s = fmt.Sprint(v)
				}
				if strings.Contains(strings.ToLower(s), canary) && !found[cols[i]] {
					found[cols[i]] = true
					hits = append(hits, table+"."+cols[i])
				}
			}
		}
		rows.Close()
	}
	return hits
}
