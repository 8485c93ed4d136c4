package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"sort"
	"testing"
	"time"
)

// BenchmarkResetKnownVsUnknown measures POST /v1/auth/password-reset for an
// address with an account and one without, interleaved, on a server started
// through run (SQLite; send limits off, so that every request for the known
// address does the whole work: token stored and e-mail rendered, sealed and
// queued). It reports both medians and their difference;
// the goal is a difference of at most 5 ms over 1,000 requests each:
//
//	go test -run '^$' -bench ResetKnownVsUnknown -benchtime 1000x ./cmd/rampart
func BenchmarkResetKnownVsUnknown(b *testing.B) {
	env := testEnv(b, "sqlite")
	ts := start(b, env)
	body, _ := json.Marshal(newTenantBody("acme", "owner@acme.io"))
	req, _ := http.NewRequest("POST", ts.URL+"/v1/tenants", bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+testOperatorToken)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 201 {
		b.Fatalf("create tenant: %v %v", resp, err)
	}
	client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 1}}
	ask := func(email string) time.Duration {
		body, _ := json.Marshal(map[string]string{"tenant": "acme", "email": email})
		start := time.Now()
		resp, err := client.Post(ts.URL+"/v1/auth/password-reset", "application/json", bytes.NewReader(body))
		d := time.Since(start)
		if err != nil || resp.StatusCode != 202 {
			b.Fatalf("reset for %s: %v %v", email, resp, err)
		}
		resp.Body.Close()
		return d
	}
	for range 20 { // warm up both paths
		ask("owner@acme.io")
		ask("nobody@acme.io")
	}
	known := make([]time.Duration, 0, b.N)
	unknown := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := range b.N {
		// Alternate which goes first, so that neither always follows the other.
		if i%2 == 0 {
			known = append(known, ask("owner@acme.io"))
			unknown = append(unknown, ask(fmt.Sprintf("nobody-%d@acme.io", i)))
		} else {
			unknown = append(unknown, ask(fmt.Sprintf("nobody-%d@acme.io", i)))
			known = append(known, ask("owner@acme.io"))
		}
	}
	b.StopTimer()
	median := func(ds []time.Duration) time.Duration {
		sort.Slice(ds, func(i, j int) bool { return ds[i] < ds[j] })
		return ds[len(ds)/2]
	}
	mk, mu := median(known), median(unknown)
	diff := mk - mu
	b.ReportMetric(float64(mk.Microseconds())/1000, "known-median-ms")
	b.ReportMetric(float64(mu.Microseconds())/1000, "unknown-median-ms")
	b.ReportMetric(float64(diff.Microseconds())/1000, "diff-ms")
}
