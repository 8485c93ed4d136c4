package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/rampart-dev/rampart/internal/testdb"
	"github.com/rampart-dev/rampart/keys"
	"github.com/rampart-dev/rampart/store"
	"github.com/rampart-dev/rampart/vault"
)

// erasureGaps are the values the goal scan may still find in a copy of
// the database taken before the erasure: none. TestErasureGoal fails when
// a value appears that is not listed here.
var erasureGaps []string

// TestErasureGoal is the goal: after an erasure, a scan of every
// column of every table (SQLite and PostgreSQL), the audit details, and of
// a copy of the SQLite file taken before the erasure finds no value of the
// subject that can still be decrypted (with the keys as they are after
// the erasure) and no plaintext copy of a planted canary: the email, the
// login's address and user agent, the consent's address and user agent.
func TestErasureGoal(t *testing.T) {
	for _, d := range testdb.Dialects {
		t.Run(d, func(t *testing.T) {
			ctx := context.Background()
			env := testEnv(t, d)
			raw := make([]byte, 32)
			rand.Read(raw)
			env["RAMPART_MASTER_KEY"] = base64.StdEncoding.EncodeToString(raw)
			env["RAMPART_TRUSTED_PROXIES"] = "127.0.0.1/32"
			ts := start(t, env)
			owner := ts.privacyTenant(t, "acme")
			const canary, addr = "c4n4ry-goal", "198.51.100.123"
			email := canary + "@acme.io"
			if r, b := ts.do(t, "POST", "/v1/users", owner, map[string]any{"email": email, "password": "An0ther-Str0ng-One", "role": "admin"}); r.StatusCode != 201 {
				t.Fatalf("create subject: %d %v", r.StatusCode, b)
			}
			access := ts.loginAs(t, addr, "acme", email, "An0ther-Str0ng-One")
			_, me := ts.do(t, "GET", "/v1/me", access, nil)
			id := me["id"].(string)
			st, b := ts.loginWith(t, "UA-"+canary, map[string]any{"tenant": "acme", "email": email, "password": "An0ther-Str0ng-One"})
			if st != 200 {
				t.Fatalf("login: %d %v", st, b)
			}
			if r, b := ts.do(t, "POST", "/v1/consents", owner, map[string]any{"subject": id, "purpose": "marketing", "granted": true,
				"policy_version": "1", "method": "banner", "ip_address": addr, "user_agent": "ConsentUA-" + canary}); r.StatusCode != 201 {
				t.Fatalf("consent: %d %v", r.StatusCode, b)
			}
			planted := []string{canary, addr}
			url := env["RAMPART_DATABASE_URL"]
			var before string
			if strings.HasPrefix(url, "sqlite:") {
				before = filepath.Join(t.TempDir(), "before.db")
				db, err := sql.Open("sqlite", strings.TrimPrefix(url, "sqlite:"))
				if err != nil {
					t.Fatal(err)
				}
				if _, err := db.Exec("VACUUM INTO ?", before); err != nil {
					t.Fatal(err)
				}
				db.Close()
			}
			req := ts.privacyRequest(t, owner, "erasure", id)
			if r, b := ts.do(t, "POST", "/v1/privacy/requests/"+req+"/erase", owner, nil); r.StatusCode != 200 {
				t.Fatalf("erase: %d %v", r.StatusCode, b)
			}

			// The live database: no plaintext, no key of the subject.
			for _, c := range planted {
				for _, hit := range scanForCanary(t, ts, c) {
					t.Errorf("after erasure %s holds %s in clear", hit, c)
				}
			}
			live, err := store.Open(ctx, url, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			defer live.Close()
			master, err := keys.ParseMasterKey(env["RAMPART_MASTER_KEY"])
			if err != nil {
				t.Fatal(err)
			}
			v := vault.New(live, master, vault.Options{})
			var tenantID string
			ts.queryDB(t, url, "SELECT id FROM tenants WHERE slug = 'acme'", func(vals []any) { tenantID = text(vals[0]) })
			var names []string
			for _, n := range []string{id, email} {
				sid := v.SubjectID(tenantID, n)
				names = append(names, hex.EncodeToString(sid[:]))
			}
			ts.queryDB(t, url, "SELECT owner FROM data_keys WHERE sealed IS NOT NULL", func(vals []any) {
				if slices.Contains(names, text(vals[0])) {
					t.Errorf("a key of the erased subject still opens")
				}
			})
			if d != "sqlite" {
				return
			}
			// The copy taken before: plaintext, and ciphertexts of the subject
			// that open with the keys as they are now.
			var found []string
			for _, c := range planted {
				for _, hit := range scanDB(t, "sqlite", before, c) {
					found = append(found, hit+" in clear")
				}
			}
			own := vault.OwnFields{Fields: keys.NewFields(master), Vault: v}
			ts.queryDB(t, "sqlite:"+before, "SELECT id, email FROM users WHERE id = '"+id+"'", func(vals []any) {
				if pt, err := own.OpenField(tenantID, text(vals[0]), "users.email", text(vals[1])); err == nil && pt == email {
					found = append(found, "users.email (tenant key)")
				}
			})
			subjectHeader := v.SubjectID(tenantID, id)
			n := 0
			for _, table := range tablesOf(t, "sqlite", before) {
				ts.queryDB(t, "sqlite:"+before, `SELECT * FROM "`+table+`"`, func(vals []any) {
					for _, val := range vals {
						s := text(val)
						for _, m := range ciphertexts(s) {
							c, err := keys.DecodeCiphertext(m)
							if err != nil {
								continue
							}
							h, err := keys.ParseHeader(c)
							if err != nil || h.Key.User != subjectHeader {
								continue
							}
							n++
							if _, _, err := v.Decrypt(ctx, tenantID, "", m); err == nil {
								found = append(found, table+" opens")
							}
							// Whatever the context, the key itself is gone.
							if cur, err := v.Current(ctx, tenantID, m); err == nil || cur {
								found = append(found, table+": the key still loads")
							}
						}
					}
				})
			}
			if n == 0 {
				t.Fatal("the copy holds no ciphertext of the subject: the scan proves nothing")
			}
			slices.Sort(found)
			found = slices.Compact(found)
			if !slices.Equal(found, erasureGaps) {
				t.Fatalf("the copy taken before the erasure: found %q, known gaps %q", found, erasureGaps)
			}
		})
	}
}

// ciphertexts returns the vault ciphertexts ("rc1:...") inside s, which
// may be JSON holding them.
func ciphertexts(s string) []string {
	var out []string
	for {
		i := strings.Index(s, keys.CiphertextPrefix)
		if i < 0 {
			return out
		}
		s = s[i:]
		j := strings.IndexAny(s, "\"\\ ,}")
		if j < 0 {
			j = len(s)
		}
		out = append(out, s[:j])
		s = s[j:]
	}
}

func text(v any) string {
	switch v := v.(type) {
	case []byte:
		return string(v)
	case string:
		return v
	case nil:
		return ""
	}
	return ""
}

func openDB(t *testing.T, url string) *sql.DB {
	t.Helper()
	driver := "pgx"
	if strings.HasPrefix(url, "sqlite:") {
		driver, url = "sqlite", strings.TrimPrefix(url, "sqlite:")
	}
	db, err := sql.Open(driver, url)
	if err != nil {
		t.Fatal(err)
	}
	return db
}

// queryDB runs q on the database at url and calls fn with each row.
func (ts *testServer) queryDB(t *testing.T, url, q string, fn func([]any)) {
	t.Helper()
	db := openDB(t, url)
	defer db.Close()
	rows, err := db.Query(q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	cols, _ := rows.Columns()
	for rows.Next() {
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		if err := rows.Scan(ptrs...); err != nil {
			t.Fatal(err)
		}
		fn(vals)
	}
}

func tablesOf(t *testing.T, driver, path string) []string {
	t.Helper()
	db := openDB(t, "sqlite:"+path)
	defer db.Close()
	rows, err := db.Query("SELECT name FROM sqlite_master WHERE type = 'table'")
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var n string
		rows.Scan(&n)
		out = append(out, n)
	}
	return out
}

// scanDB is scanForCanary over a SQLite file.
func scanDB(t *testing.T, driver, path, canary string) []string {
	t.Helper()
	var hits []string
	for _, table := range tablesOf(t, driver, path) {
		db := openDB(t, "sqlite:"+path)
		rows, err := db.Query(`SELECT * FROM "` + table + `"`)
		if err != nil {
			t.Fatal(err)
		}
		cols, _ := rows.Columns()
		seen := map[string]bool{}
		for rows.Next() {
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			rows.Scan(ptrs...)
			for i, v := range vals {
				if strings.Contains(strings.ToLower(text(v)), canary) && !seen[cols[i]] {
					seen[cols[i]] = true
					hits = append(hits, table+"."+cols[i])
				}
			}
		}
		rows.Close()
		db.Close()
	}
	return hits
}
